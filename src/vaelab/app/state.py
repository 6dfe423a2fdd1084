"""Session state of the app: the open run, the run store, offline mode.

The owner of a session's background jobs is its browser (:mod:`vaelab.app.browser_id`).

``VAELAB_OFFLINE=1`` in the environment keeps the app from downloading datasets (MNIST then falls
back to its offline sample); :mod:`vaelab.app.paths` reads the variables that move its folders.
"""

from __future__ import annotations

import os

import streamlit as st

from vaelab.app.paths import runs_dir
from vaelab.runs import RunStore

OFFLINE_ENV = "VAELAB_OFFLINE"
#: Session-state key of the run shown by the Train and Results pages.
CURRENT_RUN_KEY = "current_run_id"


def downloads_allowed() -> bool:
    """Whether datasets may be downloaded (not when ``VAELAB_OFFLINE`` is set to a true value)."""
    return os.environ.get(OFFLINE_ENV, "").strip().lower() not in ("1", "true", "yes", "on")


def run_store() -> RunStore:
    """Return the run store of the app (cheap to build; it only remembers its folder)."""
    return RunStore(runs_dir())


def current_run_id() -> str | None:
    """Id of the run the user trained or opened last, or ``None``."""
    return st.session_state.get(CURRENT_RUN_KEY)


def set_current_run(run_id: str | None) -> None:
    """Make ``run_id`` the run shown by the Results page."""
    st.session_state[CURRENT_RUN_KEY] = run_id
