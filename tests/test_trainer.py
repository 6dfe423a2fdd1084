"""The training engine: learns, is reproducible, stops and continues exactly, fails clearly."""

import sys

import pytest
import torch

from vaelab.config import ModelConfig, TrainConfig
from vaelab.errors import TrainingError
from vaelab.models import ConvVAE
from vaelab.training.control import TrainingControl
from vaelab.training.trainer import Callback, Trainer


def make_trainer(data, epochs=2, seed=0, callbacks=(), control=None, variant="vae", **model):
    torch.manual_seed(seed)
    c, h, w = data.shape
    config = ModelConfig(
        variant=variant, latent_dim=4, hidden=(8, 16), channels=c, height=h, width=w, **model
    )
    return Trainer(
        ConvVAE(config),
        data.train_x,
        data.test_x,
        TrainConfig(epochs=epochs, batch_size=16, seed=seed),
        callbacks=callbacks,
        control=control,
        fixed_batch_size=4,
    )


@pytest.mark.slow
def test_a_few_epochs_lower_the_loss(tiny_data):
    trainer = make_trainer(tiny_data, epochs=1)
    before = trainer.evaluate()["loss"]
    result = trainer.fit(20)
    assert result.status == "complete" and result.epochs_done == 20
    assert result.history[-1]["test_loss"] < 0.7 * before
    record = result.history[-1]
    for key in ("train_loss", "train_recon", "train_kl", "test_mse", "time", "images_per_second"):
        assert key in record
    assert [r["epoch"] for r in result.history] == list(range(1, 21))
    assert record["time"] > result.history[0]["time"]


def test_sigma_vae_history_reports_sigma(tiny_data):
    result = make_trainer(tiny_data, epochs=1, variant="sigma-vae").fit()
    assert 0 < result.history[0]["test_sigma"] < 1


def test_same_seed_same_losses_and_weights(tiny_data):
    a, b = make_trainer(tiny_data), make_trainer(tiny_data)
    ha, hb = a.fit().history, b.fit().history
    strip = [{k: v for k, v in r.items() if k not in ("time", "images_per_second")} for r in ha]
    assert strip == [
        {k: v for k, v in r.items() if k not in ("time", "images_per_second")} for r in hb
    ]
    assert all(
        torch.equal(p, q) for p, q in zip(a.model.parameters(), b.model.parameters(), strict=True)
    )
    other = make_trainer(tiny_data, seed=1).fit().history
    assert other[-1]["train_loss"] != ha[-1]["train_loss"]


class StopAfter(Callback):
    def __init__(self, control, steps):
        self.control, self.steps = control, steps

    def on_step_end(self, trainer, state):
        if state.step == self.steps:
            self.control.stop()


def test_stop_mid_epoch_then_continue_equals_training_straight_through(tiny_data):
    """Stopping after step 9 of 18, saving and resuming in a new trainer changes nothing."""
    straight = make_trainer(tiny_data, epochs=3)
    straight.fit()

    control = TrainingControl()
    first = make_trainer(tiny_data, epochs=3, control=control, callbacks=[StopAfter(control, 9)])
    result = first.fit()
    assert result.status == "stopped" and first.step == 9 and first.epochs_done == 1
    tensors, meta, history = first.state_tensors(), first.state_meta(), list(first.history)
    weights = {k: v.clone() for k, v in first.model.state_dict().items()}

    resumed = make_trainer(tiny_data, epochs=3)
    resumed.model.load_state_dict(weights)
    resumed.load_state(tensors, meta, history)
    assert resumed.fit().status == "complete"
    for p, q in zip(straight.model.parameters(), resumed.model.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=0, atol=0)
    keys = ("train_loss", "test_loss", "test_kl")
    assert [[r[k] for k in keys] for r in straight.history] == [
        [r[k] for k in keys] for r in resumed.history
    ]


def test_stop_before_start_trains_nothing(tiny_data):
    control = TrainingControl()
    control.stop()
    trainer = make_trainer(tiny_data, control=control)
    assert trainer.fit().status == "stopped" and trainer.step == 0


def test_nan_loss_stops_with_a_clear_error_and_finite_weights(tiny_data):
    trainer = make_trainer(tiny_data)
    with torch.no_grad():
        trainer.model.to_posterior.bias.fill_(float("nan"))
    with pytest.raises(TrainingError, match=r"became nan at step 1 \(epoch 1\).*learning rate"):
        trainer.fit()


def test_callbacks_see_steps_epochs_and_live_reconstructions(tiny_data):
    seen = {"steps": 0, "epochs": [], "snapshots": []}

    class Spy(Callback):
        def on_step_end(self, trainer, state):
            seen["steps"] += 1
            assert 0 < state.fraction <= 1 and state.eta >= 0
            if state.step % 3 == 0:
                seen["snapshots"].append(trainer.reconstruct_fixed_batch().shape)

        def on_epoch_end(self, trainer, record):
            seen["epochs"].append(record["epoch"])

    trainer = make_trainer(tiny_data, callbacks=[Spy()])
    trainer.fit()
    assert seen["steps"] == 2 * trainer.steps_per_epoch == 12
    assert seen["epochs"] == [1, 2]
    assert seen["snapshots"] and set(seen["snapshots"]) == {(4, 1, 12, 12)}
    assert trainer.model.training  # a snapshot does not leave the model in eval mode


def test_partial_last_batch_uses_every_image(tiny_data):
    trainer = make_trainer(tiny_data)
    trainer.config = TrainConfig(epochs=1, batch_size=40, seed=0)
    assert trainer.steps_per_epoch == 3
    trainer.fit(1)
    assert trainer.history[0]["images_per_second"] > 0


def test_uint8_images_are_required(tiny_data):
    with pytest.raises(TypeError, match="uint8"):
        Trainer(ConvVAE(ModelConfig()), tiny_data.train_x.float(), tiny_data.test_x, TrainConfig())


def test_fused_adam_on_channels_last_weights_matches_the_reference_adam(tiny_data):
    # The fused kernel walks parameters, gradients and moments in memory order: any layout
    # mismatch between them (channels-last weights) would show up as diverging weights.
    fused = make_trainer(tiny_data, epochs=3)
    reference = make_trainer(tiny_data, epochs=3)
    reference.optimizer = torch.optim.Adam(reference.model.parameters(), lr=1e-3, foreach=False)
    assert fused.optimizer.defaults["fused"]
    fused.fit()
    reference.fit()
    for p, q in zip(fused.model.parameters(), reference.model.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=1e-4, atol=1e-5)


@pytest.fixture
def mallopt_calls(monkeypatch):
    """The calls to glibc's mallopt, recorded instead of made, from a process that made none."""
    from vaelab.training import memory

    calls = []
    monkeypatch.setattr(memory, "_retaining", False)
    monkeypatch.setattr(memory, "_mallopt", lambda: lambda *args: calls.append(args) or 1)
    return calls


def test_training_leaves_the_host_process_allocator_alone(tiny_data, mallopt_calls):
    make_trainer(tiny_data, epochs=1).fit()
    assert mallopt_calls == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_the_host_turns_memory_retention_on_once(mallopt_calls):
    from vaelab.training.memory import MMAP_THRESHOLD, TRIM_THRESHOLD, retain_freed_memory

    assert retain_freed_memory() and retain_freed_memory()
    assert sorted(value for _, value in mallopt_calls) == [MMAP_THRESHOLD, TRIM_THRESHOLD]
