"""What changes during training besides the weights: KL warm-up, free bits, the decoder's σ.

Each is a :class:`~vaelab.training.trainer.Callback` that sets an attribute of the model between
two steps, so that the trainer stays ignorant of VAEs. :func:`training_callbacks` gives those a
run needs.

- **KL warm-up** (Bowman et al., *Generating Sentences from a Continuous Space*, CoNLL 2016;
  Sønderby et al., *Ladder Variational Autoencoders*, NeurIPS 2016): the KL weight grows
  linearly from 0 to β over the first N steps, so that the decoder learns to use the code before
  the KL pulls every posterior to the prior.
- **Free bits** (Kingma et al., *Improved Variational Inference with Inverse Autoregressive
  Flow*, NeurIPS 2016, eq. 15): each latent dimension's KL, averaged over the batch, counts as
  at least λ nats, so that no dimension gains by collapsing to the prior.

While either acts, the training loss is not a β-weighted negative ELBO
(:attr:`vaelab.models.LossOutput.exact`); the model applies them in training mode only, so
the test loss and every metric stay the true ones.

- **The KL of each latent dimension** after each epoch (:class:`KLPerEpoch`), saved in the run,
  shows when dimensions collapse to the prior (see also :mod:`vaelab.metrics.collapse`).
- **The training σ** of a σ-VAE with the optimal σ: its test loss after each epoch uses the mean σ
  of that epoch's training batches (the ``train_sigma`` of the history), not an optimum fitted on
  each test batch, so that it fits nothing on test images.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor

from vaelab.config import TrainConfig
from vaelab.models.likelihoods import gaussian_kl_terms
from vaelab.runs.limits import MAX_LATENT_KL_RECORDS
from vaelab.training.trainer import EVAL_BATCH, Callback, StepState, Trainer, TrainResult

#: Test images whose KL per dimension is recorded after each epoch (the first ones).
KL_IMAGES = 1000
#: Significant digits of the recorded values: a compact ``run.json``.
KL_DIGITS = 4


def warmup_weight(step: int, warmup: int) -> float:
    """Factor of β at a step: ``min(1, step / warmup)``, 1 without warm-up.

    Parameters
    ----------
    step : int
        Optimisation steps done before this one (0 for the first step).
    warmup : int
        Steps of the warm-up; 0 for none.

    Returns
    -------
    float
        In [0, 1].
    """
    return 1.0 if warmup <= 0 else min(1.0, step / warmup)


class KLObjective(Callback):
    """Sets the model's KL warm-up factor and free bits before each step.

    Parameters
    ----------
    config : TrainConfig
        ``kl_warmup`` (steps) and ``free_bits`` (nats per latent dimension).
    """

    def __init__(self, config: TrainConfig) -> None:
        self.warmup = config.kl_warmup
        self.free_bits = config.free_bits

    def _set(self, model: Any, step: int) -> None:
        model.kl_weight = warmup_weight(step, self.warmup)
        model.free_bits = self.free_bits

    def on_train_start(self, trainer: Trainer) -> None:  # noqa: D102
        self._set(trainer.model, trainer.step)

    def on_step_end(self, trainer: Trainer, state: StepState) -> None:  # noqa: D102
        self._set(trainer.model, state.step)

    def on_train_end(self, trainer: Trainer, result: TrainResult) -> None:  # noqa: D102
        trainer.model.kl_weight, trainer.model.free_bits = 1.0, 0.0


class TrainingScale(Callback):
    """Gives an optimal-σ decoder the mean σ of the epoch's training batches for eval mode.

    The trainer's own running sums of the epoch (``partial_sums`` of
    :meth:`~vaelab.training.trainer.Trainer.state_meta`) hold it, so a continued run uses the
    value an uninterrupted one would; the epoch's value is saved as ``train_sigma`` in its
    history record.
    """

    def on_step_end(self, trainer: Trainer, state: StepState) -> None:  # noqa: D102
        meta = trainer.state_meta()
        total, count = meta["partial_sums"].get("sigma"), meta["partial_count"]
        if total is not None and count > 0 and total > 0:
            trainer.model.likelihood.eval_log_scale = math.log(total / count)


def _rounded(values: Tensor) -> list[float]:
    return [float(f"{v:.{KL_DIGITS}g}") for v in values.tolist()]


class KLPerEpoch(Callback):
    """Records the mean KL of each latent dimension on the first test images after each epoch.

    Its ``records`` are saved in the run (``latent_kl``): at most ``MAX_LATENT_KL_RECORDS`` (from
    ``vaelab.runs.limits``) of ``{"epoch": e, "kl": [KL_1, …, KL_D]}``, values in nats to
    :data:`KL_DIGITS` significant digits, so that the record stays small however long the
    training.

    Parameters
    ----------
    records : list of dict, optional
        The records of the run being continued.
    """

    def __init__(self, records: list[dict] | None = None) -> None:
        self.records: list[dict] = [dict(r) for r in records or []]

    def on_epoch_end(self, trainer: Trainer, record: dict[str, float]) -> None:  # noqa: D102
        self.records.append({"epoch": trainer.epochs_done, "kl": _rounded(kl_of(trainer))})
        if len(self.records) > MAX_LATENT_KL_RECORDS:
            # Every other epoch dropped, the last one kept: a spread over the whole training.
            self.records = [*self.records[:-1:2], self.records[-1]]


@torch.inference_mode()
def kl_of(trainer: Trainer) -> Tensor:
    """Mean KL of each latent dimension over the first :data:`KL_IMAGES` test images, ``(D,)``."""
    model = trainer.model
    was_training = model.training
    model.eval()
    images = trainer.test_images[:KL_IMAGES]
    total = None
    for i in range(0, len(images), EVAL_BATCH):
        x = images[i : i + EVAL_BATCH].to(trainer.device).float().div_(255.0)
        mu, logvar = model.encode(x.contiguous(memory_format=trainer.memory_format))
        part = gaussian_kl_terms(mu.double(), logvar.double()).sum(dim=0)
        total = part if total is None else total + part
    model.train(was_training)
    return total.cpu() / len(images)


def training_callbacks(config: TrainConfig, model: Any) -> list[Callback]:
    """The callbacks of this module that a run of ``model`` with ``config`` needs.

    Parameters
    ----------
    config : TrainConfig
        The run's training settings.
    model : ConvVAE
        The model being trained.

    Returns
    -------
    list of Callback
        :class:`KLObjective` when warm-up or free bits act; :class:`TrainingScale` for a decoder
        whose σ is the optimal one.
    """
    callbacks: list[Callback] = []
    if config.kl_warmup or config.free_bits:
        callbacks.append(KLObjective(config))
    likelihood = model.likelihood
    if likelihood.has_scale and not getattr(likelihood, "learned", False):
        callbacks.append(TrainingScale())
    return callbacks
