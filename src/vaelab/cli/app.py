"""``vaelab app``: start the Streamlit app."""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import subprocess
import sys
import threading

from vaelab.cli import values
from vaelab.cli.options import add_whole
from vaelab.config import Limit
from vaelab.data.limits import MAX_UPLOAD_BYTES
from vaelab.errors import VaeLabError
from vaelab.jobs.executor import RAY_ADDRESS_ENV

#: The TCP ports a server can listen on.
PORTS = Limit(1, 65535)
#: Streamlit's options for the app; ``.streamlit/config.toml`` sets the same, for ``streamlit run``
#: from the repository root (a test checks).
STREAMLIT_OPTIONS = {
    "browser.gatherUsageStats": "false",
    "client.toolbarMode": "minimal",
    # The largest upload the app accepts, so that the uploaders never promise more.
    "server.maxUploadSize": str(MAX_UPLOAD_BYTES // 2**20),
    # No full garbage collection after each run of a page: with torch loaded it takes 0.4 s or
    # more, and a click that reruns the page, or a live panel that redraws itself every second,
    # paid it each time (the Compare page's Start answered in 1.8 to 3.1 s, 0.4 to 0.7 s without
    # it, on a busy two-core machine). Python's own collector still runs as it always does.
    "runner.postScriptGC": "false",
}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``app`` and its options to ``subparsers``."""
    p = subparsers.add_parser("app", help="start the web app")
    p.set_defaults(handler=run)
    add_whole(p, "--port", PORTS, 8501, "TCP port to serve on")
    p.add_argument(
        "--ray",
        metavar="ADDRESS",
        type=values.ray_address,
        default=None,
        help="run trainings and comparisons on this Ray cluster (auto, HOST:6379, "
        "ray://HOST:10001; needs vaelab[cluster] and the runs folder at the same path on every "
        f"machine); default: ${RAY_ADDRESS_ENV}, else worker processes of this machine",
    )


def run(args: argparse.Namespace) -> int:
    """Serve the app on ``args.port`` until Ctrl-C.

    Raises
    ------
    VaeLabError
        If Streamlit, which comes with the ``[app]`` extra, is not installed.
    """
    if importlib.util.find_spec("streamlit") is None:
        raise VaeLabError('the app needs Streamlit: pip install "vaelab[app]"')
    options = ["--server.port", str(args.port)]
    for name, value in STREAMLIT_OPTIONS.items():
        options += [f"--{name}", value]
    # The app's own launcher imports its modules before it serves (vaelab.app.launch).
    command = [sys.executable, "-m", "vaelab.app.launch", *options]
    env = os.environ | ({RAY_ADDRESS_ENV: args.ray} if args.ray else {})
    server = subprocess.Popen(command, env=env)
    # A SIGTERM to this process (a service manager, kill) stops the server too; Ctrl-C in a
    # terminal reaches both by itself.
    forward = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, lambda *_: server.terminate()) if forward else None
    try:
        return server.wait()
    except KeyboardInterrupt:
        # Ctrl-C is how the server is stopped: Streamlit got it too and shuts down.
        server.wait()
        return 0
    finally:
        if forward:
            signal.signal(signal.SIGTERM, previous)
