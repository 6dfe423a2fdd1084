"""Figures of VAE Lab: image grids, loss curves, the latent map and the KL per dimension.

Plain matplotlib through its object-oriented API (``matplotlib.figure.Figure``, never
``pyplot``): no global state, so Streamlit's threads can draw at the same time, and no UI import.

Figures speak in ids: every text they show comes from the caller's ``labels`` mapping, whose keys
are :data:`LABEL_KEYS`, in the caller's language. :mod:`vaelab.i18n` has them in English and in
French: ``texts("plot", lang)``. Labels containing ``{placeholders}`` are formatted here.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator
from PIL import Image
from torch import Tensor
from torchvision.utils import make_grid

#: Ids of every text a figure can show; callers pass the words for them in a ``labels`` mapping.
LABEL_KEYS: tuple[str, ...] = (
    "epoch",
    "step",
    "train",
    "test",
    "loss",
    "recon",
    "kl",
    "sigma",
    "mse",
    "latent_dim",
    "kl_per_dim",
    "active",
    "inactive",
    "latent_axis",
    "pc_axis",
    "images",
    "your_image",
    "class",
)

#: Curves drawn by :func:`loss_curves`, in panel order; ``sigma`` only when recorded.
CURVE_METRICS = ("loss", "recon", "kl", "sigma")
_TRAIN_COLOR, _TEST_COLOR = "#1f77b4", "#d62728"
_ACTIVE_COLOR, _INACTIVE_COLOR = "#2a7ab9", "#b9b9b9"
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


# -- images ----------------------------------------------------------------------------------


def _as_float(images: Tensor) -> Tensor:
    """Float images in [0, 1] on the CPU, from ``uint8`` or float ones."""
    x = images.detach().cpu()
    return x.float() / 255.0 if x.dtype == torch.uint8 else x.float().clamp(0.0, 1.0)


def image_grid(
    images: Tensor,
    nrow: int = 8,
    *,
    padding: int = 2,
    pad_value: float = 0.5,
    scale: int = 1,
) -> np.ndarray:
    """Tile images into one picture.

    Parameters
    ----------
    images : Tensor
        ``(N, C, H, W)`` with C = 1 or 3, ``uint8`` or float in [0, 1].
    nrow : int, default 8
        Images per row.
    padding : int, default 2
        Pixels between images (before scaling).
    pad_value : float, default 0.5
        Grey level of the padding, in [0, 1]; mid-grey separates both dark and light images.
    scale : int, default 1
        Integer upscaling with nearest-neighbour pixels, so that 28-pixel digits stay sharp when
        shown large.

    Returns
    -------
    numpy.ndarray
        ``uint8`` array, ``(H', W')`` for grey images or ``(H', W', 3)`` for colour ones.
    """
    if images.ndim != 4 or images.shape[1] not in (1, 3):
        raise ValueError(f"expected images shaped (N, 1 or 3, H, W), got {tuple(images.shape)}")
    x = _as_float(images)
    channels = x.shape[1]
    grid = make_grid(x, nrow=max(1, nrow), padding=padding, pad_value=pad_value)  # (3, H', W')
    if scale > 1:
        grid = grid.repeat_interleave(scale, dim=1).repeat_interleave(scale, dim=2)
    array = (grid * 255.0).round().clamp(0, 255).to(torch.uint8)
    if channels == 1:
        return array[0].numpy()
    return array.permute(1, 2, 0).contiguous().numpy()


def reconstruction_grid(
    originals: Tensor,
    reconstructions: Tensor,
    *,
    padding: int = 2,
    pad_value: float = 0.5,
    scale: int = 1,
) -> np.ndarray:
    """Originals in the top row, their reconstructions below, as one picture.

    Parameters
    ----------
    originals, reconstructions : Tensor
        ``(N, C, H, W)`` images, ``uint8`` or float in [0, 1], one reconstruction per original.
    padding, pad_value, scale
        As for :func:`image_grid`.

    Returns
    -------
    numpy.ndarray
        ``uint8`` array of two rows of ``N`` images (see :func:`image_grid`).
    """
    if originals.shape != reconstructions.shape:
        raise ValueError(
            f"expected one reconstruction per original, got {tuple(reconstructions.shape)} "
            f"for {tuple(originals.shape)}"
        )
    both = torch.cat([_as_float(originals), _as_float(reconstructions)])
    return image_grid(both, nrow=len(originals), padding=padding, pad_value=pad_value, scale=scale)


def upscale_for_display(side: int, target: int = 112) -> int:
    """Integer factor that brings an image side near ``target`` pixels (at least 1)."""
    return max(1, round(target / max(1, side)))


def png_bytes(picture: np.ndarray | Figure, dpi: int = 110) -> bytes:
    """Encode an image array or a figure as PNG.

    Parameters
    ----------
    picture : numpy.ndarray or Figure
        A ``uint8`` array from :func:`image_grid`, or a matplotlib figure.
    dpi : int, default 110
        Resolution of a figure.

    Returns
    -------
    bytes
        The PNG file.
    """
    buffer = io.BytesIO()
    if isinstance(picture, Figure):
        picture.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    else:
        Image.fromarray(np.asarray(picture, dtype=np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


# -- curves ----------------------------------------------------------------------------------


def _series(history: Sequence[Mapping[str, float]], x: str, key: str) -> tuple[list, list]:
    points = [(r[x], r[key]) for r in history if x in r and r.get(key) is not None]
    return [p[0] for p in points], [p[1] for p in points]


def _metrics_in(history: Sequence[Mapping[str, float]], metrics: Sequence[str]) -> list[str]:
    return [m for m in metrics if any(f"train_{m}" in r or f"test_{m}" in r for r in history)]


def _whole_number_axis(ax: Axes) -> None:
    """Ticks at whole epochs (or steps); a run of one or two epochs gets room on both sides."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    low, high = ax.dataLim.intervalx
    if ax.lines and high - low < 2:
        ax.set_xlim(low - 1, high + 1)


