"""The command line end to end on tiny data, and its one-line errors."""

import argparse
import importlib
import json
import re
import subprocess
import sys
import zipfile

import pytest
import torch

from vaelab.cli import main
from vaelab.compare import Comparison


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_id_from(output: str) -> str:
    return next(line.split()[1] for line in output.splitlines() if line.startswith("run "))


def exit_code(args) -> int:
    """main()'s status, whether it returns it or argparse exits with it."""
    try:
        return main(args)
    except SystemExit as exc:
        return exc.code


TRAIN = ["train", "--latent", "4", "--hidden", "8,16", "--batch-size", "16", "--epochs", "1"]


@pytest.mark.slow
def test_train_sample_reconstruct_runs(workdir, tiny_npz, capsys):
    assert main([*TRAIN, "--dataset", str(tiny_npz), "--model", "sigma-vae"]) == 0
    out = capsys.readouterr().out
    run_id = run_id_from(out)
    assert run_id.startswith("sigma-vae-tiny-z4-") and "saved in runs/" in out

    assert main([*TRAIN, "--dataset", str(tiny_npz), "--model", "sigma-vae"]) == 0
    assert "loaded from cache" in capsys.readouterr().out
    assert main([*TRAIN[:-1], "2", "--dataset", str(tiny_npz), "--model", "sigma-vae"]) == 0
    assert "continued from epoch 1" in capsys.readouterr().out

    assert main(["sample", run_id, "-n", "9", "--out", "s.png"]) == 0
    assert main(["reconstruct", run_id, "-n", "4", "--out", "r.png"]) == 0
    from PIL import Image

    assert Image.open(workdir / "s.png").size == (3 * 14 + 2, 3 * 14 + 2)
    assert Image.open(workdir / "r.png").size[1] == 2 * 14 + 2

    assert main(["runs", "list"]) == 0
    assert run_id in capsys.readouterr().out
    assert main(["runs", "show", run_id]) == 0
    assert '"epochs_done": 2' in capsys.readouterr().out
    assert main(["runs", "export", run_id, "out.zip"]) == 0
    assert zipfile.is_zipfile(workdir / "out.zip")
    assert main(["runs", "delete", run_id]) == 0
    assert main(["runs", "import", "out.zip"]) == 0
    assert main(["sample", run_id, "-n", "1", "--out", "again.png"]) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--model", "gan"], "invalid choice: 'gan'"),
        (
            ["train", "--dataset", "{npz}", "--latent", "0"],
            "--latent: must be a whole number from 2",
        ),
        (["train", "--dataset", "{npz}", "--hidden", "8,8,8,8,8,8,8"], "'8,8,8,8,8,8,8'"),
        (["train", "--dataset", "{npz}", "--model", "beta-vae", "--beta", "-1"], "--beta: must be"),
        (
            ["train", "--dataset", "{npz}", "--model", "vae", "--beta", "2"],
            "the original VAE has β = 1",
        ),
        (["train", "--hidden", "a,b"], "--hidden: layer widths must be 1 to 5"),
        (["train", "--dataset", "{npz}", "--device", "tpu"], "unknown device 'tpu'"),
        (["compare", "--betas", "0.1,x"], "expected comma-separated numbers"),
        (["compare", "--dataset", "{npz}", "--betas", "0.1,50"], "numbers from 1e-05 to 10"),
        (["compare", "--dataset", "{npz}", "--betas", "0.1,0.1"], "each β must appear once"),
        (["compare", "--betas", ",".join(f"{b}e-3" for b in range(1, 12))], "at most 10 β, got 11"),
        (["compare", "--dataset", "{npz}", "--samples", "99"], "--samples: must be"),
        (["sample", "some-run", "-n", "0"], "-n: must be a whole number from 1 to 1024"),
        (["sample", "../etc"], "invalid run id"),
        (["datasets", "fetch", "imagenet"], "invalid choice: 'imagenet'"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(workdir, tiny_npz, capsys, args, message):
    args = [a.replace("{npz}", str(tiny_npz)) for a in args]
    assert exit_code(args) == 2
    err = capsys.readouterr().err.strip()
    assert message in err
    assert err.startswith("error: ") and len(err.splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--dataset", "no/such/folder"], "no/such/folder"),
        (["sample", "nope"], "no run 'nope'"),
    ],
)
def test_runtime_errors_are_one_line_and_exit_1(workdir, capsys, args, message):
    assert exit_code(args) == 1
    err = capsys.readouterr().err.strip()
    assert message in err
    assert err.startswith("error: ") and len(err.splitlines()) == 1


