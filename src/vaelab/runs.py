"""Saved runs: a trained model, its optimiser state and its history, kept safely on disk.

A run lives in ``runs/<run_id>/``::

    run.json                          the manifest: config, history, metrics, trainer metadata,
                                      and the name, size and SHA-256 of each tensor file
    model-<sha16>.safetensors         the model's ``state_dict``
    trainer-<sha16>.safetensors       optimiser moments, RNG states, per-step losses...

Tensors are stored with safetensors only: loading a run never unpickles anything, so a run
downloaded from someone else cannot execute code.

Saving is crash-safe. Tensor files get new, content-addressed names and are flushed to disk before
``run.json`` is replaced in one atomic rename, the commit point; files that the new manifest no
longer references are removed afterwards. Whenever the process dies, the folder holds either the
old complete run or the new one. A run saved for the first time is built in a hidden folder and
renamed into place, so a half-written run never shows up at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_safetensors
from safetensors.torch import save_file

from vaelab.config import RunConfig
from vaelab.errors import ConfigError, RunError

try:  # POSIX advisory locks; elsewhere concurrent saves of one run are not serialised.
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

DEFAULT_RUNS_DIR = Path("runs")
#: Version of the on-disk layout; bump it when ``run.json`` changes incompatibly.
FORMAT_VERSION = 1
MANIFEST = "run.json"
#: Largest archive :meth:`RunStore.import_` accepts, uncompressed.
MAX_IMPORT_BYTES = 2 * 1024**3
#: Statuses a run can have: trained to its epoch count, or stopped mid-epoch (can be continued).
STATUSES = ("complete", "stopped")

# Tensor files of a run, by role, with the words used for them in messages.
_ROLES = {"model": "model weights", "trainer": "trainer state"}
_RUN_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
_TENSOR_FILE = re.compile(r"(model|trainer)-[0-9a-f]{16}\.safetensors")
_SHA256 = re.compile(r"[0-9a-f]{64}")
# Hidden names in the store and in run folders belong to the store (temporary files, locks).
_TEMP_PREFIX = ".tmp-"
_IMPORT_PREFIX = ".import-"
# Advice ending the messages about damaged runs; dropped where it does not apply (import).
_RETRAIN = "; delete the run and train it again"
_LOCKS_DIR = ".locks"


@dataclass
class Run:
    """A trained (or partly trained) model with everything needed to continue or inspect it.

    Parameters
    ----------
    config : RunConfig
        The settings that define the run; its hash is the run id.
    model_state : dict of str to torch.Tensor
        The model's ``state_dict()``.
    trainer_state : dict of str to torch.Tensor
        Optimiser moments, RNG states as ``uint8`` tensors, per-step losses... May be empty.
    trainer_meta : dict
        JSON-able trainer bookkeeping: step counters, position within the epoch...
    history : list of dict
        One record of JSON-able numbers per finished epoch.
    metrics : dict
        JSON-able evaluation results.
    epochs_done : int
        Number of finished epochs.
    status : str
        ``"complete"`` or ``"stopped"`` (stopped mid-epoch; it can be continued).
    created, updated : str
        ISO-8601 UTC times of the first and of the latest save; :meth:`RunStore.save` sets them
        (an empty ``created`` keeps the time of the run's earlier save, if any).
    """

    config: RunConfig
    model_state: dict[str, torch.Tensor]
    trainer_state: dict[str, torch.Tensor]
    trainer_meta: dict[str, Any]
    history: list[dict[str, float]]
    metrics: dict[str, Any] = field(default_factory=dict)
    epochs_done: int = 0
    status: str = "complete"
    created: str = ""
    updated: str = ""

    @property
    def run_id(self) -> str:
        """The id of the run, a hash of its config (see :attr:`RunConfig.run_id`)."""
        return self.config.run_id


@dataclass(frozen=True)
class RunSummary:
    """What :meth:`RunStore.list` knows about a run from its manifest alone.

    Parameters
    ----------
    run_id : str
        Name of the run's folder.
    path : Path
        The run's folder.
    config : RunConfig or None
        The run's config; ``None`` when the manifest could not be read.
    epochs_done : int
        Number of finished epochs (0 when unknown).
    status : str
        ``"complete"``, ``"stopped"``, or ``"broken"`` when ``error`` is set.
    updated : str
        ISO-8601 UTC time of the latest save; empty when unknown.
    final : dict of str to float
        The last history record; empty when there is none.
    error : str or None
        One-line reason why the run cannot be used, or ``None`` when its manifest is sound.
    """

    run_id: str
    path: Path
    config: RunConfig | None
    epochs_done: int
    status: str
    updated: str
    final: dict[str, float]
    error: str | None


class _FileRef(NamedTuple):
    """A tensor file as recorded in the manifest."""

    name: str
    sha256: str
    size: int


class RunStore:
    """The folder of saved runs, one subfolder per run id.

    Parameters
    ----------
    root : str or Path
        Folder holding the runs; created on the first save.

    Notes
    -----
    Saving, deleting and importing a run hold an exclusive lock on it, and loading and exporting
    a shared one (POSIX ``flock``), so that two sessions training the same configuration cannot
    remove each other's files.
    """

    def __init__(self, root: str | Path = DEFAULT_RUNS_DIR) -> None:
        self.root = Path(root)

    # ----------------------------------------------------------------- paths and existence

    def path(self, run_id: str) -> Path:
        """Folder of a run (it may not exist).

        Parameters
        ----------
        run_id : str
            Id of the run.

        Returns
        -------
        Path
            ``root / run_id``.

        Raises
        ------
        RunError
            If ``run_id`` is not a valid run id (which would let it name a path outside the store).
        """
        _check_run_id(run_id)
        return self.root / run_id

    def exists(self, run_id: str) -> bool:
        """Whether a run has a complete, readable manifest and all its tensor files.

        The tensor files are not hashed; :meth:`load` does that.

        Parameters
        ----------
        run_id : str
            Id of the run.

        Returns
        -------
        bool
            ``True`` if the run can be listed without an error.

        Raises
        ------
        RunError
            If ``run_id`` is not a valid run id.
        """
        self.path(run_id)
        try:
            run, files = self._read_manifest(run_id)
            self._check_files_present(run_id, files)
        except RunError:
            return False
        return True

    @property
    def _where(self) -> str:
        return f"{self.root}/"

    # ----------------------------------------------------------------------------- saving

    def save(self, run: Run) -> Path:
        """Write a run atomically, replacing any earlier save of the same run id.

        Sets ``run.updated`` to the current UTC time, and an empty ``run.created`` to the time of
        the run's first save.

        Parameters
        ----------
        run : Run
            The run to save. Its tensors are copied to the CPU; the run itself is not modified
            apart from its timestamps.

        Returns
        -------
        Path
            The run's folder.

        Raises
        ------
        RunError
            If the run holds something that cannot be saved (a non-tensor state entry, metadata
            that is not JSON-able, an unknown status) or the disk cannot be written. Nothing saved
            before is lost in either case.
        """
        run_id = run.run_id
        self.path(run_id)
        with self._lock(run_id, exclusive=True):
            return self._save_locked(run)

    def _save_locked(self, run: Run) -> Path:
        run_id = run.run_id
        tensors = {
            "model": _prepare_tensors(run_id, "model state", run.model_state),
            "trainer": _prepare_tensors(run_id, "trainer state", run.trainer_state),
        }
        now = _utc_now()
        # Callers often build a fresh Run for each save (one per epoch); keep the first save's
        # time unless they carry one over.
        created = run.created or self._saved_created(run_id) or now
        manifest: dict[str, Any] = {
            "format_version": FORMAT_VERSION,
            "run_id": run_id,
            "config": run.config.to_dict(),
            "epochs_done": run.epochs_done,
            "status": run.status,
            "created": created,
            "updated": now,
            "history": run.history,
            "metrics": run.metrics,
            "trainer_meta": run.trainer_meta,
        }
        # Check the metadata before writing anything, so that a bad run never costs a disk write.
        _check_fields(f"cannot save run {run_id!r}", manifest)
        _to_json(run_id, manifest)

        final = self.path(run_id)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            for stale in self.root.glob(f"{_TEMP_PREFIX}{run_id}-*"):
                # Left by a crashed first save or delete of this run; our lock rules out a live one.
                shutil.rmtree(stale, ignore_errors=True)
            fresh = not final.is_dir()
            if fresh:
                work = Path(tempfile.mkdtemp(prefix=f"{_TEMP_PREFIX}{run_id}-", dir=self.root))
            else:
                work = final
            try:
                files = {role: _write_tensor_file(work, role, t) for role, t in tensors.items()}
                _fsync_dir(work)
                manifest["files"] = {role: ref._asdict() for role, ref in files.items()}
                # Commit point of an existing run: the old manifest stays valid until this rename.
                _atomic_write(work / MANIFEST, _to_json(run_id, manifest))
                if fresh:
                    # Commit point of a new run: the folder appears complete or not at all.
                    os.replace(work, final)
                    _fsync_dir(self.root)
            except BaseException:
                if fresh:
                    shutil.rmtree(work, ignore_errors=True)
                raise
        except OSError as exc:
            raise RunError(
                f"cannot save run {run_id!r} in {self._where}: {_os_reason(exc)}; "
                "the previous save, if any, is intact"
            ) from exc
        _remove_unreferenced(final, {MANIFEST, *(ref.name for ref in files.values())})
        run.created, run.updated = created, now
        return final

    def _saved_created(self, run_id: str) -> str:
        try:
            created = json.loads((self.path(run_id) / MANIFEST).read_bytes()).get("created")
        except (OSError, ValueError, AttributeError):
            return ""
        return created if isinstance(created, str) else ""

    # ---------------------------------------------------------------------------- loading

    def load(self, run_id: str) -> Run:
        """Read and verify a run: manifest, config, checksums and tensor files.

        Parameters
        ----------
        run_id : str
            Id of the run.

        Returns
        -------
        Run
            The run, with its tensors on the CPU.

        Raises
        ------
        RunError
            If the run is unknown, partial, corrupted, saved in an unknown format, or does not
            match its config. The message says which.
        """
        self.path(run_id)
        with self._lock(run_id, exclusive=False):
            return self._load_locked(run_id)[0]

    def _load_locked(self, run_id: str) -> tuple[Run, dict[str, _FileRef]]:
        run, files = self._read_manifest(run_id)
        run.model_state = self._read_tensors(run_id, "model", files["model"])
        run.trainer_state = self._read_tensors(run_id, "trainer", files["trainer"])
        return run, files

    def load_model(self, run_id: str) -> tuple[Run, torch.nn.Module]:
        """Load a run and rebuild its model with the saved weights, in eval mode, on the CPU.

        Parameters
        ----------
        run_id : str
            Id of the run.

        Returns
        -------
        run : Run
            The verified run.
        model : torch.nn.Module
            The model built from ``run.config.model``, holding the saved weights.

        Raises
        ------
        RunError
            As :meth:`load`, or if the saved weights do not fit the model the config describes
            (missing or unexpected keys, wrong shapes).
        """
        run = self.load(run_id)
        return run, _build_model(run)

    def _read_manifest(self, run_id: str) -> tuple[Run, dict[str, _FileRef]]:
        """Parse and check ``run.json``; the returned run has empty tensor dicts."""
        run_dir = self.path(run_id)
        try:
            raw = (run_dir / MANIFEST).read_bytes()
        except FileNotFoundError:
            if run_dir.is_dir():
                raise RunError(
                    f"no run {run_id!r} in {self._where} (its folder has no {MANIFEST}; "
                    "delete the folder and train the run again)"
                ) from None
            raise RunError(
                f"no run {run_id!r} in {self._where} (train it or import it first)"
            ) from None
        except OSError as exc:
            raise RunError(f"cannot read {MANIFEST} of run {run_id!r}: {_os_reason(exc)}") from exc
        try:
            manifest = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise RunError(
                f"run {run_id!r} has an unreadable {MANIFEST} ({exc}){_RETRAIN}"
            ) from None
        if not isinstance(manifest, dict):
            raise RunError(f"run {run_id!r} has a malformed {MANIFEST}: it is not a JSON object")

        version = manifest.get("format_version")
        if version != FORMAT_VERSION:
            if isinstance(version, int) and not isinstance(version, bool) and version > 1:
                raise RunError(
                    f"run {run_id!r} was saved by a newer VAE Lab (format {version}); "
                    f"this version reads format {FORMAT_VERSION}, so update VAE Lab"
                )
            raise RunError(
                f"run {run_id!r} has an unknown format version {version!r}; "
                f"this VAE Lab reads format {FORMAT_VERSION}"
            )
        _check_fields(f"run {run_id!r} has a malformed {MANIFEST}", manifest)
        try:
            config = RunConfig.from_dict(manifest["config"])
        except ConfigError as exc:
            raise RunError(f"run {run_id!r} has an invalid config: {exc}") from None
        if config.run_id != run_id or manifest.get("run_id") != run_id:
            raise RunError(
                f"run {run_id!r} does not match its config, whose id is {config.run_id!r}: "
                "the run was renamed or its config edited, so its weights cannot be trusted"
            )
        files = _parse_files(run_id, manifest.get("files"))
        run = Run(
            config=config,
            model_state={},
            trainer_state={},
            trainer_meta=manifest["trainer_meta"],
            history=manifest["history"],
            metrics=manifest["metrics"],
            epochs_done=manifest["epochs_done"],
            status=manifest["status"],
            created=manifest["created"],
            updated=manifest["updated"],
        )
        return run, files

    def _check_files_present(self, run_id: str, files: dict[str, _FileRef]) -> None:
        """Cheap check (one ``stat`` per file) that no tensor file is missing or truncated."""
        for role, ref in files.items():
            try:
                size = (self.path(run_id) / ref.name).stat().st_size
            except FileNotFoundError:
                raise _missing(run_id, role, ref) from None
            except OSError as exc:
                raise RunError(
                    f"cannot read the {_ROLES[role]} of run {run_id!r}: {_os_reason(exc)}"
                ) from exc
            if size != ref.size:
                raise _wrong_size(run_id, role, ref, size)

    def _read_tensors(self, run_id: str, role: str, ref: _FileRef) -> dict[str, torch.Tensor]:
        what = _ROLES[role]
        try:
            data = (self.path(run_id) / ref.name).read_bytes()
        except FileNotFoundError:
            raise _missing(run_id, role, ref) from None
        except OSError as exc:
            raise RunError(f"cannot read the {what} of run {run_id!r}: {_os_reason(exc)}") from exc
        if len(data) != ref.size:
            raise _wrong_size(run_id, role, ref, len(data))
        if hashlib.sha256(data).hexdigest() != ref.sha256:
            raise RunError(
                f"run {run_id!r} is corrupted: its {what} file {ref.name} does not match its "
                f"SHA-256 checksum (damaged or modified){_RETRAIN}"
            )
        try:
            # Parse the very bytes that were hashed, so the file cannot change in between.
            return load_safetensors(data)
        except (SafetensorError, ValueError, RuntimeError) as exc:
            reason = " ".join(str(exc).split())
            raise RunError(
                f"run {run_id!r} has an unreadable {what} file {ref.name}: {reason}"
            ) from None

    # ---------------------------------------------------------------------------- listing

    def list(self) -> list[RunSummary]:
        """Summaries of every run in the store, newest first, from the manifests alone.

        Broken runs are listed too, with ``status="broken"`` and a one-line ``error``, so that
        they can be shown and deleted. This method never raises.

        Returns
        -------
        list of RunSummary
            Sorted by ``updated``, newest first; runs without a known time come last.
        """
        try:
            entries = sorted(self.root.iterdir())
        except OSError:
            return []
        summaries = []
        for entry in entries:
            if entry.name.startswith(".") or not _RUN_ID.fullmatch(entry.name):
                continue
            try:
                if entry.is_dir():
                    summaries.append(self._summary(entry.name))
            except OSError:
                continue
        epoch = datetime.min.replace(tzinfo=timezone.utc)

        def newest_first(summary: RunSummary) -> tuple[datetime, str]:
            try:
                when = datetime.fromisoformat(summary.updated)
            except ValueError:
                when = epoch
            return (when if when.tzinfo else epoch, summary.run_id)

        return sorted(summaries, key=newest_first, reverse=True)

    def _summary(self, run_id: str) -> RunSummary:
        path = self.root / run_id
        try:
            run, files = self._read_manifest(run_id)
        except Exception as exc:  # noqa: BLE001 - list() must show every folder, never raise
            return RunSummary(run_id, path, None, 0, "broken", "", {}, _one_line(exc))
        final = dict(run.history[-1]) if run.history else {}
        error = None
        try:
            self._check_files_present(run_id, files)
        except RunError as exc:
            error = str(exc)
        return RunSummary(
            run_id=run_id,
            path=path,
            config=run.config,
            epochs_done=run.epochs_done,
            status="broken" if error else run.status,
            updated=run.updated,
            final=final,
            error=error,
        )

    # --------------------------------------------------------------------------- deleting

    def delete(self, run_id: str) -> None:
        """Remove a run's folder, even when the run is broken.

        Parameters
        ----------
        run_id : str
            Id of the run.

        Raises
        ------
        RunError
            If there is no such run or it cannot be removed.
        """
        run_dir = self.path(run_id)
        if not run_dir.is_dir():
            raise RunError(f"no run {run_id!r} in {self._where}; nothing to delete")
        with self._lock(run_id, exclusive=True):
            if not run_dir.is_dir():
                raise RunError(f"no run {run_id!r} in {self._where}; nothing to delete")
            # Renaming first makes the run disappear at once, even if removing its files is slow
            # or fails half-way.
            trash = self.root / f"{_TEMP_PREFIX}{run_id}-deleted-{secrets.token_hex(4)}"
            try:
                os.replace(run_dir, trash)
            except OSError as exc:
                raise RunError(f"cannot delete run {run_id!r}: {_os_reason(exc)}") from exc
            shutil.rmtree(trash, ignore_errors=True)

    # ------------------------------------------------------------------ export and import

    def export(self, run_id: str, dest: str | Path) -> Path:
        """Write a verified run to a zip archive that :meth:`import_` accepts.

        Parameters
        ----------
        run_id : str
            Id of the run.
        dest : str or Path
            A ``.zip`` path, or a folder in which ``<run_id>.zip`` is written. Missing parent
            folders are created; an existing archive is replaced.

        Returns
        -------
        Path
            The archive.

        Raises
        ------
        RunError
            If the run does not load (see :meth:`load`) or the archive cannot be written.
        """
        dest = Path(dest)
        is_zip_path = dest.suffix.lower() == ".zip" and not dest.is_dir()
        target = dest if is_zip_path else dest / f"{run_id}.zip"
        self.path(run_id)
        with self._lock(run_id, exclusive=False):
            # Verify first: an archive of a corrupted run would only fail later, elsewhere.
            _, files = self._load_locked(run_id)
            run_dir = self.path(run_id)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=".zip", dir=target.parent)
                try:
                    with os.fdopen(fd, "wb") as out, zipfile.ZipFile(out, "w") as archive:
                        archive.write(
                            run_dir / MANIFEST, f"{run_id}/{MANIFEST}", zipfile.ZIP_DEFLATED
                        )
                        for ref in files.values():
                            # Float weights barely compress; storing them keeps export fast.
                            archive.write(run_dir / ref.name, f"{run_id}/{ref.name}")
                    os.replace(tmp, target)
                except BaseException:
                    Path(tmp).unlink(missing_ok=True)
                    raise
            except OSError as exc:
                raise RunError(
                    f"cannot export run {run_id!r} to {target}: {_os_reason(exc)}"
                ) from exc
        return target

    def import_(self, archive: str | Path, *, overwrite: bool = False) -> str:
        """Install a run from an archive written by :meth:`export`, after verifying all of it.

        The archive must hold exactly one folder ``<run_id>/`` with ``run.json`` and the tensor
        files it references, and nothing else. The run is extracted to a hidden folder, loaded
        and its weights fitted to a freshly built model before anything in the store changes.

        Parameters
        ----------
        archive : str or Path
            The ``.zip`` file.
        overwrite : bool, default False
            Replace a run that already exists under the same id.

        Returns
        -------
        str
            The id of the imported run.

        Raises
        ------
        RunError
            If the archive is not a zip, is larger than 2 GiB, holds unsafe paths (absolute,
            ``..``, links) or unexpected files, or its run does not load, does not match its
            config or does not fit its model; or if the run exists and ``overwrite`` is false.
        """
        archive = Path(archive)
        name = archive.name
        try:
            zf = zipfile.ZipFile(archive)
        except FileNotFoundError:
            raise RunError(f"cannot import {archive}: no such file") from None
        except (zipfile.BadZipFile, OSError) as exc:
            raise RunError(f"cannot import {name}: not a zip archive ({exc})") from None
        with zf:
            run_id, members = _check_archive(name, zf)
            try:
                self.root.mkdir(parents=True, exist_ok=True)
                # In the store, not in /tmp: same disk, and /tmp may be too small for 2 GiB.
                staging = tempfile.TemporaryDirectory(prefix=_IMPORT_PREFIX, dir=self.root)
            except OSError as exc:
                raise RunError(f"cannot import {name}: {_os_reason(exc)}") from exc
            with staging as tmp:
                _extract(name, zf, members, Path(tmp) / run_id)
                try:
                    run, files = RunStore(tmp)._load_locked(run_id)
                    _build_model(run)
                except RunError as exc:
                    reason = str(exc).removesuffix(_RETRAIN)
                    raise RunError(f"cannot import {name}: {reason}") from None
        unexpected = sorted(set(members) - {MANIFEST} - {ref.name for ref in files.values()})
        if unexpected:
            raise RunError(
                f"cannot import {name}: unexpected file {unexpected[0]!r}; "
                f"a run archive holds only {MANIFEST} and the tensor files it lists"
            )
        with self._lock(run_id, exclusive=True):
            if self.path(run_id).exists() and not overwrite:
                raise RunError(
                    f"cannot import {name}: run {run_id!r} already exists in {self._where}; "
                    "delete it or import with overwrite to replace it"
                )
            # Saving again (rather than moving the extracted files) reuses the crash-safe path,
            # so an overwritten run is replaced atomically.
            self._save_locked(run)
        return run_id

    # ---------------------------------------------------------------------------- locking

    @contextmanager
    def _lock(self, run_id: str, *, exclusive: bool) -> Iterator[None]:
        if fcntl is None or (not exclusive and not self.root.is_dir()):
            yield
            return
        lock_dir = self.root / _LOCKS_DIR
        try:
            lock_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(lock_dir / f"{run_id}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            if exclusive:
                raise RunError(
                    f"cannot write to {self._where}: {_os_reason(exc)}; "
                    "choose a runs folder you can write to"
                ) from exc
            yield  # a read-only store: nobody can be writing to it through us
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            yield
        finally:
            os.close(fd)  # closing releases the lock


# ------------------------------------------------------------------------------- helpers


def _check_run_id(run_id: Any) -> None:
    if (
        not isinstance(run_id, str)
        or not _RUN_ID.fullmatch(run_id)
        or run_id.startswith(".")
        or ".." in run_id
    ):
        raise RunError(
            f"invalid run id {run_id!r}: use 1 to 128 letters, digits, '.', '_' or '-', "
            "not starting with '.' and without '..'"
        )


def _prepare_tensors(
    run_id: str, what: str, tensors: Mapping[str, torch.Tensor]
) -> dict[str, torch.Tensor]:
    if not isinstance(tensors, Mapping):
        raise RunError(
            f"cannot save run {run_id!r}: {what} must be a dict of tensors, "
            f"got {type(tensors).__name__}"
        )
    prepared = {}
    for key, value in tensors.items():
        if not isinstance(key, str) or not isinstance(value, torch.Tensor):
            raise RunError(
                f"cannot save run {run_id!r}: {what} must map names to tensors, "
                f"got {type(value).__name__} for {key!r}"
            )
        # A private contiguous CPU copy: safetensors refuses tensors that share storage (tied
        # weights) or are not contiguous, and training may go on changing the originals.
        prepared[key] = value.detach().to("cpu", copy=True, memory_format=torch.contiguous_format)
    return prepared


def _write_tensor_file(folder: Path, role: str, tensors: dict[str, torch.Tensor]) -> _FileRef:
    fd, tmp_name = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=".safetensors", dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        try:
            save_file(tensors, tmp)
        except (SafetensorError, ValueError, RuntimeError, TypeError) as exc:
            raise RunError(
                f"cannot save the {_ROLES[role]}: {' '.join(str(exc).split())}"
            ) from None
        digest = hashlib.sha256()
        with tmp.open("r+b") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
            size = f.tell()
            os.fsync(f.fileno())
        sha = digest.hexdigest()
        # A new name for new content: the file the current manifest points to is never rewritten.
        ref = _FileRef(f"{role}-{sha[:16]}.safetensors", sha, size)
        os.replace(tmp, folder / ref.name)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return ref


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    # Makes renames durable across a power cut; directories cannot be opened on Windows.
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_unreferenced(run_dir: Path, keep: set[str]) -> None:
    """Remove old tensor files and leftover temporary files; leave anything else alone."""
    try:
        entries = list(run_dir.iterdir())
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if name in keep or not (name.startswith(_TEMP_PREFIX) or _TENSOR_FILE.fullmatch(name)):
            continue
        try:
            entry.unlink()
        except OSError:
            pass  # best effort: the next save tries again, and stray files are never read


def _check_fields(context: str, manifest: Mapping[str, Any]) -> None:
    """Check the types of the manifest's metadata, for save and load alike."""

    def bad(what: str) -> RunError:
        return RunError(f"{context}: {what}")

    epochs = manifest.get("epochs_done")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
        raise bad(f"epochs_done must be a whole number >= 0, got {epochs!r}")
    if manifest.get("status") not in STATUSES:
        raise bad(f"status must be one of: {', '.join(STATUSES)}, got {manifest.get('status')!r}")
    for key in ("created", "updated"):
        if not isinstance(manifest.get(key), str):
            raise bad(f"{key} must be an ISO-8601 time string, got {manifest.get(key)!r}")
    history = manifest.get("history")
    if not isinstance(history, list) or not all(isinstance(r, dict) for r in history):
        raise bad("history must be a list of records (objects), one per epoch")
    for key in ("metrics", "trainer_meta"):
        if not isinstance(manifest.get(key), dict):
            raise bad(f"{key} must be an object, got {type(manifest.get(key)).__name__}")
    if not isinstance(manifest.get("config"), dict):
        raise bad("config must be an object")


def _parse_files(run_id: str, files: Any) -> dict[str, _FileRef]:
    def bad(what: str) -> RunError:
        return RunError(f"run {run_id!r} has a malformed {MANIFEST}: {what}")

    if not isinstance(files, dict) or set(files) != set(_ROLES):
        raise bad(f"files must list exactly: {', '.join(_ROLES)}")
    refs = {}
    for role in _ROLES:
        entry = files[role]
        if not isinstance(entry, dict):
            raise bad(f"files.{role} must be an object")
        name, sha, size = entry.get("name"), entry.get("sha256"), entry.get("size")
        # The name is joined to the run folder: only our own pattern, so never a path elsewhere.
        if not isinstance(name, str) or not _TENSOR_FILE.fullmatch(name):
            raise bad(f"files.{role}.name must look like {role}-<16 hex>.safetensors, got {name!r}")
        if not name.startswith(f"{role}-"):
            raise bad(f"files.{role}.name must start with '{role}-', got {name!r}")
        if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
            raise bad(f"files.{role}.sha256 must be 64 lowercase hex digits")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise bad(f"files.{role}.size must be a whole number of bytes")
        refs[role] = _FileRef(name, sha, size)
    return refs


def _missing(run_id: str, role: str, ref: _FileRef) -> RunError:
    return RunError(
        f"run {run_id!r} is incomplete: its {_ROLES[role]} file {ref.name} is missing{_RETRAIN}"
    )


def _wrong_size(run_id: str, role: str, ref: _FileRef, size: int) -> RunError:
    return RunError(
        f"run {run_id!r} is corrupted: its {_ROLES[role]} file {ref.name} has {size} bytes "
        f"instead of {ref.size} (truncated or modified){_RETRAIN}"
    )


def _build_model(run: Run) -> torch.nn.Module:
    """Build the model ``run.config`` describes, load the run's weights, set eval mode."""
    # Imported here so that the store (list, delete, export) works without the model code,
    # and so that the model code may import from this module.
    from vaelab.models import build_model

    model = build_model(run.config.model)
    _check_state_fits(run.run_id, model.state_dict(), run.model_state)
    try:
        model.load_state_dict(run.model_state, strict=True)
    except RuntimeError as exc:
        raise RunError(
            f"run {run.run_id!r} does not fit the model its config describes: {_one_line(exc)}"
        ) from exc
    model.eval()
    return model


def _check_state_fits(
    run_id: str, expected: Mapping[str, torch.Tensor], saved: Mapping[str, torch.Tensor]
) -> None:
    """Compare keys and shapes first, for a one-line message naming what differs."""
    problems = []
    missing = sorted(set(expected) - set(saved))
    unexpected = sorted(set(saved) - set(expected))
    if missing:
        problems.append(f"missing {_some(missing)}")
    if unexpected:
        problems.append(f"unexpected {_some(unexpected)}")
    wrong = [
        f"{key} {tuple(saved[key].shape)} instead of {tuple(expected[key].shape)}"
        for key in sorted(set(expected) & set(saved))
        if saved[key].shape != expected[key].shape
    ]
    if wrong:
        problems.append(f"wrong shape for {_some(wrong)}")
    if problems:
        raise RunError(
            f"run {run_id!r} does not fit the model its config describes: {'; '.join(problems)}"
        )


def _some(names: list[str], shown: int = 3) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _check_archive(name: str, zf: zipfile.ZipFile) -> tuple[str, list[str]]:
    """Check an archive's member list; return its run id and the file names in its folder."""

    def refuse(why: str) -> RunError:
        return RunError(f"cannot import {name}: {why}")

    infos = zf.infolist()
    if not infos:
        raise refuse("the archive is empty")
    if len(infos) > 8:
        raise refuse(f"the archive holds {len(infos)} entries; a run archive holds 3")
    if sum(info.file_size for info in infos) > MAX_IMPORT_BYTES:
        raise refuse(f"the archive unpacks to more than {MAX_IMPORT_BYTES // 1024**3} GiB")
    tops, files = set(), []
    for info in infos:
        member = info.filename
        parts = member.split("/")
        if member.startswith("/") or "\\" in member or ":" in member or ".." in parts:
            raise refuse(f"unsafe path {member!r} (absolute, or leaving the run folder)")
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            raise refuse(f"{member!r} is a symbolic link")
        if info.flag_bits & 0x1:
            raise refuse(f"{member!r} is encrypted")
        tops.add(parts[0])
        if info.is_dir():
            if len(parts) != 2 or parts[1]:
                raise refuse(f"unexpected folder {member!r}; a run archive holds one folder")
            continue
        if len(parts) != 2 or not (parts[1] == MANIFEST or _TENSOR_FILE.fullmatch(parts[1])):
            raise refuse(
                f"unexpected file {member!r}; a run archive holds <run id>/{MANIFEST} and "
                "its tensor files"
            )
        files.append(parts[1])
    if len(tops) != 1:
        raise refuse(f"it holds {len(tops)} top-level entries; a run archive holds one folder")
    run_id = tops.pop()
    try:
        _check_run_id(run_id)
    except RunError as exc:
        raise refuse(str(exc)) from None
    if len(set(files)) != len(files):
        raise refuse("it holds the same file twice")
    if MANIFEST not in files:
        raise refuse(f"it has no {run_id}/{MANIFEST}")
    return run_id, files


def _extract(name: str, zf: zipfile.ZipFile, members: list[str], folder: Path) -> None:
    """Copy members into ``folder`` under names we choose, never through ``zf.extract``."""
    folder.mkdir()
    total = 0
    try:
        for member in members:
            info = zf.getinfo(f"{folder.name}/{member}")
            with zf.open(info) as src, (folder / member).open("xb") as dst:
                # Count real bytes too: the sizes in the zip directory are only declarations.
                for chunk in iter(lambda src=src: src.read(1 << 20), b""):
                    total += len(chunk)
                    if total > MAX_IMPORT_BYTES:
                        raise RunError(
                            f"cannot import {name}: the archive unpacks to more than "
                            f"{MAX_IMPORT_BYTES // 1024**3} GiB"
                        )
                    dst.write(chunk)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        raise RunError(f"cannot import {name}: the archive is damaged ({exc})") from None
    except OSError as exc:
        raise RunError(f"cannot import {name}: {_os_reason(exc)}") from exc


def _json_default(value: Any) -> Any:
    # NumPy and 0-d torch scalars sneak into histories (loss.item() forgotten); store the number.
    if isinstance(value, np.generic) or (isinstance(value, torch.Tensor) and value.ndim == 0):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON-able")


def _to_json(run_id: str, manifest: Mapping[str, Any]) -> bytes:
    try:
        text = json.dumps(manifest, indent=2, ensure_ascii=False, default=_json_default)
    except (TypeError, ValueError) as exc:
        raise RunError(
            f"cannot save run {run_id!r}: history, metrics and trainer_meta must hold only "
            f"JSON values (numbers, strings, lists, dicts): {exc}"
        ) from None
    return (text + "\n").encode("utf-8")


def _utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _os_reason(exc: OSError) -> str:
    return exc.strerror or _one_line(exc)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
