"""Configs refuse what is not allowed, with messages that say what is."""

import pytest

from vaelab.config import DataConfig, ModelConfig, RunConfig, TrainConfig
from vaelab.errors import ConfigError


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"variant": "gan"}, "unknown model 'gan'; choose one of: vae, beta-vae, sigma-vae"),
        ({"latent_dim": 0}, "latent size must be from 2 to 512, got 0"),
        ({"latent_dim": 2.5}, "latent size must be a whole number"),
        ({"hidden": (8,) * 7}, "1 to 5 convolutional layers, got 7"),
        ({"hidden": ()}, "1 to 5 convolutional layers, got 0"),
        ({"hidden": (4, 32)}, "each layer width must be from 8 to 512, got 4"),
        ({"variant": "beta-vae", "beta": -1.0}, "β must be from 0 to 10 for β-VAE"),
        ({"variant": "sigma-vae", "beta": 0.0}, "β must be from 1e-05 to 10 for σ-VAE"),
        ({"variant": "vae", "beta": 4.0}, "the original VAE has β = 1"),
        ({"variant": "vae", "likelihood": "gaussian"}, "does not go with VAE"),
        ({"variant": "sigma-vae", "likelihood": "mse"}, "does not go with σ-VAE"),
        ({"scale": "magic"}, "decoder scale must be one of: optimal, learned"),
        ({"channels": 4}, "1 or 3 channels, got 4"),
        ({"height": 7}, "image height must be from 8 to 256, got 7"),
    ],
)
def test_bad_model_settings_get_a_one_line_message(kwargs, message):
    with pytest.raises(ConfigError, match=None) as info:
        ModelConfig(**kwargs)
    text = str(info.value)
    assert message in text and "\n" not in text


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epochs": 0}, "epochs must be from 1 to 1000"),
        ({"batch_size": 0}, "batch size must be from 1 to 4096"),
        ({"lr": 0.0}, "learning rate must be in (0, 1]"),
        ({"seed": -1}, "seed must be from 0"),
    ],
)
def test_bad_training_settings(kwargs, message):
    with pytest.raises(ConfigError) as info:
        TrainConfig(**kwargs)
    assert message in str(info.value)


def test_defaults_follow_the_variant():
    assert ModelConfig(variant="sigma-vae").likelihood == "gaussian"
    assert ModelConfig(variant="beta-vae").likelihood == "mse"
    # The scale means nothing without a calibrated decoder, so it cannot split the cache.
    assert ModelConfig(scale="learned") == ModelConfig()


def test_run_id_covers_every_setting_but_the_epochs():
    base = RunConfig(data=DataConfig("mnist-5k", "abc"))
    assert base.run_id.startswith("vae-mnist-5k-z128-")
    assert base.with_epochs(40).run_id == base.run_id
    changes = [
        RunConfig(model=ModelConfig(latent_dim=64), data=base.data),
        RunConfig(data=DataConfig("mnist-5k", "abd")),
        RunConfig(data=base.data, train=TrainConfig(batch_size=128)),
        RunConfig(data=base.data, train=TrainConfig(seed=1)),
        RunConfig(data=base.data, train=TrainConfig(lr=2e-3)),
        RunConfig(data=base.data, train=TrainConfig(kl_warmup=100)),
        RunConfig(data=base.data, train=TrainConfig(free_bits=0.5)),
        RunConfig(data=base.data, train=TrainConfig(grad_clip=1.0)),
    ]
    assert len({c.run_id for c in changes} | {base.run_id}) == len(changes) + 1


def test_settings_added_later_keep_the_ids_of_earlier_runs():
    # Ids computed before KL warm-up and free bits existed: at their defaults they stay out.
    assert RunConfig().run_id == "vae-mnist-z128-6e61967cbb"
    assert RunConfig(data=DataConfig("mnist-5k", "abc")).run_id == "vae-mnist-5k-z128-4ee56a2942"
    assert not {"kl_warmup", "grad_clip"} & set(RunConfig().identity()["train"])
    # A run.json saved before them reads back with their defaults.
    saved = RunConfig().to_dict()
    del saved["train"]["kl_warmup"], saved["train"]["free_bits"], saved["train"]["grad_clip"]
    assert RunConfig.from_dict(saved) == RunConfig()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kl_warmup": -1}, "KL warm-up steps must be from 0"),
        ({"kl_warmup": 1.5}, "KL warm-up steps must be a whole number"),
        ({"free_bits": -0.1}, "free bits must be a number of nats from 0 to 10 "),
        ({"free_bits": float("nan")}, "free bits must be"),
        ({"free_bits": True}, "free bits must be"),
        ({"grad_clip": -1.0}, "gradient clipping must be a norm from 0 to 1000"),
        ({"grad_clip": 1e4}, "gradient clipping must be a norm from 0 to 1000"),
        ({"grad_clip": float("nan")}, "gradient clipping must be"),
        ({"grad_clip": "1"}, "gradient clipping must be"),
    ],
)
def test_bad_objective_settings(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        TrainConfig(**kwargs)


def test_config_round_trips_through_json_and_refuses_junk():
    config = RunConfig(model=ModelConfig(variant="sigma-vae", hidden=(16, 32, 64), beta=0.1))
    assert RunConfig.from_dict(config.to_dict()) == config
    bad = config.to_dict()
    bad["model"]["latent_dim"] = 9999
    with pytest.raises(ConfigError, match="latent size"):
        RunConfig.from_dict(bad)
    bad = config.to_dict()
    bad["train"]["momentum"] = 0.9
    with pytest.raises(ConfigError, match="unknown train setting"):
        RunConfig.from_dict(bad)
    with pytest.raises(ConfigError, match="no 'data' section"):
        RunConfig.from_dict({"model": {}, "train": {}})
