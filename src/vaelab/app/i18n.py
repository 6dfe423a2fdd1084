"""French and English strings of the app, and how it writes numbers and durations.

Every user-facing string lives in :data:`STRINGS`, one table per language with the same keys
(a test checks it). Pages call :func:`t`; the language is picked in the sidebar and defaults to
the browser's ``Accept-Language``.
"""

from __future__ import annotations

from vaelab.app.strings_en import EN
from vaelab.app.strings_fr import FR
from vaelab.explore.plots import LABEL_KEYS

LANGUAGES = {"en": "English", "fr": "Français"}
#: The decimal mark of each language: 0.25 in English, 0,25 in French.
DECIMAL_MARKS = {"en": ".", "fr": ","}
STRINGS: dict[str, dict[str, str]] = {"en": EN, "fr": FR}
DEFAULT_LANGUAGE = "en"
_SESSION_KEY = "lang"


def browser_language(accept_language: str | None) -> str:
    """Best supported language for an ``Accept-Language`` header value (``"fr-FR,fr;q=0.9"``)."""
    best, best_q = DEFAULT_LANGUAGE, -1.0
    for part in (accept_language or "").split(","):
        tag, _, q = part.strip().partition(";q=")
        code = tag.split("-")[0].lower()
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        if code in STRINGS and weight > best_q:
            best, best_q = code, weight
    return best


def current_language() -> str:
    """The language of this browser session (``"en"`` or ``"fr"``)."""
    import streamlit as st

    # A widget bound to the key can leave None behind (for instance while a page reruns), so
    # anything that is not a supported language falls back to the browser's.
    if st.session_state.get(_SESSION_KEY) not in STRINGS:
        headers = getattr(st.context, "headers", None) or {}
        st.session_state[_SESSION_KEY] = browser_language(headers.get("Accept-Language"))
    return st.session_state[_SESSION_KEY]


def t(key: str, lang: str | None = None, **values: object) -> str:
    """The string ``key`` in ``lang`` (default: the session's), formatted with ``values``."""
    table = STRINGS[lang or current_language()]
    text = table.get(key) or STRINGS[DEFAULT_LANGUAGE].get(key, key)
    return text.format(**values) if values else text


def decimal_mark(lang: str | None = None) -> str:
    """The decimal mark of ``lang`` (default: the session's language)."""
    return DECIMAL_MARKS[lang or current_language()]


def localize_decimal(text: str, lang: str | None = None) -> str:
    """A number written with ``.`` as decimal mark, rewritten with the mark of ``lang``."""
    return text.replace(".", decimal_mark(lang))


def plot_labels(lang: str) -> dict[str, str]:
    """Texts of the figures (:data:`vaelab.explore.plots.LABEL_KEYS`) in ``lang``."""
    return {key: t(f"plot.{key}", lang) for key in LABEL_KEYS}


def duration(seconds: float) -> str:
    """``"m:ss"``, or ``"h:mm:ss"`` from an hour on."""
    seconds = max(int(round(seconds)), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
