"""Schema fuzz: every field of run.json and of the trainer state, made wrong in every way.

Each variant is written in place of a saved run (the manifest vouching for any new tensor file,
so that only the variant itself is wrong), then loaded, listed and imported from an archive made
of its files. Each must give a one-line RunError, never another exception, and the listing must
still show the other run as sound.
"""

from __future__ import annotations

import functools
import json
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import torch

from test_runs import RUN_ID, make_config, make_run
from vaelab.config import RunConfig
from vaelab.errors import ConfigError, RunError
from vaelab.runs import MANIFEST, RunStore
from vaelab.runs.files import write_tensor_file

#: Stands for the mutated value in the encoded manifest, replaced by the raw JSON text.
HOLE = "@@hole@@"
#: Values no field accepts: oversized, too deep, not finite.
HOSTILE = {
    "huge float": "1e999",
    "NaN": "NaN",
    "-Infinity": "-Infinity",
    "5000 digits": "9" * 5000,
    "30 digits": "1" + "0" * 30,
    "deep nesting": "[" * 500 + "]" * 500,
    "huge text": '"' + "x" * 300_000 + '"',
}
#: Values of the wrong kind for most fields.
KINDS = {
    "null": "null",
    "true": "true",
    "text": '"text"',
    "empty list": "[]",
    "empty object": "{}",
    "list of text": '["a"]',
    "object": '{"a": 1}',
    "negative": "-1",
    "fraction": "1.5",
}
#: Fields that hold values to show, not to compute with: a metric may be any JSON scalar or a
#: list of numbers, a loss or a time any finite number, an entry may be missing.
FREE_FORM = (
    "metrics",
    "history[1].loss",
    "history[1].kl",
    "curve[1].loss",
    "curve[1].kl",
    "trainer_meta.train_time",
    "trainer_meta.partial_time",
    "trainer_meta.partial_sums",
)
#: Config fields where null stands for the default.
NULLABLE = ("config.model.likelihood", "config.data.image_size")
#: Objects that take entries of any name (a history record holds whatever the model measures).
OPEN_OBJECTS = ("history[1]", "curve[1]", "metrics", "trainer_meta.partial_sums")


def paths(value: Any, path: str = "") -> Iterator[str]:
    """Every field of a JSON document, containers included, as ``a.b[0].c``."""
    if path:
        yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list) and value:
        yield from paths(value[-1], f"{path}[{len(value) - 1}]")


def parent_and_key(document: Any, path: str) -> tuple[Any, Any]:
    parts = path.replace("[", ".[").split(".")
    node = document
    for part in parts[:-1]:
        node = node[int(part[1:-1])] if part.startswith("[") else node[part]
    last = parts[-1]
    return node, (int(last[1:-1]) if last.startswith("[") else last)


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> tuple[RunStore, dict[str, bytes]]:
    """A store with the run to damage and a witness run; the pristine files of the first."""
    store = RunStore(tmp_path_factory.mktemp("fuzz") / "runs")
    store.save(make_run())
    store.save(make_run(make_config(seed=1)))
    folder = store.path(RUN_ID)
    return store, {p.name: p.read_bytes() for p in folder.iterdir()}


@pytest.fixture
def damage(lab, tmp_path) -> Callable[[bytes, dict[str, torch.Tensor] | None], None]:
    """Writes a variant in place of the run, checks load, list and import, then restores it."""
    store, pristine = lab
    folder = store.path(RUN_ID)

    def check(manifest: bytes, trainer: dict[str, torch.Tensor] | None = None) -> str:
        for path in folder.iterdir():
            path.unlink()
        for name, data in pristine.items():
            (folder / name).write_bytes(data)
        if trainer is not None:
            ref = write_tensor_file(folder, "trainer", trainer)
            document = json.loads(manifest)
            (folder / document["files"]["trainer"]["name"]).unlink()
            document["files"]["trainer"] = ref._asdict()
            manifest = json.dumps(document).encode()
        (folder / MANIFEST).write_bytes(manifest)
        outcome = _outcome(store.load, RUN_ID)
        listed = {s.run_id: s for s in store.list()}
        assert set(listed) == {RUN_ID, make_config(seed=1).run_id}
        assert listed[make_config(seed=1).run_id].error is None
        archive = tmp_path / "variant.zip"
        with zipfile.ZipFile(archive, "w") as zf:
            for path in folder.iterdir():
                zf.write(path, f"{RUN_ID}/{path.name}")
        other = RunStore(tmp_path / "other")
        imported = _outcome(other.import_, archive)
        assert (imported == "loaded") == (outcome == "loaded"), (outcome, imported)
        if imported != "loaded":
            assert not other.path(RUN_ID).exists()
        else:
            other.delete(RUN_ID)
        return outcome

    return check


