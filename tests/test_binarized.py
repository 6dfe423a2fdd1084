"""Binarised MNIST (Burda et al. 2016): a fixed binarisation of the test set, a fresh one of each
training batch, seeded and reproducible."""

import pytest
import torch

from vaelab.config import ModelConfig, TrainConfig
from vaelab.data import load_dataset
from vaelab.data.binarized import TEST_SEED, DynamicBinarization, binarize, train_transform
from vaelab.models import ConvVAE
from vaelab.runs import RunStore
from vaelab.training.experiment import build_config, train
from vaelab.training.trainer import Trainer


def test_binarize_draws_each_pixel_from_its_grey_level():
    grey = torch.tensor([0, 64, 128, 255], dtype=torch.uint8).repeat(20_000, 1)
    binary = binarize(grey, torch.Generator().manual_seed(3))
    assert binary.dtype == torch.uint8 and set(binary.unique().tolist()) <= {0, 255}
    share_white = (binary == 255).double().mean(dim=0)
    torch.testing.assert_close(share_white, grey[0].double() / 255, atol=0.01, rtol=0)
    assert torch.equal(binary, binarize(grey, torch.Generator().manual_seed(3)))


def test_the_test_set_is_binarised_once_and_the_training_set_stays_grey(tmp_path):
    grey = load_dataset("mnist-5k", tmp_path)
    binary = load_dataset("mnist-5k-binarized", tmp_path)
    assert binary.shape == grey.shape and len(binary.test_x) == len(grey.test_x) == 1000
    expected = binarize(grey.test_x, torch.Generator().manual_seed(TEST_SEED))
    assert torch.equal(binary.test_x, expected)  # the same binary images for every model
    assert torch.equal(binary.train_x, grey.train_x)  # binarised afresh at each use
    assert binary.fingerprint != grey.fingerprint  # so runs on the two never mix
    assert torch.equal(binary.train_y, grey.train_y)


def test_dynamic_binarisation_depends_on_the_seed_and_the_step_only():
    x = torch.rand(64, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    draw = DynamicBinarization(seed=5)
    first = draw(x, 7)
    assert set(first.unique().tolist()) <= {0.0, 1.0}
    assert torch.equal(first, DynamicBinarization(seed=5)(x, 7))  # reproducible, resumable
    assert not torch.equal(first, draw(x, 8))  # a fresh draw at each step
    assert not torch.equal(first, DynamicBinarization(seed=6)(x, 7))
    many = torch.stack([draw(x, step) for step in range(400)])
    torch.testing.assert_close(many.mean(dim=0), x, atol=0.1, rtol=0)


def test_only_the_binarised_datasets_binarise_their_training_batches():
    assert train_transform("mnist-5k", 0) is None
    assert train_transform("some/folder", 0) is None
    assert train_transform("mnist-5k-binarized", 4) == DynamicBinarization(4)
    assert train_transform("mnist-binarized", 4) == DynamicBinarization(4)


def test_the_trainer_feeds_each_training_batch_through_the_transform(tiny_data):
    seen = []

    class Spy(ConvVAE):
        def loss(self, x, generator=None):
            if self.training:
                seen.append(x.clone())
            return super().loss(x, generator)

    model = Spy(ModelConfig(likelihood="bernoulli", latent_dim=2, hidden=(8,), height=12, width=12))
    config = TrainConfig(epochs=1, batch_size=32)
    draw = DynamicBinarization(config.seed)
    Trainer(model, tiny_data.train_x, tiny_data.test_x, config, train_transform=draw).fit()
    assert len(seen) == 3
    assert all(set(x.unique().tolist()) <= {0.0, 1.0} for x in seen)


@pytest.mark.slow
def test_a_bernoulli_vae_trains_on_binarised_mnist_5k(tmp_path):
    data = load_dataset("mnist-5k-binarized", tmp_path / "data")
    config = build_config(
        data, likelihood="bernoulli", latent_dim=4, hidden=(8,), epochs=1, batch_size=500
    )
    outcome = train(config, data, store=RunStore(tmp_path / "runs"), device="cpu")
    assert outcome.run.run_id.startswith("vae-mnist-5k-binarized-z4-")
    # A normalised likelihood of binary images: the test loss is a positive number of nats,
    # below the 784 ln 2 ≈ 543 of a decoder that says ½ everywhere.
    assert 0 < outcome.run.history[-1]["test_loss"] < 784 * 0.6932
