"""The app's default run on the offline MNIST sample: how long it takes and how digit-like it is.

Run ``python benchmarks/default_run.py [--latent N --epochs N --variant V --beta B ...]`` (every
option of the Train page's sidebar, KL warm-up and free bits included; ``--help`` lists them). It
trains the Train page's default settings (or those given) on ``mnist-5k`` from scratch in a
temporary run folder, then asks the project's digit classifier (:mod:`vaelab.metrics.classifier`)
about 100 samples from the prior and 100 real test digits, and prints as JSON the training time,
the training's images per second (the mean of its epochs', saving excluded) and, for each set of
images, the share classified with a confidence of at least 0.9. Real digits give the ceiling a
perfect generator would reach with this classifier. The reconstructions of the same real digits
are judged too: the share the classifier reads as the digit they reconstruct.
``--judge 1000`` also judges that many prior samples (same seed), a share with less sampling
noise than the 100 of the headline figure: it tells a weak model from 100 unlucky draws.
``--epochs 5,10,20`` measures the same run after 5, then 10, then 20 epochs (continued, as the
Train page's Continue does; times are cumulative), one JSON line each. ``--png FILE`` also
writes the last 100 samples as a 10 × 10 grid. The grid that chose the defaults is in
``benchmarks/results/default_run.md``.
"""

from vaelab.training.threads import configure_openmp

# As the CLI and the app's launcher do, before torch loads: OpenMP threads that sleep instead of
# spinning, or a busy machine trains several times slower.
configure_openmp()

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import torch  # noqa: E402
from PIL import Image  # noqa: E402

from vaelab import RunStore, build_config, load_dataset, train  # noqa: E402
from vaelab.app.sidebar import DEFAULTS  # noqa: E402
from vaelab.config import SCALE_MODES  # noqa: E402
from vaelab.explore import reconstruct, sample_prior  # noqa: E402
from vaelab.explore.plots import image_grid  # noqa: E402
from vaelab.metrics.classifier import FeatureClassifier, load_or_train_classifier  # noqa: E402
from vaelab.training.memory import retain_freed_memory  # noqa: E402

#: Images judged, samples and real test digits alike.
N_IMAGES = 100
#: Confidence above which an image counts as a digit.
CONFIDENT = 0.9
#: Samples per row of the ``--png`` grid.
GRID_ROW = 10


@torch.inference_mode()
def confident_share(classifier: FeatureClassifier, images: torch.Tensor) -> float:
    """Share of ``images`` (uint8 or [0, 1] floats) whose top class has probability ≥ 0.9."""
    x = images.float() / 255 if images.dtype == torch.uint8 else images.float()
    probabilities = classifier.eval()(x).softmax(dim=1)
    return float((probabilities.max(dim=1).values >= CONFIDENT).float().mean())


@torch.inference_mode()
def recognised_share(
    classifier: FeatureClassifier, images: torch.Tensor, labels: torch.Tensor
) -> float:
    """Share of ``images`` ([0, 1] floats) that the classifier reads as their ``labels``."""
    return float((classifier.eval()(images.float()).argmax(dim=1) == labels).float().mean())


def _integers(text: str) -> tuple[int, ...]:
    return tuple(int(value) for value in text.split(","))


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number ≥ 1, got {text}")
    return value


