"""Results page: the tabs of the run trained or opened last, or of any cached run."""

from __future__ import annotations

import streamlit as st

from vaelab.app.i18n import t
from vaelab.app.labels import run_label, run_summary
from vaelab.app.paths import runs_dir
from vaelab.app.run_cache import load_run_data, open_cached_run
from vaelab.app.state import current_run_id, set_current_run
from vaelab.app.tabs import render_results
from vaelab.errors import RunError
from vaelab.runs import RunStore

_PICKER = "results.page.run"


def render() -> None:
    """Draw the Results page."""
    st.title(t("results.page.title"))
    summaries = [s for s in RunStore(runs_dir()).list() if s.error is None]
    if not summaries:
        st.info(t("results.page.none"))
        return
    labels = {s.run_id: run_label(s.run_id, s.config) for s in summaries}
    ids = list(labels)
    # The picker follows the run trained on the Train page or opened on the Runs page.
    current = current_run_id()
    st.session_state[_PICKER] = current if current in labels else ids[0]
    run_id = st.selectbox(
        t("results.page.pick"),
        ids,
        format_func=labels.get,
        key=_PICKER,
        on_change=lambda: set_current_run(st.session_state[_PICKER]),
    )
    set_current_run(run_id)
    try:
        run, model = open_cached_run(run_id)
    except RunError as exc:
        st.error(t("results.page.load_error", error=str(exc)), icon=":material/error:")
        return
    st.markdown(run_summary(run))
    data, problem = load_run_data(run)
    if problem:
        st.warning(problem, icon=":material/warning:")
    render_results(run, model, data)


render()
