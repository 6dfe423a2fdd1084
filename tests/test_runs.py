"""The run store: round trips, crash safety, corruption detection, safe import."""

from __future__ import annotations

import copy
import functools
import json
import os
import stat
import threading
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from vaelab.config import DataConfig, ModelConfig, RunConfig, TrainConfig
from vaelab.errors import RunError
from vaelab.models import build_model
from vaelab.runs import MANIFEST, Run, RunStore
from vaelab.runs import archive as runs_archive
from vaelab.runs.files import ROLES
from vaelab.training.control import TrainingControl
from vaelab.training.trainer import Callback, Trainer

SMALL = ModelConfig(latent_dim=2, hidden=(8,), height=8, width=8)


def make_config(seed: int = 0, model: ModelConfig = SMALL) -> RunConfig:
    return RunConfig(model=model, data=DataConfig("mnist-5k"), train=TrainConfig(seed=seed))


RUN_ID = make_config().run_id


@functools.cache
def trainer_state(model: ModelConfig) -> tuple[dict[str, torch.Tensor], dict]:
    """A real trainer's state after two epochs and one step of the third (steps of 4 images)."""
    images = torch.randint(0, 256, (8, *model.image_shape), dtype=torch.uint8)
    control = TrainingControl()

    class StopAtStep5(Callback):
        def on_step_end(self, trainer, state):
            if state.step == 5:
                control.stop()

    torch.manual_seed(0)
    trainer = Trainer(
        build_model(model),
        images,
        images,
        TrainConfig(batch_size=4),
        callbacks=[StopAtStep5()],
        control=control,
    )
    trainer.fit(3)
    assert (trainer.epochs_done, trainer.step_in_epoch) == (2, 1)
    return trainer.state_tensors(), trainer.state_meta()


def make_run(config: RunConfig | None = None, *, fill: float | None = None) -> Run:
    config = config or make_config()
    torch.manual_seed(0)
    state = build_model(config.model).state_dict()
    if fill is not None:
        state = {k: torch.full_like(v, fill) for k, v in state.items()}
    tensors, meta = trainer_state(config.model)
    return Run(
        config=config,
        model_state=state,
        trainer_state=dict(tensors),
        trainer_meta=copy.deepcopy(meta),
        history=[{"epoch": 1, "loss": 1.5, "kl": 0.25}, {"epoch": 2, "loss": 1.25, "kl": 0.3}],
        curve=[{"step": 4, "loss": 1.5, "kl": 0.25}, {"step": 5, "loss": 1.25, "kl": 0.3}],
        metrics={"test_loss": 1.1, "per_class": [0.1, 0.2], "note": "σ"},
        epochs_done=2,
        status="stopped",
    )


