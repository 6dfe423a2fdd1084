"""What a comparison found: its rows, its table, and what the numbers show.

:class:`Comparison` is what :func:`vaelab.compare.run_comparison` returns. It exports the table
(CSV, Markdown, JSON) and, through :meth:`Comparison.findings` and :func:`describe`, states what
the numbers show, in words, whatever they show.

The report speaks in ids and numbers: the words (column titles, the sentences of the findings)
come from the caller, in its language, usually from :mod:`vaelab.i18n`
(``texts("compare.col", lang)`` and ``texts("compare.finding", lang)``); numbers are written
with that language's decimal mark.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import torch
from safetensors.torch import load, save
from torch import Tensor

from vaelab.compare.contenders import CompareSettings, Contender
from vaelab.errors import ConfigError
from vaelab.i18n import decimal, decimals, localize_decimal, whole
from vaelab.metrics import METRICS, METRICS_FORMAT, format_metric

#: Version of the record :meth:`Comparison.to_json` writes.
COMPARISON_FORMAT = "vaelab-comparison/1"
#: Columns of the table, in order: the discrete likelihoods in bits/dim first.
TABLE_METRICS = (
    "iwae_bits_per_dim",
    "elbo_bits_per_dim",
    "recon_psnr_db",
    "fd_classifier_features",
    "test_kl",
    "active_units",
    "calibrated_sigma",
)
#: The metrics the findings rank the models by: a likelihood (the first every row has, both
#: probabilities of the 8-bit images), reconstructions, samples.
RANKED = (
    ("iwae_bits_per_dim", "elbo_bits_per_dim"),
    ("recon_psnr_db",),
    ("fd_classifier_features",),
)
#: Suffix of the per-image values of a metric in :func:`vaelab.metrics.evaluate`'s result.
PER_IMAGE = "_per_image"
#: An IWAE bound that still moves by more than this (bits/dim) between its two largest k has not
#: converged: the findings say so.
K_CONVERGENCE_BITS = 0.01
#: Below this test accuracy the FD's classifier tells the classes apart too poorly for its
#: features to rank samples (94 % on MNIST-5k and 88.5 % on Fashion-MNIST; the colour network
#: reaches about 50 % on the 1,000 correctly labelled images of the shared CIFAR-10 sample):
#: the findings say that the FD ranks little.
WEAK_CLASSIFIER_ACCURACY = 0.8


@dataclass
class Row:
    """One contender's result.

    Attributes
    ----------
    contender : Contender
        What was trained.
    run_id : str
        Its run in the store.
    status : str
        ``"trained"`` (this call trained or continued it), ``"cached"``, ``"stopped"`` (the
        user stopped it; it can be continued) or ``"pending"`` (not reached).
    epochs : int
        Epochs the run has; more than asked when the cached run had been trained longer.
    metrics : dict
        :func:`vaelab.metrics.evaluate`'s result; empty unless evaluated.
    samples : Tensor or None
        ``uint8`` samples ``(n, C, H, W)``, from the same latent codes in every row.
    seconds : float
        Time this call spent on the row (training and evaluation).
    """

    contender: Contender
    run_id: str
    status: str = "pending"
    epochs: int = 0
    metrics: dict[str, Any] = field(default_factory=dict)
    samples: Tensor | None = None
    seconds: float = 0.0

    def value(self, metric: str) -> float | None:
        """The row's value of ``metric``, or ``None`` when it has none."""
        value = self.metrics.get(metric)
        return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


@dataclass(frozen=True)
class Cell:
    """One cell of :meth:`Comparison.formatted`: its text and whether it is its column's best."""

    text: str
    best: bool = False


@dataclass(frozen=True)
class Ranking:
    """How the models rank on one metric.

    Attributes
    ----------
    metric : str
        Metric id (a key of :data:`vaelab.metrics.evaluate.METRICS`).
    best : Contender
        The best row's contender.
    sigma_rank : int
        Rank of the σ-VAE, 1 being the best.
    rows : int
        Rows ranked.
    sigma_value, best_beta_value, gaussian_value : float
        The metric for the σ-VAE, for the best β-VAE and for the Gaussian VAE.
    best_beta : float
        β of the best β-VAE on this metric.
    betas : tuple of float
        The β of the β-VAEs ranked.
    lower_is_better : bool
        Direction of the metric.
    """

    metric: str
    best: Contender
    sigma_rank: int
    rows: int
    sigma_value: float
    best_beta_value: float
    best_beta: float
    betas: tuple[float, ...]
    gaussian_value: float
    lower_is_better: bool

    @property
    def sigma_beats_gaussian(self) -> bool:
        """Whether the σ-VAE does better than the Gaussian VAE (ties count as not)."""
        if self.lower_is_better:
            return self.sigma_value < self.gaussian_value
        return self.sigma_value > self.gaussian_value


