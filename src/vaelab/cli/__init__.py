"""The ``vaelab`` command line: train, sample, reconstruct, manage runs and datasets, benchmark.

One module per command (``train``, ``sample`` with ``reconstruct``, ``evaluate``, ``compare``,
``runs``, ``datasets``, ``bench``, ``app``), each with ``add_parser(subparsers)`` and
``run(args) -> int``; ``vaelab.cli.options`` holds the options they share.

Exit statuses, as argparse and most tools have them: 0 on success; 2 for a usage error, an option
argparse rejects or a value the configuration rejects (latent 0, seven layers, a negative β…);
1 for a runtime error (a dataset that cannot be read, a run that cannot be loaded, anything
unexpected); 130 when Ctrl-C interrupts a command outside training (in training it stops at the
next step and saves the run). Each ends in one line ``error: …`` on stderr, never a traceback;
``vaelab --debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from vaelab import __version__
from vaelab.errors import ConfigError, VaeLabError

EXIT_FAILURE = 1
EXIT_USAGE = 2
#: 128 + SIGINT, as shells report a command that Ctrl-C ended.
EXIT_INTERRUPTED = 130
#: The commands that train or evaluate on the CPU, for which the process keeps freed memory
#: (:mod:`vaelab.training.memory`). ``bench`` turns it on itself, after timing the tutorial.
RETAIN_FREED_MEMORY = ("train", "compare", "evaluate")


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (its subcommands' parsers are one too)."""

    def error(self, message: str) -> None:  # noqa: D102
        self.exit(EXIT_USAGE, f"error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser of the whole command line, every subcommand included."""
    # Imported here rather than with this module: the commands' defaults come from the library,
    # which imports torch (seconds), and main() handles a Ctrl-C that lands in it.
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
    try:
        args = build_parser().parse_args(argv)
        if args.debug:
            return _run(args)
        try:
            return _run(args)
        except ConfigError as exc:
            return _fail(str(exc), EXIT_USAGE)
        except VaeLabError as exc:
            return _fail(str(exc), EXIT_FAILURE)
        except Exception as exc:  # noqa: BLE001 - one line, not a traceback; --debug shows it
            return _fail(
                f"{type(exc).__name__}: {exc} (rerun as 'vaelab --debug ...' for the traceback)",
                EXIT_FAILURE,
            )
    except KeyboardInterrupt:
        return _fail("interrupted", EXIT_INTERRUPTED)


def _run(args: argparse.Namespace) -> int:
    if args.command in RETAIN_FREED_MEMORY:
        from vaelab.training.memory import retain_freed_memory

        retain_freed_memory()
    return args.handler(args)


def _fail(message: str, status: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return status
