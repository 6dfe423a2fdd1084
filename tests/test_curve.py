"""The per-step loss curve: bounded, exact means, continued exactly, saved with the run."""

import json

import pytest

from vaelab.errors import RunError
from vaelab.runs import MANIFEST, RunStore
from vaelab.runs.limits import MAX_CURVE_POINTS
from vaelab.training.curve import LossCurve
from vaelab.training.experiment import build_config, train


def fill(curve, first, last):
    for step in range(first, last + 1):
        curve.add(step, {"loss": float(step), "kl": 1.0})
    return curve


def test_every_step_is_a_point_while_there_is_room():
    points = fill(LossCurve(max_points=8), 1, 8).points
    assert points == [{"step": s, "loss": float(s), "kl": 1.0} for s in range(1, 9)]


@pytest.mark.parametrize("steps", [9, 100, 1001, 4097])
def test_a_long_curve_is_thinned_into_equal_spans_of_exact_means(steps):
    points = fill(LossCurve(max_points=16), 1, steps).points
    assert 8 <= len(points) <= 16 and points[-1]["step"] == steps
    ends = [0, *(p["step"] for p in points)]
    spans = [b - a for a, b in zip(ends, ends[1:], strict=False)]
    assert len(set(spans[:-1])) == 1 and spans[-1] <= spans[0]
    for start, point in zip(ends, points, strict=False):
        # The mean of the steps start+1 ... point["step"], whose loss is the step number.
        assert point["loss"] == pytest.approx((start + 1 + point["step"]) / 2, rel=1e-12)
        assert point["kl"] == pytest.approx(1.0)


def test_a_curve_read_back_continues_as_if_never_stopped():
    straight = fill(LossCurve(max_points=6), 1, 200).points
    for stop in (1, 5, 6, 7, 13, 50, 199):
        saved = json.loads(json.dumps(fill(LossCurve(max_points=6), 1, stop).points))
        assert fill(LossCurve(saved, max_points=6), stop + 1, 200).points == straight, stop


def test_a_curve_needs_room_for_four_points():
    with pytest.raises(ValueError, match="at least 4 points"):
        LossCurve(max_points=3)


@pytest.fixture
def trained(tiny_data, tmp_path):
    store = RunStore(tmp_path / "runs")
    config = build_config(tiny_data, latent_dim=2, hidden=(8,), epochs=2, batch_size=32)
    return store, train(config, tiny_data, store=store, device="cpu").run


def test_the_run_saves_one_point_per_step_and_reads_it_back(trained):
    store, run = trained
    assert [p["step"] for p in run.curve] == [1, 2, 3, 4, 5, 6]
    assert set(run.curve[0]) == {"step", "loss", "recon", "kl", "mse"}
    assert store.load(run.run_id).curve == run.curve
    assert len(run.curve) <= MAX_CURVE_POINTS


@pytest.mark.parametrize(
    ("curve", "message"),
    [
        ([{"step": 2}, {"step": 2}], r"curve\[1\].step must be a whole number from 3 to 6"),
        ([{"step": 7}], r"curve\[0\].step must be a whole number from 1 to 6"),
        ([{"loss": 1.0}], r"curve\[0\].step must be a whole number"),
        ([{"step": 1, "loss": "low"}], r"curve\[0\].loss must be a finite number"),
        ([{"step": 1}] * (MAX_CURVE_POINTS + 1), "curve must be a list of at most 2000"),
    ],
)
def test_a_bad_curve_in_run_json_is_refused_in_one_line(trained, curve, message):
    store, run = trained
    path = store.path(run.run_id) / MANIFEST
    manifest = json.loads(path.read_text())
    manifest["curve"] = curve
    path.write_text(json.dumps(manifest))
    with pytest.raises(RunError, match=message):
        store.load(run.run_id)


def test_a_run_saved_without_a_curve_loads_with_an_empty_one(trained):
    store, run = trained
    path = store.path(run.run_id) / MANIFEST
    manifest = json.loads(path.read_text())
    del manifest["curve"]
    path.write_text(json.dumps(manifest))
    assert store.load(run.run_id).curve == []
