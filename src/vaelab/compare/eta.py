"""How long a running comparison has left, from the timeline of its progress reports.

A comparison trains and then measures each row. Its overall fraction
(:attr:`~vaelab.compare.CompareProgress.overall`) gives every row the same share and the
measures a fixed 15 % of it, so extrapolating that fraction misjudges the time left: the measures
(an IWAE bound with 100 samples on 1,000 images) take about as long as the training, rows found in
the cache go by in a moment, and the evaluation's stages have very different lengths. Here the
two kinds of work are timed apart: training by its steps, which take equal times; measuring by
whole evaluations, or, before the first one ends, by their expected share of a row
(:func:`evaluation_ratio`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: A progress report: (time in seconds, row index, phase, fraction of the phase done).
Report = tuple[float, int, str, float]
#: Forward passes of one training image: a forward and a backward pass, about three forwards.
TRAIN_PASSES = 3.0
#: Share of a forward pass that decoding takes (an IWAE sample decodes; it encodes once).
DECODE_SHARE = 0.5


def evaluation_ratio(
    epochs: int, n_train: int, n_test: int, iwae_k: int, iwae_images: int, fd_images: int
) -> float:
    """Expected time of one row's evaluation over the time of its training, before any is timed.

    Training passes ``epochs × (n_train + n_test)`` images forward and the training ones
    backward; the evaluation encodes the bound's images once and decodes ``iwae_k`` samples of
    each, then encodes and decodes the test set and ``fd_images`` samples.
    """
    bound_images = min(iwae_images, n_test) if iwae_images else n_test
    evaluation = bound_images * (1 + iwae_k * DECODE_SHARE) + 2 * n_test + fd_images
    training = epochs * (TRAIN_PASSES * n_train + n_test)
    return evaluation / max(training, 1.0)


@dataclass
class _Row:
    train_seconds: float = 0.0
    train_done: float = 0.0
    train_fraction: float = 0.0
    eval_seconds: float = 0.0
    evaluating: bool = False
    done: bool = False


def _rows(reports: Sequence[Report], total: int) -> list[_Row]:
    """Time spent and fraction reached in each row's training and evaluation."""
    rows = [_Row() for _ in range(total)]
    previous: tuple[float, int, str, float] | None = None
    for when, index, phase, fraction in reports:
        row = rows[index]
        if previous is not None:
            last_when, last_index, last_phase, last_fraction = previous
            spent = max(when - last_when, 0.0)
            if phase == "train" and last_phase == "train" and last_index == index:
                # From one step to the next. The first step is not counted: a run continued
                # from the cache starts its fractions at the epochs it had already done.
                if last_fraction > 0:
                    row.train_seconds += spent
                    row.train_done += max(fraction - last_fraction, 0.0)
            elif phase == "evaluate" and fraction > 0:
                row.eval_seconds += spent
            elif last_phase == "train" and last_fraction > 0:
                # A phase that starts closes a training: its last test pass and its save.
                rows[last_index].train_seconds += spent
            elif last_phase == "evaluate":
                # ...or an evaluation: the samples drawn after the measures.
                rows[last_index].eval_seconds += spent
        previous = (when, index, phase, fraction)
        if phase == "train":
            row.train_fraction = max(row.train_fraction, fraction)
        elif phase == "evaluate":
            row.evaluating = True
        elif phase == "done":
            row.done = True
    return rows


def remaining_seconds(
    reports: Sequence[Report],
    total: int,
    now: float,
    eval_ratio: float,
    cached: Sequence[bool] = (),
) -> float | None:
    """Seconds the comparison has left, or ``None`` before any work was timed.

    Parameters
    ----------
    reports : sequence of Report
        Every report so far, in order: ``(time, row index, phase, fraction)``, the phases those of
        :data:`vaelab.compare.PHASES` (the feature classifier's are ignored: that time is spent).
    total : int
        Rows of the comparison.
    now : float
        The current time, on the reports' clock.
    eval_ratio : float
        A row's evaluation time over its training time, used until an evaluation has ended
        (:func:`evaluation_ratio`).
    cached : sequence of bool, optional
        Rows known to be trained already (their training costs nothing); by default none.

    Returns
    -------
    float or None
        The estimate, never negative.
    """
    rows = _rows(reports, total)
    trained = [r for r in rows if r.train_done > 0 and r.train_seconds > 0]
    finished = [r.eval_seconds for r in rows if r.done and r.evaluating]
    eval_time = sum(finished) / len(finished) if finished else None
    if trained:
        # Seconds per whole training, from every step timed so far.
        train_time = sum(r.train_seconds for r in trained) / sum(r.train_done for r in trained)
        eval_time = eval_ratio * train_time if eval_time is None else eval_time
    elif eval_time is not None and eval_ratio > 0:
        train_time = eval_time / eval_ratio  # the first rows came from the cache
    else:
        return None
    # The current row is the last one reported; time since its last report is already spent.
    current = reports[-1][1]
    since = max(now - reports[-1][0], 0.0)
    left = 0.0
    for index in range(current, total):
        row = rows[index]
        if row.done:
            continue
        if not (index < len(cached) and cached[index]) and not row.evaluating:
            left += (1.0 - row.train_fraction) * train_time
        left += eval_time if not row.evaluating else max(eval_time - row.eval_seconds, 0.0)
    return max(left - since, 0.0)
