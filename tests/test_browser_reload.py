"""In a real browser: a reload finds the training again, another browser never sees it.

The app runs as in ``test_browser.py`` (its server and Chromium fixtures, offline, empty folders).
Alice starts a training of MNIST 5k long enough to outlive everything here (z = 2, 50 epochs),
reloads her tab and finds it live with its settings, opens the Runs page in a second tab and
finds it there; Bob, in another browser context (his own cookies), neither sees nor can stop it;
Alice pauses, steps and resumes it, then stops it. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import re
import time

import pytest

from test_browser import (  # noqa: F401
    START_MS,
    TRAIN_MS,
    VIEWPORT,
    _shot,
    app_url,
    browser,
    current,
)
from vaelab.app.browser_id import COOKIE, is_browser_id

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAUSED = re.compile(r"Paused · epoch (\d+)/50 · step (\d+)/(\d+)")


def _cookie(context) -> str | None:
    """The browser id the app stored in this context's cookie (waiting a little for its script)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        values = [c["value"] for c in context.cookies() if c["name"] == COOKIE]
        if values:
            return values[0]
        time.sleep(0.2)
    return None


def _settled_step(page, still_ms: int = 4_000) -> int:
    """The paused step count once it has not changed for ``still_ms`` (the page redraws it)."""
    last, since = _paused_step(page), time.monotonic()
    while (time.monotonic() - since) * 1000 < still_ms:
        page.wait_for_timeout(500)
        now = _paused_step(page)
        if now != last:
            last, since = now, time.monotonic()
    return last


def _shown(box) -> str:
    """The choice a select box shows (in its input, or as its text)."""
    return box.input_value() if box.evaluate("e => e.tagName") == "INPUT" else box.inner_text()


def _paused_step(page) -> int:
    """Steps done, read from the paused progress text."""
    epoch, step, steps = map(int, PAUSED.search(page.get_by_text(PAUSED).inner_text()).groups())
    return (epoch - 1) * steps + step


def _start_a_long_training(page, app_url) -> None:  # noqa: F811
    page.goto(app_url)
    page.get_by_text("Train a VAE").wait_for(timeout=START_MS)
    page.get_by_label("Dataset", exact=True).click()
    page.get_by_role("option", name="MNIST 5k (offline)", exact=True).click()
    page.get_by_text("4 000 training and 1 000 test images").first.wait_for()
    page.locator('input[type="range"][aria-label="Latent dimension"]').focus()
    page.keyboard.press("Home")
    page.locator('input[type="range"][aria-label="Epochs"]').focus()
    page.keyboard.press("End")
    page.get_by_text("50 epochs to go").wait_for()
    current(page).get_by_role("button", name="Train", exact=True).click()
    page.get_by_role("button", name="Stop").wait_for(timeout=START_MS)
    page.get_by_text("images/s").wait_for(timeout=START_MS)


def test_a_reload_finds_the_training_and_another_browser_does_not(app_url, browser):  # noqa: F811
    alice = browser.new_context(viewport=VIEWPORT, locale="en-US")
    page = alice.new_page()
    _start_a_long_training(page, app_url)
    owner = _cookie(alice)
    assert is_browser_id(owner), "the app gave this browser its id"
    cookie = next(c for c in alice.cookies() if c["name"] == COOKIE)
    assert cookie["sameSite"] == "Lax"
    assert cookie["expires"] > time.time() + 300 * 24 * 3600

    # A reload: the same training, live, with its settings in the sidebar.
    page.reload()
    page.get_by_role("button", name="Stop").wait_for(timeout=START_MS)
    page.get_by_text(re.compile(r"Epoch \d+/50 · step \d+/\d+")).wait_for(timeout=START_MS)
    page.get_by_text("Test images (top)").wait_for(timeout=START_MS)
    latent = page.locator('input[type="range"][aria-label="Latent dimension"]')
    assert latent.input_value() == "2"
    assert page.locator('input[type="range"][aria-label="Epochs"]').input_value() == "50"
    _shot(page, "reload-01-after-reload", settle=False)
    assert _shown(page.get_by_label("Dataset", exact=True)) == "MNIST 5k (offline)"
    assert _cookie(alice) == owner, "the cookie is kept, not replaced"

    # A second tab of the same browser: the Runs page lists the training above the runs.
    runs = alice.new_page()
    runs.goto(f"{app_url}/runs")
    runs.get_by_text("Running now").wait_for(timeout=START_MS)
    runs.get_by_text(re.compile(r"Epoch \d+/50 · step")).wait_for(timeout=START_MS)
    runs.get_by_role("button", name="Watch").wait_for()
    _shot(runs, "reload-02-runs-running", settle=False)
    runs.close()

    # Bob, another browser: his own id, no live panel, nothing running on his Runs page.
    bob = browser.new_context(viewport=VIEWPORT, locale="en-US")
    other = bob.new_page()
    other.goto(app_url)
    other.get_by_text("Train a VAE").wait_for(timeout=START_MS)
    other.get_by_text("Architecture:").first.wait_for(timeout=START_MS)  # drawn after the actions
    assert other.get_by_role("button", name="Stop").count() == 0
    assert other.get_by_text(re.compile(r"Epoch \d+/50")).count() == 0
    assert is_browser_id(_cookie(bob)) and _cookie(bob) != owner
    other.goto(f"{app_url}/runs")
    other.get_by_role("heading", name="Runs", exact=True).wait_for(timeout=START_MS)
    # The running jobs come before the import box: once it is drawn, they would be there.
    other.get_by_text("Import a run").wait_for(timeout=START_MS)
    assert other.get_by_text("Running now").count() == 0
    assert other.get_by_role("button", name="Stop").count() == 0
    _shot(other, "reload-03-other-browser")
    bob.close()

    # Alice pauses, steps five steps, and resumes.
    current(page).get_by_role("button", name="Pause").click()
    page.get_by_text(PAUSED).wait_for(timeout=START_MS)
    held = _settled_step(page)  # the step under way when paused still ends
    page.wait_for_timeout(2_500)
    assert _paused_step(page) == held, "a paused training takes no step"
    _shot(page, "reload-04-paused", settle=False)
    steps = page.get_by_label("Steps", exact=True)
    steps.fill("5")
    steps.press("Enter")
    current(page).get_by_role("button", name="Step", exact=True).click()
    deadline = time.monotonic() + TRAIN_MS / 1000
    while _paused_step(page) != held + 5:
        assert time.monotonic() < deadline, f"still at step {_paused_step(page)}, not {held + 5}"
        page.wait_for_timeout(500)
    current(page).get_by_role("button", name="Resume").click()
    page.get_by_text(PAUSED).wait_for(state="detached", timeout=START_MS)
    current(page).get_by_role("button", name="Stop").click()
    # Then the step under way, the save and the results: minutes on a loaded two-core machine.
    page.get_by_text("Stopped after").wait_for(timeout=2 * TRAIN_MS)
    _shot(page, "reload-05-stopped")
    alice.close()
