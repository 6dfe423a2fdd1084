# VAE Lab — every target sets up its own virtual environment on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: app test test-slow test-all lint bench results results-seeds results-cifar-sample docs clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[app,dev,docs]"
	touch $(STAMP)

## Start the web app (http://localhost:8501)
app: $(STAMP)
	$(BIN)/vaelab app

## Lint, then run the default test suite: every test but the slow ones (about a minute)
test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/pytest

## Only the slow tests: the browser tests, the packaging test, the docs build, long trainings
test-slow: $(STAMP)
	$(BIN)/pytest -m slow

## Every test, slow and browser ones included (what CI runs, as `make test test-slow`)
test-all: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/pytest -m ""

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

## Training throughput: this engine vs the tutorial pipeline
bench: $(STAMP)
	$(BIN)/vaelab bench

## The σ-VAE comparison on MNIST-5k (offline): the committed reference that the app's Compare
## page, the README and the docs show (ELBO and IWAE on 1,000 test images, the command's default).
## Other references are other folders of src/vaelab/compare/references.
results: $(STAMP)
	$(BIN)/vaelab compare --dataset mnist-5k --epochs 5 --out src/vaelab/compare/references/mnist-5k

## The σ-VAE comparison on the full Fashion-MNIST over seeds 0, 1 and 2 (each seed in seed-N/, then
## seeds.json/.md/.csv): about 25-30 min per seed on a 2-core CPU, so meant for a machine with time
## or a GPU. Copy seed-0/comparison.* into the folder to make it a reference (references/README.md).
results-seeds: $(STAMP)
	$(BIN)/vaelab compare --dataset fashion-mnist --epochs 3 --seeds 0,1,2 --out src/vaelab/compare/references/fashion-mnist

## The σ-VAE comparison on the 5,000-image CIFAR-10 sample in ../shared/data (a sample, not
## CIFAR-10; no FD: the sample's labels past image 1,000 are not its images'): about 28 min.
results-cifar-sample: $(STAMP)
	$(BIN)/vaelab compare --dataset ../shared/data/cifar10-sample-5k.npz --latent 64 --hidden 64,128,256 --epochs 20 --fd-images 0 --out src/vaelab/compare/references/cifar10-sample

## Build the docs into docs/build/html (warnings are errors) and run their examples
docs: $(STAMP)
	ls test-artifacts/*.png >/dev/null 2>&1 || $(BIN)/pytest -q -m browser tests/test_browser.py
	$(MAKE) -C docs html doctest PYTHON=$(abspath $(BIN))/python SPHINXBUILD=$(abspath $(BIN))/sphinx-build

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .ruff_cache docs/build docs/source/_generated
