"""Which browser a session belongs to: an unguessable id kept in a cookie.

A Streamlit session lasts as long as its tab's connection: a reload, or a second tab, is a new
session with an empty session state. Background jobs therefore belong to the browser, so that a
reload finds its training again. The id is 128 random bits written as 32 hexadecimal digits
(:func:`secrets.token_hex`): whoever holds it sees and stops the browser's jobs, so it is never
derived from anything guessable, never shown, and a cookie that is not exactly such an id is
ignored.

A session takes the id its browser sent in the cookie when it connected
(:attr:`st.context.cookies`). A browser without one gets a fresh id at once, which the session
uses for its jobs, and a two-line script (``st.html`` with JavaScript) stores it in the cookie,
so that the next session of this browser finds the same id. A maintained cookie component would
add a dependency and an iframe for those two lines. Where cookies are blocked, every session is
its own owner, as a session was before.
"""

from __future__ import annotations

import re
import secrets

import streamlit as st

#: Name of the cookie.
COOKIE = "vaelab_browser"
#: Lifetime of the cookie: Chromium keeps none for longer than 400 days.
MAX_AGE_S = 400 * 24 * 3600
_ID = re.compile(r"[0-9a-f]{32}")
_ID_KEY = "_vaelab_browser_id"
_UNSAVED_KEY = "_vaelab_browser_unsaved"


def is_browser_id(value: object) -> bool:
    """Whether ``value`` is a browser id: exactly 32 lowercase hexadecimal digits."""
    return isinstance(value, str) and _ID.fullmatch(value) is not None


def sent_id() -> str | None:
    """The browser id in the cookie this session's browser sent, or ``None`` if it sent none.

    A value that is not an id (edited, truncated, someone else's format) counts as none.
    """
    value = st.context.cookies.get(COOKIE)
    return value if is_browser_id(value) else None


def browser_id() -> str:
    """The id of this session's browser, which owns its background jobs.

    The first call of a session reads the cookie, or draws a new id when there is none; the id
    then stays the same for the whole session.
    """
    if _ID_KEY not in st.session_state:
        sent = sent_id()
        st.session_state[_ID_KEY] = sent or secrets.token_hex(16)
        st.session_state[_UNSAVED_KEY] = sent is None
    return st.session_state[_ID_KEY]


def remember_browser() -> None:
    """Store this session's browser id in the cookie, when the browser did not send one.

    Drawn on every run of such a session (an element dropped by a rerun before the browser ran
    it would lose the cookie); it takes no room. The script writes the cookie only while there
    is none, so that two tabs opened at once agree on the first one.
    """
    owner = browser_id()
    if not st.session_state.get(_UNSAVED_KEY):
        return
    script = (
        "<script>"
        f"if (!document.cookie.split('; ').some(c => c.startsWith('{COOKIE}='))) {{"
        f"document.cookie = '{COOKIE}={owner}; Max-Age={MAX_AGE_S}; Path=/; SameSite=Lax'"
        " + (location.protocol === 'https:' ? '; Secure' : '');}"
        "</script>"
    )
    st.html(script, unsafe_allow_javascript=True)
