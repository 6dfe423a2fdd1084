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
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import torch
from torch import Tensor, nn

from vaelab.config import TrainConfig
from vaelab.errors import RunError, TrainingError
from vaelab.training.control import TrainingControl
from vaelab.training.curve import LossCurve
from vaelab.training.device import autocast, fast_math, memory_format_for
from vaelab.training.distributed import Distributed

#: Images per forward pass when evaluating the test set.
EVAL_BATCH = 500

#: Names, in :meth:`Trainer.state_tensors`, of the batch-order and sampling-noise generator states.
ORDER_RNG, NOISE_RNG = "rng.order", "rng.noise"
#: Adam's state of one parameter, saved as ``optim.<parameter index>.<name>``.
ADAM_STATE = ("step", "exp_avg", "exp_avg_sq")
#: Counters of :meth:`Trainer.state_meta`.
META_KEYS = (
    "epochs_done",
    "step",
    "step_in_epoch",
    "train_time",
    "partial_count",
    "partial_time",
    "partial_sums",
)
#: Largest step count or image count a saved state may hold.
MAX_COUNT = 2**53
_ADAM_KEY = re.compile(r"optim\.(0|[1-9][0-9]{0,5})\.(" + "|".join(ADAM_STATE) + ")")
# Size of a CPU generator's state: the batch order's, and the largest any device's has.
_CPU_RNG_BYTES = torch.Generator().get_state().numel()
# Bytes of one Adam step counter (a float32 scalar; room for a float64 one).
_STEP_BYTES = 8


class TrainableModel(Protocol):
    """What the trainer needs from a model."""

    def loss(self, x: Tensor, generator: torch.Generator | None = None) -> Any: ...  # noqa: D102

    def reconstruct(self, x: Tensor) -> Tensor: ...  # noqa: D102


