"""The app shell and the Train page under Streamlit's AppTest, and the background training worker.

Every test points the app at temporary folders and sets ``VAELAB_OFFLINE`` so that nothing is
downloaded: the default MNIST choice falls back to the built-in MNIST 5k sample, as on a fresh
offline machine. Trainings use tiny ``.npz`` images and take a second or two.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from test_runs_page import ALICE, queued_job, says_where_it_waits
from vaelab.app import architecture, browser_id, charts, jobs, live_panel, sidebar, widgets
from vaelab.app.jobs import REGISTRY
from vaelab.app.training_job import TrainingJob, TrainingProgress, thin_curve
from vaelab.config import LIMITS, ModelConfig
from vaelab.data import load_dataset
from vaelab.i18n import whole
from vaelab.i18n.strings_en import EN
from vaelab.i18n.strings_fr import FR
from vaelab.jobs.local import LocalExecutor
from vaelab.runs import RunStore
from vaelab.training.experiment import build_config, train

APP_DIR = Path(__file__).resolve().parents[1] / "src" / "vaelab" / "app"
MAIN = str(APP_DIR / "main.py")
TIMEOUT = 60
#: A rendered string that looks like a table key means a translation is missing.
RAW_KEY = re.compile(r"^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+$")


@pytest.fixture(autouse=True)
def _no_training_left_behind():
    """A failed test must not leave a training thread running into the next test."""
    yield
    REGISTRY.stop_all()


def _npz(path: Path, n: int) -> Path:
    """``n`` 12×12 images of a bright quadrant, labelled by the quadrant, as a user's .npz."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 4, size=n)
    images = rng.integers(0, 40, size=(n, 12, 12), dtype=np.uint8)
    for image, label in zip(images, labels, strict=True):
        top, left = (label // 2) * 6, (label % 2) * 6
        image[top : top + 6, left : left + 6] = 220
    np.savez(path, x=images, y=labels)
    return path


def _long_npz(path: Path) -> Path:
    """Enough images that 50 epochs of the tiny model outlast any test (about 2.5 s an epoch on
    2 loaded cores; 2,000 images went by in 0.3 s an epoch on CI): the test stops it."""
    return _npz(path, 10_000)


def _app(lang: str = "en") -> AppTest:
    at = AppTest.from_file(MAIN, default_timeout=TIMEOUT)
    at.session_state["lang"] = lang
    return at.run()


def _tiny_settings(at: AppTest, path: Path, epochs: int = 1) -> AppTest:
    """Own images at ``path``, z = 2, one 8-channel layer."""
    at.sidebar.selectbox(key="hp_dataset").set_value(sidebar.OWN_DATA).run()
    at.sidebar.text_input(key="hp_own_path").input(str(path))
    at.sidebar.slider(key="hp_latent").set_value(2)
    at.sidebar.multiselect(key="hp_hidden").set_value([8])
    at.sidebar.slider(key="hp_epochs").set_value(epochs)
    return at.run()


def _texts(at: AppTest, kind: str) -> list[str]:
    return [str(element.value) for element in getattr(at, kind)]


def _wait_for(at: AppTest, done, timeout: float = 120.0) -> AppTest:
    """Rerun the app until ``done(at)``; live redraws are fragments that AppTest does not time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        at.run()
        assert not at.exception, at.exception
        if done(at):
            return at
        time.sleep(0.25)
    pytest.fail(f"timed out; page shows: {_texts(at, 'markdown')[:8]}")


def _finished(at: AppTest) -> bool:
    return not any(button.key == "stop" for button in at.button)


# -- the default page --------------------------------------------------------------------------


def test_the_widgets_offer_ranges_within_the_librarys_limits():
    for low, high, limit in (
        (widgets.LATENT_MIN, widgets.LATENT_MAX, LIMITS.latent_dim),
        (min(widgets.WIDTHS), max(widgets.WIDTHS), LIMITS.width),
        (1, widgets.MAX_LAYERS, LIMITS.layers),
        (min(widgets.BATCH_SIZES), max(widgets.BATCH_SIZES), LIMITS.batch_size),
        (widgets.EPOCHS_MIN, widgets.EPOCHS_MAX, LIMITS.epochs),
        (0, widgets.SEED_MAX, LIMITS.seed),
    ):
        assert limit.low <= low <= high <= limit.high
    assert widgets.WIDTHS == (8, 16, 32, 64, 128, 256, 512)
    assert LIMITS.lr[0] < min(widgets.LEARNING_RATES) <= max(widgets.LEARNING_RATES) <= LIMITS.lr[1]


def test_default_page_has_the_seeds_widgets_and_works_offline(env):
    at = _app()
    assert not at.exception
    side = at.sidebar
    assert side.selectbox(key="hp_variant").value == "sigma-vae"
    assert side.selectbox(key="hp_variant").options == ["VAE", "β-VAE", "σ-VAE"]
    assert side.selectbox(key="hp_dataset").value == "mnist"
    latent = side.slider(key="hp_latent")
    assert (latent.value, latent.min, latent.max, latent.step) == (4, 2, 400, 2)
    hidden = side.multiselect(key="hp_hidden")
    assert hidden.value == [32, 64]
    assert hidden.options == [str(w) for w in (8, 16, 32, 64, 128, 256, 512)]
    assert side.selectbox(key="hp_likelihood_sigma-vae").value == "gaussian"
    assert side.radio(key="hp_scale").value == "optimal"
    assert side.select_slider(key="hp_beta_sigma-vae").value == 1.0
    assert side.select_slider(key="hp_batch").value == 64
    assert side.select_slider(key="hp_batch").options == ["64", "128", "256"]
    epochs = side.slider(key="hp_epochs")
    assert (epochs.value, epochs.min, epochs.max) == (10, 1, 50)
    assert side.select_slider(key="hp_lr").value == pytest.approx(1e-3)
    assert side.number_input(key="hp_seed").value == 0
    assert side.selectbox(key="hp_device").value == "auto"
    assert "cpu" in widgets.available_devices()
    # Every widget explains itself in one line.
    for widget in (*side.selectbox, *side.slider, *side.select_slider, *side.multiselect):
        assert widget.help, widget.key
    # Offline, MNIST is replaced by the built-in sample, and the page says so.
    assert any("MNIST 5k" in text for text in _texts(at, "warning"))
    assert any("4\u202f000 training" in text for text in _texts(at, "markdown"))
    assert [b.label for b in at.button if b.key == "train"] == ["Train"]
    # The architecture panel: graph, formula and layer table.
    assert at.expander[0].label.startswith("Architecture: σ-VAE")
    assert any('<div class="vaelab-diagram"><svg' in text for text in _texts(at, "markdown"))
    assert any(r"\mathrm{KL}" in text for text in _texts(at, "latex"))


def test_the_repository_launcher_runs_the_same_app(env):
    at = AppTest.from_file(str(APP_DIR.parents[2] / "app.py"), default_timeout=TIMEOUT)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    assert _texts(at, "title") == ["Train a VAE"]


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.slow
def test_every_page_renders_in_both_languages_without_raw_keys(env, lang):
    at = _app(lang)
    title = {"en": "Train a VAE", "fr": "Entraîner un VAE"}[lang]
    for page in ("train", "results", "runs", "learn"):
        if page != "train":
            at.switch_page(f"views/{page}.py").run()
        assert not at.exception, (page, at.exception)
        shown = [
            *_texts(at, "markdown"),
            *_texts(at, "caption"),
            *_texts(at, "info"),
            *_texts(at, "warning"),
            *_texts(at, "title"),
            *[w.label for w in at.sidebar.selectbox],
        ]
        raw = [text for text in shown if RAW_KEY.match(text.strip())]
        assert not raw, (page, raw)
        if page == "train":
            assert _texts(at, "title")[0] == title


def test_the_sidebar_keeps_its_values_across_pages(env):
    at = _app()
    at.sidebar.slider(key="hp_latent").set_value(8).run()
    at.switch_page("views/learn.py").run()
    at.switch_page("views/train.py").run()
    assert not at.exception
    assert at.sidebar.slider(key="hp_latent").value == 8


# -- bad selections --------------------------------------------------------------------------


def test_no_layer_falls_back_to_the_default_with_a_warning(env):
    at = _app()
    at.sidebar.multiselect(key="hp_hidden").set_value([]).run()
    assert not at.exception
    assert any("at least one layer" in text for text in _texts(at.sidebar, "warning"))
    assert any("32 → 64" in text for text in _texts(at.sidebar, "warning"))
    assert [b.key for b in at.button if b.key == "train"] == ["train"]


def test_more_than_five_layers_keeps_the_first_five(env):
    at = _app()
    at.sidebar.multiselect(key="hp_hidden").set_value([8, 16, 32, 64, 128, 256]).run()
    assert not at.exception
    assert any("at most 5" in text for text in _texts(at.sidebar, "warning"))
    assert any("8 → 16 → 32 → 64 → 128" in text for text in _texts(at.sidebar, "caption"))


def _under(at: AppTest, key: str) -> list[str]:
    """What the sidebar says directly under its widget ``key`` (the dataset's messages)."""
    children = list(at.sidebar.children.values())
    index = next(i for i, child in enumerate(children) if getattr(child, "key", None) == key)
    return [str(element.value) for element in children[index + 1].children.values()]


def test_missing_or_bad_own_images_get_a_message_under_the_path(env, tmp_path):
    at = _app()
    at.sidebar.selectbox(key="hp_dataset").set_value(sidebar.OWN_DATA).run()
    assert not at.exception
    assert _under(at, "hp_own_path") == [EN["sidebar.own_path_missing"]]
    assert not any(b.key == "train" for b in at.button)
    at.sidebar.text_input(key="hp_own_path").input(str(tmp_path / "nowhere")).run()
    assert not at.exception
    # Said directly under the path, not at the bottom of the sidebar.
    assert _under(at, "hp_own_path") == [f"No such folder or file: {tmp_path / 'nowhere'}"]
    assert len(at.sidebar.error) == 1
    # And on the page, where a phone shows it (its sidebar starts closed).
    assert [e.value for e in at.main.error] == [f"No such folder or file: {tmp_path / 'nowhere'}"]
    # A bare name is a folder in the working directory, not an unknown registered dataset.
    at.sidebar.text_input(key="hp_own_path").input("mydigits").run()
    assert _under(at, "hp_own_path") == ["No such folder or file: mydigits"]
    # ~ is the home folder.
    at.sidebar.text_input(key="hp_own_path").input("~/nowhere-vaelab").run()
    assert _under(at, "hp_own_path") == [
        f"No such folder or file: {Path.home() / 'nowhere-vaelab'}"
    ]
    not_images = tmp_path / "notes.npz"
    not_images.write_text("hello")
    at.sidebar.text_input(key="hp_own_path").input(str(not_images)).run()
    assert not at.exception
    assert any("not a .npz" in text for text in _under(at, "hp_own_path"))
    at.session_state["lang"] = "fr"
    at.sidebar.text_input(key="hp_own_path").input("~/nulle-part").run()
    assert _under(at, "hp_own_path") == [
        FR["sidebar.own_path_not_found"].format(path=Path.home() / "nulle-part")
    ]


def test_an_uploaded_npz_is_kept_and_used_under_its_own_name(env, data_root, tmp_path):
    name = "mes chiffres (v2).npz"
    payload = _npz(tmp_path / "mine.npz", 40).read_bytes()
    at = _app()
    at.sidebar.selectbox(key="hp_dataset").set_value(sidebar.OWN_DATA).run()
    at.sidebar.file_uploader[0].set_value((name, payload, "application/zip")).run()
    assert not at.exception
    assert not _texts(at.sidebar, "error")
    assert any("36 training and 4 test images of 1×12×12" in t for t in _texts(at, "markdown"))
    # The file keeps its name, spaces and brackets included, so that labels show it.
    (saved,) = (data_root / "uploads").glob(f"*/{name}")
    assert saved.read_bytes() == payload
    assert f"**{name}**" in _texts(at, "markdown")
    assert f"**σ-VAE on {name}, z = 4, layers 32-64**" in _texts(at, "markdown")


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("chiffres été.NPZ", "chiffres été.npz"),
        ("C:\\Users\\me\\a:b?.npz", "a_b_.npz"),  # a Windows path, reserved characters
        ("../../secret.npz", "secret.npz"),
        ("tab\there.npz", "tab_here.npz"),
        ("...npz", "upload.npz"),
    ],
)
def test_an_uploaded_files_name_loses_only_what_a_file_name_cannot_hold(sent, kept):
    assert sidebar._upload_name(sent) == kept


