"""Every loss term against an independent source: torch.distributions."""

import math

import pytest
import torch
from torch import distributions as dist

from vaelab.models.likelihoods import LOG_SCALE_MIN, build_likelihood, gaussian_kl, softclip


@pytest.fixture
def batch():
    g = torch.Generator().manual_seed(0)
    x = torch.rand(4, 3, 5, 7, generator=g, dtype=torch.float64)
    logits = torch.randn(4, 3, 5, 7, generator=g, dtype=torch.float64)
    return x, logits


def per_image(log_prob):
    return log_prob.flatten(1).sum(1)


def test_mse_is_gaussian_with_half_variance_up_to_its_constant(batch):
    x, logits = batch
    lik = build_likelihood("mse")
    nll, scale = lik.nll(x, logits)
    assert scale is None
    d = x[0].numel()
    expected = -per_image(dist.Normal(torch.sigmoid(logits), math.sqrt(0.5)).log_prob(x))
    torch.testing.assert_close(nll + lik.nll_offset(d), expected)
    torch.testing.assert_close(nll, ((torch.sigmoid(logits) - x) ** 2).flatten(1).sum(1))


def test_l1_is_laplace_with_unit_scale_up_to_its_constant(batch):
    x, logits = batch
    lik = build_likelihood("l1")
    nll, _ = lik.nll(x, logits)
    expected = -per_image(dist.Laplace(torch.sigmoid(logits), 1.0).log_prob(x))
    torch.testing.assert_close(nll + lik.nll_offset(x[0].numel()), expected)


def test_bernoulli_is_exact_on_binary_pixels(batch):
    x, logits = batch
    x = (x > 0.5).double()
    nll, _ = build_likelihood("bernoulli").nll(x, logits)
    expected = -per_image(dist.Bernoulli(logits=logits).log_prob(x))
    torch.testing.assert_close(nll, expected)
    assert build_likelihood("bernoulli").nll_offset(100) == 0.0


@pytest.mark.parametrize(
    ("name", "family", "optimum"),
    [
        ("gaussian", dist.Normal, lambda e: e.square().mean().sqrt()),
        ("laplace", dist.Laplace, lambda e: e.abs().mean()),
    ],
)
def test_calibrated_decoders_are_exact_with_the_batch_optimal_scale(batch, name, family, optimum):
    x, logits = batch
    lik = build_likelihood(name, "optimal")
    nll, scale = lik.nll(x, logits)
    mean = torch.sigmoid(logits)
    # Far above the soft clip, it is the identity to double precision.
    expected_scale = optimum(x - mean)
    torch.testing.assert_close(scale, expected_scale, rtol=1e-6, atol=0)
    expected = -per_image(family(mean, expected_scale).log_prob(x))
    torch.testing.assert_close(nll, expected, rtol=1e-6, atol=1e-6)
    assert lik.nll_offset(x[0].numel()) == 0.0


@pytest.mark.parametrize("name", ["gaussian", "laplace"])
def test_optimal_scale_maximises_the_likelihood(batch, name):
    """Scanning the scale numerically: no other value gives a higher likelihood."""
    x, logits = batch
    mean = torch.sigmoid(logits)
    family = dist.Normal if name == "gaussian" else dist.Laplace
    _, best = build_likelihood(name, "optimal").nll(x, logits)
    grid = best * torch.linspace(0.5, 1.5, 201, dtype=torch.float64)
    total = torch.stack([family(mean, s).log_prob(x).sum() for s in grid])
    assert abs(grid[total.argmax()] - best) <= best * 0.005 + 1e-12


def test_learned_scale_is_one_parameter_used_exactly(batch):
    x, logits = batch
    lik = build_likelihood("gaussian", "learned").double()
    assert [p.numel() for p in lik.parameters()] == [1]
    with torch.no_grad():
        lik.log_scale.fill_(-1.3)
    nll, scale = lik.nll(x, logits)
    sigma = softclip(torch.tensor(-1.3, dtype=torch.float64), LOG_SCALE_MIN).exp()
    torch.testing.assert_close(scale, sigma)
    expected = -per_image(dist.Normal(torch.sigmoid(logits), sigma).log_prob(x))
    torch.testing.assert_close(nll, expected)
    nll.sum().backward()
    assert lik.log_scale.grad is not None and lik.log_scale.grad != 0


def test_soft_clip_keeps_sigma_away_from_zero():
    x = torch.full((2, 1, 8, 8), 0.25)
    logits = torch.logit(x)  # a perfect reconstruction: the optimal σ would be 0
    nll, sigma = build_likelihood("gaussian").nll(x, logits.clone())
    assert torch.isfinite(nll).all()
    assert sigma >= math.exp(LOG_SCALE_MIN) * 0.99
    assert softclip(torch.tensor(-2.3, dtype=torch.float64), LOG_SCALE_MIN) == -2.3
    assert softclip(torch.tensor(-50.0), LOG_SCALE_MIN) == pytest.approx(LOG_SCALE_MIN)


def test_kl_matches_torch_distributions():
    g = torch.Generator().manual_seed(1)
    mu = torch.randn(6, 9, generator=g, dtype=torch.float64)
    logvar = torch.randn(6, 9, generator=g, dtype=torch.float64)
    q = dist.Normal(mu, (0.5 * logvar).exp())
    p = dist.Normal(torch.zeros_like(mu), torch.ones_like(mu))
    torch.testing.assert_close(gaussian_kl(mu, logvar), dist.kl_divergence(q, p).sum(1))
    assert torch.all(gaussian_kl(torch.zeros(2, 3), torch.zeros(2, 3)) == 0)


def test_unknown_likelihood_is_refused():
    with pytest.raises(ValueError, match="choose one of"):
        build_likelihood("huber")