class _LossOf(nn.Module):
    """A model whose forward is its loss, so that DistributedDataParallel sees each step."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: Tensor, generator: torch.Generator) -> Any:
        return self.model.loss(x, generator)


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
    control : TrainingControl, optional
        Stop, pause, resume or step the training from any thread, between two steps; a stopped
        run can be continued.
    fixed_batch_size : int
        Number of test images reconstructed after each epoch (:attr:`fixed_batch`).
    train_transform : callable, optional
        ``(x, step) -> x`` applied to each training batch (in [0, 1]) before the step, such as
        the dynamic binarisation of :mod:`vaelab.data.binarized`; it must depend on the step
        only, so that a continued run draws what an uninterrupted one would.
    distributed : Distributed, optional
        This process's rank when several train the run together (``torchrun``, see
        :mod:`vaelab.training.distributed`): each trains on its shard of every batch.
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
        control: TrainingControl | None = None,
        fixed_batch_size: int = 16,
        train_transform: Callable[[Tensor, int], Tensor] | None = None,
        distributed: Distributed | None = None,
    ) -> None:
        if train_images.dtype != torch.uint8 or test_images.dtype != torch.uint8:
            raise TypeError("train_images and test_images must be uint8 tensors")
        if len(train_images) == 0 or len(test_images) == 0:
            raise TrainingError("training needs at least one training and one test image")
        self.device = torch.device(device)
        self.config = config
        # Channels-last lets oneDNN/cuDNN pick their fastest convolutions; results are unchanged.
        self.memory_format = memory_format_for(self.device)
        self.model = model.to(self.device, memory_format=self.memory_format)
        self.train_images = train_images.to(self.device)
        self.test_images = test_images.to(self.device)
        self.callbacks = list(callbacks)
        #: Stops, pauses and steps the training from any thread, between two steps.
        self.control = control or TrainingControl()
        #: The first test images, as model inputs, reconstructed for progress displays.
        self.fixed_batch = self._as_input(self.test_images[:fixed_batch_size])
        self.train_transform = train_transform
        self.distributed = distributed
        # One fused kernel per step instead of a dozen passes over the parameters (CPU, CUDA).
        fused = self.device.type in ("cpu", "cuda")
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=config.lr, fused=fused)
        # Under torchrun, DistributedDataParallel averages the ranks' gradients in backward.
        self._loss = self.model.loss
        if distributed is not None:
            self._loss = distributed.wrap(_LossOf(self.model), self.device)

        self.history: list[dict[str, float]] = []
        #: The loss terms step by step, thinned to a bounded number of points.
        self.curve = LossCurve()
        self.epochs_done = 0
        self.step = 0
        self.step_in_epoch = 0
        self.order_rng = _generator(config.seed)
        self.noise_rng = _generator(self._noise_seed(), self.device)
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

        Returns early, with status ``"stopped"``, when :attr:`control` is stopped. Time spent
        paused counts in neither the elapsed time, the ETA nor the images per second.

        Raises
        ------
        TrainingError
            If the loss becomes NaN or infinite; the weights keep their last finite values.
        """
        with fast_math(self.device):
            return self._fit(epochs or self.config.epochs)

    def _fit(self, target: int) -> TrainResult:
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
                held = time.perf_counter()
                go = self.control.wait_to_step()
                if self.distributed is not None:
                    # Every rank stops at the same step when any one is stopped (Ctrl-C).
                    go = not self.distributed.any_stopped(not go, self.device)
                tick = time.perf_counter()
                # A pause is not training time: move the start forward by the time held.
                start += tick - held
                if not go:
                    status = "stopped"
                    break
                index = order[self.step_in_epoch * bs : (self.step_in_epoch + 1) * bs]
                metrics = self._train_step(index)
                step_time = time.perf_counter() - tick
                self._accumulate(metrics, len(index), step_time)
                seen += len(index)
                session_time += step_time
                self.step += 1
                self.step_in_epoch += 1
                self.curve.add(self.step, metrics)
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

    def _train_step(self, index: Tensor) -> dict[str, float]:
        """One step on the images ``index`` (this rank's shard of them under torchrun)."""
        total, shard, weight = len(index), index, 1.0
        if self.distributed is not None:
            shard = self.distributed.shard(index)
            # Weighted by its share, each rank's loss makes DDP's mean gradient the batch's.
            weight = len(shard) * self.distributed.world_size / total
        # A rank left without images by a short last batch still takes part, with weight 0.
        x = self._as_input(self.train_images[shard if len(shard) else index[:1]])
        if self.train_transform is not None:
            x = self.train_transform(x, self.step)
        with autocast(self.device, self.config.precision):
            out = self._loss(x, self.noise_rng)
        metrics = out.metrics()
        if self.distributed is not None:
            metrics = self.distributed.mean(metrics, len(shard), total, self.device)
        if not math.isfinite(metrics["loss"]):
            raise TrainingError(
                f"the loss became {metrics['loss']} at step {self.step + 1} "
                f"(epoch {self.epochs_done + 1}); the learning rate ({self.config.lr:g}) is "
                "probably too high for this model: lower it, or raise β"
            )
        self.optimizer.zero_grad(set_to_none=True)
        (out.loss if weight == 1.0 else out.loss * weight).backward()
        if self.config.grad_clip:
            # After DDP's all-reduce: every rank scales the same mean gradient alike.
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.config.grad_clip)
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
            with autocast(self.device, self.config.precision):
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

    def _noise_seed(self) -> int:
        """The sampling noise's seed: the run's, or under torchrun a rank's own past rank 0."""
        seed = self.config.seed + 1
        if self.distributed is None or self.distributed.is_main:
            return seed
        return self.distributed.noise_seed(seed, self.step)

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
        curve: Sequence[Mapping[str, float]] = (),
    ) -> None:
        """Resume from :meth:`state_tensors`, :meth:`state_meta`, the run's history and curve.

        Raises
        ------
        RunError
            If the state does not fit this trainer (see :func:`check_state`), its step within
            the epoch is past this data's epoch, or its noise generator state was saved on
            another kind of device. Nothing is changed then.
        """
        params = [p for group in self.optimizer.param_groups for p in group["params"]]
        check_state(tensors, meta, params, len(history))
        step_in_epoch, count = meta["step_in_epoch"], meta["partial_count"]
        if step_in_epoch >= self.steps_per_epoch or count > step_in_epoch * self.config.batch_size:
            raise RunError(
                f"invalid trainer state: {step_in_epoch} steps and {count} images into an epoch "
                f"of {self.steps_per_epoch} steps of {self.config.batch_size} images"
            )
        noise = tensors[NOISE_RNG]
        try:
            _generator(0, self.device).set_state(noise)
        except RuntimeError:
            raise RunError(
                f"invalid trainer state: its noise generator state ({noise.numel()} bytes) does "
                f"not fit a {self.device.type} generator; continue the run on the kind of device "
                "it was trained on"
            ) from None
        self._epoch_order_state = tensors[ORDER_RNG].clone()
        self.noise_rng.set_state(noise.clone())
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
        self.curve = LossCurve(curve)
        self.epochs_done = int(meta["epochs_done"])
        self.step = int(meta["step"])
        self.step_in_epoch = int(meta["step_in_epoch"])
        if self.distributed is not None and not self.distributed.is_main:
            # Only rank 0's noise is saved; the others start theirs again from this step.
            self.noise_rng.manual_seed(self._noise_seed())
        self.train_time = float(meta["train_time"])
        self._epoch_count = int(meta["partial_count"])
        self._epoch_time = float(meta["partial_time"])
        self._epoch_sums = {k: float(v) for k, v in meta["partial_sums"].items()}


