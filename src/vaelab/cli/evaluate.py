"""``vaelab evaluate``: measure a run and keep the figures in it."""

from __future__ import annotations

import argparse
import json

from vaelab.cli import values
from vaelab.cli.options import add_device, add_folders, add_run, add_whole, run_data
from vaelab.cli.outputs import check_file, check_folder, write_files
from vaelab.config import LIMITS


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``evaluate`` and its options to ``subparsers``."""
    p = subparsers.add_parser(
        "evaluate", help="measure a run: ELBO, IWAE bound, bits/dim, PSNR, latents"
    )
    p.set_defaults(handler=run)
    add_folders(p)
    add_run(p)
    add_whole(p, "--iwae-k", LIMITS.iwae_k, 100, "importance samples per image")
    add_whole(p, "--iwae-images", LIMITS.iwae_images, 1000, "test images for IWAE (0 skips it)")
    p.add_argument(
        "--no-samples",
        action="store_true",
        help="skip the sample-quality distance (it trains a small classifier once)",
    )
    add_device(p)
    p.add_argument(
        "--out",
        type=values.path,
        default=None,
        help="JSON file to write (default: metrics.json in the run's folder)",
    )


def run(args: argparse.Namespace) -> int:
    """Evaluate the run ``args.run``, save its metrics and print them."""
    from dataclasses import replace

    from vaelab.metrics import METRICS, classifier_cache_dir, evaluate
    from vaelab.runs import RunStore
    from vaelab.training.experiment import open_run

    store = RunStore(args.runs_dir)
    trained, model = open_run(store, args.run)
    # The metrics are saved in the run too: its folder must be writable before they are measured.
    check_folder(store.path(trained.run_id))
    out = args.out or store.path(trained.run_id) / "metrics.json"
    check_file(out)
    data = run_data(trained, args.data_dir)
    metrics = evaluate(
        model,
        data,
        iwae_k=args.iwae_k,
        iwae_images=args.iwae_images,
        classifier=None if args.no_samples else "auto",
        classifier_dir=classifier_cache_dir(args.data_dir),
        device=args.device,
    )
    try:
        store.save(replace(trained, metrics=metrics))
    finally:
        # Written even when the run cannot be saved, so that the figures are kept somewhere.
        write_files({out: json.dumps(metrics, indent=2).encode()})
    for key, info in METRICS.items():
        value = metrics.get(key)
        if isinstance(value, int | float):
            print(f"{key:30} {value:12.5g} {info.unit}")
    # k-convergence: the IWAE bound at k = 1, 10, 100... from the same draws.
    for key, unit in (("iwae_nll_by_k", "nats"), ("iwae_bits_per_dim_by_k", "bits/dim")):
        if metrics.get(key):
            values = ", ".join(f"k={k} {v:.5g}" for k, v in metrics[key].items())
            print(f"{key:30} {values} ({unit})")
    if metrics["bounds_reason"]:
        print(f"note: {metrics['bounds_reason']}")
    print(f"wrote {out}")
    return 0
