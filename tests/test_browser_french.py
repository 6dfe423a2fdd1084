"""Every page and every Results tab in French, in a real browser: no English, no decimal point.

The app runs as in ``test_browser.py`` (its server and Chromium fixtures: offline, empty folders).
A French browser trains a tiny run by clicking (MNIST 5k, z = 2, one layer of 8 channels, one
epoch) and visits every page and tab; on each, the visible text must hold none of Streamlit's
built-in English words and no number written with a decimal point. The Metrics tab is seen
unmeasured (measuring takes minutes on a busy machine; tests/test_app_results.py checks its
table in French). Screenshots go to ``test-artifacts/fr-*.png``.
"""

from __future__ import annotations

import re

import pytest

from test_browser import ARTIFACTS, START_MS, TRAIN_MS, app_url, browser  # noqa: F401
from vaelab.app.tabs import TABS
from vaelab.i18n.strings_fr import FR

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Streamlit's own English, as its widgets write it (uploaders, pickers, status, errors).
ENGLISH = re.compile(
    r"\b(Upload|Browse files|Drag and drop|per file|Choose an option|No results|Running|"
    r"Press Enter|Deploy|Traceback|urlopen|You can only select|Clear all|Show more)\b"
)
#: A number written with a decimal point ("1.50", "21.4"), not part of a version or a name.
DECIMAL_POINT = re.compile(r"(?<![\w.\-/])\d+\.\d+(?![\w.])")
URL = re.compile(r"https?://\S+")
VIEWPORT = {"width": 1366, "height": 900}


def _settle(page) -> None:
    # Streamlit shows its running widget a moment after a rerun starts: give it time to appear.
    page.wait_for_timeout(1000)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=TRAIN_MS)


def _check(page, where: str, problems: list[str]) -> None:
    """Note any English word or decimal point in what ``page`` shows now."""
    _settle(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"fr-{where}.png"), full_page=True)
    visible = URL.sub(" ", page.locator("body").inner_text())
    for pattern, kind in ((ENGLISH, "English"), (DECIMAL_POINT, "decimal point")):
        for match in pattern.finditer(visible):
            context = visible[max(match.start() - 40, 0) : match.end() + 40].replace("\n", " ")
            problems.append(f"{where}: {kind} {match.group()!r} in …{context}…")


def test_every_page_and_tab_speaks_french(app_url, browser):  # noqa: F811
    page = browser.new_page(viewport=VIEWPORT, locale="fr-FR")
    problems: list[str] = []
    try:
        _walk(page, app_url, problems)
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "fr-last.png"), full_page=True)
        page.close()
    assert not problems, "\n".join(problems)


def _walk(page, app_url: str, problems: list[str]) -> None:  # noqa: F811
    """Train a tiny run, then visit every page and tab, noting what is not French."""
    page.goto(app_url)
    # The first page of a fresh server imports PyTorch: slow on a busy machine.
    page.get_by_text(FR["train.title"]).wait_for(timeout=TRAIN_MS)
    _check(page, "train", problems)

    # The user's own images: the uploader and its hint.
    page.get_by_label(FR["sidebar.dataset"], exact=True).click()
    page.get_by_role("option", name=FR["dataset.own"], exact=True).click()
    page.get_by_text(FR["sidebar.own_path_missing"]).wait_for()
    _check(page, "train-own-data", problems)

    # A tiny run: MNIST 5k, z = 2 (the slider's minimum), one layer of 8 channels, one epoch.
    page.get_by_label(FR["sidebar.dataset"], exact=True).click()
    page.get_by_role("option", name=FR["dataset.mnist-5k"], exact=True).click()
    _settle(page)
    page.get_by_label(FR["sidebar.hidden"], exact=True).click()
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.type("8")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    _settle(page)
    for label in (FR["sidebar.latent"], FR["sidebar.epochs"]):
        page.locator(f'input[type="range"][aria-label="{label}"]').focus()
        page.keyboard.press("Home")
        _settle(page)
    page.get_by_role("button", name=FR["train.train"], exact=True).click()
    page.get_by_role("tab", name=FR["results.tab.reconstructions"]).wait_for(timeout=3 * TRAIN_MS)
    _check(page, "train-results", problems)

    page.get_by_role("link", name=FR["nav.results"]).click()
    page.wait_for_url("**/results", timeout=START_MS)
    page.get_by_text(FR["results.page.pick"], exact=True).first.wait_for(timeout=START_MS)
    for name, _ in TABS:
        page.get_by_role("tab", name=FR[f"results.tab.{name}"]).click()
        # Only the open tab is drawn: wait for its content, not just for the click.
        panel = page.locator('[role="tabpanel"]:visible [data-testid="stElementContainer"]')
        panel.first.wait_for(timeout=START_MS)
        _check(page, f"results-{name}", problems)

    for page_name in ("runs", "compare", "learn"):
        page.get_by_role("link", name=FR[f"nav.{page_name}"]).click()
        page.wait_for_url(f"**/{page_name}", timeout=START_MS)
        _check(page, page_name, problems)
