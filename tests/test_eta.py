"""Time estimates: a comparison's time left from its progress, a training's before it starts."""

from __future__ import annotations

import random

import pytest

from vaelab.compare.eta import Report, evaluation_ratio, remaining_seconds
from vaelab.config import ModelConfig, RunConfig, TrainConfig
from vaelab.runs import RunSummary
from vaelab.training.speed import machine_speed, model_cost, training_seconds

#: Seconds of each evaluation stage: unequal, as they are (the IWAE bound takes most).
STAGES = (("calibrate", 4.0), ("test", 9.0), ("iwae", 48.0), ("samples", 6.0))


def _timeline(cached: set[int], rows: int = 7, seed: int = 0) -> list[Report]:
    """A comparison as the job sees it: the classifier, then each row trained and measured.

    A training is 5 epochs of 60 steps of about 0.2 s, each epoch ending with a 2 s test pass,
    then a 1 s save; a cached row only loads; every row is measured by four stages of unequal
    length, then its samples are drawn.
    """
    rng = random.Random(seed)
    now, reports = 0.0, []

    def at(seconds: float, index: int, phase: str, fraction: float) -> None:
        nonlocal now
        now += seconds
        reports.append((now, index, phase, fraction))

    for step in range(11):
        at(2.0, 0, "classifier", step / 10)  # sunk time, before any row
    for index in range(rows):
        at(0.0, index, "train", 0.0)
        if index not in cached:
            for epoch in range(5):
                for step in range(60):
                    pause = 2.0 if step == 0 and epoch > 0 else 0.0  # the last epoch's test pass
                    at(
                        pause + rng.uniform(0.15, 0.25),
                        index,
                        "train",
                        (epoch * 60 + step + 1) / 300,
                    )
            at(3.0, index, "evaluate", 0.0)  # the last test pass and the save
        else:
            at(0.5, index, "evaluate", 0.0)
        for number, (_, seconds) in enumerate(STAGES):
            for tick in range(1, 5):
                at(seconds / 4, index, "evaluate", (number + tick / 4) / len(STAGES))
        at(1.0, index, "done", 1.0)
    return reports


@pytest.mark.parametrize("cached", [set(), {2}, {0, 4}])
def test_the_comparison_eta_is_within_a_quarter_of_the_real_time_after_the_first_tenth(cached):
    reports = _timeline(cached)
    start, end = reports[0][0], reports[-1][0]
    ratio = evaluation_ratio(5, 4000, 1000, 100, 1000, 1000)
    checked = 0
    for i in range(1, len(reports), 7):  # every 7th moment: the check is quadratic
        now = reports[i - 1][0] + 0.05
        if now - start < 0.1 * (end - start) or end - now < 0.1 * (end - start):
            continue
        eta = remaining_seconds(reports[:i], 7, now, ratio)
        truth = end - now
        if eta is None:  # nothing timed yet: the first rows came from the cache
            assert not any(
                phase in ("done",) or (phase == "train" and f > 0) for *_, phase, f in reports[:i]
            )
            continue
        assert abs(eta - truth) <= 0.25 * truth, (now, eta, truth)
        checked += 1
    assert checked > 150


def test_the_old_extrapolation_of_the_overall_fraction_was_off():
    # What the page did before: (1 − overall) × elapsed / overall, measures as 15 % of a row.
    reports = _timeline(set())
    end = reports[-1][0]
    i = next(i for i, r in enumerate(reports) if r[1] == 0 and r[2] == "evaluate")
    now, index, _, fraction = reports[i]
    overall = (index + 0.85) / 7
    old = (1 - overall) * (now - reports[10][0]) / overall
    assert abs(old - (end - now)) > 0.25 * (end - now)
    ratio = evaluation_ratio(5, 4000, 1000, 100, 1000, 1000)
    assert abs(remaining_seconds(reports[: i + 1], 7, now, ratio) - (end - now)) < 0.1 * (end - now)


def test_no_eta_before_a_training_step_is_timed():
    assert remaining_seconds([], 3, 0.0, 1.0) is None
    assert (
        remaining_seconds([(0.0, 0, "classifier", 0.5), (1.0, 0, "train", 0.0)], 3, 1.0, 1.0)
        is None
    )


def test_rows_known_to_be_cached_cost_no_training():
    reports = [(0.0, 0, "train", 0.0), (1.0, 0, "train", 0.05), (10.0, 0, "train", 0.5)]
    plain = remaining_seconds(reports, 3, 10.0, 0.0)
    assert plain == pytest.approx(50.0)  # 10 s left in row 0, 20 s in each of rows 1 and 2
    assert remaining_seconds(reports, 3, 10.0, 0.0, cached=[False, True, True]) == pytest.approx(
        10.0
    )


def _summary(model: ModelConfig, per_second: float, updated: str) -> RunSummary:
    config = RunConfig(model=model)
    final = {"images_per_second": per_second}
    return RunSummary("r", None, config, 1, "complete", updated, final, None)


def test_a_training_estimate_scales_with_the_model_and_the_data():
    small, wide = ModelConfig(latent_dim=16), ModelConfig(latent_dim=16, hidden=(64, 128))
    assert model_cost(wide) > 3 * model_cost(small)
    # Past runs of another model on this machine give its speed, scaled to any model.
    speed = machine_speed(
        [
            _summary(small, 1000.0, "2026-01-02"),
            _summary(small, 1.0, "2025-01-01"),  # old and slow: outvoted by the median
            _summary(small, 1000.0, "2026-01-03"),
        ]
    )
    assert speed == pytest.approx(1000.0 * model_cost(small))
    config = RunConfig(model=small, train=TrainConfig(epochs=2))
    # Two epochs of 4,000 training images and 1,000 test images (a third of a step each).
    assert training_seconds(config, 4000, 1000, speed) == pytest.approx(
        2 * (4000 + 1000 / 3) / 1000
    )
    wide_config = RunConfig(model=wide, train=TrainConfig(epochs=2))
    assert training_seconds(wide_config, 4000, 1000, speed) > 3 * training_seconds(
        config, 4000, 1000, speed
    )
    assert machine_speed([]) is None
    # A tiny model's steps are mostly overhead: for a model like the wide one, runs of similar
    # models are preferred when there are any.
    tiny = ModelConfig(latent_dim=2, hidden=(8,))
    mixed = [_summary(tiny, 2000.0, "2026-01-04"), _summary(wide, 100.0, "2026-01-01")]
    assert machine_speed(mixed, model_cost(wide)) == pytest.approx(100.0 * model_cost(wide))
    assert machine_speed(mixed[:1], model_cost(wide)) == pytest.approx(2000.0 * model_cost(tiny))


def test_a_training_continued_from_the_cache_is_timed_by_its_own_steps():
    # The run had 3 of 5 epochs: its first step already reports 0.6 of the training.
    reports = [(0.0, 0, "train", 0.0), (1.0, 0, "train", 0.61), (5.0, 0, "train", 0.65)]
    # 4 s for 0.04 of a training: 100 s a training, so 35 s left in this one and 100 in the next.
    assert remaining_seconds(reports, 2, 5.0, 0.0) == pytest.approx(135.0)
