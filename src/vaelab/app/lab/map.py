"""The latent map as an Altair chart: the encoded images, the prior, and what the lab adds.

:func:`latent_chart` is the map of the live training view (the cloud of a fixed batch settling onto
the prior). :func:`lab_base` and :func:`with_marks` make the lab's: a square map whose spec is
cached per run, with a posterior q(z | x) and the clicked points added at each rerun, and an
invisible grid of points on top so that a click anywhere selects a place of the plane
(Vega-Lite's nearest-point selection: a click selects the grid point nearest to it).
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from vaelab.app.charts import localized
from vaelab.app.i18n import t

#: Name of the click selection on the lab's map (``event.selection[CLICK]``).
CLICK = "click"
#: Points per side of the invisible grid a click snaps to (1/40 of the map's width: finer than a
#: decoded image changes, and light enough to send and draw at every rerun).
GRID_SIDE = 40
#: Side of the maps' square plot in pixels (with its axes, it fits a 390-pixel phone).
SIDE = 290


def prior_rings(centre: Sequence[float], lang: str) -> pd.DataFrame:
    """The 1σ and 2σ circles of the prior N(0, I) on the map, as line vertices.

    Projecting N(0, I) on orthonormal axes gives N(0, I) in the plane, so the rings are circles
    of radius 1 and 2 about where the origin lands (the origin itself for a 2-D latent).
    """
    angle = np.linspace(0.0, 2.0 * np.pi, 73)
    rows = []
    for k in (1, 2):
        ring = t("lab.map.prior_ring", lang, k=k)
        rows += [
            {"x": centre[0] + k * np.cos(a), "y": centre[1] + k * np.sin(a), "ring": ring, "i": i}
            for i, a in enumerate(angle)
        ]
    return pd.DataFrame(rows)


def _cloud(
    points: np.ndarray, labels: np.ndarray | None, classes: Sequence[str] | None, lang: str
) -> alt.Chart:
    frame = pd.DataFrame({"x": points[:, 0], "y": points[:, 1]})
    base = alt.Chart(frame).mark_circle(size=14, opacity=0.55)
    if labels is None:
        return base.encode(x="x:Q", y="y:Q")
    names = [classes[i] if classes is not None else str(i) for i in labels.tolist()]
    frame["class"] = names
    order = list(classes) if classes is not None else sorted(set(names), key=int)
    return base.encode(
        x="x:Q",
        y="y:Q",
        color=alt.Color("class:N", title=t("plot.class", lang), sort=order),
    )


def _rings(centre: Sequence[float], lang: str) -> alt.Chart:
    return (
        alt.Chart(prior_rings(centre, lang))
        .mark_line(color="#555", strokeDash=[4, 3], strokeWidth=1)
        .encode(x="x:Q", y="y:Q", detail="ring:N", order="i:Q", tooltip=alt.Tooltip("ring:N"))
    )


def _finish(
    layers: list[alt.Chart],
    axes: tuple[str, str],
    lang: str,
    domain: tuple[tuple[float, float], tuple[float, float]],
) -> alt.LayerChart:
    # A square plot with equal spans: the prior's circles look round.
    scales = [alt.Scale(domain=list(span), nice=False) for span in domain]
    # "pad": the size is the plot's own, whatever the axes and the legend take around it.
    size = {"width": SIDE, "height": SIDE, "autosize": alt.AutoSizeParams(type="pad")}
    chart = (
        alt.layer(*layers)
        .encode(
            x=alt.X("x:Q", title=axes[0], scale=scales[0]),
            y=alt.Y("y:Q", title=axes[1], scale=scales[1]),
        )
        .properties(**size)
    )
    return localized(chart, lang).configure_legend(orient="bottom", columns=5)


def latent_chart(
    points: np.ndarray,
    labels: np.ndarray | None,
    lang: str,
    *,
    classes: Sequence[str] | None = None,
    axes: tuple[str, str] | None = None,
    prior_centre: Sequence[float] = (0.0, 0.0),
) -> alt.LayerChart:
    """The latent map of a set of images, with the prior's 1σ and 2σ rings, on equal axes.

    Parameters
    ----------
    points : numpy.ndarray
        ``(N, 2)`` map coordinates (:meth:`vaelab.explore.live_map.LatentTracker.points`).
    labels : numpy.ndarray or None
        ``(N,)`` class indices to colour the points by.
    lang : str
        Language of the titles and numbers.
    classes : sequence of str, optional
        Class names, indexed by label (the indices themselves when absent).
    axes : tuple of str, optional
        Axis titles; by default z₁ and z₂.
    prior_centre : sequence of float, default (0, 0)
        Where the origin of the latent space lands on the map
        (:attr:`vaelab.explore.live_map.LatentTracker.prior_centre`).

    Returns
    -------
    altair.LayerChart
        The chart, for ``st.altair_chart``.
    """
    titles = axes or (t("plot.latent_axis", lang, i="₁"), t("plot.latent_axis", lang, i="₂"))
    layers = [_cloud(points, labels, classes, lang), _rings(prior_centre, lang)]
    return _finish(layers, titles, lang, square_domain(points, prior_centre))


def square_domain(
    points: np.ndarray, centre: Sequence[float]
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Equal spans for both axes, covering the points and the prior's 2σ ring.

    Parameters
    ----------
    points : numpy.ndarray
        ``(N, 2)`` the map's points.
    centre : sequence of float
        Where the prior's rings are centred.

    Returns
    -------
    tuple
        ``((x_low, x_high), (y_low, y_high))``, both of the same length.
    """
    ring = np.asarray(centre, dtype=np.float64)
    every = np.concatenate([points.astype(np.float64), [ring - 2.0, ring + 2.0]])
    low, high = every.min(axis=0), every.max(axis=0)
    middle, half = (low + high) / 2, 0.55 * float((high - low).max())
    return (
        (float(middle[0] - half), float(middle[0] + half)),
        (float(middle[1] - half), float(middle[1] + half)),
    )


