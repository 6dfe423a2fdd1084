"""Saved runs opened for display: each loaded once per save for every session, with its images.

Opening a run reads its weights and builds its model, which takes long enough to be felt on every
rerun; the model is cached per run and per save, so a run trained further is read again.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from vaelab.app.i18n import t
from vaelab.app.labels import dataset_label
from vaelab.app.paths import data_dir, runs_dir
from vaelab.data import ImageDataset, load_dataset
from vaelab.errors import ConfigError, DatasetError
from vaelab.models import ConvVAE
from vaelab.runs import MANIFEST, Run, RunStore
from vaelab.training.experiment import open_run


@st.cache_resource(max_entries=8, show_spinner=False)
def _open_run(root: str, run_id: str, stamp: int) -> tuple[Run, ConvVAE]:
    # `stamp` (the manifest's mtime) is part of the key so that a run trained further reloads.
    return open_run(RunStore(root), run_id)


def open_cached_run(run_id: str, root: Path | None = None) -> tuple[Run, ConvVAE]:
    """Load a saved run and its model once per save, for every session.

    Parameters
    ----------
    run_id : str
        Id of the run.
    root : Path, optional
        Folder of runs; :func:`vaelab.app.paths.runs_dir` by default.

    Returns
    -------
    tuple of Run and ConvVAE
        The run and its model, in eval mode on the CPU. Treat both as read-only: they are shared.

    Raises
    ------
    RunError
        If the run is missing, partial or corrupted.
    """
    store = RunStore(root or runs_dir())
    try:
        stamp = (store.path(run_id) / MANIFEST).stat().st_mtime_ns
    except OSError:
        stamp = 0  # open_run then says what is missing
    return _open_run(str(store.root), run_id, stamp)


def load_run_data(run: Run) -> tuple[ImageDataset | None, str | None]:
    """The images a run was trained on, or ``None`` and a translated reason.

    Parameters
    ----------
    run : Run
        The run.

    Returns
    -------
    tuple
        The dataset (only when its fingerprint matches the run's) and a message to show when it
        could not be used.
    """
    dataset = run.config.data.dataset
    try:
        data = load_dataset(
            dataset, data_dir(), download=False, image_size=run.config.data.image_size
        )
    except (DatasetError, ConfigError, OSError) as exc:
        error = " ".join(str(exc).split())
        return None, t("results.page.data_missing", dataset=dataset_label(dataset), error=error)
    if data.fingerprint != run.config.data.fingerprint:
        return None, t("results.page.data_changed", dataset=dataset_label(dataset))
    return data, None
