"""Typed, validated configurations and the run id derived from them.

A run is fully described by a :class:`RunConfig`: the model, the data and the training
hyperparameters. The run id is a hash of every setting that changes the result, except the number
of epochs, so that training longer continues the same run instead of starting a new one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, NamedTuple

from vaelab.errors import ConfigError
from vaelab.variants import VARIANTS

#: How a σ-VAE picks its decoder scale (Rybkin et al. 2020, sections 3.2 and 3.3): the analytic
#: optimum, one learned σ shared by every pixel, or one learned σ per pixel (C·H·W of them, shared
#: by every image), the paper's shared against per-pixel variance.
SCALE_MODES = ("optimal", "learned", "learned-per-pixel")
#: Arithmetic of training: float32 throughout, or bfloat16 autocast (faster on recent GPUs).
PRECISIONS = ("fp32", "bf16")
#: Reconstruction likelihoods that have a scale (σ or b) for the σ-VAE to choose: exactly the ones
#: the σ-VAE accepts (:data:`vaelab.variants.VARIANTS`).
SCALED_LIKELIHOODS = VARIANTS["sigma-vae"].likelihoods
#: Image channels a model takes: grey or colour.
CHANNEL_CHOICES = (1, 3)


class Limit(NamedTuple):
    """Inclusive bounds of one whole-number setting."""

    low: int
    high: int

    def check(self, name: str, value: Any) -> int:
        """``value`` if it is a whole number within the bounds.

        Raises
        ------
        ConfigError
            Saying what ``name`` must be and what it got.
        """
        return _check_int(name, value, self.low, self.high)


@dataclass(frozen=True)
class Limits:
    """The bounds of every numeric setting, defined once.

    :class:`ModelConfig` and :class:`TrainConfig` enforce them; the command line quotes them in its
    help; the app's widgets read them (and say so where they offer less on purpose). β's range
    depends on the variant: it is :attr:`vaelab.variants.Variant.beta_range`.
    """

    latent_dim: Limit = Limit(2, 512)
    layers: Limit = Limit(1, 5)
    width: Limit = Limit(8, 512)
    image_side: Limit = Limit(8, 256)
    epochs: Limit = Limit(1, 1000)
    batch_size: Limit = Limit(1, 4096)
    #: Seeds reach 2⁶³ − 1, the largest value ``torch.manual_seed`` takes without wrapping.
    seed: Limit = Limit(0, 2**63 - 1)
    #: Adam's learning rate lies in (low, high]: a float range, open at 0.
    lr: tuple[float, float] = (0.0, 1.0)
    #: Importance samples per image of the IWAE bound.
    iwae_k: Limit = Limit(1, 10_000)
    #: Test images of the IWAE bound, and samples of the Fréchet distance; 0 skips them.
    iwae_images: Limit = Limit(0, 100_000)
    fd_images: Limit = Limit(0, 100_000)
    #: Samples per row of the comparison's figure.
    samples: Limit = Limit(1, 32)
    #: The prior's scale when sampling lies in [low, high] (at 0 every sample is the same; the
    #: command line asks for more). Beyond a few standard deviations the decoder only saturates.
    temperature: tuple[float, float] = (0.0, 10.0)
    #: Optimisation steps over which β is annealed from 0 (KL warm-up); 0 switches it off.
    kl_warmup: Limit = Limit(0, 10_000_000)
    #: Free bits λ, in nats per latent dimension, in [low, high]; 0 switches them off.
    free_bits: tuple[float, float] = (0.0, 10.0)
    #: Largest norm of the gradient of a step, in [low, high]; 0 switches the clipping off.
    grad_clip: tuple[float, float] = (0.0, 1000.0)


#: The one table of limits.
LIMITS = Limits()
# Kept as names of their own because the data loaders quote them in messages.
MIN_IMAGE_SIDE, MAX_IMAGE_SIDE = LIMITS.image_side


def _check_int(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name} must be a whole number from {low} to {high}, got {value!r}")
    if not low <= value <= high:
        raise ConfigError(f"{name} must be from {low} to {high}, got {value}")
    return value


def _float_in(what: str, value: Any, low: float, high: float) -> float:
    """``value`` as a float in [low, high], or a ConfigError: "<what> from low to high, got …"."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not low <= float(value) <= high
    ):
        raise ConfigError(f"{what} from {low:g} to {high:g} (0 is off), got {value!r}")
    return float(value)


