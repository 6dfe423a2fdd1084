"""The ``vaelab`` command line: train, sample, reconstruct, manage runs and datasets, benchmark.

Every error the user can cause (an unknown model, latent 0, seven layers, a negative β, a missing
path, a corrupt run…) ends in one line ``error: …`` on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from vaelab.compare.contenders import CompareSettings
from vaelab.config import MAX_IMAGE_SIDE, MIN_IMAGE_SIDE, SCALE_MODES, ModelConfig, TrainConfig
from vaelab.errors import VaeLabError
from vaelab.models.likelihoods import LIKELIHOODS
from vaelab.training.device import DEVICE_CHOICES
from vaelab.variants import VARIANTS

if TYPE_CHECKING:
    from torch import Tensor

    from vaelab.data import ImageDataset
    from vaelab.runs import Run

EXIT_USER_ERROR = 2


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line."""

    def error(self, message: str) -> None:  # noqa: D102
        self.exit(EXIT_USER_ERROR, f"error: {message} (see '{self.prog} --help')\n")


def _widths(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.replace(" ", "").split(",") if part)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"layer widths must be whole numbers separated by commas, like 32,64; got {text!r}"
        ) from None


def _betas(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated numbers such as 1e-1,1e-2, got {text!r}"
        ) from None


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, default=Path("data"), help="dataset folder")
    parser.add_argument("--runs-dir", type=Path, default=Path("runs"), help="run cache folder")


def _add_data_options(parser: argparse.ArgumentParser, default: str) -> None:
    """``--dataset`` (``default`` first in its help), ``--image-size`` and ``--no-download``."""
    others = [name for name in ("mnist", "mnist-5k", "fashion-mnist", "cifar10") if name != default]
    parser.add_argument(
        "--dataset",
        default=default,
        help=f"{default}, {', '.join(others)}, "
        "or the path of an image folder or .npz file (default: %(default)s)",
    )
    parser.add_argument(
        "--image-size",
        type=int,
        default=None,
        help=f"side your own images are resized to ({MIN_IMAGE_SIDE}-{MAX_IMAGE_SIDE})",
    )
    parser.add_argument("--no-download", action="store_true", help="never use the network")


