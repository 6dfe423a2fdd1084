"""The app's jobs without Streamlit: clients of an executor, kept per owner in a registry.

Each training runs in a worker process of a :class:`LocalExecutor` (a fresh Python that imports
torch: seconds on a loaded two-core machine), so the tests that train are marked slow.
"""

from __future__ import annotations

import os
import signal
import time

import numpy as np
import pytest

from vaelab.app import jobs
from vaelab.app.jobs import JobRegistry
from vaelab.app.training_job import TrainingJob
from vaelab.data import ImageDataset
from vaelab.data.dataset import Splits
from vaelab.jobs.local import LocalExecutor
from vaelab.jobs.worker import LATENT_POINTS
from vaelab.runs import RunStore
from vaelab.training.experiment import build_config

#: Seconds a worker may take to start and train a tiny model on a loaded machine.
TIMEOUT = 120
#: Seconds to watch a paused training take no step (a step takes well under this, even loaded).
SETTLE_S = 1.0


def _until(condition, what: str, timeout: float = TIMEOUT) -> None:
    """Poll ``condition()`` until it holds, failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


def _long(tiny_data, latent: int = 2):
    return build_config(tiny_data, latent_dim=latent, hidden=(8,), epochs=500, batch_size=8)


def _steps(job: TrainingJob) -> int:
    snap = job.snapshot()
    return 0 if snap.step is None else snap.step.step


@pytest.mark.slow
def test_a_job_is_paused_stepped_and_stopped_by_its_owner_only(tiny_data, tmp_path):
    store = RunStore(tmp_path / "runs")
    registry = JobRegistry()
    config = _long(tiny_data)
    job = TrainingJob(config, tiny_data, store, device="cpu", executor=LocalExecutor(1))
    assert registry.start("alice", job) is job
    assert job.snapshot().config == config  # known before the worker says anything
    _until(lambda: _steps(job) > 0 and job.snapshot().latent is not None, "a first step")
    assert registry.active_jobs() == [("alice", job)]

    # Another owner reaches nothing: no job of its own, and Alice's is not touched.
    assert not registry.send("bob", "train", "stop")
    assert not registry.send("bob", "train", "pause")
    assert registry.get("bob", "train") is None
    assert registry.send("alice", "train", "pause")
    _until(lambda: job.snapshot().paused, "the worker to hold")
    held = _steps(job)
    time.sleep(SETTLE_S)
    assert _steps(job) - held <= 1, "only the step under way when paused may still end"
    held = _steps(job)
    time.sleep(SETTLE_S)
    assert _steps(job) == held, "a paused training takes no step"
    assert job.active and job.snapshot().status == "running"

    job.step(2)
    _until(lambda: _steps(job) == held + 2, "two more steps")
    time.sleep(SETTLE_S)
    assert _steps(job) == held + 2
    job.resume()
    _until(lambda: not job.snapshot().paused and _steps(job) > held + 4, "steps after resume")

    snap = job.snapshot()
    n = min(LATENT_POINTS, len(tiny_data.test_x))
    assert snap.latent.shape == (n, 2) and snap.latent.dtype == np.float32
    np.testing.assert_array_equal(snap.latent_labels, tiny_data.test_y[:n].numpy())
    assert snap.latent_epoch >= 0 and snap.grid is not None and snap.curve

    assert registry.send("alice", "train", "stop")
    job.join(TIMEOUT)
    snap = job.snapshot()
    assert snap.status == "stopped" and not snap.paused and not job.active
    assert snap.outcome.run.status == "stopped"
    assert snap.outcome.run.epochs_done == len(snap.history)
    assert store.load(config.run_id).status == "stopped"
    assert registry.active_jobs() == []


@pytest.mark.slow
def test_jobs_queue_behind_the_workers_and_can_leave_the_queue(tiny_data, tmp_path):
    store = RunStore(tmp_path / "runs")
    executor = LocalExecutor(1)
    first = TrainingJob(_long(tiny_data), tiny_data, store, device="cpu", executor=executor)
    second = TrainingJob(_long(tiny_data, 4), tiny_data, store, device="cpu", executor=executor)
    first.start(), second.start()
    _until(lambda: second.snapshot().queue_position == 1, "the second job to queue")
    assert second.snapshot().status == "queued"
    second.stop()
    second.join(10)
    assert second.snapshot().status == "cancelled"
    _until(lambda: first.snapshot().step is not None, "the first job to train")
    first.stop()
    first.join(TIMEOUT)
    assert first.snapshot().status == "stopped"


@pytest.mark.slow
def test_an_owner_has_one_active_job_of_a_kind(tiny_data, tmp_path):
    store = RunStore(tmp_path / "runs")
    registry = JobRegistry()
    executor = LocalExecutor(1)
    config = _long(tiny_data)
    first = registry.start("s", TrainingJob(config, tiny_data, store, executor=executor))
    other = TrainingJob(config, tiny_data, store, device="cpu", executor=executor)
    assert registry.start("s", other) is first
    assert other.handle is None and not other.thread.is_alive()
    registry.stop_all(TIMEOUT)
    assert not first.active and registry.get("s", "train") is first


@pytest.mark.slow
def test_a_killed_worker_ends_the_job_with_a_clear_error(tiny_data, tmp_path):
    store = RunStore(tmp_path / "runs")
    job = TrainingJob(_long(tiny_data), tiny_data, store, device="cpu", executor=LocalExecutor(1))
    job.start()
    _until(lambda: len(job.snapshot().history) >= 1, "a first epoch")
    os.kill(job.handle.pid, signal.SIGKILL)
    job.join(TIMEOUT)
    snap = job.snapshot()
    epochs = store.summary(job.run_id).epochs_done
    assert snap.status == "error" and not job.active
    assert snap.error == (
        f"the training process ended unexpectedly (exit code -{signal.SIGKILL.value}); "
        f"the run is saved at epoch {epochs}"
    )


@pytest.mark.slow
def test_training_errors_are_reported_not_raised(tiny_data, tmp_path):
    config = build_config(tiny_data, latent_dim=2, hidden=(8,), epochs=1)
    inverted = Splits(255 - tiny_data.train_x, None, 255 - tiny_data.test_x, None)
    other_images = ImageDataset.create("tiny", inverted, None)
    job = TrainingJob(config, other_images, RunStore(tmp_path), executor=LocalExecutor(1))
    job.start().join(TIMEOUT)
    snap = job.snapshot()
    assert snap.status == "error"
    assert "differ" in snap.error


def test_an_executor_that_cannot_be_made_is_the_jobs_error(tiny_data, tmp_path, monkeypatch):
    monkeypatch.setattr(jobs, "_executor", None)
    monkeypatch.setenv("VAELAB_WORKERS", "many")
    config = build_config(tiny_data, latent_dim=2, hidden=(8,), epochs=1)
    job = TrainingJob(config, tiny_data, RunStore(tmp_path)).start()
    snap = job.snapshot()
    assert snap.status == "error" and not job.active
    assert snap.error.startswith("VAELAB_WORKERS must be a whole number")


def test_commands_are_checked():
    with pytest.raises(ValueError, match="unknown job command 'start'"):
        JobRegistry().send("s", "train", "start")


@pytest.mark.parametrize("ray", [None, "ray://head:10001"])
def test_vaelab_app_hands_the_ray_address_to_the_server(monkeypatch, ray):
    import subprocess

    from vaelab.cli import main

    monkeypatch.setenv("VAELAB_RAY_ADDRESS", "from-the-shell")
    started = {}

    class Server:
        def __init__(self, command, env):
            started.update(env, command=command)

        def wait(self):
            return 0

    monkeypatch.setattr(subprocess, "Popen", Server)
    assert main(["app", *(["--ray", ray] if ray else [])]) == 0
    assert started["VAELAB_RAY_ADDRESS"] == (ray or "from-the-shell")
    assert started["command"][1:3] == ["-m", "vaelab.app.launch"]
