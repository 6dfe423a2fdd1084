"""A reload never loses a training: jobs belong to the browser, under Streamlit's AppTest.

AppTest sends no cookies, so each test stands in for the browser by choosing the cookie that
:func:`vaelab.app.browser_id.sent_id` reads when a session starts: two AppTests with the same id
are two tabs (or a tab and its reload) of one browser; with different ids, two people.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from test_app_jobs import _until
from test_app_train import _app, _finished, _long_npz, _npz, _texts, _tiny_settings, _wait_for
from vaelab.app import browser_id, sidebar, widgets
from vaelab.app.compare_job import ComparisonJob
from vaelab.app.jobs import REGISTRY
from vaelab.app.training_job import TrainingJob
from vaelab.compare import CompareSettings
from vaelab.data import load_dataset
from vaelab.runs import RunStore
from vaelab.training.experiment import build_config, train
from vaelab.variants import VARIANTS

ALICE, BOB = "a" * 32, "0123456789abcdef" * 2


@pytest.fixture(autouse=True)
def _no_training_left_behind():
    """A failed test must not leave a training thread running into the next test."""
    yield
    REGISTRY.stop_all()


def _tab(monkeypatch, cookie: str | None, *, lang: str = "en") -> AppTest:
    """A new session of the browser that sends ``cookie`` (none: a browser seen the first time)."""
    monkeypatch.setattr(browser_id, "sent_id", lambda: cookie)
    return _app(lang)


def _training(at: AppTest) -> bool:
    return any(button.key == "stop" for button in at.button)


def _long_run(monkeypatch, tmp_path: Path) -> tuple[AppTest, TrainingJob]:
    """Alice starts a training of 50 epochs of 10,000 images (z = 2) and it takes its first step."""
    at = _tiny_settings(_tab(monkeypatch, ALICE), _long_npz(tmp_path / "many.npz"), epochs=50)
    at.button(key="train").click().run()
    _wait_for(at, lambda at: bool(at.metric))
    job = REGISTRY.get(ALICE, TrainingJob.kind)
    assert job is not None and job.active
    return at, job


def _settled_step(job: TrainingJob) -> int:
    """The job's step count once it has not changed for half a second."""
    last, since = job.snapshot().step.step, time.monotonic()
    while time.monotonic() - since < 0.5:
        time.sleep(0.1)
        now = job.snapshot().step.step
        if now != last:
            last, since = now, time.monotonic()
    return last


# -- the browser id ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("0123456789abcdef" * 2, True),
        ("0123456789ABCDEF" * 2, False),  # ids are written in lowercase
        ("a" * 31, False),
        ("a" * 33, False),
        ("g" * 32, False),
        ("a" * 32 + "; Path=/", False),
        ("", False),
        (None, False),
        (12345, False),
    ],
)
def test_only_32_lowercase_hex_digits_are_a_browser_id(value, valid):
    assert browser_id.is_browser_id(value) is valid


def test_a_new_browser_gets_a_fresh_id_and_the_script_that_keeps_it(env, monkeypatch):
    first, second = _tab(monkeypatch, None), _tab(monkeypatch, None)
    ids = [at.session_state["_vaelab_browser_id"] for at in (first, second)]
    assert all(browser_id.is_browser_id(i) for i in ids)
    assert ids[0] != ids[1], "ids are drawn at random"
    scripts = [str(element.proto.body) for element in first.get("html")]
    assert any(f"{browser_id.COOKIE}={ids[0]}" in body for body in scripts)
    assert any("SameSite=Lax" in body for body in scripts)


def test_a_browser_that_sent_its_cookie_keeps_its_id_and_gets_no_script(env, monkeypatch):
    at = _tab(monkeypatch, ALICE)
    assert at.session_state["_vaelab_browser_id"] == ALICE
    assert not any(browser_id.COOKIE in str(e.proto.body) for e in at.get("html"))


# -- a reload, a second tab, another person -----------------------------------------------------


