"""How long the FD's feature classifier trains on a dataset, and its test accuracy.

Run ``python benchmarks/feature_classifier.py DATA [--threads N] [--head K --test N]``. DATA is
a registered dataset or an ``.npz`` file, loaded as the app loads it (10 % held out for testing);
the classifier is trained from scratch, never read from a cache, with the recipe of the images'
channels (:mod:`vaelab.metrics.classifier_nets`). ``--head K --test N`` instead trains on the
first K − N images of an ``.npz`` file in file order and tests on the next N: the CIFAR-10 sample
in ``../shared/data`` has the right labels for its first 1,000 images only. Prints one JSON line:
the recipe, the image counts, the threads, the seconds, the load average before and after, and
the test accuracy.
"""

from vaelab.training.threads import configure_openmp

# As the CLI and the app's launcher do, before torch loads: OpenMP threads that sleep instead of
# spinning, or a busy machine trains several times slower.
configure_openmp()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from vaelab.data import load_dataset  # noqa: E402
from vaelab.data.dataset import ImageDataset, Splits  # noqa: E402
from vaelab.metrics.classifier import train_classifier  # noqa: E402


def head_of_npz(path: str, head: int, test: int) -> ImageDataset:
    """The first ``head`` images of an ``(N, H, W, C)`` ``.npz``, the last ``test`` for testing."""
    with np.load(path) as npz:
        x = torch.from_numpy(npz["x"][:head]).permute(0, 3, 1, 2).contiguous()
        y = torch.from_numpy(npz["y"][:head].astype(np.int64))
    n = head - test
    classes = tuple(str(c) for c in range(int(y.max()) + 1))
    return ImageDataset.create(f"{path}[:{head}]", Splits(x[:n], y[:n], x[n:], y[n:]), classes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", help="a registered dataset or an .npz file")
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's)")
    parser.add_argument("--head", type=int, help="use the first HEAD images of the .npz only")
    parser.add_argument("--test", type=int, default=200, help="with --head: images to test on")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.head:
        data = head_of_npz(args.data, args.head, args.test)
    else:
        data = load_dataset(args.data)
    load_before = os.getloadavg()
    start = time.perf_counter()
    model = train_classifier(data, seed=args.seed)
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "data": data.name,
                "recipe": model.recipe.name,
                "train_images": len(data.train_x),
                "test_images": len(data.test_x),
                "threads": torch.get_num_threads(),
                "seconds": round(seconds, 1),
                "load_before": [round(v, 2) for v in load_before],
                "load_after": [round(v, 2) for v in os.getloadavg()],
                "test_accuracy": model.test_accuracy,
            }
        )
    )


if __name__ == "__main__":
    main()
