"""KL warm-up, free bits and the training σ: what the model minimises, and what it reports."""

import pytest
import torch
from torch import distributions as dist

from vaelab.config import ModelConfig, TrainConfig
from vaelab.models import ConvVAE
from vaelab.runs import RunStore
from vaelab.training.control import TrainingControl
from vaelab.training.experiment import build_config, train
from vaelab.training.schedules import (
    KLObjective,
    TrainingScale,
    training_callbacks,
    warmup_weight,
)
from vaelab.training.trainer import Callback, Trainer

SMALL = {"latent_dim": 3, "hidden": (8,), "batch_size": 32}


def tiny_model(**config):
    torch.manual_seed(0)
    return ConvVAE(ModelConfig(latent_dim=3, hidden=(8,), height=12, width=12, **config))


def test_warmup_weight_grows_linearly_to_one():
    assert [warmup_weight(s, 4) for s in range(6)] == [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    assert warmup_weight(0, 0) == 1.0


def test_warm_up_and_free_bits_change_the_training_loss_only(tiny_data):
    model = tiny_model(variant="beta-vae", beta=0.5)
    x = tiny_data.test_x[:8].float() / 255
    model.kl_weight, model.free_bits = 0.25, 2.0
    out = model.loss_function(x, model(x, torch.Generator().manual_seed(0)))
    # The true terms, against torch.distributions.
    q = dist.Normal(model.encode(x)[0], torch.exp(0.5 * model.encode(x)[1]))
    per_dim = dist.kl_divergence(q, dist.Normal(0.0, 1.0)).mean(dim=0)  # (D,)
    torch.testing.assert_close(out.kl, per_dim.sum())
    # Free bits: each dimension's batch-mean KL counts as at least λ; warm-up scales β.
    objective = per_dim.clamp(min=2.0).sum()
    torch.testing.assert_close(out.loss, out.recon + 0.5 * 0.25 * objective)
    assert not out.exact
    model.eval()  # the test loss is the true β-weighted one
    out = model.loss_function(x, model(x, torch.Generator().manual_seed(0)))
    torch.testing.assert_close(out.loss, out.recon + 0.5 * out.kl)
    assert out.exact


def test_a_dimension_under_its_free_bits_gets_no_kl_gradient(tiny_data):
    model = tiny_model()
    model.free_bits = 1e6  # every dimension below λ: the KL term is a constant
    x = tiny_data.test_x[:8].float() / 255
    mu, logvar = model.encode(x)
    out = model.loss_function(x, model.forward(x))
    kl_grad = torch.autograd.grad(out.loss - out.recon, model.to_posterior.weight)[0]
    assert torch.all(kl_grad == 0) and mu.requires_grad and logvar.requires_grad


def test_the_warm_up_sets_the_kl_weight_of_each_step(tiny_data):
    seen = []

    class Spy(Callback):
        def on_step_end(self, trainer, state):
            seen.append(trainer.model.kl_weight)

    model = tiny_model()
    config = TrainConfig(epochs=2, batch_size=32, kl_warmup=4)
    schedule = KLObjective(config)
    # The weight set after step s is the one step s + 1 uses: 1/4, 2/4, ... then 1.
    Trainer(model, tiny_data.train_x, tiny_data.test_x, config, callbacks=[schedule, Spy()]).fit()
    assert seen == [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]
    assert model.kl_weight == 1.0 and model.free_bits == 0.0  # reset once trained


@pytest.mark.parametrize("clip", [0.0, 0.5])
def test_gradient_clipping_bounds_the_norm_of_every_step(tiny_data, clip):
    norms = []

    def total_norm(model):
        grads = [p.grad.norm() for p in model.parameters() if p.grad is not None]
        return float(torch.linalg.vector_norm(torch.stack(grads)))

    model = tiny_model()
    config = TrainConfig(epochs=1, batch_size=32, grad_clip=clip)
    trainer = Trainer(model, tiny_data.train_x, tiny_data.test_x, config)
    step = trainer.optimizer.step
    trainer.optimizer.step = lambda *a, **k: (norms.append(total_norm(model)), step(*a, **k))
    trainer.fit()
    assert norms
    if clip:  # each step's gradient is at most the norm, and the first is scaled down to it
        assert max(norms) <= clip * (1 + 1e-5) and norms[0] == pytest.approx(clip, rel=1e-5)
    else:  # untouched: the first gradients of a new model are far longer
        assert norms[0] > 10


def test_only_the_callbacks_a_run_needs():
    plain, sigma = tiny_model(), tiny_model(variant="sigma-vae")
    learned = tiny_model(variant="sigma-vae", scale="learned")
    assert training_callbacks(TrainConfig(), plain) == []
    assert [type(c) for c in training_callbacks(TrainConfig(free_bits=0.5), plain)] == [KLObjective]
    assert [type(c) for c in training_callbacks(TrainConfig(), sigma)] == [TrainingScale]
    assert training_callbacks(TrainConfig(), learned) == []


def test_the_test_loss_of_an_optimal_sigma_uses_the_training_sigma(tiny_data, tmp_path):
    config = build_config(tiny_data, variant="sigma-vae", epochs=2, **SMALL)
    outcome = train(config, tiny_data, store=RunStore(tmp_path), device="cpu")
    for record in outcome.run.history:
        # The σ of the test loss is the mean σ of the epoch's training batches, not a fit on
        # the test images.
        assert record["test_sigma"] == pytest.approx(record["train_sigma"], rel=1e-6)


def test_kl_per_dimension_is_saved_after_each_epoch_and_continued(tiny_data, tmp_path):
    store = RunStore(tmp_path)
    config = build_config(tiny_data, epochs=1, kl_warmup=3, free_bits=0.1, **SMALL)
    first = train(config, tiny_data, store=store, device="cpu")
    assert [r["epoch"] for r in first.run.latent_kl] == [1]
    assert len(first.run.latent_kl[0]["kl"]) == 3
    continued = train(config.with_epochs(2), tiny_data, store=store, device="cpu")
    latent_kl = store.load(config.run_id).latent_kl
    assert (
        [r["epoch"] for r in latent_kl] == [1, 2] == [r["epoch"] for r in continued.run.latent_kl]
    )
    # The record of the last epoch is the KL of the test images under the saved model.
    mu, logvar = continued.model.encode(tiny_data.test_x.float() / 255)
    per_dim = dist.kl_divergence(
        dist.Normal(mu, torch.exp(0.5 * logvar)), dist.Normal(0.0, 1.0)
    ).mean(dim=0)
    torch.testing.assert_close(
        torch.tensor(latent_kl[-1]["kl"]), per_dim.detach(), rtol=1e-3, atol=1e-6
    )
    # The test loss is the true one even while warm-up and free bits act.
    last = continued.run.history[-1]
    assert last["test_loss"] == pytest.approx(last["test_recon"] + last["test_kl"], rel=1e-6)


def test_a_stopped_optimal_sigma_run_continues_as_an_uninterrupted_one(tiny_data, tmp_path):
    control = TrainingControl()

    class StopAtStep(Callback):
        def on_step_end(self, trainer, state):
            if state.step == 2:
                control.stop()

    config = build_config(tiny_data, variant="sigma-vae", epochs=1, kl_warmup=5, **SMALL)
    store = RunStore(tmp_path / "a")
    train(config, tiny_data, store=store, device="cpu", control=control, callbacks=[StopAtStep()])
    continued = train(config, tiny_data, store=store, device="cpu")
    straight = train(config, tiny_data, store=RunStore(tmp_path / "b"), device="cpu")
    assert continued.run.history == [
        {**r, "time": c["time"], "images_per_second": c["images_per_second"]}
        for r, c in zip(straight.run.history, continued.run.history, strict=True)
    ]


def test_vaelab_train_takes_the_warm_up_and_free_bits_and_says_the_loss_is_not_exact(
    tiny_npz, tmp_path, capsys
):
    from vaelab.cli import main

    args = ["train", "--dataset", str(tiny_npz), "--latent", "2", "--hidden", "8", "--epochs", "1"]
    runs = tmp_path / "runs"
    options = ["--kl-warmup", "10", "--free-bits", "0.25", "--grad-clip", "2"]
    assert main([*args, *options, "--runs-dir", str(runs)]) == 0
    assert "not an exact ELBO" in capsys.readouterr().err
    (run,) = RunStore(runs).list()
    train = run.config.train
    assert (train.kl_warmup, train.free_bits, train.grad_clip) == (10, 0.25, 2.0)
