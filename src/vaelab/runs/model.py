"""A run's tensors against its model: checking the weights and trainer state, rebuilding the model.

``check_tensors()`` builds the model on PyTorch's ``meta`` device (shapes and dtypes, no
memory, no time) to check what a run holds before it is saved or used; ``rebuild_model()``
then builds the real model with the saved weights.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch

from vaelab.config import ModelConfig
from vaelab.errors import RunError
from vaelab.runs.files import ROLES, FileRef
from vaelab.runs.messages import RETRAIN, one_line
from vaelab.runs.run import Run

# Room for a safetensors header: a fixed part, and a JSON entry of about 80 bytes per tensor.
_HEADER_BYTES, _HEADER_BYTES_PER_TENSOR = 1024, 256


def check_file_sizes(run_id: str, config: ModelConfig, files: Mapping[str, FileRef]) -> None:
    """Refuse tensor files larger than a run of ``config`` can have, before they are read.

    Parameters
    ----------
    run_id : str
        Id of the run, for messages.
    config : ModelConfig
        The run's model.
    files : mapping of str to FileRef
        The tensor files its manifest lists, by role.

    Raises
    ------
    RunError
        If a file's recorded size is more than the weights, or the trainer state, of this
        model take as a safetensors file.
    """
    from vaelab.training.trainer import max_state_bytes

    model = _meta_model(config)
    weights = model.state_dict().values()
    params = list(model.parameters())
    limits = {
        "model": sum(t.numel() * t.element_size() for t in weights) + _header(len(weights)),
        # Two generator states and three Adam entries per parameter.
        "trainer": max_state_bytes(params) + _header(2 + 3 * len(params)),
    }
    for role, ref in files.items():
        if ref.size > limits[role]:
            raise RunError(
                f"run {run_id!r} is corrupted: its {ROLES[role]} file {ref.name} is recorded "
                f"as {ref.size} bytes, but those of its model take at most {limits[role]}"
                f"{RETRAIN}"
            )


def _header(tensors: int) -> int:
    return _HEADER_BYTES + _HEADER_BYTES_PER_TENSOR * tensors


def _meta_model(config: ModelConfig) -> torch.nn.Module:
    """The model of ``config`` on the ``meta`` device: shapes and dtypes, no memory."""
    # Imported here so that listing and deleting runs never load the model code, and so that
    # the model code may import from this package.
    from vaelab.models import build_model

    with torch.device("meta"):
        return build_model(config)


def check_tensors(run: Run, *, saving: bool = False) -> None:
    """Check a run's weights and trainer state against the model its config describes.

    Parameters
    ----------
    run : Run
        The run.
    saving : bool, default False
        Word the messages for a save (``cannot save run …``) rather than for a saved run.

    Raises
    ------
    RunError
        If the weights do not fit the model (missing or unexpected keys, wrong shapes or
        dtypes, NaN or infinite values), or the trainer state is not one a trainer of this model
        saves (see :func:`vaelab.training.trainer.check_state`).
    """
    # Imported here: vaelab.training imports this package.
    from vaelab.training.trainer import check_state

    start = f"cannot save run {run.run_id!r}: it" if saving else f"run {run.run_id!r}"
    model = _meta_model(run.config.model)
    _check_state_fits(start, model.state_dict(), run.model_state)
    try:
        check_state(run.trainer_state, run.trainer_meta, list(model.parameters()), run.epochs_done)
    except RunError as exc:
        raise RunError(f"{start} has an {exc}{'' if saving else RETRAIN}") from None


def rebuild_model(run: Run) -> torch.nn.Module:
    """Build the model ``run.config`` describes, load the run's weights, set eval mode.

    Parameters
    ----------
    run : Run
        A loaded run, checked by ``check_tensors()``.

    Returns
    -------
    torch.nn.Module
        The model, on the CPU, in eval mode.

    Raises
    ------
    RunError
        If the saved weights do not fit the model.
    """
    from vaelab.models import build_model

    model = build_model(run.config.model)
    try:
        model.load_state_dict(run.model_state, strict=True)
    except RuntimeError as exc:
        raise RunError(
            f"run {run.run_id!r} does not fit the model its config describes: {one_line(exc)}"
        ) from exc
    model.eval()
    return model


def _check_state_fits(
    start: str, expected: Mapping[str, torch.Tensor], saved: Mapping[str, torch.Tensor]
) -> None:
    """Compare keys, shapes and dtypes first, for a one-line message naming what differs."""
    problems = []
    missing = sorted(set(expected) - set(saved))
    unexpected = sorted(set(saved) - set(expected))
    if missing:
        problems.append(f"missing {_some(missing)}")
    if unexpected:
        problems.append(f"unexpected {_some(unexpected)}")
    common = sorted(set(expected) & set(saved))
    for what, of in (("shape", lambda t: tuple(t.shape)), ("type", lambda t: t.dtype)):
        wrong = [
            f"{key} {of(saved[key])} instead of {of(expected[key])}"
            for key in common
            if of(saved[key]) != of(expected[key])
        ]
        if wrong:
            problems.append(f"wrong {what} for {_some(wrong)}")
    # A model trained into NaN stops with an error before the step, so saved weights are finite.
    wrong = [
        key
        for key in common
        if saved[key].dtype.is_floating_point and not bool(torch.isfinite(saved[key]).all())
    ]
    if wrong:
        problems.append(f"NaN or infinite values in {_some(wrong)}")
    if problems:
        raise RunError(
            f"{start} does not fit the model its config describes: {'; '.join(problems)}"
        )


def _some(names: list[str], shown: int = 3) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more
