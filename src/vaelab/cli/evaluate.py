"""``vaelab evaluate``: measure a run and keep the figures in it."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from vaelab.cli.options import add_device, add_folders, run_data


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``evaluate`` and its options to ``subparsers``."""
    p = subparsers.add_parser(
        "evaluate", help="measure a run: ELBO, IWAE bound, bits/dim, PSNR, latents"
    )
    p.set_defaults(handler=run)
    add_folders(p)
    p.add_argument("run", help="run id (see 'vaelab runs list')")
    p.add_argument("--iwae-k", type=int, default=100, help="importance samples per image")
    p.add_argument("--iwae-images", type=int, default=1000, help="test images for IWAE; 0 skips")
    p.add_argument(
        "--no-samples",
        action="store_true",
        help="skip the sample-quality distance (it trains a small classifier once)",
    )
    add_device(p)
    p.add_argument(
        "--out",
        type=Path,
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
    store.save(replace(trained, metrics=metrics))
    out = args.out or store.path(trained.run_id) / "metrics.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(metrics, indent=2))
    for key, info in METRICS.items():
        value = metrics.get(key)
        if isinstance(value, int | float):
            print(f"{key:30} {value:12.5g} {info.unit}")
    print(f"wrote {out}")
    return 0
