"""Runs are cached by their hyperparameters, continued, stopped and reloaded."""

import pytest
import torch

from vaelab.errors import ConfigError
from vaelab.runs import RunStore
from vaelab.training.control import TrainingControl
from vaelab.training.experiment import build_config, open_run, train
from vaelab.training.trainer import Callback

SMALL = {"latent_dim": 4, "hidden": (8, 16), "batch_size": 16}


@pytest.fixture
def store(tmp_path):
    return RunStore(tmp_path / "runs")


@pytest.mark.slow
def test_train_caches_and_reloads(tiny_data, store):
    config = build_config(tiny_data, epochs=2, **SMALL)
    first = train(config, tiny_data, store=store, device="cpu")
    assert first.status == "complete" and first.resumed_from == 0
    assert first.run.epochs_done == 2 and len(first.run.history) == 2
    again = train(config, tiny_data, store=store, device="cpu")
    assert again.status == "cached" and again.run.history == first.run.history
    x = tiny_data.test_x[:4].float() / 255
    assert torch.equal(again.model.reconstruct(x), first.model.reconstruct(x))
    run, model = open_run(store, config.run_id)
    assert torch.equal(model.reconstruct(x), first.model.reconstruct(x))


@pytest.mark.slow
def test_more_epochs_continue_the_run_exactly(tiny_data, store, tmp_path):
    config = build_config(tiny_data, epochs=2, **SMALL)
    train(config, tiny_data, store=store, device="cpu")
    continued = train(config.with_epochs(3), tiny_data, store=store, device="cpu")
    assert continued.status == "complete" and continued.resumed_from == 2
    assert continued.run.run_id == config.run_id and continued.run.epochs_done == 3

    straight = train(
        config.with_epochs(3), tiny_data, store=RunStore(tmp_path / "other"), device="cpu"
    )
    assert [r["test_loss"] for r in straight.run.history] == [
        r["test_loss"] for r in continued.run.history
    ]


@pytest.mark.slow
def test_stopped_run_is_saved_and_can_be_continued(tiny_data, store):
    control = TrainingControl()

    class StopAtStep(Callback):
        def on_step_end(self, trainer, state):
            if state.step == 8:
                control.stop()

    config = build_config(tiny_data, epochs=3, **SMALL)
    outcome = train(
        config, tiny_data, store=store, device="cpu", control=control, callbacks=[StopAtStep()]
    )
    assert outcome.status == "stopped" and outcome.run.epochs_done == 1
    assert store.load(config.run_id).status == "stopped"
    finished = train(config, tiny_data, store=store, device="cpu")
    assert finished.status == "complete" and finished.run.epochs_done == 3


def test_retrain_starts_from_scratch(tiny_data, store):
    config = build_config(tiny_data, epochs=1, **SMALL)
    train(config, tiny_data, store=store, device="cpu")
    again = train(config, tiny_data, store=store, device="cpu", retrain=True)
    assert again.status == "complete" and again.resumed_from == 0


def test_data_must_match_the_config(tiny_data, store):
    config = build_config(tiny_data, epochs=1, **SMALL)
    other = type(tiny_data).create(
        "tiny",
        (tiny_data.train_x.flip(0), tiny_data.train_y, tiny_data.test_x, tiny_data.test_y),
        tiny_data.classes,
    )
    with pytest.raises(ConfigError, match="differ from those this run was trained on"):
        train(config, other, store=store)


def test_build_config_validates(tiny_data):
    with pytest.raises(ConfigError, match="latent size"):
        build_config(tiny_data, latent_dim=0)
    config = build_config(tiny_data, variant="sigma-vae", **SMALL)
    assert config.model.image_shape == (1, 12, 12)
    assert config.data.fingerprint == tiny_data.fingerprint


def test_bf16_is_a_run_of_its_own_and_fp32_keeps_every_id(tiny_data):
    fp32 = build_config(tiny_data, **SMALL)
    assert build_config(tiny_data, precision="fp32", **SMALL).run_id == fp32.run_id
    assert "precision" not in fp32.identity()["train"]
    assert build_config(tiny_data, precision="bf16", **SMALL).run_id != fp32.run_id
    with pytest.raises(ConfigError, match="precision must be one of: fp32, bf16, got 'fp16'"):
        build_config(tiny_data, precision="fp16", **SMALL)


def test_bf16_autocast_trains_on_the_cpu_too(tiny_data, store):
    config = build_config(tiny_data, epochs=1, precision="bf16", **SMALL)
    run = train(config, tiny_data, store=store, device="cpu").run
    fp32 = train(
        build_config(tiny_data, epochs=1, **SMALL), tiny_data, store=store, device="cpu"
    ).run
    assert run.history[0]["test_loss"] == pytest.approx(fp32.history[0]["test_loss"], rel=0.05)
    assert run.history[0]["test_loss"] != fp32.history[0]["test_loss"]
