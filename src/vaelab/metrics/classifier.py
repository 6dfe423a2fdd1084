"""A small CNN classifier per dataset, whose features measure sample quality.

The classifier is trained once per dataset on its labelled training images and cached as
safetensors beside the dataset cache, keyed by the dataset's fingerprint. Its penultimate layer
gives the features of :func:`vaelab.metrics.sample_quality`. Grey and colour images get different
networks and training (:mod:`vaelab.metrics.classifier_nets`):

- grey (1 channel): two stride-2 convolutions, 5 epochs of Adam; 94.2 % test accuracy on
  MNIST-5k, 88.5 % on Fashion-MNIST;
- colour (3 channels): three convolution blocks with batch norm (32-64-128), random crops and
  flips, a one-cycle SGD schedule and label smoothing, at most 720 steps (144 s on the
  4,500-image CIFAR-10 sample, one thread of a 2-core CPU at load average 8; the grey network
  takes 16 s). Trained on 800 CIFAR-10 images and tested on 200 it reaches 47.5 % (51 % at 720
  steps), the grey network 42 % (``benchmarks/feature_classifier.py``).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors import safe_open
from safetensors.torch import save
from torch import Tensor, nn

from vaelab.atomic import atomic_write
from vaelab.data import DEFAULT_DATA_DIR, ImageDataset
from vaelab.data.cache import CACHE_DIR_NAME
from vaelab.errors import DatasetError
from vaelab.metrics.classifier_nets import augment, recipe_for

log = logging.getLogger(__name__)


#: Where :func:`load_or_train_classifier` keeps the classifiers, relative to the working folder.
def classifier_cache_dir(data_dir: str | os.PathLike) -> Path:
    """Folder of the cached classifiers of the datasets kept in ``data_dir``."""
    return Path(data_dir) / CACHE_DIR_NAME / "classifiers"


DEFAULT_CLASSIFIER_DIR = classifier_cache_dir(DEFAULT_DATA_DIR)
#: Size of the feature vector (the penultimate layer).
FEATURE_DIM = 128


class FeatureClassifier(nn.Module):
    """A feature network for the images' channels, then a linear classifier.

    Grey images get :func:`~vaelab.metrics.classifier_nets.grey_body`, colour images
    :func:`~vaelab.metrics.classifier_nets.colour_body`; :attr:`recipe` says which, and how
    it is trained.

    Parameters
    ----------
    image_shape : tuple of int
        ``(C, H, W)`` of the images.
    num_classes : int
        Number of labels.
    feature_dim : int
        Size of the features (the penultimate layer).

    Attributes
    ----------
    recipe : Recipe
        The architecture and its training.
    test_accuracy : float or None
        Accuracy on the dataset's test images, measured after training.
    """

    def __init__(
        self, image_shape: tuple[int, int, int], num_classes: int, feature_dim: int = FEATURE_DIM
    ) -> None:
        super().__init__()
        self.image_shape = tuple(image_shape)
        self.num_classes = num_classes
        self.feature_dim = feature_dim
        self.test_accuracy: float | None = None
        self.recipe = recipe_for(self.image_shape)
        self.body = self.recipe.build(self.image_shape, feature_dim)
        self.head = nn.Linear(feature_dim, num_classes)

    def features(self, x: Tensor) -> Tensor:
        """Penultimate-layer features: ``(B, C, H, W)`` in [0, 1] -> ``(B, feature_dim)``."""
        return self.body(x)

    def forward(self, x: Tensor) -> Tensor:
        """Class logits: ``(B, C, H, W)`` in [0, 1] -> ``(B, num_classes)``."""
        return self.head(self.body(x))

    @torch.inference_mode()
    def embed(self, images: Tensor, batch_size: int = 500) -> Tensor:
        """Features of many images, batch by batch, in eval mode.

        Parameters
        ----------
        images : Tensor
            ``uint8`` in [0, 255] or floats in [0, 1], ``(N, C, H, W)``.
        batch_size : int
            Images per forward pass.

        Returns
        -------
        Tensor
            Shape ``(N, feature_dim)``, float64, on the CPU.
        """
        was_training = self.training
        self.eval()
        device = next(self.parameters()).device
        chunks = [
            self.features(_as_input(images[i : i + batch_size], device)).double().cpu()
            for i in range(0, len(images), batch_size)
        ]
        self.train(was_training)
        return torch.cat(chunks)

    @torch.inference_mode()
    def accuracy(self, images: Tensor, labels: Tensor, batch_size: int = 500) -> float:
        """Fraction of ``images`` (uint8 or [0, 1] floats) whose label is predicted right."""
        was_training = self.training
        self.eval()
        device = next(self.parameters()).device
        correct = 0
        for i in range(0, len(images), batch_size):
            logits = self(_as_input(images[i : i + batch_size], device))
            correct += int((logits.argmax(1).cpu() == labels[i : i + batch_size]).sum())
        self.train(was_training)
        return correct / len(images)


def train_classifier(
    data: ImageDataset,
    *,
    epochs: int | None = None,
    min_steps: int | None = None,
    seed: int = 0,
    progress: Callable[[float], None] | None = None,
) -> FeatureClassifier:
    """Train a :class:`FeatureClassifier` on the labelled training images of ``data``.

    The network and its training (optimizer, schedule, augmentation, batch size, step bounds)
    come from the recipe of the images' channels (:attr:`FeatureClassifier.recipe`); ``epochs``
    and ``min_steps`` override the recipe's, for quick checks.

    Parameters
    ----------
    data : ImageDataset
        A labelled dataset.
    epochs : int, optional
        Passes over the training images; at least ``min_steps`` steps are taken in all, so that a
        small dataset still trains, and at most the recipe's ``max_steps``.
    min_steps : int, optional
        Fewest optimisation steps.
    seed : int
        Seed of the initial weights, of the batch order and of the augmentation.
    progress : callable, optional
        Called with the fraction of training done, in [0, 1].

    Returns
    -------
    FeatureClassifier
        In eval mode, on the CPU, with :attr:`~FeatureClassifier.test_accuracy` set.

    Raises
    ------
    DatasetError
        If the dataset has no labels.
    """
    _require_labels(data)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = FeatureClassifier(data.shape, len(data.classes))
    recipe = model.recipe
    n = len(data.train_x)
    steps = recipe.steps(
        n,
        recipe.epochs if epochs is None else epochs,
        recipe.min_steps if min_steps is None else min_steps,
    )
    layout = torch.channels_last if recipe.channels_last else torch.contiguous_format
    model = model.to(memory_format=layout)
    optimizer, schedule = recipe.optimizer_for(model.parameters(), steps)
    # One generator draws the batch order, then (colour only) the crops and flips: the grey
    # recipe draws exactly what it always did, so its classifiers stay bit-identical.
    rng = torch.Generator().manual_seed(seed)
    model.train()
    step = 0
    while step < steps:
        order = torch.randperm(n, generator=rng)
        for i in range(0, n, recipe.batch_size):
            if step == steps:
                break
            index = order[i : i + recipe.batch_size]
            x = _as_input(data.train_x[index])
            if recipe.augment:
                x = augment(x, rng)
            loss = F.cross_entropy(
                model(x.contiguous(memory_format=layout)),
                data.train_y[index],
                label_smoothing=recipe.label_smoothing,
            )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if schedule is not None:
                schedule.step()
            step += 1
            if progress is not None:
                progress(step / steps)
    # Back to the usual layout: the model returned computes what the one read from the cache does.
    model = model.to(memory_format=torch.contiguous_format).eval()
    model.test_accuracy = model.accuracy(data.test_x, data.test_y)
    return model


def classifier_file(
    data: ImageDataset, cache_dir: str | os.PathLike = DEFAULT_CLASSIFIER_DIR
) -> Path:
    """Where the classifier of ``data`` is cached: ``<cache_dir>/<fingerprint>.safetensors``."""
    return Path(cache_dir) / f"{data.fingerprint}.safetensors"


def load_or_train_classifier(
    data: ImageDataset,
    cache_dir: str | os.PathLike = DEFAULT_CLASSIFIER_DIR,
    *,
    epochs: int | None = None,
    progress: Callable[[float], None] | None = None,
) -> FeatureClassifier:
    """The cached classifier of ``data``, trained and saved first if there is none.

    A cache file that is unreadable, of another format than its recipe's (an older network or
    training) or for other images is replaced. A cache
    that cannot be written is only logged: the classifier is returned all the same.

    Parameters
    ----------
    data : ImageDataset
        A labelled dataset.
    cache_dir : str or os.PathLike
        Folder of the cached classifiers.
    epochs : int, optional
        Training epochs, when it has to be trained; by default the recipe's (see
        :func:`train_classifier`).
    progress : callable, optional
        Called with the fraction of training done.

    Returns
    -------
    FeatureClassifier
        In eval mode, on the CPU.

    Raises
    ------
    DatasetError
        If the dataset has no labels.
    """
    _require_labels(data)
    path = classifier_file(data, cache_dir)
    cached = _read(path, data)
    if cached is not None:
        return cached
    model = train_classifier(data, epochs=epochs, progress=progress)
    _write(path, model, data)
    return model


# Metadata that must match for a cached classifier to be reused.
_IDENTITY_KEYS = ("format", "fingerprint", "image_shape", "num_classes", "feature_dim")


def _metadata(data: ImageDataset, model: FeatureClassifier) -> dict[str, str]:
    return {
        "format": model.recipe.format,
        "fingerprint": data.fingerprint,
        "image_shape": json.dumps(list(model.image_shape)),
        "num_classes": str(model.num_classes),
        "feature_dim": str(model.feature_dim),
        "test_accuracy": json.dumps(model.test_accuracy),
    }


def _read(path: Path, data: ImageDataset) -> FeatureClassifier | None:
    if not path.is_file():
        return None
    try:
        with safe_open(path, framework="pt") as handle:
            meta = handle.metadata() or {}
            state = {key: handle.get_tensor(key) for key in handle.keys()}
        model = FeatureClassifier(data.shape, len(data.classes), int(meta["feature_dim"]))
        expected = _metadata(data, model)
        if any(meta.get(key) != expected[key] for key in _IDENTITY_KEYS):
            return None
        model.load_state_dict(state)
        model.test_accuracy = json.loads(meta["test_accuracy"])
    except Exception as exc:
        # The cache is only a copy: retraining is always the right answer, never a crash.
        log.warning("ignoring unreadable classifier cache %s (%s); retraining it", path, exc)
        return None
    return model.eval()


def _require_labels(data: ImageDataset) -> None:
    if data.train_y is None or data.classes is None:
        raise DatasetError(f"{data.name} has no labels, so no classifier can be trained on it")


def _write(path: Path, model: FeatureClassifier, data: ImageDataset) -> None:
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    try:
        atomic_write(path, save(state, metadata=_metadata(data, model)))
    except Exception as exc:  # a cache is best effort: never fail the caller
        log.warning("could not write the classifier cache %s (%s)", path, exc)


def _as_input(images: Tensor, device: torch.device | str = "cpu") -> Tensor:
    # uint8 [0, 255] -> float [0, 1]; floats are taken to be in [0, 1] already.
    images = images.to(device)
    return images.float().div(255.0) if images.dtype == torch.uint8 else images.float()
