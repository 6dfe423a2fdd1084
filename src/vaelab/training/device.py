"""Choosing where tensors live."""

from __future__ import annotations

import re

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
