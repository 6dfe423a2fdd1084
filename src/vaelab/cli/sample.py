"""``vaelab sample`` and ``vaelab reconstruct``: a run's images as a PNG grid."""

from __future__ import annotations

import argparse
import io
from pathlib import Path
from typing import TYPE_CHECKING

from vaelab.cli import values
from vaelab.cli.options import add_device, add_folders, add_run, add_whole, run_data
from vaelab.cli.outputs import check_file, write_files
from vaelab.config import LIMITS, Limit

if TYPE_CHECKING:
    from torch import Tensor

#: How many images one grid holds.
IMAGES = Limit(1, 1024)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``sample`` and ``reconstruct`` and their options to ``subparsers``."""
    lowest, highest = LIMITS.temperature
    for name, what in (
        ("sample", "draw images from the prior"),
        ("reconstruct", "reconstruct test images"),
    ):
        p = subparsers.add_parser(name, help=f"{what} of a run into a PNG grid")
        p.set_defaults(handler=run)
        add_folders(p)
        add_run(p)
        add_whole(p, "-n", IMAGES, 64, "number of images")
        p.add_argument(
            "--out",
            type=values.png_path,
            default=f"{name}.png",
            help="PNG file to write (default: %(default)s)",
        )
        # The CPU by default: a seed draws the same grid there on every machine.
        add_device(p, default="cpu")
        if name == "sample":
            p.add_argument(
                "--temperature",
                type=values.number(lowest, highest, above_low=True),
                default=1.0,
                help=f"scale of z, above {lowest:g} and at most {highest:g} (default: 1)",
            )
            add_whole(p, "--seed", LIMITS.seed, 0, "random seed")


def run(args: argparse.Namespace) -> int:
    """Sample or reconstruct, as ``args.command`` says."""
    check_file(args.out)
    return _sample(args) if args.command == "sample" else _reconstruct(args)


def _sample(args: argparse.Namespace) -> int:
    from vaelab.explore.latent import sample_prior
    from vaelab.runs import RunStore
    from vaelab.training.device import pick_device
    from vaelab.training.experiment import open_run

    _, model = open_run(RunStore(args.runs_dir), args.run)
    model.to(pick_device(args.device))
    images = sample_prior(model, args.n, temperature=args.temperature, seed=args.seed)
    _save_grid(images, args.out, nrow=max(1, round(args.n**0.5)))
    return 0


def _reconstruct(args: argparse.Namespace) -> int:
    import torch

    from vaelab.runs import RunStore
    from vaelab.training.device import pick_device
    from vaelab.training.experiment import open_run

    trained, model = open_run(RunStore(args.runs_dir), args.run)
    device = pick_device(args.device)
    data = run_data(trained, args.data_dir)
    originals = data.test_x[: args.n].float() / 255.0
    reconstructions = model.to(device).reconstruct(originals.to(device)).cpu()
    rows = torch.cat([originals, reconstructions])
    # Originals on the first row(s), their reconstructions below.
    _save_grid(rows, args.out, nrow=min(args.n, 16))
    return 0


def _save_grid(images: Tensor, path: Path, nrow: int) -> None:
    from torchvision.utils import save_image

    png = io.BytesIO()
    save_image(images, png, format="png", nrow=nrow, padding=2, pad_value=1.0)
    write_files({path: png.getvalue()})
    print(f"wrote {path}")
