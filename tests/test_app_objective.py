"""KL warm-up and free bits in the Train page's sidebar: trained with, in the run id, restored.

The two options of the training objective (issue #14 §5) sit in the sidebar's Advanced expander;
a run trained with them records them in its configuration (and so in its id), and a reload puts
them back in the widgets (:func:`vaelab.app.sidebar.widget_values`).
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from test_app_reload import ALICE, _tab, _training
from test_app_train import (
    MAIN,
    TIMEOUT,
    _app,
    _finished,
    _long_npz,
    _npz,
    _texts,
    _tiny_settings,
    _wait_for,
)
from vaelab.app import sidebar, widgets
from vaelab.app.jobs import REGISTRY
from vaelab.config import LIMITS
from vaelab.data import load_dataset
from vaelab.i18n.strings_en import EN
from vaelab.i18n.strings_fr import FR
from vaelab.runs import RunStore
from vaelab.training.experiment import build_config


@pytest.fixture(autouse=True)
def _no_training_left_behind():
    """A failed test must not leave a training running into the next test."""
    yield
    REGISTRY.stop_all()


@pytest.mark.parametrize(("lang", "strings"), [("en", EN), ("fr", FR)])
def test_their_defaults_and_papers(env, lang, strings):
    at = _app(lang)
    assert not at.exception
    warmup = at.sidebar.number_input(key="hp_kl_warmup")
    free_bits = at.sidebar.select_slider(key="hp_free_bits")
    # Free bits off; a short warm-up on: more of the default run's samples read as digits
    # (benchmarks/results/default_run.md).
    assert (warmup.value, free_bits.value) == (300, 0.0)
    assert (warmup.label, free_bits.label) == (
        strings["sidebar.kl_warmup"],
        strings["sidebar.free_bits"],
    )
    assert "Bowman et al. 2016" in warmup.help and "Kingma et al. 2016" in free_bits.help
    assert "ELBO" in warmup.help and "ELBO" in free_bits.help
    assert strings["train.surrogate_loss"] in _texts(at, "caption")
    # Gradient clipping to a norm of 1: the default run's samples read as digits in more seeds.
    clip = at.sidebar.select_slider(key="hp_grad_clip")
    assert (clip.value, clip.label) == (1.0, strings["sidebar.grad_clip"])
    assert "Pascanu et al. 2013" in clip.help
    # Their values are written in the page's language: "0,25" in French, not "0.25".
    assert clip.format_func(0.25) == ("0,25" if lang == "fr" else "0.25")
    assert free_bits.format_func(0.05) == ("0,05" if lang == "fr" else "0.05")


def test_their_choices_are_within_the_librarys_limits():
    for setting, choices in (("free_bits", widgets.FREE_BITS), ("grad_clip", widgets.GRAD_CLIPS)):
        low, high = getattr(LIMITS, setting)
        assert choices[0] == low == 0.0 and choices[-1] == high  # off, and the largest allowed
        assert list(choices) == sorted(set(choices))


def test_a_value_set_elsewhere_is_offered(env):
    # A value not among the choices (a training's, written by widget_values) must not break the
    # page: it is added to the slider's choices.
    at = AppTest.from_file(MAIN, default_timeout=TIMEOUT)
    at.session_state["hp_grad_clip"] = 3.0  # as the Train page writes it, before the sidebar
    at.run()
    assert not at.exception
    clip = at.sidebar.select_slider(key="hp_grad_clip")
    assert clip.value == 3.0 and "3" in clip.options


@pytest.mark.slow
def test_setting_them_trains_a_run_whose_config_has_them(env, tmp_path):
    path = _npz(tmp_path / "tiny.npz", 80)
    at = _tiny_settings(_app(), path)
    at.sidebar.number_input(key="hp_kl_warmup").set_value(400)
    at.sidebar.select_slider(key="hp_free_bits").set_value(0.25)
    at.sidebar.select_slider(key="hp_grad_clip").set_value(2.0)
    at.run()
    assert not at.exception
    assert EN["train.surrogate_loss"] in _texts(at, "caption")
    at.button(key="train").click().run()
    _wait_for(at, _finished)
    (summary,) = RunStore(env).list()
    trained = RunStore(env).load(summary.run_id).config
    assert (trained.train.kl_warmup, trained.train.free_bits) == (400, 0.25)
    assert trained.train.grad_clip == 2.0
    # They change what is learned, so they are part of the run's id: the same settings without
    # them are another run.
    data = load_dataset(str(path), tmp_path)
    variant = str(sidebar.DEFAULTS["hp_variant"])
    plain = build_config(data, variant=variant, latent_dim=2, hidden=(8,), epochs=1)
    assert summary.run_id != plain.run_id
    assert trained.run_id == summary.run_id


def test_widget_values_restore_them(tiny_data):
    config = build_config(tiny_data, latent_dim=2, hidden=(8,), kl_warmup=40, free_bits=0.5)
    values = sidebar.widget_values(config, "cpu")
    assert (values["hp_kl_warmup"], values["hp_free_bits"]) == (40, 0.5)
    assert set(values) <= set(sidebar.DEFAULTS)


@pytest.mark.slow
def test_a_reload_shows_the_running_trainings_warmup_and_free_bits(env, monkeypatch, tmp_path):
    at = _tiny_settings(_tab(monkeypatch, ALICE), _long_npz(tmp_path / "many.npz"), epochs=50)
    at.sidebar.number_input(key="hp_kl_warmup").set_value(1000)
    at.sidebar.select_slider(key="hp_free_bits").set_value(0.1)
    at.run().button(key="train").click().run()
    _wait_for(at, lambda at: bool(at.metric))
    reloaded = _tab(monkeypatch, ALICE)
    assert not reloaded.exception and _training(reloaded)
    assert reloaded.sidebar.number_input(key="hp_kl_warmup").value == 1000
    assert reloaded.sidebar.select_slider(key="hp_free_bits").value == pytest.approx(0.1)