def loss_curves(
    history: Sequence[Mapping[str, float]],
    *,
    x: str = "epoch",
    metrics: Sequence[str] = CURVE_METRICS,
    labels: Mapping[str, str],
) -> Figure:
    """Train and test curves of the loss and its terms, one panel per term.

    Parameters
    ----------
    history : sequence of dict
        Records such as the trainer's epoch records: an ``x`` key and ``train_<metric>`` /
        ``test_<metric>`` values. Missing values are skipped.
    x : str, default "epoch"
        Key of the horizontal axis (``"epoch"`` or ``"step"``).
    metrics : sequence of str, default ``CURVE_METRICS``
        Terms to draw; those absent from the history (σ outside the σ-VAE) get no panel.
    labels : mapping
        The texts, keyed by :data:`LABEL_KEYS`.

    Returns
    -------
    Figure
        One row of panels, or two rows of two for four panels.
    """
    shown = _metrics_in(history, metrics) or list(metrics[:1])
    # Four panels in a row leave each too small to read: two rows of two instead.
    ncols = 2 if len(shown) == 4 else len(shown)
    nrows = -(-len(shown) // ncols)
    fig = Figure(figsize=(3.6 * ncols, 2.8 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, metric in zip(axes, shown, strict=True):
        for split, color, style in (("train", _TRAIN_COLOR, "-"), ("test", _TEST_COLOR, "--")):
            xs, ys = _series(history, x, f"{split}_{metric}")
            if xs:
                # A marker per point keeps a 1-epoch run visible (a line needs two points).
                marker = "o" if len(xs) <= 30 else None
                ax.plot(xs, ys, style, color=color, marker=marker, ms=3, label=labels[split])
        ax.set_title(labels.get(metric, metric), fontsize=10)
        ax.set_xlabel(labels.get(x, x))
        _whole_number_axis(ax)
        ax.grid(alpha=0.3)
        if ax.lines:
            ax.legend(fontsize=8)
    return fig


def compare_curves(
    histories: Mapping[str, Sequence[Mapping[str, float]]],
    *,
    split: str = "test",
    x: str = "epoch",
    metrics: Sequence[str] = ("loss", "kl", "mse"),
    labels: Mapping[str, str],
) -> Figure:
    """Curves of several runs, one colour per run, one panel per term.

    Parameters
    ----------
    histories : mapping of str to sequence of dict
        Name shown in the legend -> the run's history records.
    split : str, default "test"
        ``"train"`` or ``"test"`` values.
    x : str, default "epoch"
        Key of the horizontal axis.
    metrics : sequence of str, optional
        Terms to draw, by default ``("loss", "kl", "mse")`` (those no run recorded are left
        out). Losses of runs with different likelihoods are on different scales; the MSE per
        pixel compares any two runs.
    labels : mapping
        The texts, keyed by :data:`LABEL_KEYS`.

    Returns
    -------
    Figure
        One row of panels with a shared legend below.
    """
    every = [r for h in histories.values() for r in h]
    shown = _metrics_in(every, metrics) or list(metrics[:1])
    fig = Figure(figsize=(3.6 * len(shown), 3.3), layout="constrained")
    axes = fig.subplots(1, len(shown), squeeze=False)[0]
    colors = _palette(len(histories))
    handles = []
    for (name, history), color in zip(histories.items(), colors, strict=True):
        handles.append(Line2D([], [], color=color, marker="o", ms=3, label=name))
        for ax, metric in zip(axes, shown, strict=True):
            xs, ys = _series(history, x, f"{split}_{metric}")
            if xs:
                ax.plot(xs, ys, color=color, marker="o" if len(xs) <= 30 else None, ms=3)
    for ax, metric in zip(axes, shown, strict=True):
        ax.set_title(f"{labels.get(metric, metric)} — {labels.get(split, split)}", fontsize=10)
        ax.set_xlabel(labels.get(x, x))
        _whole_number_axis(ax)
        ax.grid(alpha=0.3)
    if handles:
        fig.legend(
            handles=handles, loc="outside lower center", ncols=min(3, len(handles)), fontsize=8
        )
    return fig


def sample_rows(rows: Sequence[tuple[str, Tensor]], *, scale: int | None = None) -> Figure:
    """One row of samples per model, its name on the left: the σ-VAE paper's figure.

    Parameters
    ----------
    rows : sequence of tuple
        Pairs of a model's name (str) and its samples (Tensor), ``(n, C, H, W)`` ``uint8`` or
        float in [0, 1]; every row should have as many images of one shape.
    scale : int, optional
        Pixels per image pixel; by default images are drawn about 56 pixels wide.

    Returns
    -------
    Figure
        ``len(rows)`` strips of images, top to bottom in the order given.
    """
    if not rows:
        raise ValueError("sample_rows needs at least one row")
    side = int(rows[0][1].shape[-1])
    scale = scale or upscale_for_display(side, 56)
    strips = [image_grid(images, nrow=len(images), scale=scale) for _, images in rows]
    height, width = strips[0].shape[:2]
    dpi = 100
    label_width = 2.2  # inches for the names
    fig = Figure(figsize=(label_width + width / dpi, len(rows) * (height / dpi + 0.08)), dpi=dpi)
    fig.subplots_adjust(left=label_width / (label_width + width / dpi), right=1, top=1, bottom=0)
    axes = fig.subplots(len(rows), 1, squeeze=False)[:, 0]
    for ax, (name, _), strip in zip(axes, rows, strips, strict=True):
        ax.imshow(strip, cmap="gray" if strip.ndim == 2 else None, vmin=0, vmax=255)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_ylabel(name, rotation=0, ha="right", va="center", fontsize=11)
    return fig


# -- the latent space ------------------------------------------------------------------------


def _palette(n: int) -> list:
    from matplotlib import colormaps

    if n <= 10:
        return [colormaps["tab10"](i) for i in range(n)]
    if n <= 20:
        return [colormaps["tab20"](i) for i in range(n)]
    return [colormaps["turbo"](i / max(1, n - 1)) for i in range(n)]


def axis_titles(
    method: str, explained: Sequence[float], labels: Mapping[str, str]
) -> tuple[str, str]:
    """Titles of the two axes of the latent map.

    Parameters
    ----------
    method : str
        ``"latent"`` (the axes are z₁ and z₂) or ``"pca"`` (principal components).
    explained : sequence of float
        Share of the variance along each axis, in [0, 1] (used for PCA).
    labels : mapping
        The texts, keyed by :data:`LABEL_KEYS`.

    Returns
    -------
    tuple of str
        Horizontal and vertical titles.
    """
    if method == "latent":
        return tuple(  # type: ignore[return-value]
            labels["latent_axis"].format(i=str(i).translate(_SUBSCRIPTS)) for i in (1, 2)
        )
    return tuple(  # type: ignore[return-value]
        labels["pc_axis"].format(i=i, pct=round(100 * float(share)))
        for i, share in zip((1, 2), explained, strict=True)
    )


def latent_scatter(
    coords: Tensor | np.ndarray,
    targets: Tensor | np.ndarray | None = None,
    class_names: Sequence[str] | None = None,
    *,
    axes: tuple[str, str] = ("z₁", "z₂"),
    highlight: Tensor | np.ndarray | None = None,
    labels: Mapping[str, str],
) -> Figure:
    """Scatter plot of encoded images in 2-D, coloured by class.

    Parameters
    ----------
    coords : array-like
        ``(N, 2)`` positions (from :meth:`vaelab.explore.Projection.transform`).
    targets : array-like, optional
        ``(N,)`` integer class labels; without them every point has one colour.
    class_names : sequence of str, optional
        Legend names, indexed by label; the labels themselves when absent.
    axes : tuple of str
        Axis titles (see :func:`axis_titles`).
    highlight : array-like, optional
        ``(K, 2)`` positions drawn as large stars (the user's image).
    labels : mapping
        The texts, keyed by :data:`LABEL_KEYS`.

    Returns
    -------
    Figure
        The map, legend outside on the right.
    """
    xy = np.asarray(coords, dtype=np.float64).reshape(-1, 2)
    fig = Figure(figsize=(5.4, 4.2), layout="constrained")
    ax = fig.subplots()
    # Small, slightly transparent points: thousands of them must not hide each other.
    size, alpha = (8, 0.7) if len(xy) > 500 else (18, 0.8)
    if targets is None:
        ax.scatter(
            xy[:, 0],
            xy[:, 1],
            s=size,
            alpha=alpha,
            color=_palette(1)[0],
            label=labels["images"],
            linewidths=0,
        )
    else:
        y = np.asarray(targets).reshape(-1)
        values = sorted(set(y.tolist()))
        n_classes = max(len(class_names or ()), (max(values) + 1) if values else 0)
        colors = _palette(n_classes)
        for value in values:
            mask = y == value
            name = class_names[value] if class_names and value < len(class_names) else str(value)
            ax.scatter(
                xy[mask, 0],
                xy[mask, 1],
                s=size,
                alpha=alpha,
                color=colors[value],
                label=name,
                linewidths=0,
            )
    if highlight is not None:
        star = np.asarray(highlight, dtype=np.float64).reshape(-1, 2)
        ax.scatter(
            star[:, 0],
            star[:, 1],
            s=320,
            marker="*",
            color="gold",
            edgecolors="black",
            linewidths=1.2,
            zorder=5,
            label=labels["your_image"],
        )
    ax.set_xlabel(axes[0])
    ax.set_ylabel(axes[1])
    ax.grid(alpha=0.25)
    legend = ax.legend(
        loc="center left",
        bbox_to_anchor=(1.01, 0.5),
        fontsize=8,
        title=labels["class"] if targets is not None else None,
        frameon=False,
    )
    for handle, label in zip(legend.legend_handles, legend.get_texts(), strict=True):
        if handle is not None:
            # Legend markers at a fixed, readable size whatever the size of the points.
            handle.set_alpha(1.0)
            handle.set_sizes([140 if label.get_text() == labels["your_image"] else 36])
    return fig


def manifold_figure(
    grid: np.ndarray,
    values: Sequence[float],
    *,
    axes: tuple[str, str] = ("z₁", "z₂"),
) -> Figure:
    """Show a decoded manifold grid with its latent coordinates on the axes.

    Parameters
    ----------
    grid : numpy.ndarray
        The tiled images from :func:`image_grid` with ``padding=0`` (see
        :func:`vaelab.explore.manifold_grid` for the order).
    values : sequence of float
        Latent value of each row and column, increasing.
    axes : tuple of str
        Axis titles.

    Returns
    -------
    Figure
        The grid over ``[values[0], values[-1]]`` on both axes.
    """
    v = np.asarray(values, dtype=np.float64)
    half = (v[-1] - v[0]) / (len(v) - 1) / 2 if len(v) > 1 else 0.5
    extent = (v[0] - half, v[-1] + half, v[0] - half, v[-1] + half)
    fig = Figure(figsize=(5.2, 5.0), layout="constrained")
    ax = fig.subplots()
    ax.imshow(
        grid,
        cmap="gray" if grid.ndim == 2 else None,
        vmin=0,
        vmax=255,
        extent=extent,
        interpolation="nearest",
    )
    ax.set_xlabel(axes[0])
    ax.set_ylabel(axes[1])
    return fig


def kl_history(records: Sequence[Mapping], *, labels: Mapping[str, str]) -> Figure:
    """Heat map of the mean KL of each latent dimension after each recorded epoch.

    Parameters
    ----------
    records : sequence of mapping
        A run's ``latent_kl``: ``{"epoch": e, "kl": [...]}`` in epoch order
        (:class:`vaelab.training.schedules.KLPerEpoch`).
    labels : mapping
        The texts, keyed by :data:`LABEL_KEYS`.

    Returns
    -------
    Figure
        One row per recorded epoch, one column per dimension; a dimension whose colour fades to
        0 has collapsed to the prior.
    """
    values = np.asarray([r["kl"] for r in records], dtype=np.float64)  # (epochs, D)
    epochs = [int(r["epoch"]) for r in records]
    d = values.shape[1]
    fig = Figure(figsize=(min(11.0, max(5.0, 0.09 * d + 3.5)), 3.2), layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(values, aspect="auto", cmap="viridis", interpolation="nearest", vmin=0.0)
    ax.set_xlabel(labels["latent_dim"])
    ax.set_ylabel(labels["epoch"])
    # Records may skip epochs (a long training keeps a spread of them): label the rows.
    rows = np.linspace(0, len(epochs) - 1, min(len(epochs), 8)).round().astype(int)
    ax.set_yticks(rows, [str(epochs[i]) for i in rows])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.colorbar(image, ax=ax, label=labels["kl_per_dim"])
    return fig


def kl_bars(
    kl: Tensor | np.ndarray,
    active: Tensor | np.ndarray,
    *,
    labels: Mapping[str, str],
) -> Figure:
    """Bar chart of the mean KL of each latent dimension, active ones highlighted.

    Parameters
    ----------
    kl : array-like
        ``(D,)`` mean KL per dimension in nats.
    active : array-like
        ``(D,)`` booleans (see :class:`vaelab.explore.LatentUsage`).
    labels : mapping
        The texts, keyed by :data:`LABEL_KEYS`.

    Returns
    -------
    Figure
        One bar per dimension, in dimension order.
    """
    values = np.asarray(kl, dtype=np.float64).reshape(-1)
    on = np.asarray(active, dtype=bool).reshape(-1)
    d = len(values)
    fig = Figure(figsize=(min(11.0, max(5.0, 0.09 * d + 3.5)), 3.2), layout="constrained")
    ax = fig.subplots()
    index = np.arange(d)
    ax.bar(index, values, width=0.85, color=np.where(on, _ACTIVE_COLOR, _INACTIVE_COLOR))
    # Both entries always, so that "inactive (0)" says plainly that every dimension is used.
    ax.legend(
        handles=[
            Patch(color=_ACTIVE_COLOR, label=labels["active"].format(n=int(on.sum()))),
            Patch(color=_INACTIVE_COLOR, label=labels["inactive"].format(n=int((~on).sum()))),
        ],
        fontsize=8,
    )
    ax.set_xlabel(labels["latent_dim"])
    ax.set_ylabel(labels["kl_per_dim"])
    ax.set_xlim(-0.7, d - 0.3)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(axis="y", alpha=0.3)
    return fig
