"""Session state of the app: the browser session's id, the data and runs folders, the open run.

Two environment variables point the app at other folders (the tests use them):
``VAELAB_DATA_DIR`` (default ``data``) and ``VAELAB_RUNS_DIR`` (default ``runs``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from pathlib import Path

import streamlit as st

from vaelab.runs import RunStore

DATA_DIR_ENV = "VAELAB_DATA_DIR"
RUNS_DIR_ENV = "VAELAB_RUNS_DIR"
#: Session-state key of the run shown by the Train and Results pages.
CURRENT_RUN_KEY = "current_run_id"
_SESSION_ID_KEY = "_vaelab_session_id"


def data_dir() -> Path:
    """Folder where datasets are downloaded and cached."""
    return Path(os.environ.get(DATA_DIR_ENV) or "data")


def runs_dir() -> Path:
    """Folder where trained runs are saved."""
    return Path(os.environ.get(RUNS_DIR_ENV) or "runs")


def run_store() -> RunStore:
    """The run store of the app (cheap to build; it only remembers its folder)."""
    return RunStore(runs_dir())


def session_id() -> str:
    """An id for this browser session, stable across reruns and page changes.

    The training registry is keyed by it, so that a training outlives the page that started it.
    """
    if _SESSION_ID_KEY not in st.session_state:
        st.session_state[_SESSION_ID_KEY] = uuid.uuid4().hex
    return st.session_state[_SESSION_ID_KEY]


def keep_widget_state(keys: Iterable[str]) -> None:
    """Keep the values of widgets that the current page does not draw.

    Streamlit forgets a widget's value when a run does not draw it (for instance on another
    page). Writing the value back to session state before any widget is drawn makes it a user
    value, which Streamlit keeps.
    """
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def current_run_id() -> str | None:
    """Id of the run the user trained or opened last, or ``None``."""
    return st.session_state.get(CURRENT_RUN_KEY)


def set_current_run(run_id: str | None) -> None:
    """Make ``run_id`` the run shown by the Results page."""
    st.session_state[CURRENT_RUN_KEY] = run_id
