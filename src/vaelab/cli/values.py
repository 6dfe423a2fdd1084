"""The argparse types of the options: each reads one option's text and checks that it is allowed.

A value out of range stops the command before any work, with argparse's one-line error and exit
status 2. The bounds come from where the library defines them (:data:`vaelab.config.LIMITS`,
:data:`vaelab.variants.VARIANTS`, :func:`vaelab.runs.run.check_run_id`,
:func:`vaelab.training.device.check_device_name`) or are named constants of the command.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path

from vaelab.config import LIMITS, Limit
from vaelab.data import dataset_names
from vaelab.errors import VaeLabError
from vaelab.runs.run import check_run_id
from vaelab.training.device import check_device_name, pick_device

#: Most characters of the user's text quoted back in a message, so that it stays one short line.
QUOTED_CHARS = 60
#: Longest path, and longest name within it, in bytes: PATH_MAX of macOS (Linux allows 4096) and
#: NAME_MAX of both. Longer ones could only fail later, in the middle of the work.
MAX_PATH_BYTES = 1024
MAX_NAME_BYTES = 255


def quoted(text: str) -> str:
    """``text`` in quotes for a message, cut to its start when it is long."""
    if len(text) <= QUOTED_CHARS:
        return repr(text)
    return f"{text[:QUOTED_CHARS]!r}… ({len(text):,} characters)"


def whole(limit: Limit) -> Callable[[str], int]:
    """The type of a whole-number option within ``limit`` (inclusive)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:  # not a number, or more digits than Python converts
            value = None
        if value is None or not limit.low <= value <= limit.high:
            raise argparse.ArgumentTypeError(
                f"must be a whole number from {limit.low} to {limit.high}, got {quoted(text)}"
            )
        return value

    return parse


def number(low: float, high: float, *, above_low: bool = False) -> Callable[[str], float]:
    """The type of a finite number option from ``low`` (or above it) to ``high``."""
    allowed = f"above {low:g} and at most {high:g}" if above_low else f"from {low:g} to {high:g}"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        # NaN fails every comparison and infinities the bounds: only finite numbers get through.
        if not ((low < value) if above_low else (low <= value)) or not value <= high:
            raise argparse.ArgumentTypeError(f"must be a number {allowed}, got {quoted(text)}")
        return value

    return parse


def widths(text: str) -> tuple[int, ...]:
    """``--hidden``: comma-separated layer widths such as ``32,64``, each within the limits."""
    layers, width = LIMITS.layers, LIMITS.width
    allowed = (
        f"{layers.low} to {layers.high} comma-separated whole numbers from {width.low} to "
        f"{width.high}, like 32,64"
    )
    try:
        values = tuple(int(part) for part in text.replace(" ", "").split(",") if part)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"layer widths must be {allowed}; got {quoted(text)}"
        ) from None
    if not layers.low <= len(values) <= layers.high or not all(
        width.low <= value <= width.high for value in values
    ):
        raise argparse.ArgumentTypeError(f"layer widths must be {allowed}; got {quoted(text)}")
    return values


def numbers(low: float, high: float) -> Callable[[str], tuple[float, ...]]:
    """The type of a comma-separated list of finite numbers, each from ``low`` to ``high``."""
    one = number(low, high)

    def parse(text: str) -> tuple[float, ...]:
        try:
            return tuple(one(part) for part in text.split(",") if part.strip())
        except argparse.ArgumentTypeError:
            raise argparse.ArgumentTypeError(
                f"expected comma-separated numbers from {low:g} to {high:g} such as 1e-1,1e-2, "
                f"got {quoted(text)}"
            ) from None

    return parse


def path(text: str) -> Path:
    """A file or folder path that the operating system can take (not empty, not too long)."""
    encoded = os.fsencode(text)
    if not text or "\0" in text:
        raise argparse.ArgumentTypeError(f"expected a path, got {quoted(text)}")
    if len(encoded) > MAX_PATH_BYTES:
        raise argparse.ArgumentTypeError(
            f"the path {quoted(text)} is too long: {len(encoded):,} bytes, at most "
            f"{MAX_PATH_BYTES:,}"
        )
    for name in Path(text).parts:
        if len(os.fsencode(name)) > MAX_NAME_BYTES:
            raise argparse.ArgumentTypeError(
                f"the name {quoted(name)} is too long: {len(os.fsencode(name)):,} bytes, at most "
                f"{MAX_NAME_BYTES}"
            )
    return Path(text)


#: Longest Ray cluster address (``auto``, ``HOST:PORT``, ``ray://HOST:PORT``).
MAX_ADDRESS_CHARS = 255


def ray_address(text: str) -> str:
    """``--ray``: the address of a Ray cluster, printable and without spaces."""
    if not text or len(text) > MAX_ADDRESS_CHARS or not text.isprintable() or " " in text:
        raise argparse.ArgumentTypeError(
            f"expected a Ray cluster address such as auto, HOST:6379 or ray://HOST:10001 "
            f"(at most {MAX_ADDRESS_CHARS} characters), got {quoted(text)}"
        )
    return text


def png_path(text: str) -> Path:
    """``--out`` of an image: a path ending in ``.png``."""
    result = path(text)
    if result.suffix.lower() != ".png":
        raise argparse.ArgumentTypeError(f"the output must be a .png file, got {quoted(text)}")
    return result


def dataset(text: str) -> str:
    """``--dataset``: a registered dataset id, or a path."""
    return text if text in dataset_names() else str(path(text))


def run_id(text: str) -> str:
    """A run id (see :func:`vaelab.runs.run.check_run_id`)."""
    return _checked(check_run_id, text)


def device(text: str) -> str:
    """``--device``: a device name this machine has (see :func:`~vaelab.training.pick_device`)."""
    _checked(check_device_name, text)  # pick_device takes "" for "auto"; the option does not
    return _checked(pick_device, text)


def _checked(check: Callable[[str], object], text: str) -> str:
    # The library's one-line message, as argparse's.
    try:
        check(text)
    except VaeLabError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text
