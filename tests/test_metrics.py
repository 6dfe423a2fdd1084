"""Every metric on a case with a known answer: by hand, by quadrature, by torch.distributions."""

import json
import math
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from torch import distributions as dist
from torch import nn

from vaelab.config import ModelConfig
from vaelab.data.dataset import ImageDataset, Splits
from vaelab.errors import ConfigError, DatasetError
from vaelab.metrics import (
    METRICS,
    METRICS_FORMAT,
    STAGES,
    active_units,
    bits_per_dim,
    calibrated_gaussian,
    evaluate,
    frechet_distance,
    frechet_distance_from_stats,
    iwae_nll,
    kl_per_dimension,
    load_or_train_classifier,
    log_importance_weights,
    psnr,
    real_fid,
    real_fid_unavailable,
    sample_quality,
    train_classifier,
)
from vaelab.metrics import frechet as frechet_module
from vaelab.metrics.bounds import convergence_ks
from vaelab.metrics.collapse import mutual_information
from vaelab.models import ConvVAE
from vaelab.models.likelihoods import LOG_SCALE_MIN, build_likelihood, gaussian_kl, softclip

FAST = {"iwae_k": 4, "iwae_images": 8, "fd_images": 32}


class FakeVAE(nn.Module):
    """A VAE whose encoder and decoder are given functions: the known-answer cases."""

    def __init__(self, encode, decode_logits, latent_dim, likelihood="mse"):
        super().__init__()
        self._encode, self._decode = encode, decode_logits
        self.likelihood = build_likelihood(likelihood)
        self.config = SimpleNamespace(latent_dim=latent_dim)
        self.anchor = nn.Parameter(torch.zeros(()))  # so that .to() and .parameters() work

    def encode(self, x):
        return self._encode(x)

    def decode_logits(self, z):
        return self._decode(z)


def constant_vae(level, latent_dim, likelihood="mse"):
    """q(z|x) = p(z) and a decoder whose mean is ``level`` everywhere: p(x|z) = p(x)."""
    return FakeVAE(
        encode=lambda x: (torch.zeros(len(x), latent_dim), torch.zeros(len(x), latent_dim)),
        decode_logits=lambda z: torch.full((len(z), 1, 12, 12), math.log(level / (1 - level))),
        latent_dim=latent_dim,
        likelihood=likelihood,
    )


def as_floats(images):
    return images.double() / 255.0


def strict_json(result):
    return json.loads(json.dumps(result, allow_nan=False))


@pytest.fixture
def tiny_vae(tiny_data):
    torch.manual_seed(0)
    return ConvVAE(ModelConfig(latent_dim=4, hidden=(8, 16), channels=1, height=12, width=12))


# -- formulas -----------------------------------------------------------------------------------


def test_bits_per_dim_of_a_discrete_likelihood_by_hand():
    # A probability of the 8-bit images is already a mass: NLL / (D ln 2), no D ln 256 added.
    assert bits_per_dim(784 * math.log(256), 784) == pytest.approx(8.0, abs=1e-12)
    assert bits_per_dim(0.0, 784) == 0.0  # a decoder certain of every pixel
    # D = 2, P = 1/16: 4 bits in all, 2 per value.
    assert bits_per_dim(math.log(16), 2) == pytest.approx(2.0)
    torch.testing.assert_close(
        bits_per_dim(torch.tensor([0.0, 10 * math.log(2)]), 10), torch.tensor([0.0, 1.0])
    )


def test_a_uniform_decoder_gives_exactly_eight_bits_through_the_iwae_bound():
    """q(z|x) = p(z) and P(x|z) = 256^−D: every log weight is −D ln 256, so IWAE = ELBO = 8."""
    vae = FakeVAE(
        encode=lambda x: (
            torch.zeros(len(x), 3, dtype=x.dtype),
            torch.zeros(len(x), 3, dtype=x.dtype),
        ),
        decode_logits=lambda z: torch.zeros(len(z), 1, 4, 4, dtype=z.dtype),
        latent_dim=3,
    )
    x = torch.rand(5, 1, 4, 4, dtype=torch.float64)

    def uniform(x, logits):
        return torch.full((len(x),), 16 * math.log(256), dtype=torch.float64)

    log_w = log_importance_weights(vae, x, 50, [uniform], torch.Generator().manual_seed(0))[0]
    torch.testing.assert_close(
        bits_per_dim(iwae_nll(log_w), 16),
        torch.full((5,), 8.0, dtype=torch.float64),
        rtol=0,
        atol=1e-12,
    )


