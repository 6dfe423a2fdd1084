"""The local executor: trainings in worker processes, a few at once, driven by commands.

Every job here starts a fresh Python process (the ``spawn`` method imports torch again), which
takes a few seconds on a loaded two-core machine, so most tests are marked slow.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import time
from types import SimpleNamespace

import pytest
import torch

from vaelab.data import ImageDataset
from vaelab.data.dataset import Splits
from vaelab.errors import ConfigError
from vaelab.jobs.executor import MAX_WORKERS, JobHandle, default_workers, workers_from_env
from vaelab.jobs.local import LocalExecutor
from vaelab.jobs.spec import TrainDone, TrainSpec
from vaelab.runs import RunStore
from vaelab.training.experiment import build_config, train

#: Seconds a worker may take to start and train a tiny model on a loaded machine.
TIMEOUT = 120
#: Seconds to watch a paused training take no step (a step takes well under this, even loaded).
SETTLE_S = 1.0


def _until(handle, want) -> list:
    """Every event until one that ``want`` accepts (failing if the job ends first)."""
    seen = handle.wait(TIMEOUT, until=want)
    assert seen and want(seen[-1]), f"the job ended first: {handle.final}"
    return seen


def _steps(events) -> list[int]:
    return [value.step for kind, value in events if kind == "step"]


def _long(tiny_data, latent: int = 2):
    """A training far too long to finish during a test: 12 steps an epoch, 500 epochs."""
    return build_config(tiny_data, latent_dim=latent, hidden=(8,), epochs=500, batch_size=8)


def test_workers_come_from_the_environment_or_the_machine():
    assert 1 <= default_workers() <= MAX_WORKERS
    assert workers_from_env({}) == default_workers()
    assert workers_from_env({"VAELAB_WORKERS": " 3 "}) == 3
    for bad in ("0", "-1", "two", "1.5", str(MAX_WORKERS + 1)):
        with pytest.raises(ConfigError, match="VAELAB_WORKERS must be a whole number"):
            workers_from_env({"VAELAB_WORKERS": bad})


class _Scripted(JobHandle):
    """A handle whose polls return the given batches of events, one batch a call."""

    def __init__(self, *batches):
        super().__init__(spec=None)
        self.batches = list(batches)

    def _poll(self):
        return self.batches.pop(0) if self.batches else []

    def _send(self, command, n):
        pass


def test_wait_keeps_the_events_after_the_one_it_stopped_at():
    step = [("step", 1), ("step", 2), ("paused", True), ("step", 3)]
    handle = _Scripted(step, [("step", 4), ("done", None), ("late", None)])
    assert handle.wait(1, until=lambda e: e == ("step", 1)) == step[:1]
    assert handle.wait(1, until=lambda e: e[0] == "paused") == step[1:3]
    assert handle.poll() == [("step", 3), ("step", 4), ("done", None)]
    assert handle.final == ("done", None) and not handle.alive
    assert handle.poll() == [] and handle.wait(1) == []


def test_wait_stopped_before_the_final_event_hands_it_on():
    handle = _Scripted([("step", 1), ("done", None)])
    assert handle.wait(1, until=lambda e: e[0] == "step") == [("step", 1)]
    assert handle.wait(1) == [("done", None)] and handle.final == ("done", None)


class _Unstarted:
    """A spawn context whose processes record their arguments and never start."""

    def __init__(self):
        self.spawn = multiprocessing.get_context("spawn")
        self.processes = []

    def Queue(self):  # noqa: N802 - the name of the context's method
        return self.spawn.Queue()

    def Process(self, target, args, **options):  # noqa: N802
        process = SimpleNamespace(target=target, args=args, pid=None, start=lambda: None)
        self.processes.append(process)
        return process


def test_the_spec_and_early_commands_go_through_the_queue_not_the_spawn_pipe(tiny_data, tmp_path):
    # The spawn pipe is written before start() returns, and read by the new Python only once it
    # has imported torch: a dataset in the arguments made the click on Train wait seconds.
    executor, context = LocalExecutor(workers=1), _Unstarted()
    executor._context = context
    spec = TrainSpec(_long(tiny_data), tiny_data, tmp_path, "cpu")
    queued = executor.submit(TrainSpec(_long(tiny_data, latent=4), tiny_data, tmp_path, "cpu"))
    handle = executor.submit(spec)
    handle.send("pause")
    handle.send("step", 3)
    executor.release(queued)  # the first job ends: the second one is handed to its worker

    (_, second) = context.processes
    threads, events, commands = second.args
    assert threads == executor.threads
    assert not any(isinstance(arg, bytes | TrainSpec | ImageDataset) for arg in second.args)
    sent = pickle.loads(commands.get(timeout=5))
    assert sent.config == spec.config and torch.equal(sent.data.train_x, tiny_data.train_x)
    assert [commands.get(timeout=5) for _ in range(2)] == [("pause", 1), ("step", 3)]


@pytest.mark.slow
def test_two_workers_train_at_once_and_save_the_same_runs_as_in_process(tiny_data, tmp_path):
    executor = LocalExecutor(workers=2)
    configs = [
        build_config(tiny_data, latent_dim=latent, hidden=(8,), epochs=2, batch_size=16)
        for latent in (2, 4)
    ]
    handles = [
        executor.submit(TrainSpec(config, tiny_data, tmp_path / "jobs", "cpu"))
        for config in configs
    ]
    # Both started at once: each has its process, neither waits in the queue.
    assert all(handle.pid is not None for handle in handles)
    assert len({handle.pid for handle in handles}) == 2
    finals = [handle.wait(TIMEOUT)[-1] for handle in handles]
    assert [kind for kind, _ in finals] == ["done", "done"]
    assert [value.status for _, value in finals] == ["complete", "complete"]

    jobs, alone = RunStore(tmp_path / "jobs"), RunStore(tmp_path / "alone")
    threads = torch.get_num_threads()
    torch.set_num_threads(executor.threads)  # the same thread count as the workers
    try:
        for config in configs:
            train(config, tiny_data, store=alone, device="cpu")
    finally:
        torch.set_num_threads(threads)
    for config in configs:
        (ran, model), (ref, ref_model) = (
            jobs.load_model(config.run_id),
            alone.load_model(config.run_id),
        )
        assert ran.epochs_done == ref.epochs_done == 2
        losses = [{k: v for k, v in r.items() if "loss" in k} for r in ran.history]
        assert losses == [{k: v for k, v in r.items() if "loss" in k} for r in ref.history]
        for name, tensor in ref_model.state_dict().items():
            assert torch.equal(model.state_dict()[name], tensor), name


@pytest.mark.slow
def test_pause_step_resume_and_stop_reach_the_worker(tiny_data, tmp_path):
    config = _long(tiny_data)
    handle = LocalExecutor(workers=1).submit(TrainSpec(config, tiny_data, tmp_path, "cpu"))
    seen = _until(handle, lambda e: e[0] == "step")
    handle.send("pause")
    seen += _until(handle, lambda e: e == ("paused", True))
    held = _steps(seen)[-1]
    time.sleep(SETTLE_S)
    late = _steps(handle.poll())
    assert late in ([], [held + 1]), "only the step under way when paused may still end"
    held = (late or [held])[-1]
    time.sleep(SETTLE_S)
    assert not _steps(handle.poll()), "a paused training takes no step"

    handle.send("step", 3)
    _until(handle, lambda e: e[0] == "step" and e[1].step == held + 3)
    time.sleep(SETTLE_S)
    assert not _steps(handle.poll()), "after step(3) it holds again"

    handle.send("resume")
    _until(handle, lambda e: e[0] == "step" and e[1].step > held + 6)
    handle.send("stop")
    kind, done = handle.wait(TIMEOUT)[-1]
    assert kind == "done" and isinstance(done, TrainDone) and done.status == "stopped"
    saved = RunStore(tmp_path).load(config.run_id)
    assert saved.status == "stopped" and saved.epochs_done < 500


@pytest.mark.slow
def test_jobs_beyond_the_workers_wait_in_order_and_can_leave(tiny_data, tmp_path):
    executor = LocalExecutor(workers=1)
    first = executor.submit(TrainSpec(_long(tiny_data), tiny_data, tmp_path, "cpu"))
    second = executor.submit(TrainSpec(_long(tiny_data, 4), tiny_data, tmp_path, "cpu"))
    third = executor.submit(TrainSpec(_long(tiny_data, 6), tiny_data, tmp_path, "cpu"))
    assert second.pid is None and third.pid is None
    assert second.poll() == [("queued", 1)]
    assert third.poll() == [("queued", 2)]
    second.send("stop")
    assert second.poll() == [("cancelled", None)] and not second.alive
    assert third.poll() == [("queued", 1)]
    _until(first, lambda e: e[0] == "step")
    first.send("stop")
    assert first.wait(TIMEOUT)[-1][0] == "done"
    # The first job's worker is free: the third starts.
    _until(third, lambda e: e[0] == "step")
    third.send("stop")
    assert third.wait(TIMEOUT)[-1][0] == "done"


@pytest.mark.slow
def test_a_killed_worker_is_reported_with_the_epoch_its_run_keeps(tiny_data, tmp_path):
    config = _long(tiny_data)
    handle = LocalExecutor(workers=1).submit(TrainSpec(config, tiny_data, tmp_path, "cpu"))
    _until(handle, lambda e: e[0] == "epoch" and e[1]["epoch"] >= 2)
    os.kill(handle.pid, signal.SIGKILL)
    kind, message = handle.wait(TIMEOUT)[-1]
    epochs = RunStore(tmp_path).summary(config.run_id).epochs_done
    assert kind == "lost" and epochs >= 1
    assert message == (
        f"the training process ended unexpectedly (exit code -{signal.SIGKILL.value}); "
        f"the run is saved at epoch {epochs}"
    )


@pytest.mark.slow
def test_errors_in_the_worker_are_its_last_event(tiny_data, tmp_path):
    config = build_config(tiny_data, latent_dim=2, hidden=(8,), epochs=1)
    inverted = Splits(255 - tiny_data.train_x, None, 255 - tiny_data.test_x, None)
    other_images = ImageDataset.create("tiny", inverted, None)
    handle = LocalExecutor(workers=1).submit(TrainSpec(config, other_images, tmp_path, "cpu"))
    kind, message = handle.wait(TIMEOUT)[-1]
    assert kind == "error" and "differ" in message
