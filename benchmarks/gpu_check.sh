#!/usr/bin/env bash
# The GPU check of VAE Lab, in one go, for a machine with a CUDA GPU (#13 §1).
#
#   benchmarks/gpu_check.sh            # from the repository root, with .venv set up (make app/test)
#   PYTHON=python3 benchmarks/gpu_check.sh
#
# 1. runs tests/test_gpu.py (CPU vs CUDA losses of one seed, a CUDA run continued, bf16, sample,
#    evaluate and compare on CUDA, the benchmark on CUDA) and tests/test_ddp.py's quick tests;
# 2. times the engine against the tutorial pipeline on the GPU, MNIST-shaped (1×28×28) then
#    CIFAR-shaped (3×32×32), and the same on the CPU for reference;
# 3. prints one table (img/s of both pipelines, ratio, GPU name) to paste into the README, and
#    leaves the figures as JSON in $OUT (default: gpu-check/).
# It stops at the first failure. About 3 minutes on one GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
OUT=${OUT:-gpu-check}
IMAGES=${IMAGES:-5000}
REPEATS=${REPEATS:-3}
mkdir -p "$OUT"

"$PYTHON" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else "no CUDA GPU visible to torch " + torch.__version__)'
"$PYTHON" -c 'import torch; p = torch.cuda.get_device_properties(0); print(f"GPU: {p.name}, {p.total_memory / 2**30:.0f} GiB, torch {torch.__version__}, CUDA {torch.version.cuda}")'
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv,noheader || true

echo "== tests"
"$PYTHON" -m pytest -q -rs -p no:cacheprovider tests/test_gpu.py tests/test_ddp.py -m "slow or not slow" \
    -k "not ctrl_c"

echo "== benchmarks"
for device in cuda cpu; do
    for shape in mnist cifar; do
        "$PYTHON" -m vaelab bench --device "$device" --shape "$shape" --images "$IMAGES" \
            --repeats "$REPEATS" --json "$OUT/bench-$device-$shape.json"
    done
done

echo "== figures"
"$PYTHON" - "$OUT" <<'PY'
import json, sys
from pathlib import Path

out = Path(sys.argv[1])
print("| device | images | tutorial img/s | vaelab img/s | ratio |")
print("|---|---|---:|---:|---:|")
for device in ("cuda", "cpu"):
    for shape in ("mnist", "cifar"):
        r = json.loads((out / f"bench-{device}-{shape}.json").read_text())
        name = r["device_name"] or f"CPU ({r['threads']} threads)"
        size = "×".join(str(n) for n in r["shape"])
        print(
            f"| {name} | {shape} {size} | {r['tutorial_images_per_second']:,.0f} "
            f"| {r['vaelab_images_per_second']:,.0f} | {r['ratio']:.2f}× |"
        )
PY