def test_psnr_by_hand():
    assert psnr(0.01) == pytest.approx(20.0)
    assert psnr(1.0) == 0.0
    assert psnr(0.0) == math.inf
    assert psnr(0.25, peak=0.5) == pytest.approx(0.0)
    with pytest.raises(ValueError):
        psnr(-1.0)


# -- known models through evaluate() --------------------------------------------------------------


@pytest.fixture
def binary_data(tiny_data):
    """The tiny images thresholded to 0 and 255, so that a decoder can return them exactly."""

    def binary(images):
        return torch.where(images > 128, 255, 0).to(torch.uint8)

    splits = Splits(
        binary(tiny_data.train_x), tiny_data.train_y, binary(tiny_data.test_x), tiny_data.test_y
    )
    return ImageDataset.create("binary", splits, tiny_data.classes)


def identity_vae():
    """z is the image itself (almost no noise); the decoder saturates it back to exactly 0 or 1."""
    return FakeVAE(
        encode=lambda x: (x.flatten(1), torch.full_like(x.flatten(1), -30.0)),
        decode_logits=lambda z: (1000.0 * (2.0 * z - 1.0)).view(-1, 1, 12, 12),
        latent_dim=144,
    )


def test_decoder_returning_the_input_has_zero_error_and_infinite_psnr(binary_data):
    result = strict_json(evaluate(identity_vae(), binary_data, **FAST))
    assert result["recon_mse"] == 0.0
    assert result["recon_psnr_db"] is None  # +inf, which JSON cannot hold
    # σ fitted on a perfect reconstruction stops at the soft floor used in training.
    sigma = math.exp(LOG_SCALE_MIN)
    assert result["calibrated_sigma"] == pytest.approx(sigma, rel=1e-6)
    # Every pixel is 0 or 255 with its mean on it: its bin and the tail beyond, Φ(½ bin / σ),
    # more than ½ whatever σ. The rest of the ELBO is the KL of the (almost exact) code.
    p_pixel = float(dist.Normal(0.0, sigma).cdf(torch.tensor(0.5 / 255)))
    d = 144
    expected_recon_bits = -math.log2(p_pixel)
    assert result["elbo_bits_per_dim"] == pytest.approx(
        expected_recon_bits + result["test_kl"] / (d * math.log(2)), rel=1e-5
    )


def exact_discrete_gaussian_nll(x, mean, sigma):
    """−log P(x) per image by the bins' masses from torch.distributions, the edges' tails added."""
    normal, half = dist.Normal(mean, sigma), 0.5 / 255
    upper = torch.where(x > 1 - half, torch.ones_like(x), normal.cdf(x + half))
    lower = torch.where(x < half, torch.zeros_like(x), normal.cdf(x - half))
    return -torch.log(upper - lower).flatten(1).sum(1)