@pytest.mark.slow
def test_a_reload_shows_the_running_training_with_its_settings(env, monkeypatch, tmp_path):
    _, job = _long_run(monkeypatch, tmp_path)
    reloaded = _tab(monkeypatch, ALICE)
    assert not reloaded.exception
    assert _training(reloaded), "the live panel and its Stop button are back"
    assert any("Training **" in text for text in _texts(reloaded, "markdown"))
    assert reloaded.get("image"), "its reconstructions"
    captions = _texts(reloaded, "caption")
    assert any(text.startswith("Latent map: ") for text in captions), captions
    side = reloaded.sidebar
    assert side.selectbox(key="hp_dataset").value == "own"
    assert side.text_input(key="hp_own_path").value == str(tmp_path / "many.npz")
    assert side.slider(key="hp_latent").value == 2
    assert side.multiselect(key="hp_hidden").value == [8]
    assert side.slider(key="hp_epochs").value == 50
    # What the user changes afterwards is theirs: the next rerun does not put it back.
    side.slider(key="hp_latent").set_value(4).run()
    assert reloaded.sidebar.slider(key="hp_latent").value == 4
    assert _training(reloaded)
    # A third tab, in French: the same training, the controls in French.
    french = _tab(monkeypatch, ALICE, lang="fr")
    labels = {button.key: button.label for button in french.button}
    assert [labels[k] for k in ("live_pause", "live_step", "stop")] == [
        "Pause",
        "Avancer",
        "Arrêter",
    ]
    assert french.number_input(key="live_steps").label == "Pas"
    # The reloaded tab stops the training it found.
    reloaded.button(key="stop").click().run()
    _until(lambda: not job.active, "the training to stop")
    assert job.snapshot().status == "stopped"


@pytest.mark.slow
def test_train_in_a_second_tab_joins_the_running_training(env, monkeypatch, tmp_path):
    path = _long_npz(tmp_path / "many.npz")
    # Two tabs of one browser, both showing the Train button.
    first = _tiny_settings(_tab(monkeypatch, ALICE), path, epochs=50)
    second = _tiny_settings(_tab(monkeypatch, ALICE), path, epochs=50)
    first.button(key="train").click().run()
    second.button(key="train").click().run()
    assert not second.exception
    assert not any("Waiting for another training" in text for text in _texts(second, "info"))
    assert _training(second)
    job = REGISTRY.get(ALICE, TrainingJob.kind)
    assert job is not None and job.active
    _wait_for(second, lambda at: bool(at.metric))
    assert REGISTRY.get(ALICE, TrainingJob.kind) is job, "one training, not two"


@pytest.mark.slow
def test_another_browser_neither_sees_nor_stops_the_training(env, monkeypatch, tmp_path):
    _, job = _long_run(monkeypatch, tmp_path)
    other = _tab(monkeypatch, BOB)
    assert not other.exception
    assert not _training(other)
    assert not any("many" in text for text in _texts(other, "markdown"))
    assert other.sidebar.selectbox(key="hp_dataset").value != "own", "its sidebar is its own"
    other.switch_page("views/runs.py").run()
    assert not other.exception
    assert "Running now" not in _texts(other, "subheader")
    assert not any(button.key.startswith("runs.stop") for button in other.button)
    assert job.active


@pytest.mark.slow
def test_the_runs_page_lists_the_browsers_running_training_above_the_runs(
    env, monkeypatch, tmp_path
):
    _, job = _long_run(monkeypatch, tmp_path)
    runs = _tab(monkeypatch, ALICE)
    runs.switch_page("views/runs.py").run()
    assert not runs.exception
    assert "Running now" in _texts(runs, "subheader")
    (bar,) = runs.get("progress")
    assert re.match(r"Epoch \d+/50 · step \d+/\d+", bar.proto.text)
    assert {"runs.watch.train", "runs.stop.train"} <= {button.key for button in runs.button}
    runs.button(key="runs.watch.train").click().run()
    assert not runs.exception
    assert [title.value for title in runs.title] == ["Train a VAE"], "Watch opens the Train page"
    assert _training(runs)
    runs.switch_page("views/runs.py").run()
    runs.button(key="runs.stop.train").click().run()
    _until(lambda: not job.active, "the training to stop")
    runs.run()
    assert "Running now" not in _texts(runs, "subheader")


