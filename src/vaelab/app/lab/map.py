"""The latent map as an Altair chart: the encoded images, the prior, and what the lab adds.

:func:`latent_chart` is the map of the live training view (the cloud of a fixed batch settling onto
the prior); :func:`lab_chart` is the lab's, which also draws a posterior q(z | x), the clicked
points, and an invisible grid of points under everything so that a click anywhere selects a place
of the plane (Vega-Lite's nearest-point selection: a click selects the grid point nearest to it).
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from vaelab.app.i18n import t
from vaelab.i18n.format import DECIMAL_MARKS, THOUSANDS

#: Name of the click selection on :func:`lab_chart` (``event.selection[CLICK]``).
CLICK = "click"
#: Points per side of the invisible grid a click snaps to (1/60 of the plane's width: finer
#: than a decoded image changes, and light enough to send at every rerun).
GRID_SIDE = 60
#: Height of the map in pixels; its width follows its column.
HEIGHT = 380


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


def _finish(layers: list[alt.Chart], axes: tuple[str, str], lang: str) -> alt.LayerChart:
    number = {
        "decimal": DECIMAL_MARKS[lang],
        "thousands": THOUSANDS if lang == "fr" else ",",
        "grouping": [3],
        "currency": ["", ""],
    }
    return (
        alt.layer(*layers)
        .encode(
            x=alt.X("x:Q", title=axes[0], scale=alt.Scale(zero=False)),
            y=alt.Y("y:Q", title=axes[1], scale=alt.Scale(zero=False)),
        )
        .properties(height=HEIGHT)
        .configure(locale=alt.Locale(number=number))
        .configure_legend(orient="bottom", columns=5)
    )


def latent_chart(
    points: np.ndarray,
    labels: np.ndarray | None,
    lang: str,
    *,
    classes: Sequence[str] | None = None,
    axes: tuple[str, str] | None = None,
    prior_centre: Sequence[float] = (0.0, 0.0),
) -> alt.LayerChart:
    """The latent map of a set of images, with the prior's 1σ and 2σ rings.

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
    return _finish(layers, titles, lang)


def click_grid(points: np.ndarray, extra: Sequence[Sequence[float]] = ()) -> pd.DataFrame:
    """The invisible points a click on the lab's map snaps to, covering the data and the prior.

    Parameters
    ----------
    points : numpy.ndarray
        ``(N, 2)`` the map's points.
    extra : sequence of (x, y)
        Other places the grid must reach (the prior's 2σ ring, the drawn posterior).

    Returns
    -------
    pandas.DataFrame
        Columns ``x`` and ``y``, :data:`GRID_SIDE` ² rows.
    """
    every = np.concatenate([points, np.asarray(extra, dtype=np.float64).reshape(-1, 2)])
    low, high = every.min(axis=0), every.max(axis=0)
    margin = 0.05 * (high - low) + 1e-3
    xs = np.linspace(low[0] - margin[0], high[0] + margin[0], GRID_SIDE)
    ys = np.linspace(low[1] - margin[1], high[1] + margin[1], GRID_SIDE)
    gx, gy = np.meshgrid(xs, ys)
    return pd.DataFrame({"x": gx.ravel(), "y": gy.ravel()})


def lab_chart(
    points: np.ndarray,
    labels: np.ndarray | None,
    lang: str,
    *,
    classes: Sequence[str] | None,
    axes: tuple[str, str],
    prior_centre: Sequence[float],
    ellipses: pd.DataFrame | None = None,
    marks: pd.DataFrame | None = None,
) -> alt.LayerChart:
    """The lab's map: :func:`latent_chart` plus a posterior, marked points and click selection.

    Parameters
    ----------
    points, labels, lang, classes, axes, prior_centre
        As for :func:`latent_chart`.
    ellipses : pandas.DataFrame, optional
        Vertices of the posterior's rings: columns ``x``, ``y``, ``ring`` (its name), ``i``
        (the order of the vertices).
    marks : pandas.DataFrame, optional
        Points to mark, named beside them: columns ``x``, ``y``, ``what`` (the name) and
        ``shape`` (a Vega-Lite point shape: ``"diamond"``, ``"cross"``...).

    Returns
    -------
    altair.LayerChart
        The chart; ``st.altair_chart(..., on_select="rerun")`` gives the clicked grid point
        as ``event.selection[CLICK]``.
    """
    ring_points = prior_rings(prior_centre, lang)[["x", "y"]].to_numpy()
    extra = [ring_points]
    if ellipses is not None:
        extra.append(ellipses[["x", "y"]].to_numpy())
    grid = click_grid(points, np.concatenate(extra))
    click = alt.selection_point(name=CLICK, fields=["x", "y"], nearest=True, on="click")
    layers: list[alt.Chart] = [
        _cloud(points, labels, classes, lang),
        _rings(prior_centre, lang),
    ]
    if ellipses is not None:
        layers.append(
            alt.Chart(ellipses)
            .mark_line(color="black", strokeWidth=2)
            .encode(x="x:Q", y="y:Q", detail="ring:N", order="i:Q", tooltip="ring:N")
        )
    if marks is not None:
        marked = alt.Chart(marks).encode(x="x:Q", y="y:Q", tooltip="what:N")
        layers += [
            marked.mark_point(size=260, filled=True, color="black", stroke="white").encode(
                shape=alt.Shape("shape:N", scale=None)
            ),
            marked.mark_text(align="left", dx=10, dy=-10, fontWeight="bold").encode(text="what:N"),
        ]
    # On top, so that its Voronoi cells catch every click; transparent, so it is not seen.
    layers.append(
        alt.Chart(grid).mark_point(opacity=0, size=1).encode(x="x:Q", y="y:Q").add_params(click)
    )
    return _finish(layers, axes, lang)
