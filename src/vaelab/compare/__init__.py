"""The σ-VAE paper's experiment: one architecture, several ways to weigh the reconstruction.

Rybkin et al. (2020) train the same network on the same images as a Gaussian VAE with σ = 1
(here also as the MSE VAE, σ² = ½), as β-VAEs for a range of β, and as a σ-VAE whose σ is the
optimal one, and show that the
σ-VAE does as well as the best hand-tuned β without any tuning. :func:`run_comparison` rebuilds
that experiment: it trains (or finds in the run cache) one run per :class:`Contender`, measures
each with :func:`vaelab.metrics.evaluate`, and draws samples from the same latent codes for
every model. The :class:`Comparison` it returns exports its table (CSV, Markdown, JSON) and says
what the numbers show (:meth:`Comparison.findings`, :func:`describe`), whatever they show.

A β-VAE with the ``mse`` loss minimises ‖x − x̂‖² + β·KL, which is 2σ² times the negative ELBO
of a Gaussian decoder with σ² = β / 2. So each β is a guess of σ, and the σ-VAE's optimal σ
amounts to β = 2σ² (:attr:`Finding.implied_beta`).

The modules: ``contenders`` (the rows and the settings they share), ``sweep`` (training and
measuring them, with progress and stop), ``report`` (the table and the findings), ``seeds``
(the same comparison over several seeds: means, standard errors, whether the ranking holds),
``reference`` (the committed comparisons in the ``references`` folder, shipped with the
package).
"""

from vaelab.compare.contenders import DEFAULT_BETAS, CompareSettings, Contender, contenders
from vaelab.compare.reference import REFERENCES_DIR, Reference, reference_for, references
from vaelab.compare.report import (
    FINDINGS,
    RANKED,
    TABLE_METRICS,
    Cell,
    Comparison,
    Convergence,
    FdClassifier,
    Finding,
    PairedDifference,
    Ranking,
    Row,
    describe,
)
from vaelab.compare.seeds import (
    MAX_SEEDS,
    SEED_FINDINGS,
    Estimate,
    SeedRow,
    SeedSummary,
    Stability,
    describe_seeds,
    seed_list,
)
from vaelab.compare.sweep import PHASES, CompareProgress, run_comparison

__all__ = [
    "DEFAULT_BETAS",
    "FINDINGS",
    "MAX_SEEDS",
    "PHASES",
    "RANKED",
    "REFERENCES_DIR",
    "SEED_FINDINGS",
    "TABLE_METRICS",
    "Cell",
    "CompareProgress",
    "CompareSettings",
    "Comparison",
    "Contender",
    "Convergence",
    "Estimate",
    "FdClassifier",
    "Finding",
    "PairedDifference",
    "Ranking",
    "Reference",
    "Row",
    "SeedRow",
    "SeedSummary",
    "Stability",
    "contenders",
    "describe",
    "describe_seeds",
    "reference_for",
    "references",
    "run_comparison",
    "seed_list",
]