@pytest.mark.slow
def test_pause_step_and_resume_a_training(env, monkeypatch, tmp_path):
    at, job = _long_run(monkeypatch, tmp_path)
    at.button(key="live_pause").click().run()
    _until(lambda: job.snapshot().paused, "the training to pause")
    at.run()
    assert any("Paused" in text for text in _texts(at, "caption"))
    assert "live_resume" in {button.key for button in at.button}
    # The worker says it pauses when it gets the command; the step under way still ends.
    held = _settled_step(job)
    time.sleep(1.0)
    assert job.snapshot().step.step == held, "a paused training takes no step"

    at.number_input(key="live_steps").set_value(3)
    at.button(key="live_step").click().run()
    _until(lambda: job.snapshot().step.step == held + 3, "three more steps")
    time.sleep(1.0)
    assert job.snapshot().step.step == held + 3, "then it holds again"

    at.button(key="live_resume").click().run()
    _until(lambda: job.snapshot().step.step > held + 3, "the training to resume")
    assert not job.snapshot().paused
    at.button(key="stop").click().run()
    _wait_for(at, _finished)


@pytest.mark.slow
def test_a_continued_training_shows_its_earlier_curve_and_a_centred_map(env, tmp_path):
    path = _npz(tmp_path / "many.npz", 2000)
    data = load_dataset(str(path), tmp_path)
    config = build_config(data, latent_dim=4, hidden=(8,), epochs=1)
    earlier = train(config, data, store=RunStore(env), device="cpu").run
    job = TrainingJob(config.with_epochs(50), data, RunStore(env))
    REGISTRY.start(ALICE, job)
    _until(lambda: job.snapshot().latent is not None and job.snapshot().step, "a first step")
    snap = job.snapshot()
    assert snap.curve[0] == earlier.curve[0], "the live curve starts where the saved curve does"
    # The tiny model may end more epochs before this snapshot: only the first is the saved run's.
    assert snap.history[0] == earlier.history[0], "the live history starts with the saved epoch"
    assert [entry["epoch"] for entry in snap.history] == list(range(1, len(snap.history) + 1))
    # A 4-D latent is drawn on a principal plane: the prior's centre is where the origin lands.
    assert snap.latent_centre != (0.0, 0.0) and len(snap.latent_centre) == 2


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_the_sidebar_can_show_the_settings_of_any_training(tiny_data, variant):
    config = build_config(
        tiny_data, variant=variant, latent_dim=4, hidden=(8, 16), epochs=60, lr=2e-3, seed=7
    )
    values = sidebar.widget_values(config, "cpu")
    assert set(values) <= set(sidebar.DEFAULTS), "only the sidebar's own widgets"
    assert values["hp_variant"] == variant
    assert values["hp_dataset"] == sidebar.OWN_DATA
    assert values["hp_own_path"] == config.data.dataset
    assert (values["hp_latent"], values["hp_hidden"], values["hp_lr"]) == (4, [8, 16], 2e-3)
    assert (values["hp_seed"], values["hp_device"]) == (7, "cpu")
    assert values[f"hp_likelihood_{variant}"] == config.model.likelihood
    assert values["hp_epochs"] == widgets.EPOCHS_MAX, "a run past the slider shows its end"


@pytest.mark.slow
def test_the_runs_page_lists_the_browsers_running_comparison(env, monkeypatch, tmp_path):
    path = _long_npz(tmp_path / "many.npz")
    settings = CompareSettings(latent_dim=2, hidden=(8,), epochs=50, betas=(0.1,))
    job = ComparisonJob(
        load_dataset(str(path), tmp_path),
        RunStore(env),
        settings,
        classifier_dir=tmp_path / "classifier",
        device="cpu",
    )
    REGISTRY.start(ALICE, job)
    other = _tab(monkeypatch, BOB)
    other.switch_page("views/runs.py").run()
    assert "Running now" not in _texts(other, "subheader")
    runs = _tab(monkeypatch, ALICE)
    runs.switch_page("views/runs.py").run()
    assert not runs.exception
    assert "Running now" in _texts(runs, "subheader")
    assert "**Compare: the σ-VAE experiment**" in _texts(runs, "markdown")
    assert {"runs.watch.compare", "runs.stop.compare"} <= {button.key for button in runs.button}
    runs.button(key="runs.stop.compare").click().run()
    _until(lambda: not job.active, "the comparison to stop")
