"""Binarised MNIST, as the likelihood literature uses it (Burda, Grosse & Salakhutdinov 2016).

Each grey pixel p ∈ [0, 1] becomes a black-or-white pixel drawn from Bernoulli(p):

- the **test set** is binarised once, with a fixed seed (:data:`TEST_SEED`), so that every model
  is measured on the very same binary images;
- the **training images** are binarised afresh each time a batch uses them ("dynamic
  binarisation", which regularises the model), by :class:`DynamicBinarization`, which the
  trainer applies to each training batch. Its draws depend only on the run's seed and the step,
  so a run is reproducible and a stopped run continues on the same draws.

The registered ids are the grey datasets' with ``-binarized`` (``mnist-binarized``,
``mnist-5k-binarized``); train them with the ``bernoulli`` likelihood, an exact likelihood of
binary pixels, and ``vaelab evaluate RUN --iwae-k K`` gives the IWAE NLL in nats that papers
report (Burda et al.'s VAE: ≈ 86.76 nats with k = 5000 on the full MNIST).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from torch import Tensor

if TYPE_CHECKING:
    from vaelab.data.dataset import Splits
    from vaelab.data.registry import Source

#: Ending of the ids of the binarised datasets.
SUFFIX = "-binarized"
#: Seed of the one binarisation of the test set.
TEST_SEED = 0
# Odd 64-bit constant (the golden ratio's) that spreads (seed, step) pairs over the seeds.
_MIX = 0x9E3779B97F4A7C15
_SEED_MASK = 2**63 - 1


def binarize(images: Tensor, generator: torch.Generator) -> Tensor:
    """Draw each pixel from Bernoulli(its grey level): ``uint8`` 0/255 images.

    Parameters
    ----------
    images : Tensor
        ``uint8`` images, any shape.
    generator : torch.Generator
        Source of the draws (a CPU generator).

    Returns
    -------
    Tensor
        Same shape, ``uint8``, every value 0 or 255.
    """
    p = images.to(torch.float64) / 255.0
    return (torch.bernoulli(p, generator=generator) * 255).to(torch.uint8)


@dataclass(frozen=True)
class BinarizedSource:
    """A registered dataset's files with its test set binarised once (seeded).

    The training images stay grey: training binarises them afresh at each use
    (:class:`DynamicBinarization`).

    Attributes
    ----------
    base : Source
        Where the grey images come from.
    """

    base: Source

    def describe(self, root: Path) -> str:
        """The base's source, and how the images are binarised."""
        return (
            f"{self.base.describe(root)}; test images binarised once (seed {TEST_SEED}), "
            "training images binarised afresh each time they are used"
        )

    def location(self, root: Path) -> Path:
        """Where the base's files are."""
        return self.base.location(root)

    def is_local(self, root: Path) -> bool:
        """Whether the base loads without a download."""
        return self.base.is_local(root)

    def fetch(self, root: Path, download: bool = True) -> Path:
        """Fetch the base's files."""
        return self.base.fetch(root, download)

    def read(self, root: Path, download: bool = True) -> Splits:
        """Both splits, the test images binarised with :data:`TEST_SEED`."""
        splits = self.base.read(root, download)
        fixed = binarize(splits.test_x, torch.Generator().manual_seed(TEST_SEED))
        return splits._replace(test_x=fixed)


@dataclass(frozen=True)
class DynamicBinarization:
    """Binarise each training batch afresh: the trainer's ``train_transform``.

    Attributes
    ----------
    seed : int
        The run's seed; the draws of step ``s`` come from a generator seeded by (seed, s).
    """

    seed: int

    def __call__(self, x: Tensor, step: int) -> Tensor:
        """Binary images drawn from the grey batch ``x`` (pixels in [0, 1]) at step ``step``."""
        generator = torch.Generator(device=x.device)
        generator.manual_seed(((self.seed + 1) * _MIX + step) & _SEED_MASK)
        return torch.bernoulli(x, generator=generator)


def train_transform(dataset: str, seed: int) -> DynamicBinarization | None:
    """What the trainer applies to each training batch of ``dataset``: ``None`` for most.

    Parameters
    ----------
    dataset : str
        A dataset id or path.
    seed : int
        The run's seed.

    Returns
    -------
    DynamicBinarization or None
        The dynamic binarisation for the registered binarised datasets.
    """
    from vaelab.data.registry import REGISTRY

    spec = REGISTRY.get(dataset)
    if spec is None or not isinstance(spec.source, BinarizedSource):
        return None
    return DynamicBinarization(seed)
