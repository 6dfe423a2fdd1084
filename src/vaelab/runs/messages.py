"""Wording shared by the run store's error messages, so that they all read alike."""

from __future__ import annotations

#: Advice ending the messages about damaged runs; dropped where it does not apply (import).
RETRAIN = "; delete the run and train it again"


def os_reason(exc: OSError) -> str:
    """The reason an operating-system call failed, as a short phrase ("Permission denied")."""
    return exc.strerror or one_line(exc)


def one_line(exc: BaseException) -> str:
    """An exception's message on a single line, or its type name when it has none."""
    return " ".join(str(exc).split()) or type(exc).__name__
