"""``vaelab compare``: the σ-VAE paper's comparison, written as a figure, a table and JSON."""

from __future__ import annotations

import argparse
import json
import signal
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from vaelab.cli import values
from vaelab.cli.options import (
    add_architecture,
    add_dataset_options,
    add_device,
    add_folders,
    add_training,
    add_whole,
    requested_data,
)
from vaelab.cli.outputs import check_folder, write_files
from vaelab.compare.contenders import BETA_RANGE, MAX_BETAS, CompareSettings
from vaelab.compare.seeds import MAX_SEEDS
from vaelab.config import LIMITS

if TYPE_CHECKING:
    from vaelab.compare import Comparison
    from vaelab.data import ImageDataset
    from vaelab.training.control import TrainingControl

#: The files of the report: the figure, the table as CSV and Markdown, and everything as JSON.
REPORT = ("png", "csv", "md", "json", "safetensors")
#: The files of the summary over seeds (``--seeds``), beside the seeds' folders.
SUMMARY = ("json", "md", "csv")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``compare`` and its options to ``subparsers``."""
    settings = CompareSettings()
    low, high = BETA_RANGE
    p = subparsers.add_parser(
        "compare",
        help="the σ-VAE paper's comparison: Gaussian VAE (σ = 1), MSE VAE, β-VAEs and σ-VAE on "
        "one dataset",
    )
    p.set_defaults(handler=run)
    add_folders(p)
    add_dataset_options(p, "mnist-5k")
    add_architecture(p, settings.latent_dim, settings.hidden)
    add_training(p, settings, "epochs of every model")
    # No default for --seed: given with --seeds, it is refused rather than silently overridden.
    p.set_defaults(seed=None)
    p.add_argument(
        "--seeds",
        type=_seeds,
        default=None,
        help=f"comma-separated 1 to {MAX_SEEDS} different seeds (instead of --seed): the "
        "comparison once per seed in OUT/seed-N, then seeds.json/.md/.csv, the mean ± standard "
        "error over the seeds and whether the ranking holds",
    )
    p.add_argument(
        "--betas",
        type=values.numbers(low, high),
        default=settings.betas,
        help=f"comma-separated β of the 1 to {MAX_BETAS} β-VAE rows, each {low:g} to {high:g} "
        f"(default: {','.join(f'{beta:g}' for beta in settings.betas)})",
    )
    for name, what in (
        ("iwae_k", "importance samples per image"),
        ("iwae_images", "test images for IWAE (0 skips it)"),
        ("fd_images", "samples for the Fréchet distance in classifier features (0 skips it)"),
        ("samples", "samples per row of the figure"),
    ):
        flag = f"--{name.replace('_', '-')}"
        add_whole(p, flag, getattr(LIMITS, name), getattr(settings, name), what)
    add_device(p)
    p.add_argument(
        "--ray",
        metavar="ADDRESS",
        type=values.ray_address,
        default=None,
        help="train the models side by side on this Ray cluster (auto, HOST:6379, "
        "ray://HOST:10001; needs vaelab[cluster] and --runs-dir at the same path on every "
        "machine), then measure them here",
    )
    p.add_argument(
        "--out",
        type=values.path,
        default=None,
        help="folder of comparison.png/.csv/.md/.json/.safetensors, or with --seeds of the "
        "seed-N folders and seeds.json/.md/.csv (default: comparison-DATASET)",
    )


def _seeds(text: str) -> tuple[int, ...]:
    """The type of ``--seeds``: 1 to :data:`MAX_SEEDS` different seeds, comma-separated."""
    one = values.whole(LIMITS.seed)
    seeds = tuple(one(part.strip()) for part in text.split(",") if part.strip())
    if not 1 <= len(seeds) <= MAX_SEEDS or len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError(
            f"expected 1 to {MAX_SEEDS} different comma-separated seeds such as 0,1,2, "
            f"got {values.quoted(text)}"
        )
    return seeds


def run(args: argparse.Namespace) -> int:
    """Run the comparison, once or once per seed; Ctrl-C stops at the next step and reports."""
    from vaelab.errors import ConfigError

    if args.seeds is not None and args.seed is not None:
        raise ConfigError("--seed and --seeds cannot be used together: give one seed or a list")
    settings = CompareSettings(
        latent_dim=args.latent,
        hidden=args.hidden,
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        seed=CompareSettings().seed if args.seed is None else args.seed,
        betas=args.betas,
        iwae_k=args.iwae_k,
        iwae_images=args.iwae_images,
        fd_images=args.fd_images,
        samples=args.samples,
    )
    data = requested_data(args)
    out = args.out or Path(f"comparison-{Path(data.name).name}")
    check_folder(args.runs_dir, parents=True)
    if args.seeds is None:
        check_folder(out, [f"comparison.{kind}" for kind in REPORT])
        comparison = _compare(args, data, settings, out)
        state = "stopped (the same command continues it)" if comparison.stopped else "done"
        print(f"comparison {state} in {comparison.seconds:.0f} s; wrote {out}/comparison.*")
        return 0
    check_folder(out, [f"seeds.{kind}" for kind in SUMMARY], parents=True)
    return _compare_seeds(args, data, settings, out)


def _compare_seeds(
    args: argparse.Namespace, data: ImageDataset, settings: CompareSettings, out: Path
) -> int:
    """Compare once per seed of ``--seeds`` in ``out/seed-N``, then write the summary in ``out``.

    A seed whose folder already holds a finished comparison with these settings is read back,
    not run again. A stopped seed ends the loop; the summary covers the seeds done before it.
    """
    from vaelab.compare import SeedSummary
    from vaelab.i18n import texts

    done: list[Comparison] = []
    for seed in args.seeds:
        folder = out / f"seed-{seed}"
        wanted = replace(settings, seed=seed)
        comparison = _finished(folder, data.name, wanted)
        if comparison is not None:
            print(f"seed {seed}: reused {folder}/comparison.json (same settings, finished)")
        else:
            check_folder(folder, [f"comparison.{kind}" for kind in REPORT], parents=True)
            comparison = _compare(args, data, wanted, folder)
            if comparison.stopped:
                print(
                    f"seed {seed} stopped after {comparison.seconds:.0f} s (the same command "
                    "continues it); the summary covers the seeds done before it"
                )
                break
            print(f"seed {seed} done in {comparison.seconds:.0f} s; wrote {folder}/comparison.*")
        done.append(comparison)
    if not done:
        return 0
    summary = SeedSummary.from_comparisons(done)
    markdown = summary.to_markdown(texts("compare.col", "en"), texts("compare.seeds.finding", "en"))
    print(markdown)
    write_files(
        {
            out / "seeds.json": json.dumps(summary.to_json(), indent=2).encode(),
            out / "seeds.md": markdown.encode(),
            out / "seeds.csv": summary.to_csv().encode(),
        }
    )
    print(f"summary of seeds {', '.join(map(str, summary.seeds))}; wrote {out}/seeds.*")
    return 0


def _finished(folder: Path, dataset: str, settings: CompareSettings) -> Comparison | None:
    """The finished comparison of ``folder`` when it is of ``dataset`` with ``settings``."""
    from vaelab.compare import Comparison
    from vaelab.errors import ConfigError

    try:
        record = json.loads((folder / "comparison.json").read_text(encoding="utf-8"))
        comparison = Comparison.from_json(record)
    except (OSError, ValueError, ConfigError):
        return None
    same = comparison.dataset == dataset and comparison.settings == settings
    return comparison if same and not comparison.stopped else None


def _compare(
    args: argparse.Namespace, data: ImageDataset, settings: CompareSettings, out: Path
) -> Comparison:
    """Run one comparison and write its report in ``out``; Ctrl-C stops at the next step."""
    from vaelab.cli.progress import CompareBar
    from vaelab.compare import run_comparison
    from vaelab.explore.plots import png_bytes, sample_rows
    from vaelab.i18n import texts
    from vaelab.metrics import classifier_cache_dir
    from vaelab.runs import RunStore
    from vaelab.training.control import TrainingControl

    control = TrainingControl()
    # Ctrl-C stops at the next step, saves the run in training and reports what is done.
    previous = signal.signal(signal.SIGINT, lambda *_: control.stop())
    start = time.perf_counter()
    try:
        if args.ray:
            _train_on_ray(args, data, settings, control)
        with CompareBar() as bar:
            comparison = run_comparison(
                data,
                RunStore(args.runs_dir),
                settings,
                device=args.device,
                progress=bar.update,
                control=control,
                classifier_dir=classifier_cache_dir(args.data_dir),
            )
    finally:
        signal.signal(signal.SIGINT, previous)
    comparison.seconds = time.perf_counter() - start
    done = [row for row in comparison.rows if row.samples is not None]
    markdown = comparison.to_markdown(texts("compare.col", "en"), texts("compare.finding", "en"))
    report = {
        "png": png_bytes(sample_rows([(row.contender.label, row.samples) for row in done]))
        if done
        else None,
        "csv": comparison.to_csv().encode(),
        "md": markdown.encode(),
        "json": json.dumps(comparison.to_json(), indent=2).encode(),
        "safetensors": comparison.samples_file(),
    }
    print(markdown)
    # The trained models are in the runs folder whatever happens here; the report is written
    # where asked or, failing that, kept in a temporary folder that the error names.
    write_files(
        {out / f"comparison.{kind}": content for kind, content in report.items() if content}
    )
    return comparison


def _train_on_ray(
    args: argparse.Namespace,
    data: ImageDataset,
    settings: CompareSettings,
    control: TrainingControl,
) -> None:
    """Train every model of the comparison at once on the Ray cluster of ``--ray``."""
    from tqdm import tqdm

    from vaelab.jobs.cluster import RayExecutor
    from vaelab.jobs.parallel import train_contenders

    executor = RayExecutor(args.ray)
    with tqdm(total=1000, unit="‰", dynamic_ncols=True, leave=False) as bar:
        bar.set_description("training the models on the Ray cluster")

        def show(fractions: list[float]) -> None:
            bar.update(round(1000 * sum(fractions) / len(fractions)) - bar.n)

        train_contenders(
            executor,
            data,
            args.runs_dir.resolve(),
            settings,
            device=args.device,
            progress=show,
            control=control,
        )
