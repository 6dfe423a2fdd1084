"""How the app's Vega-Lite charts write numbers: the one place that gives them a language.

Vega-Lite formats axis labels and tooltips itself, with a point as decimal mark unless the spec's
``config.locale`` says otherwise. Every chart the app draws (the live loss curves, the latent maps)
goes through :func:`localized`, whose locale is built from the same decimal mark and thousands
separator as :func:`vaelab.i18n.decimal` and :func:`vaelab.i18n.whole`, so that an axis reads
like the numbers beside it: ``0,5`` and ``12 345`` in French.
"""

from __future__ import annotations

from typing import TypeVar

import altair as alt

from vaelab.i18n.format import DECIMAL_MARKS, THOUSANDS

#: Drawn as SVG: its labels are text that a browser can read, select and check (the French walk
#: reads them); Streamlit would switch a chart of over 2,000 marks, the lab's map, to a canvas.
USERMETA = {"embedOptions": {"renderer": "svg"}}

Chart = TypeVar("Chart", dict, alt.TopLevelMixin)


def vega_locale(lang: str) -> dict:
    """The Vega-Lite ``config.locale`` of ``lang``: its decimal mark and thousands separator.

    Parameters
    ----------
    lang : str
        A language code of :data:`vaelab.i18n.LANGUAGES`.

    Returns
    -------
    dict
        ``{"number": {...}}``, a d3-format locale (the charts show no currency).
    """
    return {
        "number": {
            "decimal": DECIMAL_MARKS[lang],
            "thousands": THOUSANDS,
            "grouping": [3],
            "currency": ["", ""],
        }
    }


def localized(chart: Chart, lang: str) -> Chart:
    """``chart`` writing its numbers in ``lang``, drawn as SVG (``chart`` itself is unchanged).

    Parameters
    ----------
    chart : dict or altair.TopLevelMixin
        A Vega-Lite spec, or a top-level Altair chart.
    lang : str
        A language code of :data:`vaelab.i18n.LANGUAGES`.

    Returns
    -------
    dict or altair.TopLevelMixin
        The same kind of chart, with ``config.locale`` set to :func:`vega_locale` and
        :data:`USERMETA`.
    """
    locale = vega_locale(lang)
    if isinstance(chart, dict):
        config = {**chart.get("config", {}), "locale": locale}
        return {**chart, "config": config, "usermeta": USERMETA}
    return chart.configure(locale=locale).properties(usermeta=USERMETA)