def test_corrupt_run_is_reported_not_raised(workdir, tiny_npz, capsys):
    main([*TRAIN, "--dataset", str(tiny_npz)])
    run_id = run_id_from(capsys.readouterr().out)
    weights = next((workdir / "runs" / run_id).glob("model-*.safetensors"))
    weights.write_bytes(weights.read_bytes()[:-10] + b"0123456789")
    assert main(["sample", run_id]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and run_id in err and len(err.strip().splitlines()) == 1


def test_an_unexpected_error_is_one_line_with_a_hint_and_debug_shows_it(monkeypatch, capsys):
    from vaelab.cli import datasets

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(datasets, "dataset_info", broken)
    assert main(["datasets"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        "error: RuntimeError: disk on fire (rerun as 'vaelab --debug ...' for the traceback)"
    )
    with pytest.raises(RuntimeError, match="disk on fire"):
        main(["--debug", "datasets"])


def test_ctrl_c_outside_training_is_one_line_and_exit_130(monkeypatch, capsys):
    from vaelab.cli import datasets

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(datasets, "dataset_info", interrupted)
    assert main(["datasets"]) == 130
    assert capsys.readouterr().err == "error: interrupted\n"


def test_the_app_without_streamlit_says_which_extra_to_install(monkeypatch, capsys):
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "streamlit" else find_spec(name, *args),
    )
    assert main(["app"]) == 1
    err = capsys.readouterr().err
    assert 'pip install "vaelab[app]"' in err and len(err.strip().splitlines()) == 1


def test_version_is_the_package_metadata_one(capsys):
    from pathlib import Path

    import vaelab

    pyproject = (Path(__file__).parents[1] / "pyproject.toml").read_text()
    version = re.search(r'^version = "(.+)"$', pyproject, re.MULTILINE).group(1)
    assert exit_code(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"vaelab {version}" == f"vaelab {vaelab.__version__}"


def test_help_quotes_the_library_limits_defaults_and_datasets():
    from vaelab.cli import build_parser
    from vaelab.config import LIMITS
    from vaelab.data import DEFAULT_DATA_DIR, dataset_names
    from vaelab.runs import DEFAULT_RUNS_DIR

    parser = build_parser()
    train = parser.parse_args(["train"])
    assert (train.data_dir, train.runs_dir) == (DEFAULT_DATA_DIR, DEFAULT_RUNS_DIR)
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    # argparse may wrap a line after a hyphen ("mnist-" / "binarized"): join those back.
    text = re.sub(r"- ", "-", " ".join(subparsers.choices["train"].format_help().split()))
    low, high = LIMITS.latent_dim
    assert f"latent size, {low} to {high}" in text
    assert f"resized to, {LIMITS.image_side.low} to {LIMITS.image_side.high}" in text
    assert f"continues it, {LIMITS.epochs.low} to {LIMITS.epochs.high}" in text
    assert ", ".join(dataset_names()) in text


@pytest.fixture
def mallopt_calls(monkeypatch):
    """The calls to glibc's mallopt, recorded instead of made, from a process that made none."""
    from vaelab.training import memory

    if not sys.platform.startswith("linux"):
        pytest.skip("glibc only")
    calls = []
    monkeypatch.setattr(memory, "_retaining", False)
    monkeypatch.setattr(memory, "_mallopt", lambda: lambda *args: calls.append("mallopt") or 1)
    return calls


@pytest.mark.parametrize(
    ("command", "retains"),
    [("train", True), ("compare", True), ("evaluate", True), ("sample", False), ("runs", False)],
)
def test_the_commands_that_train_or_evaluate_keep_freed_memory(
    monkeypatch, mallopt_calls, command, retains
):
    module = importlib.import_module(f"vaelab.cli.{command}")
    monkeypatch.setattr(module, "run", lambda args: mallopt_calls.append(command) or 0)
    arguments = {"sample": ["some-run"], "evaluate": ["some-run"], "runs": ["list"]}
    assert main([command, *arguments.get(command, [])]) == 0
    assert mallopt_calls == ["mallopt", "mallopt", command] if retains else [command]


@pytest.mark.slow
def test_bench_times_the_tutorial_before_it_keeps_freed_memory(monkeypatch, mallopt_calls, capsys):
    from vaelab.training import bench

    tutorial_epoch = bench.TutorialPipeline.epoch

    def recorded(self):
        mallopt_calls.append("tutorial pass")
        return tutorial_epoch(self)

    monkeypatch.setattr(bench.TutorialPipeline, "epoch", recorded)
    assert main(["bench", "--images", "64", "--repeats", "1", "--batch-size", "32"]) == 0
    assert mallopt_calls == ["tutorial pass"] * 2 + ["mallopt"] * 2
    assert "ratio:" in capsys.readouterr().out


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["train"],
        ["sample"],
        ["reconstruct"],
        ["runs"],
        ["datasets"],
        ["bench"],
        ["compare"],
        ["evaluate"],
        ["app"],
    ],
    ids=lambda command: command[0] if command else "vaelab",
)
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([*command, "--help"])
    assert exit_.value.code == 0 and "usage:" in capsys.readouterr().out


