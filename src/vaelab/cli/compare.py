"""``vaelab compare``: the σ-VAE paper's comparison, written as a figure, a table and JSON."""

from __future__ import annotations

import argparse
import json
import signal
import threading
from pathlib import Path

from vaelab.cli.options import (
    add_architecture,
    add_dataset_options,
    add_device,
    add_folders,
    add_training,
    requested_data,
)
from vaelab.compare.contenders import CompareSettings
from vaelab.variants import VARIANTS


def _betas(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated numbers such as 1e-1,1e-2, got {text!r}"
        ) from None


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``compare`` and its options to ``subparsers``."""
    settings = CompareSettings()
    low, high = VARIANTS["beta-vae"].beta_range
    p = subparsers.add_parser(
        "compare",
        help="the σ-VAE paper's comparison: Gaussian VAE, β-VAEs and σ-VAE on one dataset",
    )
    p.set_defaults(handler=run)
    add_folders(p)
    add_dataset_options(p, "mnist-5k")
    add_architecture(p, settings.latent_dim, settings.hidden)
    add_training(p, settings, "epochs of every model")
    p.add_argument(
        "--betas",
        type=_betas,
        default=settings.betas,
        help=f"comma-separated β of the β-VAE rows, each {low:g} to {high:g} "
        f"(default: {','.join(f'{beta:g}' for beta in settings.betas)})",
    )
    p.add_argument(
        "--iwae-k", type=int, default=settings.iwae_k, help="importance samples per image"
    )
    p.add_argument(
        "--iwae-images",
        type=int,
        default=settings.iwae_images,
        help="test images for IWAE; 0 skips",
    )
    p.add_argument(
        "--fd-images",
        type=int,
        default=settings.fd_images,
        help="samples for the Fréchet distance in classifier features; 0 skips it",
    )
    p.add_argument(
        "--samples", type=int, default=settings.samples, help="samples per row of the figure"
    )
    add_device(p)
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder of comparison.png/.csv/.md/.json (default: comparison-DATASET)",
    )


def run(args: argparse.Namespace) -> int:
    """Run the comparison; Ctrl-C stops at the next step and reports what is done."""
    from vaelab.cli.progress import CompareBar
    from vaelab.compare import run_comparison
    from vaelab.explore.plots import png_bytes, sample_rows
    from vaelab.i18n import texts
    from vaelab.metrics import classifier_cache_dir
    from vaelab.runs import RunStore

    settings = CompareSettings(
        latent_dim=args.latent,
        hidden=args.hidden,
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        seed=args.seed,
        betas=args.betas,
        iwae_k=args.iwae_k,
        iwae_images=args.iwae_images,
        fd_images=args.fd_images,
        samples=args.samples,
    )
    data = requested_data(args)
    out = args.out or Path(f"comparison-{Path(data.name).name}")
    stop = threading.Event()
    # Ctrl-C stops at the next step, saves the run in training and reports what is done.
    previous = signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        with CompareBar() as bar:
            comparison = run_comparison(
                data,
                RunStore(args.runs_dir),
                settings,
                device=args.device,
                progress=bar.update,
                stop_event=stop,
                classifier_dir=classifier_cache_dir(args.data_dir),
            )
    finally:
        signal.signal(signal.SIGINT, previous)
    done = [row for row in comparison.rows if row.samples is not None]
    out.mkdir(parents=True, exist_ok=True)
    if done:
        figure = sample_rows([(row.contender.label, row.samples) for row in done])
        (out / "comparison.png").write_bytes(png_bytes(figure))
    (out / "comparison.csv").write_text(comparison.to_csv())
    markdown = comparison.to_markdown(texts("compare.col", "en"), texts("compare.finding", "en"))
    (out / "comparison.md").write_text(markdown)
    (out / "comparison.json").write_text(json.dumps(comparison.to_json(), indent=2))
    print(markdown)
    state = "stopped (the same command continues it)" if comparison.stopped else "done"
    print(f"comparison {state} in {comparison.seconds:.0f} s; wrote {out}/comparison.*")
    return 0
