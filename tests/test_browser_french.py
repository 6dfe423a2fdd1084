"""Every page and every Results tab in French, in a real browser: no English, no decimal point.

The app runs as in ``test_browser.py`` (its server and Chromium fixtures: offline, empty folders).
A French browser trains a tiny run by clicking (MNIST 5k, z = 2, one layer of 8 channels, one
epoch) and visits every page and tab, the sidebar's advanced settings opened once; on each, the
visible text must hold none of Streamlit's built-in English words and no number written with a
decimal point (code blocks aside: their Python is not a number for a reader), and neither may the
values of its input boxes nor the labels of its charts. The app draws every chart as SVG
(:mod:`vaelab.app.charts`), so their axis labels are text the walk reads; a chart drawn on a
canvas counts as a problem, its numbers being unreadable.
The training is paused at its start and stepped, to check its live loss curves. The Metrics tab
is seen unmeasured (measuring takes minutes on a busy machine; tests/test_app_results.py checks
its table in French). Screenshots go to ``test-artifacts/fr-*.png``; the Train page with a
dataset error and the live curves are also shot at 1366×768 and on a 390×844 phone.
"""

from __future__ import annotations

import re
import tempfile
from importlib.resources import files
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

from test_browser import ARTIFACTS, START_MS, TRAIN_MS, app_url, browser, current  # noqa: F401
from vaelab.app.tabs import TABS
from vaelab.data.limits import MAX_UPLOAD_BYTES
from vaelab.i18n.strings_fr import FR

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Streamlit's own English, as its widgets write it (uploaders, pickers, status, errors).
ENGLISH = re.compile(
    r"\b(Upload|Browse files|Drag and drop|per file|Choose an option|No results|Running|"
    r"Press Enter|Deploy|Traceback|urlopen|You can only select|Clear all|Show more)\b"
)
#: A number written with a decimal point ("1.50", "21.4"), not part of a version or a name.
DECIMAL_POINT = re.compile(r"(?<![\w.\-/])\d+\.\d+(?![\w.])")
#: Addresses and arXiv identifiers ("arXiv:1312.6114"): their dots are not decimal points.
URL = re.compile(r"https?://\S+|arXiv:\d{4}\.\d{4,5}")
#: Code blocks (the Learn page's Python): their decimal points are Python's, not French numbers.
CODE = '[data-testid="stCode"]'
#: The Learn page's French text: its figures are counted to wait for the whole lesson.
LEARN_FR = (files("vaelab.app") / "content" / "learn_fr.md").read_text(encoding="utf-8")
VIEWPORT = {"width": 1366, "height": 900}
#: The sizes of the screenshots that show the dataset error and the live curves.
SCREENS = {"1366x768": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
#: Steps the paused training takes, so that its live curves have a few points.
STEPS = 30
#: The values of the page's text and number boxes (the page's text does not hold them).
INPUTS = """() => Array.from(
    document.querySelectorAll('input:not([type=hidden]):not([type=file]):not([type=range])'),
    input => input.value)"""
#: Every chart on the page: whether it is drawn on a canvas, and the texts of its SVG.
CHARTS = """() => Array.from(document.querySelectorAll('.vega-embed'), chart => ({
    canvas: chart.querySelector('canvas') !== null,
    texts: Array.from(chart.querySelectorAll('svg text'), text => text.textContent),
}))"""


def _settle(page) -> None:
    # Streamlit shows its running widget a moment after a rerun starts: give it time to appear.
    page.wait_for_timeout(1000)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=TRAIN_MS)


def _check(page, where: str, problems: list[str], *, settle: bool = True) -> None:
    """Note any English word or decimal point in what ``page`` shows now, charts included.

    ``settle``: wait for the app's run to end first (not while fragments redraw a training).
    """
    if settle:
        _settle(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"fr-{where}.png"), full_page=True)
    visible = URL.sub(" ", page.locator("body").inner_text())
    for code in page.locator(CODE).all_inner_texts():  # Python, not a number written for a reader
        visible = visible.replace(code, " ")
    for pattern, kind in ((ENGLISH, "English"), (DECIMAL_POINT, "decimal point")):
        for match in pattern.finditer(visible):
            context = visible[max(match.start() - 40, 0) : match.end() + 40].replace("\n", " ")
            problems.append(f"{where}: {kind} {match.group()!r} in …{context}…")
    for value in page.evaluate(INPUTS):  # what a box shows is its value, not its text
        if DECIMAL_POINT.search(URL.sub(" ", value)):
            problems.append(f"{where}: decimal point in an input's value {value!r}")
    for number, chart in enumerate(page.evaluate(CHARTS), start=1):
        if chart["canvas"]:
            problems.append(f"{where}: chart {number} is drawn on a canvas: its numbers are unread")
        for label in chart["texts"]:
            if DECIMAL_POINT.search(label):
                problems.append(f"{where}: decimal point in chart {number}'s label {label!r}")


