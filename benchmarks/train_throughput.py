"""Training throughput: VAE Lab's engine vs the tutorial pipeline (same model, same images).

Run ``python benchmarks/train_throughput.py [--images N --repeats N --batch-size N --json FILE]``,
the same as ``vaelab bench``; the measurement is :mod:`vaelab.training.bench`.
"""

import sys

from vaelab.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["bench", *sys.argv[1:]]))