def assert_same_tensors(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        assert a[key].dtype == b[key].dtype, key
        assert a[key].shape == b[key].shape, key
        # Bit-identical, NaNs included: compare the raw bytes.
        raw_a, raw_b = (t.reshape(-1).contiguous().view(torch.uint8) for t in (a[key], b[key]))
        assert raw_a.equal(raw_b), key


def raises_one_line(match: str):
    """pytest.raises(RunError) that also checks the message is a single line."""

    class _Check:
        def __enter__(self):
            self._ctx = pytest.raises(RunError, match=match)
            self._info = self._ctx.__enter__()
            return self._info

        def __exit__(self, *exc):
            suppressed = self._ctx.__exit__(*exc)
            assert "\n" not in str(self._info.value)
            return suppressed

    return _Check()


def manifest_of(store: RunStore, run_id: str) -> dict:
    return json.loads((store.path(run_id) / MANIFEST).read_text())


def write_manifest(store: RunStore, run_id: str, manifest: dict) -> None:
    (store.path(run_id) / MANIFEST).write_text(json.dumps(manifest))


def tensor_file(store: RunStore, run_id: str, role: str) -> Path:
    return store.path(run_id) / manifest_of(store, run_id)["files"][role]["name"]


@pytest.fixture
def store(tmp_path: Path) -> RunStore:
    return RunStore(tmp_path / "runs")


@pytest.fixture
def saved(store: RunStore) -> Run:
    run = make_run()
    store.save(run)
    return run


# --------------------------------------------------------------------------- round trips


def test_round_trip_is_exact(store: RunStore, saved: Run) -> None:
    loaded = store.load(saved.run_id)
    assert loaded.config == saved.config
    assert loaded.history == saved.history
    assert loaded.metrics == saved.metrics
    assert loaded.trainer_meta == saved.trainer_meta
    assert (loaded.epochs_done, loaded.status) == (2, "stopped")
    assert loaded.created == saved.created != ""
    assert loaded.updated == saved.updated
    assert_same_tensors(loaded.model_state, saved.model_state)
    assert_same_tensors(loaded.trainer_state, saved.trainer_state)
    assert sorted(p.name for p in store.path(saved.run_id).iterdir()) == sorted(
        [MANIFEST, tensor_file(store, saved.run_id, "model").name]
        + [tensor_file(store, saved.run_id, "trainer").name]
    )


def test_round_trip_of_shared_and_non_contiguous_tensors(store: RunStore, saved: Run) -> None:
    run = store.load(saved.run_id)
    state = run.trainer_state
    # Tied and non-contiguous tensors: safetensors refuses them unless the store copies them.
    state["optim.0.exp_avg"] = state["optim.0.exp_avg_sq"]
    key = next(k for k, v in run.model_state.items() if v.ndim > 1 and min(v.shape[:2]) > 1)
    weight = run.model_state[key]
    run.model_state[key] = weight.transpose(0, 1).contiguous().transpose(0, 1)
    assert not run.model_state[key].is_contiguous()
    store.save(run)
    loaded = store.load(run.run_id)
    assert_same_tensors(loaded.trainer_state, state)
    assert_same_tensors(loaded.model_state, run.model_state)


def test_load_model_gives_the_saved_weights_in_eval_mode(store: RunStore) -> None:
    run = make_run(fill=0.5)
    store.save(run)
    loaded, model = store.load_model(run.run_id)
    assert not model.training
    assert_same_tensors(model.state_dict(), run.model_state)
    assert loaded.run_id == run.run_id


def replace_tensor_file(
    store: RunStore, run_id: str, role: str, tensors: dict[str, torch.Tensor]
) -> None:
    """Swap a run's tensor file for other tensors, with a manifest that vouches for them."""
    from vaelab.runs.files import write_tensor_file

    ref = write_tensor_file(store.path(run_id), role, tensors)
    manifest = manifest_of(store, run_id)
    manifest["files"][role] = ref._asdict()
    write_manifest(store, run_id, manifest)


def test_load_model_refuses_weights_of_another_architecture(store: RunStore, saved: Run) -> None:
    other = build_model(replace(SMALL, hidden=(16,))).state_dict()
    replace_tensor_file(store, saved.run_id, "model", other)
    # Weights larger than the model's are refused before they are read.
    with raises_one_line(r"is corrupted: its model weights file .* but those of its model take"):
        store.load_model(saved.run_id)
    other = {**saved.model_state, "decoder.1.bias": torch.zeros(4)}
    replace_tensor_file(store, saved.run_id, "model", other)
    with raises_one_line(
        r"does not fit the model .*wrong shape for decoder\.1\.bias \(4,\) instead of \(8,\)"
    ):
        store.load_model(saved.run_id)
    other = dict(saved.model_state)
    del other["encoder.0.bias"]
    other["extra"] = torch.zeros(1)
    other["encoder.0.weight"] = other["encoder.0.weight"].double()
    replace_tensor_file(store, saved.run_id, "model", other)
    with raises_one_line(
        r"missing encoder\.0\.bias; unexpected extra; wrong type for encoder\.0\.weight"
    ):
        store.load_model(saved.run_id)


def test_save_accepts_numpy_and_tensor_scalars_in_history(store: RunStore) -> None:
    import numpy as np

    run = make_run()
    run.history = [
        {"epoch": np.int64(1), "loss": np.float32(0.5), "kl": torch.tensor(0.25)},
        {"epoch": torch.tensor(2), "loss": np.float64(2)},
    ]
    store.save(run)
    assert store.load(run.run_id).history == [
        {"epoch": 1, "loss": 0.5, "kl": 0.25},
        {"epoch": 2, "loss": 2.0},
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: setattr(r, "trainer_meta", {"callback": object()}), "must hold only JSON"),
        (lambda r: setattr(r, "status", "done"), "status must be one of: complete, stopped"),
        (lambda r: setattr(r, "model_state", {"w": [1.0]}), "model state must map names to"),
        (lambda r: r.history[0].update(loss=float("nan")), r"history\[0\]\.loss must be a finite"),
        (lambda r: r.metrics.update(n_test="many"), "metrics.n_test must be a whole number"),
        (lambda r: setattr(r, "epochs_done", 3), "history has 2 records for 3 epochs"),
        (lambda r: r.history[1].update(epoch=3), r"history\[1\]\.epoch must be 2, got 3"),
        (lambda r: r.trainer_state.pop("rng.noise"), "invalid trainer state: rng.noise is missing"),
        (lambda r: r.model_state.pop("encoder.0.bias"), "does not fit the model .*missing"),
    ],
)
def test_save_refuses_what_it_would_not_load_without_writing(
    store: RunStore, change, message: str
) -> None:
    run = make_run()
    change(run)
    with raises_one_line(f"cannot save run .*{message}"):
        store.save(run)
    assert store.list() == []
    assert not store.path(run.run_id).exists()


