"""The Learn page: its two texts, its figures and the maths the figures claim."""

from __future__ import annotations

import itertools
import re
from importlib.resources import files
from pathlib import Path

import matplotlib
import numpy as np
import pytest
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

import vaelab.app
from vaelab.app import learn_figures
from vaelab.app.i18n import t
from vaelab.i18n import LANGUAGES, STRINGS
from vaelab.models.likelihoods import LOG_SCALE_MIN, SOFTCLIP_SHARPNESS

matplotlib.use("Agg")

LEARN_PAGE = Path(vaelab.app.__file__).parent / "views" / "learn.py"
MARKER = re.compile(r"<!--\s*(section|figure):\s*([\w-]+)\s*-->")


def teaching_text(lang: str) -> str:
    return files("vaelab.app").joinpath("content", f"learn_{lang}.md").read_text(encoding="utf-8")


def markers(lang: str) -> list[tuple[str, str]]:
    return MARKER.findall(teaching_text(lang))


# --- the two texts -------------------------------------------------------------------------


def test_both_languages_have_the_same_sections_and_figures_in_the_same_order():
    english = markers("en")
    assert [kind for kind, _ in english].count("section") >= 7
    for lang in LANGUAGES:
        assert markers(lang) == english, lang


def test_every_figure_is_placed_once_and_exists():
    placed = [name for kind, name in markers("en") if kind == "figure"]
    assert sorted(placed) == sorted(learn_figures.FIGURES)


def test_figure_captions_are_translated():
    for name in learn_figures.FIGURES:
        key = f"learn.fig.{name}.caption"
        for lang, table in STRINGS.items():
            assert table.get(key), f"{key} missing in {lang}"


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_text_cites_the_three_papers_and_keeps_math_balanced(lang):
    text = teaching_text(lang)
    for arxiv in ("1312.6114", "Sy2fzU9gl", "2006.13202"):
        assert arxiv in text
    # An odd number of $$ would swallow the rest of the page into one equation.
    assert text.count("$$") % 2 == 0
    assert "<!--" not in MARKER.sub("", text)
    # The soft clip the text describes is the one the code applies.
    assert f"k = {SOFTCLIP_SHARPNESS:g}$" in text and f"{LOG_SCALE_MIN:g} +" in text


# --- figures -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "lang"), list(itertools.product(learn_figures.FIGURES, LANGUAGES))
)
def test_figure_builds_with_translated_words(name, lang):
    fig = learn_figures.FIGURES[name](lang)
    assert isinstance(fig, Figure)
    assert fig.axes
    words = " ".join(text.get_text() for text in fig.findobj(Text))
    # A key shown instead of its text means a string is missing from the tables.
    assert "learn.fig." not in words


def test_figures_differ_between_languages():
    title = {lang: learn_figures.timeline_figure(lang).axes[0].get_title() for lang in LANGUAGES}
    assert title["en"] != title["fr"] == t("learn.fig.timeline.title", "fr")


def test_figure_png_is_a_png():
    png = learn_figures.figure_png("kl", "fr", dpi=40)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(KeyError, match="unknown figure"):
        learn_figures.figure_png("nope")


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_timeline_labels_do_not_overlap(lang):
    fig = learn_figures.timeline_figure(lang)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    labels = [text for text in fig.findobj(Text) if text.get_gid() == "milestone"]
    assert len(labels) == len(learn_figures.MILESTONES)
    boxes = [label.get_bbox_patch().get_window_extent(renderer) for label in labels]
    figure_box = fig.bbox
    for box in boxes:
        assert figure_box.x0 <= box.x0 and box.x1 <= figure_box.x1, "label leaves the figure"
    for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2):
        assert not a.overlaps(b), (labels[i].get_text(), labels[j].get_text())


# --- maths behind the figures, checked against torch.distributions -------------------------


