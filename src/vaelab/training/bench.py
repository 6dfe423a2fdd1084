"""Training throughput of VAE Lab's engine against the standard tutorial pipeline.

Both sides train the same model (latent 128, conv layers 32 and 64, the seed's defaults) on the
same images, in one process, the tutorial's passes first (see :func:`run_benchmark`):

* **tutorial** — what the PyTorch tutorials do: a torchvision dataset (``datasets.MNIST`` read
  from IDX files, or for CIFAR-shaped images a dataset that works as ``datasets.CIFAR10`` does:
  uint8 arrays made PIL images item by item), ``ToTensor()`` and ``Normalize`` applied to every
  item by a ``DataLoader`` (batch 64, shuffled), each batch sent to the device with ``.to()``, and
  a plain loop calling ``loss.item()`` each step;
* **vaelab** — :class:`~vaelab.training.Trainer`: images resident on the device as one uint8
  tensor, batches from a permutation, channels-last convolutions, fused Adam; on the CPU, freed
  memory kept for reuse (:mod:`vaelab.training.memory`) and the model's convolutions from
  :mod:`vaelab.models.layers` (the tutorial gets the same model built from PyTorch's stock layers,
  with the same weights); on CUDA, TF32 (:func:`vaelab.training.device.fast_math`).

The images are ``mnist-5k``'s digits (so the benchmark runs offline): 1×28×28 as they are, or
3×32×32 for the CIFAR shape (each digit padded and tinted; speed does not depend on content).
The figure reported is images per second over whole passes, and the ratio of the two. With
``busy``, both are measured again while one CPU-bound process per core competes for the machine
(:func:`competing_load`), as on a shared computer.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import platform
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import torch
from torch import Tensor, nn

from vaelab.config import ModelConfig, TrainConfig
from vaelab.models import ConvVAE
from vaelab.models.layers import Conv2d, ConvTranspose2d, OutputConv
from vaelab.training.device import fast_math
from vaelab.training.memory import retain_freed_memory
from vaelab.training.threads import available_cores
from vaelab.training.trainer import Trainer

#: Image shapes the benchmark trains on, ``(channels, height, width)``.
SHAPES = {"mnist": (1, 28, 28), "cifar": (3, 32, 32)}
#: The tutorials' ``Normalize`` mean and standard deviation, by channel count.
_NORMALIZE = {1: ((0.1307,), (0.3081,)), 3: ((0.4914, 0.4822, 0.4465), (0.247, 0.243, 0.261))}
_CPU = torch.device("cpu")

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


def _model(shape: tuple[int, int, int] = SHAPES["mnist"], seed: int = 0) -> ConvVAE:
    torch.manual_seed(seed)
    channels, height, width = shape
    return ConvVAE(ModelConfig(channels=channels, height=height, width=width))


def _stock_model(shape: tuple[int, int, int] = SHAPES["mnist"], seed: int = 0) -> ConvVAE:
    """The same model, weights and maths, built from PyTorch's stock ``torch.nn`` layers.

    A tutorial writes its layers with the stock modules; :mod:`vaelab.models.layers` is part of the
    engine's speed, so the reference does not get it.
    """
    model = _model(shape, seed)
    for parent in list(model.modules()):
        for name, layer in parent.named_children():
            stock = _STOCK.get(type(layer))
            if stock is not None:
                twin = stock.__new__(stock)
                twin.__dict__ = layer.__dict__.copy()  # the same parameters and settings
                setattr(parent, name, twin)
    return model


class _CifarLike(torch.utils.data.Dataset):
    """What ``torchvision.datasets.CIFAR10`` does per item: a uint8 HWC array to a PIL image."""

    def __init__(self, images: Tensor, labels: Tensor, transform: object) -> None:
        self.data = images.permute(0, 2, 3, 1).numpy()  # (N, C, H, W) -> (N, H, W, C)
        self.targets = labels.tolist()
        self.transform = transform

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple[Tensor, int]:
        from PIL import Image

        return self.transform(Image.fromarray(self.data[index])), self.targets[index]


class TutorialPipeline:
    """The reference: torchvision dataset, per-item transforms, DataLoader, a plain loop.

    Parameters
    ----------
    images : Tensor
        uint8 ``(N, C, H, W)``.
    labels : Tensor
        ``(N,)`` class indices.
    root : Path
        Folder for the dataset's files.
    batch_size : int
        Images per step.
    device : torch.device
        Where the model trains; each batch is sent there.
    """

    def __init__(
        self,
        images: Tensor,
        labels: Tensor,
        root: Path,
        batch_size: int,
        device: torch.device = _CPU,
    ) -> None:
        from torchvision import datasets, transforms

        channels = images.shape[1]
        transform = transforms.Compose(
            [transforms.ToTensor(), transforms.Normalize(*_NORMALIZE[channels])]
        )
        if channels == 1:
            _write_idx(images[:, 0], labels, root / "MNIST" / "raw", "train")
            _write_idx(images[:16, 0], labels[:16], root / "MNIST" / "raw", "t10k")
            dataset = datasets.MNIST(root, train=True, download=False, transform=transform)
        else:
            dataset = _CifarLike(images, labels, transform)
        self.loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=True)
        self.device = device
        self.model = _stock_model(tuple(images.shape[1:])).to(device)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=1e-3)

    def epoch(self) -> int:
        """One pass; returns the number of images trained on."""
        self.model.train()
        seen = 0
        for x, _ in self.loader:
            x = x.to(self.device)
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

    Making one on the CPU keeps freed memory for reuse in this process from then on (see
    :func:`~vaelab.training.memory.retain_freed_memory`), as the command line and the app do.
    """

    def __init__(self, images: Tensor, batch_size: int, device: torch.device = _CPU) -> None:
        if device.type == "cpu":
            retain_freed_memory()
        x = images.contiguous()
        config = TrainConfig(batch_size=batch_size, epochs=1000)
        model = _model(tuple(x.shape[1:]))
        self.trainer = Trainer(model, x, x[:16], config, device=device)
        self.trainer.evaluate = lambda images=None: {}  # time training only, like the tutorial

    def epoch(self) -> int:
        """One pass; returns the number of images trained on."""
        self.trainer.fit(self.trainer.epochs_done + 1)
        return len(self.trainer.train_images)


