"""Measuring a run in the background: the worker's measurement, its job, and the Metrics tab.

The measurement runs in this process (:func:`vaelab.jobs.worker.run_spec`, in a thread for the
job): a worker process would start Python and torch afresh, seconds on a loaded two-core
machine (tests/test_app_results.py measures with one). The tab's test holds the measurement at
its first report, so that the page is seen while the job runs, then lets it finish.
"""

from __future__ import annotations

import copy
import queue
import threading
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from test_app_jobs import _until
from vaelab.app import browser_id
from vaelab.app import jobs as app_jobs
from vaelab.app.jobs import REGISTRY, JobRegistry
from vaelab.app.measure_job import MeasureJob
from vaelab.app.paths import DATA_DIR_ENV, RUNS_DIR_ENV
from vaelab.app.state import CURRENT_RUN_KEY
from vaelab.app.tabs import OPEN_TAB_KEY
from vaelab.app.tabs import metrics as metrics_tab
from vaelab.data import load_dataset
from vaelab.i18n.strings_en import EN
from vaelab.i18n.strings_fr import FR
from vaelab.jobs import Executor, JobHandle, MeasureDone, MeasureSpec
from vaelab.jobs.worker import apply_command, lost_message, run_spec
from vaelab.metrics import STAGES, evaluate
from vaelab.runs import RunStore
from vaelab.training.control import TrainingControl
from vaelab.training.experiment import build_config, train

RESULTS = str(Path(__file__).resolve().parents[1] / "src/vaelab/app/views/results.py")
ALICE, BOB = "a" * 32, "b" * 32
#: Seconds a measurement of a tiny run may take on a loaded machine (a worker process: more).
TIMEOUT = 60
#: Small settings for the tests that are not about the tab's own ones: no FD, so no feature
#: classifier to train (a minute on a loaded machine).
SMALL = {"iwae_k": 5, "iwae_images": 20, "fd_images": 0}


class _InThread(Executor):
    """Runs each job in a thread of this process; ``gate`` holds it at its first report."""

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.gate = gate

    def submit(self, spec):  # noqa: D102
        return _ThreadHandle(spec, self.gate)


class _ThreadHandle(JobHandle):
    def __init__(self, spec, gate: threading.Event | None) -> None:
        super().__init__(spec)
        self._events: queue.SimpleQueue = queue.SimpleQueue()
        self._control = TrainingControl()

        def emit(event) -> None:
            self._events.put(event)
            if gate is not None and event[0] == "measure":
                gate.wait(TIMEOUT)

        threading.Thread(target=run_spec, args=(spec, emit, self._control), daemon=True).start()

    def _poll(self):
        events = []
        while not self._events.empty():
            events.append(self._events.get())
        return events

    def _send(self, command, n):
        apply_command(self._control, command, n)


@pytest.fixture(autouse=True)
def _no_job_left_behind():
    yield
    REGISTRY.stop_all()


@pytest.fixture
def saved(tiny_data, tmp_path) -> SimpleNamespace:
    """A tiny run trained for one epoch and saved, with its store and classifier cache."""
    store = RunStore(tmp_path / "runs")
    config = build_config(tiny_data, latent_dim=2, hidden=(8,), epochs=1, batch_size=32)
    run_id = train(config, tiny_data, store=store, device="cpu").run.run_id
    return SimpleNamespace(
        store=store, run_id=run_id, data=tiny_data, config=config, classifiers=tmp_path / "cls"
    )


def _spec(saved, **settings) -> MeasureSpec:
    return MeasureSpec(
        saved.run_id,
        saved.data,
        saved.store.root,
        saved.classifiers,
        device="cpu",
        **(settings or SMALL),
    )


def _timeless(metrics: dict) -> dict:
    """The metrics without the seconds each stage took, the one value that never repeats."""
    return {k: v for k, v in metrics.items() if k != "seconds"}


