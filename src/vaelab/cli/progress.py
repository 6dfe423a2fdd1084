"""Terminal progress bars: training (a trainer callback) and the comparison sweep."""

from __future__ import annotations

from tqdm import tqdm

from vaelab.compare import CompareProgress
from vaelab.training.trainer import Callback, StepState, Trainer, TrainResult


class ProgressBar(Callback):
    """One tqdm bar over all remaining steps, with the loss and images/s; one line per epoch."""

    def __init__(self) -> None:
        self.bar: tqdm | None = None

    def on_train_start(self, trainer: Trainer) -> None:  # noqa: D102
        total = trainer.config.epochs * trainer.steps_per_epoch
        done = trainer.epochs_done * trainer.steps_per_epoch + trainer.step_in_epoch
        self.bar = tqdm(total=total, initial=done, unit="step", dynamic_ncols=True, leave=False)

    def on_step_end(self, trainer: Trainer, state: StepState) -> None:  # noqa: D102
        assert self.bar is not None
        self.bar.set_description(f"epoch {state.epoch}/{state.epochs}", refresh=False)
        self.bar.set_postfix(
            loss=f"{state.metrics['loss']:.4g}",
            img_s=f"{state.images_per_second:.0f}",
            refresh=False,
        )
        self.bar.update(1)

    def on_epoch_end(self, trainer: Trainer, record: dict[str, float]) -> None:  # noqa: D102
        assert self.bar is not None
        sigma = f"  σ {record['test_sigma']:.4f}" if "test_sigma" in record else ""
        self.bar.write(
            f"epoch {int(record['epoch'])}: train loss {record['train_loss']:.4g}  "
            f"test loss {record['test_loss']:.4g} (recon {record['test_recon']:.4g}, "
            f"KL {record['test_kl']:.4g}){sigma}  {record['images_per_second']:.0f} img/s"
        )

    def on_train_end(self, trainer: Trainer, result: TrainResult) -> None:  # noqa: D102
        if self.bar is not None:
            self.bar.close()


class CompareBar:
    """One tqdm bar over a whole comparison, naming the model and phase; use it as a context."""

    def __init__(self) -> None:
        self.bar = tqdm(total=1000, unit="‰", dynamic_ncols=True, leave=False)

    def update(self, progress: CompareProgress) -> None:
        """Move the bar to ``progress.overall`` and print a line when a model is done."""
        name = progress.contender.label if progress.contender else "feature classifier"
        what = {"classifier": "training", "train": "training", "evaluate": "measuring"}
        if progress.phase == "done":
            self.bar.write(f"{progress.index + 1}/{progress.total} {name}: done")
        else:
            self.bar.set_description(
                f"{progress.index + 1}/{progress.total} {what[progress.phase]} {name}",
                refresh=False,
            )
        self.bar.update(round(1000 * progress.overall) - self.bar.n)

    def __enter__(self) -> CompareBar:
        return self

    def __exit__(self, *_: object) -> None:
        self.bar.close()