# --------------------------------------------------------------------------- crash safety


def test_saving_twice_replaces_the_run_and_removes_old_files(store: RunStore, saved: Run) -> None:
    old_files = {p.name for p in store.path(saved.run_id).iterdir()}
    newer = make_run(fill=1.0)
    newer.status, newer.revision = "complete", saved.revision
    store.save(newer)
    files = {p.name for p in store.path(saved.run_id).iterdir()}
    assert len(files) == 3
    assert tensor_file(store, saved.run_id, "model").name not in old_files
    loaded = store.load(saved.run_id)
    assert_same_tensors(loaded.model_state, newer.model_state)
    assert (loaded.status, loaded.revision) == ("complete", 2)
    # A fresh Run object with no created time keeps the one from the first save.
    assert loaded.created == saved.created
    assert loaded.updated >= saved.updated


def test_crash_before_the_manifest_keeps_the_old_run(
    store: RunStore, saved: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace = os.replace

    def crash_on_manifest(src, dst):
        if Path(dst).name == MANIFEST:
            monkeypatch.setattr(os, "replace", real_replace)
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash_on_manifest)
    with raises_one_line("cannot save run .*No space left on device; the previous save"):
        store.save(make_run(fill=2.0), overwrite=True)
    loaded = store.load(saved.run_id)
    assert_same_tensors(loaded.model_state, saved.model_state)
    assert loaded.revision == saved.revision
    assert len(list(store.path(saved.run_id).iterdir())) > 3  # orphans of the failed save

    store.save(make_run(fill=2.0), overwrite=True)
    assert len(list(store.path(saved.run_id).iterdir())) == 3
    assert float(store.load(saved.run_id).model_state["encoder.0.bias"][0]) == 2.0


def test_crash_during_a_first_save_leaves_nothing_visible(
    store: RunStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = make_run()
    real_replace = os.replace

    def crash_on_folder(src, dst):
        if Path(dst).name == run.run_id:
            raise OSError(5, "Input/output error")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash_on_folder)
    with raises_one_line("cannot save run"):
        store.save(run)
    monkeypatch.setattr(os, "replace", real_replace)
    assert not store.exists(run.run_id)
    assert store.list() == []
    store.save(run)
    assert store.exists(run.run_id)
    assert [p.name for p in store.root.iterdir() if p.name.startswith(".tmp-")] == []


def test_leftover_temporary_files_are_removed_on_the_next_save(store: RunStore, saved: Run) -> None:
    folder = store.path(saved.run_id)
    (folder / ".tmp-abc.safetensors").write_bytes(b"half written")
    (folder / "model-0123456789abcdef.safetensors").write_bytes(b"orphan")
    (folder / "notes.txt").write_text("the user's own file is left alone")
    assert store.load(saved.run_id).history == saved.history
    store.save(saved)
    assert {p.name for p in folder.iterdir()} == {
        MANIFEST,
        "notes.txt",
        tensor_file(store, saved.run_id, "model").name,
        tensor_file(store, saved.run_id, "trainer").name,
    }