def test_prior_posterior_and_constant_decoder_give_the_exact_likelihood(tiny_data):
    """q(z|x) = p(z) and p(x|z) = p(x): KL = 0, no active unit, ELBO = IWAE = log p(x)."""
    level = 0.3
    vae = constant_vae(level, 5)
    result = strict_json(evaluate(vae, tiny_data, iwae_k=7, iwae_images=32, fd_images=32))
    assert result["test_kl"] == 0.0
    assert result["kl_per_dim"] == [0.0] * 5
    assert result["active_units"] == 0 and result["active_units_kl"] == 0
    assert result["latent_mean_variance"] == [0.0] * 5
    assert result["bound_images"] == result["iwae_images"] == 32

    x, mean = as_floats(tiny_data.test_x), torch.full((1,), level, dtype=torch.float64)
    exact_mse = -dist.Normal(mean, math.sqrt(0.5)).log_prob(x).flatten(1).sum(1).mean()
    assert result["test_neg_elbo"] == pytest.approx(float(exact_mse), rel=1e-5)
    assert result["iwae_nll"] == pytest.approx(float(exact_mse), rel=1e-5)
    assert result["elbo_scale"] == pytest.approx(math.sqrt(0.5))

    sigma = float((as_floats(tiny_data.train_x) - level).square().mean().sqrt())
    assert result["calibrated_sigma"] == pytest.approx(sigma, rel=1e-5)
    exact = -dist.Normal(mean, sigma).log_prob(x).flatten(1).sum(1).mean()
    assert result["calibrated_neg_elbo"] == pytest.approx(float(exact), rel=1e-5)
    assert result["iwae_nll_calibrated"] == pytest.approx(float(exact), rel=1e-5)

    # The discretised decoder: a probability, in bits/dim with no 8-bit correction.
    d = 144
    per_image = exact_discrete_gaussian_nll(x, mean, sigma) / (d * math.log(2))
    for key in ("elbo_bits_per_dim", "iwae_bits_per_dim"):
        assert result[key] == pytest.approx(float(per_image.mean()), rel=1e-5)
        assert result[f"{key}_per_image"] == pytest.approx(per_image.tolist(), rel=1e-5)
        # Standard error over images: std / √n.
        assert result[f"{key}_se"] == pytest.approx(
            float(per_image.std() / math.sqrt(32)), rel=1e-3
        )
    assert result["discrete_neg_elbo"] == pytest.approx(
        float(per_image.mean()) * d * math.log(2), rel=1e-5
    )
    assert result["model_elbo_bits_per_dim"] is None  # no scale of its own: not a σ-VAE


def test_both_bounds_use_the_same_first_test_images(tiny_data):
    """A decoder that is exact per image: the bounds are means over the first images only."""
    level = 0.3
    vae = constant_vae(level, 2)
    x = as_floats(tiny_data.test_x)
    exact = -dist.Normal(torch.tensor(level), math.sqrt(0.5)).log_prob(x).flatten(1).sum(1)
    result = evaluate(vae, tiny_data, iwae_k=3, iwae_images=8, fd_images=0)
    assert result["bound_images"] == result["iwae_images"] == 8 and result["n_test"] == 32
    assert len(result["elbo_bits_per_dim_per_image"]) == len(result["iwae_bits_per_dim_per_image"])
    assert len(result["iwae_bits_per_dim_per_image"]) == 8
    for key in ("test_neg_elbo", "iwae_nll"):
        assert result[key] == pytest.approx(float(exact[:8].mean()), rel=1e-6)
        assert result[f"{key}_se"] == pytest.approx(float(exact[:8].std() / math.sqrt(8)), rel=1e-4)
    # Without the IWAE bound, the ELBO uses every test image.
    no_iwae = evaluate(vae, tiny_data, iwae_images=0, fd_images=0)
    assert no_iwae["bound_images"] == 32 and no_iwae["iwae_images"] == 0
    assert no_iwae["iwae_bits_per_dim"] is None and no_iwae["iwae_bits_per_dim_per_image"] is None
    assert no_iwae["test_neg_elbo"] == pytest.approx(float(exact.mean()), rel=1e-6)


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("l1", dist.Laplace),
        ("bernoulli", None),
        ("continuous-bernoulli", dist.ContinuousBernoulli),
        ("gaussian-unit", dist.Normal),
    ],
)
def test_model_likelihoods_are_exact(tiny_data, name, family):
    level = 0.3
    vae = constant_vae(level, 2, name)
    result = evaluate(vae, tiny_data, **FAST)
    x = as_floats(tiny_data.test_x)[: result["bound_images"]]
    if family is None:
        # On grey pixels the Bernoulli "likelihood" is the cross-entropy formula itself.
        expected = -(x * math.log(level) + (1 - x) * math.log(1 - level)).flatten(1).sum(1).mean()
    elif family is dist.ContinuousBernoulli:
        law = family(probs=torch.tensor(level, dtype=torch.float64))
        expected = -law.log_prob(x).flatten(1).sum(1).mean()
        # Its reconstruction is its mean, not λ: the calibrated σ is fitted around it.
        sigma = float((as_floats(tiny_data.train_x) - law.mean).square().mean().sqrt())
        assert result["calibrated_sigma"] == pytest.approx(sigma, rel=1e-5)
    else:
        expected = -family(torch.tensor(level), 1.0).log_prob(x).flatten(1).sum(1).mean()
    assert result["test_neg_elbo"] == pytest.approx(float(expected), rel=1e-5)


