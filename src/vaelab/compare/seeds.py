"""The same comparison over several seeds: means, their spread, and whether the ranking holds.

One seed at a few epochs says little: models whose numbers are close may swap places with
another seed. :class:`SeedSummary` gathers the :class:`~vaelab.compare.Comparison` of each seed
(same dataset and settings but the seed) and gives, per model and metric, the mean over the
seeds and its standard error across them; per directed metric, each model's rank in each seed,
in how many seeds the best model on the mean is the best, the σ-VAE's rank in each seed, and
the σ-VAE − best β-VAE difference in each seed with its mean ± standard error
(:class:`Stability`). :func:`describe_seeds` says in words what holds in every seed and what
does not.

Like :mod:`vaelab.compare.report`, it speaks in ids and numbers: the words come from the
caller (``texts("compare.seeds.finding", lang)``), numbers are written in that language.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

from vaelab.compare.contenders import CompareSettings, Contender
from vaelab.compare.report import TABLE_METRICS, Cell, Comparison
from vaelab.errors import ConfigError
from vaelab.i18n import decimal, decimals
from vaelab.metrics import METRICS

#: Version of the record :meth:`SeedSummary.to_json` writes.
SEEDS_FORMAT = "vaelab-seeds/1"
#: Most seeds one summary (and ``vaelab compare --seeds``) takes.
MAX_SEEDS = 10
#: Ids of the templates :func:`describe_seeds` takes.
SEED_FINDINGS = (
    "table",
    "one_seed",
    "best_every",
    "best_some",
    "difference_one",
    "difference_better_every",
    "difference_worse_every",
    "difference_mixed",
)


@dataclass(frozen=True)
class Estimate:
    """A mean over seeds and its standard error across them.

    Attributes
    ----------
    mean : float
    standard_error : float or None
        Sample standard deviation over the seeds / √n; ``None`` for one seed.
    n : int
        Seeds with a value.
    """

    mean: float
    standard_error: float | None
    n: int


def estimate(values: Sequence[float | None]) -> Estimate | None:
    """The :class:`Estimate` of the values that are not ``None``; ``None`` when there are none."""
    known = [v for v in values if v is not None]
    if not known:
        return None
    n = len(known)
    mean = math.fsum(known) / n
    if n < 2:
        return Estimate(mean, None, n)
    variance = math.fsum((v - mean) ** 2 for v in known) / (n - 1)
    return Estimate(mean, math.sqrt(variance / n), n)


@dataclass(frozen=True)
class SeedRow:
    """One model over the seeds.

    Attributes
    ----------
    contender : Contender
    run_ids : tuple of str
        Its run in each seed.
    values : dict
        Per metric id, its value in each seed (``None`` where that seed has none).
    """

    contender: Contender
    run_ids: tuple[str, ...]
    values: dict[str, tuple[float | None, ...]]

    def estimate(self, metric: str) -> Estimate | None:
        """Mean ± standard error of ``metric`` over the seeds; ``None`` without any value."""
        return estimate(self.values.get(metric, ()))


@dataclass(frozen=True)
class Stability:
    """Whether the ranking on one metric holds over the seeds.

    Attributes
    ----------
    metric : str
    seeds : tuple of int
    best : Contender
        The best model on the mean over the seeds.
    best_seeds : int
        In how many seeds it is the best.
    sigma_ranks : tuple of int
        The σ-VAE's rank in each seed, 1 being the best.
    rows : int
        Models ranked.
    best_beta : float
        β of the β-VAE best on the mean.
    differences : tuple of float
        σ-VAE − that β-VAE in each seed.
    difference : Estimate
        Their mean ± standard error across seeds.
    lower_is_better : bool
    """

    metric: str
    seeds: tuple[int, ...]
    best: Contender
    best_seeds: int
    sigma_ranks: tuple[int, ...]
    rows: int
    best_beta: float
    differences: tuple[float, ...]
    difference: Estimate
    lower_is_better: bool

    @property
    def sigma_better_every_seed(self) -> bool:
        """Whether the σ-VAE beats that β-VAE in every seed (ties count as not)."""
        sign = -1.0 if self.lower_is_better else 1.0
        return all(sign * d > 0 for d in self.differences)

    @property
    def sigma_worse_every_seed(self) -> bool:
        """Whether that β-VAE beats the σ-VAE in every seed (ties count as not)."""
        sign = 1.0 if self.lower_is_better else -1.0
        return all(sign * d > 0 for d in self.differences)


@dataclass
class SeedSummary:
    """The comparison over several seeds, from the :class:`Comparison` of each.

    Attributes
    ----------
    dataset : str
    settings : CompareSettings
        Those of the first seed's comparison (the others differ only in the seed).
    seeds : tuple of int
    rows : list of SeedRow
        One per contender, in the comparisons' order.
    """

    dataset: str
    settings: CompareSettings
    seeds: tuple[int, ...]
    rows: list[SeedRow]

    @classmethod
    def from_comparisons(cls, comparisons: Sequence[Comparison]) -> SeedSummary:
        """The summary of ``comparisons``, one per seed, in order.

        Raises
        ------
        ConfigError
            If there are none or more than :data:`MAX_SEEDS`, if two have the same seed, or if
            they differ in anything but the seed (dataset, settings or models).
        """
        if not 1 <= len(comparisons) <= MAX_SEEDS:
            raise ConfigError(f"a seed summary takes 1 to {MAX_SEEDS} comparisons")
        first = comparisons[0]
        seeds = tuple(c.settings.seed for c in comparisons)
        if len(set(seeds)) != len(seeds):
            raise ConfigError(f"each seed must be summarised once, got seeds {seeds}")
        keys = [r.contender for r in first.rows]
        for other in comparisons[1:]:
            changed = [
                f.name
                for f in fields(CompareSettings)
                if f.name != "seed"
                and getattr(first.settings, f.name) != getattr(other.settings, f.name)
            ]
            if other.dataset != first.dataset:
                changed.insert(0, "dataset")
            if not changed and [r.contender for r in other.rows] != keys:
                changed.append("models")
            if changed:
                raise ConfigError(
                    f"comparisons of seeds {first.settings.seed} and {other.settings.seed} "
                    f"differ in {', '.join(changed)}: a seed summary needs the same settings "
                    "but the seed"
                )
        metrics = [m for m in TABLE_METRICS if any(m in c.columns() for c in comparisons)]
        rows = [
            SeedRow(
                contender,
                tuple(c.rows[i].run_id for c in comparisons),
                {m: tuple(c.rows[i].value(m) for c in comparisons) for m in metrics},
            )
            for i, contender in enumerate(keys)
        ]
        return cls(first.dataset, first.settings, seeds, rows)

    def columns(self) -> list[str]:
        """The metrics of :data:`TABLE_METRICS` that at least one row has in some seed."""
        return [
            m
            for m in TABLE_METRICS
            if any(v is not None for r in self.rows for v in r.values.get(m, ()))
        ]

    def ranks(self, metric: str) -> list[tuple[int | None, ...]]:
        """Each row's rank on ``metric`` in each seed (1 is the best; ``None`` without a value).

        Ties go to the first row, as in :meth:`Comparison.best`. ``metric`` must have a
        direction.
        """
        sign = 1.0 if METRICS[metric].better == "lower" else -1.0
        ranks: list[list[int | None]] = [[None] * len(self.seeds) for _ in self.rows]
        for s in range(len(self.seeds)):
            scored = [(i, r.values[metric][s]) for i, r in enumerate(self.rows)]
            ordered = sorted(
                ((i, v) for i, v in scored if v is not None), key=lambda x: (sign * x[1], x[0])
            )
            for rank, (i, _) in enumerate(ordered, start=1):
                ranks[i][s] = rank
        return [tuple(r) for r in ranks]

    def by_mean(self, metric: str) -> list[int]:
        """Indices of the rows with a mean of directed ``metric``, best first (ties: first row)."""
        sign = 1.0 if METRICS[metric].better == "lower" else -1.0
        means = [(i, r.estimate(metric)) for i, r in enumerate(self.rows)]
        scored = [(i, e.mean) for i, e in means if e is not None]
        return [i for i, _ in sorted(scored, key=lambda item: (sign * item[1], item[0]))]

    def best(self, metric: str) -> int | None:
        """Index of the row best on the mean of ``metric``; ``None`` if it has no direction."""
        if METRICS[metric].better is None:
            return None
        return next(iter(self.by_mean(metric)), None)

    def stability(self) -> tuple[Stability, ...]:
        """One :class:`Stability` per directed metric that every row has in every seed.

        Empty without the σ-VAE and a β-VAE.
        """
        kinds = {r.contender.variant for r in self.rows}
        if not {"beta-vae", "sigma-vae"} <= kinds:
            return ()
        found = []
        for metric in self.columns():
            if METRICS[metric].better is None or any(
                v is None for r in self.rows for v in r.values[metric]
            ):
                continue
            ranks, ordered = self.ranks(metric), self.by_mean(metric)
            best = ordered[0]
            sigma = next(i for i, r in enumerate(self.rows) if r.contender.variant == "sigma-vae")
            beta = next(i for i in ordered if self.rows[i].contender.variant == "beta-vae")
            differences = tuple(
                float(a) - float(b)  # type: ignore[arg-type]
                for a, b in zip(
                    self.rows[sigma].values[metric], self.rows[beta].values[metric], strict=True
                )
            )
            found.append(
                Stability(
                    metric=metric,
                    seeds=self.seeds,
                    best=self.rows[best].contender,
                    best_seeds=sum(rank == 1 for rank in ranks[best]),
                    sigma_ranks=tuple(int(r) for r in ranks[sigma]),  # type: ignore[arg-type]
                    rows=len(self.rows),
                    best_beta=self.rows[beta].contender.beta,
                    differences=differences,
                    difference=estimate(differences),  # type: ignore[arg-type]
                    lower_is_better=METRICS[metric].better == "lower",
                )
            )
        return tuple(found)

    def formatted(
        self,
        labels: Mapping[str, str],
        name: Callable[[Contender], str] | None = None,
        lang: str = "en",
    ) -> tuple[list[str], list[list[Cell]]]:
        """The table as text for people: mean ± standard error, the best mean marked.

        ``labels`` title the columns (``model`` and the metric ids); a metric's cell is its
        mean to 4 significant digits, ± its standard error to 2 (the mean alone for one seed,
        "–" without a value).
        """
        name = name or (lambda contender: contender.label)
        columns = self.columns()
        best = {m: self.best(m) for m in columns}
        arrows = {"lower": " ↓", "higher": " ↑", None: ""}
        header = [labels.get("model", "model")]
        header += [labels.get(m, m) + arrows[METRICS[m].better] for m in columns]
        rows = []
        for i, row in enumerate(self.rows):
            cells = [Cell(name(row.contender))]
            for m in columns:
                value = row.estimate(m)
                cells.append(Cell(_plus_minus(value, lang), best[m] == i))
            rows.append(cells)
        return header, rows

    def markdown_table(
        self,
        labels: Mapping[str, str],
        name: Callable[[Contender], str] | None = None,
        lang: str = "en",
        best: str = "**{}**",
    ) -> str:
        """The table in Markdown (see :meth:`formatted`), each best mean written as ``best``."""
        header, rows = self.formatted(labels, name, lang)
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for cells in rows:
            lines.append(
                "| " + " | ".join(best.format(c.text) if c.best else c.text for c in cells) + " |"
            )
        return "\n".join(lines)

    def to_markdown(
        self,
        labels: Mapping[str, str],
        templates: Mapping[str, str],
        name: Callable[[Contender], str] | None = None,
        lang: str = "en",
    ) -> str:
        """The table in Markdown with the findings of :func:`describe_seeds` below.

        Over several seeds, the ``table`` template, saying what the cells are, comes first.
        """
        sentences = describe_seeds(self, templates, labels, name, lang)
        lines = [self.markdown_table(labels, name, lang), "", *(f"- {s}" for s in sentences)]
        if len(self.seeds) > 1:
            seeds = seed_list(self.seeds, lang)
            lines[:0] = [templates["table"].format(seeds=seeds, n=len(self.seeds)), ""]
        return "\n".join(lines) + "\n"

    def to_csv(self) -> str:
        """One line per model and metric: mean, standard error, then value and rank per seed."""
        buffer = io.StringIO()
        header = ["model", "beta", "metric", "mean", "standard_error"]
        header += [f"value_seed_{s}" for s in self.seeds] + [f"rank_seed_{s}" for s in self.seeds]
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        for metric in self.columns():
            directed = METRICS[metric].better is not None
            ranks = self.ranks(metric) if directed else [(None,) * len(self.seeds)] * len(self.rows)
            for row, rank in zip(self.rows, ranks, strict=True):
                value = row.estimate(metric)
                writer.writerow(
                    [row.contender.label, row.contender.beta, metric]
                    + ["" if value is None else value.mean]
                    + [
                        ""
                        if value is None or value.standard_error is None
                        else value.standard_error
                    ]
                    + ["" if v is None else v for v in row.values[metric]]
                    + ["" if r is None else r for r in rank]
                )
        return buffer.getvalue()

    def to_json(self) -> dict[str, Any]:
        """The summary as JSON-able data; :meth:`from_json` reads it back."""
        return {
            "format": SEEDS_FORMAT,
            "dataset": self.dataset,
            "settings": asdict(self.settings),
            "seeds": list(self.seeds),
            "rows": [
                {
                    **asdict(row.contender),
                    "label": row.contender.label,
                    "run_ids": list(row.run_ids),
                    "values": {m: list(v) for m, v in row.values.items()},
                }
                for row in self.rows
            ],
        }

    @classmethod
    def from_json(cls, record: Mapping[str, Any]) -> SeedSummary:
        """The summary :meth:`to_json` wrote.

        Raises
        ------
        ConfigError
            If ``record`` is not a seed summary of this format.
        """
        if not isinstance(record, Mapping) or record.get("format") != SEEDS_FORMAT:
            raise ConfigError(f"not a VAE Lab seed summary (expected format {SEEDS_FORMAT})")
        try:
            seeds = tuple(int(s) for s in record["seeds"])
            rows = [
                SeedRow(
                    Contender(**{f.name: item[f.name] for f in fields(Contender)}),
                    tuple(item["run_ids"]),
                    {m: tuple(values) for m, values in item["values"].items()},
                )
                for item in record["rows"]
            ]
            settings = CompareSettings(**record["settings"])
            if any(len(v) != len(seeds) for row in rows for v in row.values.values()):
                raise ConfigError("a row has not one value per seed")
            return cls(record["dataset"], settings, seeds, rows)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ConfigError(f"incomplete seed summary record: {exc}") from None


def seed_list(seeds: Sequence[int], lang: str = "en") -> str:
    """``"0-2"`` for consecutive seeds, else their list in ``lang`` (``"0, 5"``, ``"0; 5"``)."""
    ordered = list(seeds)
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[0] + len(ordered))):
        return f"{ordered[0]}-{ordered[-1]}"
    return decimals(ordered, "d", lang)


def describe_seeds(
    summary: SeedSummary,
    templates: Mapping[str, str],
    labels: Mapping[str, str],
    name: Callable[[Contender], str] | None = None,
    lang: str = "en",
) -> list[str]:
    """Sentences saying what holds in every seed and what does not.

    Parameters
    ----------
    summary : SeedSummary
    templates : mapping
        The sentences, keyed by the ids of :data:`SEED_FINDINGS`
        (``texts("compare.seeds.finding", lang)``).
    labels : mapping
        Names of the metrics, keyed by metric id (``texts("compare.col", lang)``).
    name : callable, optional
        The name of a contender; its :attr:`Contender.label` by default.
    lang : str
        Language of the numbers.

    Returns
    -------
    list of str
        With one seed, first that one seed says nothing of another. Then per directed metric:
        the best model on the mean and in how many seeds it is the best, with the σ-VAE's rank
        in each seed; and the σ-VAE − best β-VAE difference, its mean ± standard error and
        whether the σ-VAE is better in every seed, worse in every seed, or neither.
    """
    name = name or (lambda contender: contender.label)
    n = len(summary.seeds)
    sentences = [templates["one_seed"].format(seed=summary.seeds[0])] if n == 1 else []
    for s in summary.stability():
        common = {
            "metric": labels.get(s.metric, s.metric),
            "n": n,
            "seeds": seed_list(s.seeds, lang),
            "rows": s.rows,
            "ranks": decimals(s.sigma_ranks, "d", lang),
            "best": name(s.best),
            "count": s.best_seeds,
            "best_beta": decimal(s.best_beta, "g", lang),
            "difference": decimal(s.difference.mean, "+.2g", lang),
            "low": decimal(min(s.differences), "+.2g", lang),
            "high": decimal(max(s.differences), "+.2g", lang),
        }
        sentences.append(
            templates["best_every" if s.best_seeds == n else "best_some"].format(**common)
        )
        if s.difference.standard_error is None:
            key = "difference_one"
        elif s.sigma_better_every_seed:
            key = "difference_better_every"
        elif s.sigma_worse_every_seed:
            key = "difference_worse_every"
        else:
            key = "difference_mixed"
        error = s.difference.standard_error
        common["standard_error"] = "" if error is None else decimal(error, ".2g", lang)
        sentences.append(templates[key].format(**common))
    return sentences


def _plus_minus(value: Estimate | None, lang: str) -> str:
    if value is None:
        return "–"
    mean = decimal(value.mean, ".4g", lang)
    if value.standard_error is None:
        return mean
    return f"{mean} ± {decimal(value.standard_error, '.2g', lang)}"