def test_gaussian_kl_matches_torch():
    mu = torch.linspace(-3, 3, 13).repeat_interleave(7)
    sigma = torch.tensor([0.05, 0.3, 0.7, 1.0, 1.5, 2.0, 3.0]).repeat(13)
    expected = torch.distributions.kl_divergence(
        torch.distributions.Normal(mu, sigma), torch.distributions.Normal(0.0, 1.0)
    )
    got = learn_figures.gaussian_kl_1d(mu.numpy(), sigma.numpy())
    np.testing.assert_allclose(got, expected.double().numpy(), rtol=1e-5, atol=1e-6)


def residuals(scale: float) -> torch.Tensor:
    # A batch of "images minus reconstructions": not Gaussian, so the claim is about any errors.
    generator = torch.Generator().manual_seed(0)
    return scale * (torch.rand(16, 1, 28, 28, generator=generator, dtype=torch.float64) - 0.3)


#: Scales from 1e-4 to 10, neighbours 1.5 % apart.
GRID = torch.logspace(-4, 1, 801, dtype=torch.float64)
GRID_STEP = float(GRID[1] / GRID[0])


@pytest.mark.parametrize("scale", [0.05, 0.3, 1.0])
def test_gaussian_nll_is_minimal_at_the_rmse(scale):
    errors = residuals(scale)
    mse = float(errors.square().mean())
    # Mean NLL per pixel over the whole batch, for every σ of the grid, by torch.distributions:
    # (S, 1) scales against (1, B·C·H·W) errors.
    gaussian = torch.distributions.Normal(0.0, GRID[:, None])
    nll = -gaussian.log_prob(errors.flatten()[None, :]).mean(dim=1)
    np.testing.assert_allclose(learn_figures.gaussian_nll(GRID.numpy(), mse), nll.numpy())
    best = float(GRID[nll.argmin()])
    assert best / GRID_STEP <= np.sqrt(mse) <= best * GRID_STEP


@pytest.mark.parametrize("scale", [0.05, 0.3, 1.0])
def test_laplace_nll_is_minimal_at_the_mae(scale):
    errors = residuals(scale)
    mae = float(errors.abs().mean())
    laplace = torch.distributions.Laplace(0.0, GRID[:, None])
    nll = -laplace.log_prob(errors.flatten()[None, :]).mean(dim=1)
    np.testing.assert_allclose(learn_figures.laplace_nll(GRID.numpy(), mae), nll.numpy())
    best = float(GRID[nll.argmin()])
    assert best / GRID_STEP <= mae <= best * GRID_STEP


def test_calibration_figure_marks_the_true_minima():
    fig = learn_figures.calibration_figure("en")
    ax_gauss, ax_laplace = fig.axes
    for ax, optimum in ((ax_gauss, np.sqrt), (ax_laplace, lambda error: error)):
        lines = {line.get_gid(): line for line in ax.get_lines() if line.get_gid()}
        curves = {gid.split(":")[1]: line for gid, line in lines.items() if gid.startswith("nll:")}
        assert len(curves) == len(learn_figures.CALIBRATION_MSES)
        for error, curve in curves.items():
            marker = lines[f"optimum:{error}"]
            x, y = curve.get_data()
            (mx,), (my,) = marker.get_data()
            # The marked point is where the drawn curve is lowest (to the grid's resolution)...
            i = int(np.argmin(y))
            assert x[i - 1] <= mx <= x[i + 1]
            assert my <= y.min() + 1e-12
            # ...and it is the closed form the text states: σ* = √MSE, b* = MAE.
            assert mx == pytest.approx(optimum(float(error)))
        # The soft clip drawn on the figure is the one the σ-VAE uses.
        assert any(np.allclose(line.get_xdata(), np.exp(LOG_SCALE_MIN)) for line in ax.get_lines())


# --- the page ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_learn_page_renders(lang):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(LEARN_PAGE), default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception
    assert not at.error and not at.warning
    assert at.title[0].value == t("learn.title", lang)
    body = "\n".join(element.value for element in at.markdown)
    sections = [name for kind, name in markers(lang) if kind == "section"]
    assert body.count("\n## ") + body.startswith("## ") == len(sections)
    assert "$$" in body and r"\mathrm{KL}" in body
    assert "<!--" not in body
    assert len(at.get("image")) == len(learn_figures.FIGURES)
