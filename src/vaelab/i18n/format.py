"""How VAE Lab writes words and numbers in each of its languages.

:func:`text` looks a string up by key in the tables of ``vaelab.i18n.strings_en`` and
``vaelab.i18n.strings_fr``; the other functions write numbers, counts, durations and sizes the
way each language does (``0.25`` in English, ``0,25`` in French). Nothing here knows where the
language comes from: the app passes the browser session's, the command line English.
"""

from __future__ import annotations

from collections.abc import Iterable

from vaelab.i18n.strings_en import EN
from vaelab.i18n.strings_fr import FR

#: The languages, by code, with their names in themselves.
LANGUAGES = {"en": "English", "fr": "Français"}
DEFAULT_LANGUAGE = "en"
#: Every string, one table per language with the same keys (a test checks it).
STRINGS: dict[str, dict[str, str]] = {"en": EN, "fr": FR}
#: The decimal mark of each language: 0.25 in English, 0,25 in French.
DECIMAL_MARKS = {"en": ".", "fr": ","}
#: What separates numbers in a list: French, whose decimal mark is the comma, uses semicolons.
LIST_SEPARATORS = {"en": ", ", "fr": "; "}
#: Groups of three digits are set apart by a narrow no-break space in both languages (the SI's
#: choice), so that a number never breaks across lines.
THOUSANDS = "\u202f"


def text(key: str, lang: str, **values: object) -> str:
    """The string ``key`` in ``lang``, with its ``{placeholders}`` filled from ``values``.

    A key missing from ``lang``'s table falls back to English, then to the key itself, so that a
    missing translation shows up on screen instead of failing.
    """
    string = STRINGS[lang].get(key) or STRINGS[DEFAULT_LANGUAGE].get(key, key)
    return string.format(**values) if values else string


def texts(prefix: str, lang: str) -> dict[str, str]:
    """Every string of ``lang`` whose key starts with ``prefix.``, keyed by the rest of its key.

    For instance ``texts("plot", "fr")`` gives the labels of the figures
    (:data:`vaelab.explore.plots.LABEL_KEYS`) in French.
    """
    start = f"{prefix}."
    return {
        key[len(start) :]: value for key, value in STRINGS[lang].items() if key.startswith(start)
    }


def localize_decimal(number: str, lang: str) -> str:
    """A number already written with ``.`` as decimal mark, rewritten with the mark of ``lang``."""
    return number.replace(".", DECIMAL_MARKS[lang])


#: Superscript digits and minus sign, for powers of ten.
_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def decimal(value: float, spec: str, lang: str) -> str:
    """``value`` formatted with the format ``spec`` (``".4g"``, ``"g"``...) in ``lang``.

    A power of ten is written as people write it, not as programs do: ``1e-05`` becomes
    ``1·10⁻⁵`` and ``2.5e+06`` becomes ``2,5·10⁶`` in French.
    """
    mantissa, mark, exponent = format(value, spec).partition("e")
    if mark:
        power = str(int(exponent)).translate(_SUPERSCRIPTS)
        mantissa = f"{mantissa}·10{power}"
    return localize_decimal(mantissa, lang)


def latex_decimal(value: float, spec: str, lang: str) -> str:
    r"""``value`` for a LaTeX formula in ``lang``: ``1 \cdot 10^{-5}``, ``0{,}5`` in French.

    The comma is braced: bare, LaTeX spaces it as punctuation.
    """
    mantissa, mark, exponent = format(value, spec).partition("e")
    mantissa = mantissa.replace(".", "{,}" if DECIMAL_MARKS[lang] == "," else ".")
    return rf"{mantissa} \cdot 10^{{{int(exponent)}}}" if mark else mantissa


def decimals(values: Iterable[float], spec: str, lang: str) -> str:
    """A list of numbers in ``lang``: ``"0.1, 0.01"`` in English, ``"0,1; 0,01"`` in French."""
    return LIST_SEPARATORS[lang].join(decimal(value, spec, lang) for value in values)


def whole(value: float) -> str:
    """A whole number with its thousands set apart: ``"12 345"``."""
    return f"{value:,.0f}".replace(",", THOUSANDS)


def singular(n: int, lang: str) -> bool:
    """Whether a count of ``n`` takes the singular: 1 in English; 0 and 1 in French."""
    return n == 1 or (n == 0 and lang == "fr")


def count(n: int, unit: str, lang: str) -> str:
    """``n`` and a unit that agrees with it: ``"1 epoch"``, ``"5 epochs"``, ``"0 époque"``.

    The table has the unit twice: ``unit.<unit>`` (singular) and ``unit.<unit>s`` (plural).
    """
    return text(f"unit.{unit}" if singular(n, lang) else f"unit.{unit}s", lang, n=n)


def duration(seconds: float) -> str:
    """``"m:ss"``, or ``"h:mm:ss"`` from an hour on (the same in both languages)."""
    seconds = max(int(round(seconds)), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def size(shape: Iterable[int]) -> str:
    """The sides of an image or a tensor: ``"1×28×28"``."""
    return "×".join(map(str, shape))