@pytest.mark.slow
def test_the_module_runs_as_a_program_without_tracebacks():
    exe = [sys.executable, "-m", "vaelab"]
    done = subprocess.run([*exe, "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "usage:" in done.stdout
    done = subprocess.run([*exe, "train", "--latent", "x"], capture_output=True, text=True)
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_datasets_lists_what_is_available(workdir, capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    assert "mnist-5k" in out and "available" in out and "cifar10" in out
    # One column per field, lined up under the longest id ("mnist-5k-binarized").
    shapes = {line.index("×") for line in out.splitlines()}
    assert len(shapes) == 1, out


def test_evaluate_writes_metrics_and_keeps_them_in_the_run(workdir, tiny_npz, capsys):
    import json

    main([*TRAIN, "--dataset", str(tiny_npz), "--model", "sigma-vae"])
    run_id = run_id_from(capsys.readouterr().out)
    args = ["evaluate", run_id, "--iwae-k", "4", "--iwae-images", "8", "--no-samples"]
    assert main([*args, "--device", "cpu", "--out", "m.json"]) == 0
    assert "iwae_nll_by_k                  k=1 " in capsys.readouterr().out  # k-convergence
    metrics = json.loads((workdir / "m.json").read_text())
    assert metrics["iwae_k"] == 4 and metrics["test_neg_elbo"] is not None
    # The IWAE bound is at least as tight as the ELBO (k = 4 draws; both in nats per image).
    assert metrics["iwae_nll"] <= metrics["test_neg_elbo"] + 1.0
    assert main(["runs", "show", run_id]) == 0
    assert '"iwae_k": 4' in capsys.readouterr().out


def test_compare_writes_the_figure_and_the_table(workdir, tiny_npz, capsys):
    import csv

    from PIL import Image

    args = ["compare", "--dataset", str(tiny_npz), "--latent", "2", "--hidden", "8"]
    args += ["--epochs", "1", "--betas", "0.1", "--iwae-k", "2", "--iwae-images", "4"]
    assert main([*args, "--fd-images", "0", "--samples", "4", "--out", "cmp"]) == 0
    out = capsys.readouterr().out
    assert "| Gaussian VAE | 1 |" in out and "comparison done in" in out
    assert {p.name for p in (workdir / "cmp").iterdir()} == {
        "comparison.png",
        "comparison.csv",
        "comparison.md",
        "comparison.json",
        "comparison.safetensors",
    }
    # The figure's samples read back with the record, as the Compare page reads a reference.
    record = json.loads((workdir / "cmp" / "comparison.json").read_text())
    back = Comparison.from_json(record)
    back.add_samples((workdir / "cmp" / "comparison.safetensors").read_bytes())
    assert [tuple(row.samples.shape) for row in back.rows] == [(4, 1, 12, 12)] * 4
    assert all(row.samples.dtype == torch.uint8 for row in back.rows)
    rows = list(csv.DictReader((workdir / "cmp" / "comparison.csv").open()))
    assert [r["model"] for r in rows] == ["Gaussian VAE", "MSE VAE", "β-VAE, β = 0.1", "σ-VAE"]
    assert Image.open(workdir / "cmp" / "comparison.png").size[1] > 3 * 14
    # A second call reuses the four cached runs.
    assert main([*args, "--fd-images", "0", "--samples", "4", "--out", "cmp"]) == 0
    assert '"status": "cached"' in (workdir / "cmp" / "comparison.json").read_text()
