"""`vaelab app`: the pages' modules are imported before the server starts; a SIGTERM stops it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from vaelab.app.launch import page_imports, warm_up
from vaelab.app.widgets import MAX_UPLOAD_MB
from vaelab.cli.app import STREAMLIT_OPTIONS
from vaelab.data.limits import MAX_UPLOAD_BYTES

CONFIG = Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml"


def test_streamlit_run_and_vaelab_app_serve_with_the_same_options():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    config = tomllib.loads(CONFIG.read_text())
    flat = {
        f"{section}.{name}": str(value).lower() if isinstance(value, bool) else str(value)
        for section, options in config.items()
        for name, value in options.items()
    }
    assert flat == STREAMLIT_OPTIONS
    # The uploaders never promise more than the app accepts.
    assert flat["server.maxUploadSize"] == str(MAX_UPLOAD_MB) == str(MAX_UPLOAD_BYTES // 2**20)


def test_the_warm_up_imports_every_module_the_pages_import(tmp_path):
    pages = page_imports()
    # The pages' own imports, with the app's modules named by `from vaelab.app import x`.
    assert {"streamlit", "vaelab.app.sidebar", "vaelab.app.learn_figures"} <= set(pages)
    assert "vaelab.config.RunConfig" not in pages, "a class is not a module"
    (tmp_path / "page.py").write_text("import json\nfrom vaelab import no_such_module\n")
    assert warm_up(tmp_path) == []  # `from vaelab import x` that is no module imports vaelab
    (tmp_path / "page.py").write_text("import json\nimport vaelab_no_such_package\n")
    assert warm_up(tmp_path) == ["vaelab_no_such_package"]


#: Run in a fresh Python: after the warm-up, a first visit of every page imports nothing more.
_FIRST_VISITS = """
import sys
from streamlit.testing.v1 import AppTest
from vaelab.app.launch import warm_up
warm_up()
before = set(sys.modules)
app = AppTest.from_file({main!r}, default_timeout=300)
app.run()
for page in ("results", "runs", "compare", "learn"):
    app.switch_page(f"views/{{page}}.py").run()
    assert not app.exception, (page, [e.value for e in app.exception])
new = sorted(m for m in set(sys.modules) - before if not m.startswith("streamlit.testing"))
print("NEW", new)
"""


@pytest.mark.slow
def test_after_the_warm_up_a_first_visit_imports_nothing(tmp_path):
    from vaelab.app import launch

    script = _FIRST_VISITS.format(main=str(launch.APP_DIR / "main.py"))
    env = {
        **os.environ,
        "VAELAB_DATA_DIR": str(tmp_path / "data"),
        "VAELAB_RUNS_DIR": str(tmp_path / "runs"),
        "VAELAB_OFFLINE": "1",
    }
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "NEW []" in done.stdout, done.stdout[-3000:]


@pytest.mark.slow
def test_a_sigterm_to_vaelab_app_stops_its_server_too(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "VAELAB_DATA_DIR": str(tmp_path / "data"),
        "VAELAB_RUNS_DIR": str(tmp_path / "runs"),
        "STREAMLIT_SERVER_HEADLESS": "true",
        "STREAMLIT_SERVER_ADDRESS": "127.0.0.1",
    }
    command = [sys.executable, "-m", "vaelab", "app", "--port", str(port)]
    cli = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/_stcore/health"
    try:
        deadline = time.monotonic() + 120
        while not _answers(url):
            assert cli.poll() is None and time.monotonic() < deadline, "the app did not start"
            time.sleep(0.5)
        cli.send_signal(signal.SIGTERM)  # as a service manager stops it
        assert cli.wait(timeout=30) is not None
        deadline = time.monotonic() + 30
        while _answers(url):  # the server is gone with the command, not left serving
            assert time.monotonic() < deadline, "the server outlived vaelab app"
            time.sleep(0.5)
    finally:
        cli.kill()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False
