"""Import what the pages need before the server starts, so that the first visitor waits less.

Streamlit runs the app's script only when a browser connects, so the first visit used to pay
for importing torch, torchvision, Altair and the whole app: seconds on a small machine, during
which the page stays blank. ``vaelab app`` calls :func:`warm_up` first, in the server's process;
the script's imports are then already done.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import logging
from pathlib import Path

log = logging.getLogger(__name__)

PAGES_DIR = Path(__file__).resolve().parent / "pages"
#: Streamlit warns, for each cached function defined before its runtime exists, that it falls back
#: to an in-memory cache; the cache is in fact chosen at each call, once the runtime runs.
_CACHE_LOGGER = "streamlit.runtime.caching.cache_data_api"


def page_imports(pages_dir: Path = PAGES_DIR) -> list[str]:
    """Every module the page scripts import, in the order they are first named.

    ``from package import name`` counts ``package.name`` too, when ``name`` is a module of it.
    """
    modules: list[str] = []
    for page in sorted(pages_dir.glob("*.py")):
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
    """Import every module the pages import; the names of those that failed.

    A failure is logged and left for the page to show when it runs.
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
    finally:
        cache_log.setLevel(level)
    return failed
