"""Pausing, stepping and stopping a training: exact, thread-safe, paused time is not training."""

import threading
import time

import pytest
import torch

from vaelab.config import ModelConfig, TrainConfig
from vaelab.models import ConvVAE
from vaelab.runs import RunStore
from vaelab.training.control import TrainingControl
from vaelab.training.experiment import build_config, train
from vaelab.training.trainer import Callback, Trainer

#: Long enough for a held trainer to have taken a step it should not have.
SETTLE = 0.3


def make_trainer(data, control=None, callbacks=()):
    torch.manual_seed(0)
    c, h, w = data.shape
    config = ModelConfig(latent_dim=4, hidden=(8,), channels=c, height=h, width=w)
    return Trainer(
        ConvVAE(config),
        data.train_x,
        data.test_x,
        TrainConfig(epochs=2, batch_size=16, seed=0),
        control=control,
        callbacks=callbacks,
        fixed_batch_size=4,
    )


class Steps(Callback):
    """Records every step's state; pauses the control after step ``pause_at``."""

    def __init__(self, control=None, pause_at=None):
        self.control, self.pause_at = control, pause_at
        self.states = []
        self.changed = threading.Condition()

    def on_step_end(self, trainer, state):
        with self.changed:
            self.states.append(state)
            self.changed.notify_all()
        if state.step == self.pause_at:
            self.control.pause()

    def wait_for(self, step, timeout=60.0):
        with self.changed:
            assert self.changed.wait_for(lambda: self.steps >= step, timeout), self.steps

    @property
    def steps(self):
        return self.states[-1].step if self.states else 0


def in_thread(target):
    result = {}
    thread = threading.Thread(target=lambda: result.update(value=target()), daemon=True)
    thread.start()
    return thread, result


def without_times(history):
    return [{k: v for k, v in r.items() if k not in ("time", "images_per_second")} for r in history]


def test_commands_and_their_effect_on_wait_to_step():
    control = TrainingControl()
    assert control.wait_to_step() and not control.paused and not control.stopped
    control.step(2)
    assert control.paused and control.steps_left == 2
    assert control.wait_to_step() and control.wait_to_step() and control.steps_left == 0
    control.resume()
    assert not control.paused and control.wait_to_step()
    control.stop()
    assert control.stopped and not control.wait_to_step()


@pytest.mark.parametrize("n", [0, -1, 1.5, True, "2"])
def test_step_refuses_what_is_not_a_positive_whole_number(n):
    with pytest.raises(ValueError, match="whole number of steps of at least 1"):
        TrainingControl().step(n)


def test_a_paused_trainer_waits_until_stopped_from_another_thread():
    control = TrainingControl()
    control.pause()
    thread, result = in_thread(control.wait_to_step)
    thread.join(SETTLE)
    assert thread.is_alive()
    control.stop()
    thread.join(10)
    assert result == {"value": False}


def test_pause_step_resume_gives_the_same_run_as_training_straight_through(tiny_data):
    straight = make_trainer(tiny_data)
    straight.fit()

    control = TrainingControl()
    steps = Steps(control, pause_at=3)
    trainer = make_trainer(tiny_data, control, [steps])
    thread, result = in_thread(trainer.fit)
    steps.wait_for(3)
    time.sleep(SETTLE)
    assert steps.steps == 3  # held
    control.step(2)
    steps.wait_for(5)
    time.sleep(SETTLE)
    assert steps.steps == 5 and control.paused  # exactly two steps, then held again
    control.step()
    steps.wait_for(6)
    time.sleep(SETTLE)
    assert steps.steps == 6
    control.resume()
    thread.join(60)
    assert result["value"].status == "complete"
    assert without_times(trainer.history) == without_times(straight.history)
    for p, q in zip(straight.model.parameters(), trainer.model.parameters(), strict=True):
        assert torch.equal(p, q)


def test_time_paused_counts_in_neither_elapsed_nor_speed(tiny_data):
    control = TrainingControl()
    steps = Steps(control, pause_at=2)
    trainer = make_trainer(tiny_data, control, [steps])
    thread, _ = in_thread(lambda: trainer.fit(1))
    steps.wait_for(2)
    time.sleep(1.0)
    control.resume()
    thread.join(60)
    before, after = steps.states[1], steps.states[2]
    # One small step takes milliseconds; a second held would show in full.
    assert after.elapsed - before.elapsed < 0.5
    assert trainer.train_time < 0.5 * trainer.steps_per_epoch
    assert after.images_per_second > 16 / 0.5


@pytest.mark.slow
def test_stop_while_paused_saves_a_run_that_continues_exactly(tiny_data, tmp_path):
    store = RunStore(tmp_path / "runs")
    config = build_config(tiny_data, latent_dim=4, hidden=(8,), epochs=2, batch_size=16)
    straight = train(config, tiny_data, store=RunStore(tmp_path / "other"), device="cpu")

    control = TrainingControl()
    steps = Steps(control, pause_at=4)
    thread, result = in_thread(
        lambda: train(
            config, tiny_data, store=store, device="cpu", control=control, callbacks=[steps]
        )
    )
    steps.wait_for(4)
    control.stop()
    thread.join(60)
    assert result["value"].status == "stopped" and steps.steps == 4
    assert store.load(config.run_id).status == "stopped"

    continued = train(config, tiny_data, store=store, device="cpu")
    assert continued.status == "complete" and continued.run.epochs_done == 2
    assert without_times(continued.run.history) == without_times(straight.run.history)
    assert continued.run.curve == straight.run.curve
