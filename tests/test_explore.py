"""Exploring a VAE: encoding, the 2-D map, paths in latent space, KL per dimension."""

from __future__ import annotations

import pytest
import torch

from vaelab import explore
from vaelab.config import ModelConfig
from vaelab.metrics.latents import kl_per_dimension
from vaelab.models import ConvVAE
from vaelab.models.likelihoods import gaussian_kl


def tiny_model(latent_dim: int = 4, channels: int = 1, height: int = 12, width: int = 10):
    torch.manual_seed(0)
    config = ModelConfig(
        latent_dim=latent_dim, hidden=(8, 16), channels=channels, height=height, width=width
    )
    return ConvVAE(config).eval()


@pytest.fixture(scope="module")
def model() -> ConvVAE:
    return tiny_model()


@pytest.fixture(scope="module")
def images() -> torch.Tensor:
    generator = torch.Generator().manual_seed(1)
    return torch.randint(0, 256, (23, 1, 12, 10), dtype=torch.uint8, generator=generator)


# -- encoding and decoding -------------------------------------------------------------------


def test_encode_gives_posterior_parameters_in_batches(model, images):
    latents = explore.encode(model, images, batch_size=5)
    assert latents.mu.shape == latents.logvar.shape == (23, 4)
    mu, logvar = model.encode(images.float() / 255)
    torch.testing.assert_close(latents.mu, mu.detach())
    torch.testing.assert_close(latents.logvar, logvar.detach())


def test_encode_nothing(model):
    latents = explore.encode(model, torch.empty(0, 1, 12, 10, dtype=torch.uint8))
    assert latents.mu.shape == (0, 4)


def test_decode_and_reconstruct_shapes(model, images):
    assert explore.decode(model, torch.zeros(7, 4)).shape == (7, 1, 12, 10)
    recon = explore.reconstruct(model, images)
    assert recon.shape == (23, 1, 12, 10)
    assert 0.0 <= float(recon.min()) and float(recon.max()) <= 1.0
    torch.testing.assert_close(recon, model.reconstruct(images.float() / 255))


def test_prior_samples_are_reproducible_and_tempered(model):
    a = explore.sample_prior(model, 49, temperature=1.0, seed=3)
    assert a.shape == (49, 1, 12, 10)
    torch.testing.assert_close(a, explore.sample_prior(model, 49, temperature=1.0, seed=3))
    assert not torch.equal(a, explore.sample_prior(model, 49, temperature=1.0, seed=4))
    # At temperature 0 every draw is the prior's mean, z = 0.
    cold = explore.sample_prior(model, 5, temperature=0.0, seed=3)
    torch.testing.assert_close(cold, explore.decode(model, torch.zeros(5, 4)))
    with pytest.raises(ValueError, match="temperature"):
        explore.sample_prior(model, 5, temperature=-1.0)


# -- the 2-D map -----------------------------------------------------------------------------


def test_two_dimensional_latents_are_shown_as_they_are():
    mu = torch.randn(50, 2, generator=torch.Generator().manual_seed(0)) * torch.tensor([3.0, 1.0])
    projection = explore.fit_projection(mu)
    assert projection.method == "latent"
    torch.testing.assert_close(projection.transform(mu), mu)
    assert projection.explained[0] > projection.explained[1]
    assert float(projection.explained.sum()) == pytest.approx(1.0)


def test_pca_recovers_data_lying_on_a_plane():
    generator = torch.Generator().manual_seed(0)
    plane = torch.randn(200, 2, generator=generator) * torch.tensor([4.0, 1.5])  # (N, 2)
    basis, _ = torch.linalg.qr(torch.randn(9, 2, generator=generator))  # (D, 2) orthonormal
    offset = torch.randn(9, generator=generator)
    mu = plane @ basis.T + offset  # (N, D): a 2-D plane in 9-D
    projection = explore.fit_projection(mu)
    assert projection.method == "pca"
    # All the variance is in the plane, and the first axis has more of it.
    assert float(projection.explained.sum()) == pytest.approx(1.0, abs=1e-5)
    assert projection.explained[0] > projection.explained[1]
    coords = projection.transform(mu)
    # Recovered up to a rotation (and reflection): same distances between points.
    exact = "donot_use_mm_for_euclid_dist"
    torch.testing.assert_close(
        torch.cdist(coords, coords, compute_mode=exact),
        torch.cdist(plane, plane, compute_mode=exact),
        atol=1e-3,
        rtol=1e-4,
    )
    torch.testing.assert_close(
        coords.var(dim=0).sum(), plane.var(dim=0).sum(), rtol=1e-4, atol=1e-4
    )


def test_pca_is_deterministic_with_fixed_signs():
    mu = torch.randn(300, 16, generator=torch.Generator().manual_seed(2))
    first, second = explore.fit_projection(mu), explore.fit_projection(mu.clone())
    torch.testing.assert_close(first.components, second.components)
    flipped = explore.fit_projection(-mu)
    largest = first.components.abs().argmax(dim=0)
    assert (first.components[largest, torch.arange(2)] > 0).all()
    assert (flipped.components[largest, torch.arange(2)] > 0).all()


