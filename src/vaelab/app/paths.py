"""Where the app keeps its runs and datasets.

Both folders can be moved with environment variables, so that tests, containers and shared
machines can point the app elsewhere without touching the code.
"""

from __future__ import annotations

import os
from pathlib import Path

from vaelab.data import DEFAULT_DATA_DIR
from vaelab.runs import DEFAULT_RUNS_DIR

#: Environment variable naming the folder of saved runs.
RUNS_DIR_ENV = "VAELAB_RUNS_DIR"
#: Environment variable naming the folder of datasets.
DATA_DIR_ENV = "VAELAB_DATA_DIR"


def runs_dir() -> Path:
    """Folder of saved runs: ``$VAELAB_RUNS_DIR``, else the library's default (``runs``).

    Returns
    -------
    Path
        The folder; it may not exist yet (the run store creates it on the first save).
    """
    return Path(os.environ.get(RUNS_DIR_ENV) or DEFAULT_RUNS_DIR)


def data_dir() -> Path:
    """Folder of datasets: ``$VAELAB_DATA_DIR``, else the library's default (``data``).

    Returns
    -------
    Path
        The folder; it may not exist yet.
    """
    return Path(os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR)
