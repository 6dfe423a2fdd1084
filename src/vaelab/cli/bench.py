"""``vaelab bench``: training speed of this engine against the tutorial pipeline."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``bench`` and its options to ``subparsers``."""
    p = subparsers.add_parser("bench", help="training speed: this engine vs the tutorial pipeline")
    p.set_defaults(handler=run)
    p.add_argument("--images", type=int, default=4000, help="training images per pass")
    p.add_argument("--repeats", type=int, default=3, help="timed passes of each pipeline")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")


def run(args: argparse.Namespace) -> int:
    """Time both pipelines and print the figures (:mod:`vaelab.training.bench`)."""
    from vaelab.training.bench import main

    return main(
        images=args.images, repeats=args.repeats, batch_size=args.batch_size, json_path=args.json
    )