def _timed(pipeline: TutorialPipeline | EnginePipeline, device: torch.device) -> float:
    start = time.perf_counter()
    seen = pipeline.epoch()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return seen / (time.perf_counter() - start)


@contextlib.contextmanager
def competing_load(processes: int) -> Iterator[None]:
    """``processes`` CPU-bound Python processes running for the block, then ended.

    Each also ends by itself once this process is gone (killed before it could end them).
    """
    spin = f"import os\nwhile os.getppid() == {os.getpid()}:\n    for _ in range(10**6): pass"
    spinners = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(processes)]
    try:
        time.sleep(0.5)  # let them get going
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def _images(count: int, shape: str) -> tuple[Tensor, Tensor]:
    """``count`` of ``mnist-5k``'s digits, uint8 ``(N, C, H, W)``, in ``shape``, and labels."""
    from vaelab.data import load_dataset

    data = load_dataset("mnist-5k")
    digits = torch.cat([data.train_x, data.test_x])[:count]
    labels = torch.cat([data.train_y, data.test_y])[:count]
    if shape == "cifar":
        # (N, 1, 28, 28) -> (N, 3, 32, 32): padded, each channel its own tint.
        padded = torch.nn.functional.pad(digits, (2, 2, 2, 2))
        tints = torch.tensor([1.0, 0.7, 0.4]).view(1, 3, 1, 1)
        digits = (padded.float() * tints).round().to(torch.uint8)
    return digits.contiguous(), labels


