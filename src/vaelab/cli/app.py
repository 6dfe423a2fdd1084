"""``vaelab app``: start the Streamlit app."""

from __future__ import annotations

import argparse
import importlib.util
import os
from pathlib import Path

import vaelab
from vaelab.cli import values
from vaelab.cli.options import add_whole
from vaelab.config import Limit
from vaelab.data.limits import MAX_UPLOAD_BYTES
from vaelab.errors import VaeLabError
from vaelab.jobs.executor import RAY_ADDRESS_ENV

#: The app's entry point, found from the installed package so that any working folder works.
MAIN_PAGE = Path(vaelab.__file__).parent / "app" / "main.py"
#: The TCP ports a server can listen on.
PORTS = Limit(1, 65535)


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
    options = [
        "--server.port",
        str(args.port),
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",
        # The largest upload the app accepts, so that the uploaders never promise more.
        "--server.maxUploadSize",
        str(MAX_UPLOAD_BYTES // 2**20),
    ]
    if args.ray:
        os.environ[RAY_ADDRESS_ENV] = args.ray
    return serve(options)


def serve(options: list[str]) -> int:
    """Run the Streamlit server on the app in this process, its imports done first.

    In this process rather than a child, so that the first visitor finds torch and the pages'
    modules imported (:func:`vaelab.app.warmup.warm_up`) instead of waiting for them.
    """
    from streamlit.web import cli as streamlit_cli

    from vaelab.app.warmup import warm_up

    print("VAE Lab: loading the app's modules…", flush=True)
    warm_up()
    try:
        streamlit_cli.main(
            ["run", str(MAIN_PAGE), *options], prog_name="streamlit", standalone_mode=False
        )
    except KeyboardInterrupt:
        # Ctrl-C is how the server is stopped.
        pass
    return 0
