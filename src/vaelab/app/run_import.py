"""The Runs page's import box: a run's ``.zip`` (from Download or ``vaelab runs export``) added.

The archive goes through the library's import (:meth:`vaelab.runs.RunStore.import_`), which
checks all of it before the store changes, as ``vaelab runs import`` does.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import streamlit as st

from vaelab.app import widgets
from vaelab.app.i18n import t
from vaelab.app.state import run_store, set_current_run
from vaelab.errors import RunError

#: Session-state key of the run imported by the last click, said once after the page reloads.
_DONE = "runs.import.done"


def _archive_name(name: str) -> str:
    """The upload's own name, safe as a file name (error messages quote it)."""
    stem = re.sub(r"[^\w.-]+", "_", Path(name).stem).strip("._") or "run"
    return f"{stem[:80]}.zip"


def render() -> None:
    """Draw the import box, folded, and import the archive when asked."""
    done = st.session_state.pop(_DONE, None)
    if done:
        st.success(t("runs.import.done", run=done), icon=":material/check_circle:")
    with st.expander(t("runs.import.title"), icon=":material/upload_file:"):
        upload = widgets.file_uploader(
            t("runs.import.label"), ["zip"], key="runs.import.file", help=t("runs.import.help")
        )
        overwrite = st.checkbox(t("runs.import.overwrite"), key="runs.import.overwrite")
        if upload is None or not st.button(
            t("runs.import.button"), key="runs.import.go", icon=":material/download_done:"
        ):
            return
        with tempfile.TemporaryDirectory() as folder:
            archive = Path(folder) / _archive_name(upload.name)
            archive.write_bytes(upload.getvalue())
            try:
                run_id = run_store().import_(archive, overwrite=overwrite)
            except RunError as exc:
                st.error(t("runs.import.error", reason=exc), icon=":material/error:")
                return
    set_current_run(run_id)
    st.session_state[_DONE] = run_id
    st.rerun()