def test_concurrent_saves_of_one_run_never_break_it_nor_lose_one(store: RunStore) -> None:
    store.save(make_run())
    saved, refused, errors = [], [], []

    def writer(fill: float) -> None:
        for _ in range(6):
            try:
                run = store.load(RUN_ID)
                store.save(
                    replace(run, model_state={k: v + fill for k, v in run.model_state.items()})
                )
                saved.append(run.revision)
            except RunError as exc:
                refused.append(str(exc))
            except Exception as exc:  # noqa: BLE001 - report it in the main thread
                errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f,)) for f in (1.0, 2.0, 3.0)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    # Each save built on the revision before it: none was overwritten by a stale copy.
    assert sorted(saved) == list(range(1, len(saved) + 1))
    assert store.load(RUN_ID).revision == len(saved) + 1
    assert all("since this copy was loaded" in r for r in refused)
    assert len(list(store.path(RUN_ID).iterdir())) == 3


# ---------------------------------------------------------------------- damaged runs


@pytest.mark.parametrize("role", ["model", "trainer"])
@pytest.mark.parametrize("damage", ["truncate", "bit-flip"])
def test_damaged_tensor_files_are_refused(
    store: RunStore, saved: Run, role: str, damage: str
) -> None:
    path = tensor_file(store, saved.run_id, role)
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    else:
        data[-1] ^= 0x01
        path.write_bytes(bytes(data))
    with raises_one_line(f"run '{saved.run_id}' is corrupted: its {ROLES[role]} file"):
        store.load(saved.run_id)
    assert not store.exists(saved.run_id) or damage == "bit-flip"


def test_unparsable_safetensors_with_a_matching_checksum_is_refused(
    store: RunStore, saved: Run
) -> None:
    import hashlib

    path = tensor_file(store, saved.run_id, "model")
    garbage = b"\x08\x00\x00\x00\x00\x00\x00\x00not json"
    path.write_bytes(garbage)
    manifest = manifest_of(store, saved.run_id)
    manifest["files"]["model"].update(sha256=hashlib.sha256(garbage).hexdigest(), size=16)
    write_manifest(store, saved.run_id, manifest)
    with raises_one_line("has an unreadable model weights file"):
        store.load(saved.run_id)


def test_missing_tensor_file_is_refused(store: RunStore, saved: Run) -> None:
    tensor_file(store, saved.run_id, "trainer").unlink()
    with raises_one_line("is incomplete: its trainer state file .* is missing"):
        store.load(saved.run_id)
    assert not store.exists(saved.run_id)


def test_unknown_run_and_folder_without_manifest(store: RunStore, saved: Run) -> None:
    with raises_one_line(r"no run 'vae-nope' in .*runs/ \(train it or import it first\)"):
        store.load("vae-nope")
    (store.path(saved.run_id) / MANIFEST).unlink()
    with raises_one_line(f"no run '{saved.run_id}' in .*is not a run: it has no run.json"):
        store.load(saved.run_id)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda m: "{not json", r"malformed run\.json: it is not valid JSON \(Expecting"),
        (lambda m: [1, 2], "not a JSON object"),
        (lambda m: {**m, "format_version": 99}, r"newer VAE Lab \(format 99\)"),
        (lambda m: {**m, "format_version": "1"}, "unknown format version '1'"),
        (lambda m: {**m, "status": "done"}, "malformed run.json: status must be"),
        (lambda m: {**m, "history": {"loss": 1}}, "malformed run.json: history must be a list"),
        (lambda m: {**m, "files": {"model": m["files"]["model"]}}, "files has no 'trainer'"),
        (
            lambda m: {**m, "files": {**m["files"], "model": {"name": "../../etc/passwd"}}},
            "files.model has no 'sha256'",
        ),
        (
            lambda m: {**m, "files": {**m["files"], "model": {**m["files"]["model"], "name": "x"}}},
            r"files\.model\.name must look like model-\[0-9a-f\]\{16\}",
        ),
        (
            lambda m: {**m, "config": {**m["config"], "model": {"latent_dim": 1}}},
            "invalid config: latent size must be from 2 to 512",
        ),
        (
            lambda m: {
                **m,
                "config": {**m["config"], "train": {**m["config"]["train"], "lr": 0.5}},
            },
            "does not match its config, whose id is 'vae-mnist-5k-z2-",
        ),
    ],
)
def test_bad_manifests_are_refused(store: RunStore, saved: Run, edit, message: str) -> None:
    edited = edit(manifest_of(store, saved.run_id))
    path = store.path(saved.run_id) / MANIFEST
    path.write_text(edited if isinstance(edited, str) else json.dumps(edited))
    with raises_one_line(message):
        store.load(saved.run_id)
    assert not store.exists(saved.run_id)


