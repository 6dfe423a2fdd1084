"""Choosing where tensors live, and what speeds training up there.

The CPU's speed-ups (the allocator that keeps freed memory, :mod:`vaelab.training.memory`; the
convolutions of :mod:`vaelab.models.layers`, which are PyTorch's own on other devices) apply only
to CPU tensors; on CUDA, :func:`fast_math` turns on TF32 and cuDNN's autotuner, and
:func:`autocast` the optional bfloat16 arithmetic (``TrainConfig.precision``).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import torch

from vaelab.errors import ConfigError

DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")
#: A device name: a kind and an optional index (``cuda:1``, the second GPU).
_DEVICE_NAME = re.compile(r"(?P<kind>[a-z]+)(?::(?P<index>0|[1-9][0-9]{0,2}))?")
#: The indices each kind may carry: any GPU's for CUDA (whether this machine has it is checked by
#: :func:`pick_device`); only 0 for the CPU and MPS, which PyTorch accepts as ``cpu:0``/``mps:0``.
_INDICES = {"cuda": range(1000), "cpu": range(1), "mps": range(1)}


def check_device_name(name: str) -> str:
    """``name`` if it is the name of a device, whether or not this machine has it.

    Parameters
    ----------
    name : str
        ``"auto"``, ``"cpu"``, ``"cuda"``, ``"mps"``, ``"cuda:N"``, or ``"cpu:0"``/``"mps:0"``.

    Returns
    -------
    str
        ``name``, unchanged.

    Raises
    ------
    ConfigError
        If ``name`` is not a device name; the message lists the allowed ones.
    """
    match = _DEVICE_NAME.fullmatch(name) if isinstance(name, str) else None
    if (
        match is None
        or match["kind"] not in DEVICE_CHOICES
        or (
            match["index"] is not None
            and int(match["index"]) not in _INDICES.get(match["kind"], ())
        )
    ):
        raise ConfigError(
            f"unknown device {name!r}; choose one of: {', '.join(DEVICE_CHOICES)}, "
            "or cuda:N for the N-th GPU"
        )
    return name


def pick_device(name: str | None = "auto") -> torch.device:
    """The device to train on: CUDA, then Apple MPS, then the CPU, unless ``name`` says which.

    Raises
    ------
    ConfigError
        If ``name`` is unknown or names a device this machine does not have.
    """
    name = check_device_name(name or "auto")
    base, _, index = name.partition(":")
    if base == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if base == "cuda" and not torch.cuda.is_available():
        raise ConfigError(
            "device 'cuda' was asked for but no CUDA GPU is available; use cpu or auto"
        )
    if base == "cuda" and index and int(index) >= torch.cuda.device_count():
        count = torch.cuda.device_count()
        raise ConfigError(
            f"device {name!r} was asked for but this machine has {count} CUDA GPU(s), "
            f"cuda:0 to cuda:{count - 1}"
        )
    if base == "mps" and not torch.backends.mps.is_available():
        raise ConfigError(
            "device 'mps' was asked for but Apple MPS is not available; use cpu or auto"
        )
    # cpu:0 is the CPU: the index is dropped so that the device compares equal to torch's own.
    return torch.device(name if base == "cuda" else base)


def memory_format_for(device: torch.device) -> torch.memory_format:
    """The layout the trainer gives images and weights on ``device``.

    Channels-last lets oneDNN (CPU) and cuDNN (CUDA, whose tensor cores work on it) pick their
    fastest convolutions; on Apple's MPS it is slower than the default layout, which it keeps.
    """
    return torch.contiguous_format if device.type == "mps" else torch.channels_last


@contextlib.contextmanager
def fast_math(device: torch.device) -> Iterator[None]:
    """On CUDA, TF32 matrix products and convolutions and cuDNN's autotuner, for the block.

    TF32 keeps float32's range with a 10-bit mantissa in the products (sums stay float32), the
    usual setting for training; the autotuner picks each convolution's fastest algorithm for the
    fixed batch shapes of a training. These are process-wide switches: they are set for the
    block and put back as they were after it. Elsewhere nothing changes.
    """
    if device.type != "cuda":
        yield
        return
    matmul, cudnn = torch.backends.cuda.matmul, torch.backends.cudnn
    saved = (matmul.allow_tf32, cudnn.allow_tf32, cudnn.benchmark)
    matmul.allow_tf32, cudnn.allow_tf32, cudnn.benchmark = True, True, True
    try:
        yield
    finally:
        matmul.allow_tf32, cudnn.allow_tf32, cudnn.benchmark = saved


def autocast(device: torch.device, precision: str) -> contextlib.AbstractContextManager:
    """bfloat16 autocast on ``device`` when ``precision`` is ``"bf16"``; nothing for ``"fp32"``."""
    if precision != "bf16":
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16)