def test_one_informative_dimension_is_one_active_unit(tiny_data):
    # μ_0 is the top-left pixel (bright for one class in four); every other dimension is the prior.
    def encode(x):
        mu = torch.zeros(len(x), 6)
        mu[:, 0] = 2.0 * x[:, 0, 0, 0]
        return mu, torch.zeros_like(mu)

    vae = FakeVAE(encode, lambda z: torch.zeros(len(z), 1, 12, 12), latent_dim=6)
    # The bounds on every test image, so that their KL is the sum of the KL per dimension.
    result = evaluate(vae, tiny_data, **{**FAST, "iwae_images": 32})
    mu0 = 2.0 * as_floats(tiny_data.test_x)[:, 0, 0, 0]
    assert result["active_units"] == 1 and result["active_units_kl"] == 1
    assert result["latent_mean_variance"][0] == pytest.approx(float(mu0.var(correction=0)))
    assert result["latent_mean_variance"][1:] == [0.0] * 5
    assert result["kl_per_dim"][0] == pytest.approx(float(0.5 * mu0.square().mean()))
    assert result["test_kl"] == pytest.approx(sum(result["kl_per_dim"]))


def test_active_units_and_kl_per_dimension_directly():
    g = torch.Generator().manual_seed(0)
    mu = torch.randn(500, 3, generator=g) * torch.tensor([1.0, 0.05, 0.2])
    assert active_units(mu) == 2  # variances ≈ 1, 0.0025, 0.04
    logvar = torch.randn(500, 3, generator=g)
    torch.testing.assert_close(
        kl_per_dimension(mu, logvar).sum(), gaussian_kl(mu, logvar).double().mean()
    )


# -- the IWAE bound ---------------------------------------------------------------------------


def test_iwae_with_one_sample_is_the_elbo_estimate_with_the_same_noise(tiny_data, tiny_vae):
    x = tiny_data.test_x[:6].float() / 255
    decoder = calibrated_gaussian(math.log(0.3))
    log_w = log_importance_weights(tiny_vae, x, 1, [decoder.nll], torch.Generator().manual_seed(3))
    with torch.no_grad():
        mu, logvar = tiny_vae.encode(x)
        eps = torch.randn((1, *mu.shape), generator=torch.Generator().manual_seed(3))[0]
        std = (0.5 * logvar).exp()
        z = mu + std * eps
        mean = torch.sigmoid(tiny_vae.decode_logits(z))
        log_px = dist.Normal(mean, 0.3).log_prob(x).flatten(1).sum(1)
        log_pz = dist.Normal(0.0, 1.0).log_prob(z).sum(1)
        log_qz = dist.Normal(mu, std).log_prob(z).sum(1)
    elbo_estimate = log_px + log_pz - log_qz
    torch.testing.assert_close(log_w[0, 0], elbo_estimate, rtol=1e-5, atol=1e-3)
    torch.testing.assert_close(iwae_nll(log_w[0]), -elbo_estimate.double(), rtol=1e-5, atol=1e-3)


def test_iwae_is_tighter_than_the_elbo(tiny_data, tiny_vae):
    x = tiny_data.test_x.float() / 255
    decoder = calibrated_gaussian(math.log(0.3))
    with torch.no_grad():
        log_w = log_importance_weights(
            tiny_vae, x, 64, [decoder.nll], torch.Generator().manual_seed(0)
        )[0]
        # Same draws: log-mean-exp ≥ mean-log by Jensen, image by image.
        assert torch.all(iwae_nll(log_w) <= -log_w.double().mean(0) + 1e-9)
        # Against the exact (analytic-KL) ELBO, on average over images.
        mu, logvar = tiny_vae.encode(x)
        z = mu + (0.5 * logvar).exp() * torch.randn(mu.shape, generator=torch.Generator())
        neg_elbo = decoder.nll(x, tiny_vae.decode_logits(z)) + gaussian_kl(mu, logvar)
    assert iwae_nll(log_w).mean() < neg_elbo.double().mean()


