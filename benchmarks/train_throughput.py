"""Training throughput: VAE Lab's engine vs the tutorial pipeline (same model, same images).

Run ``python benchmarks/train_throughput.py`` (or ``vaelab bench``); see vaelab/bench.py.
"""

import argparse

from vaelab.training.bench import main

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=4000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    raise SystemExit(main(args.images, args.repeats, args.batch_size, args.json))
