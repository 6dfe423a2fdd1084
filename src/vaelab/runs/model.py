"""Rebuilding a saved run's model, with a one-line message when the weights do not fit it."""

from __future__ import annotations

from collections.abc import Mapping

import torch

from vaelab.errors import RunError
from vaelab.runs.messages import one_line
from vaelab.runs.run import Run


def rebuild_model(run: Run) -> torch.nn.Module:
    """Build the model ``run.config`` describes, load the run's weights, set eval mode.

    Parameters
    ----------
    run : Run
        A loaded run.

    Returns
    -------
    torch.nn.Module
        The model, on the CPU, in eval mode.

    Raises
    ------
    RunError
        If the saved weights do not fit the model (missing or unexpected keys, wrong shapes).
    """
    # Imported here so that the store (list, delete, export) works without the model code,
    # and so that the model code may import from this package.
    from vaelab.models import build_model

    model = build_model(run.config.model)
    _check_state_fits(run.run_id, model.state_dict(), run.model_state)
    try:
        model.load_state_dict(run.model_state, strict=True)
    except RuntimeError as exc:
        raise RunError(
            f"run {run.run_id!r} does not fit the model its config describes: {one_line(exc)}"
        ) from exc
    model.eval()
    return model


def _check_state_fits(
    run_id: str, expected: Mapping[str, torch.Tensor], saved: Mapping[str, torch.Tensor]
) -> None:
    """Compare keys and shapes first, for a one-line message naming what differs."""
    problems = []
    missing = sorted(set(expected) - set(saved))
    unexpected = sorted(set(saved) - set(expected))
    if missing:
        problems.append(f"missing {_some(missing)}")
    if unexpected:
        problems.append(f"unexpected {_some(unexpected)}")
    wrong = [
        f"{key} {tuple(saved[key].shape)} instead of {tuple(expected[key].shape)}"
        for key in sorted(set(expected) & set(saved))
        if saved[key].shape != expected[key].shape
    ]
    if wrong:
        problems.append(f"wrong shape for {_some(wrong)}")
    if problems:
        raise RunError(
            f"run {run_id!r} does not fit the model its config describes: {'; '.join(problems)}"
        )


def _some(names: list[str], shown: int = 3) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more
