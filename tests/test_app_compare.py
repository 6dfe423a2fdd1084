"""The Compare page under Streamlit's AppTest, and the comparison worker without Streamlit.

The page runs on the built-in MNIST 5k sample (offline) with a tiny network, one epoch and no
Fréchet distance, so that a four-model comparison takes a few seconds; the worker test measures
the FD too, on the conftest's tiny images.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from test_runs_page import ALICE, queued_job, says_where_it_waits
from vaelab.app import browser_id
from vaelab.app.compare_job import ComparisonJob
from vaelab.app.compare_view import _BEST_ON_SCREEN, findings, markdown_table
from vaelab.app.jobs import REGISTRY, JobRegistry
from vaelab.app.labels import contender_name, dataset_label
from vaelab.compare import (
    DEFAULT_BETAS,
    CompareSettings,
    Comparison,
    Contender,
    Row,
    contenders,
    reference_for,
)
from vaelab.compare import reference as reference_module
from vaelab.i18n.strings_en import EN
from vaelab.i18n.strings_fr import FR
from vaelab.jobs.local import LocalExecutor
from vaelab.runs import RunStore

MAIN = str(Path(__file__).resolve().parents[1] / "src" / "vaelab" / "app" / "main.py")
TABLES = {"en": EN, "fr": FR}
TIMEOUT = 60
#: Seconds a comparison may take: its worker process starts Python and torch afresh, which is
#: slow on a loaded two-core machine, and it trains four models one after the other.
JOB_TIMEOUT = 600
RAW_KEY = re.compile(r"^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+$")


@pytest.fixture(autouse=True)
def _no_job_left_behind():
    """A failed test must not leave a comparison running into the next test."""
    yield
    REGISTRY.stop_all()


def _page(lang: str = "en") -> AppTest:
    at = AppTest.from_file(MAIN, default_timeout=TIMEOUT)
    at.session_state["lang"] = lang
    at.run()
    return at.switch_page("views/compare.py").run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _texts(at: AppTest, kind: str) -> list[str]:
    return [str(element.value) for element in getattr(at, kind)]


def _tiny(at: AppTest, epochs: int = 1) -> AppTest:
    """z = 2, one 8-channel layer, one β, a small IWAE bound and no FD: four quick models.

    The contenders with one β: Gaussian VAE (σ = 1), MSE VAE, β-VAE and σ-VAE.
    """
    at.slider(key="cmp_latent").set_value(2)
    at.multiselect(key="cmp_hidden").set_value([8])
    at.slider(key="cmp_epochs").set_value(epochs)
    at.multiselect(key="cmp_betas").set_value([0.01])
    at.number_input(key="cmp_iwae_k").set_value(5)
    at.number_input(key="cmp_iwae_images").set_value(20)
    at.number_input(key="cmp_fd_images").set_value(0)
    return at.run()


def _running(at: AppTest) -> bool:
    return any(button.key == "compare_stop" for button in at.button)


def _wait_for(at: AppTest, done, timeout: float = JOB_TIMEOUT) -> AppTest:
    """Rerun the page until ``done(at)``: AppTest does not run the live fragment by itself."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        at.run()
        _ok(at)
        if done(at):
            return at
        time.sleep(0.25)
    pytest.fail(f"timed out; page shows: {_texts(at, 'markdown')[-3:]}")


# -- the form --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_page_renders_in_both_languages_with_the_default_settings(env, lang):
    at = _page(lang)
    _ok(at)
    strings = TABLES[lang]
    assert _texts(at, "title") == [strings["compare.title"]]
    defaults = CompareSettings()
    assert at.selectbox(key="cmp_dataset").value == "mnist-5k"
    assert at.slider(key="cmp_latent").value == defaults.latent_dim
    assert at.multiselect(key="cmp_hidden").value == list(defaults.hidden)
    assert at.slider(key="cmp_epochs").value == defaults.epochs
    assert at.select_slider(key="cmp_batch").value == defaults.batch_size
    assert at.number_input(key="cmp_seed").value == defaults.seed
    assert at.multiselect(key="cmp_betas").value == list(DEFAULT_BETAS)
    assert at.number_input(key="cmp_iwae_k").value == defaults.iwae_k
    assert at.number_input(key="cmp_iwae_images").value == defaults.iwae_images
    assert at.number_input(key="cmp_fd_images").value == defaults.fd_images
    plan = strings["compare.plan"].format(total=8, cached=0, todo=8)
    assert plan in _texts(at, "markdown")
    assert [b.label for b in at.button if b.key == "compare_start"] == [strings["compare.start"]]
    shown = [*_texts(at, "markdown"), *_texts(at, "caption"), *_texts(at, "info")]
    assert not [text for text in shown if RAW_KEY.match(text.strip())]
    for widget in (*at.slider, *at.multiselect, *at.number_input, *at.selectbox):
        assert widget.help, widget.key