def test_renamed_run_folder_is_refused(store: RunStore, saved: Run) -> None:
    os.rename(store.path(saved.run_id), store.root / "vae-mnist-5k-z2-0000000000")
    with raises_one_line("does not match its config"):
        store.load("vae-mnist-5k-z2-0000000000")


@pytest.mark.parametrize(
    "bad_id", ["..", ".", "../x", "a/b", "a\\b", "", ".locks", "a..b", "x" * 129, "/etc"]
)
def test_run_ids_that_could_escape_the_store_are_refused(store: RunStore, bad_id: str) -> None:
    for call in (store.path, store.exists, store.load, store.load_model, store.delete):
        with raises_one_line("invalid run id"):
            call(bad_id)
    with raises_one_line("invalid run id"):
        store.export(bad_id, store.root.parent)


# --------------------------------------------------------------------- list and delete


def test_list_is_newest_first_and_shows_broken_runs(store: RunStore, saved: Run) -> None:
    newer = make_run(make_config(seed=1))
    store.save(newer)
    broken_json = make_run(make_config(seed=2))
    store.save(broken_json)
    (store.path(broken_json.run_id) / MANIFEST).write_text("{")
    missing = make_run(make_config(seed=3))
    store.save(missing)
    tensor_file(store, missing.run_id, "model").unlink()
    (store.root / "stray-folder").mkdir()
    (store.root / "stray.zip").write_bytes(b"")

    summaries = {s.run_id: s for s in store.list()}
    assert set(summaries) == {
        saved.run_id,
        newer.run_id,
        broken_json.run_id,
        missing.run_id,
        "stray-folder",
    }
    good = [s.run_id for s in store.list() if s.error is None]
    assert good == [newer.run_id, saved.run_id]
    assert summaries[saved.run_id].final == saved.history[-1]
    assert summaries[saved.run_id].config == saved.config
    assert summaries[saved.run_id].status == "stopped"
    assert "malformed run.json: it is not valid JSON" in summaries[broken_json.run_id].error
    assert summaries[broken_json.run_id].status == "broken"
    assert "is missing" in summaries[missing.run_id].error
    assert summaries[missing.run_id].config == missing.config
    assert summaries["stray-folder"].status == "foreign"
    assert summaries["stray-folder"].error == "not a run: it has no run.json"
    assert all("\n" not in (s.error or "") for s in summaries.values())


def test_list_of_a_missing_store_is_empty(tmp_path: Path) -> None:
    assert RunStore(tmp_path / "nowhere").list() == []


def test_delete(store: RunStore, saved: Run) -> None:
    broken = make_run(make_config(seed=1))
    store.save(broken)
    (store.path(broken.run_id) / MANIFEST).write_text("{")
    store.delete(saved.run_id)
    store.delete(broken.run_id)
    assert store.list() == []
    assert not store.path(saved.run_id).exists()
    with raises_one_line("no run .* nothing to delete"):
        store.delete(saved.run_id)


# ------------------------------------------------------------------- export and import


def test_export_import_round_trip(tmp_path: Path, store: RunStore, saved: Run) -> None:
    archive = store.export(saved.run_id, tmp_path / "out")
    assert archive == tmp_path / "out" / f"{saved.run_id}.zip"
    assert store.export(saved.run_id, tmp_path / "named.zip") == tmp_path / "named.zip"

    other = RunStore(tmp_path / "other")
    assert other.import_(archive) == saved.run_id
    loaded = other.load(saved.run_id)
    assert loaded.history == saved.history
    assert loaded.created == saved.created
    assert_same_tensors(loaded.model_state, saved.model_state)
    assert_same_tensors(loaded.trainer_state, saved.trainer_state)
    assert [p.name for p in other.root.iterdir() if p.name != ".locks"] == [saved.run_id]

    with raises_one_line("already exists .* overwrite"):
        other.import_(archive)
    other.save(make_run(fill=3.0), overwrite=True)
    other.import_(archive, overwrite=True)
    assert_same_tensors(other.load(saved.run_id).model_state, saved.model_state)


