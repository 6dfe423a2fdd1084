"""The ``vaelab`` command line: train, sample, reconstruct, manage runs and datasets, benchmark.

One module per command (``train``, ``sample`` with ``reconstruct``, ``evaluate``, ``compare``,
``runs``, ``datasets``, ``bench``, ``app``), each with ``add_parser(subparsers)`` and
``run(args) -> int``; ``vaelab.cli.options`` holds the options they share, ``vaelab.cli.values``
the argparse types that check each option's value, ``vaelab.cli.outputs`` the checking and
writing of the files the commands write.

Exit statuses, as argparse and most tools have them: 0 on success; 2 for a usage error, an option
argparse rejects or a value the configuration rejects (latent 0, seven layers, a negative β…);
1 for a runtime error (a dataset that cannot be read, a run that cannot be loaded, an output that
cannot be written, anything unexpected); 130 when Ctrl-C interrupts a command outside training
(in training it stops at the next step and saves the run). Each ends in one line ``error: …`` on
stderr, never a traceback; ``vaelab --debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence

from vaelab.errors import ConfigError, VaeLabError
from vaelab.training.threads import configure_openmp

EXIT_FAILURE = 1
EXIT_USAGE = 2
#: 128 + SIGINT, as shells report a command that Ctrl-C ended.
EXIT_INTERRUPTED = 130
#: Longest error message printed (see :func:`one_line`).
MAX_MESSAGE_CHARS = 300
#: How an unexpected error's one line ends.
DEBUG_HINT = "(rerun as 'vaelab --debug ...' for the traceback)"
#: The commands that train or evaluate on the CPU, for which the process keeps freed memory
#: (:mod:`vaelab.training.memory`). ``bench`` turns it on itself, after timing the tutorial.
RETAIN_FREED_MEMORY = ("train", "compare", "evaluate")


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (its subcommands' parsers are one too)."""

    def error(self, message: str) -> None:  # noqa: D102
        self.exit(EXIT_USAGE, f"error: {one_line(message)} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser of the whole command line, every subcommand included."""
    # Imported here rather than with this module: the commands' defaults come from the library,
    # which imports torch (seconds), and main() handles a Ctrl-C that lands in it.
    from vaelab import __version__
    from vaelab.cli import app, bench, compare, datasets, evaluate, runs, sample, train

    parser = _Parser(prog="vaelab", description="VAE Lab: train and explore VAEs.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of an error instead of one line"
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for command in (train, sample, evaluate, compare, runs, datasets, bench, app):
        command.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``vaelab`` command line; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    # Before the library loads torch, which reads OpenMP's settings once (training.threads).
    configure_openmp()
    args = None
    try:
        try:
            # The parser is built in here: it imports the library, which can fail like the
            # command itself.
            with _interrupt_held():
                args = build_parser().parse_args(argv)
            return _run(args)
        except Exception as exc:
            if args.debug if args is not None else "--debug" in argv:
                raise
            return _report(exc)
    except KeyboardInterrupt:
        return _fail("interrupted", EXIT_INTERRUPTED)


def _report(exc: Exception) -> int:
    if isinstance(exc, ConfigError):
        return _fail(str(exc), EXIT_USAGE)
    if isinstance(exc, VaeLabError):
        return _fail(str(exc), EXIT_FAILURE)
    if isinstance(exc, BrokenPipeError):
        # Whoever read the output stopped reading (`vaelab runs list | head -1`): nothing to say,
        # and nothing more to print; stdout goes nowhere so that its last flush cannot fail.
        with contextlib.suppress(AttributeError, OSError):  # no stdout, or not a file
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILURE
    return _fail(f"{_describe(exc)} {DEBUG_HINT}", EXIT_FAILURE)


@contextlib.contextmanager
def _interrupt_held() -> Iterator[None]:
    """Hold a Ctrl-C until the block ends, then raise it; a second Ctrl-C raises at once.

    The block imports the library (seconds, torch included). Raised in the middle of an import, a
    KeyboardInterrupt can be swallowed (by a weakref callback, a library's broad ``except``) or
    break the interpreter's shutdown; held, it ends the command with one line.
    """
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield  # not Python's own Ctrl-C handling (ignored, or the caller's): leave it alone
        return
    pending: list[int] = []

    def hold(signum: int, frame: object) -> None:
        if pending:
            raise KeyboardInterrupt
        pending.append(signum)

    signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if pending:
        raise KeyboardInterrupt


def _run(args: argparse.Namespace) -> int:
    if args.command in RETAIN_FREED_MEMORY:
        from vaelab.training.memory import retain_freed_memory

        retain_freed_memory()
    status = args.handler(args)
    if sys.stdout is not None:  # None when the shell closed it (`vaelab ... >&-`)
        # Flushed here, where a reader that went away is handled, rather than at exit.
        sys.stdout.flush()
    return status


def one_line(message: str) -> str:
    """``message`` on one line, its middle cut out if it is longer than :data:`MAX_MESSAGE_CHARS`.

    Messages quote what the user typed; a pasted page as a name must not flood the terminal. The
    start (what was wrong) and the end (what is allowed) are kept.
    """
    text = " ".join(message.split())
    if len(text) <= MAX_MESSAGE_CHARS:
        return text
    half = MAX_MESSAGE_CHARS // 2
    return f"{text[:half]} … {text[-half:]}"


def _describe(exc: Exception) -> str:
    # An operating-system error names the file it is about (a write to a full disk, a folder
    # given as a file...), which its str() alone does not always do.
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"{exc.filename}: {exc.strerror or type(exc).__name__}"
    return f"{type(exc).__name__}: {exc}"


def _fail(message: str, status: int) -> int:
    print(f"error: {one_line(message)}", file=sys.stderr)
    return status
