"""The app's server: ``python -m vaelab.app.launch [Streamlit options]``, as ``vaelab app`` runs it.

Streamlit runs the app's script only when a browser connects, so the first visit used to pay
for importing torch, torchvision, Altair and the whole app: seconds on a small machine, during
which the page stays blank. This server imports them first (:func:`warm_up`), then serves.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger(__name__)

APP_DIR = Path(__file__).resolve().parent
PAGES_DIR = APP_DIR / "views"
#: Modules that Streamlit, Matplotlib and Pillow import only when a page first needs them, which
#: the pages' own imports do not reach: found by listing ``sys.modules`` before and after a first
#: visit of each page. ``streamlit.emojis`` alone took 0.4 s of the first visit (it compiles a
#: regular expression of every emoji, for the language picker's labels).
LAZY_IMPORTS = (
    "streamlit.emojis",
    "streamlit.material_icon_names",
    "streamlit.runtime.scriptrunner.magic_funcs",
    "streamlit.components.v2.manifest_scanner",
    "matplotlib.backends.backend_agg",
    "contourpy",
    # Reading a dataset's .npz archive.
    "encodings.cp437",
    "numpy.ctypeslib",
)
#: Streamlit warns, for each cached function defined before its runtime exists, that it falls back
#: to an in-memory cache; the cache is in fact chosen at each call, once the runtime runs.
_CACHE_LOGGER = "streamlit.runtime.caching.cache_data_api"


def page_imports(pages_dir: Path = PAGES_DIR) -> list[str]:
    """Every module the page scripts and the app's entry point import, in the order first named.

    ``from package import name`` counts ``package.name`` too, when ``name`` is a module of it.
    """
    modules: list[str] = []
    for page in [APP_DIR / "main.py", *sorted(pages_dir.glob("*.py"))]:
        for node in ast.walk(ast.parse(page.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
                names += [
                    f"{node.module}.{alias.name}"
                    for alias in node.names
                    if _is_module(node.module, alias.name)
                ]
            else:
                continue
            modules += [name for name in names if name not in modules]
    return modules


def _is_module(package: str, name: str) -> bool:
    try:
        return importlib.util.find_spec(f"{package}.{name}") is not None
    except (ImportError, ValueError):  # ``package`` is a module, not a package
        return False


def warm_up(pages_dir: Path = PAGES_DIR) -> list[str]:
    """Import every module the pages import, then :data:`LAZY_IMPORTS`; the names that failed.

    A page's import that fails is logged and left for the page to show when it runs; a lazy
    import that another version of its library does not have is skipped.
    """
    cache_log = logging.getLogger(_CACHE_LOGGER)
    level = cache_log.level
    cache_log.setLevel(logging.ERROR)
    failed = []
    try:
        for name in page_imports(pages_dir):
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - the page itself will show what is wrong
                log.exception("warm-up: could not import %s", name)
                failed.append(name)
        for name in LAZY_IMPORTS:
            try:
                importlib.import_module(name)
            except ImportError:  # another version of the library: only a first visit is slower
                log.debug("warm-up: no module %s", name)
    finally:
        cache_log.setLevel(level)
    from PIL import Image  # its file formats, which it loads at the first image it writes

    Image.init()
    return failed


def main(options: Sequence[str] = ()) -> int:
    """Import the pages' modules, then run Streamlit's server on the app with ``options``."""
    from streamlit.web import cli as streamlit_cli

    print("VAE Lab: loading the app's modules…", flush=True)
    warm_up()
    from vaelab.app.estimate import start_measuring

    start_measuring()  # the time estimates' speed, before a visitor's browser needs the cores
    try:
        streamlit_cli.main(
            ["run", str(APP_DIR / "main.py"), *options],
            prog_name="streamlit",
            standalone_mode=False,
        )
    except KeyboardInterrupt:
        pass  # Ctrl-C is how the server is stopped
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
