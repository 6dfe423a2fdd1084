"""Choosing where tensors live."""

from __future__ import annotations

import torch

from vaelab.errors import ConfigError

DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")


def pick_device(name: str | None = "auto") -> torch.device:
    """The device to train on: CUDA, then Apple MPS, then the CPU, unless ``name`` says which.

    Raises
    ------
    ConfigError
        If ``name`` is unknown or names a device this machine does not have.
    """
    name = name or "auto"
    base = name.split(":")[0]
    if base not in DEVICE_CHOICES:
        raise ConfigError(f"unknown device {name!r}; choose one of: {', '.join(DEVICE_CHOICES)}")
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
    if base == "mps" and not torch.backends.mps.is_available():
        raise ConfigError(
            "device 'mps' was asked for but Apple MPS is not available; use cpu or auto"
        )
    return torch.device(name)