def test_iwae_converges_to_the_likelihood_computed_by_quadrature():
    """A one-dimensional latent: log p(x) = log ∫ p(z) p(x|z) dz on a fine grid."""
    a = torch.tensor([2.0, -1.0, 0.5, 3.0], dtype=torch.float64)
    b = torch.tensor([0.0, 0.5, -0.3, -1.0], dtype=torch.float64)
    sigma = 0.2
    x = torch.sigmoid(a * 0.7 + b).view(1, 1, 2, 2) + 0.05

    vae = FakeVAE(
        # A deliberately poor q(z|x) = N(0.2, 0.8²), wider and off-centre from the posterior.
        encode=lambda x: (
            torch.full((len(x), 1), 0.2, dtype=torch.float64),
            torch.full((len(x), 1), 2 * math.log(0.8), dtype=torch.float64),
        ),
        decode_logits=lambda z: (z * a + b).view(-1, 1, 2, 2),
        latent_dim=1,
    )
    decoder = calibrated_gaussian(math.log(sigma))
    grid = torch.linspace(-10, 10, 40001, dtype=torch.float64)
    log_joint = dist.Normal(0.0, 1.0).log_prob(grid) + dist.Normal(
        torch.sigmoid(grid[:, None] * a + b), sigma
    ).log_prob(x.flatten()).sum(1)
    log_px = torch.logsumexp(log_joint, 0) + math.log(grid[1] - grid[0])

    log_w = log_importance_weights(vae, x, 50_000, [decoder.nll], torch.Generator().manual_seed(0))
    assert float(iwae_nll(log_w[0])) == pytest.approx(-float(log_px), abs=0.02)
    # The ELBO (the mean log weight) is a bound, and a loose one with this poor q.
    assert -float(log_w.mean()) > -float(log_px) + 0.1


# -- evaluate() on a real ConvVAE -------------------------------------------------------------


@pytest.mark.parametrize(
    ("variant", "likelihood", "scale"),
    [
        ("vae", "mse", "optimal"),
        ("vae", "bernoulli", "optimal"),
        ("sigma-vae", "gaussian", "optimal"),
        ("sigma-vae", "gaussian", "learned"),
        ("sigma-vae", "laplace", "optimal"),
        ("beta-vae", "continuous-bernoulli", "optimal"),
        ("sigma-vae", "discretized-gaussian", "optimal"),
        ("sigma-vae", "discretized-logistic", "learned"),
        ("vae", "gaussian-unit", "optimal"),
        ("sigma-vae", "gaussian", "learned-per-pixel"),
    ],
)
def test_evaluate_runs_every_variant_and_is_json(tiny_data, variant, likelihood, scale):
    config = ModelConfig(
        variant=variant,
        likelihood=likelihood,
        scale=scale,
        latent_dim=4,
        hidden=(8, 16),
        height=12,
        width=12,
    )
    torch.manual_seed(0)
    model = ConvVAE(config).train()
    result = strict_json(evaluate(model, tiny_data, **FAST))
    assert model.training  # mode and memory layout restored
    assert all(p.is_contiguous() for p in model.parameters())
    assert set(METRICS) <= set(result)
    assert result["test_neg_elbo"] == pytest.approx(result["test_recon"] + result["test_kl"])
    assert len(result["kl_per_dim"]) == len(result["latent_mean_variance"]) == 4
    assert result["iwae_images"] == result["bound_images"] == 8 and result["iwae_k"] == 4
    assert result["format"] == METRICS_FORMAT
    per_image = torch.tensor(result["iwae_bits_per_dim_per_image"], dtype=torch.float64)
    assert len(per_image) == 8
    assert result["iwae_bits_per_dim"] == pytest.approx(float(per_image.mean()), abs=1e-6)
    assert result["iwae_bits_per_dim_se"] == pytest.approx(
        float(per_image.std() / math.sqrt(8)), rel=1e-3
    )
    # A probability of the 8-bit image: between 0 and (far below) the 8 bits of a uniform law
    # only once trained; never negative.
    assert result["elbo_bits_per_dim"] > 0 and result["iwae_bits_per_dim"] > 0
    again = strict_json(evaluate(model, tiny_data, **FAST))
    assert result.pop("seconds").keys() == again.pop("seconds").keys() == set(STAGES)
    assert result == again  # seeded: repeatable

    if scale.startswith("learned"):
        # A per-pixel scale is reported by its geometric mean.
        sigma = softclip(model.likelihood.log_scale.detach(), LOG_SCALE_MIN).mean().exp()
        assert result["model_scale"] == pytest.approx(float(sigma))
        assert result["model_scale_source"] == result["elbo_scale_source"] == "learned"
    elif variant == "sigma-vae":
        assert result["model_scale_source"] == "test-optimal"
        assert result["elbo_scale_source"] == "train-optimal"
    else:
        assert result["model_scale"] is None
        assert result["model_elbo_bits_per_dim"] is result["model_iwae_bits_per_dim"] is None
    if variant == "sigma-vae":
        assert result["model_elbo_bits_per_dim"] > 0 and result["model_iwae_bits_per_dim"] > 0
    if (likelihood, scale) == ("gaussian", "optimal"):
        # Its own likelihood with σ fitted on the training set *is* the calibrated Gaussian.
        assert result["test_neg_elbo"] == pytest.approx(result["calibrated_neg_elbo"])
        assert result["iwae_nll"] == pytest.approx(result["iwae_nll_calibrated"])
        assert result["model_elbo_bits_per_dim"] == pytest.approx(result["elbo_bits_per_dim"])
    if (likelihood, scale) == ("discretized-gaussian", "optimal"):
        # A discrete decoder of its own, with the σ of the calibrated Gaussian (the plug-in: the
        # RMSE of the image) but centred on its unbounded location, not on the image: its own
        # bound is another number than the discretised calibrated one, on the image.
        assert result["elbo_scale"] == pytest.approx(result["calibrated_sigma"])
        assert result["test_neg_elbo"] != pytest.approx(result["discrete_neg_elbo"])


