"""The rows of the σ-VAE paper's comparison and the settings they share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vaelab.config import LIMITS, RunConfig
from vaelab.data import ImageDataset
from vaelab.errors import ConfigError
from vaelab.training.experiment import build_config
from vaelab.variants import VARIANTS

#: The β of the paper's figure.
DEFAULT_BETAS = (1e-1, 1e-2, 1e-3, 1e-4, 1e-5)
#: Most β-VAE rows of one comparison: each trains a model.
MAX_BETAS = 10
#: The β a row may have: the β-VAE's, except 0, a plain autoencoder, which has no likelihood
#: bound to compare.
BETA_RANGE = (1e-5, VARIANTS["beta-vae"].beta_range[1])


@dataclass(frozen=True)
class Contender:
    """One row of the comparison: a variant, its reconstruction loss, β and σ mode.

    Attributes
    ----------
    key : str
        Stable id of the row (``"gaussian-vae"``, ``"mse-vae"``, ``"beta-vae-0.01"``,
        ``"sigma-vae"``).
    variant : str
        Model variant id (:data:`vaelab.variants.VARIANTS`).
    likelihood : str
        Reconstruction loss id.
    beta : float
        Weight of the KL term.
    scale : str
        σ-VAE scale mode (``"optimal"`` or ``"learned"``).
    """

    key: str
    variant: str
    likelihood: str
    beta: float = 1.0
    scale: str = "optimal"

    @property
    def kind(self) -> str:
        """The row's kind, its key without the β: ``"beta-vae"`` for every β-VAE row."""
        return "beta-vae" if self.variant == "beta-vae" else self.key

    @property
    def label(self) -> str:
        """Short English name, as the paper names the rows: "Gaussian VAE", "β-VAE, β = 0.01"."""
        if self.variant == "beta-vae":
            return f"{VARIANTS['beta-vae'].label}, β = {self.beta:g}"
        return _LABELS.get(self.key, VARIANTS[self.variant].label)


#: Names of the rows that are not named by their variant.
_LABELS = {"gaussian-vae": "Gaussian VAE", "mse-vae": "MSE VAE"}


def contenders(betas: Sequence[float] = DEFAULT_BETAS) -> tuple[Contender, ...]:
    """The rows of the paper's comparison, in the order of its figure.

    The Gaussian VAE is the paper's: a Gaussian decoder with σ = 1 (``gaussian-unit``, the
    official code's ``gaussian_vae``) and β = 1. The MSE VAE uses the sum of squared errors
    (``mse``, a Gaussian decoder with fixed σ² = ½) and β = 1, the β-VAEs the same loss with each
    of ``betas`` (β = 2σ²), and the σ-VAE a Gaussian decoder with the optimal σ and β = 1.

    Raises
    ------
    ConfigError
        If ``betas`` is empty, has more than :data:`MAX_BETAS` values, repeats one or holds one
        outside the β-VAE's range.
    """
    low, high = BETA_RANGE
    values = [float(b) for b in betas]
    if not values:
        raise ConfigError("the comparison needs at least one β")
    if len(values) > MAX_BETAS:
        raise ConfigError(f"the comparison takes at most {MAX_BETAS} β, got {len(values)}")
    if len(set(values)) != len(values):
        raise ConfigError(f"each β must appear once, got {', '.join(f'{b:g}' for b in values)}")
    for beta in values:
        if not low <= beta <= high:
            raise ConfigError(f"β must be from {low:g} to {high:g}, got {beta:g}")
    return (
        Contender("gaussian-vae", "vae", "gaussian-unit"),
        Contender("mse-vae", "vae", "mse"),
        *(Contender(f"beta-vae-{b:g}", "beta-vae", "mse", beta=b) for b in values),
        Contender("sigma-vae", "sigma-vae", "gaussian", scale="optimal"),
    )


@dataclass(frozen=True)
class CompareSettings:
    """What every contender shares, and how they are measured.

    Attributes
    ----------
    latent_dim, hidden, epochs, batch_size, lr, seed
        The architecture and training of every run (see :func:`vaelab.training.build_config`).
    betas : tuple of float
        The β of the β-VAE rows.
    iwae_k : int
        Importance samples per image of the IWAE bound.
    iwae_images : int
        Test images both likelihood bounds, the ELBO and the IWAE bound, are computed on (the
        first ones, all of them if fewer); 0 skips the IWAE bound.
    fd_images : int
        Samples and test images of the Fréchet distance.
    samples : int
        Samples per row of the figure.
    """

    latent_dim: int = 16
    hidden: tuple[int, ...] = (32, 64)
    epochs: int = 5
    batch_size: int = 64
    lr: float = 1e-3
    seed: int = 0
    betas: tuple[float, ...] = DEFAULT_BETAS
    iwae_k: int = 100
    iwae_images: int = 1000
    fd_images: int = 1000
    samples: int = 10

    def __post_init__(self) -> None:
        object.__setattr__(self, "hidden", tuple(self.hidden))
        object.__setattr__(self, "betas", tuple(float(b) for b in self.betas))
        contenders(self.betas)  # validates the β
        for name in ("iwae_k", "iwae_images", "fd_images", "samples"):
            low, high = getattr(LIMITS, name)
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ConfigError(
                    f"{name} must be a whole number from {low} to {high}, got {value!r}"
                )

    def config(self, contender: Contender, data: ImageDataset) -> RunConfig:
        """The run configuration of ``contender`` on ``data``.

        Raises
        ------
        ConfigError
            If the architecture or training settings are not allowed.
        """
        return build_config(
            data,
            variant=contender.variant,
            latent_dim=self.latent_dim,
            hidden=self.hidden,
            likelihood=contender.likelihood,
            scale=contender.scale,
            beta=contender.beta,
            epochs=self.epochs,
            batch_size=self.batch_size,
            lr=self.lr,
            seed=self.seed,
        )