# -- the worker ------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_spec_saves_the_metrics_the_inline_path_saved(saved):
    """The tab's settings, measured as the tab measured inline, then by the job's spec."""
    settings = {
        "iwae_k": metrics_tab.IWAE_K,
        "iwae_images": metrics_tab.IWAE_IMAGES,
        "fd_images": metrics_tab.FD_IMAGES,
    }
    before, model = saved.store.load_model(saved.run_id)
    inline = evaluate(
        copy.deepcopy(model),
        saved.data,
        **settings,
        seed=before.config.train.seed,
        classifier="auto",
        classifier_dir=saved.classifiers,
        device="cpu",
    )
    events: list = []
    run_spec(_spec(saved, **settings), events.append, TrainingControl())

    assert events[0] == ("running", None)
    assert events[-1] == ("done", MeasureDone(saved.run_id, saved=True))
    reports = [value for kind, value in events if kind == "measure"]
    assert [kind for kind, _ in events[1:-1]] == ["measure"] * len(reports)
    stages = [stage for stage, _ in reports]
    assert stages == sorted(stages, key=STAGES.index) and set(stages) == set(STAGES)
    assert all(0.0 <= fraction <= 1.0 for _, fraction in reports)

    after = saved.store.load(saved.run_id)
    assert _timeless(after.metrics) == _timeless(inline)
    assert after.revision == before.revision + 1
    assert after.history == before.history and after.epochs_done == before.epochs_done


def _measured_while(saved, meanwhile) -> tuple:
    """Run the measurement of ``saved``, calling ``meanwhile()`` at its first report.

    Returns its final event and what ``meanwhile`` returned.
    """
    events: list = []
    done: list = []

    def emit(event) -> None:
        events.append(event)
        if event[0] == "measure" and not done:
            # Another thread, as another process would: it is outside the measurement's no_grad.
            other = threading.Thread(target=lambda: done.append(meanwhile()))
            other.start()
            other.join()

    run_spec(_spec(saved), emit, TrainingControl())
    return events[-1], done[0]


def test_a_save_made_meanwhile_is_kept_and_the_metrics_merged_into_it(saved):
    """Another process saves the run while it is measured (its own metrics): nothing is lost."""
    store = saved.store

    def other_save():
        other = store.load(saved.run_id)
        store.save(replace(other, metrics={"by": "another process"}))
        return other.revision + 1

    final, other_revision = _measured_while(saved, other_save)
    assert final == ("done", MeasureDone(saved.run_id, saved=True))
    after = store.load(saved.run_id)
    assert after.revision == other_revision + 1  # saved on top of the other save
    assert after.metrics["iwae_k"] == SMALL["iwae_k"] and "by" not in after.metrics


def test_a_run_trained_while_it_is_measured_keeps_its_new_weights(saved):
    """The metrics belong to weights the run no longer has: they are not saved."""
    further = replace(saved.config, train=replace(saved.config.train, epochs=2))
    final, trained = _measured_while(
        saved, lambda: train(further, saved.data, store=saved.store, device="cpu").run
    )
    assert final == ("done", MeasureDone(saved.run_id, saved=False))
    after = saved.store.load(saved.run_id)
    assert after.epochs_done == 2 and after.revision == trained.revision and not after.metrics


def test_a_missing_run_is_the_measurements_error_and_a_lost_worker_is_explained(saved, tmp_path):
    events: list = []
    run_spec(replace(_spec(saved), run_id="no-such-run"), events.append, TrainingControl())
    kind, message = events[-1]
    assert kind == "error" and "no-such-run" in message
    assert lost_message(_spec(saved), "exit code -9") == (
        "the measurement process ended unexpectedly (exit code -9); the run is as it was"
    )


# -- the job ---------------------------------------------------------------------------------


def _job(saved, executor: Executor) -> MeasureJob:
    return MeasureJob(
        saved.run_id,
        saved.data,
        saved.store,
        classifier_dir=saved.classifiers,
        device="cpu",
        executor=executor,
        **SMALL,
    )


def test_the_job_reports_the_stage_then_ends_complete_and_one_runs_per_owner(saved):
    gate = threading.Event()
    registry = JobRegistry()
    job = _job(saved, _InThread(gate))
    assert registry.start(ALICE, job) is job
    _until(lambda: job.snapshot().stage is not None, "a first report")
    snap = job.snapshot()
    assert snap.active and snap.status == "running" and snap.run_id == saved.run_id
    assert snap.stage == STAGES[0] and 0.0 <= snap.fraction < 1.0
    # A second measurement of the same owner is not started: the running one is returned.
    assert registry.start(ALICE, _job(saved, _InThread())) is job
    assert registry.get(BOB, MeasureJob.kind) is None
    gate.set()
    job.join(TIMEOUT)
    snap = job.snapshot()
    assert (snap.status, snap.fraction, snap.error) == ("complete", 1.0, None)
    assert saved.store.load(saved.run_id).metrics["iwae_k"] == SMALL["iwae_k"]