def test_evaluate_reports_progress_and_checks_its_options(tiny_data, tiny_vae):
    seen = []
    evaluate(tiny_vae, tiny_data, progress=lambda stage, f: seen.append((stage, f)), **FAST)
    stages = [stage for stage, _ in seen]
    assert sorted(set(stages), key=STAGES.index) == list(STAGES)
    assert stages == sorted(stages, key=STAGES.index)
    assert seen[-1] == ("samples", 1.0)
    with pytest.raises(ConfigError, match="iwae_k"):
        evaluate(tiny_vae, tiny_data, iwae_k=0)
    model = ConvVAE(ModelConfig(latent_dim=4, hidden=(8,)))  # 28×28
    with pytest.raises(ConfigError, match="expects"):
        evaluate(model, tiny_data)


# -- Fréchet distance -------------------------------------------------------------------------


@pytest.fixture(params=["scipy", "torch"])
def sqrt_backend(request, monkeypatch):
    if request.param == "torch":  # the fallback when scipy.linalg.sqrtm fails
        monkeypatch.setattr(frechet_module, "_trace_sqrt_scipy", lambda cov_a, cov_b: None)
    return request.param


def exact_samples(mean, cov, n, seed=0):
    """Samples whose empirical mean and (N − 1) covariance are exactly ``mean`` and ``cov``."""
    rng = np.random.default_rng(seed)
    raw = rng.standard_normal((n, len(mean)))
    raw -= raw.mean(0)
    raw = raw @ np.linalg.inv(np.linalg.cholesky(np.atleast_2d(np.cov(raw, rowvar=False)))).T
    return raw @ np.linalg.cholesky(cov).T + mean


def test_frechet_distance_of_identical_sets_is_zero(sqrt_backend):
    features = np.random.default_rng(0).standard_normal((200, 8))
    assert frechet_distance(features, features) == pytest.approx(0.0, abs=1e-8)
    # Fewer samples than features: singular covariances are handled.
    assert frechet_distance(features[:5], features[:5]) == pytest.approx(0.0, abs=1e-6)