def check_state(
    tensors: Mapping[str, Tensor],
    meta: Mapping[str, Any],
    params: Sequence[Tensor],
    epochs_done: int,
) -> None:
    """Check a saved trainer state against what :meth:`Trainer.state_tensors` writes.

    What can be checked without the data and the device: the generator states, Adam's state of
    each parameter (its step, and moments of the parameter's shape and dtype, finite), and the
    counters of :meth:`Trainer.state_meta`. :meth:`Trainer.load_state` checks the rest.

    Parameters
    ----------
    tensors : mapping of str to Tensor
        The state's tensors.
    meta : mapping
        The state's counters.
    params : sequence of Tensor
        The parameters of the model, in the optimiser's order.
    epochs_done : int
        Epochs the run has finished (its number of history records).

    Raises
    ------
    RunError
        Naming the first entry that is missing, unexpected or wrong, and what it should be.
    """
    check_meta(meta, epochs_done)
    adam: dict[int, dict[str, Tensor]] = {}
    for name, value in tensors.items():
        if name in (ORDER_RNG, NOISE_RNG):
            continue
        match = _ADAM_KEY.fullmatch(name)
        if match is None:
            raise _invalid(f"unexpected entry {name[:80]!r}")
        index = int(match[1])
        if index >= len(params):
            raise _invalid(f"{name} is for parameter {index} of a model that has {len(params)}")
        adam.setdefault(index, {})[match[2]] = value
    _check_generators(tensors)
    for index, state in sorted(adam.items()):
        missing = [key for key in ADAM_STATE if key not in state]
        if missing:
            raise _invalid(f"optim.{index}.{missing[0]} is missing")
        _check_adam(index, state, params[index], meta["step"])


def max_state_bytes(params: Sequence[Tensor]) -> int:
    """The most bytes of tensors :meth:`Trainer.state_tensors` holds for a model's parameters.

    Parameters
    ----------
    params : sequence of Tensor
        The parameters (on any device, ``meta`` included).

    Returns
    -------
    int
        Two generator states and, per parameter, Adam's two moments and its step.
    """
    moments = sum(2 * p.numel() * p.element_size() + _STEP_BYTES for p in params)
    return 2 * _CPU_RNG_BYTES + moments


def _invalid(what: str) -> RunError:
    return RunError(f"invalid trainer state: {what}")


