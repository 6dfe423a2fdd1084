"""The Results and Runs pages under Streamlit's AppTest, on tiny runs trained for the occasion."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from vaelab.app import browser_id, widgets
from vaelab.app.jobs import REGISTRY
from vaelab.app.measure_job import MeasureJob
from vaelab.app.paths import DATA_DIR_ENV, RUNS_DIR_ENV, data_dir, runs_dir
from vaelab.app.state import CURRENT_RUN_KEY
from vaelab.app.tabs import OPEN_TAB_KEY, TABS
from vaelab.app.tabs.samples import warning_key
from vaelab.data import load_dataset
from vaelab.i18n.strings_en import EN
from vaelab.i18n.strings_fr import FR
from vaelab.runs import RunStore
from vaelab.training.experiment import build_config, train

PAGES = Path(__file__).resolve().parents[1] / "src" / "vaelab" / "app" / "views"
RESULTS = str(PAGES / "results.py")
RUNS = str(PAGES / "runs.py")
TABLES = {"en": EN, "fr": FR}
TIMEOUT = 30
#: Seconds a worker process may take to start and measure a tiny run on a loaded machine.
MEASURE_TIMEOUT = 300


def _npz(path: Path, n: int, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, size=(n, 12, 12), dtype=np.uint8)
    y = np.arange(n) % 3
    np.savez(path, x=x, y=y, classes=np.array(["zero", "one", "two"]))
    return path


def _train(data, store: RunStore, latent_dim: int) -> str:
    config = build_config(
        data, latent_dim=latent_dim, hidden=(8,), epochs=1, batch_size=32, seed=latent_dim
    )
    return train(config, data, store=store, device="cpu").run.run_id


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """Two runs on a tiny .npz, one whose images were deleted, and one broken run folder."""
    root = tmp_path_factory.mktemp("lab")
    store = RunStore(root / "runs")
    data = load_dataset(str(_npz(root / "tiny.npz", 60, 0)), root / "data")
    two_d = _train(data, store, 2)
    four_d = _train(data, store, 4)
    gone_path = _npz(root / "gone.npz", 30, 1)
    gone = _train(load_dataset(str(gone_path), root / "data"), store, 3)
    gone_path.unlink()
    (store.root / "broken-run").mkdir()
    (store.root / "broken-run" / "run.json").write_text("{ not json")
    return SimpleNamespace(root=root, store=store, two_d=two_d, four_d=four_d, gone=gone)


@pytest.fixture
def env(lab, monkeypatch):
    monkeypatch.setenv(RUNS_DIR_ENV, str(lab.store.root))
    monkeypatch.setenv(DATA_DIR_ENV, str(lab.root / "data"))
    return lab


def _app(path: str, lang: str, run_id: str | None = None, tab: str | None = None) -> AppTest:
    """The page in ``lang`` showing ``run_id``, its results open on the tab named ``tab``."""
    at = AppTest.from_file(path, default_timeout=TIMEOUT)
    at.session_state["lang"] = lang
    if run_id is not None:
        at.session_state[CURRENT_RUN_KEY] = run_id
    if tab is not None:
        at.session_state[OPEN_TAB_KEY] = tab
    return at.run()


def _open(at: AppTest, tab: str) -> AppTest:
    """``at`` rerun with the results tab named ``tab`` open, as a click on it does."""
    lang = at.session_state["lang"]
    at.session_state[OPEN_TAB_KEY] = tab
    at.session_state[f"results.tabs.{lang}"] = TABLES[lang][f"results.tab.{tab}"]
    return at.run()


def _each_tab(at: AppTest) -> Iterator[AppTest]:
    """``at`` rerun once with each results tab open (only the open tab is drawn)."""
    for name, _ in TABS:
        yield _open(at, name)


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _by_key_suffix(widgets, suffix: str):
    return next(w for w in widgets if w.key and w.key.endswith(suffix))


def test_paths_follow_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv(RUNS_DIR_ENV, raising=False)
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    assert (runs_dir(), data_dir()) == (Path("runs"), Path("data"))
    monkeypatch.setenv(RUNS_DIR_ENV, str(tmp_path / "r"))
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "d"))
    assert (runs_dir(), data_dir()) == (tmp_path / "r", tmp_path / "d")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_results_page_shows_every_tab(env, lang):
    at = _app(RESULTS, lang, env.two_d)
    _ok(at)
    strings = TABLES[lang]
    assert [tab.label for tab in at.tabs] == [
        strings[f"results.tab.{name}"]
        for name in (
            "curves",
            "reconstructions",
            "samples",
            "latent",
            "lab",
            "paths",
            "kl",
            "metrics",
            "upload",
            "downloads",
        )
    ]
    assert at.session_state[CURRENT_RUN_KEY] == env.two_d
    # Curves, reconstructions, samples, map, manifold, the two pickers, interpolation,
    # traversal, KL: every figure is drawn, each when its tab is open.
    images, labels = 0, []
    for shown in _each_tab(at):
        _ok(shown)
        assert not shown.error and not shown.warning
        images += len(shown.get("image"))
        labels += [b.label for b in shown.get("download_button")]
    assert images >= 10
    assert strings["results.download.run"] in labels
    assert strings["results.figure.manifold"] in labels  # a 2-D latent space


def test_samples_resample_and_temperature(env):
    at = _app(RESULTS, "en", env.two_d, tab="samples")
    seed_key = f"results.{env.two_d}.seed"
    assert at.session_state[seed_key] == 0
    _by_key_suffix(at.button, ".resample").click().run()
    _ok(at)
    assert at.session_state[seed_key] == 1
    _by_key_suffix(at.select_slider, ".temperature").set_value(0.5).run()
    _ok(at)


def test_the_samples_say_why_a_setting_gives_poor_ones():
    # The Train page's default run has nothing to excuse; the seed's (z = 16, 5 epochs) has.
    assert warning_key(1.0, widgets.LATENT_DEFAULT, widgets.EPOCHS_DEFAULT) is None
    assert warning_key(1.0, 16, 5) == "results.samples.poor.large_latent"
    assert warning_key(1e-3, 4, 50) == "results.samples.poor.tiny_beta"
    text = EN["results.samples.poor.large_latent"].format(latent=16, epochs=5, default=4)
    assert "the default is 4" in text


def test_interpolation_and_traversal_widgets(env):
    at = _app(RESULTS, "fr", env.four_d, tab="latent")
    _ok(at)
    assert FR["results.latent.no_manifold"] in [i.value for i in at.info]
    _open(at, "paths")
    _by_key_suffix(at.number_input, ".interp.b").set_value(5).run()
    _by_key_suffix(at.radio, ".interp.method").set_value("slerp").run()
    _by_key_suffix(at.radio, ".trav.origin").set_value("prior").run()
    _ok(at)
    _by_key_suffix(at.multiselect, ".trav.dims").set_value([]).run()
    _ok(at)
    assert FR["results.trav.pick"] in [i.value for i in at.info]


def _png(mode: str, size: tuple[int, int], colour) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_uploaded_images(env, lang):
    at = _app(RESULTS, lang, env.two_d, tab="upload")
    before = len(at.get("image"))
    uploader = at.get("file_uploader")[0]
    uploader.set_value(("photo.png", _png("RGB", (40, 30), (250, 250, 250)), "image/png")).run()
    _ok(at)
    assert not at.error
    invert = next(box for box in at.checkbox if ".invert." in box.key)
    assert invert.value  # white paper against dark training images
    # The converted image, its reconstruction and the map with a star.
    assert len(at.get("image")) == before + 3
    invert.uncheck().run()
    _ok(at)
    uploader = at.get("file_uploader")[0]
    uploader.set_value(("notes.png", b"definitely not an image", "image/png")).run()
    _ok(at)
    assert [e.value for e in at.error] == [TABLES[lang]["results.upload.error.not-image"]]


def test_results_without_the_training_images(env):
    at = _app(RESULTS, "en", env.gone, tab="reconstructions")
    _ok(at)
    assert len(at.warning) == 1 and "not available" in at.warning[0].value
    assert EN["results.no_data"] in [i.value for i in at.info]


def test_results_page_without_runs(monkeypatch, tmp_path):
    monkeypatch.setenv(RUNS_DIR_ENV, str(tmp_path / "none"))
    at = _app(RESULTS, "fr", None)
    _ok(at)
    assert [i.value for i in at.info] == [FR["results.page.none"]]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_runs_page_lists_runs_and_opens_one(env, lang):
    at = _app(RUNS, lang, None)
    _ok(at)
    assert len(at.dataframe) == 1
    table = at.dataframe[0].value
    assert len(table) == 4
    assert TABLES[lang]["runs.status.broken"] in set(table[TABLES[lang]["runs.col.status"]])
    assert len(at.warning) == 1  # the broken run
    at.selectbox(key="runs.selected").set_value(env.four_d).run()
    at.button(key="runs.open").click().run()
    _ok(at)
    assert at.session_state[CURRENT_RUN_KEY] == env.four_d
    # Outside the app's navigation there is no page to switch to: a message instead.
    assert TABLES[lang]["runs.open_fallback"] in [i.value for i in at.info]


def test_runs_page_compares_runs(env):
    at = _app(RUNS, "en", None)
    at.multiselect(key="runs.compare").set_value([env.two_d, env.four_d]).run()
    _ok(at)
    assert EN["runs.compare.caption"] in [c.value for c in at.caption]
    assert len(at.get("image")) == 3  # the curves and one sample grid per run


def test_runs_page_deletes_after_confirmation(env, tmp_path, monkeypatch):
    # Work on a copy so that the other tests keep their runs.
    store = RunStore(tmp_path / "runs")
    store.import_(env.store.export(env.four_d, tmp_path / "zips"))
    monkeypatch.setenv(RUNS_DIR_ENV, str(store.root))
    at = _app(RUNS, "fr", None)
    at.button(key="runs.delete").click().run()
    _ok(at)
    assert any("Supprimer définitivement" in w.value for w in at.warning)
    at.button(key="runs.delete_no").click().run()
    assert store.exists(env.four_d) and not at.warning
    at.button(key="runs.delete").click().run()
    at.button(key="runs.delete_yes").click().run()
    _ok(at)
    assert not store.exists(env.four_d)
    assert [i.value for i in at.info] == [FR["runs.empty"].format(folder=store.root)]


def _copy(env, tmp_path, monkeypatch, run_id: str) -> RunStore:
    """A runs folder holding a copy of ``run_id``, so that the other tests keep theirs as is."""
    store = RunStore(tmp_path / "runs")
    store.import_(env.store.export(run_id, tmp_path / "zips"))
    monkeypatch.setenv(RUNS_DIR_ENV, str(store.root))
    return store


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_metrics_tab_says_not_measured_and_offers_to_measure(env, lang):
    at = _app(RESULTS, lang, env.two_d, tab="metrics")
    _ok(at)
    strings = TABLES[lang]
    assert strings["results.metrics.none"] in [i.value for i in at.info]
    assert _by_key_suffix(at.button, ".measure").label == strings["results.metrics.measure"]
    assert not any(b.key.endswith(".metrics_json") for b in at.get("download_button"))


@pytest.mark.slow
def test_measuring_shows_the_values_and_saves_them_in_the_run(env, tmp_path, monkeypatch):
    """The app's own executor: a worker process measures the run while the page answers."""
    store = _copy(env, tmp_path, monkeypatch, env.two_d)
    owner = "c" * 32
    monkeypatch.setattr(browser_id, "sent_id", lambda: owner)
    at = _app(RESULTS, "fr", env.two_d, tab="metrics")
    _by_key_suffix(at.button, ".measure").click().run()
    _ok(at)
    assert _by_key_suffix(at.button, ".measure").disabled  # measuring, in the background
    job = REGISTRY.get(owner, MeasureJob.kind)
    job.join(MEASURE_TIMEOUT)
    assert job.snapshot().status == "complete", job.snapshot().error
    at.run()  # the run saved again opens on its reconstructions: back to the Metrics tab
    _open(at, "metrics")
    _ok(at)
    assert not at.error
    metrics = store.load(env.two_d).metrics
    assert metrics["active_units"] <= 2 and metrics["iwae_k"] == 100
    assert metrics["fd_classifier_features"] is not None
    table = next(m.value for m in at.markdown if m.value.startswith("| Mesure |"))
    assert r"p(x \| z)" in table  # a bar inside a cell is escaped
    for name in ("iwae_bits_per_dim", "test_neg_elbo", "recon_psnr_db"):
        assert f"| {FR[f'metrics.name.{name}']} |" in table
    assert "| FD (caractéristiques du classifieur) |" in table
    psnr = f"{metrics['recon_psnr_db']:.4g}".replace(".", ",")
    assert f"| {psnr} | ↑ plus haut |" in table
    assert FR["results.metrics.none"] not in [i.value for i in at.info]
    assert _by_key_suffix(at.button, ".measure").label == FR["results.metrics.remeasure"]
    download = _by_key_suffix(at.get("download_button"), ".metrics_json")
    assert download.label == FR["results.metrics.download"]