@dataclass(frozen=True)
class PairedDifference:
    """The σ-VAE's likelihood minus the best β-VAE's, image by image on the same test images.

    The images are the same, so the difference of the two means has a far smaller standard error
    than either mean: the spread between images cancels.

    Attributes
    ----------
    metric : str
        The metric compared (the likelihood ranking's).
    difference : float
        Mean over the images of σ-VAE − best β-VAE; below 0, the σ-VAE is better.
    standard_error : float or None
        Standard deviation of the per-image differences / √n; ``None`` for one image.
    images : int
        n, the test images both rows have values for (the first ones).
    """

    metric: str
    difference: float
    standard_error: float | None
    images: int


@dataclass(frozen=True)
class Finding:
    """What the numbers of a comparison show, as data; :func:`describe` phrases it.

    Attributes
    ----------
    rankings : tuple of Ranking
        One per group of :data:`RANKED` that every evaluated row has; the first is the
        likelihood.
    sigma : float or None
        The σ-VAE's σ: its optimal σ on the training set (or its learned one), the one its
        likelihood is measured with (``elbo_scale``).
    implied_beta : float or None
        2σ²: the β at which a β-VAE with the ``mse`` loss weighs its two terms as the σ-VAE
        does (‖x − x̂‖² + β·KL is 2σ² times the negative ELBO of a Gaussian decoder of scale σ).
    paired : PairedDifference or None
        The σ-VAE against the best β-VAE on the likelihood, when both rows have per-image values.
    convergence : Convergence or None
        How far the IWAE bounds still move with k, when the likelihood ranking is on the IWAE
        bound and every row has it at several k.
    post_hoc : bool
        Whether the likelihood ranks models trained with different likelihoods under the one
        Gaussian decoder whose σ is fitted on the training set after training.
    classifier : FdClassifier or None
        The FD's classifier, when the samples are ranked by the FD.
    """

    rankings: tuple[Ranking, ...]
    sigma: float | None
    implied_beta: float | None
    paired: PairedDifference | None = None
    convergence: Convergence | None = None
    post_hoc: bool = False
    classifier: FdClassifier | None = None


@dataclass(frozen=True)
class Convergence:
    """How far each model's IWAE bound (bits/dim) still moves between its two largest k.

    Attributes
    ----------
    k_low, k_high : int
        The two largest numbers of samples (from the same draws).
    threshold : float
        :data:`K_CONVERGENCE_BITS`.
    moves : tuple of tuple
        The models whose bound fell by more than ``threshold`` from ``k_low`` to ``k_high``,
        with that fall: pairs (:class:`~vaelab.compare.Contender`, float); empty when every
        bound has converged to that precision.
    """

    k_low: int
    k_high: int
    threshold: float
    moves: tuple[tuple[Contender, float], ...]


@dataclass(frozen=True)
class FdClassifier:
    """What the Fréchet distance of a comparison was measured with.

    Every row's FD uses the features of the same classifier, trained once on the dataset
    (:func:`vaelab.metrics.classifier.load_or_train_classifier`); how well it tells the classes
    apart bounds how much its features can say about samples.

    Attributes
    ----------
    test_accuracy : float or None
        The classifier's accuracy on the test images, in [0, 1]; ``None`` when the rows do not
        record it (comparisons written before it was kept).
    samples : int or None
        Samples (and as many test images) each FD compares: the fewest of the rows, which
        agree unless some were measured for an earlier comparison with more.
    """

    test_accuracy: float | None
    samples: int | None

    @property
    def weak(self) -> bool:
        """Whether the accuracy is below :data:`WEAK_CLASSIFIER_ACCURACY`."""
        return self.test_accuracy is not None and self.test_accuracy < WEAK_CLASSIFIER_ACCURACY

    def texts(self, lang: str = "en") -> dict[str, str]:
        """``accuracy`` (``"94.0 %"``) and ``samples`` (``"1 000"``) as written in ``lang``.

        A value the rows do not record is written "–".
        """
        accuracy, samples = self.test_accuracy, self.samples
        return {
            "accuracy": "–" if accuracy is None else decimal(100 * accuracy, ".1f", lang) + " %",
            "samples": "–" if samples is None else whole(samples),
        }