def _add_device(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--device", default="auto", help=f"one of {', '.join(DEVICE_CHOICES)}")


def _build_parser() -> argparse.ArgumentParser:
    m, tr, cs = ModelConfig(), TrainConfig(), CompareSettings()
    parser = _Parser(prog="vaelab", description="VAE Lab: train and explore VAEs.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("train", help="train a model (or continue its cached run)")
    _add_common(p)
    _add_data_options(p, "mnist")
    p.add_argument("--model", default=m.variant, choices=list(VARIANTS), help="model variant")
    p.add_argument("--latent", type=int, default=m.latent_dim, help="latent size, 2 to 512")
    p.add_argument(
        "--hidden",
        type=_widths,
        default=m.hidden,
        help="comma-separated widths of the 1 to 5 conv layers (default: 32,64)",
    )
    p.add_argument(
        "--loss",
        choices=list(LIKELIHOODS),
        default=None,
        help="reconstruction term (default: mse for VAE/β-VAE, gaussian for σ-VAE)",
    )
    p.add_argument(
        "--scale",
        choices=list(SCALE_MODES),
        default=m.scale,
        help="σ-VAE decoder scale: analytic optimum or learned",
    )
    p.add_argument("--beta", type=float, default=m.beta, help="KL weight (β-VAE, σ-VAE)")
    p.add_argument(
        "--epochs",
        type=int,
        default=tr.epochs,
        help="total epochs; more than the cached run continues it",
    )
    p.add_argument("--batch-size", type=int, default=tr.batch_size)
    p.add_argument("--lr", type=float, default=tr.lr, help="Adam learning rate")
    p.add_argument("--seed", type=int, default=tr.seed)
    _add_device(p)
    p.add_argument("--retrain", action="store_true", help="ignore the cached run")
    p.add_argument(
        "--allow-fallback",
        action="store_true",
        help="use the offline 5,000-digit sample if MNIST cannot be downloaded",
    )

    for name, what in (
        ("sample", "draw images from the prior"),
        ("reconstruct", "reconstruct test images"),
    ):
        p = sub.add_parser(name, help=f"{what} of a run into a PNG grid")
        _add_common(p)
        p.add_argument("run", help="run id (see 'vaelab runs list')")
        p.add_argument("-n", type=int, default=64, help="number of images (1 to 1024)")
        p.add_argument("--out", type=Path, default=Path(f"{name}.png"), help="PNG file to write")
        if name == "sample":
            p.add_argument("--temperature", type=float, default=1.0, help="scale of z, > 0")
            p.add_argument("--seed", type=int, default=0)

    p = sub.add_parser("evaluate", help="measure a run: ELBO, IWAE bound, bits/dim, PSNR, latents")
    _add_common(p)
    p.add_argument("run", help="run id (see 'vaelab runs list')")
    p.add_argument("--iwae-k", type=int, default=100, help="importance samples per image")
    p.add_argument("--iwae-images", type=int, default=1000, help="test images for IWAE; 0 skips")
    p.add_argument(
        "--no-samples",
        action="store_true",
        help="skip the sample-quality distance (it trains a small classifier once)",
    )
    _add_device(p)
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="JSON file to write (default: metrics.json in the run's folder)",
    )

    p = sub.add_parser(
        "compare",
        help="the σ-VAE paper's comparison: Gaussian VAE, β-VAEs and σ-VAE on one dataset",
    )
    _add_common(p)
    _add_data_options(p, "mnist-5k")
    p.add_argument("--latent", type=int, default=cs.latent_dim, help="latent size, 2 to 512")
    p.add_argument(
        "--hidden", type=_widths, default=cs.hidden, help="widths of the conv layers (32,64)"
    )
    p.add_argument("--epochs", type=int, default=cs.epochs, help="epochs of every model")
    p.add_argument("--batch-size", type=int, default=cs.batch_size)
    p.add_argument("--lr", type=float, default=cs.lr, help="Adam learning rate")
    p.add_argument("--seed", type=int, default=cs.seed)
    p.add_argument(
        "--betas",
        type=_betas,
        default=cs.betas,
        help="comma-separated β of the β-VAE rows (default: 1e-1,1e-2,1e-3,1e-4,1e-5)",
    )
    p.add_argument("--iwae-k", type=int, default=cs.iwae_k, help="importance samples per image")
    p.add_argument(
        "--iwae-images", type=int, default=cs.iwae_images, help="test images for IWAE; 0 skips"
    )
    p.add_argument(
        "--fd-images",
        type=int,
        default=cs.fd_images,
        help="samples for the Fréchet distance in classifier features; 0 skips it",
    )
    p.add_argument("--samples", type=int, default=cs.samples, help="samples per row of the figure")
    _add_device(p)
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder of comparison.png/.csv/.md/.json (default: comparison-DATASET)",
    )

    p = sub.add_parser("runs", help="list, show, delete, export or import cached runs")
    _add_common(p)
    runs = p.add_subparsers(dest="action", required=True, parser_class=_Parser)
    runs.add_parser("list", help="list the cached runs")
    for action in ("show", "delete"):
        runs.add_parser(action, help=f"{action} a run").add_argument("run")
    q = runs.add_parser("export", help="write a run as a .zip")
    q.add_argument("run")
    q.add_argument("dest", type=Path, nargs="?", default=Path("."))
    q = runs.add_parser("import", help="add a run from a .zip made by export")
    q.add_argument("archive", type=Path)
    q.add_argument("--overwrite", action="store_true")

    p = sub.add_parser("datasets", help="which datasets are available locally; fetch one")
    p.add_argument("--data-dir", type=Path, default=Path("data"))
    ds = p.add_subparsers(dest="action", parser_class=_Parser)
    ds.add_parser("list", help="list the datasets (default)")
    ds.add_parser("fetch", help="download a dataset").add_argument("name")

    p = sub.add_parser("bench", help="training speed: this engine vs the tutorial pipeline")
    p.add_argument("--images", type=int, default=4000, help="training images per pass")
    p.add_argument("--repeats", type=int, default=3, help="timed passes of each pipeline")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")

    p = sub.add_parser("app", help="start the web app")
    p.add_argument("--port", type=int, default=8501)
    return parser


