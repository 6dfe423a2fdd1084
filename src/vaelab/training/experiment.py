"""From hyperparameters to a trained, saved run: the one entry point of the CLI and the app.

:func:`train` finds the cached run of a configuration, continues it when more epochs are asked
for, or trains it from scratch, and saves it after every epoch and when stopped, so that no
progress is ever lost.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from vaelab.config import DataConfig, ModelConfig, RunConfig, TrainConfig
from vaelab.data import ImageDataset
from vaelab.data.binarized import train_transform
from vaelab.errors import ConfigError, RunError
from vaelab.models import ConvVAE, build_model
from vaelab.runs import Run, RunStore, RunSummary, RunWriter
from vaelab.training.control import TrainingControl
from vaelab.training.device import pick_device
from vaelab.training.distributed import Distributed
from vaelab.training.schedules import KLPerEpoch, training_callbacks
from vaelab.training.trainer import Callback, Trainer, TrainResult

#: Number of test images reconstructed after each epoch.
FIXED_BATCH = 16


@dataclass
class TrainOutcome:
    """What :func:`train` returns.

    Attributes
    ----------
    run : Run
        The saved run.
    model : ConvVAE
        Its model, on the CPU, in eval mode.
    status : str
        ``"complete"``, ``"stopped"``, or ``"cached"`` when the cached run already had the epochs.
    resumed_from : int
        Epochs the run had before this call (0 for a fresh run).
    """

    run: Run
    model: ConvVAE
    status: str
    resumed_from: int


def build_config(
    data: ImageDataset,
    *,
    variant: str = "vae",
    latent_dim: int = 128,
    hidden: Sequence[int] = (32, 64),
    likelihood: str | None = None,
    scale: str = "optimal",
    beta: float = 1.0,
    epochs: int = 5,
    batch_size: int = 64,
    lr: float = 1e-3,
    seed: int = 0,
    kl_warmup: int = 0,
    free_bits: float = 0.0,
    precision: str = "fp32",
    grad_clip: float = 0.0,
) -> RunConfig:
    """Validated configuration of a run on ``data``.

    Raises
    ------
    ConfigError
        If a value is not allowed; the message says which and what is.
    """
    channels, height, width = data.shape
    model = ModelConfig(
        variant=variant,
        latent_dim=latent_dim,
        hidden=tuple(hidden),
        likelihood=likelihood,
        scale=scale,
        beta=beta,
        channels=channels,
        height=height,
        width=width,
    )
    return RunConfig(
        model=model,
        data=DataConfig(data.name, data.fingerprint, data.image_size),
        train=TrainConfig(
            epochs=epochs,
            batch_size=batch_size,
            lr=lr,
            seed=seed,
            kl_warmup=kl_warmup,
            free_bits=free_bits,
            precision=precision,
            grad_clip=grad_clip,
        ),
    )


def seeded_model(config: RunConfig) -> ConvVAE:
    """The model of ``config`` with its initial weights drawn from the run's seed."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.train.seed)
        return build_model(config.model)


def fixed_batch(data: ImageDataset, n: int = FIXED_BATCH) -> Tensor:
    """The test images reconstructed after each epoch, uint8 ``(n, C, H, W)``."""
    return data.test_x[:n]


class _SaveEachEpoch(Callback):
    """Saves the run at every epoch end but the last, so a crash loses at most one epoch."""

    def __init__(self, save: Callable[[Trainer, str], Run], target: int) -> None:
        self.save = save
        self.target = target

    def on_epoch_end(self, trainer: Trainer, record: dict[str, float]) -> None:
        if trainer.epochs_done < self.target:
            self.save(trainer, "stopped")


def _check_data(config: RunConfig, data: ImageDataset) -> None:
    if data.shape != config.model.image_shape:
        raise ConfigError(
            f"the images are {data.shape} but the model expects {config.model.image_shape}"
        )
    if data.fingerprint != config.data.fingerprint:
        raise ConfigError(f"the images of {data.name!r} differ from those this run was trained on")


