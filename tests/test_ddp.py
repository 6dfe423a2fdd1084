"""torchrun + DistributedDataParallel: 2 CPU ranks (gloo) train the run one process would.

The ranks draw their own sampling noise, so per-epoch losses match a one-process run within
:data:`TOLERANCE` (relative), not bit for bit.
"""

import os
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import blobs
from vaelab.cli import main
from vaelab.errors import ConfigError
from vaelab.runs import RunStore
from vaelab.training.distributed import Distributed, from_environment

#: Relative difference allowed between the 2-rank and the 1-process per-epoch losses.
TOLERANCE = 0.03
TRAIN = [
    "--model",
    "vae",
    "--latent",
    "2",
    "--hidden",
    "8",
    "--batch-size",
    "16",
    "--device",
    "cpu",
]


@pytest.fixture
def dataset(tmp_path):
    images, labels = blobs(160)
    path = tmp_path / "tiny.npz"
    np.savez(path, x=images[:, 0], y=labels)
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _torchrun(args, **popen):
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc-per-node",
        "2",
        "--rdzv-backend",
        "c10d",
        "--rdzv-endpoint",
        f"127.0.0.1:{_free_port()}",
        "-m",
        "vaelab",
        *args,
    ]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **popen
    )


def _train_args(dataset, runs, epochs):
    data = ["--dataset", str(dataset), "--data-dir", str(dataset.parent / "data")]
    return ["train", *data, *TRAIN, "--epochs", str(epochs), "--runs-dir", str(runs)]


def _only_run(runs):
    (summary,) = RunStore(runs).list()
    return RunStore(runs).load(summary.run_id)


@pytest.mark.slow
def test_two_ranks_train_what_one_process_trains_and_the_run_continues(dataset, tmp_path):
    assert main(_train_args(dataset, tmp_path / "one", 2)) == 0
    one = _only_run(tmp_path / "one")

    ranks = _torchrun(_train_args(dataset, tmp_path / "two", 2))
    output, _ = ranks.communicate(timeout=300)
    assert ranks.returncode == 0, output
    two = _only_run(tmp_path / "two")
    assert two.run_id == one.run_id and two.status == "complete" and two.epochs_done == 2
    for a, b in zip(one.history, two.history, strict=True):
        for key in ("train_loss", "train_recon", "test_loss", "test_recon"):
            assert b[key] == pytest.approx(a[key], rel=TOLERANCE), key
    assert [p["step"] for p in two.curve] == list(range(1, 19))  # 9 global batches an epoch
    assert output.count("saved in") == 1  # rank 0 alone reports and writes

    more = _torchrun(_train_args(dataset, tmp_path / "two", 3))
    output, _ = more.communicate(timeout=300)
    assert more.returncode == 0 and "continued from epoch 2" in output, output
    assert _only_run(tmp_path / "two").epochs_done == 3


@pytest.mark.slow
def test_ctrl_c_stops_every_rank_and_one_process_continues_the_run(dataset, tmp_path):
    runs = tmp_path / "runs"
    ranks = _torchrun(_train_args(dataset, runs, 500), start_new_session=True)
    deadline = time.monotonic() + 240
    while not (runs.exists() and any(runs.glob("*/run.json"))):  # the first epoch is saved
        assert ranks.poll() is None and time.monotonic() < deadline, ranks.stdout.read()
        time.sleep(0.2)
    os.killpg(ranks.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
    output, _ = ranks.communicate(timeout=120)
    run = _only_run(runs)
    assert run.status == "stopped" and 1 <= run.epochs_done < 500, output
    assert "stopped (continue with the same command)" in output

    # One process (no torchrun) continues the run the two ranks saved.
    assert main(_train_args(dataset, runs, run.epochs_done + 1)) == 0
    continued = _only_run(runs)
    assert continued.status == "complete" and continued.epochs_done == run.epochs_done + 1


def test_the_place_torchrun_gives_is_read_from_the_environment():
    assert from_environment({}) is None
    env = {"RANK": "1", "WORLD_SIZE": "4", "LOCAL_RANK": "1", "LOCAL_WORLD_SIZE": "2"}
    assert from_environment(env) == Distributed(1, 4, 1, 2)
    with pytest.raises(ConfigError, match="RANK must be from 0 to WORLD_SIZE - 1"):
        from_environment({**env, "RANK": "4"})
    with pytest.raises(ConfigError, match="must be whole numbers"):
        from_environment({**env, "RANK": "one"})


def test_a_batch_is_split_between_ranks_even_when_short():
    import torch

    index = torch.arange(5)
    shards = [Distributed(r, 2).shard(index).tolist() for r in range(2)]
    assert shards == [[0, 1, 2], [3, 4]]
    assert Distributed(2, 3).shard(torch.arange(2)).tolist() == []