def _axis_numbers(page) -> list[str]:
    """The labels of the page's charts that are numbers (their axes' ticks)."""
    texts = [text for chart in page.evaluate(CHARTS) for text in chart["texts"]]
    return [text for text in texts if re.fullmatch(r"[−\-]?[\d\u202f]+([.,]\d+)?", text.strip())]


def _open_sidebar(page, wanted: bool) -> None:
    """Open the sidebar (or close it) where the page's width has collapsed it (or not)."""
    page.wait_for_timeout(700)  # a narrower page collapses the sidebar: let it slide first
    sidebar = page.get_by_test_id("stSidebar")
    if (sidebar.get_attribute("data-collapsed") == "true") != wanted:
        return
    if wanted:
        page.get_by_test_id("stExpandSidebarButton").click()
    else:
        sidebar.hover()  # its collapse button shows on hover
        page.get_by_test_id("stSidebarCollapseButton").click()
    page.wait_for_timeout(700)


def _screens(page, name: str, *, sidebar: bool, target=None) -> None:
    """Shoot what the screen shows at each of :data:`SCREENS`, then go back to the walk's size.

    ``sidebar``: whether the shot needs the sidebar open (on a phone, it covers the page);
    ``target``: a locator scrolled into view first.
    """
    for screen, size in SCREENS.items():
        page.set_viewport_size(size)
        try:
            _open_sidebar(page, sidebar or screen != "phone")
        except PlaywrightError as exc:  # a shot with the sidebar as it is, rather than none
            print(f"fr-{name}-{screen}: the sidebar could not be moved ({exc})")
        if target is not None:
            target.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"fr-{name}-{screen}.png"))
    page.set_viewport_size(VIEWPORT)
    _open_sidebar(page, True)


def _after_text(locator) -> str:
    """What the style sheet writes after ``locator``'s element (its ``::after`` content)."""
    content = locator.evaluate("e => getComputedStyle(e, '::after').content")
    return content[1:-1] if content.startswith('"') else ""