def train(
    config: RunConfig,
    data: ImageDataset,
    *,
    store: RunStore,
    device: str | torch.device = "auto",
    callbacks: Iterable[Callback] = (),
    control: TrainingControl | None = None,
    retrain: bool = False,
    distributed: Distributed | None = None,
) -> TrainOutcome:
    """Train the run ``config`` on ``data`` up to ``config.train.epochs`` epochs.

    The run's writer lock is held from start to end (:meth:`RunStore.writing`), so that a second
    training of the same run, in this process or another, is refused at once instead of
    overwriting this one's epochs; a cached run that already has the epochs is returned without
    taking it.

    Parameters
    ----------
    config : RunConfig
        What to train; its run id finds a cached run.
    data : ImageDataset
        The images; must be those of ``config.data`` (same fingerprint).
    store : RunStore
        Where runs are cached.
    device : str or torch.device
        ``"auto"`` (CUDA, then MPS, then CPU), or a device name.
    callbacks : iterable of Callback
        Progress reporting.
    control : TrainingControl, optional
        Stop, pause or step the training; once stopped, the run is saved as ``"stopped"`` and
        can be continued.
    retrain : bool
        Ignore a cached run and start from scratch (the cached run is replaced when saved).
    distributed : Distributed, optional
        This process's rank under ``torchrun`` (:mod:`vaelab.training.distributed`): every rank
        calls :func:`train` alike; rank 0 holds the lock and writes the run, the others read it
        and train along without writing.

    Returns
    -------
    TrainOutcome
        The saved run and its model.

    Raises
    ------
    ConfigError
        If ``data`` does not match ``config``.
    TrainingError
        If the loss becomes NaN or infinite; the last saved epoch is kept.
    RunError
        If another process is training the run, or the cached run is corrupted or its trainer
        state does not fit (use ``retrain=True`` to replace it).
    """
    _check_data(config, data)
    run_id = config.run_id
    target = config.train.epochs
    if not retrain and _finished(store.summary(run_id), target):
        run, model = store.load_model(run_id)
        if _finished(run, target):
            return TrainOutcome(run, model, "cached", run.epochs_done)
    with _writing(store, run_id, distributed) as writer:
        # Read under the lock: what this training builds on (another one may have just saved).
        previous = None if retrain or not store.exists(run_id) else store.load_model(run_id)
        if previous is not None and _finished(previous[0], target):
            return TrainOutcome(*previous, "cached", previous[0].epochs_done)
        return _train_locked(
            config, data, writer, previous, device, callbacks, control, distributed
        )


@contextlib.contextmanager
def _writing(
    store: RunStore, run_id: str, distributed: Distributed | None
) -> Iterator[RunWriter | None]:
    """The run's writer lock, or ``None`` for a rank other than 0, which never writes."""
    if distributed is not None and not distributed.is_main:
        yield None
        return
    with store.writing(run_id) as writer:
        yield writer


def _finished(run: Run | RunSummary, epochs: int) -> bool:
    return run.status == "complete" and run.epochs_done >= epochs


def _train_locked(
    config: RunConfig,
    data: ImageDataset,
    writer: RunWriter | None,
    previous: tuple[Run, ConvVAE] | None,
    device: str | torch.device,
    callbacks: Iterable[Callback],
    control: TrainingControl | None,
    distributed: Distributed | None,
) -> TrainOutcome:
    target = config.train.epochs
    trainer = Trainer(
        previous[1] if previous else seeded_model(config),
        data.train_x,
        data.test_x,
        config.train,
        device=pick_device(device) if isinstance(device, str) else device,
        callbacks=[],
        control=control,
        fixed_batch_size=FIXED_BATCH,
        train_transform=train_transform(config.data.dataset, config.train.seed),
        distributed=distributed,
    )
    created, revision = "", 0
    if previous is not None:
        run = previous[0]
        try:
            trainer.load_state(run.trainer_state, run.trainer_meta, run.history, run.curve)
        except RunError as exc:
            raise RunError(
                f"run {run.run_id!r} cannot be continued: {exc}; retrain it to start again"
            ) from None
        created, revision = run.created, run.revision
    resumed_from = trainer.epochs_done
    latent_kl = KLPerEpoch(previous[0].latent_kl if previous else None)

    def save(trainer: Trainer, status: str) -> Run:
        nonlocal created, revision
        run = Run(
            config=config.with_epochs(max(target, trainer.epochs_done)),
            model_state={k: v.detach().cpu() for k, v in trainer.model.state_dict().items()},
            trainer_state=trainer.state_tensors(),
            trainer_meta=trainer.state_meta(),
            history=list(trainer.history),
            curve=trainer.curve.points,
            latent_kl=list(latent_kl.records),
            epochs_done=trainer.epochs_done,
            status=status,
            created=created,
            revision=revision,
        )
        if writer is None:  # a rank other than 0: rank 0 writes the same run
            return run
        # A run started from scratch replaces whatever the store holds (a broken run, or the
        # run being retrained); each later save builds on the one before.
        writer.save(run, overwrite=revision == 0)
        created, revision = run.created, run.revision
        return run

    # The model's schedules and the epoch's KL record come before the save that keeps them.
    trainer.callbacks = [
        *training_callbacks(config.train, trainer.model),
        latent_kl,
        _SaveEachEpoch(save, target),
        *callbacks,
    ]
    result: TrainResult = trainer.fit(target)
    run = save(trainer, result.status)
    model = trainer.model.to("cpu", memory_format=torch.contiguous_format).eval()
    return TrainOutcome(run, model, result.status, resumed_from)


def open_run(store: RunStore, run_id: str) -> tuple[Run, ConvVAE]:
    """Load a saved run and its model (CPU, eval mode).

    Raises
    ------
    RunError
        If the run is missing, partial or corrupted.
    """
    run, model = store.load_model(run_id)
    return run, model