def test_projection_of_degenerate_sets():
    assert explore.fit_projection(torch.zeros(1, 5)).transform(torch.zeros(3, 5)).shape == (3, 2)
    assert explore.fit_projection(torch.ones(4, 2)).explained.tolist() == [0.0, 0.0]
    with pytest.raises(ValueError, match="D ≥ 2"):
        explore.fit_projection(torch.zeros(4, 1))


def test_manifold_grid_order_matches_the_scatter_axes():
    model = tiny_model(latent_dim=2)
    values = explore.manifold_values(5)
    assert torch.all(values[1:] > values[:-1])
    torch.testing.assert_close(values, -values.flip(0))
    grid = explore.manifold_grid(model, 5)
    assert grid.shape == (25, 1, 12, 10)
    # Top-left is (smallest z1, largest z2); the first row runs along z1.
    corner = explore.decode(model, torch.stack([values[0], values[-1]])[None])
    torch.testing.assert_close(grid[0], corner[0])
    next_in_row = explore.decode(model, torch.stack([values[1], values[-1]])[None])
    torch.testing.assert_close(grid[1], next_in_row[0])


def test_manifold_grid_needs_two_latent_dimensions(model):
    with pytest.raises(ValueError, match="2-D latent space"):
        explore.manifold_grid(model)


# -- paths -----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", explore.INTERPOLATIONS)
def test_interpolation_ends_are_the_two_reconstructions(model, images, method):
    path = explore.interpolate(model, images[0], images[1], steps=6, method=method)
    assert path.shape == (6, 1, 12, 10)
    mu = explore.encode(model, images[:2]).mu
    torch.testing.assert_close(path[0], explore.decode(model, mu[:1])[0])
    torch.testing.assert_close(path[-1], explore.decode(model, mu[1:2])[0])


def test_interpolated_codes():
    a, b = torch.tensor([3.0, 0.0]), torch.tensor([0.0, 3.0])
    linear = explore.interpolate_latents(a, b, 5)
    assert torch.equal(linear[0], a) and torch.equal(linear[-1], b)
    torch.testing.assert_close(linear[2], torch.tensor([1.5, 1.5]))
    # The great circle keeps the norm of codes of equal norm.
    slerp = explore.interpolate_latents(a, b, 5, "slerp")
    torch.testing.assert_close(slerp.norm(dim=1), torch.full((5,), 3.0))
    # Parallel codes fall back to the straight line instead of dividing by sin(0).
    torch.testing.assert_close(explore.interpolate_latents(a, 2 * a, 3, "slerp")[1], 1.5 * a)
    with pytest.raises(ValueError, match="interpolation must be one of"):
        explore.interpolate_latents(a, b, 5, "cubic")
    with pytest.raises(ValueError, match="at least 2 steps"):
        explore.interpolate_latents(a, b, 1)


def test_traversal_moves_only_the_chosen_dimension(model):
    z = torch.tensor([0.3, -1.2, 0.7, 2.0])
    codes = explore.traversal_latents(z, [2, 0], span=2.0, steps=5)
    assert codes.shape == (2, 5, 4)
    for row, dim in enumerate([2, 0]):
        others = [d for d in range(4) if d != dim]
        torch.testing.assert_close(codes[row][:, others], z[others].expand(5, 3))
        torch.testing.assert_close(codes[row][:, dim], torch.linspace(-2.0, 2.0, 5))
    images = explore.traverse(model, z, [2, 0], span=2.0, steps=5)
    assert images.shape == (2, 5, 1, 12, 10)
    torch.testing.assert_close(images[1], explore.decode(model, codes[1]))
    with pytest.raises(ValueError, match="from 0 to 3"):
        explore.traversal_latents(z, [4])


# -- KL per dimension and active units ------------------------------------------------------


def test_kl_per_dimension_adds_up_to_the_kl_term(model, images):
    latents = explore.encode(model, images)
    per_dim = explore.latent_usage(latents).kl
    assert per_dim.shape == (4,)
    assert (per_dim >= 0).all()
    total = gaussian_kl(latents.mu, latents.logvar).mean()
    torch.testing.assert_close(per_dim.sum(), total, rtol=1e-5, atol=1e-6)


def test_kl_per_dimension_matches_torch_distributions():
    generator = torch.Generator().manual_seed(0)
    mu, logvar = torch.randn(30, 3, generator=generator), torch.randn(30, 3, generator=generator)
    posterior = torch.distributions.Normal(mu, (0.5 * logvar).exp())
    prior = torch.distributions.Normal(torch.zeros(3), torch.ones(3))
    expected = torch.distributions.kl_divergence(posterior, prior).mean(dim=0)
    torch.testing.assert_close(kl_per_dimension(mu, logvar).float(), expected)


def test_active_units_follow_the_variance_of_the_posterior_mean():
    generator = torch.Generator().manual_seed(0)
    mu = torch.randn(500, 3, generator=generator) * torch.tensor([1.0, 0.001, 0.5])
    latents = explore.Latents(mu, torch.zeros(500, 3))
    usage = explore.latent_usage(latents)
    assert usage.active.tolist() == [True, False, True]
    assert usage.n_active == 2
    assert usage.ranked() == [0, 2, 1]
    assert explore.latent_usage(latents, threshold=0.5).n_active == 1