def click_grid(domain: tuple[tuple[float, float], tuple[float, float]]) -> pd.DataFrame:
    """The invisible points a click on the lab's map snaps to, :data:`GRID_SIDE` per side.

    Parameters
    ----------
    domain : tuple
        The map's ``((x_low, x_high), (y_low, y_high))``.

    Returns
    -------
    pandas.DataFrame
        Columns ``x`` and ``y``, :data:`GRID_SIDE` ² rows, rounded to 1/1000 of the span.
    """
    (x0, x1), (y0, y1) = domain
    digits = max(0, 3 - int(np.floor(np.log10(x1 - x0))))
    xs = np.linspace(x0, x1, GRID_SIDE).round(digits)
    ys = np.linspace(y0, y1, GRID_SIDE).round(digits)
    gx, gy = np.meshgrid(xs, ys)
    return pd.DataFrame({"x": gx.ravel(), "y": gy.ravel()})


def lab_base(
    points: np.ndarray,
    labels: np.ndarray | None,
    lang: str,
    *,
    classes: Sequence[str] | None,
    axes: tuple[str, str],
    prior_centre: Sequence[float],
) -> dict:
    """The lab's map without the drawing and the clicks, as a Vega-Lite spec to cache per run.

    :func:`latent_chart`'s layers on a square plot with equal axes, and on top an invisible grid
    of points that carries the click selection: a click anywhere selects the grid point nearest
    to it. :func:`with_marks` adds what changes from one rerun to the next.

    Parameters
    ----------
    points, labels, lang, classes, axes, prior_centre
        As for :func:`latent_chart`.

    Returns
    -------
    dict
        The spec, for ``st.vega_lite_chart(..., on_select="rerun")``; the clicked grid point is
        ``event.selection[CLICK]``.
    """
    domain = square_domain(points, prior_centre)
    click = alt.selection_point(name=CLICK, fields=["x", "y"], nearest=True, on="click")
    layers = [
        _cloud(points.round(4), labels, classes, lang),
        _rings(prior_centre, lang),
        # Last, so that its Voronoi cells catch every click; transparent, so it is not seen.
        alt.Chart(click_grid(domain))
        .mark_point(opacity=0, size=1)
        .encode(x="x:Q", y="y:Q")
        .add_params(click),
    ]
    return _finish(layers, axes, lang, domain).to_dict()


def with_marks(base: dict, ellipses: pd.DataFrame | None, marks: pd.DataFrame | None) -> dict:
    """:func:`lab_base`'s spec with a posterior's rings and named points, under the click grid.

    Parameters
    ----------
    base : dict
        The spec of :func:`lab_base` (left unchanged).
    ellipses : pandas.DataFrame, optional
        Vertices of the posterior's rings: columns ``x``, ``y``, ``ring`` (its name), ``i``
        (the order of the vertices).
    marks : pandas.DataFrame, optional
        Points to mark, named beside them: columns ``x``, ``y``, ``what`` (the name) and
        ``shape`` (a Vega-Lite point shape: ``"diamond"``, ``"cross"``...).

    Returns
    -------
    dict
        A new spec; the layers are plain Vega-Lite, built without Altair's validation, which
        costs more than the rest of a rerun.
    """
    extra = []
    if ellipses is not None:
        extra.append(
            {
                "data": {"values": ellipses.to_dict("records")},
                "mark": {"type": "line", "color": "black", "strokeWidth": 2, "clip": True},
                "encoding": {
                    "detail": {"field": "ring", "type": "nominal"},
                    "order": {"field": "i", "type": "quantitative"},
                    "tooltip": {"field": "ring", "type": "nominal"},
                },
            }
        )
    if marks is not None:
        values = marks.to_dict("records")
        extra += [
            {
                "data": {"values": values},
                "mark": {
                    "type": "point",
                    "size": 260,
                    "filled": True,
                    "color": "black",
                    "stroke": "white",
                    "clip": True,
                },
                "encoding": {
                    "shape": {"field": "shape", "type": "nominal", "scale": None},
                    "tooltip": {"field": "what", "type": "nominal"},
                },
            },
            {
                "data": {"values": values},
                "mark": {
                    "type": "text",
                    "align": "left",
                    "dx": 10,
                    "dy": -10,
                    "fontWeight": "bold",
                    "clip": True,
                },
                "encoding": {"text": {"field": "what", "type": "nominal"}},
            },
        ]
    spec = dict(base)
    spec["layer"] = [*base["layer"][:-1], *extra, base["layer"][-1]]
    return spec
