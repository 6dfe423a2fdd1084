"""The Runs page: folders that are not runs shown as such, never deletable; running jobs' status."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from test_runs import RUN_ID, make_config, make_run
from vaelab.app import browser_id
from vaelab.app.compare_job import ComparisonJob
from vaelab.app.jobs import REGISTRY, Job
from vaelab.app.paths import RUNS_DIR_ENV
from vaelab.app.training_job import TrainingJob
from vaelab.app.views.runs import MAX_COMPARED
from vaelab.compare import CompareSettings
from vaelab.i18n.strings_en import EN
from vaelab.i18n.strings_fr import FR
from vaelab.jobs.executor import Executor, JobHandle
from vaelab.runs import RunStore
from vaelab.training.experiment import build_config

RUNS_PAGE = str(
    Path(__file__).resolve().parents[1] / "src" / "vaelab" / "app" / "views" / "runs.py"
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


@pytest.mark.parametrize(("lang", "loss", "kl"), [("en", "123.5", "0.25"), ("fr", "123,5", "0,25")])
def test_the_runs_table_writes_its_measures_as_the_language_does(
    tmp_path, monkeypatch, lang, loss, kl
):
    store = RunStore(tmp_path / "runs")
    run = make_run()
    run.history[-1] |= {"test_loss": 123.4567, "test_kl": 0.25}
    store.save(run)
    monkeypatch.setenv(RUNS_DIR_ENV, str(store.root))
    at = AppTest.from_file(RUNS_PAGE, default_timeout=30)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception
    table = at.dataframe[0].value
    strings = {"en": EN, "fr": FR}[lang]
    assert list(table[strings["runs.col.loss"]]) == [loss]
    assert list(table[strings["runs.col.kl"]]) == [kl]
    assert list(table[strings["runs.col.mse"]]) == [None]  # not measured


@pytest.mark.parametrize(("lang", "strings"), [("en", EN), ("fr", FR)])
def test_choosing_too_many_runs_to_compare_says_so_in_the_language(
    tmp_path, monkeypatch, lang, strings
):
    store = RunStore(tmp_path / "runs")
    ids = []
    for seed in range(MAX_COMPARED + 1):
        run = make_run(make_config(seed=seed))
        store.save(run)
        ids.append(run.run_id)
    monkeypatch.setenv(RUNS_DIR_ENV, str(store.root))
    at = AppTest.from_file(RUNS_PAGE, default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    at.multiselect(key="runs.compare").set_value(ids).run()
    assert not at.exception
    assert [w.value for w in at.warning] == [
        strings["runs.compare.too_many"].format(most=MAX_COMPARED)
    ]
    # One column of samples per compared run: the first MAX_COMPARED chosen, in their order.
    images = [x for column in at.columns for x in column if type(x).__name__ == "Image"]
    captions = [image.proto.imgs[0].caption for image in images]
    assert [c[-6:] for c in captions] == [i.rsplit("-", 1)[-1][:6] for i in ids[:MAX_COMPARED]]


# -- a job whose worker is starting, or that waits for others ----------------------------------

#: The browser the tests stand for (its id is what the browser's cookie would hold).
ALICE = "a" * 32


class _Waiting(JobHandle):
    """A job that reports ``ahead`` jobs before it in the queue until it is stopped."""

    def __init__(self, spec, ahead: int):
        super().__init__(spec)
        self.events = [("queued", ahead)]

    def _poll(self):
        events, self.events = self.events, []
        return events

    def _send(self, command, n):
        if command == "stop":
            self.events.append(("cancelled", None))


class Queue(Executor):
    """Queues every job behind ``ahead`` others, where it stays: a worker that never starts."""

    def __init__(self, ahead: int):
        self.ahead = ahead

    def submit(self, spec):
        return _Waiting(spec, self.ahead)


def queued_job(kind: str, data, store: RunStore, ahead: int, tmp_path: Path) -> Job:
    """Start, for :data:`ALICE`, a training or a comparison of ``data`` queued behind ``ahead``."""
    if kind == TrainingJob.kind:
        config = build_config(data, latent_dim=2, hidden=(8,), epochs=1)
        job = TrainingJob(config, data, store, executor=Queue(ahead))
    else:
        settings = CompareSettings(latent_dim=2, hidden=(8,), epochs=1, betas=(0.1,))
        job = ComparisonJob(
            data, store, settings, classifier_dir=tmp_path / "classifier", executor=Queue(ahead)
        )
    REGISTRY.start(ALICE, job)
    deadline = time.monotonic() + 10
    while job.snapshot().queue_position != ahead:  # its thread records the event
        assert time.monotonic() < deadline, "the job never said where it waits"
        time.sleep(0.05)
    return job


def says_where_it_waits(at: AppTest, strings: dict[str, str], ahead: int) -> None:
    """Check that ``at`` says how many jobs are ahead, or, when none is, that the job starts."""
    start = strings["train.queued"].split("{")[0]
    notes = [i.value for i in at.info if i.value.startswith(start)]
    if ahead:
        assert notes == [strings["train.queued"].format(ahead=ahead)]
        assert not at.get("progress")
    else:  # nothing ahead: no "(0 ahead)", the progress says that it starts
        assert not notes
        (bar,) = at.get("progress")
        assert bar.proto.text == strings["train.starting"]


@pytest.mark.parametrize("kind", [TrainingJob.kind, ComparisonJob.kind])
@pytest.mark.parametrize(("lang", "strings"), [("en", EN), ("fr", FR)])
def test_a_starting_job_says_it_starts_and_a_queued_one_how_many_are_ahead(
    tmp_path, monkeypatch, tiny_data, kind, lang, strings
):
    store = RunStore(tmp_path / "runs")
    monkeypatch.setenv(RUNS_DIR_ENV, str(store.root))
    try:
        for ahead in (0, 2):
            job = queued_job(kind, tiny_data, store, ahead, tmp_path)
            at = AppTest.from_file(RUNS_PAGE, default_timeout=30)
            at.session_state["lang"] = lang
            at.session_state[browser_id._ID_KEY] = ALICE
            at.run()
            assert not at.exception
            says_where_it_waits(at, strings, ahead)
            job.stop()
            job.join(10)
    finally:
        REGISTRY.stop_all()