def test_unavailable_dataset_says_so_and_disables_training(env):
    at = _app()
    at.sidebar.selectbox(key="hp_dataset").set_value("cifar10").run()
    assert not at.exception
    assert any("MNIST 5k" in text for text in _under(at, "hp_dataset"))
    assert not any(b.key == "train" for b in at.button)
    # The architecture is still drawn, for the dataset's known 3×32×32 shape.
    assert any("| 3×32×32 |" in text for text in _texts(at, "markdown"))


def test_the_loss_widgets_follow_the_variant(env):
    at = _app()
    at.sidebar.selectbox(key="hp_variant").set_value("vae").run()
    assert at.sidebar.selectbox(key="hp_likelihood_vae").value == "mse"
    assert not [w for w in at.sidebar.select_slider if w.key.startswith("hp_beta")]
    at.sidebar.selectbox(key="hp_variant").set_value("beta-vae").run()
    beta = at.sidebar.select_slider(key="hp_beta_beta-vae")
    assert beta.value == 1.0
    assert (beta.options[0], beta.options[1], beta.options[-1]) == ("0", "1·10⁻⁵", "10")
    assert not any("autoencoder" in text for text in _texts(at.sidebar, "caption"))
    at.sidebar.select_slider(key="hp_beta_beta-vae").set_value(0.0).run()
    assert any("β = 0 is not a VAE" in text for text in _texts(at.sidebar, "caption"))
    assert any(r"\beta" in text for text in _texts(at, "latex"))

    at.sidebar.selectbox(key="hp_variant").set_value("sigma-vae").run()
    assert not at.exception
    assert at.sidebar.selectbox(key="hp_likelihood_sigma-vae").value == "gaussian"
    assert at.sidebar.radio(key="hp_scale").value == "optimal"
    assert at.sidebar.select_slider(key="hp_beta_sigma-vae").value == 1.0
    latex = " ".join(_texts(at, "latex"))
    assert r"2\pi\sigma^2" in latex and r"\mathrm{MSE}" in latex
    at.sidebar.radio(key="hp_scale").set_value("learned").run()
    assert not at.exception
    assert r"\partial s" in " ".join(_texts(at, "latex"))