def test_no_beta_or_no_layer_gives_a_clear_message(env):
    at = _page()
    at.multiselect(key="cmp_betas").set_value([]).run()
    _ok(at)
    assert _texts(at, "error") == [EN["compare.betas_none"]]
    assert at.button(key="compare_start").disabled
    at.multiselect(key="cmp_betas").set_value([0.1]).run()
    at.multiselect(key="cmp_hidden").set_value([]).run()
    _ok(at)
    assert _texts(at, "error") == [EN["compare.hidden_none"]]
    assert at.button(key="compare_start").disabled


def test_the_offline_fallback_is_announced(env):
    at = _page("fr")
    at.selectbox(key="cmp_dataset").set_value("mnist").run()
    _ok(at)
    assert any("MNIST 5k" in text for text in _texts(at, "warning"))
    assert not at.button(key="compare_start").disabled


# -- the committed reference -----------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_committed_reference_shows_at_once_with_nothing_run(env, lang):
    strings = TABLES[lang]
    at = _page(lang)
    _ok(at)
    reference = reference_for("mnist-5k")
    assert strings["compare.reference.header"] in _texts(at, "subheader")
    markdown = _texts(at, "markdown")
    assert markdown_table(reference.comparison, lang, best=_BEST_ON_SCREEN) in markdown
    sentences = findings(reference.comparison, lang)
    assert "\n".join(f"- {sentence}" for sentence in sentences) in markdown
    assert any(strings["compare.finding.fd_column"].split(" ")[0] in text for text in markdown)
    assert len(at.get("image")) == 1  # its figure, drawn from the samples in the package
    captions = " ".join(_texts(at, "caption"))
    assert f"`{reference.command}`" in captions
    assert strings["compare.reference.one_seed"].format(seed=0) in captions
    # The reference was made with the page's defaults; a setting changed is named.
    assert not _texts(at, "warning")
    at.number_input(key="cmp_iwae_images").set_value(200).run()
    _ok(at)
    (warning,) = _texts(at, "warning")
    assert strings["compare.iwae_images"] in warning
    assert not RunStore(env).list()  # nothing was trained or measured


def _only_reference(monkeypatch, tmp_path, name: str, **record) -> None:
    """The committed MNIST-5k reference, ``record`` changed in its comparison.json, as the only
    reference, in a folder called ``name``."""
    folder = tmp_path / "references" / name
    shutil.copytree(reference_for("mnist-5k").folder, folder)
    written = json.loads((folder / "comparison.json").read_text()) | record
    (folder / "comparison.json").write_text(json.dumps(written))
    monkeypatch.setattr(reference_module, "REFERENCES_DIR", folder.parent)


def test_a_dated_reference_says_when_it_finished(env, monkeypatch, tmp_path):
    _only_reference(monkeypatch, tmp_path, "mnist-5k", finished="2026-12-01T20:21:09+00:00")
    at = _page("fr")
    _ok(at)
    made = FR["compare.reference.made"].split("{")[0]
    (caption,) = [text for text in _texts(at, "caption") if text.startswith(made)]
    assert "le 2026-12-01 20:21 UTC après 9:17 de calcul." in caption


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_reference_on_a_sample_shows_for_its_dataset(env, monkeypatch, tmp_path, lang):
    sample = "../shared/data/cifar10-sample-5k.npz"
    _only_reference(monkeypatch, tmp_path, "cifar10-sample", dataset=sample)
    at = _page(lang)
    at.selectbox(key="cmp_dataset").set_value("cifar10").run()  # not on this machine: offline
    _ok(at)
    said = TABLES[lang]["compare.reference.sample"].format(
        dataset=dataset_label("cifar10", lang), sample="cifar10-sample-5k.npz"
    )
    assert said in _texts(at, "info")
    assert len(at.get("image")) == 1  # the sample's figure


def test_a_dataset_without_a_reference_says_so_in_one_line(env, monkeypatch, tmp_path):
    monkeypatch.setattr(reference_module, "REFERENCES_DIR", tmp_path / "no-references")
    at = _page("fr")
    _ok(at)
    none = FR["compare.reference.none"].format(dataset=dataset_label("mnist-5k", "fr"))
    assert none in _texts(at, "info")
    assert not at.get("image")


# -- running it ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_starting_comparison_says_it_starts_and_a_queued_one_how_many_are_ahead(
    env, tiny_data, tmp_path, lang
):
    strings = TABLES[lang]
    for ahead in (0, 2):
        job = queued_job(ComparisonJob.kind, tiny_data, RunStore(env), ahead, tmp_path)
        at = AppTest.from_file(MAIN, default_timeout=TIMEOUT)
        at.session_state["lang"] = lang
        at.session_state[browser_id._ID_KEY] = ALICE
        at.run().switch_page("views/compare.py").run()
        _ok(at)
        assert _running(at)
        says_where_it_waits(at, strings, ahead)
        job.stop()
        job.join(10)


