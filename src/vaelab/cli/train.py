"""``vaelab train``: train a model, or continue or reload its cached run."""

from __future__ import annotations

import argparse
import signal
import sys

from vaelab.cli import values
from vaelab.cli.options import (
    add_architecture,
    add_dataset_options,
    add_device,
    add_folders,
    add_objective,
    add_training,
    requested_data,
)
from vaelab.cli.outputs import check_folder
from vaelab.config import PRECISIONS, SCALE_MODES, ModelConfig, TrainConfig
from vaelab.models.likelihoods import LIKELIHOODS
from vaelab.variants import VARIANTS


def _beta_help() -> str:
    ranges = []
    for variant in VARIANTS.values():
        low, high = variant.beta_range
        ranges.append(
            f"{variant.label} {low:g} (fixed)"
            if variant.beta_is_fixed
            else f"{variant.label} {low:g} to {high:g}"
        )
    return f"KL weight: {', '.join(ranges)}; β = 0 is a plain autoencoder, not a VAE"


def _beta_span() -> tuple[float, float]:
    # Every variant's β lies within this; the configuration checks the chosen variant's range.
    ranges = [variant.beta_range for variant in VARIANTS.values()]
    return min(low for low, _ in ranges), max(high for _, high in ranges)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``train`` and its options to ``subparsers``."""
    model, training = ModelConfig(), TrainConfig()
    p = subparsers.add_parser("train", help="train a model (or continue its cached run)")
    p.set_defaults(handler=run)
    add_folders(p)
    add_dataset_options(p, "mnist")
    p.add_argument("--model", default=model.variant, choices=list(VARIANTS), help="model variant")
    add_architecture(p, model.latent_dim, model.hidden)
    p.add_argument(
        "--loss",
        choices=list(LIKELIHOODS),
        default=None,
        help="reconstruction term (default: mse for VAE/β-VAE, gaussian for σ-VAE)",
    )
    p.add_argument(
        "--scale",
        choices=list(SCALE_MODES),
        default=model.scale,
        help="σ-VAE decoder scale: analytic optimum, learned, or learned per pixel "
        "(one σ per pixel, shared by every image; Rybkin et al. 2020)",
    )
    p.add_argument(
        "--beta", type=values.number(*_beta_span()), default=model.beta, help=_beta_help()
    )
    add_training(p, training, "total epochs; more than the cached run continues it")
    add_objective(p)
    add_device(p)
    p.add_argument(
        "--precision",
        choices=PRECISIONS,
        default=training.precision,
        help="fp32, or bf16 autocast: faster on GPUs with bfloat16 tensor cores (a run of its own)",
    )
    p.add_argument("--retrain", action="store_true", help="ignore the cached run")
    p.add_argument(
        "--allow-fallback",
        action="store_true",
        help="use the offline 5,000-digit sample if MNIST cannot be downloaded",
    )


def run(args: argparse.Namespace) -> int:
    """Train as ``args`` say; Ctrl-C stops at the next step and saves the run."""
    from vaelab.cli.progress import ProgressBar
    from vaelab.runs import RunStore
    from vaelab.training import distributed
    from vaelab.training.control import TrainingControl
    from vaelab.training.device import pick_device
    from vaelab.training.experiment import build_config, train

    check_folder(args.runs_dir, parents=True)
    data = requested_data(args, allow_fallback=args.allow_fallback)
    config = build_config(
        data,
        variant=args.model,
        latent_dim=args.latent,
        hidden=args.hidden,
        likelihood=args.loss,
        scale=args.scale,
        beta=args.beta,
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        seed=args.seed,
        kl_warmup=args.kl_warmup,
        free_bits=args.free_bits,
        precision=args.precision,
        grad_clip=args.grad_clip,
    )
    if args.kl_warmup or args.free_bits:
        print(
            "note: with KL warm-up or free bits the training loss is not an exact ELBO; "
            "the test loss and the metrics are the true ones",
            file=sys.stderr,
        )
    store = RunStore(args.runs_dir)
    control = TrainingControl()
    # Under torchrun, every rank trains the run; rank 0 reports and writes it.
    place = distributed.from_environment()
    device = pick_device(args.device)
    # Ctrl-C stops at the next step (every rank at the same one) and saves the run, which
    # `vaelab train` can continue.
    previous = signal.signal(signal.SIGINT, lambda *_: control.stop())
    try:
        if place is not None:
            device = distributed.start(place, device)
        outcome = train(
            config,
            data,
            store=store,
            device=device,
            callbacks=[ProgressBar()] if place is None or place.is_main else [],
            control=control,
            retrain=args.retrain,
            distributed=place,
        )
    finally:
        signal.signal(signal.SIGINT, previous)
        distributed.finish()
    if place is not None and not place.is_main:
        return 0
    saved = outcome.run
    if outcome.status == "cached":
        print(f"loaded from cache: {saved.epochs_done} epoch(s) already trained")
    elif outcome.resumed_from:
        print(f"continued from epoch {outcome.resumed_from}")
    if saved.history:
        last = saved.history[-1]
        terms = ", ".join(
            f"{k.removeprefix('test_')} {last[k]:.4g}" for k in last if k.startswith("test_")
        )
        print(f"epoch {saved.epochs_done}: test {terms}")
    status = "stopped (continue with the same command)" if outcome.status == "stopped" else "done"
    print(f"run {saved.run_id} {status}")
    print(f"saved in {store.path(saved.run_id)}")
    return 0
