"""The app's default run on the offline MNIST sample: how long it takes and how digit-like it is.

Run ``python benchmarks/default_run.py [--latent N --epochs N --variant V --beta B]``. It trains
the Train page's default settings (or those given) on ``mnist-5k`` from scratch in a temporary
run folder, then asks the project's digit classifier (:mod:`vaelab.metrics.classifier`) about
100 samples from the prior and 100 real test digits, and prints the training time and, for each,
the share classified with a confidence of at least 0.9. Real digits give the ceiling a perfect
generator would reach with this classifier.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import torch

from vaelab import RunStore, build_config, load_dataset, train
from vaelab.app.sidebar import DEFAULTS, HIDDEN_DEFAULT
from vaelab.explore import sample_prior
from vaelab.metrics.classifier import FeatureClassifier, load_or_train_classifier
from vaelab.training.memory import retain_freed_memory

#: Images judged, samples and real test digits alike.
N_IMAGES = 100
#: Confidence above which an image counts as a digit.
CONFIDENT = 0.9


@torch.inference_mode()
def confident_share(classifier: FeatureClassifier, images: torch.Tensor) -> float:
    """Share of ``images`` (uint8 or [0, 1] floats) whose top class has probability ≥ 0.9."""
    x = images.float() / 255 if images.dtype == torch.uint8 else images.float()
    probabilities = classifier.eval()(x).softmax(dim=1)
    return float((probabilities.max(dim=1).values >= CONFIDENT).float().mean())


def main() -> dict:
    """Train the default run, measure it, print and return the figures."""
    variant = str(DEFAULTS["hp_variant"])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", default=variant)
    parser.add_argument("--latent", type=int, default=DEFAULTS["hp_latent"])
    parser.add_argument("--epochs", type=int, default=DEFAULTS["hp_epochs"])
    parser.add_argument("--batch-size", type=int, default=DEFAULTS["hp_batch"])
    parser.add_argument("--beta", type=float, default=None)
    parser.add_argument("--likelihood", default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    retain_freed_memory()
    torch.manual_seed(args.seed)
    with tempfile.TemporaryDirectory() as root:
        data = load_dataset("mnist-5k", Path(root) / "data")
        beta = args.beta if args.beta is not None else DEFAULTS.get(f"hp_beta_{args.variant}", 1.0)
        likelihood = args.likelihood or DEFAULTS[f"hp_likelihood_{args.variant}"]
        config = build_config(
            data,
            variant=args.variant,
            latent_dim=args.latent,
            hidden=HIDDEN_DEFAULT,
            likelihood=likelihood,
            beta=beta,
            epochs=args.epochs,
            batch_size=args.batch_size,
            seed=args.seed,
        )
        tick = time.perf_counter()
        outcome = train(config, data, store=RunStore(Path(root) / "runs"), device="cpu")
        seconds = time.perf_counter() - tick
        classifier = load_or_train_classifier(data, Path(root) / "classifiers")
        samples = sample_prior(outcome.model, N_IMAGES, seed=args.seed)
        result = {
            "settings": {
                "variant": args.variant,
                "latent": args.latent,
                "epochs": args.epochs,
                "batch_size": args.batch_size,
                "likelihood": likelihood,
                "beta": beta,
            },
            "train_seconds": round(seconds, 1),
            "samples_confident": confident_share(classifier, samples),
            "real_confident": confident_share(classifier, data.test_x[:N_IMAGES]),
            "classifier_accuracy": classifier.test_accuracy,
        }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
