"""Bounded JSON reading and a small schema checker, for the files a run store reads.

``parse_json()`` refuses oversized text, deep nesting, huge numbers, NaN and infinities before
or while parsing, so that no ``run.json`` can make the reader recurse or fill the memory. The
checkers below each take a value and its path in the document (``history[3].test_loss``) and
raise ``Invalid`` naming the first thing that is wrong and what is allowed.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import numpy as np

from vaelab.runs.limits import (
    MAX_ENTRIES,
    MAX_JSON_DEPTH,
    MAX_KEY_CHARS,
    MAX_LIST_ITEMS,
    MAX_TEXT_CHARS,
    MAX_WHOLE,
)

#: A checker: ``check(value, path)`` raises ``Invalid`` when ``value`` does not fit.
Check = Callable[[Any, str], None]


class Invalid(ValueError):
    """A value does not fit its schema; the message names it and says what is allowed."""


def parse_json(raw: bytes, limit: int) -> Any:
    """Parse UTF-8 JSON of at most ``limit`` bytes, nesting and numbers bounded.

    Parameters
    ----------
    raw : bytes
        The text.
    limit : int
        Largest accepted size in bytes.

    Returns
    -------
    Any
        The parsed value.

    Raises
    ------
    Invalid
        If the text is too large, not UTF-8 JSON, nested deeper than
        ``limits.MAX_JSON_DEPTH``, or holds a whole number beyond
        ``limits.MAX_WHOLE``.
    """
    if len(raw) > limit:
        raise Invalid(f"it has {len(raw)} bytes, more than the {limit} allowed")
    depth = _depth(raw)
    if depth > MAX_JSON_DEPTH:
        raise Invalid(f"it nests {depth} levels deep, more than the {MAX_JSON_DEPTH} allowed")
    try:
        return json.loads(raw.decode("utf-8"), parse_int=_whole)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Invalid(f"it is not valid JSON ({exc})") from None


def _depth(raw: bytes) -> int:
    """Deepest nesting of brackets outside strings, found in linear time without recursion."""
    chars = np.frombuffer(raw, dtype=np.uint8)
    if chars.size == 0:
        return 0
    # A quote is escaped when an odd number of backslashes comes right before it.
    index = np.arange(chars.size)
    last_other = np.maximum.accumulate(np.where(chars != ord("\\"), index, -1))
    backslashes_before = np.concatenate(([0], index[:-1] - last_other[:-1]))
    quotes = (chars == ord('"')) & (backslashes_before % 2 == 0)
    outside = np.cumsum(quotes) % 2 == 0
    opening = (chars == ord("[")) | (chars == ord("{"))
    closing = (chars == ord("]")) | (chars == ord("}"))
    # On invalid JSON the count may be off, but only past the point where the parser stops.
    steps = (opening & outside).astype(np.int64) - (closing & outside)
    return int(np.cumsum(steps).max())


def _whole(text: str) -> int:
    # Checked on the text, before int() spends quadratic time on thousands of digits.
    if len(text.lstrip("-")) > len(str(MAX_WHOLE)) or abs(int(text)) > MAX_WHOLE:
        raise Invalid(f"it holds the number {text[:24]}…, beyond ±{MAX_WHOLE}")
    return int(text)


# ----------------------------------------------------------------------------- checkers


def whole(low: int = 0, high: int = MAX_WHOLE) -> Check:
    """A whole number (not a boolean) from ``low`` to ``high``."""
    bounds = "" if (low, high) == (-MAX_WHOLE, MAX_WHOLE) else f" from {low} to {high}"

    def check(value: Any, path: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise Invalid(f"{path} must be a whole number{bounds}, got {_show(value)}")

    return check


def number(low: float = -math.inf) -> Check:
    """A finite number (not a boolean), at least ``low``."""

    def check(value: Any, path: str) -> None:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (isinstance(value, float) and not math.isfinite(value))
            or value < low
        ):
            bound = f" >= {low:g}" if low > -math.inf else ""
            raise Invalid(f"{path} must be a finite number{bound}, got {_show(value)}")

    return check


def text(longest: int = MAX_TEXT_CHARS, pattern: re.Pattern[str] | None = None) -> Check:
    """A string of at most ``longest`` characters, matching ``pattern`` when one is given."""

    def check(value: Any, path: str) -> None:
        if not isinstance(value, str) or len(value) > longest:
            raise Invalid(
                f"{path} must be a text of at most {longest} characters, got {_show(value)}"
            )
        if pattern is not None and not pattern.fullmatch(value):
            raise Invalid(f"{path} must look like {pattern.pattern}, got {_show(value)}")

    return check


def scalar(value: Any, path: str) -> None:
    """``None``, a boolean, a finite number or a text."""
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, str):
        text()(value, path)
        return
    if not isinstance(value, int | float) or (
        isinstance(value, float) and not math.isfinite(value)
    ):
        raise Invalid(
            f"{path} must be null, true, false, a finite number or a text, got {_show(value)}"
        )


def iso_time(value: Any, path: str) -> None:
    """An ISO-8601 time, as :meth:`datetime.isoformat` writes it."""
    text(64)(value, path)
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{path} must be an ISO-8601 time, got {_show(value)}") from None


def one_of(*choices: Any) -> Check:
    """One of ``choices``."""

    def check(value: Any, path: str) -> None:
        if not any(type(value) is type(c) and value == c for c in choices):
            allowed = ", ".join(str(c) for c in choices)
            raise Invalid(f"{path} must be one of: {allowed}, got {_show(value)}")

    return check


def optional(inner: Check) -> Check:
    """``None`` or what ``inner`` accepts."""

    def check(value: Any, path: str) -> None:
        if value is not None:
            inner(value, path)

    return check


def either(*checks: Check, what: str) -> Check:
    """What one of ``checks`` accepts; ``what`` names the whole in the message."""

    def check(value: Any, path: str) -> None:
        for inner in checks:
            try:
                inner(value, path)
            except Invalid:
                continue
            return
        raise Invalid(f"{path} must be {what}, got {_show(value)}")

    return check


def list_of(item: Check, longest: int = MAX_LIST_ITEMS) -> Check:
    """A list of at most ``longest`` values, each accepted by ``item``."""

    def check(value: Any, path: str) -> None:
        if not isinstance(value, list) or len(value) > longest:
            raise Invalid(f"{path} must be a list of at most {longest} items, got {_show(value)}")
        for index, entry in enumerate(value):
            item(entry, f"{path}[{index}]")

    return check


def mapping(value_check: Check, most: int = MAX_ENTRIES) -> Check:
    """An object of at most ``most`` entries with short names, each accepted by ``value_check``."""
    key_check = text(MAX_KEY_CHARS)

    def check(value: Any, path: str) -> None:
        if not isinstance(value, dict) or len(value) > most:
            raise Invalid(f"{path} must be an object of at most {most} entries, got {_show(value)}")
        for key, entry in value.items():
            key_check(key, f"a name in {path}")
            value_check(entry, f"{path}.{key}")

    return check


def record(
    required: Mapping[str, Check], optional_fields: Mapping[str, Check] | None = None
) -> Check:
    """An object with exactly the ``required`` fields, and maybe some ``optional_fields``."""
    allowed = {**required, **(optional_fields or {})}

    def check(value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise Invalid(f"{path} must be an object, got {_show(value)}")
        missing = [key for key in required if key not in value]
        if missing:
            raise Invalid(f"{path} has no {missing[0]!r} entry")
        unknown = sorted(str(key) for key in value if key not in allowed)
        if unknown:
            raise Invalid(f"{path} has an unknown entry {_show(unknown[0])}")
        for key, entry in value.items():
            allowed[key](entry, f"{path}.{key}" if path else key)

    return check


def _show(value: Any) -> str:
    """A value in a message: short, on one line, its type named when it is a container."""
    if isinstance(value, dict | list):
        what = "an object" if isinstance(value, dict) else "a list"
        return f"{what} of {len(value)} item{'' if len(value) == 1 else 's'}"
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."