def run_benchmark(
    images: int = 4000,
    repeats: int = 3,
    batch_size: int = 64,
    *,
    device: torch.device | str = "cpu",
    shape: str = "mnist",
    busy: bool = False,
) -> dict:
    """Measure both pipelines; returns images/s of each (median of ``repeats`` passes) and ratio.

    Uses the 5,000 real MNIST digits that ship with VAE Lab (``mnist-5k``), so it runs offline.

    Parameters
    ----------
    images, repeats, batch_size : int
        Images per pass, timed passes of each pipeline, images per step.
    device : torch.device or str
        Where both train.
    shape : str
        ``"mnist"`` (1×28×28) or ``"cifar"`` (3×32×32), see :data:`SHAPES`.
    busy : bool
        Also measure both while :func:`competing_load` keeps every core busy (under ``"busy"``).
    """
    device = torch.device(device)
    pixels, labels = _images(images, shape)
    modes = ("idle", "busy") if busy else ("idle",)
    # The engine's side sets glibc's allocator to keep freed memory (training.memory), a
    # process-wide setting that cannot be undone: the tutorial's passes run first, under the
    # system's default allocator as a tutorial's user has it; each side gets one untimed warm-up.
    speeds: dict[str, dict[str, list[float]]] = {mode: {} for mode in modes}
    with tempfile.TemporaryDirectory() as tmp:
        pipelines = {
            "tutorial": lambda: TutorialPipeline(pixels, labels, Path(tmp), batch_size, device),
            "vaelab": lambda: EnginePipeline(pixels, batch_size, device),
        }
        for name, make in pipelines.items():
            pipeline = make()
            # On CUDA the tutorial gets the engine's TF32 too: the pipelines differ, not the maths.
            with fast_math(device) if name == "tutorial" else contextlib.nullcontext():
                pipeline.epoch()
                for mode in modes:
                    load = competing_load(available_cores()) if mode == "busy" else None
                    with load or contextlib.nullcontext():
                        speeds[mode][name] = [_timed(pipeline, device) for _ in range(repeats)]
    result = {
        "images": len(pixels),
        "shape": list(SHAPES[shape]),
        "batch_size": batch_size,
        "repeats": repeats,
        "device": str(device),
        "device_name": torch.cuda.get_device_name(device) if device.type == "cuda" else "",
        **_figures(speeds["idle"]),
        "passes": speeds["idle"],
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "machine": platform.processor() or platform.machine(),
    }
    if busy:
        result["busy"] = {**_figures(speeds["busy"]), "passes": speeds["busy"]}
    return result


def _figures(speeds: dict[str, list[float]]) -> dict[str, float]:
    tutorial, engine = (statistics.median(speeds[name]) for name in ("tutorial", "vaelab"))
    return {
        "tutorial_images_per_second": tutorial,
        "vaelab_images_per_second": engine,
        "ratio": engine / tutorial,
    }


def main(
    images: int = 4000,
    repeats: int = 3,
    batch_size: int = 64,
    *,
    device: torch.device | str = "cpu",
    shape: str = "mnist",
    busy: bool = False,
) -> dict:
    """Run the benchmark and print its figures; returns them (see :func:`run_benchmark`)."""
    device = torch.device(device)
    channels, height, width = SHAPES[shape]
    where = (
        torch.cuda.get_device_name(device)
        if device.type == "cuda"
        else f"{torch.get_num_threads()} threads"
    )
    print(
        f"training throughput, {images} images {channels}×{height}×{width}, batch {batch_size}, "
        f"latent 128, conv 32,64, {device.type} ({where}), torch {torch.__version__}"
    )
    result = run_benchmark(images, repeats, batch_size, device=device, shape=shape, busy=busy)
    for label, figures in [("", result), ("busy, ", result.get("busy"))]:
        if figures is None:
            continue
        load = f"  [{label}one CPU-bound process per core competing]" if label else ""
        print(
            f"tutorial pipeline (DataLoader + ToTensor/Normalize): "
            f"{figures['tutorial_images_per_second']:7.0f} images/s{load}"
        )
        print(
            f"vaelab engine:                                       "
            f"{figures['vaelab_images_per_second']:7.0f} images/s{load}"
        )
        print(f"{label}ratio: {figures['ratio']:.2f}×")
    return result
