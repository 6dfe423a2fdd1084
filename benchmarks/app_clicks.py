"""How long the app's slow clicks take in a real browser: first answer and full content.

Run ``python benchmarks/app_clicks.py [--json FILE]``. It trains a tiny run on the offline MNIST
sample (z = 2, one epoch) into a temporary runs folder, starts the app (``vaelab app``)
offline on a free port, and drives Debian's Chromium (``/usr/bin/chromium``) with Playwright
through the clicks a student makes (the last two start a training and a comparison, and stop
them), each timed twice: until the first visible answer (new
content or a spinner) and until the full content is on screen and the app has finished its
run. Targets, on an idle two-core machine: an answer within 1 s, the full page within 3 s. Say
when the machine was busy.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from vaelab import RunStore, build_config, load_dataset, train
from vaelab.i18n import text

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
VIEWPORT = {"width": 1366, "height": 768}
#: Milliseconds to wait for any one answer before giving up.
TIMEOUT_MS = 120_000
#: Seconds between the server's first answer and the first visit.
STARTUP_S = 4
#: What counts as an answer while a page is busy: Streamlit's spinners and its running widget.
SPINNER = '[data-testid="stSpinner"], [data-testid="stStatusWidget"]'


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(root: Path) -> tuple[subprocess.Popen, str]:
    """Start the app as the README does (``vaelab app``), offline on a free port, with ``root``'s
    data and runs folders; returns once it answers (its modules are imported before that)."""
    port = _free_port()
    env = {
        **os.environ,
        "VAELAB_DATA_DIR": str(root / "data"),
        "VAELAB_RUNS_DIR": str(root / "runs"),
        "VAELAB_OFFLINE": "1",
        "STREAMLIT_SERVER_HEADLESS": "true",
        "STREAMLIT_SERVER_ADDRESS": "127.0.0.1",
        "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
    }
    command = [sys.executable, "-m", "vaelab", "app", "--port", str(port)]
    log = (root / "streamlit.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return server, url
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit(f"streamlit did not start; see {root / 'streamlit.log'}")


def settle(page) -> None:
    """Wait until the app has finished its run (its running widget is gone)."""
    page.wait_for_timeout(200)  # the widget shows up a moment after a click
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=TIMEOUT_MS)


def timed(page, action: Callable[[], None], answer: str, full: str) -> dict[str, float]:
    """Seconds from ``action`` to the first element matching ``answer`` (or a spinner), and to
    ``full`` being visible with the run finished (no ``answer``: only a spinner counts)."""
    start = time.perf_counter()
    action()
    page.locator(f"{answer}, {SPINNER}" if answer else SPINNER).first.wait_for(timeout=TIMEOUT_MS)
    first = time.perf_counter() - start
    page.locator(full).first.wait_for(timeout=TIMEOUT_MS)
    settle(page)
    times = {"answer_s": round(first, 2), "full_s": round(time.perf_counter() - start, 2)}
    print(f"{times['answer_s']:6.2f} s to answer, {times['full_s']:6.2f} s in full", flush=True)
    return times


def _title(key: str, lang: str) -> str:
    """CSS selector of a page title (Streamlit's ``h1``) reading the string ``key``."""
    return f'h1:has-text("{text(key, lang)}")'


def measure(url: str) -> dict[str, dict[str, float]]:
    """Time each slow click of the app at ``url``."""
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT, locale="en-US")
        results["first_page_load"] = timed(
            page,
            lambda: page.goto(url),
            _title("train.title", "en"),
            'button:has-text("Train")',
        )
        # The click that changes the dataset is the option's: the list is opened before the timer.
        page.get_by_label(text("sidebar.dataset", "en"), exact=True).click()
        page.get_by_role("option", name=text("dataset.own", "en"), exact=True).wait_for()
        results["dataset_change"] = timed(
            page,
            lambda: page.get_by_role("option", name=text("dataset.own", "en"), exact=True).click(),
            f'[data-testid="stTextInput"]:has-text("{text("sidebar.own_path", "en")}")',
            '[data-testid="stFileUploader"]',
        )
        results["results_page_cold"] = timed(
            page,
            lambda: page.get_by_role("link", name=text("nav.results", "en")).click(),
            _title("results.page.title", "en"),
            '[data-testid="stTabs"] [data-testid="stImage"]',
        )
        results["metrics_tab"] = timed(
            page,
            lambda: page.get_by_role("tab", name=text("results.tab.metrics", "en")).click(),
            '[role="tabpanel"]:visible button',
            '[role="tabpanel"]:visible button',
        )
        results["language_switch_results"] = timed(
            page,
            lambda: page.get_by_text("Français", exact=True).click(),
            _title("results.page.title", "fr"),
            '[role="tabpanel"]:visible button',  # the Metrics tab stays open, in French
        )
        french = browser.new_page(viewport=VIEWPORT, locale="fr-FR")
        results["learn_fr_first_visit"] = timed(
            french,
            lambda: french.goto(f"{url}/learn"),
            _title("learn.title", "fr"),
            ".katex",
        )
        # The two clicks that start a job in a worker process: a page that answers at once.
        jobs = browser.new_page(viewport=VIEWPORT, locale="en-US")
        jobs.goto(url)
        jobs.get_by_label(text("sidebar.dataset", "en"), exact=True).click()
        jobs.get_by_role("option", name=text("dataset.mnist-5k", "en"), exact=True).click()
        settle(jobs)
        stop = f'button:has-text("{text("train.stop", "en")}")'
        results["train_click"] = timed(
            jobs, lambda: jobs.get_by_role("button", name="Train", exact=True).click(), stop, stop
        )
        jobs.locator(stop).first.click()
        settle(jobs)
        jobs.goto(f"{url}/compare")
        jobs.get_by_role("button", name=text("compare.start", "en")).wait_for(timeout=TIMEOUT_MS)
        settle(jobs)
        results["compare_click"] = timed(
            jobs,
            lambda: jobs.get_by_role("button", name=text("compare.start", "en")).click(),
            stop,
            stop,
        )
        jobs.locator(stop).first.click()
        browser.close()
    return results


def main() -> dict:
    """Train a tiny run, start the app, time the clicks, print and return the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the timings to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        data = load_dataset("mnist-5k", root / "data")
        config = build_config(data, latent_dim=2, epochs=1)
        train(config, data, store=RunStore(root / "runs"), device="cpu")
        server, url = start_server(root)
        # The first visitor comes once the server's start-up is over: it measures this machine's
        # speed for the time estimates (a second or two of training steps) as it starts serving.
        time.sleep(STARTUP_S)
        try:
            results = measure(url)
        finally:
            server.terminate()
            server.wait(timeout=10)
    for name, times in results.items():
        print(f"{name:26s} answer {times['answer_s']:6.2f} s   full {times['full_s']:6.2f} s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
