"""The per-step loss curve of a run, thinned to a bounded number of points.

Each point is ``{"step": s, <term>: value, ...}``: the mean of the loss terms over the steps since
the point before (over steps 1 to ``s`` for the first). While the curve has room, every step is a
point; when it would pass ``max_points``, consecutive points are merged in pairs, and from then on
each new point gathers twice as many steps. All points therefore span the same number of steps but
the last, which is still filling. The width is read from the points themselves, so a curve saved
with a run and read back continues exactly as if the training had never stopped. A run trained
before curves were saved starts its curve where it is continued.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from vaelab.runs.limits import MAX_CURVE_POINTS


class LossCurve:
    """Per-step loss terms, averaged over runs of consecutive steps to stay under ``max_points``.

    Parameters
    ----------
    points : sequence of mapping, optional
        A curve saved earlier (:attr:`points`), continued from its last step.
    max_points : int
        Most points held; at least 4, so that a curve read back always shows its width.
    """

    def __init__(
        self, points: Sequence[Mapping[str, float]] = (), max_points: int = MAX_CURVE_POINTS
    ) -> None:
        if max_points < 4:
            raise ValueError(f"a curve needs room for at least 4 points, got {max_points}")
        self.max_points = max_points
        self._points = [dict(p) for p in points]
        steps = [int(p["step"]) for p in self._points]
        #: Steps each point averages (all but the last, which may still be filling).
        self._width = max((b - a for a, b in zip(steps, steps[1:], strict=False)), default=1)

    @property
    def points(self) -> list[dict[str, float]]:
        """The points, oldest first, as JSON-ready dicts (copies)."""
        return [dict(p) for p in self._points]

    def add(self, step: int, metrics: Mapping[str, float]) -> None:
        """Record the loss terms of step ``step`` (the step after the curve's last one)."""
        last = self._points[-1] if self._points else None
        if last is not None and self._span(-1) < self._width:
            # The last point is still filling: fold this step into its mean.
            span = self._span(-1)
            self._points[-1] = _merge(last, span, {"step": step, **metrics}, 1)
        else:
            self._points.append({"step": step, **metrics})
        if len(self._points) > self.max_points:
            self._halve()

    def _span(self, index: int) -> int:
        """Number of steps point ``index`` averages (the first one is always full)."""
        index %= len(self._points)
        if index == 0:
            return self._width
        return int(self._points[index]["step"]) - int(self._points[index - 1]["step"])

    def _halve(self) -> None:
        merged = []
        for i in range(0, len(self._points) - 1, 2):
            merged.append(
                _merge(self._points[i], self._span(i), self._points[i + 1], self._span(i + 1))
            )
        if len(self._points) % 2:
            merged.append(self._points[-1])
        self._points = merged
        self._width *= 2


def _merge(a: Mapping[str, float], na: int, b: Mapping[str, float], nb: int) -> dict[str, float]:
    """Point ``b`` (``nb`` steps) folded into point ``a`` (``na`` steps before it): their mean."""
    merged: dict[str, float] = {"step": b["step"]}
    for key, value in b.items():
        if key != "step":
            # A term missing from a (a σ that appeared mid-run) counts b's value alone.
            merged[key] = (a[key] * na + value * nb) / (na + nb) if key in a else value
    return merged
