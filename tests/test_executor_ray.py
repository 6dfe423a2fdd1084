"""The Ray executor on a local Ray instance: a training and a comparison, with Stop.

Ray starts its own processes on the loopback address only (two CPUs, no dashboard); the whole
module takes a minute or more on two cores, so it is slow. It skips where Ray is not installed
(``pip install "vaelab[cluster]"``).
"""

from __future__ import annotations

import numpy as np
import pytest

from vaelab.compare import CompareSettings, run_comparison
from vaelab.jobs.spec import CompareSpec, TrainDone, TrainSpec
from vaelab.runs import RunStore
from vaelab.training.experiment import build_config

ray = pytest.importorskip("ray")

pytestmark = pytest.mark.slow

#: Seconds a Ray worker may take to start and train a tiny model on a loaded machine.
TIMEOUT = 240


@pytest.fixture(scope="module")
def executor():
    from vaelab.jobs.cluster import RayExecutor

    ray.init(
        num_cpus=2,
        include_dashboard=False,
        _node_ip_address="127.0.0.1",
        object_store_memory=200 * 1024**2,
        log_to_driver=False,
    )
    try:
        yield RayExecutor(threads=1)
    finally:
        ray.shutdown()


def _until(handle, want) -> list:
    """Every event until one that ``want`` accepts (failing if the job ends first)."""
    seen = handle.wait(TIMEOUT, until=want)
    assert seen and want(seen[-1]), f"the job ended first: {handle.final}"
    return seen


def _settings(epochs: int = 1) -> CompareSettings:
    return CompareSettings(
        latent_dim=2, hidden=(8,), epochs=epochs, betas=(0.1,), iwae_k=4, iwae_images=8,
        fd_images=0, samples=4,
    )  # fmt: skip


def test_a_training_runs_on_ray_reports_live_and_stops(executor, tiny_data, tmp_path):
    config = build_config(tiny_data, latent_dim=2, hidden=(8,), epochs=2, batch_size=16)
    handle = executor.submit(TrainSpec(config, tiny_data, tmp_path, "cpu"))
    events = handle.wait(TIMEOUT)
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "running" and kinds[-1] == "done"
    assert {"start", "step", "grid", "latent", "epoch"} <= set(kinds)
    points, labels, *_ = next(value for kind, value in events if kind == "latent")
    assert points.shape == (len(tiny_data.test_x), 2) and points.dtype == np.float32
    np.testing.assert_array_equal(labels, tiny_data.test_y.numpy())
    done = events[-1][1]
    assert isinstance(done, TrainDone) and done.status == "complete"
    assert RunStore(tmp_path).load(config.run_id).epochs_done == 2

    long = build_config(tiny_data, latent_dim=4, hidden=(8,), epochs=500, batch_size=8)
    handle = executor.submit(TrainSpec(long, tiny_data, tmp_path, "cpu"))
    _until(handle, lambda e: e[0] == "step")
    handle.send("pause")
    _until(handle, lambda e: e == ("paused", True))
    handle.send("stop")
    kind, done = handle.wait(TIMEOUT)[-1]
    assert kind == "done" and done.status == "stopped"
    assert RunStore(tmp_path).load(long.run_id).status == "stopped"


def test_a_dead_actor_is_reported(executor, tiny_data, tmp_path):
    config = build_config(tiny_data, latent_dim=2, hidden=(8,), epochs=500, batch_size=8)
    handle = executor.submit(TrainSpec(config, tiny_data, tmp_path, "cpu"))
    _until(handle, lambda e: e[0] == "epoch")
    ray.kill(handle._actor)
    kind, message = handle.wait(TIMEOUT)[-1]
    assert kind == "lost"
    assert message.startswith("the training process ended unexpectedly (Ray: ")
    epochs = RunStore(tmp_path).summary(config.run_id).epochs_done
    assert message.endswith(f"the run is saved at epoch {epochs}") and epochs >= 1


def test_a_comparison_runs_on_ray_and_stops(executor, tiny_data, tmp_path):
    spec = CompareSpec(tiny_data, tmp_path / "runs", _settings(), tmp_path / "cls", "cpu")
    events = executor.submit(spec).wait(TIMEOUT)
    kind, comparison = events[-1]
    assert kind == "done" and not comparison.stopped
    assert [row.status for row in comparison.rows] == ["trained"] * len(comparison.rows)
    assert all(row.samples is not None and row.metrics for row in comparison.rows)
    assert any(kind == "compare" for kind, _ in events)

    long = CompareSpec(tiny_data, tmp_path / "runs", _settings(500), tmp_path / "cls", "cpu")
    handle = executor.submit(long)
    _until(handle, lambda e: e[0] == "compare" and e[1].phase == "train" and e[1].detail)
    handle.send("stop")
    kind, comparison = handle.wait(TIMEOUT)[-1]
    assert kind == "done" and comparison.stopped
    assert comparison.rows[0].status == "stopped"


def test_the_models_of_a_comparison_train_side_by_side(executor, tiny_data, tmp_path):
    from vaelab.jobs.parallel import train_contenders

    settings, runs = _settings(), tmp_path / "runs"
    seen: list[list[float]] = []
    train_contenders(executor, tiny_data, runs, settings, device="cpu", progress=seen.append)
    assert seen[-1] == [1.0] * len(seen[-1])
    # Every model is in the runs folder: the comparison only measures them.
    comparison = run_comparison(
        tiny_data, RunStore(runs), settings, device="cpu", classifier_dir=tmp_path / "cls"
    )
    assert [row.status for row in comparison.rows] == ["cached"] * len(comparison.rows)
