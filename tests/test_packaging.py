"""The core package alone is enough for the command line: installed from a wheel, offline.

A fresh virtual environment sees only the distributions the wheel declares as core requirements
(and, recursively, theirs), linked from this environment rather than copied: a ``.pth`` file
points at a folder of symlinks to their top-level packages and ``.dist-info`` folders, so torch's
gigabytes are not installed again. The wheel is installed with ``pip --no-index --no-deps``,
``pip check`` verifies that the linked set satisfies every requirement, every library module
imports, and ``vaelab train``, ``sample`` and ``compare`` run on tiny data. An import the core does
not declare (streamlit, or matplotlib if it were still in the ``app`` extra) fails there, as it
would for a user.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path, PurePosixPath

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


def _build_wheel(out: Path) -> Path:
    """Build the wheel from a copy of the sources, so the checkout gets no ``build/`` folder."""
    tree = out / "source"
    tree.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, tree / name)
    shutil.copytree(
        ROOT / "src", tree / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index"]
    _run([*pip, "--quiet", "--wheel-dir", str(out), str(tree)])
    (wheel,) = out.glob("vaelab-*.whl")
    return wheel


def _core_requirements(wheel: Path) -> list[Requirement]:
    """``Requires-Dist`` of the wheel that apply without any extra."""
    with zipfile.ZipFile(wheel) as archive:
        (name,) = (n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(archive.read(name).decode())
    requirements = [Requirement(line) for line in metadata.get_all("Requires-Dist") or []]
    return [r for r in requirements if r.marker is None or r.marker.evaluate({"extra": ""})]


def _closure(requirements: list[Requirement]) -> list[importlib.metadata.Distribution]:
    """The installed distributions that satisfy ``requirements``, and theirs, recursively."""
    found: dict[str, tuple[importlib.metadata.Distribution, set[str]]] = {}
    todo = list(requirements)
    while todo:
        requirement = todo.pop()
        key = canonicalize_name(requirement.name)
        extras = set(requirement.extras)
        if key in found and extras <= found[key][1]:
            continue
        dist = importlib.metadata.distribution(requirement.name)
        assert requirement.specifier.contains(dist.version, prereleases=True), (
            f"{requirement} is not satisfied here ({dist.version})"
        )
        extras |= found[key][1] if key in found else set()
        found[key] = (dist, extras)
        for line in dist.requires or []:
            child = Requirement(line)
            if child.marker is None or any(
                child.marker.evaluate({"extra": extra}) for extra in ("", *extras)
            ):
                todo.append(child)
    return [dist for dist, _ in found.values()]


def _link_tree(dists: list[importlib.metadata.Distribution], folder: Path) -> None:
    """Symlink the top-level packages, modules and ``.dist-info`` folders of ``dists``."""
    folder.mkdir()
    for dist in dists:
        assert dist.files is not None, f"{dist.metadata['Name']} has no RECORD"
        for file in dist.files:
            top = PurePosixPath(file).parts[0]
            if top in ("..", "__pycache__") or top.endswith(".pth"):
                continue  # scripts in bin/, caches, and .pth files (only read in site folders)
            link = folder / top
            if not link.exists():
                link.symlink_to(Path(dist.locate_file(top)))


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, **kwargs)
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def core_venv(tmp_path_factory) -> Path:
    """A virtual environment with the wheel installed and only its core requirements visible."""
    tmp = tmp_path_factory.mktemp("packaging")
    wheel = _build_wheel(tmp)
    _link_tree(_closure(_core_requirements(wheel)), tmp / "core-deps")
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    purelib = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
    Path(purelib.stdout.strip(), "core-deps.pth").write_text(f"{tmp / 'core-deps'}\n")
    pip = [sys.executable, "-m", "pip", "--python", str(python), "--disable-pip-version-check"]
    _run([*pip, "install", "--no-index", "--no-deps", "--quiet", str(wheel)])
    _run([*pip, "check"])
    return venv


def _isolated() -> dict[str, str]:
    """This environment without what would let the core venv see the checkout or the dev venv."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PYTHONNOUSERSITE"] = "1"
    return env


def _vaelab(venv: Path, *args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = _isolated()
    command = [str(venv / "bin" / "vaelab"), *args]
    if check:
        return _run(command, cwd=cwd, env=env)
    return subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=cwd, env=env)


#: Imports every module of the library but the app (and ``__main__``, which runs the CLI), then
#: the Fréchet distance, whose SciPy import waits for its first call; prints where vaelab is.
IMPORT_EVERYTHING = """
import importlib, pkgutil
import numpy as np
import vaelab
from vaelab.metrics.frechet import frechet_distance

def import_all(package):
    for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        if info.name not in ("vaelab.app", "vaelab.__main__"):
            module = importlib.import_module(info.name)
            if info.ispkg:
                import_all(module)

import_all(vaelab)
frechet_distance(np.eye(3), np.ones((3, 3)))
print(vaelab.__file__)
"""


def test_the_library_imports_with_only_its_declared_dependencies(core_venv):
    python = str(core_venv / "bin" / "python")
    where = _run([python, "-c", IMPORT_EVERYTHING], env=_isolated()).stdout
    assert Path(where.strip()).is_relative_to(core_venv)  # the wheel, not the checkout
    for undeclared in ("streamlit", "mlxtend", "pandas"):
        done = subprocess.run(
            [python, "-c", f"import {undeclared}"], capture_output=True, env=_isolated()
        )
        assert done.returncode != 0, f"{undeclared} is visible to the core install"


#: Prints each committed comparison the installed package finds: folder, whether it has its
#: figure, and where it is.
LIST_REFERENCES = """
from vaelab.compare import references
for reference in references():
    print(reference.folder.name, reference.figure is not None, reference.folder)
"""


def test_the_committed_comparisons_ship_as_package_data(core_venv):
    python = str(core_venv / "bin" / "python")
    lines = _run([python, "-c", LIST_REFERENCES], env=_isolated()).stdout.splitlines()
    found = {name: (figure, Path(folder)) for name, figure, folder in map(str.split, lines)}
    assert found["mnist-5k"][0] == "True"
    assert found["mnist-5k"][1].is_relative_to(core_venv)  # the wheel's copy, not the checkout


def test_the_command_line_runs_on_the_core_install(core_venv, tiny_npz, tmp_path):
    train = ["train", "--dataset", str(tiny_npz), "--latent", "4", "--hidden", "8,16"]
    out = _vaelab(core_venv, *train, "--epochs", "1", "--batch-size", "16", cwd=tmp_path).stdout
    run_id = next(line.split()[1] for line in out.splitlines() if line.startswith("run "))
    _vaelab(core_venv, "sample", run_id, "-n", "4", "--out", "s.png", cwd=tmp_path)
    assert (tmp_path / "s.png").is_file()

    compare = ["compare", "--dataset", str(tiny_npz), "--latent", "2", "--hidden", "8"]
    compare += ["--epochs", "1", "--betas", "0.1", "--iwae-k", "2", "--iwae-images", "4"]
    compare += ["--fd-images", "0", "--samples", "4", "--out", "cmp"]
    _vaelab(core_venv, *compare, cwd=tmp_path)
    assert (tmp_path / "cmp" / "comparison.png").is_file()


def test_the_app_without_its_extra_says_how_to_install_it(core_venv, tmp_path):
    done = _vaelab(core_venv, "app", cwd=tmp_path, check=False)
    output = (done.stdout + done.stderr).strip()
    assert done.returncode != 0
    assert len(output.splitlines()) == 1, output
    assert "[app]" in output and "Traceback" not in output
