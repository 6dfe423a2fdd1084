"""The Lab tab under Streamlit's AppTest: drawing, clicking the map, the sliders, β = 0, colour."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

from vaelab.app.lab import canvas
from vaelab.app.tabs.lab import LabState, clicked_point
from vaelab.config import ModelConfig
from vaelab.data.dataset import ImageDataset, Splits
from vaelab.models import ConvVAE

TIMEOUT = 60
PREFIX = "results.lab-test.lab"


def _script(model, data, lang):
    from types import SimpleNamespace

    from vaelab.app.tabs import lab
    from vaelab.app.tabs.context import TabContext

    run = SimpleNamespace(run_id="lab-test")
    lab.render(TabContext(run, model, data, f"key-{id(model)}", lang))


def _data(channels: int = 1) -> ImageDataset:
    generator = torch.Generator().manual_seed(0)
    x = torch.randint(0, 60, (120, channels, 16, 16), dtype=torch.uint8, generator=generator)
    x[:, :, 4:12, 6:10] = 230  # a bright bar on a dark background, like a digit
    y = torch.arange(120) % 3
    return ImageDataset.create("bars", Splits(x[:80], y[:80], x[80:], y[80:]), ("a", "b", "c"))


def _model(latent_dim: int = 2, beta: float = 1.0, channels: int = 1) -> ConvVAE:
    torch.manual_seed(0)
    config = ModelConfig(
        variant="beta-vae",
        beta=beta,
        latent_dim=latent_dim,
        hidden=(8,),
        channels=channels,
        height=16,
        width=16,
    )
    return ConvVAE(config).eval()


def _app(model: ConvVAE, data: ImageDataset, lang: str = "en") -> AppTest:
    return AppTest.from_function(_script, args=(model, data, lang), default_timeout=TIMEOUT).run()


def _image_urls(at: AppTest) -> list[str]:
    return [image.proto.imgs[0].url for image in at.get("image")]


def _captions(at: AppTest) -> list[str]:
    return [image.proto.imgs[0].caption for image in at.get("image")]


def _slider_image(at: AppTest) -> str:
    captions = _captions(at)
    return _image_urls(at)[captions.index("Decoded from the sliders")]


@pytest.fixture
def drawn(monkeypatch):
    """The canvas returns a vertical white stroke on black, as the browser would send it."""
    pixels = np.zeros((canvas.CANVAS_SIDE, canvas.CANVAS_SIDE, 4), dtype=np.uint8)
    pixels[..., 3] = 255
    pixels[60:220, 120:160, :3] = 255
    monkeypatch.setattr(canvas, "canvas_widget", lambda **_: SimpleNamespace(image_data=pixels))


def test_an_empty_lab_prompts_and_its_sliders_move_the_decoding():
    at = _app(_model(), _data())
    assert not at.exception
    infos = " ".join(i.value for i in at.info)
    assert "Draw a digit on the canvas" in infos and "Click the map" in infos
    assert at.slider(key=f"{PREFIX}.brush").value == canvas.BRUSH[2]
    z1 = at.select_slider(key=f"{PREFIX}.z0.0")
    assert (z1.label, z1.value) == ("z1", 0.0)
    before = _slider_image(at)
    z1.set_value(1.5).run()
    assert not at.exception
    assert _slider_image(at) != before
    at.slider(key=f"{PREFIX}.brush").set_value(30).run()
    assert not at.exception


def test_a_drawing_shows_its_posterior_and_moves_the_sliders_to_it(drawn):
    model, data = _model(latent_dim=3), _data()
    at = _app(model, data)
    assert not at.exception
    captions = _captions(at)
    assert "What the model receives" in captions and "Reconstruction" in captions
    assert any(c.startswith("8 codes drawn from q(z | x)") for c in captions)
    (kl,) = at.metric
    assert kl.label == "KL(q(z | x) ‖ p(z))" and kl.value.endswith(" nats")
    state = at.session_state[f"{PREFIX}.state"]
    assert state.source == "drawing" and state.version == 1
    image = canvas.drawing_to_image(
        np.pad(np.full((160, 40), 255, dtype=np.uint8), ((60, 60), (120, 120))), 16, 16
    )
    mu = model.encode(image[None].float() / 255)[0][0].detach()
    for dim in range(3):
        slider = at.select_slider(key=f"{PREFIX}.z1.{dim}")
        assert slider.value == pytest.approx(float(mu[dim]), abs=0.026)
    assert any("your drawing's posterior mean" in c.value for c in at.caption)
    # Redrawing the same page keeps the sliders where the student put them.
    at.select_slider(key=f"{PREFIX}.z1.0").set_value(2.0).run()
    assert at.select_slider(key=f"{PREFIX}.z1.0").value == 2.0


def test_clicks_decode_points_and_the_path_between_them():
    at = _app(_model(latent_dim=4), _data())
    state: LabState = at.session_state[f"{PREFIX}.state"]
    # A click is the chart's selection event; AppTest cannot click a chart, so the state it
    # leaves is set as the browser would set it.
    at.session_state[f"{PREFIX}.map"] = SimpleNamespace(
        selection={"click": [{"x": 0.5, "y": -0.25}]}
    )
    at.run()
    assert not at.exception
    state = at.session_state[f"{PREFIX}.state"]
    assert state.clicks == [(0.5, -0.25)] and state.source == "click"
    assert "The clicked point, decoded" in _captions(at)
    assert any("Click a second point" in c.value for c in at.caption)
    at.session_state[f"{PREFIX}.map"] = SimpleNamespace(selection={"click": [{"x": 1, "y": 1}]})
    at.run()
    assert "The straight path between the two clicks, decoded" in _captions(at)
    at.button(key=f"{PREFIX}.forget").click().run()
    assert at.session_state[f"{PREFIX}.state"].clicks == []
    assert any("Click the map" in i.value for i in at.info)


def test_the_click_of_a_selection_event():
    assert clicked_point({"click": [{"x": 1, "y": 2.5}]}) == (1.0, 2.5)
    assert clicked_point({"click": []}) is None
    assert clicked_point(None) is None
    assert clicked_point({"click": [{"x": "nan?"}]}) is None


def test_the_lab_of_an_autoencoder_in_french_says_it_is_not_a_vae():
    at = _app(_model(beta=0.0), _data(), "fr")
    assert not at.exception
    assert any("simple autoencodeur, pas un VAE" in i.value for i in at.info)
    assert any("Dessinez un chiffre" in i.value for i in at.info)
    assert [s.label for s in at.select_slider] == ["z1", "z2"]


def test_a_colour_run_has_no_canvas_but_keeps_the_map_and_sliders():
    at = _app(_model(channels=3), _data(channels=3))
    assert not at.exception
    assert any("this one is in colour" in i.value for i in at.info)
    assert not at.slider  # no brush
    assert len(at.select_slider) == 2


def _metrics_script(model, data, lang):
    from types import SimpleNamespace

    from vaelab.app.tabs import metrics
    from vaelab.app.tabs.context import TabContext

    config = SimpleNamespace(model=model.config)
    run = SimpleNamespace(run_id="ae", config=config, metrics=None, updated=None)
    metrics.render(TabContext(run, model, data, "key-ae", lang))


@pytest.mark.parametrize(
    ("beta", "lang", "said"), [(0.0, "en", True), (0.0, "fr", True), (1.0, "en", False)]
)
def test_the_metrics_tab_says_why_an_autoencoder_has_no_elbo(beta, lang, said):
    at = AppTest.from_function(
        _metrics_script, args=(_model(beta=beta), _data(), lang), default_timeout=TIMEOUT
    ).run()
    assert not at.exception
    words = {"en": "it has no ELBO, no IWAE bound and no bits/dim", "fr": "il n'a ni ELBO"}[lang]
    assert any(words in i.value for i in at.info) is said
