"""A small, fast training loop that knows nothing about VAEs or Streamlit.

The model only has to provide ``loss(x, generator)`` returning an object with a scalar ``loss``
tensor and a ``metrics()`` dict of floats, and ``reconstruct(x)`` for the fixed batch. Progress
bars, live plots and logging are :class:`Callback` objects handed to the :class:`Trainer`.

Speed comes from keeping the images resident as one uint8 tensor on the device, drawing batches
from a permutation (no per-item Python, no DataLoader), channels-last convolutions, and evaluating
under inference mode. On the CPU, a third more comes from an allocator that keeps freed memory
instead of page-faulting it back every step; that is a setting of the whole process, so the trainer
leaves it to the program that hosts it (:func:`~vaelab.training.memory.retain_freed_memory`, which
the command line and the app call). Two seeded generators (batch order, sampling noise) make a run
reproducible, and their states are saved so that a stopped run continues exactly where it was.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import torch
from torch import Tensor, nn

from vaelab.config import TrainConfig
from vaelab.errors import TrainingError

#: Images per forward pass when evaluating the test set.
EVAL_BATCH = 500


class TrainableModel(Protocol):
    """What the trainer needs from a model."""

    def loss(self, x: Tensor, generator: torch.Generator | None = None) -> Any: ...  # noqa: D102

    def reconstruct(self, x: Tensor) -> Tensor: ...  # noqa: D102


@dataclass
class StepState:
    """Progress after one optimisation step, handed to :meth:`Callback.on_step_end`."""

    epoch: int  #: 1-based epoch in progress
    epochs: int  #: epoch the training goes to
    step: int  #: steps done since the run began
    step_in_epoch: int  #: steps done in this epoch
    steps_per_epoch: int
    metrics: dict[str, float]  #: the step's loss terms
    elapsed: float  #: seconds spent training in this call
    eta: float  #: estimated seconds left
    images_per_second: float

    @property
    def fraction(self) -> float:
        """Fraction of the whole training done, in [0, 1]."""
        total = self.epochs * self.steps_per_epoch
        done = (self.epoch - 1) * self.steps_per_epoch + self.step_in_epoch
        return min(done / total, 1.0) if total else 1.0


@dataclass
class TrainResult:
    """What :meth:`Trainer.fit` returns."""

    status: str  #: ``"complete"`` or ``"stopped"``
    epochs_done: int
    history: list[dict[str, float]] = field(default_factory=list)


class Callback:
    """Hooks called by the :class:`Trainer`; override the ones you need."""

    def on_train_start(self, trainer: Trainer) -> None:
        """Called once before the first step."""

    def on_step_end(self, trainer: Trainer, state: StepState) -> None:
        """Called after every optimisation step."""

    def on_epoch_end(self, trainer: Trainer, record: dict[str, float]) -> None:
        """Called after each epoch with its history record (train and test metrics)."""

    def on_train_end(self, trainer: Trainer, result: TrainResult) -> None:
        """Called once when training completes or is stopped."""


def _generator(seed: int, device: torch.device | str = "cpu") -> torch.Generator:
    g = torch.Generator(device=device)
    g.manual_seed(seed)
    return g


class Trainer:
    """Adam on a model, over images held in memory.

    Parameters
    ----------
    model : nn.Module
        A model following :class:`TrainableModel`; moved to ``device``.
    train_images, test_images : Tensor
        uint8 images ``(N, C, H, W)``; scaled to [0, 1] batch by batch.
    config : TrainConfig
        Epochs, batch size, learning rate and seed.
    device : torch.device, optional
        Where to train; the CPU by default.
    callbacks : iterable of Callback
        Progress, logging, live plots.
    stop_event : threading.Event, optional
        Set it (from any thread) to stop between two steps; the run can be continued.
    fixed_batch_size : int
        Number of test images reconstructed after each epoch (:attr:`fixed_batch`).
    """

    def __init__(
        self,
        model: nn.Module,
        train_images: Tensor,
        test_images: Tensor,
        config: TrainConfig,
        *,
        device: torch.device | str = "cpu",
        callbacks: Iterable[Callback] = (),
        stop_event: threading.Event | None = None,
        fixed_batch_size: int = 16,
    ) -> None:
        if train_images.dtype != torch.uint8 or test_images.dtype != torch.uint8:
            raise TypeError("train_images and test_images must be uint8 tensors")
        if len(train_images) == 0 or len(test_images) == 0:
            raise TrainingError("training needs at least one training and one test image")
        self.device = torch.device(device)
        self.config = config
        # Channels-last lets oneDNN/cuDNN pick their fastest convolutions; results are unchanged.
        self.memory_format = torch.channels_last
        self.model = model.to(self.device, memory_format=self.memory_format)
        self.train_images = train_images.to(self.device)
        self.test_images = test_images.to(self.device)
        self.callbacks = list(callbacks)
        #: Set it from any thread to stop training between two steps.
        self.stop_event = stop_event or threading.Event()
        #: The first test images, as model inputs, reconstructed for progress displays.
        self.fixed_batch = self._as_input(self.test_images[:fixed_batch_size])
        # One fused kernel per step instead of a dozen passes over the parameters (CPU, CUDA).
        fused = self.device.type in ("cpu", "cuda")
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=config.lr, fused=fused)

        self.history: list[dict[str, float]] = []
        self.epochs_done = 0
        self.step = 0
        self.step_in_epoch = 0
        self.order_rng = _generator(config.seed)
        self.noise_rng = _generator(config.seed + 1, self.device)
        self._epoch_order_state = self.order_rng.get_state()
        self._epoch_sums: dict[str, float] = {}
        self._epoch_count = 0
        self._epoch_time = 0.0
        #: Seconds spent in optimisation steps since the run began, across continuations.
        self.train_time = 0.0

    # -- data ------------------------------------------------------------------------------

    @property
    def steps_per_epoch(self) -> int:
        """Optimisation steps in one pass over the training images (the last batch may be short)."""
        return math.ceil(len(self.train_images) / self.config.batch_size)

    def _as_input(self, images: Tensor) -> Tensor:
        # uint8 (B, C, H, W) -> float in [0, 1], channels-last
        x = images.to(self.device, non_blocking=True).float().div_(255.0)
        return x.contiguous(memory_format=self.memory_format)

    # -- training --------------------------------------------------------------------------

    def fit(self, epochs: int | None = None) -> TrainResult:
        """Train until ``epochs`` epochs are done in total (default: ``config.epochs``).

        Returns early, with status ``"stopped"``, when :attr:`stop_event` is set.

        Raises
        ------
        TrainingError
            If the loss becomes NaN or infinite; the weights keep their last finite values.
        """
        target = epochs or self.config.epochs
        for cb in self.callbacks:
            cb.on_train_start(self)
        start = time.perf_counter()
        start_step = self.step
        seen = 0
        session_time = 0.0
        status = "complete"
        bs = self.config.batch_size
        n = len(self.train_images)
        while self.epochs_done < target:
            # The batch order of an epoch is drawn from the generator state saved at its start,
            # so a run stopped mid-epoch resumes on the very same permutation.
            self.order_rng.set_state(self._epoch_order_state)
            order = torch.randperm(n, generator=self.order_rng).to(self.device)
            self.model.train()
            while self.step_in_epoch < self.steps_per_epoch:
                if self.stop_event.is_set():
                    status = "stopped"
                    break
                tick = time.perf_counter()
                index = order[self.step_in_epoch * bs : (self.step_in_epoch + 1) * bs]
                metrics = self._train_step(self._as_input(self.train_images[index]))
                step_time = time.perf_counter() - tick
                self._accumulate(metrics, len(index), step_time)
                seen += len(index)
                session_time += step_time
                self.step += 1
                self.step_in_epoch += 1
                elapsed = time.perf_counter() - start
                steps_left = (target - self.epochs_done) * self.steps_per_epoch - self.step_in_epoch
                per_step = elapsed / max(self.step - start_step, 1)
                state = StepState(
                    epoch=self.epochs_done + 1,
                    epochs=target,
                    step=self.step,
                    step_in_epoch=self.step_in_epoch,
                    steps_per_epoch=self.steps_per_epoch,
                    metrics=metrics,
                    elapsed=elapsed,
                    eta=steps_left * per_step,
                    images_per_second=seen / session_time if session_time > 0 else 0.0,
                )
                for cb in self.callbacks:
                    cb.on_step_end(self, state)
            if status == "stopped":
                break
            self._end_epoch()
        result = TrainResult(status=status, epochs_done=self.epochs_done, history=self.history)
        for cb in self.callbacks:
            cb.on_train_end(self, result)
        return result

    def _train_step(self, x: Tensor) -> dict[str, float]:
        out = self.model.loss(x, self.noise_rng)
        metrics = out.metrics()
        if not math.isfinite(metrics["loss"]):
            raise TrainingError(
                f"the loss became {metrics['loss']} at step {self.step + 1} "
                f"(epoch {self.epochs_done + 1}); the learning rate ({self.config.lr:g}) is "
                "probably too high for this model: lower it, or raise β"
            )
        self.optimizer.zero_grad(set_to_none=True)
        out.loss.backward()
        self.optimizer.step()
        return metrics

    def _accumulate(self, metrics: dict[str, float], count: int, seconds: float) -> None:
        for name, value in metrics.items():
            self._epoch_sums[name] = self._epoch_sums.get(name, 0.0) + value * count
        self._epoch_count += count
        self._epoch_time += seconds
        self.train_time += seconds

    def _end_epoch(self) -> None:
        record: dict[str, float] = {"epoch": self.epochs_done + 1}
        record |= {f"train_{k}": v / self._epoch_count for k, v in self._epoch_sums.items()}
        record |= {f"test_{k}": v for k, v in self.evaluate().items()}
        record["time"] = self.train_time
        record["images_per_second"] = self._epoch_count / max(self._epoch_time, 1e-9)
        self.history.append(record)
        self.epochs_done += 1
        self.step_in_epoch = 0
        self._epoch_sums, self._epoch_count, self._epoch_time = {}, 0, 0.0
        self._epoch_order_state = self.order_rng.get_state()
        for cb in self.callbacks:
            cb.on_epoch_end(self, record)

    @torch.inference_mode()
    def evaluate(self, images: Tensor | None = None) -> dict[str, float]:
        """Mean loss terms over ``images`` (default: the test set), with fixed sampling noise."""
        images = self.test_images if images is None else images
        was_training = self.model.training
        self.model.eval()
        noise = _generator(self.config.seed + 2, self.device)
        sums: dict[str, float] = {}
        for i in range(0, len(images), EVAL_BATCH):
            batch = images[i : i + EVAL_BATCH]
            out = self.model.loss(self._as_input(batch), noise)
            for name, value in out.metrics().items():
                sums[name] = sums.get(name, 0.0) + value * len(batch)
        self.model.train(was_training)
        return {name: value / len(images) for name, value in sums.items()}

    @torch.inference_mode()
    def reconstruct_fixed_batch(self) -> Tensor:
        """Reconstructions of :attr:`fixed_batch`, on the CPU, in [0, 1]."""
        was_training = self.model.training
        self.model.eval()
        images = self.model.reconstruct(self.fixed_batch)
        self.model.train(was_training)
        return images.float().cpu().contiguous()

    # -- saving and resuming ----------------------------------------------------------------

    def state_tensors(self) -> dict[str, Tensor]:
        """Optimizer moments and generator states, as named CPU tensors (safetensors-ready)."""
        tensors: dict[str, Tensor] = {
            "rng.order": self._epoch_order_state.clone(),
            "rng.noise": self.noise_rng.get_state().clone(),
        }
        for index, state in self.optimizer.state_dict()["state"].items():
            for key, value in state.items():
                value = torch.as_tensor(value)
                tensors[f"optim.{index}.{key}"] = value.detach().cpu().contiguous().clone()
        return tensors

    def state_meta(self) -> dict[str, Any]:
        """Counters needed to resume, JSON-ready."""
        return {
            "epochs_done": self.epochs_done,
            "step": self.step,
            "step_in_epoch": self.step_in_epoch,
            "train_time": self.train_time,
            "partial_count": self._epoch_count,
            "partial_time": self._epoch_time,
            "partial_sums": dict(self._epoch_sums),
        }

    def load_state(
        self,
        tensors: dict[str, Tensor],
        meta: dict[str, Any],
        history: Sequence[dict[str, float]],
    ) -> None:
        """Resume from :meth:`state_tensors`, :meth:`state_meta` and the run's history."""
        self._epoch_order_state = tensors["rng.order"].clone()
        self.noise_rng.set_state(tensors["rng.noise"].clone())
        params = [p for group in self.optimizer.param_groups for p in group["params"]]
        state: dict[int, dict[str, Tensor]] = {}
        for name, value in tensors.items():
            if name.startswith("optim."):
                _, index, key = name.split(".", 2)
                param = params[int(index)]
                if value.shape == param.shape:
                    # Moments are saved contiguous; the fused Adam kernel walks a moment's memory
                    # in its parameter's order, so give it the parameter's (channels-last) layout.
                    value = torch.empty_like(param).copy_(value)
                state.setdefault(int(index), {})[key] = value
        optim_state = self.optimizer.state_dict()
        optim_state["state"] = state
        self.optimizer.load_state_dict(optim_state)
        self.history = [dict(r) for r in history]
        self.epochs_done = int(meta["epochs_done"])
        self.step = int(meta["step"])
        self.step_in_epoch = int(meta["step_in_epoch"])
        self.train_time = float(meta.get("train_time", 0.0))
        self._epoch_count = int(meta.get("partial_count", 0))
        self._epoch_time = float(meta.get("partial_time", 0.0))
        self._epoch_sums = {k: float(v) for k, v in meta.get("partial_sums", {}).items()}
