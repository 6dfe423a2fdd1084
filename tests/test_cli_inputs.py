"""The command line's inputs: every option checked before any work, every output path too.

Out-of-range options end with argparse's one line and exit 2; outputs that cannot be written end
with one line naming the path and exit 1, before any training or measuring; what is computed and
then cannot be written is kept in a temporary folder that the error names.
"""

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import blobs
from vaelab.cli import main, outputs
from vaelab.config import LIMITS

TRAIN = ["train", "--latent", "4", "--hidden", "8", "--batch-size", "16", "--epochs", "1"]
LONG = "a" * 5000


def exit_code(args) -> int:
    """main()'s status, whether it returns it or argparse exits with it."""
    try:
        return main(args)
    except SystemExit as exc:
        return exc.code


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    return err.strip()


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A run trained on 12×12 grey images; its .npz path and run id (in a runs folder beside)."""
    root = tmp_path_factory.mktemp("trained")
    images, labels = blobs(80)
    npz = root / "digits.npz"
    np.savez(npz, x=images[:, 0], y=labels)
    runs = root / "runs"
    assert main([*TRAIN, "--dataset", str(npz), "--runs-dir", str(runs)]) == 0
    (run_id,) = [p.name for p in runs.iterdir() if not p.name.startswith(".")]
    return npz, runs, run_id


# -- every numeric option: out of range is argparse's one line, exit 2 --------------------------

MAX_SEED = LIMITS.seed.high


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bench", "--images", "0"], "--images: must be a whole number from 1 to 5000, got '0'"),
        (["bench", "--images", "-5"], "--images: must be a whole number from 1"),
        (["bench", "--repeats", "0"], "--repeats: must be a whole number from 1 to 100"),
        (["bench", "--batch-size", "0"], "--batch-size: must be a whole number from 1 to 4096"),
        (["bench", "--batch-size", "-1"], "--batch-size: must be"),
        (["app", "--port", "99999"], "--port: must be a whole number from 1 to 65535"),
        (["app", "--port", "0"], "--port: must be a whole number from 1 to 65535"),
        (
            ["sample", "r", "--seed", str(2**64 + 1)],
            f"--seed: must be a whole number from 0 to {MAX_SEED}",
        ),
        (["sample", "r", "--seed", "-1"], "--seed: must be"),
        (
            ["sample", "r", "--temperature", "inf"],
            "--temperature: must be a number above 0 and at most 10",
        ),
        (["sample", "r", "--temperature", "nan"], "--temperature: must be"),
        (["sample", "r", "--temperature", "-1"], "--temperature: must be"),
        (["sample", "r", "--temperature", "0"], "--temperature: must be"),
        (["sample", "r", "-n", "0"], "-n: must be a whole number from 1 to 1024, got '0'"),
        (["reconstruct", "r", "-n", "5000"], "-n: must be a whole number from 1 to 1024"),
        (["train", "--latent", "0"], "--latent: must be a whole number from 2 to 512"),
        (["train", "--latent", "9" * 5000], "(5,000 characters)"),
        (["train", "--epochs", "0"], "--epochs: must be a whole number from 1 to 1000"),
        (["train", "--epochs", "1.5"], "--epochs: must be a whole number"),
        (["train", "--lr", "0"], "--lr: must be a number above 0 and at most 1"),
        (["train", "--lr", "nan"], "--lr: must be"),
        (["train", "--beta", "inf"], "--beta: must be a number from 0 to 10"),
        (["train", "--beta", "-1"], "--beta: must be"),
        (["train", "--image-size", "4"], "--image-size: must be a whole number from 8 to 256"),
        (["train", "--hidden", "8,8,8,8,8,8,8"], "--hidden: layer widths must be 1 to 5"),
        (["train", "--hidden", "a,b"], "--hidden: layer widths must be"),
        (["train", "--hidden", "4"], "--hidden: layer widths must be"),
        (["train", "--device", "cpu:x"], "--device: unknown device 'cpu:x'"),
        (["train", "--device", "cpu:1"], "--device: unknown device 'cpu:1'"),
        (["train", "--device", ""], "--device: unknown device ''"),
        (["evaluate", "r", "--iwae-k", "0"], "--iwae-k: must be a whole number from 1 to 10000"),
        (["evaluate", "r", "--iwae-k", str(10**12)], "--iwae-k: must be"),
        (["evaluate", "r", "--iwae-images", "-1"], "--iwae-images: must be"),
        (["compare", "--fd-images", "-1"], "--fd-images: must be a whole number from 0 to 100000"),
        (["compare", "--samples", "99"], "--samples: must be a whole number from 1 to 32"),
        (["compare", "--betas", "0.1,inf"], "--betas: expected comma-separated numbers from 1e-05"),
        (["compare", "--seed", "-3"], "--seed: must be"),
    ],
)
def test_out_of_range_options_are_refused_by_argparse(capsys, args, message):
    assert exit_code(args) == 2
    assert message in one_error_line(capsys)


def test_the_device_may_be_cpu_0_and_is_the_cpu():
    from vaelab.training.device import pick_device

    assert pick_device("cpu:0") == pick_device("cpu") == pick_device("auto").__class__("cpu")


# -- names: over-long run ids, dataset names, output names -----------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sample", LONG], "invalid run id"),
        (["evaluate", LONG], "invalid run id"),
        (["sample", "../etc"], "invalid run id '../etc'"),
        (["train", "--dataset", LONG], "is too long: 5,000 bytes, at most 1,024"),
        (["train", "--dataset", f"{'b' * 300}.npz"], "is too long: 304 bytes, at most 255"),
        (["sample", "r", "--out", f"{LONG}.png"], "--out: the path"),
        (["sample", "r", "--out", "grid.jpg"], "the output must be a .png file"),
        (["bench", "--json", LONG], "--json: the path"),
        (["train", "--runs-dir", LONG], "--runs-dir: the path"),
        (["train", "--data-dir", ""], "--data-dir: expected a path"),
    ],
)
def test_over_long_or_malformed_names_are_one_short_line(capsys, args, message):
    assert exit_code(args) == 2
    err = one_error_line(capsys)
    assert message in err and len(err) < 400


# -- output paths: checked before the work -----------------------------------------------------


@pytest.fixture
def no_work(monkeypatch):
    """Make the work itself fail loudly: the output check must come first."""
    from vaelab.training import bench

    def work(*args, **kwargs):
        raise AssertionError("the work started before the output was checked")

    monkeypatch.setattr(bench, "run_benchmark", work)
    monkeypatch.setattr("vaelab.cli.options.load_dataset", work)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("folder", "cannot write folder: it is a folder"),
        ("missing/out.json", "cannot write missing/out.json: the folder missing does not exist"),
        ("afile/out.json", "cannot write afile/out.json: afile is not a folder"),
        ("/proc/out.json", "cannot write /proc/out.json: "),
        ("/dev/null", "cannot write /dev/null: it is not a regular file"),
    ],
)
def test_bench_json_is_checked_before_timing(workdir, no_work, capsys, target, message):
    (workdir / "folder").mkdir()
    (workdir / "afile").write_text("")
    assert main(["bench", "--images", "8", "--repeats", "1", "--json", target]) == 1
    assert message in one_error_line(capsys)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in read-only folders")
def test_a_read_only_folder_is_refused_before_the_work(workdir, no_work, capsys):
    locked = workdir / "locked"
    locked.mkdir(mode=0o500)
    assert main(["bench", "--json", str(locked / "b.json")]) == 1
    assert "Permission denied" in one_error_line(capsys)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--runs-dir", "/proc/runs"], "cannot write /proc/runs"),
        (["train", "--runs-dir", "afile"], "cannot write afile: afile is not a folder"),
        (["compare", "--out", "afile"], "cannot write afile: afile is not a folder"),
        (["compare", "--out", "missing/cmp"], "the folder missing does not exist"),
        (["compare", "--out", "cmp"], "cannot write cmp/comparison.md: it is a folder"),
    ],
)
def test_training_commands_check_their_folders_before_training(
    workdir, tiny_npz, monkeypatch, capsys, args, message
):
    from vaelab.compare import sweep
    from vaelab.training import experiment

    def work(*args, **kwargs):
        raise AssertionError("training started before the outputs were checked")

    monkeypatch.setattr(experiment, "train", work)
    monkeypatch.setattr(sweep, "train", work)
    (workdir / "afile").write_text("")
    (workdir / "cmp" / "comparison.md").mkdir(parents=True)
    assert main([*args, "--dataset", str(tiny_npz)]) == 1
    assert message in one_error_line(capsys)


def test_sample_and_evaluate_check_their_output_before_the_work(trained, workdir, capsys):
    npz, runs, run_id = trained
    (workdir / "grid.png").mkdir()
    assert main(["sample", run_id, "--runs-dir", str(runs), "--out", "grid.png"]) == 1
    assert "cannot write grid.png: it is a folder" in one_error_line(capsys)
    args = ["evaluate", run_id, "--runs-dir", str(runs), "--no-samples", "--out", "no/m.json"]
    assert main(args) == 1
    assert "cannot write no/m.json: the folder no does not exist" in one_error_line(capsys)


# -- outputs that fail at write time are kept --------------------------------------------------


@pytest.fixture
def full_disk(monkeypatch, tmp_path):
    """The disk fills up after the checks: writes outside the temporary folder fail (ENOSPC)."""
    spare = tmp_path / "spare"
    spare.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(spare))
    real = outputs.atomic_write

    def atomic_write(path, data):
        if spare not in Path(path).parents:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(path, data)

    monkeypatch.setattr(outputs, "atomic_write", atomic_write)
    return spare


def test_a_grid_that_cannot_be_written_is_kept_and_the_error_says_where(
    trained, workdir, full_disk, capsys
):
    npz, runs, run_id = trained
    assert main(["sample", run_id, "--runs-dir", str(runs), "-n", "4", "--out", "s.png"]) == 1
    err = one_error_line(capsys)
    assert "cannot write s.png: No space left on device; kept in " in err
    (kept,) = full_disk.glob(f"{outputs.UNSAVED_PREFIX}*/s.png")
    assert kept.read_bytes().startswith(b"\x89PNG") and str(kept.parent) in err
    assert not (workdir / "s.png").exists()


def test_nothing_to_keep_it_in_is_said_too(monkeypatch, tmp_path, capsys):
    def atomic_write(path, data):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(outputs, "atomic_write", atomic_write)
    with pytest.raises(outputs.OutputError, match=r"cannot write x.json: Permission denied; nor"):
        outputs.write_files({Path("x.json"): b"{}"})


def test_an_os_error_escaping_a_command_names_its_path(monkeypatch, capsys):
    from vaelab.cli import datasets

    def broken(*args, **kwargs):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), "data/x.npz")

    monkeypatch.setattr(datasets, "dataset_info", broken)
    assert main(["datasets"]) == 1
    assert one_error_line(capsys).startswith("error: data/x.npz: Is a directory (rerun as")


def test_a_reader_that_went_away_or_a_closed_stdout_is_no_error(monkeypatch, capsys):
    from vaelab.cli import datasets

    monkeypatch.setattr(sys, "stdout", None)  # `vaelab datasets >&-`
    assert main(["datasets"]) == 0
    monkeypatch.undo()

    def gone(*args, **kwargs):
        raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))

    monkeypatch.setattr(datasets, "dataset_info", gone)  # `vaelab datasets | head -0`
    assert main(["datasets"]) == 1
    assert capsys.readouterr().err == ""


def test_a_failing_import_is_one_line_too(monkeypatch, capsys):
    import vaelab.cli

    def broken():
        raise ImportError("cannot import name 'x' from 'vaelab.runs'")

    monkeypatch.setattr(vaelab.cli, "build_parser", broken)
    assert main(["datasets"]) == 1
    assert "ImportError: cannot import name 'x'" in one_error_line(capsys)


# -- the data must still be the run's ----------------------------------------------------------


@pytest.fixture
def replaced(trained):
    """Write other images at the run's .npz path; the run's own are put back afterwards."""
    npz = trained[0]
    original = npz.read_bytes()

    def replace(images):
        np.savez(npz, x=images)

    yield replace
    npz.write_bytes(original)


@pytest.mark.parametrize(
    ("images", "message"),
    [
        (
            blobs(80, side=28)[0][:, 0],
            "the images are (1, 28, 28) but the model expects (1, 12, 12)",
        ),
        (blobs(80, channels=3)[0], "the images are (3, 12, 12) but the model expects (1, 12, 12)"),
        (blobs(80, seed=1)[0][:, 0], "differ from those this run was trained on"),
    ],
    ids=["bigger", "colour", "other-pixels"],
)
@pytest.mark.parametrize("command", ["reconstruct", "evaluate"])
def test_changed_data_is_refused_in_one_line(
    trained, replaced, workdir, capsys, command, images, message
):
    _, runs, run_id = trained
    replaced(images)
    args = [command, run_id, "--runs-dir", str(runs)]
    assert exit_code([*args, *(["--no-samples"] if command == "evaluate" else [])]) == 2
    assert message in one_error_line(capsys)


# -- messages stay one short line ------------------------------------------------------------


def test_long_messages_keep_their_start_and_end():
    from vaelab.cli import MAX_MESSAGE_CHARS, one_line

    text = one_line(f"invalid name {'x' * 10_000}\nuse letters")
    assert len(text) <= MAX_MESSAGE_CHARS + 3 and text.startswith("invalid name xx")
    assert text.endswith("xx use letters")


# -- Ctrl-C while the library is imported --------------------------------------------------------


def _interrupt_while_torch_loads(command: list[str]) -> subprocess.CompletedProcess:
    """Start ``command``, send SIGINT once torch's library is mapped, let it finish.

    The child gets Ctrl-C's default action whatever this process has: a test run started in the
    background by a shell (``make test-slow &``) ignores SIGINT, and its children would too.
    """
    child = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    maps = Path(f"/proc/{child.pid}/maps")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and child.poll() is None:
        try:
            if "libtorch" in maps.read_text():
                break
        except OSError:
            pass
        time.sleep(0.002)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=120)
    return subprocess.CompletedProcess(command, child.returncode, out, err)


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/PID/maps")
@pytest.mark.parametrize(
    "program",
    [[sys.executable, "-m", "vaelab"], [str(Path(sys.executable).parent / "vaelab")]],
    ids=["python -m vaelab", "console script"],
)
def test_ctrl_c_while_torch_imports_is_one_line(program):
    done = _interrupt_while_torch_loads([*program, "datasets"])
    assert (done.returncode, done.stderr) == (130, "error: interrupted\n")


# -- every option of every command, hostile values ---------------------------------------------

HOSTILE = ["", "-1", "0", "1e309", "nan", "-inf", "9" * 5000, "a" * 5000, "x\0y", "💥", "1.5"]


def _options():
    """(command, option) for every option that takes a value, of every command and action."""
    import argparse

    from vaelab.cli import build_parser

    def walk(parser, prefix):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    yield from walk(sub, [*prefix, name])
            elif action.option_strings and action.nargs != 0:
                yield prefix, action.option_strings[0]

    return list(walk(build_parser(), []))


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_no_option_value_escapes_the_parser(workdir, capsys, value):
    from vaelab.cli import build_parser

    parser = build_parser()
    for command, option in _options():
        positional = (
            ["some-run"] if command[-1:] in (["sample"], ["reconstruct"], ["evaluate"]) else []
        )
        _parsed_or_one_line(parser, [*command, option, value, *positional], capsys)
    for command in ("sample", "reconstruct", "evaluate"):
        _parsed_or_one_line(parser, [command, value], capsys)


def _parsed_or_one_line(parser, args, capsys):
    try:
        parser.parse_args(args)
    except SystemExit as exc:
        assert exc.code == 2, args
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and len(err) < 400, (args, err)
