"""From hyperparameters to a trained, saved run: the one entry point of the CLI and the app.

:func:`train` finds the cached run of a configuration, continues it when more epochs are asked
for, or trains it from scratch, and saves it after every epoch and when stopped, so that no
progress is ever lost.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from vaelab.config import DataConfig, ModelConfig, RunConfig, TrainConfig
from vaelab.data import ImageDataset
from vaelab.errors import ConfigError
from vaelab.models import ConvVAE, build_model
from vaelab.runs import Run, RunStore
from vaelab.training.device import pick_device
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
        train=TrainConfig(epochs=epochs, batch_size=batch_size, lr=lr, seed=seed),
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
    stop_event: threading.Event | None = None,
    retrain: bool = False,
) -> TrainOutcome:
    """Train the run ``config`` on ``data`` up to ``config.train.epochs`` epochs.

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
    stop_event : threading.Event, optional
        Set it to stop at the next step; the run is saved as ``"stopped"`` and can be continued.
    retrain : bool
        Ignore a cached run and start from scratch (the cached run is replaced when saved).

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
        If the cached run is corrupted (use ``retrain=True`` to replace it).
    """
    _check_data(config, data)
    run_id = config.run_id
    previous = None if retrain or not store.exists(run_id) else store.load(run_id)
    target = config.train.epochs
    model = seeded_model(config)
    if previous is not None:
        model.load_state_dict(previous.model_state)
        if previous.epochs_done >= target and previous.status == "complete":
            model.eval()
            return TrainOutcome(previous, model, "cached", previous.epochs_done)

    trainer = Trainer(
        model,
        data.train_x,
        data.test_x,
        config.train,
        device=pick_device(device) if isinstance(device, str) else device,
        callbacks=[],
        stop_event=stop_event,
        fixed_batch_size=FIXED_BATCH,
    )
    created = ""
    if previous is not None:
        trainer.load_state(previous.trainer_state, previous.trainer_meta, previous.history)
        created = previous.created
    resumed_from = trainer.epochs_done

    def save(trainer: Trainer, status: str) -> Run:
        run = Run(
            config=config.with_epochs(max(target, trainer.epochs_done)),
            model_state={k: v.detach().cpu() for k, v in trainer.model.state_dict().items()},
            trainer_state=trainer.state_tensors(),
            trainer_meta=trainer.state_meta(),
            history=list(trainer.history),
            epochs_done=trainer.epochs_done,
            status=status,
            created=created,
        )
        store.save(run)
        return run

    trainer.callbacks = [_SaveEachEpoch(save, target), *callbacks]
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
