"""The GPU path: train, sample, evaluate, compare and benchmark on CUDA, checked against the CPU.

Skipped where there is no CUDA GPU; ``benchmarks/gpu_check.sh`` runs them with the benchmark on
a machine that has one. The CPU and CUDA runs draw their sampling noise from different generators
(the CPU's Mersenne Twister, CUDA's Philox) and CUDA computes with TF32, so their per-epoch
losses agree within :data:`TOLERANCE` (relative), not bit for bit.
"""

import pytest
import torch

from vaelab.cli import main
from vaelab.compare import CompareSettings, run_comparison
from vaelab.metrics import evaluate
from vaelab.metrics.samples import draw_samples
from vaelab.runs import RunStore
from vaelab.training.bench import run_benchmark
from vaelab.training.experiment import build_config, train

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU on this machine")

#: Relative difference allowed between the CPU's and CUDA's per-epoch losses of one seed.
TOLERANCE = 0.03
SMALL = {"latent_dim": 4, "hidden": (8, 16), "batch_size": 16}


def _history(config, data, runs, device):
    return train(config, data, store=RunStore(runs), device=device).run.history


def test_same_seed_gives_the_same_losses_on_cpu_and_cuda(tiny_data, tmp_path):
    config = build_config(tiny_data, epochs=3, **SMALL)
    cpu = _history(config, tiny_data, tmp_path / "cpu", "cpu")
    cuda = _history(config, tiny_data, tmp_path / "cuda", "cuda")
    for a, b in zip(cpu, cuda, strict=True):
        for key in ("train_loss", "train_recon", "test_loss", "test_recon"):
            assert b[key] == pytest.approx(a[key], rel=TOLERANCE), key


def test_a_cuda_run_is_reproducible_and_continues(tiny_data, tmp_path):
    config = build_config(tiny_data, epochs=2, **SMALL)
    store = RunStore(tmp_path / "runs")
    train(config.with_epochs(1), tiny_data, store=store, device="cuda")
    continued = train(config, tiny_data, store=store, device="cuda")
    assert continued.resumed_from == 1
    straight = _history(config, tiny_data, tmp_path / "straight", "cuda")
    # cuDNN's autotuner and atomic adds make CUDA runs agree closely, not bit for bit.
    for a, b in zip(straight, continued.run.history, strict=True):
        assert b["test_loss"] == pytest.approx(a["test_loss"], rel=1e-3)


def test_bf16_autocast_trains_on_cuda_close_to_fp32(tiny_data, tmp_path):
    fp32 = _history(build_config(tiny_data, epochs=2, **SMALL), tiny_data, tmp_path / "a", "cuda")
    config = build_config(tiny_data, epochs=2, precision="bf16", **SMALL)
    bf16 = _history(config, tiny_data, tmp_path / "b", "cuda")
    assert bf16[-1]["test_loss"] == pytest.approx(fp32[-1]["test_loss"], rel=0.05)


def test_sample_and_evaluate_on_cuda_match_the_cpu(tiny_data, tmp_path):
    config = build_config(tiny_data, epochs=1, **SMALL)
    model = train(config, tiny_data, store=RunStore(tmp_path / "runs"), device="cuda").model
    grid = tmp_path / "samples.png"
    runs = ["--runs-dir", str(tmp_path / "runs")]
    assert main(["sample", config.run_id, *runs, "--device", "cuda", "--out", str(grid)]) == 0
    assert grid.stat().st_size > 0
    on = {
        d: draw_samples(model, 8, torch.Generator().manual_seed(0), device=d)
        for d in ("cpu", "cuda")
    }
    assert (on["cpu"].int() - on["cuda"].int()).abs().max() <= 2  # of 255 levels
    settings = {"iwae_k": 4, "iwae_images": 8, "classifier": None}
    cpu = evaluate(model, tiny_data, device="cpu", **settings)
    cuda = evaluate(model, tiny_data, device="cuda", **settings)
    for key in ("test_neg_elbo", "test_recon", "iwae_bits_per_dim"):
        assert cuda[key] == pytest.approx(cpu[key], rel=1e-3), key
    assert next(model.parameters()).device.type == "cpu"  # evaluate puts it back


def test_compare_runs_on_cuda(tiny_data, tmp_path):
    settings = CompareSettings(
        latent_dim=2,
        hidden=(8,),
        epochs=1,
        batch_size=32,
        betas=(1e-1,),
        iwae_k=4,
        iwae_images=8,
        fd_images=0,
        samples=3,
    )
    result = run_comparison(tiny_data, RunStore(tmp_path / "runs"), settings, device="cuda")
    assert not result.stopped and all(row.metrics for row in result.rows)


@pytest.mark.parametrize("shape", ["mnist", "cifar"])
def test_the_benchmark_runs_on_cuda(shape):
    result = run_benchmark(images=256, repeats=1, batch_size=64, device="cuda", shape=shape)
    assert result["device_name"] and result["vaelab_images_per_second"] > 0
    assert result["tutorial_images_per_second"] > 0
