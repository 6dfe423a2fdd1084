"""Everything VAE Lab says to people, in English and in French, and how it writes numbers.

``vaelab.i18n.strings_en`` and ``vaelab.i18n.strings_fr`` hold every user-facing string, one
table per language with the same keys; :mod:`~vaelab.i18n.format` looks them up and writes
numbers, counts, durations and sizes in either language. The library speaks in ids and numbers;
the app (in the browser session's language) and the command line (in English) turn them into
words here. Nothing here imports the app or Streamlit.
"""

from vaelab.i18n.format import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    STRINGS,
    count,
    decimal,
    decimals,
    duration,
    latex_decimal,
    localize_decimal,
    singular,
    size,
    text,
    texts,
    whole,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "STRINGS",
    "count",
    "decimal",
    "decimals",
    "duration",
    "latex_decimal",
    "localize_decimal",
    "singular",
    "size",
    "text",
    "texts",
    "whole",
]
