"""Threads: OpenMP waits briefly before torch loads it, and cores are split between workers."""

import os
import subprocess
import sys

import pytest

from vaelab.training import threads
from vaelab.training.threads import OPENMP_WAIT, available_cores, threads_for_workers


def test_one_worker_gets_every_core_and_several_share_them(monkeypatch):
    assert 1 <= threads_for_workers(1) == available_cores() <= os.cpu_count()
    monkeypatch.setattr(threads, "available_cores", lambda: 16)
    assert [threads_for_workers(n) for n in (1, 2, 3, 4, 16, 40)] == [16, 8, 5, 4, 1, 1]


@pytest.mark.parametrize("n", [0, -2, 1.5, True, "2"])
def test_a_worker_count_must_be_a_positive_whole_number(n):
    with pytest.raises(ValueError, match="n_workers must be a whole number of at least 1"):
        threads_for_workers(n)


def _fresh_python(code: str, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in OPENMP_WAIT}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip()


def test_the_command_line_sets_the_wait_before_torch_is_loaded():
    code = (
        "import os, sys\n"
        "from vaelab.cli import main\n"
        "assert 'torch' not in sys.modules\n"
        "main(['datasets'])\n"
        "assert 'torch' in sys.modules\n"
        "print(os.environ['GOMP_SPINCOUNT'], os.environ['KMP_BLOCKTIME'])\n"
    )
    assert _fresh_python(code).splitlines()[-1] == "1000 0"


def test_settings_the_user_made_are_kept_and_a_late_call_says_so():
    code = (
        "import os\n"
        "from vaelab.training.threads import configure_openmp\n"
        "first = configure_openmp()\n"
        "import torch\n"
        "print(first, configure_openmp(), os.environ['GOMP_SPINCOUNT'])\n"
    )
    assert _fresh_python(code, GOMP_SPINCOUNT="5") == "True False 5"


@pytest.mark.slow
def test_the_benchmark_measures_idle_and_busy_and_ends_its_competitors(monkeypatch):
    from vaelab.training import bench

    started, real_popen = [], subprocess.Popen

    def popen(*args, **kwargs):
        started.append(real_popen(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(bench.subprocess, "Popen", popen)
    result = bench.run_benchmark(images=64, repeats=1, batch_size=32, busy=True)
    for figures in (result, result["busy"]):
        assert figures["tutorial_images_per_second"] > 0 and figures["vaelab_images_per_second"] > 0
    # One competitor per core for each pipeline's busy passes, all ended.
    competitors = [p for p in started if "getppid" in p.args[-1]]
    assert len(competitors) == 2 * available_cores()
    assert all(process.poll() is not None for process in competitors)
