"""What a saved run is: :class:`Run`, :class:`RunSummary`, valid run ids and the format version."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from vaelab.config import RunConfig
from vaelab.errors import RunError

#: Version of the on-disk layout; bump it when ``run.json`` changes incompatibly.
FORMAT_VERSION = 1
MANIFEST = "run.json"
#: Statuses a run can have: trained to its epoch count, or stopped mid-epoch (can be continued).
STATUSES = ("complete", "stopped")
#: Status of a listed run that cannot be used (:attr:`RunSummary.error` says why).
BROKEN = "broken"
#: Status of a listed folder that the store did not create (no ``run.json``): never deleted.
FOREIGN = "foreign"

_RUN_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")


@dataclass
class Run:
    """A trained (or partly trained) model with everything needed to continue or inspect it.

    Parameters
    ----------
    config : RunConfig
        The settings that define the run; its hash is the run id.
    model_state : dict of str to torch.Tensor
        The model's ``state_dict()``.
    trainer_state : dict of str to torch.Tensor
        Optimiser moments, RNG states as ``uint8`` tensors, per-step losses... May be empty.
    trainer_meta : dict
        JSON-able trainer bookkeeping: step counters, position within the epoch...
    history : list of dict
        One record of JSON-able numbers per finished epoch.
    curve : list of dict
        The per-step loss terms, ``{"step": s, <term>: value...}``, each point the mean over the
        steps since the point before, at most ``limits.MAX_CURVE_POINTS`` of them
        (:class:`vaelab.training.curve.LossCurve`); empty for runs saved without one.
    latent_kl : list of dict
        The mean KL of each latent dimension on the first test images after an epoch,
        ``{"epoch": e, "kl": [...]}``, at most ``limits.MAX_LATENT_KL_RECORDS`` of them
        (:class:`vaelab.training.schedules.KLPerEpoch`); empty for runs saved without it.
    metrics : dict
        JSON-able evaluation results.
    epochs_done : int
        Number of finished epochs.
    status : str
        ``"complete"`` or ``"stopped"`` (stopped mid-epoch; it can be continued).
    created, updated : str
        ISO-8601 UTC times of the first and of the latest save; :meth:`RunStore.save` sets them
        (an empty ``created`` keeps the time of the run's earlier save, if any).
    revision : int
        Number of the save this run was loaded from or last saved as; 0 for a run never saved.
        A save based on an older revision than the one on disk is refused (see
        :class:`~vaelab.runs.RunStore`).
    """

    config: RunConfig
    model_state: dict[str, torch.Tensor]
    trainer_state: dict[str, torch.Tensor]
    trainer_meta: dict[str, Any]
    history: list[dict[str, float]]
    curve: list[dict[str, float]] = field(default_factory=list)
    latent_kl: list[dict[str, Any]] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    epochs_done: int = 0
    status: str = "complete"
    created: str = ""
    updated: str = ""
    revision: int = 0

    @property
    def run_id(self) -> str:
        """The id of the run, a hash of its config (see :attr:`RunConfig.run_id`)."""
        return self.config.run_id


@dataclass(frozen=True)
class RunSummary:
    """What :meth:`RunStore.list` knows about a run from its manifest alone.

    Parameters
    ----------
    run_id : str
        Name of the run's folder.
    path : Path
        The run's folder.
    config : RunConfig or None
        The run's config; ``None`` when the manifest could not be read.
    epochs_done : int
        Number of finished epochs (0 when unknown).
    status : str
        ``"complete"``, ``"stopped"``, ``BROKEN`` when ``error`` is set, or ``FOREIGN``
        for a folder that is not a run (no ``run.json``), which the store leaves alone.
    updated : str
        ISO-8601 UTC time of the latest save; empty when unknown.
    final : dict of str to float
        The last history record; empty when there is none.
    error : str or None
        One-line reason why the run cannot be used, or ``None`` when its manifest is sound.
    """

    run_id: str
    path: Path
    config: RunConfig | None
    epochs_done: int
    status: str
    updated: str
    final: dict[str, float]
    error: str | None


def is_run_id(name: str) -> bool:
    """Whether a folder name has the characters and length of a run id; see :func:`check_run_id`."""
    return bool(_RUN_ID.fullmatch(name))


def check_run_id(run_id: Any) -> None:
    """Refuse anything but a run id, which could otherwise name a path outside the store.

    Parameters
    ----------
    run_id : Any
        The candidate id.

    Raises
    ------
    RunError
        If ``run_id`` is not 1 to 128 letters, digits, ``.``, ``_`` or ``-``, starts with ``.``
        or holds ``..``.
    """
    if (
        not isinstance(run_id, str)
        or not _RUN_ID.fullmatch(run_id)
        or run_id.startswith(".")
        or ".." in run_id
    ):
        raise RunError(
            f"invalid run id {run_id!r}: use 1 to 128 letters, digits, '.', '_' or '-', "
            "not starting with '.' and without '..'"
        )
