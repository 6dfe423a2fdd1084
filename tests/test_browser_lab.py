"""The Lab tab in a real browser: draw a digit, see its posterior, click the map, move a slider.

A 2-D VAE is trained on MNIST 5k before the app starts (a minute or two on two busy cores), so the
Results page opens on it. The test draws a stroke with Playwright's mouse, waits for the
reconstruction and the posterior's caption, checks that the map changed, clicks the map twice,
moves a slider, and prints the three response times (also saved in
``test-artifacts/lab-timings.txt``). It saves the screenshots of the docs' tour: the lab in English
at laptop width, in French, and on a phone.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator

import pytest

import test_browser
from test_browser import ARTIFACTS, START_MS, _shot, serve
from vaelab.data import load_dataset
from vaelab.runs import RunStore
from vaelab.training.experiment import build_config, train

pytestmark = [pytest.mark.browser, pytest.mark.slow]
#: The Chromium fixture of the other browser test.
browser = test_browser.browser

LAPTOP = {"width": 1400, "height": 2300}
PHONE = {"width": 390, "height": 3000}
#: Milliseconds to wait for one answer of the app (a redraw, a decoding).
ANSWER_MS = 30_000


@pytest.fixture(scope="module")
def lab_url(tmp_path_factory) -> Iterator[str]:
    """The app, with one small 2-D VAE trained on MNIST 5k (3 epochs) in its runs folder."""
    root = tmp_path_factory.mktemp("lab-browser")
    data = load_dataset("mnist-5k", root / "data")
    config = build_config(data, latent_dim=2, hidden=(16, 32), epochs=3, seed=0)
    train(config, data, store=RunStore(root / "runs"), device="cpu")
    with serve(root) as url:
        yield url


def _image(page, caption: str):
    """The picture shown above ``caption``."""
    return page.get_by_text(caption, exact=True).locator("xpath=ancestor::*[.//img][1]//img")


def _wait_new_src(image, old: str | None) -> float:
    """Wait until ``image`` shows another picture than ``old``; return when it did."""
    deadline = time.monotonic() + ANSWER_MS / 1000
    while time.monotonic() < deadline:
        if image.count() and image.first.get_attribute("src") not in (None, old):
            return time.monotonic()
        time.sleep(0.01)
    pytest.fail(f"the picture did not change within {ANSWER_MS} ms")


def _open_lab(page, url: str, tab: str) -> None:
    page.goto(f"{url}/results")
    page.get_by_role("tab", name=tab, exact=True).click(timeout=START_MS)
    page.locator("canvas.upper-canvas").wait_for(timeout=START_MS)
    page.locator(".vega-embed").first.wait_for(timeout=START_MS)


def _draw_seven(page) -> float:
    """Draw a 7 on the canvas with the mouse; return when the button was released."""
    box = page.locator("canvas.upper-canvas").bounding_box()
    x, y, side = box["x"], box["y"], box["width"]
    page.mouse.move(x + 0.25 * side, y + 0.22 * side)
    page.mouse.down()
    page.mouse.move(x + 0.72 * side, y + 0.22 * side, steps=12)
    page.mouse.move(x + 0.42 * side, y + 0.8 * side, steps=16)
    page.mouse.up()
    return time.monotonic()


def _click_map(page, fx: float, fy: float) -> float:
    """Click the latent map at a fraction of its width and height; return when."""
    box = page.locator(".vega-embed").first.bounding_box()
    page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
    return time.monotonic()


def _map_changes(page, before: bytes) -> bool:
    """Whether the map looks other than ``before`` within ``ANSWER_MS``: Vega redraws it a moment
    after the app's run has ended."""
    deadline = time.monotonic() + ANSWER_MS / 1000
    while time.monotonic() < deadline:
        if page.locator(".vega-embed").first.screenshot() != before:
            return True
        page.wait_for_timeout(200)
    return False


def test_draw_click_and_slide_in_the_lab(lab_url, browser):
    page = browser.new_page(viewport=LAPTOP, locale="en-US")
    _open_lab(page, lab_url, "Lab")
    page.get_by_text("Draw a digit on the canvas").wait_for()
    map_before = page.locator(".vega-embed").first.screenshot()

    released = _draw_seven(page)
    _image(page, "What the model receives").wait_for(timeout=ANSWER_MS)
    _image(page, "Reconstruction").wait_for(timeout=ANSWER_MS)
    page.get_by_text("In black: your drawing's posterior").wait_for(timeout=ANSWER_MS)
    drawn = time.monotonic()
    page.get_by_text(" nats", exact=False).first.wait_for()
    page.get_by_text("The sliders start at your drawing's posterior mean.").wait_for()
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=START_MS)
    assert _map_changes(page, map_before), "the posterior is drawn on the map"

    clicked = _image(page, "The clicked point, decoded")
    first_click = _click_map(page, 0.63, 0.26)
    decoded = _wait_new_src(clicked, None)
    page.get_by_text("Click a second point").wait_for(timeout=ANSWER_MS)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=START_MS)
    before = clicked.first.get_attribute("src")
    second_click = _click_map(page, 0.37, 0.3)
    decoded_again = _wait_new_src(clicked, before)
    _image(page, "The straight path between the two clicks, decoded").wait_for(timeout=ANSWER_MS)

    sliding = _image(page, "Decoded from the sliders")
    slider = page.get_by_role("slider", name="z1")
    redraws = []
    for _ in range(3):
        page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=START_MS)
        before = sliding.first.get_attribute("src")
        slider.focus()
        page.keyboard.press("PageUp")  # a tenth of the range: a visible change
        pressed = time.monotonic()
        redraws.append(_wait_new_src(sliding, before) - pressed)
    page.mouse.move(0, 0)
    _shot(page, "20-lab")

    timings = {
        "draw → posterior (mouse released → reconstruction and posterior shown)": drawn - released,
        "click → decoding (first click)": decoded - first_click,
        "click → decoding (second click, with the path)": decoded_again - second_click,
        "slider → redraw (median of 3 key presses)": statistics.median(redraws),
    }
    report = "\n".join(f"{name}: {seconds:.2f} s" for name, seconds in timings.items())
    print(report)
    (ARTIFACTS / "lab-timings.txt").write_text(report + "\n")
    page.close()


def test_the_lab_in_french_and_on_a_phone(lab_url, browser):
    page = browser.new_page(viewport=LAPTOP, locale="fr-FR")
    _open_lab(page, lab_url, "Labo")
    _draw_seven(page)
    _image(page, "Ce que reçoit le modèle").wait_for(timeout=ANSWER_MS)
    page.get_by_text("En noir : la loi a posteriori").wait_for(timeout=ANSWER_MS)
    page.mouse.move(0, 0)
    _shot(page, "21-lab-fr")
    page.close()

    phone = browser.new_page(viewport=PHONE, locale="en-US", has_touch=True)
    _open_lab(phone, lab_url, "Lab")
    box = phone.locator("canvas.upper-canvas").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # the canvas fits
    _draw_seven(phone)
    _image(phone, "Reconstruction").wait_for(timeout=ANSWER_MS)
    _shot(phone, "22-lab-phone")
    phone.close()
