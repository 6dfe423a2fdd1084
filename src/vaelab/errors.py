"""Exceptions raised by VAE Lab.

Every exception below carries a one-line message written for the user: what was wrong and what is
allowed. The CLI prints it as ``error: <message>`` and the app shows it with ``st.error``; neither
shows a traceback for these.
"""

from __future__ import annotations


class VaeLabError(Exception):
    """Base class of every error VAE Lab reports to its user."""


class ConfigError(VaeLabError, ValueError):
    """A hyperparameter or option has a value that is not allowed."""


class DatasetError(VaeLabError):
    """A dataset is unknown, malformed or cannot be read."""


class DatasetUnavailableError(DatasetError):
    """A dataset is not on disk and cannot be downloaded (for instance, no network)."""


class RunError(VaeLabError):
    """A saved run is missing, partial, corrupted or does not match its configuration."""


class TrainingError(VaeLabError):
    """Training cannot go on (for instance, the loss became NaN or infinite)."""
