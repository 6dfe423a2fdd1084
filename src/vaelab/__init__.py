"""VAE Lab: learn and experiment with Variational AutoEncoders.

The package follows the pipeline, one sub-package a step:

1. :mod:`vaelab.data` — datasets as ``uint8`` tensors (registered sets, folders, ``.npz``);
2. :mod:`vaelab.models` — one convolutional VAE; VAE, β-VAE and σ-VAE are configurations
   (:mod:`vaelab.config` and :mod:`vaelab.variants` define every setting and its limits);
3. :mod:`vaelab.training` — a training loop that knows nothing of VAEs, and the experiment that
   caches, continues and saves runs;
4. :mod:`vaelab.runs` — the run store: JSON manifest + safetensors, atomic, no pickle;
5. :mod:`vaelab.metrics` and :mod:`vaelab.compare` — likelihood bounds, sample quality, and the
   σ-VAE paper's comparison;
6. :mod:`vaelab.explore` — the latent space, samples and figures of a trained model;
7. :mod:`vaelab.cli` and :mod:`vaelab.app` — the command line and the Streamlit app, the only
   places that talk to people, in the words and number formats of :mod:`vaelab.i18n` (English and
   French).

The names a script needs most are here::

    from vaelab import RunStore, build_config, load_dataset, train

    data = load_dataset("mnist-5k")
    outcome = train(build_config(data, variant="sigma-vae", latent_dim=16), data, RunStore("runs"))
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# Imported on first use, so that ``import vaelab`` (and ``vaelab --version``) stays light.
_EXPORTS = {
    "load_dataset": "vaelab.data",
    "ConvVAE": "vaelab.models",
    "build_config": "vaelab.training",
    "train": "vaelab.training",
    "RunStore": "vaelab.runs",
}

__all__ = ["ConvVAE", "RunStore", "__version__", "build_config", "load_dataset", "train"]

if TYPE_CHECKING:
    __version__: str

    from vaelab.data import load_dataset
    from vaelab.models import ConvVAE
    from vaelab.runs import RunStore
    from vaelab.training import build_config, train


def __getattr__(name: str) -> Any:
    if name == "__version__":
        # Read on first use: importing importlib.metadata takes a tenth of a second, before the
        # command line can handle a Ctrl-C.
        from importlib import metadata

        try:
            return metadata.version("vaelab")
        except metadata.PackageNotFoundError:  # a source tree that was never installed
            return "0+unknown"
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'vaelab' has no attribute {name!r}")
    return getattr(import_module(module), name)
