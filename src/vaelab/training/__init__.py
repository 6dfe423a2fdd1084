"""Step 3 of the pipeline, training.

:mod:`~vaelab.training.trainer` is a training loop that knows nothing of VAEs or of any UI
(progress is callbacks); :mod:`~vaelab.training.experiment` builds a run's config, finds it in the
cache, continues it and saves it; :mod:`~vaelab.training.device` picks where tensors live;
:mod:`~vaelab.training.memory` tunes the C allocator when the host asks for it;
:mod:`~vaelab.training.bench` measures the engine against a tutorial pipeline.
"""

from vaelab.training.experiment import TrainOutcome, build_config, open_run, train
from vaelab.training.trainer import Callback, StepState, Trainer, TrainResult

__all__ = [
    "Callback",
    "StepState",
    "TrainOutcome",
    "TrainResult",
    "Trainer",
    "build_config",
    "open_run",
    "train",
]