# -- commands -----------------------------------------------------------------------------------


def _requested_data(args: argparse.Namespace, *, allow_fallback: bool = False) -> ImageDataset:
    """The dataset of ``--dataset``, ``--image-size`` and ``--no-download``; says any fallback."""
    from vaelab.data import load_dataset

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


def _run_data(run: Run, data_dir: Path) -> ImageDataset:
    """The images ``run`` was trained on, from the local data folder (never downloaded)."""
    from vaelab.data import load_dataset

    return load_dataset(
        run.config.data.dataset,
        data_dir,
        download=False,
        image_size=run.config.data.image_size,
    )


def _train(args: argparse.Namespace) -> int:
    from vaelab.cli.progress import ProgressBar
    from vaelab.runs import RunStore
    from vaelab.training.experiment import build_config, train

    data = _requested_data(args, allow_fallback=args.allow_fallback)
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
    )
    store = RunStore(args.runs_dir)
    stop = threading.Event()
    # Ctrl-C stops at the next step and saves the run, which `vaelab train` can continue.
    previous = signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        outcome = train(
            config,
            data,
            store=store,
            device=args.device,
            callbacks=[ProgressBar()],
            stop_event=stop,
            retrain=args.retrain,
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    run = outcome.run
    if outcome.status == "cached":
        print(f"loaded from cache: {run.epochs_done} epoch(s) already trained")
    elif outcome.resumed_from:
        print(f"continued from epoch {outcome.resumed_from}")
    if run.history:
        last = run.history[-1]
        terms = ", ".join(
            f"{k.removeprefix('test_')} {last[k]:.4g}" for k in last if k.startswith("test_")
        )
        print(f"epoch {run.epochs_done}: test {terms}")
    status = "stopped (continue with the same command)" if outcome.status == "stopped" else "done"
    print(f"run {run.run_id} {status}")
    print(f"saved in {store.path(run.run_id)}")
    return 0


def _save_grid(images: Tensor, path: Path, nrow: int) -> None:
    from torchvision.utils import save_image

    from vaelab.errors import ConfigError

    if path.suffix.lower() != ".png":
        raise ConfigError(f"the output must be a .png file, got {str(path)!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    save_image(images, path, nrow=nrow, padding=2, pad_value=1.0)
    print(f"wrote {path}")


def _count(n: int) -> int:
    from vaelab.errors import ConfigError

    if not 1 <= n <= 1024:
        raise ConfigError(f"-n must be from 1 to 1024, got {n}")
    return n


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
    run, model = open_run(RunStore(args.runs_dir), args.run)
    data = _run_data(run, args.data_dir)
    originals = data.test_x[:n].float() / 255.0
    rows = torch.cat([originals, model.reconstruct(originals)])
    # Originals on the first row(s), their reconstructions below.
    _save_grid(rows, args.out, nrow=min(n, 16))
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from vaelab.metrics import METRICS, classifier_cache_dir, evaluate
    from vaelab.runs import RunStore
    from vaelab.training.experiment import open_run

    store = RunStore(args.runs_dir)
    run, model = open_run(store, args.run)
    data = _run_data(run, args.data_dir)
    metrics = evaluate(
        model,
        data,
        iwae_k=args.iwae_k,
        iwae_images=args.iwae_images,
        classifier=None if args.no_samples else "auto",
        classifier_dir=classifier_cache_dir(args.data_dir),
        device=args.device,
    )
    store.save(replace(run, metrics=metrics))
    out = args.out or store.path(run.run_id) / "metrics.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(metrics, indent=2))
    for key, info in METRICS.items():
        value = metrics.get(key)
        if isinstance(value, int | float):
            print(f"{key:30} {value:12.5g} {info.unit}")
    print(f"wrote {out}")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from vaelab.cli.progress import CompareBar
    from vaelab.compare import run_comparison
    from vaelab.explore.plots import png_bytes, sample_rows
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
    data = _requested_data(args)
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
    (out / "comparison.md").write_text(comparison.to_markdown())
    (out / "comparison.json").write_text(json.dumps(comparison.to_json(), indent=2))
    print(comparison.to_markdown())
    state = "stopped (the same command continues it)" if comparison.stopped else "done"
    print(f"comparison {state} in {comparison.seconds:.0f} s; wrote {out}/comparison.*")
    return 0


def _runs(args: argparse.Namespace) -> int:
    from vaelab.runs import RunStore

    store = RunStore(args.runs_dir)
    if args.action == "list":
        summaries = store.list()
        if not summaries:
            print(f"no runs in {store.root}")
        for s in summaries:
            if s.error:
                print(f"{s.run_id}  BROKEN: {s.error}")
                continue
            loss = s.final.get("test_loss")
            loss_text = f"test loss {loss:.4g}" if loss is not None else "no epoch yet"
            print(f"{s.run_id}  {s.epochs_done} epoch(s)  {s.status}  {loss_text}  {s.updated}")
    elif args.action == "show":
        run = store.load(args.run)
        print(
            json.dumps(
                {
                    "run_id": run.run_id,
                    "path": str(store.path(run.run_id)),
                    "epochs_done": run.epochs_done,
                    "status": run.status,
                    "created": run.created,
                    "updated": run.updated,
                    "config": run.config.to_dict(),
                    "history": run.history,
                    "metrics": run.metrics,
                },
                indent=2,
            )
        )
    elif args.action == "delete":
        store.delete(args.run)
        print(f"deleted {args.run}")
    elif args.action == "export":
        print(f"wrote {store.export(args.run, args.dest)}")
    elif args.action == "import":
        print(f"imported {store.import_(args.archive, overwrite=args.overwrite)}")
    return 0


def _datasets(args: argparse.Namespace) -> int:
    from vaelab.data import dataset_info, dataset_names, fetch_dataset

    if args.action == "fetch":
        print(f"{args.name} is in {fetch_dataset(args.name, args.data_dir)}")
        return 0
    for name in dataset_names():
        info = dataset_info(name, args.data_dir)
        shape = "×".join(map(str, info.shape))
        where = "available" if info.available_locally else "not downloaded"
        print(
            f"{name:14} {shape:9} {info.n_train:>6} train {info.n_test:>6} test  {where:15}"
            f"  {info.source}"
        )
    return 0


def _bench(args: argparse.Namespace) -> int:
    from vaelab.training.bench import main as bench_main

    return bench_main(
        images=args.images, repeats=args.repeats, batch_size=args.batch_size, json_path=args.json
    )


def _app(args: argparse.Namespace) -> int:
    main_page = Path(__file__).parent / "app" / "main.py"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(main_page),
        "--server.port",
        str(args.port),
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",
    ]
    try:
        return subprocess.call(command)
    except KeyboardInterrupt:
        return 0


COMMANDS = {
    "train": _train,
    "sample": _sample,
    "reconstruct": _reconstruct,
    "runs": _runs,
    "evaluate": _evaluate,
    "compare": _compare,
    "datasets": _datasets,
    "bench": _bench,
    "app": _app,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``vaelab`` command line; returns the exit status."""
    args = _build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except VaeLabError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR


if __name__ == "__main__":
    sys.exit(main())