@pytest.mark.slow
def test_a_small_comparison_runs_and_shows_the_figure_table_and_findings(env):
    at = _tiny(_page())
    # A value typed just before the click reaches the server with it: it counts.
    at.number_input(key="cmp_seed").set_value(3)
    at.button(key="compare_start").click().run()
    _ok(at)
    _wait_for(at, lambda at: not _running(at))
    complete = EN["compare.result.complete"].split("{")[0]
    assert any(text.startswith(complete) for text in _texts(at, "success"))
    assert len(at.get("image")) == 2  # the paper's figure, then the reference's (in an expander)
    table = next(text for text in _texts(at, "markdown") if text.startswith("| Model |"))
    assert "| Gaussian VAE |" in table and "| β-VAE, β = 0.01 |" in table
    assert "| MSE VAE |" in table
    assert ":green-background[**" in table  # the best values are marked
    assert "IWAE bits/dim ↓" in table and "PSNR (dB) ↑" in table
    findings = next(text for text in _texts(at, "markdown") if text.startswith("- On "))
    assert "σ-VAE" in findings
    labels = [b.label for b in at.get("download_button")]
    kinds = [EN["compare.download.png"], EN["compare.download.csv"], EN["compare.download.md"]]
    assert labels == kinds * 2  # this comparison's files, then the reference's
    summaries = RunStore(env).list()
    assert len(summaries) == 4 and {s.status for s in summaries} == {"complete"}
    assert {s.config.train.seed for s in summaries} == {3}
    assert all(RunStore(env).load(s.run_id).metrics for s in summaries)

    # The result stays on the page; starting again reuses every run.
    at.switch_page("views/learn.py").run()
    at.switch_page("views/compare.py").run()
    _ok(at)
    assert EN["compare.result.header"] in _texts(at, "subheader")
    assert EN["compare.plan"].format(total=4, cached=4, todo=0) in _texts(at, "markdown")
    at.button(key="compare_start").click().run()
    _wait_for(at, lambda at: not _running(at))
    assert any("0 models trained, 4 reused" in text for text in _texts(at, "success"))


@pytest.mark.slow
def test_stop_keeps_the_models_done(env):
    # Epochs enough that the second model is still training when the Stop lands.
    at = _tiny(_page(), epochs=20)
    at.button(key="compare_start").click().run()
    done = EN["compare.state.done"].split("{")[0]
    _wait_for(at, lambda at: any(done in text for text in _texts(at, "markdown")))
    at.button(key="compare_stop").click().run()
    _ok(at)
    _wait_for(at, lambda at: not _running(at))
    stopped = EN["compare.result.stopped"].split("{")[0]
    warning = next(text for text in _texts(at, "warning") if text.startswith(stopped))
    assert warning.startswith(stopped + "1 of 4 models")
    assert len(at.get("image")) == 2  # the finished model's samples, the reference's figure
    assert EN["compare.findings.none"] in _texts(at, "info")
    statuses = sorted(s.status for s in RunStore(env).list())
    assert statuses == ["complete", "stopped"]
    # The same settings reuse the finished model and continue the stopped one.
    assert EN["compare.plan"].format(total=4, cached=1, todo=3) in _texts(at, "markdown")


# -- the worker and the view, without the page -----------------------------------------------


@pytest.mark.slow
def test_a_comparison_job_reports_every_row_and_reuses_them(tiny_data, tmp_path):
    store = RunStore(tmp_path / "runs")
    settings = CompareSettings(
        latent_dim=2, hidden=(8,), epochs=1, betas=(0.1,), iwae_k=4, iwae_images=8, fd_images=32
    )
    registry, executor = JobRegistry(), LocalExecutor(1)

    def run() -> ComparisonJob:
        job = ComparisonJob(
            tiny_data,
            store,
            settings,
            classifier_dir=tmp_path / "cls",
            device="cpu",
            executor=executor,
        )
        registry.start("s", job).join(JOB_TIMEOUT)
        return job

    first = run()
    snap = first.snapshot()
    assert snap.status == "complete", snap.error
    assert [row.phase for row in snap.rows] == ["done"] * 4
    assert all(row.worked for row in snap.rows)
    assert snap.comparison.columns() and snap.comparison.findings() is not None
    assert registry.get("s", "compare") is first and registry.get("s", "train") is None
    again = run().snapshot()
    assert [row.status for row in again.comparison.rows] == ["cached"] * 4
    assert not any(row.worked for row in again.rows)


def test_rows_are_named_in_each_language():
    beta = Contender("beta-vae-0.01", "beta-vae", "mse", beta=0.01)
    assert contender_name(Contender("gaussian-vae", "vae", "gaussian-unit"), "fr") == "VAE gaussien"
    assert contender_name(Contender("mse-vae", "vae", "mse"), "en") == "MSE VAE"
    assert contender_name(beta, "en") == "β-VAE, β = 0.01"
    assert contender_name(Contender("sigma-vae", "sigma-vae", "gaussian"), "en") == "σ-VAE"


def test_the_markdown_table_marks_the_best_value():
    rows = [
        Row(c, c.key, "trained", 1, {"elbo_bits_per_dim": bits})
        for c, bits in zip(contenders((0.1,)), (1.5, 1.4, 1.2, 1.3), strict=True)
    ]
    table = markdown_table(Comparison("mnist-5k", CompareSettings(betas=(0.1,)), rows), "fr")
    assert table.splitlines()[0] == "| Modèle | Époques | ELBO bits/dim ↓ |"
    assert "| β-VAE, β = 0,1 | 1 | **1,2** |" in table  # French decimal commas
