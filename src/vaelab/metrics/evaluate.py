"""Every metric of a trained VAE on its dataset, as one JSON-able dict (see :func:`evaluate`)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Literal

import torch
from torch import Tensor

from vaelab.data import ImageDataset
from vaelab.errors import ConfigError
from vaelab.metrics.bounds import (
    EncoderDecoder,
    ErrorStats,
    bits_per_dim,
    calibrated_gaussian,
    convergence_ks,
    iwae_nll,
    log_importance_weights,
    model_decoder,
    model_discrete_decoder,
    psnr,
)
from vaelab.metrics.classifier import (
    DEFAULT_CLASSIFIER_DIR,
    FeatureClassifier,
    load_or_train_classifier,
)
from vaelab.metrics.collapse import MI_IMAGES, mutual_information
from vaelab.metrics.latents import (
    ACTIVE_UNIT_THRESHOLD,
    KL_THRESHOLD,
    active_units,
    latent_mean_variance,
)
from vaelab.metrics.samples import real_fid, real_fid_unavailable, sample_quality
from vaelab.training.device import pick_device
from vaelab.variants import is_autoencoder

#: Version of the dict :func:`evaluate` returns; bump it when a key changes meaning. Version 2:
#: bits/dim of a discretised likelihood (no D ln 256 term), ELBO and IWAE on the same images,
#: standard errors.
METRICS_FORMAT = "vaelab-metrics/2"
#: Stages reported to the ``progress`` callback, in order.
STAGES = ("calibrate", "test", "iwae", "samples")
#: ``progress(stage, fraction)``: the stage (one of :data:`STAGES`) and its fraction done.
Progress = Callable[[str, float], None]
#: Most per-image values kept in the result for each bound (``*_per_image``): the first images'
#: ones, enough for paired differences between models; the run store keeps lists of at most
#: 4,096 numbers.
MAX_PER_IMAGE = 4096


@dataclass(frozen=True)
class MetricInfo:
    """How to read one scalar of :func:`evaluate`'s result.

    Attributes
    ----------
    unit : str
        ``"nats"`` (per image), ``"bits/dim"``, ``"dB"``, ``"count"``, ``""``...
    better : str or None
        ``"lower"`` or ``"higher"`` when one value is better than another, else ``None``.
    """

    unit: str
    better: str | None


#: The scalars worth a column in a comparison table, the discrete likelihoods (in bits/dim, as
#: papers report them) first (ids only: labels belong to the UI; show
#: ``fd_classifier_features`` as "FD (classifier features)", never as FID). Those with a
#: standard error have it under ``<id>_se``.
METRICS: dict[str, MetricInfo] = {
    "iwae_bits_per_dim": MetricInfo("bits/dim", "lower"),
    "elbo_bits_per_dim": MetricInfo("bits/dim", "lower"),
    "model_iwae_bits_per_dim": MetricInfo("bits/dim", "lower"),
    "model_elbo_bits_per_dim": MetricInfo("bits/dim", "lower"),
    "discrete_iwae_nll": MetricInfo("nats", "lower"),
    "discrete_neg_elbo": MetricInfo("nats", "lower"),
    "test_neg_elbo": MetricInfo("nats", "lower"),
    "test_recon": MetricInfo("nats", "lower"),
    "test_kl": MetricInfo("nats", None),
    "iwae_nll": MetricInfo("nats", "lower"),
    "calibrated_neg_elbo": MetricInfo("nats", "lower"),
    "iwae_nll_calibrated": MetricInfo("nats", "lower"),
    "recon_mse": MetricInfo("", "lower"),
    "recon_psnr_db": MetricInfo("dB", "higher"),
    "active_units": MetricInfo("count", None),
    "mutual_information": MetricInfo("nats", None),
    "calibrated_sigma": MetricInfo("", None),
    "model_scale": MetricInfo("", None),
    "fd_classifier_features": MetricInfo("", "lower"),
    "real_fid": MetricInfo("", "lower"),
}
#: The likelihood bounds: what a plain autoencoder (β = 0) has none of (their ``_se`` too).
BOUNDS = (
    "iwae_bits_per_dim",
    "elbo_bits_per_dim",
    "model_iwae_bits_per_dim",
    "model_elbo_bits_per_dim",
    "discrete_iwae_nll",
    "discrete_neg_elbo",
    "test_neg_elbo",
    "iwae_nll",
    "calibrated_neg_elbo",
    "iwae_nll_calibrated",
)
#: ``bounds_reason`` of a plain autoencoder.
AUTOENCODER_REASON = (
    "β = 0 trains a plain autoencoder, not a VAE: nothing fits its encoder's variances or pulls "
    "its codes towards the prior, so it has no ELBO, IWAE bound or bits/dim, only its "
    "reconstructions"
)


def format_metric(metric: str, value: float) -> str:
    """A value of ``metric`` for people: counts as whole numbers, others to 4 significant digits."""
    return str(int(value)) if METRICS[metric].unit == "count" else f"{value:.4g}"


def overall_fraction(stage: str, fraction: float) -> float:
    """Fraction of a whole :func:`evaluate` done, from one ``progress(stage, fraction)`` report."""
    return (STAGES.index(stage) + fraction) / len(STAGES)


def evaluate(
    model: EncoderDecoder,
    data: ImageDataset,
    *,
    iwae_k: int = 100,
    iwae_images: int = 1000,
    batch_size: int = 500,
    seed: int = 0,
    classifier: FeatureClassifier | Literal["auto"] | None = None,
    classifier_dir: str | Path = DEFAULT_CLASSIFIER_DIR,
    fd_images: int = 1000,
    fid: bool = False,
    device: torch.device | str = "cpu",
    progress: Progress | None = None,
) -> dict[str, Any]:
    r"""Measure a VAE on its dataset: likelihood bounds, reconstructions, latents, samples.

    Every number is computed with β = 1, whatever β the model was trained with. Random draws come
    from CPU generators seeded by ``seed``, so results repeat exactly on any device. The model is
    put back in its former mode and on its former device afterwards.

    Parameters
    ----------
    model : EncoderDecoder
        The VAE (a :class:`vaelab.models.ConvVAE`, or anything with ``encode``,
        ``decode_logits``, ``likelihood`` and ``config.latent_dim``).
    data : ImageDataset
        The dataset it was trained on.
    iwae_k : int
        Importance samples per image for the IWAE bound (Burda et al. 2016).
    iwae_images : int
        Number of test images (the first ones) both likelihood bounds, the ELBO and the IWAE
        bound, are computed on, so that they can be set side by side; all of them if fewer.
        0 skips the IWAE bound, and the ELBO then uses every test image.
    batch_size : int
        Images per forward pass; the IWAE step decodes ``batch_size`` latent codes at a time.
    seed : int
        Seed of every random draw.
    classifier : FeatureClassifier, "auto" or None
        Feature classifier for the sample-quality distance; ``"auto"`` loads the cached one from
        ``classifier_dir`` or trains it (a few seconds); ``None`` skips the measure.
    classifier_dir : str or Path
        Cache folder of the classifiers, for ``classifier="auto"``.
    fd_images : int
        Samples (and test images) for the Fréchet distances.
    fid : bool
        Also compute the real FID, when torch-fidelity and its weights are already installed.
    device : torch.device or str
        Where to compute (``"auto"`` picks the fastest).
    progress : callable, optional
        ``progress(stage, fraction)`` with a stage of :data:`STAGES`.

    Returns
    -------
    dict
        JSON-able; a value that would be infinite or NaN is ``None`` (PSNR of a perfect
        reconstruction, for instance). Nats are per image, summed over its D pixels.

        *Bookkeeping* — ``format``, ``dataset``, ``fingerprint``, ``likelihood`` (the model's),
        ``pixels`` (D), ``latent_dim``, ``n_train``, ``n_test``, ``seed``, ``seconds`` (per stage),
        ``bound_images`` (the first test images both bounds use) and ``iwae_k``, ``iwae_images``
        (``bound_images``, or 0 when the IWAE bound is skipped).

        Every bound below is a mean over the ``bound_images`` images, with its standard error
        (std over images / √n) under ``<key>_se``. The ELBO terms use one z ~ q(z | x) per image
        and the analytic KL; the IWAE bounds (Burda et al. 2016) ``iwae_k`` draws per image, the
        same draws for every decoder. Both are upper bounds on −log p(x), the IWAE one tighter;
        ``None`` when skipped.

        *Discrete likelihoods, in bits/dim as papers report them* — the decoder is a Gaussian
        whose σ is fitted on the training set (``calibrated_sigma``: σ² is the mean squared
        error per pixel of the decoder means at z ~ q(z | x), one draw per training image),
        discretised on the 256 levels with the lowest and highest bins taking the tails
        (:func:`~vaelab.models.likelihoods.discretized_nll`): a probability of the 8-bit
        images, one yardstick for models trained with any loss. ``discrete_neg_elbo`` and
        ``discrete_iwae_nll`` in nats; ``elbo_bits_per_dim`` and ``iwae_bits_per_dim`` =
        NLL / (D ln 2), a uniform decoder giving 8. ``elbo_bits_per_dim_per_image`` and
        ``iwae_bits_per_dim_per_image`` list the values of the first :data:`MAX_PER_IMAGE`
        images, in the order of the test set, for paired differences between models.
        ``model_elbo_bits_per_dim`` and ``model_iwae_bits_per_dim``: the same with the σ-VAE's
        own law and scale (learned, or optimal on the training set), ``None`` for the other
        models.

        *The model's own likelihood*, exact (normalising constants of ``mse`` and ``l1``
        included: Gaussian σ² = ½, Laplace b = 1) — ``test_neg_elbo`` = ``test_recon`` +
        ``test_kl`` and ``iwae_nll``. ``elbo_scale`` is the σ or b it uses and
        ``elbo_scale_source`` where it comes from: ``"fixed"`` (``mse``, ``l1``), ``"learned"``
        (σ-VAE parameter) or ``"train-optimal"``: a σ-VAE with *optimal* σ recomputes σ on every
        training batch; here it is the same rule applied to the whole training set, so the value
        does not depend on test batches. A density for the continuous likelihoods, comparable
        only between models with the same likelihood; the Bernoulli cross-entropy of grey
        pixels is not a likelihood at all.

        *Continuous density of the calibrated Gaussian* — ``calibrated_recon``,
        ``calibrated_neg_elbo`` and ``iwae_nll_calibrated`` (nats): the density over
        :math:`[0, 1]^D` of the same Gaussian, not discretised, which can be negative and is
        not comparable with papers.

        *Reconstructions* at x̂ = decode(μ), on every test image — ``recon_mse`` (per pixel,
        pixels in [0, 1]) and ``recon_psnr_db`` (peak 1.0, from the mean MSE over the test set).

        *Latents*, on every test image — ``latent_mean_variance`` (list, Var_x E_q[z_d]),
        ``active_units`` (count above ``active_units_threshold``, Burda et al. 2016),
        ``kl_per_dim`` (list, mean KL of each dimension, summing to ``test_kl`` when the bounds
        use every test image), ``active_units_kl`` (count above ``kl_threshold`` nats).

        *k-convergence* — ``iwae_bits_per_dim_by_k`` (the discrete bound, bits/dim) and
        ``iwae_nll_by_k`` (the model's own, nats): ``{"k": value}`` for each k of
        :func:`~vaelab.metrics.bounds.convergence_ks` (1, 10, 100… up to ``iwae_k``), each from
        the first k of the same draws: a bound that still moves between the two largest k has
        not converged. ``None`` when the IWAE bound is skipped.

        *Mutual information* — ``mutual_information``: I(x; z) in nats on the first
        ``mutual_information_images`` test images (at most
        :data:`~vaelab.metrics.collapse.MI_IMAGES`), the minibatch estimator of
        :func:`~vaelab.metrics.collapse.mutual_information`; at most ln of that number.

        *σ-VAE scale* — ``model_scale``: the learned σ (or b), or for an optimal-σ model the
        optimal value over the test set (one z per image); ``model_scale_source`` is
        ``"learned"`` or ``"test-optimal"``. ``None`` for other likelihoods.

        *A plain autoencoder* (a model trained with β = 0) — every bound of :data:`BOUNDS`,
        with its standard error and per-image values, is ``None`` (the IWAE bound is not even
        computed) and ``bounds_reason`` says why (:data:`AUTOENCODER_REASON`); ``None`` for a
        VAE. Its reconstructions, latents and samples are measured as for any model.

        *Samples* — keys of :func:`~vaelab.metrics.sample_quality` (``fd_classifier_features``,
        ``fd_train_vs_test``, ``fd_images``, ``classifier_test_accuracy``, ``fd_reason``), and
        ``real_fid`` with ``real_fid_reason``.

    Raises
    ------
    ConfigError
        If an option is out of range or the images do not fit the model.
    """
    _check_options(
        iwae_k=iwae_k, iwae_images=iwae_images, batch_size=batch_size, fd_images=fd_images
    )
    expected = getattr(getattr(model, "config", None), "image_shape", None)
    if expected is not None and tuple(expected) != data.shape:
        raise ConfigError(
            f"the images of {data.name} are {data.shape} but the model expects {tuple(expected)}"
        )
    device = pick_device(device) if isinstance(device, str) else device
    report = progress or (lambda stage, fraction: None)
    autoencoder = is_autoencoder(getattr(getattr(model, "config", None), "beta", 1.0))
    if autoencoder:
        iwae_images = 0
    home, home_format, was_training = _placement(model), _memory_format(model), model.training
    # Channels-last lets oneDNN/cuDNN pick their fastest convolutions, as in training.
    model.eval().to(device, memory_format=torch.channels_last)
    try:
        result = _measure(model, data, iwae_k, iwae_images, batch_size, seed, device, report)
        result["bounds_reason"] = None
        if autoencoder:
            result |= _no_bounds()
        tick = time.perf_counter()
        if classifier == "auto" and data.train_y is not None:
            classifier = load_or_train_classifier(
                data, classifier_dir, progress=lambda f: report("samples", 0.5 * f)
            )
        elif classifier == "auto":
            classifier = None  # sample_quality says why
        result |= sample_quality(
            model, data, classifier, fd_images, seed, device=device, batch_size=batch_size
        )
        fid_value, fid_reason = (
            real_fid(model, data, n=fd_images, seed=seed, device=device)
            if fid
            else (None, real_fid_unavailable() or "not asked for")
        )
        result |= {"real_fid": fid_value, "real_fid_reason": fid_reason}
        result["seconds"]["samples"] = time.perf_counter() - tick
        report("samples", 1.0)
    finally:
        model.to(home, memory_format=home_format).train(was_training)
    return _json_safe(result)


@torch.inference_mode()
def _measure(
    model: EncoderDecoder,
    data: ImageDataset,
    iwae_k: int,
    iwae_images: int,
    batch_size: int,
    seed: int,
    device: torch.device,
    report: Progress,
) -> dict[str, Any]:
    num_pixels = math.prod(data.shape)
    seconds: dict[str, float] = {}
    likelihood = model.likelihood
    mean_of = likelihood.mean

    tick = time.perf_counter()
    train = _Sums()
    generator = torch.Generator().manual_seed(seed)
    for x in _batches(data.train_x, batch_size, device, partial(report, "calibrate")):
        mu, logvar = model.encode(x)
        train.add_errors(x, mean_of(model.decode_logits(_sample(mu, logvar, generator))))
    train_errors = train.errors()
    calibrated_log_sigma = train_errors.log_scale("gaussian")
    # Every decoder the bounds are computed with, on the same draws of z.
    decoders = {
        "model": model_decoder(likelihood, num_pixels, train_errors),
        "calibrated": calibrated_gaussian(calibrated_log_sigma, mean=mean_of),
        "discrete": calibrated_gaussian(calibrated_log_sigma, discrete=True, mean=mean_of),
    }
    own_discrete = model_discrete_decoder(likelihood, train_errors)
    if likelihood.id == "gaussian" and decoders["model"].scale_source == "train-optimal":
        # A σ-VAE with the optimal σ *is* the calibrated Gaussian: the same objects, measured once.
        decoders["model"] = decoders["calibrated"]
        decoders["model_discrete"] = decoders["discrete"]
    elif own_discrete is not None:
        decoders["model_discrete"] = own_discrete
    # Each distinct decoder, in the order of its first name.
    distinct = list({id(decoder): decoder for decoder in decoders.values()}.values())
    seconds["calibrate"] = time.perf_counter() - tick

    tick = time.perf_counter()
    n_test = len(data.test_x)
    n_bound = min(iwae_images, n_test) if iwae_images else n_test
    test = _Sums()
    generator = torch.Generator().manual_seed(seed + 1)
    recon: dict[str, list[Tensor]] = {name: [] for name in decoders}
    kls, mus, logvars, kl_per_dim, start = [], [], [], 0.0, 0
    for x in _batches(data.test_x, batch_size, device, partial(report, "test")):
        mu, logvar = model.encode(x)
        logits = model.decode_logits(_sample(mu, logvar, generator))
        test.add_errors(x, mean_of(logits))
        kl = 0.5 * (mu.square() + logvar.exp() - 1.0 - logvar).double()  # (B, L)
        kl_per_dim = kl_per_dim + kl.sum(dim=0).cpu()
        keep = max(0, min(len(x), n_bound - start))  # the images of this batch the bounds use
        nlls = {id(d): d.nll(x[:keep], logits[:keep]).double().cpu() for d in distinct}
        for name, decoder in decoders.items():
            recon[name].append(nlls[id(decoder)])
        kls.append(kl[:keep].sum(dim=1).cpu())
        test.add("squared_error_at_mean", (mean_of(model.decode_logits(mu)) - x).square())
        mus.append(mu.cpu())
        logvars.append(logvar[:MI_IMAGES].cpu())
        start += len(x)
    kl_per_dim = kl_per_dim / n_test
    kl_bound = torch.cat(kls)  # (n_bound,)
    neg_elbo = {name: torch.cat(parts) + kl_bound for name, parts in recon.items()}
    mus = torch.cat(mus)  # (N, L)
    information = mutual_information(
        mus[:MI_IMAGES], torch.cat(logvars)[:MI_IMAGES], torch.Generator().manual_seed(seed + 3)
    )
    recon_mse = test.sums["squared_error_at_mean"] / (n_test * num_pixels)
    seconds["test"] = time.perf_counter() - tick

    tick = time.perf_counter()
    iwae: dict[str, Tensor | None] = dict.fromkeys(decoders)
    iwae_by_k: dict[str, dict[int, Tensor]] = {}
    if iwae_images:
        generator = torch.Generator().manual_seed(seed + 2)
        per_pass = max(1, batch_size // iwae_k)
        ks = convergence_ks(iwae_k)
        per_decoder: list[dict[int, list[Tensor]]] = [{k: [] for k in ks} for _ in distinct]
        nll_functions = [decoder.nll for decoder in distinct]
        for x in _batches(data.test_x[:n_bound], per_pass, device, partial(report, "iwae")):
            log_w = log_importance_weights(model, x, iwae_k, nll_functions, generator)
            for values, weights in zip(per_decoder, log_w, strict=True):
                for k in ks:  # the bound at k from the first k of the same draws
                    values[k].append(iwae_nll(weights[:k]).cpu())
        by_decoder = {
            id(d): {k: torch.cat(parts) for k, parts in values.items()}
            for d, values in zip(distinct, per_decoder, strict=True)
        }
        iwae_by_k = {name: by_decoder[id(decoder)] for name, decoder in decoders.items()}
        iwae = {name: by_k[iwae_k] for name, by_k in iwae_by_k.items()}
    seconds["iwae"] = time.perf_counter() - tick

    model_scale, model_scale_source = None, None
    if decoders["model"].scale_source == "learned":
        model_scale, model_scale_source = decoders["model"].scale, "learned"
    elif likelihood.has_scale:
        model_scale = math.exp(test.errors().log_scale(likelihood.id))
        model_scale_source = "test-optimal"

    elbo_bits = bits_per_dim(neg_elbo["discrete"], num_pixels)
    iwae_bits = None if iwae["discrete"] is None else bits_per_dim(iwae["discrete"], num_pixels)
    own_elbo_bits, own_iwae_bits = None, None
    if "model_discrete" in decoders:
        own_elbo_bits = bits_per_dim(neg_elbo["model_discrete"], num_pixels)
        if iwae["model_discrete"] is not None:
            own_iwae_bits = bits_per_dim(iwae["model_discrete"], num_pixels)
    return {
        "format": METRICS_FORMAT,
        "dataset": data.name,
        "fingerprint": data.fingerprint,
        "likelihood": likelihood.id,
        "pixels": num_pixels,
        "latent_dim": len(kl_per_dim),
        "n_train": len(data.train_x),
        "n_test": n_test,
        "seed": seed,
        "bound_images": n_bound,
        "iwae_k": iwae_k,
        "iwae_images": n_bound if iwae_images else 0,
        **_with_se("iwae_bits_per_dim", iwae_bits),
        **_with_se("elbo_bits_per_dim", elbo_bits),
        **_with_se("model_iwae_bits_per_dim", own_iwae_bits),
        **_with_se("model_elbo_bits_per_dim", own_elbo_bits),
        **_with_se("discrete_iwae_nll", iwae["discrete"]),
        **_with_se("discrete_neg_elbo", neg_elbo["discrete"]),
        "iwae_bits_per_dim_per_image": _first_values(iwae_bits),
        "elbo_bits_per_dim_per_image": _first_values(elbo_bits),
        **_with_se("test_neg_elbo", neg_elbo["model"]),
        "test_recon": float(neg_elbo["model"].mean() - kl_bound.mean()),
        "test_kl": float(kl_bound.mean()),
        **_with_se("iwae_nll", iwae["model"]),
        "elbo_scale": decoders["model"].scale,
        "elbo_scale_source": decoders["model"].scale_source,
        "calibrated_sigma": decoders["calibrated"].scale,
        "calibrated_recon": float(neg_elbo["calibrated"].mean() - kl_bound.mean()),
        **_with_se("calibrated_neg_elbo", neg_elbo["calibrated"]),
        **_with_se("iwae_nll_calibrated", iwae["calibrated"]),
        "recon_mse": recon_mse,
        "recon_psnr_db": psnr(recon_mse),
        "iwae_bits_per_dim_by_k": _by_k(iwae_by_k.get("discrete"), num_pixels),
        "iwae_nll_by_k": _by_k(iwae_by_k.get("model")),
        "mutual_information": information,
        "mutual_information_images": min(len(mus), MI_IMAGES),
        "active_units": active_units(mus),
        "active_units_threshold": ACTIVE_UNIT_THRESHOLD,
        "latent_mean_variance": latent_mean_variance(mus).tolist(),
        "active_units_kl": int((kl_per_dim > KL_THRESHOLD).sum()),
        "kl_threshold": KL_THRESHOLD,
        "kl_per_dim": kl_per_dim.tolist(),
        "model_scale": model_scale,
        "model_scale_source": model_scale_source,
        "seconds": seconds,
    }


def _no_bounds() -> dict[str, Any]:
    """The bounds of a plain autoencoder: none, and why."""
    absent: dict[str, Any] = {key: None for key in BOUNDS}
    absent |= {f"{key}_se": None for key in BOUNDS}
    absent |= {"iwae_bits_per_dim_per_image": None, "elbo_bits_per_dim_per_image": None}
    return absent | {"bounds_reason": AUTOENCODER_REASON}


def _by_k(values: dict[int, Tensor] | None, num_pixels: int | None = None) -> dict | None:
    """``{"k": mean bound}`` for each k, in bits/dim given ``num_pixels``, else in nats."""
    if values is None:
        return None
    scale = 1.0 if num_pixels is None else 1.0 / (num_pixels * math.log(2.0))
    return {str(k): float(v.mean()) * scale for k, v in values.items()}


def _with_se(key: str, values: Tensor | None) -> dict[str, float | None]:
    """``{key: mean, key_se: standard error}`` of per-image values (``None`` for none)."""
    if values is None:
        return {key: None, f"{key}_se": None}
    n = len(values)
    se = float(values.std() / math.sqrt(n)) if n > 1 else None
    return {key: float(values.mean()), f"{key}_se": se}


def _first_values(values: Tensor | None) -> list[float] | None:
    # Rounded to 1e-6 bits/dim: far below any difference between models, and a short file.
    return None if values is None else [round(v, 6) for v in values[:MAX_PER_IMAGE].tolist()]


class _Sums:
    """Running float64 sums over the batches of one pass."""

    def __init__(self) -> None:
        self.sums: dict[str, float] = {}
        self.pixels = 0

    def add(self, name: str, values: Tensor) -> None:
        self.sums[name] = self.sums.get(name, 0.0) + float(values.double().sum())

    def add_errors(self, x: Tensor, mean: Tensor) -> None:
        error = (x - mean).double()
        self.add("squared_error", error.square())
        self.add("absolute_error", error.abs())
        self.pixels += x.numel()

    def errors(self) -> ErrorStats:
        return ErrorStats(
            self.sums["squared_error"] / self.pixels, self.sums["absolute_error"] / self.pixels
        )


def _sample(mu: Tensor, logvar: Tensor, generator: torch.Generator) -> Tensor:
    # CPU noise, so that a seed gives the same draws on every device.
    eps = torch.randn(mu.shape, generator=generator).to(mu.device, mu.dtype)
    return mu + torch.exp(0.5 * logvar) * eps


def _batches(
    images: Tensor, batch_size: int, device: torch.device, report: Callable[[float], None]
) -> Iterator[Tensor]:
    # uint8 (N, C, H, W) -> float batches in [0, 1] on the device
    n = len(images)
    report(0.0)
    for i in range(0, n, batch_size):
        x = images[i : i + batch_size].to(device).float().div_(255.0)
        yield x.contiguous(memory_format=torch.channels_last)
        report(min(i + batch_size, n) / n)


def _placement(model: EncoderDecoder) -> torch.device:
    first = next(iter(model.parameters()), None)
    return first.device if first is not None else torch.device("cpu")


def _memory_format(model: EncoderDecoder) -> torch.memory_format:
    for parameter in model.parameters():
        if parameter.dim() == 4:
            contiguous = parameter.is_contiguous()
            if not contiguous and parameter.is_contiguous(memory_format=torch.channels_last):
                return torch.channels_last
            return torch.contiguous_format
    return torch.contiguous_format


def _check_options(**options: int) -> None:
    lowest = {"iwae_k": 1, "iwae_images": 0, "batch_size": 1, "fd_images": 0}
    for name, value in options.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < lowest[name]:
            raise ConfigError(f"{name} must be a whole number ≥ {lowest[name]}, got {value!r}")


def _json_safe(value: Any) -> Any:
    # Strict JSON has no inf or NaN: they become None (documented in evaluate).
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