# -- training --------------------------------------------------------------------------------


def test_a_tiny_training_completes_and_shows_results(env, tmp_path):
    at = _tiny_settings(_app(), _npz(tmp_path / "tiny.npz", 80))
    assert not at.exception
    # A value typed just before the click reaches the server with it: it counts.
    at.number_input(key="hp_seed").set_value(3)
    at.button(key="train").click().run()
    assert not at.exception
    _wait_for(at, _finished)
    assert any("Training complete: 1 epoch " in text for text in _texts(at, "success"))
    assert "Results" in _texts(at, "subheader")
    assert at.tabs, "the results tabs are shown"
    (summary,) = RunStore(env).list()
    assert summary.status == "complete" and summary.config.train.seed == 3


@pytest.mark.slow
def test_a_cached_run_reloads_at_once_and_can_be_continued(env, tmp_path):
    path = _npz(tmp_path / "tiny.npz", 80)
    data = load_dataset(str(path), tmp_path)
    # The model, the warm-up and the clipping the page's settings describe.
    defaults = sidebar.DEFAULTS
    config = build_config(
        data,
        variant=str(defaults["hp_variant"]),
        latent_dim=2,
        hidden=(8,),
        epochs=1,
        kl_warmup=int(defaults["hp_kl_warmup"]),
        grad_clip=float(defaults["hp_grad_clip"]),
    )
    train(config, data, store=RunStore(env), device="cpu")

    at = _tiny_settings(_app(), path)
    assert not at.exception
    assert any("Loaded from the cache" in text for text in _texts(at, "success"))
    assert {"continue", "retrain"} <= {b.key for b in at.button}
    assert at.tabs, "the cached run's results are shown at once"

    at.number_input(key="extra_epochs").set_value(1)
    at.button(key="continue").click().run()
    _wait_for(at, _finished)
    assert any("Training complete: 2 epochs" in text for text in _texts(at, "success"))
    assert RunStore(env).load(config.run_id).epochs_done == 2