def _outcome(call: Callable[..., Any], *args: Any) -> str:
    """``"loaded"``, or the one-line message of the RunError the call raised."""
    try:
        call(*args)
    except RunError as exc:
        assert "\n" not in str(exc), str(exc)
        return str(exc)
    return "loaded"


@functools.cache
def make_run_manifest() -> str:
    """The manifest of a saved run, as the store writes it."""
    with tempfile.TemporaryDirectory() as tmp:
        store = RunStore(Path(tmp) / "runs")
        store.save(make_run())
        return (store.path(RUN_ID) / MANIFEST).read_text()


def variant(path: str, name: str) -> dict[str, Any] | bytes:
    """The manifest with the field ``path`` changed as ``name`` says."""
    document = json.loads(make_run_manifest())
    parent, key = parent_and_key(document, path)
    if name == "missing":
        del parent[key]
        return document
    if name == "extra entry":
        target = parent[key]
        if isinstance(target, dict):
            target["unexpected"] = 1
        elif isinstance(target, list):
            target.append(target[-1] if target else 1)
        else:
            parent[key] = [target, target]
        return document
    parent[key] = HOLE
    return json.dumps(document).replace(json.dumps(HOLE), {**HOSTILE, **KINDS}[name]).encode()


def expected_to_load(path: str, name: str, document: dict[str, Any] | bytes) -> bool | None:
    """Whether the variant is a valid run; ``None`` where either answer is right."""
    if name in HOSTILE:
        return False
    if path.startswith(FREE_FORM):
        return None
    if name == "extra entry" and path in OPEN_OBJECTS:
        return True
    if isinstance(document, bytes):
        document = json.loads(document)
    if path.startswith("config"):
        # Valid when it still describes the same run: a field left out, an empty section, or
        # null where null means the default, when the default is the saved value.
        parent, key = parent_and_key(json.loads(make_run_manifest()), path)
        fits = (
            name == "missing"
            or (name == "null" and path in NULLABLE)
            or (name == "empty object" and isinstance(parent[key], dict))
        )
        try:
            return fits and RunConfig.from_dict(document.get("config")).run_id == RUN_ID
        except ConfigError:
            return False
    # Optional fields, and a curve's last point (the curve is then one step shorter).
    return (path, name) in (
        ("revision", "missing"),
        ("curve", "missing"),
        ("curve", "empty list"),
        ("curve[1]", "missing"),
        ("latent_kl", "missing"),
        ("latent_kl", "empty list"),
    )


FIELDS = list(paths(json.loads(make_run_manifest())))
CHANGES = [*HOSTILE, *KINDS, "missing", "extra entry"]
#: Every change of every field; the default run takes every 17th, so that each field and each
#: change come up (17 and the 18 changes share no factor).
MANIFEST_VARIANTS = [(path, name) for path in FIELDS for name in CHANGES]
SAMPLE = MANIFEST_VARIANTS[::17]


def check_manifest_variant(damage, path: str, name: str) -> None:
    document = variant(path, name)
    raw = document if isinstance(document, bytes) else json.dumps(document).encode()
    outcome = damage(raw)
    expected = expected_to_load(path, name, document)
    if expected is not None:
        assert (outcome == "loaded") == expected, outcome


@pytest.mark.parametrize(("path", "name"), SAMPLE, ids=[f"{p}={n}" for p, n in SAMPLE])
def test_wrong_values_of_manifest_fields_are_one_line_run_errors(damage, path, name):
    check_manifest_variant(damage, path, name)


@pytest.mark.slow
@pytest.mark.parametrize("path", FIELDS)
def test_every_wrong_value_of_every_manifest_field_is_a_one_line_run_error(damage, path):
    for name in CHANGES:
        check_manifest_variant(damage, path, name)


def _trainer(change: Callable[[dict[str, torch.Tensor]], None]) -> dict[str, torch.Tensor]:
    tensors = {k: v.clone() for k, v in make_run().trainer_state.items()}
    change(tensors)
    return tensors