def _check_generators(tensors: Mapping[str, Tensor]) -> None:
    for name in (ORDER_RNG, NOISE_RNG):
        value = tensors.get(name)
        if value is None:
            raise _invalid(f"{name} is missing")
        # The noise generator lives on the training device, whose state may be smaller.
        sizes = f"{_CPU_RNG_BYTES}" if name == ORDER_RNG else f"1 to {_CPU_RNG_BYTES}"
        wrong_size = value.numel() != _CPU_RNG_BYTES if name == ORDER_RNG else value.numel() == 0
        if value.dtype != torch.uint8 or value.ndim != 1 or wrong_size or value.numel() > 2**16:
            raise _invalid(
                f"{name} must be a generator state ({sizes} bytes of uint8), "
                f"got {value.dtype} {tuple(value.shape)}"
            )
        if value.numel() == _CPU_RNG_BYTES:
            try:
                torch.Generator().set_state(value)
            except RuntimeError as exc:
                raise _invalid(f"{name} is not a valid generator state ({exc})") from None
        elif value.numel() > _CPU_RNG_BYTES:
            raise _invalid(f"{name} has {value.numel()} bytes; a generator state has {sizes}")


def _check_adam(index: int, state: Mapping[str, Tensor], param: Tensor, steps: int) -> None:
    step = state["step"]
    if step.numel() != 1 or not step.dtype.is_floating_point:
        raise _invalid(
            f"optim.{index}.step must be one float, got {step.dtype} {tuple(step.shape)}"
        )
    value = float(step.reshape(()))
    if not (math.isfinite(value) and value == int(value) and 0 <= value <= steps):
        raise _invalid(f"optim.{index}.step must be a whole number from 0 to {steps}, got {value}")
    for key in ("exp_avg", "exp_avg_sq"):
        moment = state[key]
        if moment.shape != param.shape or moment.dtype != param.dtype:
            raise _invalid(
                f"optim.{index}.{key} must be {param.dtype} {tuple(param.shape)} like its "
                f"parameter, got {moment.dtype} {tuple(moment.shape)}"
            )
        if not bool(torch.isfinite(moment).all()) or (
            key == "exp_avg_sq" and bool((moment < 0).any())
        ):
            raise _invalid(f"optim.{index}.{key} holds values Adam cannot have (NaN, inf or < 0)")


def check_meta(meta: Mapping[str, Any], epochs_done: int) -> None:
    """Check the counters of a saved trainer state (:meth:`Trainer.state_meta`).

    Parameters
    ----------
    meta : mapping
        The counters.
    epochs_done : int
        Epochs the run has finished (its number of history records).

    Raises
    ------
    RunError
        Naming the first counter that is missing, unknown, of the wrong type, or that does not
        agree with the others.
    """
    if not isinstance(meta, Mapping):
        raise _invalid(f"its counters must be an object, got {type(meta).__name__}")
    for key in META_KEYS:
        if key not in meta:
            raise _invalid(f"counter {key!r} is missing")
    unknown = sorted(str(key) for key in meta if key not in META_KEYS)
    if unknown:
        raise _invalid(f"unknown counter {unknown[0][:80]!r}")
    for key in ("epochs_done", "step", "step_in_epoch", "partial_count"):
        value = meta[key]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
            raise _invalid(f"{key} must be a whole number from 0 to {MAX_COUNT}, got {value!r:.40}")
    for key in ("train_time", "partial_time"):
        _check_number(key, meta[key])
    sums = meta["partial_sums"]
    if not isinstance(sums, Mapping) or len(sums) > 64:
        raise _invalid("partial_sums must be an object of at most 64 numbers")
    for name, value in sums.items():
        _check_number(f"partial_sums.{str(name)[:64]}", value)
    if meta["epochs_done"] != epochs_done:
        raise _invalid(f"epochs_done is {meta['epochs_done']} but the run has {epochs_done}")
    if meta["step_in_epoch"] > meta["step"]:
        raise _invalid("step_in_epoch is more than step")
    # Mid-epoch, and only then, the trainer holds the epoch's running sums.
    mid_epoch = meta["step_in_epoch"] > 0
    if mid_epoch != (meta["partial_count"] > 0) or mid_epoch != bool(sums):
        raise _invalid("the epoch's partial counts do not agree with step_in_epoch")


def _check_number(key: str, value: Any) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (isinstance(value, float) and not math.isfinite(value))
    ):
        raise _invalid(f"{key} must be a finite number, got {value!r:.40}")
    if value < 0 and not key.startswith("partial_sums"):
        raise _invalid(f"{key} must not be negative, got {value!r:.40}")
