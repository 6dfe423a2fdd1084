"""How the app's Vega-Lite charts write numbers: the one place that gives them a language.

Vega-Lite formats axis labels and tooltips itself, with a point as decimal mark unless the spec's
``config.locale`` says otherwise. Every chart the app draws (the live loss curves, the latent maps)
takes its locale from :func:`vega_locale`, built from the same decimal mark and thousands
separator as :func:`vaelab.i18n.decimal` and :func:`vaelab.i18n.whole`, so that an axis reads
like the numbers beside it: ``0,5`` and ``12 345`` in French.
"""

from __future__ import annotations

from vaelab.i18n.format import DECIMAL_MARKS, THOUSANDS


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


def localized(spec: dict, lang: str) -> dict:
    """``spec`` with the number locale of ``lang`` added to its config (``spec`` is unchanged).

    Parameters
    ----------
    spec : dict
        A Vega-Lite spec, with or without a ``config``.
    lang : str
        A language code of :data:`vaelab.i18n.LANGUAGES`.

    Returns
    -------
    dict
        A shallow copy of ``spec`` whose ``config.locale`` is :func:`vega_locale`.
    """
    return {**spec, "config": {**spec.get("config", {}), "locale": vega_locale(lang)}}