def test_frechet_distance_matches_closed_forms(sqrt_backend):
    # 1-D: (μ1 − μ2)² + (s1 − s2)².
    a = exact_samples(np.array([1.0]), np.array([[4.0]]), 50)
    b = exact_samples(np.array([-2.0]), np.array([[0.25]]), 80, seed=1)
    assert frechet_distance(a, b) == pytest.approx(9.0 + (2.0 - 0.5) ** 2)
    # Diagonal covariances: Σ (√a_i − √b_i)².
    fd = frechet_distance_from_stats(np.zeros(3), np.diag([1.0, 4.0, 9.0]), np.ones(3), np.eye(3))
    assert fd == pytest.approx(3 + 0 + 1 + 4)
    # 2×2 covariances that do not commute: Tr √M = √(tr M + 2 √det M) for M = Σa Σb.
    cov_a = np.array([[2.0, 0.8], [0.8, 1.0]])
    cov_b = np.array([[0.5, -0.2], [-0.2, 1.5]])
    m = cov_a @ cov_b
    trace_sqrt = math.sqrt(np.trace(m) + 2 * math.sqrt(np.linalg.det(m)))
    expected = 1.0**2 + 2.0**2 + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_sqrt
    a = exact_samples(np.array([1.0, 0.0]), cov_a, 300)
    b = exact_samples(np.array([0.0, 2.0]), cov_b, 300, seed=2)
    assert frechet_distance(torch.from_numpy(a), b) == pytest.approx(expected)


# -- feature classifier and sample quality ----------------------------------------------------


def test_sample_quality_compares_samples_with_a_reference(tiny_data, tiny_vae):
    classifier = train_classifier(tiny_data, epochs=1, min_steps=20)
    result = sample_quality(tiny_vae, tiny_data, classifier, n=1000)
    assert result["fd_images"] == 32 and result["fd_reason"] is None
    # Training images are far closer to the test images than an untrained model's samples.
    assert 0 <= result["fd_train_vs_test"] < result["fd_classifier_features"]
    skipped = sample_quality(tiny_vae, tiny_data, None)
    assert skipped["fd_classifier_features"] is None and "classifier" in skipped["fd_reason"]


def test_sample_quality_is_skipped_without_labels(tiny_data, tiny_vae):
    splits = Splits(tiny_data.train_x, None, tiny_data.test_x, None)
    unlabelled = ImageDataset.create("unlabelled", splits, None)
    result = evaluate(tiny_vae, unlabelled, classifier="auto", **FAST)
    assert result["fd_classifier_features"] is None and "no labels" in result["fd_reason"]
    with pytest.raises(DatasetError, match="no labels"):
        load_or_train_classifier(unlabelled)


def test_real_fid_never_downloads(tiny_data, tiny_vae, tmp_path, monkeypatch):
    value, reason = real_fid(tiny_vae, tiny_data)
    if real_fid_unavailable() is not None:
        assert value is None and reason
    # Even with the library present, missing weights are reported, not fetched.
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    monkeypatch.setattr("importlib.util.find_spec", lambda name, *a: object())
    assert "never downloads" in real_fid_unavailable()


def test_the_metrics_tab_lists_bits_per_dim_first_with_their_standard_errors():
    from vaelab.app.tabs.metrics import metrics_table

    metrics = {
        "recon_psnr_db": 17.8,
        "iwae_bits_per_dim": 1.23456,
        "iwae_bits_per_dim_se": 0.0123,
        "calibrated_neg_elbo": -1000.0,
        "calibrated_neg_elbo_se": 4.0,
    }
    rows = metrics_table(metrics, "fr").splitlines()[2:]
    assert rows[0].startswith("| IWAE bits/dim | 1,235 ± 0,012 | ↓ plus bas |")
    assert rows[1].startswith("| ELBO négative, densité continue (nats) | -1000 ± 4 |")
    assert "non comparable aux articles" in rows[1]
    assert rows[2].startswith("| PSNR (dB) | 17,8 | ↑ plus haut |")


