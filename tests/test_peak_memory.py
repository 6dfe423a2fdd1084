"""The memory bar of the command line, measured by ``benchmarks/peak_memory.py`` (slow: ~2 min).

No input file under 10 MB makes a command use more than 1 GB above the same command on a tiny
valid input; each hostile input is refused with exit status 1 or 2 and one line, no traceback.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[1] / "benchmarks" / "peak_memory.py"
spec = importlib.util.spec_from_file_location("peak_memory", SCRIPT)
peak_memory = importlib.util.module_from_spec(spec)
sys.modules["peak_memory"] = peak_memory  # dataclasses look their module up
spec.loader.exec_module(peak_memory)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/PID/status"),
]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    measured = peak_memory.measure_all(tmp_path_factory.mktemp("peak"))
    print(peak_memory.report(measured))
    return {outcome.name: outcome for outcome in measured}


@pytest.mark.parametrize("case", [case.name for case in peak_memory.CASES])
def test_each_input_meets_the_bar(outcomes, case):
    outcome = outcomes[case]
    assert outcome.passed, f"{case}: {'; '.join(outcome.failures)} ({outcome.stderr})"
