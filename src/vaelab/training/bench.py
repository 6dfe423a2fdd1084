"""Training throughput of VAE Lab's engine against the standard tutorial pipeline.

Both sides train the same model (latent 128, conv layers 32 and 64, the seed's defaults) on the
same 28×28 MNIST digits, in one process, the tutorial's passes first (see :func:`run_benchmark`):

* **tutorial** — what the PyTorch tutorials do: a ``torchvision.datasets.MNIST`` read from IDX
  files, ``ToTensor()`` and ``Normalize`` applied to every item by a ``DataLoader`` (batch 64,
  shuffled), and a plain loop calling ``loss.item()`` each step;
* **vaelab** — :class:`~vaelab.training.Trainer`: images resident as one uint8 tensor, batches from
  a permutation, channels-last convolutions, freed memory kept for reuse
  (:mod:`vaelab.training.memory`),
  fused Adam, and the model's convolutions from :mod:`vaelab.models.layers` (the tutorial gets the
  same model built from PyTorch's stock layers, with the same weights).

The figure reported is images per second over whole passes, and the ratio of the two.
"""

from __future__ import annotations

import gzip
import platform
import statistics
import struct
import tempfile
import time
from pathlib import Path

import torch
from torch import Tensor, nn

from vaelab.config import ModelConfig, TrainConfig
from vaelab.models import ConvVAE
from vaelab.models.layers import Conv2d, ConvTranspose2d, OutputConv
from vaelab.training.memory import retain_freed_memory
from vaelab.training.trainer import Trainer

#: The engine's layers and their stock ``torch.nn`` twins.
_STOCK = {Conv2d: nn.Conv2d, ConvTranspose2d: nn.ConvTranspose2d, OutputConv: nn.Conv2d}


def _write_idx(images: Tensor, labels: Tensor, raw: Path, prefix: str) -> None:
    # The MNIST IDX format: big-endian magic, dimensions, then the bytes.
    raw.mkdir(parents=True, exist_ok=True)
    n, h, w = images.shape
    with gzip.open(raw / f"{prefix}-images-idx3-ubyte.gz", "wb") as f:
        f.write(struct.pack(">IIII", 2051, n, h, w) + images.numpy().tobytes())
    with gzip.open(raw / f"{prefix}-labels-idx1-ubyte.gz", "wb") as f:
        f.write(struct.pack(">II", 2049, n) + labels.to(torch.uint8).numpy().tobytes())
    for name in (f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"):
        with gzip.open(raw / f"{name}.gz") as src:
            (raw / name).write_bytes(src.read())


def _model(seed: int = 0) -> ConvVAE:
    torch.manual_seed(seed)
    return ConvVAE(ModelConfig())


def _stock_model(seed: int = 0) -> ConvVAE:
    """The same model, weights and maths, built from PyTorch's stock ``torch.nn`` layers.

    A tutorial writes its layers with the stock modules; :mod:`vaelab.models.layers` is part of the
    engine's speed, so the reference does not get it.
    """
    model = _model(seed)
    for parent in list(model.modules()):
        for name, layer in parent.named_children():
            stock = _STOCK.get(type(layer))
            if stock is not None:
                twin = stock.__new__(stock)
                twin.__dict__ = layer.__dict__.copy()  # the same parameters and settings
                setattr(parent, name, twin)
    return model


class TutorialPipeline:
    """The reference: torchvision dataset, per-item transforms, DataLoader, a plain loop."""

    def __init__(self, images: Tensor, labels: Tensor, root: Path, batch_size: int) -> None:
        from torchvision import datasets, transforms

        _write_idx(images, labels, root / "MNIST" / "raw", "train")
        _write_idx(images[:16], labels[:16], root / "MNIST" / "raw", "t10k")
        transform = transforms.Compose(
            [transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))]
        )
        dataset = datasets.MNIST(root, train=True, download=False, transform=transform)
        self.loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=True)
        self.model = _stock_model()
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=1e-3)

    def epoch(self) -> int:
        """One pass; returns the number of images trained on."""
        self.model.train()
        seen = 0
        for x, _ in self.loader:
            out = self.model(x)
            loss = self.model.loss_function(x, out).loss
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            loss.item()
            seen += len(x)
        return seen