def parse_args() -> argparse.Namespace:
    """The settings to train, the Train page's defaults where not given."""
    variant = str(DEFAULTS["hp_variant"])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", default=variant)
    parser.add_argument("--latent", type=int, default=DEFAULTS["hp_latent"])
    parser.add_argument(
        "--hidden",
        type=_integers,
        default=tuple(DEFAULTS["hp_hidden"]),
        help="conv layer widths, comma-separated (default: the sidebar's)",
    )
    parser.add_argument(
        "--epochs",
        type=_integers,
        default=(DEFAULTS["hp_epochs"],),
        help="epochs, or increasing epochs to measure along one run, comma-separated",
    )
    parser.add_argument("--batch-size", type=int, default=DEFAULTS["hp_batch"])
    parser.add_argument("--lr", type=float, default=DEFAULTS["hp_lr"])
    parser.add_argument("--beta", type=float, default=None, help="default: the sidebar's")
    parser.add_argument("--likelihood", default=None, help="default: the variant's in the sidebar")
    parser.add_argument(
        "--scale", default=DEFAULTS["hp_scale"], help=f"σ-VAE: one of {', '.join(SCALE_MODES)}"
    )
    parser.add_argument(
        "--kl-warmup",
        type=int,
        default=DEFAULTS["hp_kl_warmup"],
        help="steps of linear KL warm-up (default: the sidebar's)",
    )
    parser.add_argument(
        "--free-bits",
        type=float,
        default=DEFAULTS["hp_free_bits"],
        help="nats per latent dimension (default: the sidebar's)",
    )
    parser.add_argument(
        "--grad-clip",
        type=float,
        default=DEFAULTS["hp_grad_clip"],
        help="largest gradient norm of a step, 0 off (default: the sidebar's)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--classifiers",
        type=Path,
        default=None,
        help="folder caching the digit classifier between runs (default: a temporary one)",
    )
    parser.add_argument(
        "--judge",
        type=_positive,
        default=None,
        help="also report the share of this many prior samples (the headline stays 100)",
    )
    parser.add_argument("--png", type=Path, default=None, help="write the 100 samples here")
    return parser.parse_args()


def main() -> list[dict]:
    """Train the run, measure it at each of its epoch counts, print and return the figures."""
    args = parse_args()
    retain_freed_memory()
    torch.manual_seed(args.seed)
    results = []
    with tempfile.TemporaryDirectory() as root:
        data = load_dataset("mnist-5k", Path(root) / "data")
        classifier = load_or_train_classifier(data, args.classifiers or Path(root) / "classifiers")
        real, labels = data.test_x[:N_IMAGES], data.test_y[:N_IMAGES]
        real_share = confident_share(classifier, real)
        beta = args.beta if args.beta is not None else DEFAULTS.get(f"hp_beta_{args.variant}", 1.0)
        likelihood = args.likelihood or DEFAULTS[f"hp_likelihood_{args.variant}"]
        store = RunStore(Path(root) / "runs")
        seconds = 0.0
        for epochs in args.epochs:
            config = build_config(
                data,
                variant=args.variant,
                latent_dim=args.latent,
                hidden=args.hidden,
                likelihood=likelihood,
                scale=args.scale,
                beta=beta,
                epochs=epochs,
                batch_size=args.batch_size,
                lr=args.lr,
                seed=args.seed,
                kl_warmup=args.kl_warmup,
                free_bits=args.free_bits,
                grad_clip=args.grad_clip,
            )
            tick = time.perf_counter()
            outcome = train(config, data, store=store, device="cpu")
            seconds += time.perf_counter() - tick
            samples = sample_prior(outcome.model, N_IMAGES, seed=args.seed)
            result = {
                "settings": {
                    "variant": args.variant,
                    "latent": args.latent,
                    "hidden": list(args.hidden),
                    "epochs": epochs,
                    "batch_size": args.batch_size,
                    "lr": args.lr,
                    "likelihood": likelihood,
                    "scale": args.scale,
                    "beta": beta,
                    "kl_warmup": args.kl_warmup,
                    "free_bits": args.free_bits,
                    "grad_clip": args.grad_clip,
                    "seed": args.seed,
                },
                "train_seconds": round(seconds, 1),
                "images_per_second": round(
                    statistics.mean(r["images_per_second"] for r in outcome.run.history)
                ),
                "samples_confident": confident_share(classifier, samples),
                "real_confident": real_share,
                "reconstructions_recognised": recognised_share(
                    classifier, reconstruct(outcome.model, real), labels
                ),
                "classifier_accuracy": classifier.test_accuracy,
            }
            if args.judge is not None:
                many = sample_prior(outcome.model, args.judge, seed=args.seed)
                result[f"samples_confident_of_{args.judge}"] = confident_share(classifier, many)
            print(json.dumps(result), flush=True)
            results.append(result)
    if args.png is not None:
        Image.fromarray(image_grid(samples, GRID_ROW, scale=2)).save(args.png)
    return results


if __name__ == "__main__":
    main()
