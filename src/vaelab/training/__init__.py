"""Step 3 of the pipeline, training.

:mod:`~vaelab.training.trainer` is a training loop that knows nothing of VAEs or of any UI
(progress is callbacks), steered from any thread by :mod:`~vaelab.training.control` and keeping a
per-step :mod:`~vaelab.training.curve`; :mod:`~vaelab.training.experiment` builds a run's config,
finds it in the cache, continues it and saves it; :mod:`~vaelab.training.device` picks where
tensors live and what speeds them up there; :mod:`~vaelab.training.distributed` trains one run on
several processes (``torchrun``); :mod:`~vaelab.training.memory` and
:mod:`~vaelab.training.threads` tune the allocator and OpenMP when the host asks for it;
:mod:`~vaelab.training.bench` measures the engine against a tutorial pipeline.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# Imported on first use: vaelab.training.threads must be importable before torch is.
_EXPORTS = {
    "Callback": "vaelab.training.trainer",
    "StepState": "vaelab.training.trainer",
    "TrainOutcome": "vaelab.training.experiment",
    "TrainResult": "vaelab.training.trainer",
    "Trainer": "vaelab.training.trainer",
    "TrainingControl": "vaelab.training.control",
    "build_config": "vaelab.training.experiment",
    "open_run": "vaelab.training.experiment",
    "train": "vaelab.training.experiment",
}

__all__ = [
    "Callback",
    "StepState",
    "TrainOutcome",
    "TrainResult",
    "Trainer",
    "TrainingControl",
    "build_config",
    "open_run",
    "train",
]

if TYPE_CHECKING:
    from vaelab.training.control import TrainingControl
    from vaelab.training.experiment import TrainOutcome, build_config, open_run, train
    from vaelab.training.trainer import Callback, StepState, Trainer, TrainResult


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'vaelab.training' has no attribute {name!r}")
    return getattr(import_module(module), name)