def test_stop_ends_training_and_keeps_what_was_learned(env, tmp_path):
    at = _tiny_settings(_app(), _long_npz(tmp_path / "many.npz"), epochs=50)
    at.button(key="train").click().run()
    _wait_for(at, lambda at: bool(at.metric))  # a first step was taken
    at.button(key="stop").click().run()
    assert not at.exception
    _wait_for(at, _finished)
    assert any("Stopped after" in text for text in _texts(at, "warning"))
    (summary,) = RunStore(env).list()
    assert summary.status == "stopped"
    assert summary.epochs_done < 50
    assert [b.label for b in at.button if b.key == "train"] == ["Continue up to 50 epochs"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_starting_training_says_it_starts_and_a_queued_one_how_many_are_ahead(
    env, tiny_data, tmp_path, lang
):
    strings = {"en": EN, "fr": FR}[lang]
    for ahead in (0, 2):
        job = queued_job(TrainingJob.kind, tiny_data, RunStore(env), ahead, tmp_path)
        at = AppTest.from_file(MAIN, default_timeout=TIMEOUT)
        at.session_state["lang"] = lang
        at.session_state[browser_id._ID_KEY] = ALICE
        at.run()
        assert not at.exception
        assert any(button.key == "stop" for button in at.button)
        says_where_it_waits(at, strings, ahead)
        job.stop()
        job.join(10)


@pytest.mark.slow
def test_a_second_session_waits_for_the_first_one(env, tmp_path, monkeypatch):
    # One worker, as on a 2-core machine: with more, the second training would start at once.
    monkeypatch.setattr(jobs, "_executor", LocalExecutor(1))
    first = _tiny_settings(_app(), _long_npz(tmp_path / "many.npz"), epochs=50)
    first.button(key="train").click().run()
    _wait_for(first, lambda at: bool(at.metric))
    second = _tiny_settings(_app(), _npz(tmp_path / "few.npz", 80))
    second.button(key="train").click().run()
    assert any("Waiting for another training" in text for text in _texts(second, "info"))
    first.button(key="stop").click().run()
    _wait_for(first, _finished)
    _wait_for(second, _finished)
    assert any("Training complete" in text for text in _texts(second, "success"))


# -- the worker, without Streamlit -----------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_live_curves_write_numbers_as_the_language_does(tiny_data, lang):
    config = build_config(tiny_data, latent_dim=2, hidden=(8,), epochs=1)
    progress = TrainingProgress(config=config, steps=[{"step": 1, "loss": 1234.5}])
    spec = live_panel._curve_spec(progress.snapshot(), "loss", lang)
    number = spec["config"]["locale"]["number"]
    # The axes write 1234.5 as the metrics beside them do: "1 234,5" in French.
    assert number["decimal"] + number["thousands"] == {"en": ".", "fr": ","}[lang] + whole(1000)[1]
    assert spec["data"]["values"] == [{"x": 1.0, "y": 1234.5, "s": EN["train.train_loss"]}]
    assert spec["usermeta"] == charts.USERMETA, "drawn as SVG: its labels are text"


def test_thin_curve_averages_long_curves():
    points = [{"step": float(i), "loss": float(i % 2)} for i in range(1000)]
    thinned = thin_curve(points, max_points=100)
    assert len(thinned) == 100
    assert thinned[0] == {"step": 4.5, "loss": 0.5}
    assert thin_curve(points[:10]) == points[:10]


# -- architecture panel ----------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["vae", "beta-vae", "sigma-vae"])
def test_architecture_graph_and_formula(variant):
    config = ModelConfig(variant=variant, latent_dim=16, hidden=(8, 16, 32))
    layers, n_params = architecture.describe_model(config)
    svg = ElementTree.fromstring(architecture.architecture_svg(layers))  # well-formed
    texts = [text.text for text in svg.iter("{http://www.w3.org/2000/svg}text")]
    for name, shape in layers:  # each layer, with its output shape under its name
        assert texts[texts.index(name) + 1] == "×".join(map(str, shape))
    assert "ε ~ N(0, I)" in texts
    boxes = list(svg.iter("{http://www.w3.org/2000/svg}rect"))
    arrows = list(svg.iter("{http://www.w3.org/2000/svg}line"))
    assert len(boxes) == len(layers) and len(arrows) == len(layers)  # the chain, and ε → z
    assert n_params > 0
    formula = architecture.loss_formula(config)
    assert r"\mathrm{KL}" in formula
    assert (r"\beta" in formula) == (variant != "vae")
    settings = architecture.settings_formula(config, "fr")
    assert (settings is None) == (variant == "vae")


@pytest.mark.slow
def test_the_workers_never_import_streamlit():
    modules = "vaelab.app.jobs, vaelab.app.training_job, vaelab.app.compare_job"
    code = f"import sys, {modules}; sys.exit('streamlit' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
