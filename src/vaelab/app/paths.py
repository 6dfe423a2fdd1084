"""Where the app keeps its runs and datasets.

Both folders can be moved with environment variables, so that tests, containers and shared
machines can point the app elsewhere without touching the code.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable naming the folder of saved runs.
RUNS_DIR_ENV = "VAELAB_RUNS_DIR"
#: Environment variable naming the folder of datasets.
DATA_DIR_ENV = "VAELAB_DATA_DIR"


def runs_dir() -> Path:
    """Folder of saved runs: ``$VAELAB_RUNS_DIR``, else ``runs`` (relative to the working dir).

    Returns
    -------
    Path
        The folder; it may not exist yet (the run store creates it on the first save).
    """
    return Path(os.environ.get(RUNS_DIR_ENV) or "runs")


def data_dir() -> Path:
    """Folder of datasets: ``$VAELAB_DATA_DIR``, else ``data`` (relative to the working dir).

    Returns
    -------
    Path
        The folder; it may not exist yet.
    """
    return Path(os.environ.get(DATA_DIR_ENV) or "data")
