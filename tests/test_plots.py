"""Figures: image grids, curves, the latent map, the KL bars; translated labels."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from PIL import Image

from vaelab.explore import plots
from vaelab.i18n import STRINGS, texts

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ENGLISH = texts("plot", "en")


def history(epochs: int = 3, sigma: bool = False) -> list[dict[str, float]]:
    records = []
    for epoch in range(1, epochs + 1):
        record = {"epoch": epoch}
        for split in ("train", "test"):
            record |= {
                f"{split}_loss": 100.0 / epoch,
                f"{split}_recon": 90.0 / epoch,
                f"{split}_kl": 10.0,
                f"{split}_mse": 0.05 / epoch,
            }
            if sigma:
                record[f"{split}_sigma"] = 0.3 / epoch
        records.append(record)
    return records


def titles(fig: Figure) -> list[str]:
    return [ax.get_title() for ax in fig.axes if ax.get_title()]


def test_image_grid_of_grey_and_colour_images():
    grey = torch.rand(6, 1, 5, 7)
    grid = plots.image_grid(grey, nrow=3, padding=1)
    assert grid.dtype == np.uint8 and grid.shape == (2 * 6 + 1, 3 * 8 + 1)
    colour = torch.randint(0, 256, (4, 3, 5, 5), dtype=torch.uint8)
    grid = plots.image_grid(colour, nrow=4, padding=0, scale=3)
    assert grid.shape == (15, 60, 3)
    # uint8 and float inputs agree, and scaling repeats pixels.
    np.testing.assert_array_equal(
        grid[::3, ::3], plots.image_grid(colour.float() / 255, 4, padding=0)
    )
    with pytest.raises(ValueError, match="images shaped"):
        plots.image_grid(torch.rand(2, 2, 5, 5))


def test_reconstruction_grid_puts_originals_above_reconstructions():
    originals = torch.zeros(3, 1, 4, 4)
    reconstructions = torch.ones(3, 1, 4, 4)
    grid = plots.reconstruction_grid(originals, reconstructions, padding=1, pad_value=1.0, scale=2)
    assert grid.shape == (2 * (2 * 4 + 3), 2 * (3 * 5 + 1))
    assert grid.dtype == np.uint8
    assert grid[2, 2] == 0  # inside the first original
    assert grid[2 * 6, 2] == 255  # inside the first reconstruction
    assert grid[0, 0] == 255  # the padding
    rgb = plots.reconstruction_grid(torch.zeros(2, 3, 4, 4), torch.zeros(2, 3, 4, 4))
    assert rgb.ndim == 3 and rgb.shape[2] == 3
    uint8 = torch.full((2, 1, 4, 4), 255, dtype=torch.uint8)
    np.testing.assert_array_equal(
        plots.reconstruction_grid(uint8, torch.ones(2, 1, 4, 4)),
        plots.image_grid(torch.ones(4, 1, 4, 4), nrow=2),
    )
    with pytest.raises(ValueError, match="one reconstruction per original"):
        plots.reconstruction_grid(torch.zeros(3, 1, 4, 4), torch.zeros(2, 1, 4, 4))


def test_png_bytes_of_arrays_and_figures():
    data = plots.png_bytes(plots.image_grid(torch.rand(4, 1, 8, 8), nrow=2))
    assert data.startswith(PNG_SIGNATURE)
    assert Image.open(io.BytesIO(data)).size == (2 * 10 + 2, 2 * 10 + 2)
    assert plots.png_bytes(plots.loss_curves(history(), labels=ENGLISH)).startswith(PNG_SIGNATURE)


def test_loss_curves_have_a_sigma_panel_only_for_the_sigma_vae():
    fig = plots.loss_curves(history(), labels=ENGLISH)
    assert titles(fig) == [ENGLISH[k] for k in ("loss", "recon", "kl")]
    assert all(len(ax.lines) == 2 for ax in fig.axes)
    with_sigma = plots.loss_curves(history(sigma=True), labels=ENGLISH)
    assert len(titles(with_sigma)) == 4
    assert titles(with_sigma)[-1] == "Decoder σ"


def test_loss_curves_of_one_epoch_and_by_step():
    fig = plots.loss_curves(history(1), labels=ENGLISH)
    assert all(line.get_marker() == "o" for ax in fig.axes for line in ax.lines)
    steps = [{"step": i, "train_loss": 1.0 / (i + 1)} for i in range(100)]
    fig = plots.loss_curves(steps, x="step", labels=ENGLISH)
    assert len(fig.axes) == 1 and fig.axes[0].get_xlabel() == "Step"
    assert plots.loss_curves([], labels=ENGLISH).axes  # nothing recorded yet: an empty panel


def test_translated_labels_reach_the_figure():
    fig = plots.loss_curves(history(), labels=texts("plot", "fr"))
    assert titles(fig)[0] == "Perte totale (nats par image)"
    assert fig.axes[0].get_xlabel() == "Époque"
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["entraînement", "test"]


def test_every_label_is_in_both_string_tables():
    for lang in STRINGS:
        assert set(texts("plot", lang)) == set(plots.LABEL_KEYS), lang


def test_compare_curves_has_one_line_per_run():
    runs = {"run A": history(3), "run B": history(2, sigma=True)}
    fig = plots.compare_curves(runs, labels=ENGLISH)
    assert len(fig.axes) == 3  # loss, KL, MSE
    assert all(len(ax.lines) == 2 for ax in fig.axes)
    legend = fig.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == ["run A", "run B"]
    assert titles(fig)[0].endswith("test")


def test_axis_titles():
    assert plots.axis_titles("latent", (0.5, 0.5), ENGLISH) == ("z₁", "z₂")
    assert plots.axis_titles("pca", (0.314, 0.2), ENGLISH) == (
        "PC 1 (31 % of the variance)",
        "PC 2 (20 % of the variance)",
    )
    french = texts("plot", "fr")
    assert plots.axis_titles("pca", (0.5, 0.1), french)[1] == "CP 2 (10 % de la variance)"


def test_latent_scatter_legend_names_the_classes_and_the_users_image():
    generator = torch.Generator().manual_seed(0)
    coords = torch.randn(60, 2, generator=generator)
    targets = torch.arange(60) % 3
    fig = plots.latent_scatter(
        coords,
        targets,
        ("cat", "dog", "owl"),
        highlight=torch.zeros(1, 2),
        axes=("a", "b"),
        labels=ENGLISH,
    )
    ax = fig.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["cat", "dog", "owl", "your image"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("a", "b")
    unlabelled = plots.latent_scatter(coords.numpy(), labels=ENGLISH)
    assert [t.get_text() for t in unlabelled.axes[0].get_legend().get_texts()] == ["test images"]


def test_kl_bars_colour_the_active_dimensions():
    kl = torch.tensor([2.0, 0.001, 1.0, 0.0])
    active = torch.tensor([True, False, True, False])
    fig = plots.kl_bars(kl, active, labels=ENGLISH)
    ax = fig.axes[0]
    assert len(ax.patches) == 4
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["active (2)", "inactive (2)"]
    assert ax.patches[0].get_facecolor() != ax.patches[1].get_facecolor()


def test_manifold_figure_spans_the_latent_values():
    grid = plots.image_grid(torch.rand(9, 1, 4, 4), nrow=3, padding=0)
    fig = plots.manifold_figure(grid, [-1.0, 0.0, 1.0])
    image = fig.axes[0].images[0]
    assert image.get_extent() == [-1.5, 1.5, -1.5, 1.5]


def test_upscale_for_display():
    assert plots.upscale_for_display(28, 84) == 3
    assert plots.upscale_for_display(256, 84) == 1
