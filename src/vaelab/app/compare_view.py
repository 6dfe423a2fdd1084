"""A finished comparison on the Compare page: the paper's figure, the table, what it shows.

Widgets and layout only: the numbers, the table and the sentences come from
:mod:`vaelab.compare`, the figure from :func:`~vaelab.explore.plots.sample_rows`. Everything is
phrased in the session's language, with the words of :mod:`vaelab.i18n`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from vaelab.app.i18n import t
from vaelab.app.labels import contender_name
from vaelab.compare import Comparison, Contender, SeedSummary, describe, describe_seeds
from vaelab.compare.seeds import seed_list
from vaelab.explore import plots
from vaelab.i18n import texts

#: How the best value of a column is marked on screen (in the downloaded Markdown: bold only).
_BEST_ON_SCREEN = ":green-background[**{}**]"


def _namer(lang: str) -> Callable[[Contender], str]:
    return lambda contender: contender_name(contender, lang)


def column_labels(lang: str) -> dict[str, str]:
    """Titles of the table's columns in ``lang``, keyed as :meth:`Comparison.formatted` wants."""
    return {
        "model": t("compare.table.model", lang),
        "epochs": t("compare.table.epochs", lang),
        **texts("compare.col", lang),
    }


def findings(comparison: Comparison, lang: str) -> list[str]:
    """What the numbers show, in ``lang``; empty until enough rows were measured."""
    finding = comparison.findings()
    if finding is None:
        return []
    templates = texts("compare.finding", lang)
    return describe(finding, templates, column_labels(lang), _namer(lang), lang)


def markdown_table(comparison: Comparison, lang: str, best: str = "**{}**") -> str:
    """The table in Markdown, in ``lang``, each column's best value written as ``best``.

    The FD column's title says its classifier's test accuracy and number of samples.
    """
    fd_note = t("compare.finding.fd_column", lang)
    return comparison.markdown_table(
        column_labels(lang), _namer(lang), lang, best=best, fd_note=fd_note
    )


def report_markdown(comparison: Comparison, lang: str) -> str:
    """The table and the findings in ``lang``, as a Markdown document."""
    templates = texts("compare.finding", lang)
    return comparison.to_markdown(column_labels(lang), templates, _namer(lang), lang)


@st.cache_data(max_entries=8, show_spinner=False)
def _figure_png(key: str, lang: str, _comparison: Comparison) -> bytes:
    rows = [
        (contender_name(row.contender, lang), row.samples)
        for row in _comparison.rows
        if row.samples is not None
    ]
    return plots.png_bytes(plots.sample_rows(rows))


def render_comparison(
    comparison: Comparison, key: str, lang: str, figure: bytes | None = None
) -> None:
    """Draw the figure, the table, the findings and the downloads of a comparison.

    Parameters
    ----------
    comparison : Comparison
        A finished (or stopped) comparison.
    key : str
        Unique to this comparison: it keys the cached figure and the widgets.
    lang : str
        Language of the texts.
    figure : bytes, optional
        The figure as a PNG, for a comparison read back without its samples (a committed
        reference); by default it is drawn from the rows' samples.
    """
    stem = f"comparison-{Path(comparison.dataset).name}"
    if figure is None and any(row.samples is not None for row in comparison.rows):
        figure = _figure_png(key, lang, comparison)
    if figure is not None:
        st.subheader(t("compare.figure.header", lang))
        st.image(figure)
        st.caption(t("compare.figure.caption", lang, n=comparison.settings.samples))

    st.subheader(t("compare.table.header", lang))
    if comparison.columns():
        st.markdown(markdown_table(comparison, lang, best=_BEST_ON_SCREEN))
        st.caption(t("compare.table.caption", lang))
    else:
        st.info(t("compare.table.empty", lang))

    st.subheader(t("compare.findings.header", lang))
    sentences = findings(comparison, lang)
    if sentences:
        st.markdown("\n".join(f"- {sentence}" for sentence in sentences))
    else:
        st.info(t("compare.findings.none", lang))

    columns = st.columns(3)
    downloads = [
        ("csv", comparison.to_csv(), "text/csv"),
        ("md", report_markdown(comparison, lang), "text/markdown"),
    ]
    if figure is not None:
        downloads.insert(0, ("png", figure, "image/png"))
    for column, (kind, payload, mime) in zip(columns, downloads, strict=False):
        column.download_button(
            t(f"compare.download.{kind}", lang),
            payload,
            file_name=f"{stem}.{kind}",
            mime=mime,
            key=f"compare.{key}.{kind}",
            icon=":material/download:",
            on_click="ignore",
            width="stretch",
        )


def seeds_caption(summary: SeedSummary | None, seed: int, lang: str) -> str:
    """What a reference of first seed ``seed`` says of its seeds: the ones summarised, or one."""
    if summary is not None and len(summary.seeds) > 1:
        seeds = seed_list(summary.seeds, lang)
        return t("compare.reference.seeds", lang, seeds=seeds, seed=seed)
    return t("compare.reference.one_seed", lang, seed=seed)


def render_seeds(summary: SeedSummary, lang: str) -> None:
    """Draw a summary over seeds: its table (mean ± standard error) and what holds in every seed.

    It goes under a comparison of its first seed (:func:`render_comparison`), which a caption
    says.
    """
    n, first = len(summary.seeds), summary.seeds[0]
    st.subheader(t("compare.seeds.header", lang, n=n))
    st.markdown(summary.markdown_table(column_labels(lang), _namer(lang), lang, _BEST_ON_SCREEN))
    if n > 1:
        seeds = seed_list(summary.seeds, lang)
        caption = t("compare.seeds.finding.table", lang, seeds=seeds, n=n)
        st.caption(caption + " " + t("compare.seeds.caption", lang, seed=first))
    else:
        st.caption(t("compare.seeds.caption_one", lang, seed=first))
    templates = texts("compare.seeds.finding", lang)
    sentences = describe_seeds(summary, templates, column_labels(lang), _namer(lang), lang)
    if sentences:
        st.markdown("\n".join(f"- {sentence}" for sentence in sentences))