def _set(key: str, value: torch.Tensor) -> Callable[[dict[str, torch.Tensor]], None]:
    return lambda tensors: tensors.__setitem__(key, value)


def _drop(key: str) -> Callable[[dict[str, torch.Tensor]], None]:
    return lambda tensors: tensors.pop(key)


def _edit(key: str, edit: Callable[[torch.Tensor], torch.Tensor]):
    return lambda tensors: tensors.__setitem__(key, edit(tensors[key]))


RNG = torch.Generator().get_state()
TRAINER_VARIANTS = {
    "rng.order missing": _drop("rng.order"),
    "rng.noise missing": _drop("rng.noise"),
    "optim.0.step missing": _drop("optim.0.step"),
    "optim.0.exp_avg missing": _drop("optim.0.exp_avg"),
    "optim.0.exp_avg_sq missing": _drop("optim.0.exp_avg_sq"),
    "extra tensor": _set("extra", torch.zeros(1)),
    "moment of a parameter the model lacks": _set("optim.99.exp_avg", torch.zeros(1)),
    "unknown Adam entry": _set("optim.0.momentum", torch.zeros(1)),
    "index with a leading zero": _set("optim.01.step", torch.tensor(1.0)),
    "rng.order short": _set("rng.order", RNG[:100].clone()),
    "rng.order long": _set("rng.order", torch.cat([RNG, RNG])),
    "rng.order empty": _set("rng.order", torch.zeros(0, dtype=torch.uint8)),
    "rng.order float": _set("rng.order", RNG.float()),
    "rng.order 2-D": _set("rng.order", RNG.reshape(2, -1)),
    "rng.order garbage": _set("rng.order", torch.full_like(RNG, 255)),
    "rng.noise empty": _set("rng.noise", torch.zeros(0, dtype=torch.uint8)),
    "rng.noise too long": _set("rng.noise", torch.zeros(10_000, dtype=torch.uint8)),
    "rng.noise int64": _set("rng.noise", RNG.long()),
    "rng.noise garbage": _set("rng.noise", torch.zeros_like(RNG)),
    "step NaN": _set("optim.0.step", torch.tensor(float("nan"))),
    "step negative": _set("optim.0.step", torch.tensor(-1.0)),
    "step fraction": _set("optim.0.step", torch.tensor(1.5)),
    "step beyond the run's steps": _set("optim.0.step", torch.tensor(1e9)),
    "step an integer tensor": _set("optim.0.step", torch.tensor(3)),
    "step of two values": _set("optim.0.step", torch.tensor([1.0, 2.0])),
    "moment transposed": _edit("optim.0.exp_avg", lambda t: t.reshape(-1).flip(0)[:1]),
    "moment float64": _edit("optim.0.exp_avg", lambda t: t.double()),
    "moment bfloat16": _edit("optim.0.exp_avg", lambda t: t.bfloat16()),
    "moment NaN": _edit("optim.0.exp_avg", lambda t: torch.full_like(t, float("nan"))),
    "moment infinite": _edit("optim.0.exp_avg_sq", lambda t: torch.full_like(t, float("inf"))),
    "second moment negative": _edit("optim.0.exp_avg_sq", lambda t: -1 - t),
    "second moment of another shape": _edit("optim.1.exp_avg_sq", lambda t: t[:1]),
    "moment bool": _edit("optim.0.exp_avg", lambda t: t > 0),
}


@pytest.mark.parametrize("change", list(TRAINER_VARIANTS.values()), ids=list(TRAINER_VARIANTS))
def test_every_wrong_trainer_state_is_a_one_line_run_error(damage, change):
    outcome = damage(make_run_manifest().encode(), _trainer(change))
    # Refused for what it holds, or unread when larger than any state of this model can be.
    assert re.match(
        rf"run '{RUN_ID}' (has an invalid trainer state: |is corrupted: its trainer state file)",
        outcome,
    ), outcome


def test_the_fuzz_covers_every_field_and_every_change():
    assert {"config.model.hidden[0]", "trainer_meta.partial_sums.loss", "files.trainer.size"} <= (
        set(FIELDS)
    )
    assert {path for path, _ in SAMPLE} == set(FIELDS)
    assert {name for _, name in SAMPLE} == set(CHANGES)
