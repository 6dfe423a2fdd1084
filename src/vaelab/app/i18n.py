"""The app's language: the browser session's, and :func:`t`, the string lookup in it.

The strings and the number formats are the library's (:mod:`vaelab.i18n`); this module only knows
which language a session speaks. It is picked in the sidebar and defaults to the browser's: its
locale (``navigator.language``), else its ``Accept-Language`` header.
"""

from __future__ import annotations

from vaelab.i18n import DEFAULT_LANGUAGE, LANGUAGES, text

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
        if code in LANGUAGES and weight > best_q:
            best, best_q = code, weight
    return best


def session_default(locale: str | None, accept_language: str | None) -> str:
    """The language a new session starts in, from what its browser says.

    The browser's locale when the app speaks it, else the best language of its
    ``Accept-Language``. The locale comes first: it is what the browser says its user reads, and
    a browser does not always send the header on the websocket that carries the session
    (headless Chromium 150 sends ``en-US`` there whatever its locale).
    """
    code = (locale or "").split("-")[0].lower()
    return code if code in LANGUAGES else browser_language(accept_language)


def current_language() -> str:
    """The language of this browser session (``"en"`` or ``"fr"``)."""
    import streamlit as st

    # A widget bound to the key can leave None behind (for instance while a page reruns), so
    # anything that is not a supported language falls back to the browser's.
    if st.session_state.get(_SESSION_KEY) not in LANGUAGES:
        headers = getattr(st.context, "headers", None) or {}
        locale = getattr(st.context, "locale", None)
        st.session_state[_SESSION_KEY] = session_default(locale, headers.get("Accept-Language"))
    return st.session_state[_SESSION_KEY]


def t(key: str, lang: str | None = None, **values: object) -> str:
    """The string ``key`` in ``lang`` (default: the session's), formatted with ``values``."""
    return text(key, lang or current_language(), **values)
