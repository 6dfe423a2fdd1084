"""The Runs page shows folders that are not runs as such, and never offers to delete them."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from test_runs import RUN_ID, make_run
from vaelab.app.paths import RUNS_DIR_ENV
from vaelab.i18n.strings_en import EN
from vaelab.i18n.strings_fr import FR
from vaelab.runs import RunStore

RUNS_PAGE = str(
    Path(__file__).resolve().parents[1] / "src" / "vaelab" / "app" / "pages" / "runs.py"
)


@pytest.mark.parametrize(("lang", "strings"), [("en", EN), ("fr", FR)])
def test_a_folder_that_is_not_a_run_is_listed_without_a_delete_button(
    tmp_path, monkeypatch, lang, strings
):
    store = RunStore(tmp_path / "runs")
    store.save(make_run())
    (store.root / "holidays").mkdir()
    (store.root / "holidays" / "photo.jpg").write_bytes(b"precious")
    monkeypatch.setenv(RUNS_DIR_ENV, str(store.root))
    at = AppTest.from_file(RUNS_PAGE, default_timeout=30)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception
    statuses = set(at.dataframe[0].value[strings["runs.col.status"]])
    assert statuses == {strings["runs.status.stopped"], strings["runs.status.foreign"]}
    assert [i.value for i in at.info] == [strings["runs.foreign"].format(n=1)]
    assert not at.warning  # nothing broken to delete

    at.selectbox(key="runs.selected").set_value("holidays").run()
    assert not at.exception
    assert "runs.delete" not in [b.key for b in at.button]
    at.selectbox(key="runs.selected").set_value(RUN_ID).run()
    assert "runs.delete" in [b.key for b in at.button]
    assert (store.root / "holidays" / "photo.jpg").exists()
