"""What the app lets people download: a run's archive and figures as PNG files.

The archive is the run store's own export (:meth:`vaelab.runs.RunStore.export`), cached per save
so that a page that offers it does not zip the run again on every rerun.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import streamlit as st

from vaelab.explore import plots
from vaelab.runs import RunStore

PNG_MIME = "image/png"
ZIP_MIME = "application/zip"


@st.cache_data(max_entries=4, show_spinner=False)
def run_archive(root: str, run_id: str, updated: str) -> bytes:
    """The zip archive of a saved run (:meth:`vaelab.runs.RunStore.export`), cached per save.

    Parameters
    ----------
    root : str
        Folder of runs.
    run_id : str
        Id of the run.
    updated : str
        Its save time, so that a run saved again is exported again.

    Returns
    -------
    bytes
        The archive.

    Raises
    ------
    RunError
        If the run does not load (missing, corrupted).
    """
    with tempfile.TemporaryDirectory() as folder:
        return RunStore(root).export(run_id, Path(folder)).read_bytes()


def png_button(
    label: str,
    name: str,
    picture: bytes | np.ndarray,
    key: str,
    *,
    icon: str = ":material/download:",
    width: str = "content",
) -> None:
    """A button that downloads ``picture`` as ``<name>.png``.

    Parameters
    ----------
    label : str
        Text of the button.
    name : str
        File name without its extension.
    picture : bytes or numpy.ndarray
        A PNG file, or an image array from :func:`vaelab.explore.plots.image_grid`.
    key : str
        Widget key.
    icon : str
        Icon of the button.
    width : str
        ``"content"`` or ``"stretch"``.
    """
    payload = picture if isinstance(picture, bytes) else plots.png_bytes(picture)
    st.download_button(
        label,
        payload,
        file_name=f"{name}.png",
        mime=PNG_MIME,
        key=key,
        icon=icon,
        on_click="ignore",
        width=width,
    )
