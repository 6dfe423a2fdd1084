"""``vaelab bench``: training speed of this engine against the tutorial pipeline."""

from __future__ import annotations

import argparse

from vaelab.cli import values
from vaelab.cli.options import add_device, add_whole
from vaelab.cli.outputs import check_file, write_files
from vaelab.config import LIMITS, Limit
from vaelab.data.registry import REGISTRY

_DIGITS = REGISTRY["mnist-5k"]
#: Images per pass: the benchmark trains on the digits that ship with VAE Lab, all of them at most.
IMAGES = Limit(1, _DIGITS.n_train + _DIGITS.n_test)
#: Timed passes of each pipeline.
REPEATS = Limit(1, 100)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``bench`` and its options to ``subparsers``."""
    p = subparsers.add_parser("bench", help="training speed: this engine vs the tutorial pipeline")
    p.set_defaults(handler=run)
    add_whole(p, "--images", IMAGES, 4000, "training images per pass")
    add_whole(p, "--repeats", REPEATS, 3, "timed passes of each pipeline")
    add_whole(p, "--batch-size", LIMITS.batch_size, 64, "images per step")
    add_device(p, default="cpu")
    p.add_argument(
        "--shape",
        choices=("mnist", "cifar"),
        default="mnist",
        help="MNIST-shaped images (1×28×28) or CIFAR-shaped ones (3×32×32)",
    )
    p.add_argument(
        "--busy",
        action="store_true",
        help="also measure while one CPU-bound process per core competes for the machine",
    )
    p.add_argument("--json", type=values.path, default=None, help="also write the figures as JSON")


def run(args: argparse.Namespace) -> int:
    """Time both pipelines, print the figures and write them as JSON if asked."""
    import json

    from vaelab.training.bench import main
    from vaelab.training.device import pick_device

    if args.json is not None:
        check_file(args.json)
    result = main(
        images=args.images,
        repeats=args.repeats,
        batch_size=args.batch_size,
        device=pick_device(args.device),
        shape=args.shape,
        busy=args.busy,
    )
    if args.json is not None:
        write_files({args.json: json.dumps(result, indent=2).encode()})
    return 0