#: Ids of the templates the caller gives: the sentences of :func:`describe`, and ``fd_column``,
#: what the FD column's title adds about its classifier (:meth:`Comparison.formatted`).
FINDINGS = (
    "ranking",
    "versus_beta",
    "paired_difference",
    "versus_gaussian",
    "implied_beta",
    "not_independent",
    "post_hoc",
    "k_converged",
    "k_unconverged",
    "fd_classifier",
    "fd_classifier_weak",
    "fd_column",
)


def describe(
    finding: Finding,
    templates: Mapping[str, str],
    labels: Mapping[str, str],
    name: Callable[[Contender], str] | None = None,
    lang: str = "en",
) -> list[str]:
    """Sentences stating what ``finding`` shows.

    Parameters
    ----------
    finding : Finding
        From :meth:`Comparison.findings`.
    templates : mapping
        The sentences, keyed by the ids of :data:`FINDINGS`, with ``{placeholders}`` for the
        names and numbers (:func:`vaelab.i18n.texts` ``("compare.finding", lang)``).
    labels : mapping
        Names of the metrics, keyed by metric id (``texts("compare.col", lang)``).
    name : callable, optional
        The name of a contender; its :attr:`Contender.label` by default.
    lang : str
        Language of the numbers (its decimal mark).

    Returns
    -------
    list of str
        One sentence per ranking; the likelihood compared with the best β-VAE, their paired
        difference with its standard error (when the rows have per-image values) and the
        Gaussian VAE; the β the σ-VAE's σ amounts to; when the reconstructions are ranked
        too, that the likelihood and the PSNR are not independent evidence; when models trained
        with different likelihoods are ranked on the post-hoc σ, that it penalises some;
        whether the IWAE bounds have converged in k; and, when the samples are ranked by the
        FD, its classifier's test accuracy and number of samples, adding that the FD ranks
        little when that accuracy is below :data:`WEAK_CLASSIFIER_ACCURACY`. Numbers have 4
        significant digits (2 for a difference and its standard error).
    """
    name = name or (lambda contender: contender.label)

    def number(value: float, spec: str = ".4g") -> str:
        return decimal(value, spec, lang)

    sentences = [
        templates["ranking"].format(
            metric=labels[r.metric], best=name(r.best), rank=r.sigma_rank, rows=r.rows
        )
        for r in finding.rankings
    ]
    main = finding.rankings[0]
    values = {
        "sigma_value": number(main.sigma_value),
        "best_beta_value": number(main.best_beta_value),
        "best_beta": number(main.best_beta, "g"),
        "gaussian_value": number(main.gaussian_value),
        "betas": decimals(main.betas, "g", lang),
    }
    sentences.append(templates["versus_beta"].format(**values))
    paired = finding.paired
    if paired is not None and paired.standard_error is not None:
        sentences.append(
            templates["paired_difference"].format(
                metric=labels[paired.metric],
                difference=number(paired.difference, "+.2g"),
                standard_error=number(paired.standard_error, ".2g"),
                images=paired.images,
            )
        )
    sentences.append(templates["versus_gaussian"].format(**values))
    if finding.sigma is not None and finding.implied_beta is not None:
        sentences.append(
            templates["implied_beta"].format(
                sigma=number(finding.sigma), implied_beta=number(finding.implied_beta, ".2g")
            )
        )
    if any(r.metric == "recon_psnr_db" for r in finding.rankings):
        sentences.append(
            templates["not_independent"].format(
                metric=labels[main.metric], psnr=labels["recon_psnr_db"]
            )
        )
    if finding.post_hoc:
        sentences.append(templates["post_hoc"].format(metric=labels[main.metric]))
    convergence = finding.convergence
    if convergence is not None:
        ks = {
            "k_low": convergence.k_low,
            "k_high": convergence.k_high,
            "threshold": number(convergence.threshold, "g"),
        }
        if convergence.moves:
            moves = "; ".join(
                f"{name(contender)} ({number(move, '.2g')})"
                for contender, move in convergence.moves
            )
            sentences.append(templates["k_unconverged"].format(moves=moves, **ks))
        else:
            sentences.append(templates["k_converged"].format(**ks))
    classifier = finding.classifier
    if classifier is not None:
        key = "fd_classifier_weak" if classifier.weak else "fd_classifier"
        sentences.append(
            templates[key].format(metric=labels["fd_classifier_features"], **classifier.texts(lang))
        )
    return sentences