# -- the Metrics tab -------------------------------------------------------------------------


def _npz(path: Path) -> Path:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, size=(60, 12, 12), dtype=np.uint8)
    np.savez(path, x=x, y=np.arange(60) % 3, classes=np.array(["zero", "one", "two"]))
    return path


@pytest.fixture
def page(tmp_path, monkeypatch) -> SimpleNamespace:
    """A saved run the Results page can open, and an in-process executor held at its start."""
    data = load_dataset(str(_npz(tmp_path / "tiny.npz")), tmp_path / "data")
    store = RunStore(tmp_path / "runs")
    config = build_config(data, latent_dim=2, hidden=(8,), epochs=1, batch_size=32)
    run_id = train(config, data, store=store, device="cpu").run.run_id
    monkeypatch.setenv(RUNS_DIR_ENV, str(store.root))
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    for name, value in SMALL.items():
        monkeypatch.setattr(metrics_tab, name.upper(), value)
    gate = threading.Event()
    monkeypatch.setattr(app_jobs, "_executor", _InThread(gate))
    monkeypatch.setattr(browser_id, "sent_id", lambda: ALICE)
    yield SimpleNamespace(store=store, run_id=run_id, gate=gate)
    gate.set()


def _tab(run_id: str, lang: str = "en") -> AppTest:
    """A new session of Alice's browser on the Results page, open on the Metrics tab."""
    at = AppTest.from_file(RESULTS, default_timeout=TIMEOUT)
    at.session_state["lang"] = lang
    at.session_state[CURRENT_RUN_KEY] = run_id
    at.session_state[OPEN_TAB_KEY] = "metrics"
    return at.run()


def _measure_button(at: AppTest):
    return next(b for b in at.button if b.key.endswith(".measure"))


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_tab_shows_the_progress_then_the_metrics(page, lang):
    strings = {"en": EN, "fr": FR}[lang]
    at = _tab(page.run_id, lang)
    _measure_button(at).click().run()
    _ok(at)
    job = REGISTRY.get(ALICE, MeasureJob.kind)
    assert job is not None and job.run_id == page.run_id
    # The click returned at once: the job runs, the button is disabled, the caption says why.
    assert _measure_button(at).disabled
    assert any(c.value.startswith(strings["results.metrics.background"][:20]) for c in at.caption)
    _until(lambda: job.snapshot().stage is not None, "the first report")
    at.run()
    stage = strings[f"metrics.stage.{STAGES[0]}"]
    [bar] = at.get("progress")
    assert bar.proto.text == strings["results.metrics.measuring"].format(stage=stage)

    # A reload is a new session of the same browser: it finds the measurement running.
    again = _tab(page.run_id, lang)
    _ok(again)
    assert _measure_button(again).disabled and again.get("progress")

    page.gate.set()
    job.join(TIMEOUT)
    assert job.snapshot().status == "complete"
    # In a browser the progress fragment sees the end and keeps the tab open; AppTest does not
    # run fragments by themselves, so the page reruns (on the run saved again) and the test
    # opens the tab, as a user back from another page would.
    at.run()
    at.session_state[OPEN_TAB_KEY] = "metrics"
    at.session_state[f"results.tabs.{lang}"] = strings["results.tab.metrics"]
    at.run()
    _ok(at)
    assert not at.get("progress") and not _measure_button(at).disabled
    assert _measure_button(at).label == strings["results.metrics.remeasure"]
    table = next(m.value for m in at.markdown if m.value.startswith("| "))
    assert f"| {strings['metrics.name.test_neg_elbo']} |" in table
    assert page.store.load(page.run_id).metrics["iwae_k"] == SMALL["iwae_k"]


def test_the_tab_shows_an_error_in_one_line(page, monkeypatch):
    monkeypatch.setattr(metrics_tab, "IWAE_K", 0)  # refused by the library
    at = _tab(page.run_id)
    _measure_button(at).click().run()
    REGISTRY.get(ALICE, MeasureJob.kind).join(TIMEOUT)
    at.run()
    _ok(at)
    [error] = at.error
    assert error.value.startswith("Measuring failed: ") and "\n" not in error.value
