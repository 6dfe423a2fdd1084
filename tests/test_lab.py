"""The latent lab's library side: the live latent map, posteriors of drawn images, the plane."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from vaelab.config import ModelConfig
from vaelab.explore.latent import encode, fit_projection
from vaelab.explore.live_map import LatentTracker
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