def test_the_metrics_tab_says_when_saved_metrics_predate_this_format():
    """Metrics saved by an older VAE Lab (bits/dim of a density) are flagged, not passed off."""
    from streamlit.testing.v1 import AppTest

    def script():
        import streamlit as st

        from vaelab.app.tabs import render_results
        from vaelab.config import ModelConfig, RunConfig
        from vaelab.models import ConvVAE
        from vaelab.runs import Run

        history = [{"epoch": 1, "train_loss": 3.0, "test_loss": 2.0}]
        config = RunConfig(model=ModelConfig(latent_dim=2, hidden=(8,), height=8, width=8))
        model = ConvVAE(config.model)
        metrics = {"format": st.session_state["format"], "recon_mse": 0.1}
        run = Run(config, dict(model.state_dict()), {}, {}, history, metrics=metrics)
        render_results(run, model, None)

    from vaelab.app.tabs import OPEN_TAB_KEY
    from vaelab.i18n.strings_en import EN

    stale = []
    # One run per page (its tabs are one widget): measured by the previous format, then this one.
    for format_ in ("vaelab-metrics/1", METRICS_FORMAT):
        at = AppTest.from_function(script, default_timeout=30)
        at.session_state["lang"], at.session_state["format"] = "en", format_
        # Only the open tab is drawn: open the Metrics tab, as a click on it does.
        at.session_state[OPEN_TAB_KEY] = "metrics"
        at.session_state["results.tabs.en"] = EN["results.tab.metrics"]
        at.run()
        assert not at.exception
        stale.append(EN["results.metrics.stale"] in [w.value for w in at.warning])
    assert stale == [True, False]


# -- collapse diagnostics and k-convergence ---------------------------------------------------


def test_mutual_information_matches_the_pairwise_densities_of_torch_distributions():
    g = torch.Generator().manual_seed(0)
    mu, logvar = torch.randn(50, 3, generator=g), torch.randn(50, 3, generator=g) - 1
    estimate = mutual_information(mu, logvar, torch.Generator().manual_seed(1))
    mu, logvar = mu.double(), logvar.double()
    std = torch.exp(0.5 * logvar)
    eps = torch.randn(mu.shape, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    z = mu + std * eps
    own = dist.Normal(mu, std).log_prob(z).sum(1)  # log q(z_i | x_i)
    pairs = dist.Normal(mu[None], std[None]).log_prob(z[:, None]).sum(2)  # (i, j)
    aggregate = torch.logsumexp(pairs, dim=1) - math.log(50)  # log q(z_i), the mixture
    assert estimate == pytest.approx(float((own - aggregate).mean()), rel=1e-9)


def test_mutual_information_is_zero_for_collapsed_and_ln_n_for_separate_posteriors():
    zeros = torch.zeros(2000, 4)
    assert mutual_information(zeros, zeros, torch.Generator().manual_seed(0)) == pytest.approx(0)
    apart = torch.zeros(100, 4)
    apart[:, 0] = 10.0 * torch.arange(100)
    estimate = mutual_information(apart, torch.full((100, 4), -20.0))
    assert estimate == pytest.approx(math.log(100), abs=1e-6)  # the estimator's ceiling


def test_convergence_ks():
    assert convergence_ks(1) == (1,)
    assert convergence_ks(100) == (1, 10, 100)
    assert convergence_ks(5000) == (1, 10, 100, 1000, 5000)


def test_the_iwae_bound_is_reported_at_each_k_from_the_same_draws(tiny_data):
    torch.manual_seed(0)
    model = ConvVAE(ModelConfig(latent_dim=4, hidden=(8,), height=12, width=12))
    result = evaluate(model, tiny_data, iwae_k=20, iwae_images=8, fd_images=0)
    bits, nats = result["iwae_bits_per_dim_by_k"], result["iwae_nll_by_k"]
    assert list(bits) == list(nats) == ["1", "10", "20"]
    assert bits["20"] == pytest.approx(result["iwae_bits_per_dim"], rel=1e-9)
    assert nats["20"] == pytest.approx(result["iwae_nll"], rel=1e-9)
    assert bits["1"] > bits["20"]  # tighter with more samples
    assert 0 <= result["mutual_information"] <= math.log(result["mutual_information_images"])
    skipped = evaluate(model, tiny_data, iwae_images=0, fd_images=0)
    assert skipped["iwae_bits_per_dim_by_k"] is skipped["iwae_nll_by_k"] is None
