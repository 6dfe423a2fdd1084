"""``vaelab sample`` and ``vaelab reconstruct``: a run's images as a PNG grid."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from vaelab.cli.options import add_folders, run_data

if TYPE_CHECKING:
    from torch import Tensor

#: Most images one grid holds.
MAX_IMAGES = 1024


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``sample`` and ``reconstruct`` and their options to ``subparsers``."""
    for name, what in (
        ("sample", "draw images from the prior"),
        ("reconstruct", "reconstruct test images"),
    ):
        p = subparsers.add_parser(name, help=f"{what} of a run into a PNG grid")
        p.set_defaults(handler=run)
        add_folders(p)
        p.add_argument("run", help="run id (see 'vaelab runs list')")
        p.add_argument("-n", type=int, default=64, help=f"number of images (1 to {MAX_IMAGES})")
        p.add_argument("--out", type=Path, default=Path(f"{name}.png"), help="PNG file to write")
        if name == "sample":
            p.add_argument("--temperature", type=float, default=1.0, help="scale of z, > 0")
            p.add_argument("--seed", type=int, default=0)


def run(args: argparse.Namespace) -> int:
    """Sample or reconstruct, as ``args.command`` says."""
    return _sample(args) if args.command == "sample" else _reconstruct(args)


def _sample(args: argparse.Namespace) -> int:
    import torch

    from vaelab.errors import ConfigError
    from vaelab.runs import RunStore
    from vaelab.training.experiment import open_run

    n = _count(args.n)
    if not args.temperature > 0:
        raise ConfigError(f"temperature must be above 0, got {args.temperature:g}")
    _, model = open_run(RunStore(args.runs_dir), args.run)
    generator = torch.Generator().manual_seed(args.seed)
    images = model.sample(n, temperature=args.temperature, generator=generator)
    _save_grid(images, args.out, nrow=max(1, round(n**0.5)))
    return 0


def _reconstruct(args: argparse.Namespace) -> int:
    import torch

    from vaelab.runs import RunStore
    from vaelab.training.experiment import open_run

    n = _count(args.n)
    trained, model = open_run(RunStore(args.runs_dir), args.run)
    data = run_data(trained, args.data_dir)
    originals = data.test_x[:n].float() / 255.0
    rows = torch.cat([originals, model.reconstruct(originals)])
    # Originals on the first row(s), their reconstructions below.
    _save_grid(rows, args.out, nrow=min(n, 16))
    return 0


def _count(n: int) -> int:
    from vaelab.errors import ConfigError

    if not 1 <= n <= MAX_IMAGES:
        raise ConfigError(f"-n must be from 1 to {MAX_IMAGES}, got {n}")
    return n


def _save_grid(images: Tensor, path: Path, nrow: int) -> None:
    from torchvision.utils import save_image

    from vaelab.errors import ConfigError

    if path.suffix.lower() != ".png":
        raise ConfigError(f"the output must be a .png file, got {str(path)!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    save_image(images, path, nrow=nrow, padding=2, pad_value=1.0)
    print(f"wrote {path}")