@dataclass
class Comparison:
    """The result of :func:`run_comparison`.

    Attributes
    ----------
    dataset : str
        Name of the dataset.
    settings : CompareSettings
        What the contenders share.
    rows : list of Row
        One per contender, in the order of :func:`contenders`.
    stopped : bool
        Whether the user stopped the sweep; the rows not reached are ``"pending"``.
    seconds : float
        Wall time of the call.
    finished : str or None
        When the call ended, in UTC, as ISO 8601 (``"2026-12-01T20:21:09+00:00"``); ``None``
        in records written before it was kept.
    """

    dataset: str
    settings: CompareSettings
    rows: list[Row]
    stopped: bool = False
    seconds: float = 0.0
    finished: str | None = None

    @property
    def evaluated(self) -> list[Row]:
        """The rows that have metrics."""
        return [row for row in self.rows if row.metrics]

    def columns(self) -> list[str]:
        """The metrics of :data:`TABLE_METRICS` that at least one row has."""
        return [m for m in TABLE_METRICS if any(r.value(m) is not None for r in self.rows)]

    def best(self, metric: str) -> int | None:
        """Index in :attr:`rows` of the best value of ``metric``; ``None`` if it has no direction.

        Ties go to the first row.
        """
        direction = METRICS[metric].better
        scored = [(i, r.value(metric)) for i, r in enumerate(self.rows)]
        scored = [(i, v) for i, v in scored if v is not None]
        if direction is None or not scored:
            return None
        sign = 1.0 if direction == "lower" else -1.0
        return min(scored, key=lambda item: (sign * item[1], item[0]))[0]

    def fd_classifier(self) -> FdClassifier | None:
        """The FD's classifier, as the rows with an FD record it; ``None`` when none has one."""
        rows = [row for row in self.rows if row.value("fd_classifier_features") is not None]
        if not rows:
            return None
        accuracies = [row.value("classifier_test_accuracy") for row in rows]
        counts = [row.value("fd_images") for row in rows]
        known = [int(n) for n in counts if n]
        return FdClassifier(
            next((a for a in accuracies if a is not None), None), min(known) if known else None
        )

    def findings(self) -> Finding | None:
        """What the numbers show.

        ``None`` until the Gaussian VAE, a β-VAE and the σ-VAE all have a likelihood value.
        """
        rows = self.evaluated
        kinds = {row.contender.kind for row in rows}
        if not {"gaussian-vae", "beta-vae", "sigma-vae"} <= kinds:
            return None
        rankings = []
        for group in RANKED:
            metric = next((m for m in group if all(r.value(m) is not None for r in rows)), None)
            if metric is not None:
                rankings.append(_rank(rows, metric))
        if not rankings or rankings[0].metric not in RANKED[0]:
            return None
        sigma_row = next(r for r in rows if r.contender.variant == "sigma-vae")
        # The σ the σ-VAE's own likelihood uses in the bounds: for an optimal σ, fitted on the
        # training set like the table's calibrated σ (the same value), never on test images.
        sigma = sigma_row.value("elbo_scale")
        main = rankings[0]
        beta_row = next(
            r
            for r in rows
            if r.contender.variant == "beta-vae" and r.contender.beta == main.best_beta
        )
        trained_for = {(r.contender.likelihood, r.contender.scale) for r in rows}
        return Finding(
            tuple(rankings),
            sigma,
            None if sigma is None else 2.0 * sigma**2,
            _paired(main.metric, sigma_row, beta_row),
            _convergence(rows) if main.metric == "iwae_bits_per_dim" else None,
            post_hoc=main.metric in RANKED[0] and len(trained_for) > 1,
            classifier=self.fd_classifier()
            if any(r.metric == "fd_classifier_features" for r in rankings)
            else None,
        )

    def table(self) -> list[dict[str, Any]]:
        """The table, one dict per row.

        Keys: ``model``, ``beta``, ``epochs``, ``status``, ``run_id`` and the :meth:`columns`.
        """
        columns = self.columns()
        return [
            {
                "model": row.contender.label,
                "beta": row.contender.beta,
                "epochs": row.epochs,
                "status": row.status,
                "run_id": row.run_id,
                **{m: row.value(m) for m in columns},
            }
            for row in self.rows
        ]

    def to_csv(self) -> str:
        """The table as CSV, metric ids as headers, empty cells for missing values."""
        buffer = io.StringIO()
        table = self.table()
        writer = csv.DictWriter(buffer, fieldnames=list(table[0]), lineterminator="\n")
        writer.writeheader()
        for record in table:
            writer.writerow({k: "" if v is None else v for k, v in record.items()})
        return buffer.getvalue()

    def formatted(
        self,
        labels: Mapping[str, str],
        name: Callable[[Contender], str] | None = None,
        lang: str = "en",
        fd_note: str | None = None,
    ) -> tuple[list[str], list[list[Cell]]]:
        """The table as text for people: titles with ↓/↑, 4 significant digits, best marked.

        Parameters
        ----------
        labels : mapping
            Column titles by column id: ``model``, ``epochs`` and the metric ids of
            :data:`TABLE_METRICS`. A column without a title is titled by its id.
        name : callable, optional
            The name of a contender; its :attr:`Contender.label` by default.
        lang : str
            Language of the numbers (its decimal mark).
        fd_note : str, optional
            Added to the FD column's title, with ``{accuracy}`` and ``{samples}`` of its
            classifier (:meth:`FdClassifier.texts`): the ``fd_column`` template.

        Returns
        -------
        header : list of str
        rows : list of list of Cell
            One cell per column; missing values are "–".
        """
        name = name or (lambda contender: contender.label)
        columns = self.columns()
        best = {m: self.best(m) for m in columns}
        arrows = {"lower": " ↓", "higher": " ↑", None: ""}
        header = [labels.get("model", "model"), labels.get("epochs", "epochs")]
        header += [labels.get(m, m) + arrows[METRICS[m].better] for m in columns]
        classifier = self.fd_classifier()
        if fd_note is not None and classifier is not None:
            where = columns.index("fd_classifier_features") + 2
            header[where] += " " + fd_note.format(**classifier.texts(lang))
        rows = []
        for i, row in enumerate(self.rows):
            cells = [Cell(name(row.contender)), Cell(str(row.epochs) if row.epochs else "–")]
            for m in columns:
                value = row.value(m)
                text = "–" if value is None else localize_decimal(format_metric(m, value), lang)
                cells.append(Cell(text, best[m] == i))
            rows.append(cells)
        return header, rows

    def markdown_table(
        self,
        labels: Mapping[str, str],
        name: Callable[[Contender], str] | None = None,
        lang: str = "en",
        best: str = "**{}**",
        fd_note: str | None = None,
    ) -> str:
        """The table in Markdown (see :meth:`formatted`), each best value written as ``best``."""
        header, rows = self.formatted(labels, name, lang, fd_note)
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for cells in rows:
            text = [best.format(c.text) if c.best else c.text for c in cells]
            lines.append("| " + " | ".join(text) + " |")
        return "\n".join(lines)

    def to_markdown(
        self,
        labels: Mapping[str, str],
        templates: Mapping[str, str],
        name: Callable[[Contender], str] | None = None,
        lang: str = "en",
    ) -> str:
        """The table in Markdown, the best value of each column in bold and the findings below.

        ``labels`` title the columns (see :meth:`formatted`; the FD column's title adds the
        ``fd_column`` template); ``templates``, ``name`` and ``lang`` phrase the findings (see
        :func:`describe`).
        """
        lines = [self.markdown_table(labels, name, lang, fd_note=templates["fd_column"])]
        finding = self.findings()
        if finding is not None:
            sentences = describe(finding, templates, labels, name, lang)
            lines += ["", *(f"- {sentence}" for sentence in sentences)]
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        """Everything but the samples, JSON-able; :meth:`from_json` reads it back."""
        return {
            "format": COMPARISON_FORMAT,
            "metrics_format": METRICS_FORMAT,
            "dataset": self.dataset,
            "settings": asdict(self.settings),
            "stopped": self.stopped,
            "seconds": self.seconds,
            "finished": self.finished,
            "rows": [
                {
                    **asdict(row.contender),
                    "label": row.contender.label,
                    "run_id": row.run_id,
                    "status": row.status,
                    "epochs": row.epochs,
                    "seconds": row.seconds,
                    "metrics": row.metrics,
                }
                for row in self.rows
            ],
        }

    def samples_file(self) -> bytes | None:
        """The rows' samples as safetensors bytes, one ``uint8`` tensor per run id.

        ``None`` when no row has samples. :meth:`add_samples` reads them back.
        """
        tensors = {r.run_id: r.samples.contiguous() for r in self.rows if r.samples is not None}
        return save(tensors) if tensors else None

    def add_samples(self, raw: bytes) -> None:
        """Give the rows the samples of :meth:`samples_file`'s bytes ``raw``, by run id.

        Rows without samples there keep none.

        Raises
        ------
        ConfigError
            If ``raw`` is not such a file, or a tensor is not ``uint8`` images.
        """
        try:
            tensors = load(raw)
        except Exception as exc:  # safetensors raises its own error types
            raise ConfigError(f"unreadable comparison samples: {exc}") from None
        for row in self.rows:
            samples = tensors.get(row.run_id)
            if samples is None:
                continue
            if samples.dtype != torch.uint8 or samples.dim() != 4:
                raise ConfigError(f"the samples of {row.run_id} are not uint8 (n, C, H, W) images")
            row.samples = samples

    @classmethod
    def from_json(cls, record: Mapping[str, Any]) -> Comparison:
        """The comparison :meth:`to_json` wrote, without its samples.

        Raises
        ------
        ConfigError
            If ``record`` is not a comparison of this format.
        """
        if not isinstance(record, Mapping) or record.get("format") != COMPARISON_FORMAT:
            raise ConfigError(f"not a VAE Lab comparison (expected format {COMPARISON_FORMAT})")
        try:
            settings = CompareSettings(**record["settings"])
            rows = [
                Row(
                    Contender(**{f.name: item[f.name] for f in fields(Contender)}),
                    item["run_id"],
                    item["status"],
                    item["epochs"],
                    dict(item["metrics"]),
                    None,
                    item["seconds"],
                )
                for item in record["rows"]
            ]
            return cls(
                record["dataset"],
                settings,
                rows,
                record["stopped"],
                record["seconds"],
                record.get("finished"),
            )
        except (KeyError, TypeError) as exc:
            raise ConfigError(f"incomplete comparison record: {exc}") from None


