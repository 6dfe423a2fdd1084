"""The documentation builds with no warning, offline, and its examples run.

Builds ``docs/source`` with ``-W --keep-going -n`` (every warning is an error, every
cross-reference must resolve) into a temporary folder, then runs the doctests of the pages and of
the docstrings they include. Needs the ``docs`` extra (``pip install -e '.[app,docs]'``); skipped
without it.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from vaelab.compare import references, seed_list

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "docs" / "source"
DOCS_PACKAGES = ("sphinx", "furo", "sphinx-mathjax-offline")


def _missing() -> list[str]:
    return [name for name in DOCS_PACKAGES if importlib.util.find_spec(name) is None]


@pytest.fixture(scope="module")
def doctrees(tmp_path_factory) -> Path:
    missing = _missing()
    if missing:
        pytest.skip(f"the docs extra is not installed (missing: {', '.join(missing)})")
    return tmp_path_factory.mktemp("doctrees")


def _sphinx(builder: str, out: Path, doctrees: Path) -> subprocess.CompletedProcess:
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-b",
        builder,
        "-W",
        "--keep-going",
        "-n",
        "-q",
        str(SOURCE),
        str(out),
        "-d",
        str(doctrees),
    ]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=600)


def test_html_builds_without_warnings(doctrees, tmp_path):
    result = _sphinx("html", tmp_path / "html", doctrees)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    html = tmp_path / "html"
    for page in ("index", "getting-started", "app-tour", "cli", "theory", "theorie", "extending"):
        assert (html / f"{page}.html").is_file(), page
    assert (html / "api" / "index.html").is_file()
    # The CLI reference is generated from the parser: every subcommand has its section.
    cli = (html / "cli.html").read_text(encoding="utf-8")
    for command in ("train", "sample", "reconstruct", "runs", "datasets", "bench", "app"):
        assert f'id="vaelab-{command}"' in cli, command
    # Math is rendered by the bundled MathJax, never a CDN.
    theory = (html / "theory.html").read_text(encoding="utf-8")
    assert "_static/mathjax/tex-chtml.js" in theory
    assert "cdn.jsdelivr" not in theory
    assert (html / "_static" / "mathjax" / "tex-chtml.js").is_file()
    # Every committed reference is on the results page, with its summary over seeds if it has one.
    results = (html / "results.html").read_text(encoding="utf-8")
    for reference in references():
        assert f"({reference.folder.name})" in results, reference.folder
        if reference.seeds is not None:
            assert f"Over seeds {seed_list(reference.seeds.seeds)}" in results, reference.folder


def test_doctests_pass(doctrees, tmp_path):
    result = _sphinx("doctest", tmp_path / "doctest", doctrees)
    report = (tmp_path / "doctest" / "output.txt").read_text(encoding="utf-8")
    assert result.returncode == 0, report + result.stderr
    assert " 0 failures in tests" in report, report
