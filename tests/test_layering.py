"""The library never imports the app: every module outside ``vaelab.app`` works without Streamlit.

Imports are read from the source with :mod:`ast`, those inside functions included, so that a
late import cannot hide a dependency that only shows when the function runs.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "vaelab"
#: Modules the library must not import, with their submodules.
FORBIDDEN = ("vaelab.app", "streamlit")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file, nested ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolved against the module's package
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((node.lineno, base))
            # "from vaelab import app" imports the app too.
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def _forbidden(name: str) -> bool:
    return any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN)


LIBRARY = sorted(p for p in PACKAGE.rglob("*.py") if "app" not in p.relative_to(PACKAGE).parts[:1])


def test_the_library_has_modules_to_check():
    names = {_module_name(p) for p in LIBRARY}
    assert {"vaelab", "vaelab.config", "vaelab.i18n", "vaelab.explore.plots"} <= names
    assert not any(name.startswith("vaelab.app") for name in names)


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: _module_name(p))
def test_the_library_does_not_import_the_app_or_streamlit(path):
    bad = [f"line {line}: {name}" for line, name in _imports(path) if _forbidden(name)]
    assert not bad, f"{_module_name(path)} imports the app or Streamlit: {bad}"


def test_the_checker_sees_nested_and_relative_imports(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.PACKAGE", tmp_path / "vaelab")
    module = tmp_path / "vaelab" / "compare" / "view.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        "def draw():\n"
        "    import streamlit as st\n"
        "    from ..app import i18n\n"
        "    from vaelab import app\n"
    )
    names = [name for _, name in _imports(module)]
    assert [n for n in names if _forbidden(n)] == [
        "streamlit",
        "vaelab.app",
        "vaelab.app.i18n",
        "vaelab.app",
    ]
