"""Yardsticks of what a VAE learned: likelihood bounds, reconstructions, latents, samples.

:func:`evaluate` runs them all and returns one JSON-able dict (its docstring lists the keys).
The modules follow the measures:

- ``bounds``: exact decoder likelihoods (densities, and discretised ones whose NLL is in bits/dim
  as papers report it), the ELBO, the IWAE bound (Burda et al. 2016) and PSNR;
- ``latents``: active units and KL per dimension;
- ``collapse``: the mutual information I(x; z), for posterior collapse;
- ``frechet``: the Fréchet distance between two sets of features;
- ``classifier``: the small per-dataset CNN whose features the sample-quality distance uses,
  trained once and cached; ``classifier_nets``: its grey and colour networks and their training;
- ``samples``: that distance ("FD (classifier features)", not an FID) and the real FID when
  torch-fidelity and its weights are already installed;
- ``evaluate``: all of the above on a model and its dataset.
"""

from vaelab.metrics.bounds import (
    DecoderLikelihood,
    ErrorStats,
    bits_per_dim,
    calibrated_gaussian,
    convergence_ks,
    iwae_nll,
    log_importance_weights,
    model_decoder,
    model_discrete_decoder,
    psnr,
)
from vaelab.metrics.classifier import (
    DEFAULT_CLASSIFIER_DIR,
    FeatureClassifier,
    classifier_cache_dir,
    classifier_file,
    load_or_train_classifier,
    train_classifier,
)
from vaelab.metrics.collapse import MI_IMAGES, mutual_information
from vaelab.metrics.evaluate import (
    MAX_PER_IMAGE,
    METRICS,
    METRICS_FORMAT,
    STAGES,
    MetricInfo,
    evaluate,
    format_metric,
    overall_fraction,
)
from vaelab.metrics.frechet import (
    feature_statistics,
    frechet_distance,
    frechet_distance_from_stats,
)
from vaelab.metrics.latents import (
    ACTIVE_UNIT_THRESHOLD,
    KL_THRESHOLD,
    active_units,
    kl_per_dimension,
    latent_mean_variance,
)
from vaelab.metrics.samples import real_fid, real_fid_unavailable, sample_quality
from vaelab.models.likelihoods import discretized_nll, gaussian_nll, laplace_nll

__all__ = [
    "ACTIVE_UNIT_THRESHOLD",
    "DEFAULT_CLASSIFIER_DIR",
    "KL_THRESHOLD",
    "MAX_PER_IMAGE",
    "MI_IMAGES",
    "METRICS",
    "METRICS_FORMAT",
    "STAGES",
    "DecoderLikelihood",
    "ErrorStats",
    "FeatureClassifier",
    "MetricInfo",
    "active_units",
    "bits_per_dim",
    "calibrated_gaussian",
    "classifier_cache_dir",
    "classifier_file",
    "convergence_ks",
    "discretized_nll",
    "evaluate",
    "feature_statistics",
    "format_metric",
    "frechet_distance",
    "frechet_distance_from_stats",
    "gaussian_nll",
    "iwae_nll",
    "kl_per_dimension",
    "laplace_nll",
    "latent_mean_variance",
    "load_or_train_classifier",
    "log_importance_weights",
    "model_decoder",
    "model_discrete_decoder",
    "mutual_information",
    "overall_fraction",
    "psnr",
    "real_fid",
    "real_fid_unavailable",
    "sample_quality",
    "train_classifier",
]