def _rank(rows: list[Row], metric: str) -> Ranking:
    lower = METRICS[metric].better == "lower"

    def score(row: Row) -> float:
        value = row.value(metric)
        assert value is not None
        return value if lower else -value

    def value(row: Row) -> float:
        return float(row.value(metric))  # type: ignore[arg-type]

    ranked = sorted(rows, key=score)  # stable: ties keep the rows' order
    sigma = next(r for r in ranked if r.contender.variant == "sigma-vae")
    gaussian = next(r for r in ranked if r.contender.key == "gaussian-vae")
    best_beta = next(r for r in ranked if r.contender.variant == "beta-vae")
    return Ranking(
        metric=metric,
        best=ranked[0].contender,
        sigma_rank=ranked.index(sigma) + 1,
        rows=len(rows),
        sigma_value=value(sigma),
        best_beta_value=value(best_beta),
        best_beta=best_beta.contender.beta,
        betas=tuple(r.contender.beta for r in rows if r.contender.variant == "beta-vae"),
        gaussian_value=value(gaussian),
        lower_is_better=lower,
    )


def _convergence(rows: list[Row]) -> Convergence | None:
    """The fall of each row's IWAE bits/dim between the two largest k they all have."""
    by_k = [row.metrics.get("iwae_bits_per_dim_by_k") for row in rows]
    if not all(isinstance(values, dict) for values in by_k):
        return None
    common = sorted(set.intersection(*(set(map(int, values)) for values in by_k)))
    if len(common) < 2:
        return None
    k_low, k_high = common[-2:]
    moves = tuple(
        (row.contender, values[str(k_low)] - values[str(k_high)])
        for row, values in zip(rows, by_k, strict=True)
        if values[str(k_low)] - values[str(k_high)] > K_CONVERGENCE_BITS
    )
    return Convergence(k_low, k_high, K_CONVERGENCE_BITS, moves)


def _paired(metric: str, first: Row, second: Row) -> PairedDifference | None:
    """``first`` − ``second`` on ``metric``, image by image, over the images both have."""
    a, b = first.metrics.get(metric + PER_IMAGE), second.metrics.get(metric + PER_IMAGE)
    if not isinstance(a, list) or not isinstance(b, list) or not a or not b:
        return None
    n = min(len(a), len(b))
    differences = [x - y for x, y in zip(a[:n], b[:n], strict=True)]
    mean = math.fsum(differences) / n
    if n < 2:
        return PairedDifference(metric, mean, None, n)
    variance = math.fsum((d - mean) ** 2 for d in differences) / (n - 1)
    return PairedDifference(metric, mean, math.sqrt(variance / n), n)
