"""Every loss term against an independent source: torch.distributions, PixelCNN++'s formula,
quadrature, and mpmath's high-precision normal CDF."""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import distributions as dist

from vaelab.models.likelihoods import (
    LOG_SCALE_MIN,
    build_likelihood,
    continuous_bernoulli_log_norm,
    continuous_bernoulli_mean,
    discretized_log_prob,
    discretized_nll,
    gaussian_kl,
    softclip,
)


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


def test_unit_gaussian_is_the_papers_gaussian_vae(batch):
    """Rybkin et al.'s gaussian_vae: log σ = 0, the exact Gaussian log-density with its constant."""
    x, logits = batch
    nll, scale = build_likelihood("gaussian-unit").nll(x, logits)
    assert scale is None
    expected = -per_image(dist.Normal(torch.sigmoid(logits), 1.0).log_prob(x))
    torch.testing.assert_close(nll, expected)


@pytest.mark.parametrize(("name", "family"), [("gaussian", dist.Normal), ("laplace", dist.Laplace)])
def test_per_pixel_learned_scale_is_one_soft_clipped_parameter_per_pixel(batch, name, family):
    x, logits = batch
    lik = build_likelihood(name, "learned-per-pixel", pixel_shape=x.shape[1:]).double()
    assert [tuple(p.shape) for p in lik.parameters()] == [tuple(x.shape[1:])]
    raw = torch.randn(x.shape[1:], generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    raw[0, 0, 0] = -40.0  # far below the floor: the soft clip holds it near −6
    with torch.no_grad():
        lik.log_scale.copy_(raw)
    nll, scale = lik.nll(x, logits)
    log_scale = softclip(raw, LOG_SCALE_MIN)
    assert log_scale[0, 0, 0] == pytest.approx(LOG_SCALE_MIN)
    torch.testing.assert_close(scale, log_scale.mean().exp())  # reported: the geometric mean
    expected = -per_image(family(torch.sigmoid(logits), log_scale.exp()).log_prob(x))
    torch.testing.assert_close(nll, expected)
    nll.sum().backward()
    assert (lik.log_scale.grad[1:] != 0).all()


def test_optimal_scale_in_eval_mode_uses_the_training_scale_when_given(batch):
    x, logits = batch
    lik = build_likelihood("gaussian").double()
    batch_optimum = lik.nll(x, logits)[1]
    lik.eval()
    torch.testing.assert_close(lik.nll(x, logits)[1], batch_optimum)  # none given yet
    lik.eval_log_scale = math.log(0.2)
    nll, scale = lik.nll(x, logits)
    assert float(scale) == pytest.approx(0.2)
    torch.testing.assert_close(nll, -per_image(dist.Normal(torch.sigmoid(logits), 0.2).log_prob(x)))
    lik.train()  # training always uses the batch's optimum
    torch.testing.assert_close(lik.nll(x, logits)[1], batch_optimum)


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


# -- the continuous Bernoulli (Loaiza-Ganem & Cunningham 2019) ---------------------------------

#: Logits around λ = ½ (where the normaliser is 0/0 and uses its series), on both sides of the
#: series' cut-off at |η| = 0.1, and far out.
CB_LOGITS = [0.0, 1e-7, -1e-4, 3e-3, -0.05, 0.0999999, 0.1000001, -0.1, 0.7, -2.0, 6.0, -15.0]


def test_continuous_bernoulli_matches_torch_distributions():
    g = torch.Generator().manual_seed(2)
    logits = torch.tensor(CB_LOGITS, dtype=torch.float64).view(1, 1, 1, -1).repeat(3, 2, 1, 1)
    x = torch.rand(logits.shape, generator=g, dtype=torch.float64)
    x[0, 0, 0, :2] = torch.tensor([0.0, 1.0], dtype=torch.float64)  # the ends of [0, 1]
    lik = build_likelihood("continuous-bernoulli")
    nll, scale = lik.nll(x, logits)
    reference = dist.ContinuousBernoulli(logits=logits)
    assert scale is None and lik.nll_offset(100) == 0.0
    torch.testing.assert_close(nll, -per_image(reference.log_prob(x)), rtol=0, atol=1e-9)
    # The reconstruction is the distribution's mean, not λ = sigmoid(η).
    torch.testing.assert_close(lik.mean(logits), reference.mean, rtol=0, atol=1e-9)
    assert not torch.allclose(lik.mean(logits), torch.sigmoid(logits))


def test_continuous_bernoulli_against_high_precision_everywhere():
    """log C = log(η / tanh(η/2)) and the mean 1/(1 − e^{−η}) − 1/η, by mpmath, at 40 digits.

    Further out than torch.distributions is accurate (at η = 30 its normaliser is off by 3e-5).
    """
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 40
    logits = [*CB_LOGITS, 30.0, -30.0, 80.0]
    eta = torch.tensor(logits, dtype=torch.float64)
    for value, log_norm, mean in zip(
        logits,
        continuous_bernoulli_log_norm(eta).tolist(),
        continuous_bernoulli_mean(eta).tolist(),
        strict=True,
    ):
        e = mpmath.mpf(value)
        exact_norm = mpmath.log(2) if value == 0 else mpmath.log(e / mpmath.tanh(e / 2))
        exact_mean = mpmath.mpf(0.5) if value == 0 else 1 / (1 - mpmath.exp(-e)) - 1 / e
        assert log_norm == pytest.approx(float(exact_norm), rel=1e-12, abs=1e-15), value
        assert mean == pytest.approx(float(exact_mean), rel=1e-12, abs=1e-15), value


def test_continuous_bernoulli_is_a_density_with_finite_gradients_at_one_half():
    # ∫₀¹ p(x) dx = 1 by the trapezoid rule, whatever λ, including exactly ½: one-pixel images.
    grid = torch.linspace(0, 1, 20001, dtype=torch.float64).view(-1, 1, 1, 1)
    lik = build_likelihood("continuous-bernoulli")
    for eta in (0.0, 0.05, -3.0, 12.0):
        density = (-lik.nll(grid, torch.full_like(grid, eta))[0]).exp()
        assert float(torch.trapezoid(density, grid.flatten())) == pytest.approx(1.0, abs=1e-7)
    # At λ = ½ the normaliser is 2, the mean ½, and their gradients are finite, in float32 too.
    eta = torch.zeros(3, requires_grad=True)
    (continuous_bernoulli_log_norm(eta) + continuous_bernoulli_mean(eta)).sum().backward()
    assert torch.isfinite(eta.grad).all()
    far = torch.tensor([-200.0, 200.0], requires_grad=True)
    (continuous_bernoulli_log_norm(far) + continuous_bernoulli_mean(far)).sum().backward()
    assert torch.isfinite(far.grad).all()


def test_continuous_bernoulli_differs_from_the_cross_entropy_on_grey_pixels(batch):
    """The cross-entropy is not normalised: the continuous Bernoulli adds −log C(λ) < −ln 2."""
    x, logits = batch
    bce, _ = build_likelihood("bernoulli").nll(x, logits)
    cb, _ = build_likelihood("continuous-bernoulli").nll(x, logits)
    assert torch.all(cb < bce - x[0].numel() * math.log(2) + 1e-9)


# -- discretised likelihoods: probabilities of the 256 levels ------------------------------------

LEVELS = torch.arange(256, dtype=torch.float64) / 255


@pytest.mark.parametrize("law", ["gaussian", "logistic", "laplace"])
def test_the_256_probabilities_sum_to_one(law):
    g = torch.Generator().manual_seed(3)
    means = torch.cat([torch.rand(20, generator=g, dtype=torch.float64), torch.tensor([0.0, 1.0])])
    log_scales = torch.empty(22, dtype=torch.float64).uniform_(-9.0, 2.0, generator=g)
    for mean, log_scale in zip(means, log_scales, strict=True):
        total = discretized_log_prob(LEVELS, mean, log_scale, law).exp().sum()
        assert float(total) == pytest.approx(1.0, abs=1e-9), (float(mean), float(log_scale))
    # In float32 too, where the bins are computed from log-CDFs.
    total = discretized_log_prob(LEVELS.float(), torch.tensor(0.3), math.log(0.01), law).exp()
    assert float(total.double().sum()) == pytest.approx(1.0, abs=1e-5)


def pixelcnn_log_prob(x, mean, log_scale):
    """PixelCNN++'s discretized_mix_logistic_loss for one component, as Salimans et al. wrote it.

    Their pixels are in [−1, 1] with bins 2/255 wide; ours, in [0, 1], are the same law after
    x → 2x − 1, mean → 2 mean − 1, scale → 2 scale. Returns the log-probabilities and where they
    are exact: a bin whose mass is under 1e-5 gets their approximation, density × bin width.
    """
    x, mean = 2 * x - 1, 2 * mean - 1
    log_scales = torch.tensor(log_scale + math.log(2), dtype=x.dtype)
    centered_x = x - mean
    inv_stdv = torch.exp(-log_scales)
    plus_in = inv_stdv * (centered_x + 1.0 / 255.0)
    cdf_plus = torch.sigmoid(plus_in)
    min_in = inv_stdv * (centered_x - 1.0 / 255.0)
    cdf_min = torch.sigmoid(min_in)
    log_cdf_plus = plus_in - F.softplus(plus_in)
    log_one_minus_cdf_min = -F.softplus(min_in)
    cdf_delta = cdf_plus - cdf_min
    mid_in = inv_stdv * centered_x
    log_pdf_mid = mid_in - log_scales - 2.0 * F.softplus(mid_in)
    inner = torch.where(
        cdf_delta > 1e-5,
        torch.log(torch.clamp(cdf_delta, min=1e-12)),
        log_pdf_mid - math.log(127.5),
    )
    log_probs = torch.where(
        x < -0.999, log_cdf_plus, torch.where(x > 0.999, log_one_minus_cdf_min, inner)
    )
    return log_probs, (x < -0.999) | (x > 0.999) | (cdf_delta > 1e-5)


def test_discretized_logistic_is_pixelcnn_plus_plus():
    g = torch.Generator().manual_seed(4)
    x = LEVELS[torch.randint(0, 256, (4, 3, 8, 8), generator=g)]
    x[0, 0, 0, :4] = torch.tensor([0.0, 1.0, 0.0, 1.0])
    mean = torch.rand(x.shape, generator=g, dtype=torch.float64)
    for log_scale in (-4.0, -2.5, -1.0, 0.5):
        ours = discretized_log_prob(x, mean, log_scale, "logistic")
        theirs, exact = pixelcnn_log_prob(x, mean, log_scale)
        # (Their difference of two sigmoids loses ~1e-9 on masses near 1e-5.)
        torch.testing.assert_close(ours[exact], theirs[exact], rtol=0, atol=1e-8)
        # Their density × width approximation of the tiny masses is within 1 %.
        torch.testing.assert_close(ours[~exact], theirs[~exact], rtol=1e-2, atol=0)
    assert (~exact).sum() == 0  # the last scale is wide: every bin is on the exact branch
    lik = build_likelihood("discretized-logistic", "learned").double()
    with torch.no_grad():
        lik.log_scale.fill_(-1.0)
    nll, s = lik.nll(x, mean)  # the location is the decoder's output itself
    torch.testing.assert_close(s, torch.tensor(math.exp(-1.0), dtype=torch.float64))
    theirs, exact = pixelcnn_log_prob(x, mean, -1.0)
    assert exact.all()
    torch.testing.assert_close(nll, -per_image(theirs), rtol=1e-9, atol=0)


def test_discretized_gaussian_is_the_mass_of_each_bin():
    g = torch.Generator().manual_seed(5)
    x = LEVELS[torch.randint(1, 255, (3, 1, 6, 6), generator=g)]
    mean = torch.rand(x.shape, generator=g, dtype=torch.float64)
    normal = dist.Normal(mean, 0.2)
    half = 0.5 / 255
    expected = torch.log(normal.cdf(x + half) - normal.cdf(x - half))
    # The reference subtracts two CDF values near 1 in the upper tail: accurate to ~1e-10 only.
    torch.testing.assert_close(
        discretized_log_prob(x, mean, math.log(0.2), "gaussian"), expected, rtol=0, atol=1e-8
    )
    # The lowest and highest levels take the tails: P(0) = F(½ bin), P(255) = 1 − F(1 − ½ bin).
    edges = torch.tensor([0.0, 1.0], dtype=torch.float64)
    edge = discretized_log_prob(edges, mean.flatten()[:2], math.log(0.2), "gaussian").exp()
    tails = dist.Normal(mean.flatten()[:2], 0.2)
    torch.testing.assert_close(edge[0], tails.cdf(torch.tensor(half, dtype=torch.float64))[0])
    torch.testing.assert_close(
        edge[1], 1 - tails.cdf(torch.tensor(1 - half, dtype=torch.float64))[1]
    )


def test_discretized_gaussian_is_accurate_far_in_the_tails():
    """Where the two CDF values underflow to the same float, the log-space form is still exact."""
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 50
    log_sigma, half = math.log(0.0025), 0.5 / 255  # the soft floor of σ, pixels up to 320 σ away

    def exact(level, mean):
        sigma = mpmath.exp(log_sigma)
        a, b = (level - half - mean) / sigma, (level + half - mean) / sigma
        return float(mpmath.log(mpmath.ncdf(b) - mpmath.ncdf(a)))

    # float32 rounds the inputs' differences to ~1e-5 σ: 1e-4 there, 1e-9 in float64.
    for dtype, tolerance in ((torch.float64, 1e-9), (torch.float32, 1e-4)):
        x = torch.tensor([0.1, 0.2, 0.5, 0.899], dtype=dtype)
        centre = torch.full_like(x, 0.9, requires_grad=True)
        ours = discretized_log_prob(x, centre, log_sigma, "gaussian")
        # Against the exact value at the very inputs (a float32 0.899 is not 0.899).
        for level, mean, value in zip(x.tolist(), centre.tolist(), ours.tolist(), strict=True):
            assert value == pytest.approx(exact(level, mean), rel=tolerance), (dtype, level)
        ours.sum().backward()
        assert torch.isfinite(centre.grad).all()


def test_a_sharp_decoder_on_the_data_tends_to_zero_bits():
    """Mean = data and σ → 0: every level gets its whole bin, 0 bits/dim; the edges more than ½."""
    x = LEVELS.view(1, 1, 16, 16)
    for law in ("gaussian", "logistic"):
        bits_per_dim = discretized_nll(x, x, math.log(1e-5), law) / (256 * math.log(2))
        assert float(bits_per_dim) == pytest.approx(0.0, abs=1e-4)
    # A pixel at 0 with its mean at 0 keeps the lower tail (½) and half a bin, for any σ.
    for sigma in (1e-3, 0.05, 0.5, 5.0):
        p0 = discretized_log_prob(torch.zeros(1), torch.zeros(1), math.log(sigma), "gaussian").exp()
        half_bin = dist.Normal(0.0, sigma).cdf(torch.tensor(0.5 / 255)) - 0.5
        assert float(p0) == pytest.approx(0.5 + float(half_bin), rel=1e-6)
        assert float(p0) > 0.5


@pytest.mark.parametrize("name", ["discretized-gaussian", "discretized-logistic"])
def test_discretized_training_losses_use_the_plug_in_scale(batch, name):
    x, logits = batch
    x = torch.round(x * 255) / 255  # on the levels, as training data are
    location = 2 * logits  # unbounded: some of it below 0 and above 1
    assert (location < 0).any() and (location > 1).any()
    lik = build_likelihood(name, "optimal")
    nll, scale = lik.nll(x, location)
    # The image is the location clamped to [0, 1]; its RMSE gives the scale.
    torch.testing.assert_close(lik.mean(location), location.clamp(0, 1))
    rmse = (x - location.clamp(0, 1)).square().mean().sqrt()
    # The continuous optimum as a plug-in: σ = RMSE; the logistic of the same variance.
    plug_in = rmse if name == "discretized-gaussian" else rmse * math.sqrt(3) / math.pi
    torch.testing.assert_close(scale, plug_in, rtol=1e-6, atol=0)
    law = name.removeprefix("discretized-")
    torch.testing.assert_close(nll, discretized_nll(x, location, plug_in.log(), law))
    assert torch.all(nll > 0) and lik.nll_offset(x[0].numel()) == 0.0
    learned = build_likelihood(name, "learned").double()
    learned.nll(x, logits)[0].sum().backward()
    assert learned.log_scale.grad is not None and learned.log_scale.grad != 0


@pytest.mark.parametrize("name", ["discretized-gaussian", "discretized-logistic"])
def test_a_discretised_location_past_the_edges_makes_black_and_white_pixels_likely(name):
    # The edge bins take the tails: a location below 0 (above 1) gives a black (white) pixel
    # nearly all its mass at a scale a tenth of the distance, which no location in [0, 1] can
    # give at that scale (at most about ½): so the location is not squeezed by a sigmoid.
    lik = build_likelihood(name, "learned").double()
    with torch.no_grad():
        lik.log_scale.fill_(math.log(0.05))
    x = torch.tensor([0.0, 1.0], dtype=torch.float64).view(2, 1, 1, 1)
    past = torch.tensor([-0.5, 1.5], dtype=torch.float64).view(2, 1, 1, 1)
    at_edges = torch.tensor([0.0, 1.0], dtype=torch.float64).view(2, 1, 1, 1)
    assert torch.all(lik.nll(x, past)[0] < 1e-3)
    assert torch.all(lik.nll(x, at_edges)[0] > math.log(2) - 0.05)
    torch.testing.assert_close(lik.mean(past), at_edges)
