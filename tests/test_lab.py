"""The latent lab's library side: the live latent map, posteriors of drawn images, the plane."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from vaelab.config import ModelConfig
from vaelab.explore.drawing import drawing_to_image
from vaelab.explore.latent import decode, encode, fit_projection
from vaelab.explore.live_map import LatentTracker
from vaelab.explore.posterior import (
    Posterior,
    ellipse,
    plane_point,
    posterior,
    projected_gaussian,
    sample_posterior,
)
from vaelab.models import ConvVAE


def tiny_model(latent_dim: int = 4, seed: int = 0) -> ConvVAE:
    torch.manual_seed(seed)
    config = ModelConfig(latent_dim=latent_dim, hidden=(8, 16), height=12, width=10)
    return ConvVAE(config).eval()


@pytest.fixture(scope="module")
def images() -> torch.Tensor:
    generator = torch.Generator().manual_seed(1)
    return torch.randint(0, 256, (30, 1, 12, 10), dtype=torch.uint8, generator=generator)


# -- the live latent map ---------------------------------------------------------------------


def test_tracker_gives_the_posterior_means_of_a_2d_latent(images):
    model = tiny_model(latent_dim=2)
    points = LatentTracker(images, None).points(model)
    assert points.dtype == np.float32 and points.shape == (30, 2)
    np.testing.assert_allclose(points, encode(model, images).mu.numpy(), rtol=1e-6)


def test_tracker_keeps_the_plane_of_its_first_call(images):
    labels = torch.arange(30) % 3
    tracker = LatentTracker(images, labels)
    first, later = tiny_model(latent_dim=6, seed=0), tiny_model(latent_dim=6, seed=1)
    np.testing.assert_allclose(
        tracker.points(first),
        fit_projection(encode(first, images).mu).transform(encode(first, images).mu).numpy(),
        rtol=1e-5,
        atol=1e-6,
    )
    # The second model is projected on the first one's plane, not on a plane of its own.
    kept = tracker.projection
    mu_later = encode(later, images).mu
    np.testing.assert_allclose(
        tracker.points(later), kept.transform(mu_later).numpy(), rtol=1e-5, atol=1e-6
    )
    assert tracker.projection is kept
    assert tracker.labels.tolist() == (np.arange(30) % 3).tolist()


def test_tracker_refuses_images_that_are_not_a_uint8_batch():
    with pytest.raises(ValueError, match="uint8 tensor shaped"):
        LatentTracker(torch.zeros(3, 1, 12, 10), None)
    with pytest.raises(ValueError, match="one label per image"):
        LatentTracker(torch.zeros(3, 1, 12, 10, dtype=torch.uint8), torch.zeros(4))


def test_tracker_says_where_the_prior_lands_on_its_plane(images):
    tracker = LatentTracker(images, None)
    assert tracker.prior_centre == (0.0, 0.0)
    tracker.points(tiny_model(latent_dim=6))
    origin = tracker.projection.transform(torch.zeros(1, 6))[0]
    assert tracker.prior_centre == pytest.approx(origin.tolist())


# -- the map's chart -------------------------------------------------------------------------


def test_latent_chart_draws_the_cloud_by_class_and_the_prior_rings():
    from vaelab.app.lab.map import latent_chart

    points = np.array([[0.5, -1.25], [1.0, 2.0], [-0.5, 0.0]], dtype=np.float32)
    spec = latent_chart(points, np.array([0, 1, 1]), "fr", classes=("zéro", "un")).to_dict()
    cloud, rings = spec["layer"]
    assert cloud["encoding"]["color"]["sort"] == ["zéro", "un"]
    datasets = spec["datasets"]
    cloud_rows = datasets[cloud["data"]["name"]]
    assert [row["class"] for row in cloud_rows] == ["zéro", "un", "un"]
    ring_rows = datasets[rings["data"]["name"]]
    radii = {row["ring"]: round(float(np.hypot(row["x"], row["y"])), 6) for row in ring_rows}
    assert radii == {"a priori N(0, I) : 1σ": 1.0, "a priori N(0, I) : 2σ": 2.0}
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    # Equal spans on a square plot: the prior's circles are drawn round, not as ellipses.
    x, y = (spec["encoding"][axis]["scale"]["domain"] for axis in ("x", "y"))
    assert x[1] - x[0] == pytest.approx(y[1] - y[0])
    assert x[0] <= -2 and x[1] >= 2 and y[0] <= -2 and y[1] >= 2
    assert spec["width"] == spec["height"]


# -- a posterior on the map ------------------------------------------------------------------


def test_posterior_kl_matches_torch_distributions(images):
    model = tiny_model(latent_dim=5)
    post = posterior(model, images[3])
    mu, logvar = model.encode(images[3:4].float() / 255)
    torch.testing.assert_close(post.mu, mu[0].detach())
    q = torch.distributions.Normal(post.mu.double(), (0.5 * post.logvar.double()).exp())
    p = torch.distributions.Normal(torch.zeros(5, dtype=torch.float64), 1.0)
    assert post.kl == pytest.approx(float(torch.distributions.kl_divergence(q, p).sum()))


def test_projected_posterior_is_the_law_of_projected_draws():
    generator = torch.Generator().manual_seed(0)
    mu, logvar = torch.randn(6, generator=generator), torch.randn(6, generator=generator)
    codes = torch.randn(50, 6, generator=generator)
    view = fit_projection(codes)
    centre, covariance = projected_gaussian(view, Posterior(mu, logvar))
    draws = mu + (0.5 * logvar).exp() * torch.randn(200_000, 6, generator=generator)
    projected = view.transform(draws).double()
    torch.testing.assert_close(centre.double(), projected.mean(0), atol=0.02, rtol=0)
    torch.testing.assert_close(covariance.double(), projected.T.cov(), atol=0.03, rtol=0.03)


def test_ellipse_lies_k_standard_deviations_from_the_centre():
    centre, covariance = torch.tensor([1.0, -2.0]), torch.tensor([[2.0, 0.6], [0.6, 0.5]])
    vertices = ellipse(centre, covariance, k=2.0)
    assert np.allclose(vertices[0], vertices[-1])
    offset = vertices - centre.numpy()
    distance = np.einsum("ni,ij,nj->n", offset, np.linalg.inv(covariance.numpy()), offset)
    np.testing.assert_allclose(distance, 4.0, rtol=1e-5)


def test_posterior_samples_are_reproducible_and_decoded():
    model = tiny_model(latent_dim=3)
    post = Posterior(torch.tensor([0.5, -1.0, 2.0]), torch.tensor([-8.0, -8.0, -8.0]))
    z, pictures = sample_posterior(model, post, n=4, seed=7)
    again, _ = sample_posterior(model, post, n=4, seed=7)
    torch.testing.assert_close(z, again)
    torch.testing.assert_close(z, post.mu.expand(4, 3), atol=0.1, rtol=0)  # σ = e⁻⁴
    torch.testing.assert_close(pictures, decode(model, z))


@pytest.mark.parametrize("latent_dim", [2, 7])
def test_a_map_point_goes_back_to_itself(latent_dim):
    codes = torch.randn(40, latent_dim, generator=torch.Generator().manual_seed(2)) + 3.0
    view = fit_projection(codes)
    point = torch.tensor([0.75, -1.5])
    code = plane_point(view, point)
    torch.testing.assert_close(view.transform(code[None])[0], point, atol=1e-5, rtol=0)
    if latent_dim > 2:  # off the plane, the code is the data's mean
        off_plane = code.double() - view.mean
        off_plane -= view.components @ (view.components.T @ off_plane)
        assert float(off_plane.norm()) < 1e-5


# -- a drawing as the model sees it ----------------------------------------------------------


def test_drawing_is_framed_like_mnist():
    canvas = np.zeros((280, 280, 4), dtype=np.uint8)
    canvas[20:120, 200:240] = (255, 255, 255, 255)  # a tall bar in the top right corner
    image = drawing_to_image(canvas, 28, 28)
    assert image.dtype == torch.uint8 and image.shape == (1, 28, 28)
    ink = image[0].float()
    rows = torch.nonzero(ink.sum(1) > 0).flatten()
    assert int(rows[-1] - rows[0]) + 1 == 20  # the longer side fills the 20-pixel box
    ys, xs = torch.meshgrid(torch.arange(28.0), torch.arange(28.0), indexing="ij")
    centre = (float((ys * ink).sum() / ink.sum()), float((xs * ink).sum() / ink.sum()))
    assert centre == pytest.approx((13.5, 13.5), abs=0.6)


def test_an_empty_or_transparent_drawing_is_nothing():
    assert drawing_to_image(np.zeros((50, 50, 4), dtype=np.uint8), 28, 28) is None
    see_through = np.full((50, 50, 4), 255, dtype=np.uint8)
    see_through[..., 3] = 0
    assert drawing_to_image(see_through, 28, 28) is None
    with pytest.raises(ValueError, match="canvas pixels shaped"):
        drawing_to_image(np.zeros((2, 2, 2, 2), dtype=np.uint8), 28, 28)


# -- β = 0: a plain autoencoder ---------------------------------------------------------------


def test_beta_zero_is_a_beta_vae_only():
    from vaelab.errors import ConfigError
    from vaelab.variants import is_autoencoder

    config = ModelConfig(variant="beta-vae", beta=0)
    assert config.beta == 0.0 and is_autoencoder(config.beta)
    assert not is_autoencoder(ModelConfig(variant="beta-vae", beta=1e-5).beta)
    for variant in ("vae", "sigma-vae"):
        with pytest.raises(ConfigError, match="β"):
            ModelConfig(variant=variant, beta=0.0)


def test_an_autoencoder_reports_its_reconstructions_and_no_bound(tiny_data):
    from vaelab.metrics import METRICS, evaluate
    from vaelab.metrics.evaluate import AUTOENCODER_REASON, BOUNDS

    torch.manual_seed(0)
    config = ModelConfig(
        variant="beta-vae", beta=0.0, latent_dim=2, hidden=(8,), height=12, width=12
    )
    result = evaluate(ConvVAE(config), tiny_data, iwae_k=3, iwae_images=8, fd_images=0)
    assert result["bounds_reason"] == AUTOENCODER_REASON
    for key in BOUNDS:
        assert result[key] is None and result[f"{key}_se"] is None
    assert result["elbo_bits_per_dim_per_image"] is None and result["iwae_images"] == 0
    assert result["recon_mse"] > 0 and result["recon_psnr_db"] is not None
    assert set(BOUNDS) <= set(METRICS)
    vae = ConvVAE(
        ModelConfig(variant="beta-vae", beta=0.5, latent_dim=2, hidden=(8,), height=12, width=12)
    )
    measured = evaluate(vae, tiny_data, iwae_k=3, iwae_images=8, fd_images=0)
    assert measured["bounds_reason"] is None and measured["elbo_bits_per_dim"] is not None


def test_the_lab_map_is_square_with_a_click_grid_on_top():
    from vaelab.app.lab.map import CLICK, GRID_SIDE, lab_base, square_domain, with_marks

    points = np.array([[0.0, 0.0], [6.0, 1.0], [3.0, -1.0]], dtype=np.float32)
    (x0, x1), (y0, y1) = square_domain(points, (0.0, 0.0))
    assert x1 - x0 == pytest.approx(y1 - y0)
    assert x0 < -2.0 and x1 > 6.0 and y0 < -2.0 and y1 > 2.0  # the data and the 2σ ring
    base = lab_base(points, None, "en", classes=None, axes=("z₁", "z₂"), prior_centre=(0.0, 0.0))
    assert base["encoding"]["x"]["scale"]["domain"] == [x0, x1]
    grid = base["layer"][-1]
    (click,) = base["params"]
    assert click["name"] == CLICK and click["views"] == [grid["name"]]
    assert len(base["datasets"][grid["data"]["name"]]) == GRID_SIDE**2
    marks = pd.DataFrame([{"x": 1.0, "y": 2.0, "what": "click 1", "shape": "cross"}])
    spec = with_marks(base, None, marks)
    assert len(spec["layer"]) == len(base["layer"]) + 2 and spec["layer"][-1] == grid
    assert spec["layer"][-3]["data"]["values"] == marks.to_dict("records")
    assert len(base["layer"]) == 3  # the cached spec is left alone
