"""A σ-VAE with a discretised decoder learns to use its code on MNIST (issue #14 §1).

With the location squeezed into [0, 1] by a sigmoid, a black or white pixel never got more than
about ½ of the mass at a usable scale, and the decoder learned to ignore its code: the KL fell to
≈ 0 within the first epoch. The unbounded location (:mod:`vaelab.models.likelihoods`) keeps it.
"""

from __future__ import annotations

import pytest

from vaelab.data import load_dataset
from vaelab.runs import RunStore
from vaelab.training.experiment import build_config, train


@pytest.mark.parametrize("likelihood", ["discretized-gaussian", "discretized-logistic"])
def test_a_discretised_sigma_vae_does_not_collapse(likelihood, data_root, tmp_path):
    data = load_dataset("mnist-5k", data_root)
    config = build_config(
        data, variant="sigma-vae", likelihood=likelihood, latent_dim=8, epochs=2, seed=0
    )
    store = RunStore(tmp_path)
    train(config, data, store=store)
    (summary,) = store.list()
    # 0.003 nats with the old sigmoid location; tens of nats once the code is used.
    assert summary.final["test_kl"] > 5.0
    # The reconstructions are the clamped location: images, better than the mean image's 0.11.
    assert summary.final["test_mse"] < 0.08