def test_render_results_without_data():
    def script():
        import torch

        from vaelab.app.tabs import render_results
        from vaelab.config import ModelConfig, RunConfig
        from vaelab.models import ConvVAE
        from vaelab.runs import Run

        config = RunConfig(model=ModelConfig(latent_dim=2, hidden=(8,), height=8, width=8))
        model = ConvVAE(config.model)
        history = [{"epoch": 1, "train_loss": 3.0, "test_loss": 2.0}]
        run = Run(config, {k: v for k, v in model.state_dict().items()}, {}, {}, history)
        assert isinstance(torch.zeros(1), torch.Tensor)
        render_results(run, model, None)

    at = AppTest.from_function(script, default_timeout=TIMEOUT)
    at.session_state["lang"] = "en"
    at.run()
    infos = []
    for shown in _each_tab(at):
        _ok(shown)
        infos += [i.value for i in shown.info]
    assert EN["results.no_data"] in infos
    assert EN["results.download.unsaved"] in infos
    assert EN["results.metrics.no_data"] in infos


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_runs_page_imports_a_run_zip(env, tmp_path, monkeypatch, lang):
    archive = env.store.export(env.four_d, tmp_path / "zips").read_bytes()
    store = RunStore(tmp_path / "runs")
    monkeypatch.setenv(RUNS_DIR_ENV, str(store.root))
    at = _app(RUNS, lang, None)
    assert [i.value for i in at.info] == [TABLES[lang]["runs.empty"].format(folder=store.root)]
    at.get("file_uploader")[0].set_value(("nonsense.zip", b"not a zip", "application/zip")).run()
    at.button(key="runs.import.go").click().run()
    _ok(at)
    assert at.error and at.error[0].value.startswith(
        TABLES[lang]["runs.import.error"].split("{")[0]
    )
    assert not store.exists(env.four_d)
    at.get("file_uploader")[0].set_value(("my run.zip", archive, "application/zip")).run()
    at.button(key="runs.import.go").click().run()
    _ok(at)
    assert store.exists(env.four_d)
    assert at.session_state[CURRENT_RUN_KEY] == env.four_d
    assert TABLES[lang]["runs.import.done"].format(run=env.four_d) in [s.value for s in at.success]


def test_another_run_opens_on_its_reconstructions(env):
    at = _app(RESULTS, "en", env.two_d, tab="samples")
    assert at.select_slider and EN["results.recon.caption"] not in [c.value for c in at.caption]
    at.run()  # the same run again: the tab picked stays open
    assert at.select_slider
    at.selectbox(key="results.page.run").set_value(env.four_d).run()
    _ok(at)
    assert not at.select_slider
    assert EN["results.recon.caption"] in [c.value for c in at.caption]