class EnginePipeline:
    """VAE Lab's :class:`~vaelab.training.trainer.Trainer` on the same images, as the CLI runs it.

    Making one keeps freed memory for reuse in this process from then on (see
    :func:`~vaelab.training.memory.retain_freed_memory`), as the command line and the app do.
    """

    def __init__(self, images: Tensor, batch_size: int) -> None:
        retain_freed_memory()
        x = images.unsqueeze(1).contiguous()  # (N, 28, 28) -> (N, 1, 28, 28)
        self.trainer = Trainer(_model(), x, x[:16], TrainConfig(batch_size=batch_size, epochs=1000))
        self.trainer.evaluate = lambda images=None: {}  # time training only, like the tutorial

    def epoch(self) -> int:
        """One pass; returns the number of images trained on."""
        self.trainer.fit(self.trainer.epochs_done + 1)
        return len(self.trainer.train_images)


def _timed(pipeline: TutorialPipeline | EnginePipeline) -> float:
    start = time.perf_counter()
    seen = pipeline.epoch()
    return seen / (time.perf_counter() - start)


def run_benchmark(images: int = 4000, repeats: int = 3, batch_size: int = 64) -> dict:
    """Measure both pipelines; returns images/s of each (median of ``repeats`` passes) and ratio.

    Uses the 5,000 real MNIST digits that ship with VAE Lab (``mnist-5k``), so it runs offline.
    """
    from vaelab.data import load_dataset

    data = load_dataset("mnist-5k")
    pixels = torch.cat([data.train_x, data.test_x])[:images, 0].contiguous()
    labels = torch.cat([data.train_y, data.test_y])[:images]
    # The engine's side sets glibc's allocator to keep freed memory (training.memory), a
    # process-wide setting that cannot be undone: the tutorial's passes run first, under the
    # system's default allocator as a tutorial's user has it; each side gets one untimed warm-up.
    speeds: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        pipelines = {
            "tutorial": lambda: TutorialPipeline(pixels, labels, Path(tmp), batch_size),
            "vaelab": lambda: EnginePipeline(pixels, batch_size),
        }
        for name, make in pipelines.items():
            pipeline = make()
            pipeline.epoch()
            speeds[name] = [_timed(pipeline) for _ in range(repeats)]
    tutorial_speed = statistics.median(speeds["tutorial"])
    engine_speed = statistics.median(speeds["vaelab"])
    return {
        "images": len(pixels),
        "batch_size": batch_size,
        "repeats": repeats,
        "tutorial_images_per_second": tutorial_speed,
        "vaelab_images_per_second": engine_speed,
        "ratio": engine_speed / tutorial_speed,
        "passes": speeds,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "machine": platform.processor() or platform.machine(),
    }


def main(images: int = 4000, repeats: int = 3, batch_size: int = 64) -> dict:
    """Run the benchmark and print its figures; returns them (see :func:`run_benchmark`)."""
    print(
        f"training throughput, {images} MNIST images 28×28, batch {batch_size}, "
        f"latent 128, conv 32,64, {torch.get_num_threads()} threads, torch {torch.__version__}"
    )
    result = run_benchmark(images, repeats, batch_size)
    print(
        f"tutorial pipeline (DataLoader + ToTensor/Normalize): "
        f"{result['tutorial_images_per_second']:7.0f} images/s"
    )
    print(
        f"vaelab engine:                                       "
        f"{result['vaelab_images_per_second']:7.0f} images/s"
    )
    print(f"ratio: {result['ratio']:.2f}×")
    return result