@dataclass(frozen=True)
class ModelConfig:
    """Architecture and loss of a convolutional VAE.

    Parameters
    ----------
    variant : str
        ``"vae"``, ``"beta-vae"`` or ``"sigma-vae"`` (see :data:`vaelab.variants.VARIANTS`).
    latent_dim : int
        Size of the latent vector z, from 2 to 512.
    hidden : tuple of int
        Widths of the 1 to 5 stride-2 convolutional layers of the encoder (each 8 to 512); the
        decoder mirrors them.
    likelihood : str or None
        Reconstruction term: ``"mse"``, ``"l1"``, ``"bernoulli"``, ``"continuous-bernoulli"`` or
        ``"gaussian-unit"`` (σ = 1, the σ-VAE paper's Gaussian VAE) for the VAE and β-VAE;
        ``"gaussian"``, ``"laplace"``, ``"discretized-gaussian"`` or ``"discretized-logistic"``
        for the σ-VAE (see :mod:`vaelab.models.likelihoods`).
        ``None`` picks the variant's default.
    scale : str
        For the σ-VAE: ``"optimal"`` (analytic σ, the batch RMSE; for a discretised decoder that
        continuous optimum is a plug-in), ``"learned"`` (one shared log-scale parameter) or
        ``"learned-per-pixel"`` (one log-scale parameter per pixel, shared by every image).
        Ignored by the other variants.
    beta : float
        Weight of the KL term. Fixed to 1 for the original VAE; 1e-5 to 10 otherwise.
    channels, height, width : int
        Shape of the images: 1 or 3 channels, sides from 8 to 256 pixels.
    """

    variant: str = "vae"
    latent_dim: int = 128
    hidden: tuple[int, ...] = (32, 64)
    likelihood: str | None = None
    scale: str = "optimal"
    beta: float = 1.0
    channels: int = 1
    height: int = 28
    width: int = 28

    def __post_init__(self) -> None:
        variant = VARIANTS.get(self.variant)
        if variant is None:
            raise ConfigError(
                f"unknown model {self.variant!r}; choose one of: {', '.join(VARIANTS)}"
            )
        LIMITS.latent_dim.check("latent size", self.latent_dim)
        hidden = tuple(self.hidden) if isinstance(self.hidden, list | tuple) else None
        layers = LIMITS.layers
        if hidden is None or not layers.low <= len(hidden) <= layers.high:
            count = len(hidden) if hidden is not None else self.hidden
            raise ConfigError(
                f"the encoder needs {layers.low} to {layers.high} convolutional layers, got {count}"
            )
        for width in hidden:
            LIMITS.width.check("each layer width", width)
        object.__setattr__(self, "hidden", hidden)

        likelihood = self.likelihood or variant.likelihoods[0]
        if likelihood not in variant.likelihoods:
            raise ConfigError(
                f"reconstruction loss {likelihood!r} does not go with {variant.label}; "
                f"choose one of: {', '.join(variant.likelihoods)}"
            )
        object.__setattr__(self, "likelihood", likelihood)
        if self.scale not in SCALE_MODES:
            raise ConfigError(
                f"decoder scale must be one of: {', '.join(SCALE_MODES)}, got {self.scale!r}"
            )
        if likelihood not in SCALED_LIKELIHOODS:
            # The scale only means something for a calibrated decoder: normalise it so that it
            # cannot split the run cache.
            object.__setattr__(self, "scale", "optimal")

        if isinstance(self.beta, bool) or not isinstance(self.beta, int | float):
            raise ConfigError(f"β must be a number, got {self.beta!r}")
        beta = float(self.beta) + 0.0  # −0.0 becomes 0.0: one β, one run id
        low, high = variant.beta_range
        if variant.beta_is_fixed and beta != low:
            raise ConfigError(
                f"the original VAE has β = {low:g}; use the β-VAE or σ-VAE to change it"
            )
        if not low <= beta <= high:
            raise ConfigError(
                f"β must be from {low:g} to {high:g} for {variant.label}, got {beta:g}"
            )
        object.__setattr__(self, "beta", beta)

        if self.channels not in CHANNEL_CHOICES:
            raise ConfigError(f"images must have 1 or 3 channels, got {self.channels}")
        LIMITS.image_side.check("image height", self.height)
        LIMITS.image_side.check("image width", self.width)

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """Shape ``(C, H, W)`` of one image."""
        return (self.channels, self.height, self.width)


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation hyperparameters.

    Parameters
    ----------
    epochs : int
        Total number of passes over the training set (1 to 1000). Not part of the run id: asking
        for more epochs continues a cached run.
    batch_size : int
        Images per optimisation step (1 to 4096).
    lr : float
        Adam's learning rate, in (0, 1].
    seed : int
        Seed of every random draw (initial weights, batch order, reparameterization noise).
    kl_warmup : int
        KL warm-up: β grows linearly from 0 to its value over this many optimisation steps
        (Bowman et al. 2016; Sønderby et al. 2016); 0, the default, trains with β throughout.
    free_bits : float
        Free bits λ (Kingma et al. 2016): each latent dimension's KL, averaged over the batch,
        counts as at least λ nats in the training objective; 0, the default, switches them off.
    precision : str
        ``"fp32"`` (the default) or ``"bf16"``: convolutions and matrix products under bfloat16
        autocast, faster on GPUs with bfloat16 tensor cores; the run differs, so it has its own id.
    grad_clip : float
        Gradient clipping: before each step, the gradient of all the parameters together is
        scaled down to this norm when it is longer (Pascanu et al. 2013); 0, the default, leaves
        it as it is. It changes the steps, not the objective.

    Notes
    -----
    While warm-up or free bits act, the training loss is not a β-weighted negative ELBO; the
    test loss and every metric stay the true ones (:mod:`vaelab.training.schedules`).
    """

    epochs: int = 5
    batch_size: int = 64
    lr: float = 1e-3
    seed: int = 0
    kl_warmup: int = 0
    free_bits: float = 0.0
    precision: str = "fp32"
    grad_clip: float = 0.0

    def __post_init__(self) -> None:
        LIMITS.epochs.check("epochs", self.epochs)
        LIMITS.batch_size.check("batch size", self.batch_size)
        LIMITS.seed.check("seed", self.seed)
        LIMITS.kl_warmup.check("KL warm-up steps", self.kl_warmup)
        if isinstance(self.lr, bool) or not isinstance(self.lr, int | float):
            raise ConfigError(f"learning rate must be a number, got {self.lr!r}")
        low, high = LIMITS.lr
        if not low < float(self.lr) <= high:
            raise ConfigError(f"learning rate must be in ({low:g}, {high:g}], got {self.lr:g}")
        object.__setattr__(self, "lr", float(self.lr))
        for name, what in (
            ("free_bits", "free bits must be a number of nats"),
            ("grad_clip", "gradient clipping must be a norm"),
        ):
            object.__setattr__(
                self, name, _float_in(what, getattr(self, name), *getattr(LIMITS, name))
            )
        if self.precision not in PRECISIONS:
            raise ConfigError(
                f"precision must be one of: {', '.join(PRECISIONS)}, got {self.precision!r:.40}"
            )


@dataclass(frozen=True)
class DataConfig:
    """Which images a run was trained on.

    Parameters
    ----------
    dataset : str
        A registered dataset id (``"mnist"``, ``"mnist-5k"``…) or the path of the user's images.
    fingerprint : str
        Content hash of the loaded images, so that a changed folder never reuses a stale run.
    image_size : int or None
        Side the user's images were resized to; ``None`` for the registered datasets.
    """

    dataset: str = "mnist"
    fingerprint: str = ""
    image_size: int | None = None


@dataclass(frozen=True)
class RunConfig:
    """Everything that defines a run."""

    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    train: TrainConfig = field(default_factory=TrainConfig)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (tuples become lists)."""
        return json.loads(json.dumps(asdict(self)))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunConfig:
        """Rebuild and validate a config saved by :meth:`to_dict`.

        Raises
        ------
        ConfigError
            If a section or key is missing, unknown, or has a value that is not allowed.
        """
        if not isinstance(data, dict):
            raise ConfigError("a run config must be a JSON object")
        sections = {"model": ModelConfig, "data": DataConfig, "train": TrainConfig}
        built = {}
        for name, section_cls in sections.items():
            values = data.get(name)
            if not isinstance(values, dict):
                raise ConfigError(f"run config has no {name!r} section")
            known = {f.name for f in fields(section_cls)}
            unknown = set(values) - known
            if unknown:
                raise ConfigError(f"unknown {name} setting(s): {', '.join(sorted(unknown))}")
            if name == "model" and "hidden" in values:
                values = {**values, "hidden": tuple(values["hidden"])}
            try:
                built[name] = section_cls(**values)
            except TypeError as exc:
                raise ConfigError(f"invalid {name} settings: {exc}") from None
        return cls(**built)

    def identity(self) -> dict[str, Any]:
        """The settings that determine the result of training, epochs excluded.

        A setting added after runs were first saved (:data:`LATER_SETTINGS`) enters only when it
        differs from its default, so that every earlier run keeps its id; a decoder changed since
        (:data:`CHANGED_DECODERS`) adds its change, so that no earlier run keeps its id.
        """
        d = self.to_dict()
        del d["train"]["epochs"]
        for section, name in LATER_SETTINGS:
            if d[section][name] == getattr(_DEFAULTS[section], name):
                del d[section][name]
        change = CHANGED_DECODERS.get(self.model.likelihood or "")
        if change is not None:
            d["model"]["decoder"] = change
        return d

    @property
    def run_id(self) -> str:
        """Readable, stable id: ``<variant>-<dataset>-z<latent>-<hash>``."""
        canonical = json.dumps(self.identity(), sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256(canonical.encode()).hexdigest()[:10]
        # A registered id, or the stem of the user's folder or file ("my-digits.npz" -> my-digits).
        name = Path(self.data.dataset.replace("\\", "/")).stem or "custom"
        dataset = "".join(c if c.isalnum() or c == "-" else "-" for c in name)[:24]
        return f"{self.model.variant}-{dataset}-z{self.model.latent_dim}-{digest}"

    def with_epochs(self, epochs: int) -> RunConfig:
        """A copy that trains for ``epochs`` in total."""
        return replace(self, train=replace(self.train, epochs=epochs))


#: Settings added after runs were first saved, as ``(section, name)``: at their default they stay
#: out of :meth:`RunConfig.identity`, so that the ids of earlier runs do not change.
LATER_SETTINGS = (
    ("train", "kl_warmup"),
    ("train", "free_bits"),
    ("train", "precision"),
    ("train", "grad_clip"),
)
#: Decoders whose model changed after runs were first saved, by likelihood id, with the change:
#: their runs' identity names it, so that a run trained before is not read as the new model (its
#: id no longer matches its config, and the run store refuses its weights). The discretised laws'
#: location became unbounded (:mod:`vaelab.models.likelihoods`).
CHANGED_DECODERS = {
    "discretized-gaussian": "unbounded-location",
    "discretized-logistic": "unbounded-location",
}
_DEFAULTS = {"model": ModelConfig(), "data": DataConfig(), "train": TrainConfig()}