def _refused_upload(page, problems: list[str]) -> None:
    """A file over the upload limit, refused by the browser: the reason is said in French."""
    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "trop-grand.npz"
        big.write_bytes(bytes(MAX_UPLOAD_BYTES + 1))
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(big))
        alert = sidebar.get_by_test_id("stFileChip").locator('[role="alert"]')
        alert.wait_for(state="attached", timeout=START_MS)
        sidebar.get_by_test_id("stFileChip").hover()  # Streamlit's English tooltip, if shown
        page.wait_for_timeout(1000)
        said = FR["upload.refused"].format(types=".npz", mb=MAX_UPLOAD_BYTES // 2**20)
        if _after_text(alert) != said:
            problems.append(f"train-upload-refused: says {_after_text(alert)!r}, not {said!r}")
        _check(page, "train-upload-refused", problems)
        sidebar.get_by_test_id("stFileChipDeleteBtn").click()
        _settle(page)


def _no_results(page, problems: list[str]) -> None:
    """A drop-down list filtered down to nothing says so in French."""
    page.get_by_label(FR["sidebar.dataset"], exact=True).click()
    page.keyboard.type("zzz")
    empty = page.locator('[role="listbox"] > [role="option"][style*="contents"] > span')
    empty.wait_for(state="attached", timeout=START_MS)  # its English is hidden
    if _after_text(empty) != FR["select.no_results"]:
        problems.append(f"no-results: says {_after_text(empty)!r}")
    _check(page, "no-results", problems, settle=False)
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")


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
    _refused_upload(page, problems)
    _no_results(page, problems)
    # A folder that is not there: said directly under the path, with ~ expanded.
    path_box = page.get_by_label(FR["sidebar.own_path"], exact=True)
    path_box.fill("~/dossier-absent")
    path_box.press("Enter")
    missing = FR["sidebar.own_path_not_found"].format(path=Path.home() / "dossier-absent")
    # In the sidebar (the page says it too, for phones whose sidebar starts closed).
    error = page.get_by_test_id("stSidebar").get_by_text(missing, exact=True)
    error.wait_for(timeout=START_MS)
    box, under = path_box.bounding_box(), error.bounding_box()
    gap = under["y"] - (box["y"] + box["height"])
    if not 0 <= gap < 60:
        problems.append(f"train-dataset-error: the error is {gap:.0f} px under the path box")
    _check(page, "train-dataset-error", problems)
    _screens(page, "train-dataset-error", sidebar=True)

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
    # z = 2 and 3 epochs: wherever the pause below lands, a whole epoch is left to step in.
    for label, presses in ((FR["sidebar.latent"], ()), (FR["sidebar.epochs"], ("ArrowRight",) * 2)):
        page.locator(f'input[type="range"][aria-label="{label}"]').focus()
        for key in ("Home", *presses):
            page.keyboard.press(key)
        _settle(page)
    # The advanced settings (free bits, gradient clipping: numbers with decimals), left open.
    page.get_by_test_id("stSidebar").get_by_text(FR["sidebar.advanced"], exact=True).click()
    page.get_by_text(FR["sidebar.grad_clip"], exact=True).wait_for(timeout=START_MS)
    _check(page, "train-advanced", problems)
    page.get_by_role("button", name=FR["train.train"], exact=True).click()
    # Paused at once (before its worker has started), then stepped: the live curves stay on
    # screen while they are checked.
    page.get_by_role("button", name=FR["live.pause"], exact=True).click(timeout=START_MS)
    page.get_by_role("button", name=FR["live.resume"], exact=True).wait_for(timeout=TRAIN_MS)
    steps = page.get_by_label(FR["live.steps"], exact=True)
    steps.fill(str(STEPS))
    steps.press("Enter")
    page.get_by_role("button", name=FR["live.step"], exact=True).click()
    curves = page.get_by_text(FR["train.curves_caption"].split(".")[0])
    curves.wait_for(timeout=TRAIN_MS)
    # The curves of the loss, its two terms and more: drawn once Vega's script has loaded, which
    # may take seconds on a busy machine (skeletons stand in for them until then).
    page.wait_for_function(
        "document.querySelectorAll('.vega-embed svg text').length > 0 && "
        "document.querySelectorAll('.vega-embed svg').length >= 3",
        timeout=TRAIN_MS,
    )
    if not _axis_numbers(page):
        problems.append("train-live: the live curves show no axis numbers to check")
    _check(page, "train-live", problems, settle=False)
    _screens(page, "train-live-curves", sidebar=False, target=curves)
    page.get_by_role("button", name=FR["live.resume"], exact=True).click()
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
        if name == "lab":  # the map, the Results page's one chart: its axes are checked too
            map_svg = page.locator('[role="tabpanel"]:visible .vega-embed svg')
            map_svg.first.wait_for(timeout=START_MS)
        _check(page, f"results-{name}", problems)
        if name == "lab" and not _axis_numbers(page):
            problems.append("results-lab: the map shows no axis numbers to check")

    # Each page is checked once its last part is drawn: the address changes before the page does.
    figures = len(re.findall(r"<!--\s*figure:", LEARN_FR))
    last_parts = {
        "runs": page.get_by_text(FR["runs.import.title"], exact=True),
        "compare": page.get_by_role("button", name=FR["compare.start"]),
        # The whole lesson, not the part drawn before its first figure; not counting the figure
        # the Compare page leaves on screen until the lesson replaces it.
        "learn": current(page).get_by_test_id("stImage").nth(figures - 1),
    }
    for page_name, last_part in last_parts.items():
        page.get_by_role("link", name=FR[f"nav.{page_name}"]).click()
        page.wait_for_url(f"**/{page_name}", timeout=START_MS)
        last_part.wait_for(timeout=START_MS)
        _check(page, page_name, problems)
