"""The convolutional VAE: one model, every variant by configuration.

Encoder: ``len(hidden)`` stride-2 convolutions, then one linear layer giving μ and log σ² of
q(z | x). Decoder: a linear layer, then transposed convolutions that retrace the encoder's
feature-map sizes exactly (odd sides and 1×1 maps included), then a 3×3 convolution giving the
logits of p(x | z). The layers are PyTorch's, made faster for training on the CPU
(:mod:`vaelab.models.layers`). The variant (VAE, β-VAE, σ-VAE) only sets β and the likelihood
(:mod:`vaelab.variants`, :mod:`vaelab.models.likelihoods`).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from vaelab.config import ModelConfig
from vaelab.models.layers import Conv2d, ConvTranspose2d, OutputConv
from vaelab.models.likelihoods import Likelihood, build_likelihood, gaussian_kl_terms


@dataclass
class VAEOutput:
    """What :meth:`ConvVAE.forward` returns.

    Attributes
    ----------
    logits : Tensor
        Decoder logits, ``(B, C, H, W)``.
    mu, logvar : Tensor
        Parameters of q(z | x), ``(B, D)``.
    z : Tensor
        The sampled latent codes, ``(B, D)``.
    mean : Tensor
        The reconstructed image, the decoder's mean (:meth:`Likelihood.mean
        <vaelab.models.likelihoods.Likelihood.mean>` of the logits), in [0, 1].
    """

    logits: Tensor
    mu: Tensor
    logvar: Tensor
    z: Tensor
    mean: Tensor


@dataclass
class LossOutput:
    """The terms of the training objective, each averaged over the batch, in nats per image.

    Attributes
    ----------
    loss : Tensor
        The quantity minimised: ``recon + β · kl``, the negative ELBO when β = 1, unless KL
        warm-up or free bits act (see ``exact``).
    recon : Tensor
        Reconstruction term, the negative log-likelihood (see :mod:`vaelab.models.likelihoods`).
    kl : Tensor
        KL(q(z | x) ‖ N(0, I)).
    sigma : Tensor or None
        The decoder's scale (σ for a Gaussian, b for a Laplace), for the σ-VAE.
    mse : Tensor
        Mean squared error per pixel of the reconstruction (a yardstick common to all models).
    exact : bool
        Whether ``loss`` is ``recon + β · kl``. ``False`` while KL warm-up scales β down or free
        bits raise a dimension's KL to λ (:mod:`vaelab.training.schedules`): the loss is then
        not a β-weighted negative ELBO, while ``recon`` and ``kl`` stay the true terms.
    """

    loss: Tensor
    recon: Tensor
    kl: Tensor
    sigma: Tensor | None
    mse: Tensor
    exact: bool = True

    def metrics(self) -> dict[str, float]:
        """The terms as plain floats (``sigma`` only when there is one)."""
        values = {"loss": self.loss, "recon": self.recon, "kl": self.kl, "mse": self.mse}
        if self.sigma is not None:
            values["sigma"] = self.sigma
        return {name: float(value.detach()) for name, value in values.items()}


def feature_sizes(side: int, layers: int) -> list[int]:
    """Sides of the feature maps after each stride-2 convolution, input side first.

    A 3×3 convolution with stride 2 and padding 1 maps a side ``s`` to ``ceil(s / 2)``, so a
    1-pixel map stays 1 pixel.
    """
    sizes = [side]
    for _ in range(layers):
        sizes.append((sizes[-1] + 1) // 2)
    return sizes


def _upsample(in_ch: int, out_ch: int, target_h: int, target_w: int) -> ConvTranspose2d:
    # A 3×3, stride-2, padding-1 transposed convolution maps s to 2s − 1 + output_padding; the
    # encoder mapped `target` to ceil(target / 2), so output_padding = 1 exactly when target is
    # even. That retraces any size, where a fixed output_padding breaks on odd sides.
    padding = (1 - target_h % 2, 1 - target_w % 2)
    return ConvTranspose2d(in_ch, out_ch, 3, stride=2, padding=1, output_padding=padding)


class ConvVAE(nn.Module):
    """Convolutional VAE for images of any size ≥ 8×8 with 1 or 3 channels.

    Parameters
    ----------
    config : ModelConfig
        Architecture, variant, likelihood and β.

    Attributes
    ----------
    kl_weight : float
        Factor of β in training mode, for KL warm-up (1 by default).
    free_bits : float
        Free bits λ in training mode, nats per latent dimension (0 by default).

    Examples
    --------
    >>> from vaelab.config import ModelConfig
    >>> from vaelab.models import ConvVAE
    >>> model = ConvVAE(ModelConfig(variant="sigma-vae", likelihood="gaussian", latent_dim=8))
    >>> model.sample(4).shape
    torch.Size([4, 1, 28, 28])
    """

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        c, h, w = config.image_shape
        widths = list(config.hidden)
        self.heights = feature_sizes(h, len(widths))
        self.widths = feature_sizes(w, len(widths))
        self._bottleneck = (widths[-1], self.heights[-1], self.widths[-1])
        flat = widths[-1] * self.heights[-1] * self.widths[-1]

        encoder: list[nn.Module] = []
        for in_ch, out_ch in zip([c, *widths[:-1]], widths, strict=True):
            encoder += [Conv2d(in_ch, out_ch, 3, stride=2, padding=1), nn.LeakyReLU(0.2)]
        self.encoder = nn.Sequential(*encoder, nn.Flatten())
        # μ and log σ² from one matrix product: (B, flat) -> (B, 2D)
        self.to_posterior = nn.Linear(flat, 2 * config.latent_dim)

        self.from_latent = nn.Linear(config.latent_dim, flat)
        decoder: list[nn.Module] = [nn.LeakyReLU(0.2)]
        out_widths = [*widths[-2::-1], widths[0]]
        for i, (in_ch, out_ch) in enumerate(zip(widths[::-1], out_widths, strict=True)):
            stage = len(widths) - 1 - i  # the feature-map index this layer goes back to
            layer = _upsample(in_ch, out_ch, self.heights[stage], self.widths[stage])
            decoder += [layer, nn.LeakyReLU(0.2)]
        decoder.append(OutputConv(widths[0], c))
        self.decoder = nn.Sequential(*decoder)

        self.likelihood: Likelihood = build_likelihood(
            config.likelihood, config.scale, config.image_shape
        )
        # Set between steps by vaelab.training.schedules; plain attributes, not saved weights.
        self.kl_weight = 1.0
        self.free_bits = 0.0

    # -- the four steps of a VAE ---------------------------------------------------------------

    def encode(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """Parameters of q(z | x): ``(B, C, H, W) -> μ (B, D), log σ² (B, D)``."""
        mu, logvar = self.to_posterior(self.encoder(x)).chunk(2, dim=1)
        return mu, logvar

    def reparameterize(
        self, mu: Tensor, logvar: Tensor, generator: torch.Generator | None = None
    ) -> Tensor:
        """Draw z = μ + σ · ε with ε ~ N(0, I), differentiable in μ and σ."""
        eps = torch.randn(mu.shape, generator=generator, device=mu.device, dtype=mu.dtype)
        return mu + torch.exp(0.5 * logvar) * eps

    def decode_logits(self, z: Tensor) -> Tensor:
        """Decoder logits: ``(B, D) -> (B, C, H, W)``."""
        h = self.from_latent(z).view(-1, *self._bottleneck)
        return self.decoder(h)

    def decode(self, z: Tensor) -> Tensor:
        """Mean image of p(x | z), in [0, 1]: ``(B, D) -> (B, C, H, W)``.

        The sigmoid of the logits, except for the continuous Bernoulli whose mean is not its λ.
        """
        return self.likelihood.mean(self.decode_logits(z))

    def forward(self, x: Tensor, generator: torch.Generator | None = None) -> VAEOutput:
        """Encode, sample z and decode.

        Parameters
        ----------
        x : Tensor
            Images in [0, 1], ``(B, C, H, W)``.
        generator : torch.Generator, optional
            Source of the reparameterization noise (for reproducible training).
        """
        mu, logvar = self.encode(x)
        z = self.reparameterize(mu, logvar, generator)
        logits = self.decode_logits(z)
        return VAEOutput(logits, mu, logvar, z, mean=self.likelihood.mean(logits))

    def loss_function(self, x: Tensor, output: VAEOutput) -> LossOutput:
        """β-weighted negative ELBO of ``x`` for the forward pass ``output``.

        In training mode, KL warm-up multiplies β by :attr:`kl_weight` and free bits count
        each dimension's batch-mean KL as at least :attr:`free_bits` nats (Kingma et al. 2016);
        the loss is then flagged as not exact. In eval mode it is always the β-weighted ELBO.
        """
        recon, sigma = self.likelihood.nll(x, output.logits)
        terms = gaussian_kl_terms(output.mu, output.logvar)  # (B, D)
        recon, kl = recon.mean(), terms.sum(dim=1).mean()
        objective = kl
        exact = not self.training or (self.kl_weight == 1.0 and self.free_bits == 0.0)
        if not exact:
            if self.free_bits > 0.0:
                objective = terms.mean(dim=0).clamp(min=self.free_bits).sum()
            objective = self.kl_weight * objective
        with torch.no_grad():
            mse = (output.mean - x).square().mean()
        return LossOutput(
            loss=recon + self.config.beta * objective,
            recon=recon,
            kl=kl,
            sigma=sigma,
            mse=mse,
            exact=exact,
        )

    def loss(self, x: Tensor, generator: torch.Generator | None = None) -> LossOutput:
        """Forward pass and loss in one call (what a training step needs)."""
        return self.loss_function(x, self.forward(x, generator))

    # -- using a trained model ----------------------------------------------------------------

    @torch.inference_mode()
    def sample(
        self,
        n: int,
        temperature: float = 1.0,
        generator: torch.Generator | None = None,
    ) -> Tensor:
        """Decode ``n`` draws z ~ N(0, temperature² I) into images in [0, 1]."""
        device = next(self.parameters()).device
        z = torch.randn(n, self.config.latent_dim, generator=generator, device=device)
        return self.decode(z * temperature)

    @torch.inference_mode()
    def reconstruct(self, x: Tensor) -> Tensor:
        """Decode the posterior mean of ``x``: the model's deterministic reconstruction."""
        mu, _ = self.encode(x)
        return self.decode(mu)

    def num_parameters(self) -> int:
        """Number of trainable parameters."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad)

    def describe(self) -> list[tuple[str, tuple[int, ...]]]:
        """Layers in data-flow order, each with the shape of its output (batch excluded)."""
        c, h, w = self.config.image_shape
        d = self.config.latent_dim
        hidden = self.config.hidden
        rows: list[tuple[str, tuple[int, ...]]] = [("input x", (c, h, w))]
        for i, width in enumerate(hidden, 1):
            rows.append((f"conv {i}", (width, self.heights[i], self.widths[i])))
        rows += [("μ, log σ²", (2 * d,)), ("z", (d,)), ("linear", self._bottleneck)]
        n = len(hidden)
        for i, width in enumerate([*hidden[-2::-1], hidden[0]], 1):
            rows.append((f"deconv {i}", (width, self.heights[n - i], self.widths[n - i])))
        rows.append(("output x̂", (c, h, w)))
        return rows


def build_model(config: ModelConfig) -> ConvVAE:
    """Build the VAE described by ``config`` (weights freshly initialised)."""
    return ConvVAE(config)
