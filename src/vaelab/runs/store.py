"""The run store: save, load, list, delete, export and import the runs of one folder."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import torch

from vaelab.atomic import TEMP_PREFIX, atomic_write, fsync_dir
from vaelab.errors import RunError
from vaelab.runs.archive import (
    check_archive,
    check_only_listed,
    extract,
    open_archive,
    write_archive,
)
from vaelab.runs.files import (
    FileRef,
    check_files_present,
    prepare_tensors,
    read_tensor_file,
    remove_unreferenced,
    write_tensor_file,
)
from vaelab.runs.locking import run_lock
from vaelab.runs.manifest import (
    check_fields,
    encode_manifest,
    new_manifest,
    parse_manifest,
    saved_created,
)
from vaelab.runs.messages import RETRAIN, one_line, os_reason
from vaelab.runs.model import rebuild_model
from vaelab.runs.run import MANIFEST, Run, RunSummary, check_run_id, is_run_id

DEFAULT_RUNS_DIR = Path("runs")
# Staging folders of imports, hidden in the store like its temporary files.
_IMPORT_PREFIX = ".import-"


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
        check_run_id(run_id)
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
            check_files_present(self.path(run_id), run_id, files)
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
        with run_lock(self.root, run_id, exclusive=True):
            return self._save_locked(run)

    def _save_locked(self, run: Run) -> Path:
        run_id = run.run_id
        tensors = {
            "model": prepare_tensors(run_id, "model state", run.model_state),
            "trainer": prepare_tensors(run_id, "trainer state", run.trainer_state),
        }
        final = self.path(run_id)
        now = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        # Callers often build a fresh Run for each save (one per epoch); keep the first save's
        # time unless they carry one over.
        created = run.created or saved_created(final) or now
        manifest = new_manifest(run, created=created, updated=now)
        # Check the metadata before writing anything, so that a bad run never costs a disk write.
        check_fields(f"cannot save run {run_id!r}", manifest)
        encode_manifest(run_id, manifest)

        try:
            self.root.mkdir(parents=True, exist_ok=True)
            for stale in self.root.glob(f"{TEMP_PREFIX}{run_id}-*"):
                # Left by a crashed first save or delete of this run; our lock rules out a live one.
                shutil.rmtree(stale, ignore_errors=True)
            fresh = not final.is_dir()
            if fresh:
                work = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{run_id}-", dir=self.root))
            else:
                work = final
            try:
                files = {role: write_tensor_file(work, role, t) for role, t in tensors.items()}
                fsync_dir(work)
                manifest["files"] = {role: ref._asdict() for role, ref in files.items()}
                # Commit point of an existing run: the old manifest stays valid until this rename.
                atomic_write(work / MANIFEST, encode_manifest(run_id, manifest))
                if fresh:
                    # Commit point of a new run: the folder appears complete or not at all.
                    os.replace(work, final)
                    fsync_dir(self.root)
            except BaseException:
                if fresh:
                    shutil.rmtree(work, ignore_errors=True)
                raise
        except OSError as exc:
            raise RunError(
                f"cannot save run {run_id!r} in {self._where}: {os_reason(exc)}; "
                "the previous save, if any, is intact"
            ) from exc
        remove_unreferenced(final, {MANIFEST, *(ref.name for ref in files.values())})
        run.created, run.updated = created, now
        return final

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
        with run_lock(self.root, run_id, exclusive=False):
            return self._load_locked(run_id)[0]

    def _load_locked(self, run_id: str) -> tuple[Run, dict[str, FileRef]]:
        run, files = self._read_manifest(run_id)
        run_dir = self.path(run_id)
        run.model_state = read_tensor_file(run_dir, run_id, "model", files["model"])
        run.trainer_state = read_tensor_file(run_dir, run_id, "trainer", files["trainer"])
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
        return run, rebuild_model(run)

    def _read_manifest(self, run_id: str) -> tuple[Run, dict[str, FileRef]]:
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
            raise RunError(f"cannot read {MANIFEST} of run {run_id!r}: {os_reason(exc)}") from exc
        return parse_manifest(run_id, raw)

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
            if entry.name.startswith(".") or not is_run_id(entry.name):
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
            return RunSummary(run_id, path, None, 0, "broken", "", {}, one_line(exc))
        final = dict(run.history[-1]) if run.history else {}
        error = None
        try:
            check_files_present(path, run_id, files)
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
        with run_lock(self.root, run_id, exclusive=True):
            if not run_dir.is_dir():
                raise RunError(f"no run {run_id!r} in {self._where}; nothing to delete")
            # Renaming first makes the run disappear at once, even if removing its files is slow
            # or fails half-way.
            trash = self.root / f"{TEMP_PREFIX}{run_id}-deleted-{secrets.token_hex(4)}"
            try:
                os.replace(run_dir, trash)
            except OSError as exc:
                raise RunError(f"cannot delete run {run_id!r}: {os_reason(exc)}") from exc
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
        with run_lock(self.root, run_id, exclusive=False):
            # Verify first: an archive of a corrupted run would only fail later, elsewhere.
            _, files = self._load_locked(run_id)
            write_archive(self.path(run_id), run_id, files, target)
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
        with open_archive(archive) as zf:
            run_id, members = check_archive(name, zf)
            try:
                self.root.mkdir(parents=True, exist_ok=True)
                # In the store, not in /tmp: same disk, and /tmp may be too small for 2 GiB.
                staging = tempfile.TemporaryDirectory(prefix=_IMPORT_PREFIX, dir=self.root)
            except OSError as exc:
                raise RunError(f"cannot import {name}: {os_reason(exc)}") from exc
            with staging as tmp:
                extract(name, zf, members, Path(tmp) / run_id)
                try:
                    run, files = RunStore(tmp)._load_locked(run_id)
                    rebuild_model(run)
                except RunError as exc:
                    reason = str(exc).removesuffix(RETRAIN)
                    raise RunError(f"cannot import {name}: {reason}") from None
        check_only_listed(name, members, files)
        with run_lock(self.root, run_id, exclusive=True):
            if self.path(run_id).exists() and not overwrite:
                raise RunError(
                    f"cannot import {name}: run {run_id!r} already exists in {self._where}; "
                    "delete it or import with overwrite to replace it"
                )
            # Saving again (rather than moving the extracted files) reuses the crash-safe path,
            # so an overwritten run is replaced atomically.
            self._save_locked(run)
        return run_id
