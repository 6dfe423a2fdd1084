"""The convolutional VAE: every architecture builds, runs, trains and saves."""

import pytest
import torch
from safetensors.torch import load_file, save_file

from vaelab.config import ModelConfig
from vaelab.errors import ConfigError
from vaelab.models import ConvVAE, LossOutput, VAEOutput, feature_sizes
from vaelab.models.likelihoods import LIKELIHOODS, build_likelihood
from vaelab.variants import VARIANTS

SHAPES = [(1, 28, 28), (3, 32, 32), (3, 13, 21), (1, 8, 8)]


@pytest.mark.parametrize("layers", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_every_layer_count_and_size_builds_trains_and_samples(layers, shape):
    c, h, w = shape
    config = ModelConfig(
        hidden=(8, 16, 8, 16, 8)[:layers], latent_dim=3, channels=c, height=h, width=w
    )
    model = ConvVAE(config)
    x = torch.rand(2, c, h, w)
    out = model(x)
    assert isinstance(out, VAEOutput)
    assert out.logits.shape == x.shape
    assert out.mu.shape == out.logvar.shape == out.z.shape == (2, 3)
    loss = model.loss_function(x, out)
    assert isinstance(loss, LossOutput) and loss.loss.shape == ()
    loss.loss.backward()
    assert all(p.grad is not None for p in model.parameters())
    assert model.sample(5).shape == (5, c, h, w)
    assert model.reconstruct(x).shape == x.shape
    # The architecture description ends where it starts: the image shape.
    assert model.describe()[0][1] == model.describe()[-1][1] == shape


def test_feature_maps_shrink_to_one_pixel_and_stay():
    assert feature_sizes(28, 5) == [28, 14, 7, 4, 2, 1]
    assert feature_sizes(8, 5) == [8, 4, 2, 1, 1, 1]


@pytest.mark.parametrize(
    ("variant", "likelihood", "scale"),
    [
        ("vae", "mse", "optimal"),
        ("beta-vae", "l1", "optimal"),
        ("vae", "bernoulli", "optimal"),
        ("sigma-vae", "gaussian", "optimal"),
        ("sigma-vae", "gaussian", "learned"),
        ("sigma-vae", "laplace", "learned"),
        ("vae", "continuous-bernoulli", "optimal"),
        ("beta-vae", "continuous-bernoulli", "optimal"),
        ("sigma-vae", "discretized-gaussian", "optimal"),
        ("sigma-vae", "discretized-logistic", "learned"),
        ("vae", "gaussian-unit", "optimal"),
        ("sigma-vae", "gaussian", "learned-per-pixel"),
    ],
)
def test_loss_reports_its_terms(variant, likelihood, scale):
    beta = 0.5 if variant != "vae" else 1.0
    model = ConvVAE(
        ModelConfig(
            variant=variant,
            likelihood=likelihood,
            scale=scale,
            beta=beta,
            latent_dim=4,
            hidden=(8,),
        )
    )
    x = torch.randint(0, 256, (3, 1, 28, 28)).float() / 255  # 8-bit levels, as in training
    output = model(x, torch.Generator().manual_seed(0))
    out = model.loss_function(x, output)
    torch.testing.assert_close(out.loss, out.recon + beta * out.kl)
    torch.testing.assert_close(out.recon, model.likelihood.nll(x, output.logits)[0].mean())
    # The reconstruction and its error are the decoder's mean, whatever the likelihood.
    torch.testing.assert_close(output.mean, model.likelihood.mean(output.logits))
    torch.testing.assert_close(out.mse, (output.mean - x).square().mean())
    out.loss.backward()
    assert all(torch.isfinite(p.grad).all() for p in model.parameters())
    metrics = out.metrics()
    assert set(metrics) >= {"loss", "recon", "kl", "mse"}
    assert ("sigma" in metrics) == (variant == "sigma-vae")
    assert metrics["kl"] >= 0


def test_decoder_mean_covers_the_pixel_range():
    """The mean is a sigmoid, so 0 and 1 (28 % of MNIST's pixels are exactly 0) are reachable."""
    model = ConvVAE(ModelConfig(latent_dim=2, hidden=(8,)))
    with torch.no_grad():
        model.decoder[-1].bias.fill_(-30.0)
    assert model.decode(torch.zeros(1, 2)).max() < 1e-6
    with torch.no_grad():
        model.decoder[-1].bias.fill_(30.0)
    assert model.decode(torch.zeros(1, 2)).min() > 1 - 1e-6


def test_the_continuous_bernoulli_reconstructs_with_its_mean_not_lambda():
    """Loaiza-Ganem & Cunningham (2019): λ = sigmoid(logits) is not the mean; decode gives it."""
    model = ConvVAE(ModelConfig(likelihood="continuous-bernoulli", latent_dim=2, hidden=(8,)))
    z = torch.randn(5, 2)
    with torch.no_grad():
        logits = model.decode_logits(z)
    reference = torch.distributions.ContinuousBernoulli(logits=logits.double()).mean
    # float32 against float64: 1/(1 − e^{−η}) − 1/η loses ~1e-6 just above the series' range.
    torch.testing.assert_close(model.decode(z).double(), reference, rtol=0, atol=1e-5)
    assert model.reconstruct(torch.rand(2, 1, 28, 28)).shape == (2, 1, 28, 28)


@pytest.mark.parametrize("variant", ["vae", "beta-vae", "sigma-vae"])
def test_each_variant_takes_its_likelihoods_and_refuses_the_others(variant):
    for likelihood in LIKELIHOODS:
        kwargs = {"variant": variant, "likelihood": likelihood, "beta": 1.0}
        if likelihood in VARIANTS[variant].likelihoods:
            assert ConvVAE(ModelConfig(**kwargs, latent_dim=2, hidden=(8,))).likelihood.id == (
                likelihood
            )
        else:
            with pytest.raises(ConfigError, match="does not go with") as refused:
                ModelConfig(**kwargs)
            assert "\n" not in str(refused.value)
    # The σ-VAE takes exactly the likelihoods with a scale of their own.
    scaled = {name for name in LIKELIHOODS if build_likelihood(name).has_scale}
    assert scaled == set(VARIANTS["sigma-vae"].likelihoods)


def test_learned_scale_is_a_model_parameter():
    model = ConvVAE(ModelConfig(variant="sigma-vae", scale="learned", latent_dim=2, hidden=(8,)))
    assert "likelihood.log_scale" in model.state_dict()
    fixed = ConvVAE(ModelConfig(variant="sigma-vae", scale="optimal", latent_dim=2, hidden=(8,)))
    assert "likelihood.log_scale" not in fixed.state_dict()


def test_training_step_changes_weights_and_eval_does_not():
    model = ConvVAE(ModelConfig(latent_dim=2, hidden=(8,)))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    x = torch.rand(4, 1, 28, 28)
    model.reconstruct(x), model.sample(2)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    optimizer = torch.optim.Adam(model.parameters())
    model.loss(x).loss.backward()
    optimizer.step()
    assert any(not torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_save_and_load_give_identical_outputs(tmp_path):
    config = ModelConfig(variant="sigma-vae", scale="learned", latent_dim=4, hidden=(8, 16))
    model = ConvVAE(config)
    save_file(model.state_dict(), tmp_path / "m.safetensors")
    clone = ConvVAE(config)
    clone.load_state_dict(load_file(tmp_path / "m.safetensors"))
    x = torch.rand(2, 1, 28, 28)
    assert torch.equal(model.reconstruct(x), clone.reconstruct(x))
    g1, g2 = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    assert torch.equal(model.sample(3, generator=g1), clone.sample(3, generator=g2))


def test_temperature_scales_the_prior():
    model = ConvVAE(ModelConfig(latent_dim=2, hidden=(8,)))
    g = torch.Generator().manual_seed(0)
    cold = model.sample(4, temperature=0.0, generator=g)
    assert torch.allclose(cold, model.decode(torch.zeros(4, 2)))
