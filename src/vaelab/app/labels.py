"""Display names of what the library names by id: datasets, models, runs and comparison rows.

The one place where the pages turn an id into words, so that a dataset, a model or a run reads
the same on every page and in every language.
"""

from __future__ import annotations

from pathlib import Path

from vaelab.app.i18n import t
from vaelab.compare import Contender
from vaelab.config import ModelConfig, RunConfig
from vaelab.data import dataset_names
from vaelab.i18n import decimal
from vaelab.runs import Run
from vaelab.variants import VARIANTS


def dataset_label(dataset: str, lang: str | None = None) -> str:
    """Display name of a dataset.

    Parameters
    ----------
    dataset : str
        A registered dataset id (``"mnist"``) or the path of the user's own images.
    lang : str, optional
        Language; the session's by default.

    Returns
    -------
    str
        The translated name of a registered dataset, else the file or folder name of the path
        (the whole path is too long for a picker, a heading or a legend).
    """
    if dataset in dataset_names():
        return t(f"dataset.{dataset}", lang)
    return Path(dataset).name


def model_label(variant: str) -> str:
    """Display name of a model variant: ``"VAE"``, ``"β-VAE"``, ``"σ-VAE"``."""
    return VARIANTS[variant].label


def layers_label(hidden: tuple[int, ...]) -> str:
    """The encoder's widths in one word: ``"32-64"``."""
    return "-".join(map(str, hidden))


def run_title(config: RunConfig, lang: str | None = None) -> str:
    """What a run is, as a heading: ``"VAE on MNIST, z = 2, layers 32-64"``."""
    model = config.model
    return t(
        "train.run_label",
        lang,
        variant=model_label(model.variant),
        dataset=dataset_label(config.data.dataset, lang),
        latent=model.latent_dim,
        layers=layers_label(model.hidden),
    )


def run_label(run_id: str, config: RunConfig | None) -> str:
    """Short description of a saved run for pickers and legends: model, dataset, z, β, id suffix.

    Parameters
    ----------
    run_id : str
        Id of the run; its last characters tell apart runs that differ in other settings.
    config : RunConfig or None
        Its configuration; ``None`` for a run that could not be read (then the id is the label).

    Returns
    -------
    str
        For instance ``"β-VAE · MNIST · z=2 β=0.1 · 3fa2c1"``.
    """
    if config is None:
        return run_id
    model: ModelConfig = config.model
    beta = "" if VARIANTS[model.variant].beta_is_fixed else f" β={model.beta:g}"
    suffix = run_id.rsplit("-", 1)[-1][:6]
    return (
        f"{model_label(model.variant)} · {dataset_label(config.data.dataset)} "
        f"· z={model.latent_dim}{beta} · {suffix}"
    )


def run_summary(run: Run) -> str:
    """One Markdown line describing a run (model, data, latent size, epochs)."""
    model = run.config.model
    return t(
        "results.summary",
        model=model_label(model.variant),
        dataset=dataset_label(run.config.data.dataset),
        latent=model.latent_dim,
        epochs=run.epochs_done,
    )


def contender_name(contender: Contender, lang: str) -> str:
    """Name of a row of the comparison in ``lang``: "Gaussian VAE", "β-VAE, β = 0.01", "σ-VAE"..."""
    beta = decimal(contender.beta, "g", lang)
    return t(f"compare.row.{contender.kind}", lang, beta=beta)