def test_export_refuses_a_corrupted_run(tmp_path: Path, store: RunStore, saved: Run) -> None:
    tensor_file(store, saved.run_id, "model").write_bytes(b"x")
    with raises_one_line("is corrupted"):
        store.export(saved.run_id, tmp_path)
    assert not (tmp_path / f"{saved.run_id}.zip").exists()


def rezip(source: Path, dest: Path, edit) -> Path:
    """Rewrite an archive: ``edit(members)`` maps {name: data} to a list of (name or info, data)."""
    with zipfile.ZipFile(source) as zin:
        members = {info.filename: zin.read(info) for info in zin.infolist()}
    with zipfile.ZipFile(dest, "w") as zout:
        for name, data in edit(members):
            zout.writestr(name, data)
    return dest


def adding(name: str | zipfile.ZipInfo, data: bytes = b"x"):
    return lambda members: [*members.items(), (name, data)]


def editing(change):
    """Apply ``change(name, data) -> (name, data) or None`` (None drops the member)."""
    return lambda members: [m for m in (change(n, d) for n, d in members.items()) if m]


def symlink(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


UNLISTED = f"{RUN_ID}/model-{'0' * 16}.safetensors"


def flip_last_bit(name: str, data: bytes) -> tuple[str, bytes]:
    if name.endswith(".safetensors"):
        data = data[:-1] + bytes([data[-1] ^ 1])
    return name, data


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (adding("../evil.txt"), r"unsafe path '\.\./evil\.txt'"),
        (adding("/etc/evil"), "unsafe path '/etc/evil'"),
        (adding(f"{RUN_ID}/../../evil.txt"), "unsafe path"),
        (adding("C:\\evil.txt"), "unsafe path"),
        (adding(symlink(f"{RUN_ID}/link"), b"/etc/passwd"), "is a symbolic link"),
        (adding(f"{RUN_ID}/notes.txt"), "unexpected file"),
        (adding(f"{RUN_ID}/sub/x"), "unexpected file"),
        (adding("other-run/run.json"), "2 top-level entries"),
        (adding(UNLISTED), "unexpected file 'model-0000000000000000.safetensors'"),
        (editing(lambda n, d: ("renamed-run/" + n.split("/")[1], d)), "does not match its config"),
        (editing(flip_last_bit), "is corrupted"),
        (editing(lambda n, d: None if "/model-" in n else (n, d)), "is incomplete"),
        (editing(lambda n, d: None if n.endswith(MANIFEST) else (n, d)), "has no .*/run.json"),
    ],
)
def test_import_refuses_unsafe_or_foreign_archives(
    tmp_path: Path, store: RunStore, saved: Run, edit, message: str
) -> None:
    archive = rezip(store.export(saved.run_id, tmp_path), tmp_path / "edited.zip", edit)
    other = RunStore(tmp_path / "other")
    with raises_one_line(f"cannot import edited.zip: .*{message}") as info:
        other.import_(archive)
    assert "train it again" not in str(info.value)  # advice for a local run, not an archive
    # Nothing was installed and no staging folder is left behind.
    assert (
        not other.root.exists()
        or [p.name for p in other.root.iterdir() if p.name != ".locks"] == []
    )
    assert not (tmp_path / "evil.txt").exists()


def test_import_refuses_junk_and_oversized_archives(
    tmp_path: Path, store: RunStore, saved: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"this is not a zip")
    with raises_one_line("not a zip archive"):
        store.import_(junk)
    with raises_one_line("no such file"):
        store.import_(tmp_path / "absent.zip")
    empty = tmp_path / "empty.zip"
    zipfile.ZipFile(empty, "w").close()
    with raises_one_line("the archive is empty"):
        store.import_(empty)

    archive = store.export(saved.run_id, tmp_path)
    monkeypatch.setattr(runs_archive, "MAX_IMPORT_BYTES", 1000)
    with raises_one_line("unpacks to more than"):
        RunStore(tmp_path / "other").import_(archive)
