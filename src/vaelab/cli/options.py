"""The options several commands share, and the reading of them.

Every default and every bound quoted in a help text comes from where the library defines it:
:data:`vaelab.config.LIMITS`, :data:`vaelab.variants.VARIANTS`, the dataset registry
(:func:`vaelab.data.dataset_names`), :data:`vaelab.data.DEFAULT_DATA_DIR` and
:data:`vaelab.runs.DEFAULT_RUNS_DIR`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from vaelab.cli import values
from vaelab.config import LIMITS, Limit
from vaelab.data import DEFAULT_DATA_DIR, dataset_names, load_dataset
from vaelab.runs import DEFAULT_RUNS_DIR
from vaelab.training.device import DEVICE_CHOICES
from vaelab.training.experiment import _check_data

if TYPE_CHECKING:
    from vaelab.compare.contenders import CompareSettings
    from vaelab.config import TrainConfig
    from vaelab.data import ImageDataset
    from vaelab.runs import Run


def bounds(limit: Limit) -> str:
    """``"2 to 512"``: the inclusive bounds of a setting, for a help text."""
    return f"{limit.low} to {limit.high}"


def add_whole(
    parser: argparse.ArgumentParser, flag: str, limit: Limit, default: int | None, what: str
) -> None:
    """A whole-number option refused by argparse outside ``limit``, which its help quotes."""
    shown = "" if default is None else f" (default: {default})"
    parser.add_argument(
        flag, type=values.whole(limit), default=default, help=f"{what}, {bounds(limit)}{shown}"
    )


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    """``--data-dir``, the folder datasets are read from and downloaded to."""
    parser.add_argument(
        "--data-dir",
        type=values.path,
        default=DEFAULT_DATA_DIR,
        help="dataset folder (default: %(default)s)",
    )


def add_runs_dir(parser: argparse.ArgumentParser, default: object = DEFAULT_RUNS_DIR) -> None:
    """``--runs-dir``, the run cache (``default=argparse.SUPPRESS`` keeps an earlier value)."""
    parser.add_argument(
        "--runs-dir",
        type=values.path,
        default=default,
        help=f"run cache folder (default: {DEFAULT_RUNS_DIR})",
    )


def add_folders(parser: argparse.ArgumentParser) -> None:
    """``--data-dir`` and ``--runs-dir``."""
    add_data_dir(parser)
    add_runs_dir(parser)


def add_dataset_options(parser: argparse.ArgumentParser, default: str) -> None:
    """``--dataset`` (``default`` first in its help), ``--image-size`` and ``--no-download``."""
    others = [name for name in dataset_names() if name != default]
    parser.add_argument(
        "--dataset",
        type=values.dataset,
        default=default,
        help=f"{default}, {', '.join(others)}, "
        "or the path of an image folder or .npz file (default: %(default)s)",
    )
    add_whole(
        parser, "--image-size", LIMITS.image_side, None, "side your own images are resized to"
    )
    parser.add_argument("--no-download", action="store_true", help="never use the network")


def add_architecture(parser: argparse.ArgumentParser, latent: int, hidden: tuple[int, ...]) -> None:
    """``--latent`` and ``--hidden``, defaulting to ``latent`` and ``hidden``."""
    add_whole(parser, "--latent", LIMITS.latent_dim, latent, "latent size")
    parser.add_argument(
        "--hidden",
        type=values.widths,
        default=hidden,
        help=f"comma-separated widths ({bounds(LIMITS.width)}) of the "
        f"{bounds(LIMITS.layers)} conv layers (default: {','.join(map(str, hidden))})",
    )


def add_training(
    parser: argparse.ArgumentParser, defaults: TrainConfig | CompareSettings, epochs_help: str
) -> None:
    """``--epochs``, ``--batch-size``, ``--lr``, ``--seed``, defaulting to those of ``defaults``."""
    lowest_lr, highest_lr = LIMITS.lr
    add_whole(parser, "--epochs", LIMITS.epochs, defaults.epochs, epochs_help)
    add_whole(parser, "--batch-size", LIMITS.batch_size, defaults.batch_size, "images per step")
    parser.add_argument(
        "--lr",
        type=values.number(lowest_lr, highest_lr, above_low=True),
        default=defaults.lr,
        help=f"Adam learning rate, above {lowest_lr:g} and at most {highest_lr:g} "
        "(default: %(default)g)",
    )
    add_whole(parser, "--seed", LIMITS.seed, defaults.seed, "random seed")


def add_objective(parser: argparse.ArgumentParser) -> None:
    """``--kl-warmup``, ``--free-bits`` and ``--grad-clip``, each with its paper; off by default."""
    add_whole(
        parser,
        "--kl-warmup",
        LIMITS.kl_warmup,
        0,
        "KL warm-up steps, over which β grows linearly from 0 (Bowman et al. 2016; Sønderby "
        "et al. 2016; the training loss is then not an exact ELBO, the test loss and metrics "
        "stay exact); 0 is off",
    )
    _add_off_by_default(
        parser,
        "--free-bits",
        LIMITS.free_bits,
        "λ",
        "free bits: each latent dimension's batch-mean KL counts as at least λ nats in the "
        "training loss (Kingma et al. 2016)",
        "the training loss is then not an exact ELBO, the test loss and metrics stay exact",
    )
    _add_off_by_default(
        parser,
        "--grad-clip",
        LIMITS.grad_clip,
        "NORM",
        "scale each step's gradient down to this norm when it is longer (Pascanu et al. 2013)",
        "the objective is unchanged",
    )


def _add_off_by_default(
    parser: argparse.ArgumentParser,
    flag: str,
    limit: tuple[float, float],
    metavar: str,
    what: str,
    then: str,
) -> None:
    """A number option within ``limit``, 0 (off) by default; its help quotes the limit."""
    low, high = limit
    parser.add_argument(
        flag,
        type=values.number(low, high),
        default=0.0,
        metavar=metavar,
        help=f"{what}, {low:g} to {high:g} (default: 0, off); {then}",
    )


def add_device(parser: argparse.ArgumentParser, default: str = "auto") -> None:
    """``--device``, ``default`` when not given."""
    parser.add_argument(
        "--device",
        type=values.device,
        default=default,
        help=f"one of {', '.join(DEVICE_CHOICES)}, or cuda:N for the N-th GPU (default: {default})",
    )


def requested_data(args: argparse.Namespace, *, allow_fallback: bool = False) -> ImageDataset:
    """The dataset of ``--dataset``, ``--image-size`` and ``--no-download``; says any fallback."""
    data = load_dataset(
        args.dataset,
        args.data_dir,
        download=not args.no_download,
        allow_fallback=allow_fallback,
        image_size=args.image_size,
    )
    if data.notice:
        print(f"note: {data.notice}", file=sys.stderr)
    return data


def add_run(parser: argparse.ArgumentParser) -> None:
    """The positional ``run``, a run id."""
    parser.add_argument("run", type=values.run_id, help="run id (see 'vaelab runs list')")


def run_data(run: Run, data_dir: Path) -> ImageDataset:
    """The images ``run`` was trained on, from the local data folder (never downloaded).

    Raises
    ------
    ConfigError
        If the images are no longer those of the run (another shape, other pixels).
    """
    data = load_dataset(
        run.config.data.dataset,
        data_dir,
        download=False,
        image_size=run.config.data.image_size,
    )
    # Training's own check: a model fed other images would fail in a matmul, not in one line.
    _check_data(run.config, data)
    return data
