"""Quality of a VAE's samples: Fréchet distances to the test images.

:func:`sample_quality` measures it in the feature space of the project's small per-dataset
classifier. That number must be shown as "FD (classifier features)": it is *not* an FID and is
not comparable with published FIDs. :func:`real_fid` computes the real FID with torch-fidelity
when that library and its Inception weights are already on the machine; nothing is downloaded.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import torch
from torch import Tensor
from torch.utils.data import Dataset

from vaelab.data import ImageDataset
from vaelab.metrics.bounds import EncoderDecoder
from vaelab.metrics.classifier import FeatureClassifier
from vaelab.metrics.frechet import frechet_distance

#: File name of torch-fidelity's Inception weights in ``torch.hub.get_dir()/checkpoints``.
INCEPTION_WEIGHTS = "weights-inception-2015-12-05-6726825d.pth"


def sample_quality(
    model: EncoderDecoder,
    data: ImageDataset,
    classifier: FeatureClassifier | None,
    n: int = 1000,
    seed: int = 0,
    *,
    device: torch.device | str = "cpu",
    batch_size: int = 500,
) -> dict[str, Any]:
    """Fréchet distance, in classifier features, between model samples and test images.

    Parameters
    ----------
    model : EncoderDecoder
        The VAE; samples are the decoder means of z ~ N(0, I).
    data : ImageDataset
        The dataset the model was trained on.
    classifier : FeatureClassifier or None
        The dataset's classifier (:func:`~vaelab.metrics.load_or_train_classifier`); ``None``
        skips the measure.
    n : int
        Number of samples, and of test images (fewer if the test set is smaller).
    seed : int
        Seed of the samples and of the choice of images.
    device : torch.device or str
        Where the model and the classifier run.
    batch_size : int
        Images per forward pass.

    Returns
    -------
    dict
        ``fd_classifier_features`` (float or None): samples vs. test images, lower is better.
        ``fd_train_vs_test`` (float or None): as many training images vs. the same test images,
        the value a perfect model would get up to sampling noise. ``fd_images`` (int): images per
        set. ``classifier_test_accuracy`` (float or None). ``fd_reason`` (str or None): why the
        distances are missing.
    """
    result: dict[str, Any] = {
        "fd_classifier_features": None,
        "fd_train_vs_test": None,
        "fd_images": 0,
        "classifier_test_accuracy": None,
        "fd_reason": None,
    }
    if data.train_y is None:
        result["fd_reason"] = f"{data.name} has no labels, so it has no feature classifier"
        return result
    if classifier is None:
        result["fd_reason"] = "no feature classifier was given"
        return result
    m = min(n, len(data.test_x), len(data.train_x))
    if m < 2:
        result["fd_reason"] = "a Fréchet distance needs at least 2 images in each set"
        return result
    classifier = classifier.to(device)
    generator = torch.Generator().manual_seed(seed)
    test = data.test_x[torch.randperm(len(data.test_x), generator=generator)[:m]]
    train = data.train_x[torch.randperm(len(data.train_x), generator=generator)[:m]]
    samples = draw_samples(model, m, generator, device=device, batch_size=batch_size)
    test_features = classifier.embed(test, batch_size)
    result.update(
        fd_classifier_features=frechet_distance(
            classifier.embed(samples, batch_size), test_features
        ),
        fd_train_vs_test=frechet_distance(classifier.embed(train, batch_size), test_features),
        fd_images=m,
        classifier_test_accuracy=classifier.test_accuracy,
    )
    return result


@torch.inference_mode()
def draw_samples(
    model: EncoderDecoder,
    n: int,
    generator: torch.Generator,
    *,
    device: torch.device | str = "cpu",
    batch_size: int = 500,
) -> Tensor:
    """Decoder means of ``n`` draws z ~ N(0, I), as ``uint8`` images on the CPU.

    The latent size is ``model.config.latent_dim``; the noise comes from the CPU ``generator``,
    so a seed gives the same samples on every device.
    """
    latent_dim = _latent_dim(model)
    chunks = []
    for i in range(0, n, batch_size):
        z = torch.randn(min(batch_size, n - i), latent_dim, generator=generator).to(device)
        mean = model.likelihood.mean(model.decode_logits(z))
        chunks.append(mean.mul(255).round().clamp(0, 255).to(torch.uint8).cpu())
    return torch.cat(chunks)


def inception_weights_path() -> Path:
    """Where torch-fidelity (and torchmetrics) keep their Inception weights."""
    return Path(torch.hub.get_dir()) / "checkpoints" / INCEPTION_WEIGHTS


def real_fid_unavailable() -> str | None:
    """Why :func:`real_fid` cannot run here, or ``None`` when it can."""
    if importlib.util.find_spec("torch_fidelity") is None:
        return "torch-fidelity is not installed (pip install torch-fidelity)"
    path = inception_weights_path()
    if not path.is_file():
        return (
            f"the Inception weights are not on this machine ({path}); VAE Lab never downloads them"
        )
    return None


def real_fid(
    model: EncoderDecoder,
    data: ImageDataset,
    *,
    n: int = 1000,
    seed: int = 0,
    device: torch.device | str = "cpu",
) -> tuple[float | None, str | None]:
    """FID between ``n`` model samples and ``n`` test images, with torch-fidelity's Inception.

    Only runs when torch-fidelity is installed and its Inception weights are already in the
    PyTorch hub cache; the weights are passed by path, so nothing is ever downloaded. Gray
    images are repeated over three channels. FID is biased upwards for small ``n``: compare
    values only at equal ``n``.

    Parameters
    ----------
    model : EncoderDecoder
        The VAE.
    data : ImageDataset
        Its dataset.
    n : int
        Images per set.
    seed : int
        Seed of the samples and of the choice of test images.
    device : torch.device or str
        Where the model and Inception run.

    Returns
    -------
    fid : float or None
        The FID, or ``None`` when it could not be computed.
    reason : str or None
        Why it is ``None``.
    """
    reason = real_fid_unavailable()
    if reason is not None:
        return None, reason
    import torch_fidelity

    m = min(n, len(data.test_x))
    generator = torch.Generator().manual_seed(seed)
    test = data.test_x[torch.randperm(len(data.test_x), generator=generator)[:m]]
    samples = draw_samples(model, m, generator, device=device)
    try:
        metrics = torch_fidelity.calculate_metrics(
            input1=_Uint8Images(samples),
            input2=_Uint8Images(test),
            fid=True,
            cuda=torch.device(device).type == "cuda",
            feature_extractor_weights_path=str(inception_weights_path()),
            cache=False,
            verbose=False,
        )
        return float(metrics["frechet_inception_distance"]), None
    except Exception as exc:  # a third-party library: report, never crash the evaluation
        return None, f"torch-fidelity failed: {exc}"


class _Uint8Images(Dataset):
    """``uint8`` images as torch-fidelity reads them: one ``(3, H, W)`` tensor per item."""

    def __init__(self, images: Tensor) -> None:
        self.images = images if images.shape[1] == 3 else images.expand(-1, 3, -1, -1)

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> Tensor:
        return self.images[index].contiguous()


def _latent_dim(model: EncoderDecoder) -> int:
    config = getattr(model, "config", None)
    if config is not None and hasattr(config, "latent_dim"):
        return int(config.latent_dim)
    raise TypeError("the model has no config.latent_dim; give it one to draw samples")
