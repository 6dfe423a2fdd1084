"""The run store: save, load, list, delete, export and import the runs of one folder.

Concurrency
-----------
Several processes (two terminals, the app and the command line) may use one store at once; none
of them loses the work of another:

* **One writer per run.** :meth:`RunStore.writing` holds the run's writer lock for a whole
  training (:func:`vaelab.train` does so). Taking it never waits: while a process trains a run,
  a second training, an import over it, a delete, or a save of new metrics is refused at once
  with ``run X is being trained by another process (pid N); wait for it to finish or stop it``.
  One-off changes share the lock among themselves, so only a training excludes them.
* **No save from a stale copy.** Every save increments the run's ``revision`` in ``run.json``
  and :class:`~vaelab.runs.Run` remembers the revision it was loaded from or saved as. A save
  whose run is based on another revision than the one on disk is refused (``load it again``):
  a copy loaded at epoch 2 cannot overwrite the epoch 4 saved since. Only an explicit
  ``overwrite`` replaces a run regardless (retraining from scratch, importing over it).
* **Short operations are serialised** by the run's operation lock (exclusive to write, shared
  to read). A wait longer than a second is reported, and given up after a minute
  (:mod:`~vaelab.runs.locking`).
* **Readers see the old run or the new one, never a mix.** ``run.json`` is replaced with one
  ``os.replace``, never removed first. :meth:`~RunStore.exists` and :meth:`~RunStore.list`
  take no lock; when they find a tensor file missing they read ``run.json`` again, since a save
  may have just replaced it and removed the files the previous one listed.

What the store reads is bounded and checked (:mod:`~vaelab.runs.limits`,
:mod:`~vaelab.runs.manifest`): only regular files are opened, ``run.json`` is validated field by
field, the weights against the model of the config, and the trainer state against what the
trainer saves. It only ever deletes what it created: run folders with a ``run.json`` and its own
hidden work folders (:mod:`~vaelab.runs.staging`), which it removes when a process died leaving
them behind.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple

import torch

from vaelab.atomic import TEMP_PREFIX, atomic_write, fsync_dir
from vaelab.errors import RunError
from vaelab.runs.archive import (
    check_archive,
    check_listed,
    extract,
    open_archive,
    read_member,
    write_archive,
)
from vaelab.runs.files import (
    FileRef,
    check_files_present,
    prepare_tensors,
    read_regular,
    read_tensor_file,
    remove_unreferenced,
    write_tensor_file,
)
from vaelab.runs.limits import MAX_MANIFEST_BYTES
from vaelab.runs.locking import run_lock, writer_lock
from vaelab.runs.manifest import encode_manifest, new_manifest, parse_manifest
from vaelab.runs.messages import RETRAIN, one_line, os_reason
from vaelab.runs.model import check_file_sizes, check_tensors, rebuild_model
from vaelab.runs.run import BROKEN, FOREIGN, MANIFEST, Run, RunSummary, check_run_id, is_run_id
from vaelab.runs.staging import IMPORT_PREFIX, clean_stale, staging_folder

DEFAULT_RUNS_DIR = Path("runs")
# Rereads of run.json by a lock-free reader that keeps finding a newer save (see exists()).
_CONSISTENT_READS = 5


class _Loaded(NamedTuple):
    """A verified run, its rebuilt model, and the file contents it was read from, by name."""

    run: Run
    model: torch.nn.Module
    contents: dict[str, bytes]


class RunStore:
    """The folder of saved runs, one subfolder per run id.

    Parameters
    ----------
    root : str or Path
        Folder holding the runs; created on the first save. An empty string is refused rather
        than taken for the working directory.

    Raises
    ------
    RunError
        If ``root`` is an empty string.

    Notes
    -----
    See the module's documentation for how concurrent processes are kept from losing each
    other's work.
    """

    def __init__(self, root: str | Path = DEFAULT_RUNS_DIR) -> None:
        # Path("") is the working directory: a store there would list and lock all of it.
        if isinstance(root, str) and not root:
            raise RunError(
                "the runs folder is an empty path; name a folder, such as 'runs' "
                "('.' for the working directory)"
            )
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
        """Whether a run has a complete, valid manifest and all its tensor files.

        The tensor files are not hashed; :meth:`load` does that. A save running meanwhile does
        not make the answer waver: the run is seen before or after it, never in between.

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
            self._read_present(run_id)
        except RunError:
            return False
        return True

    @property
    def _where(self) -> str:
        return f"{self.root}/"

    # ----------------------------------------------------------------------------- saving

    @contextmanager
    def writing(self, run_id: str) -> Iterator[RunWriter]:
        """Hold the writer lock of a run for a long series of saves (a training).

        Parameters
        ----------
        run_id : str
            Id of the run.

        Yields
        ------
        RunWriter
            Saves the run while the block runs.

        Raises
        ------
        RunError
            At once if another training holds the run (naming its process id), or if the
            store's folder cannot be written.
        """
        self.path(run_id)
        self._make_root("train")
        with writer_lock(self.root, run_id, training=True):
            writer = RunWriter(self, run_id)
            try:
                yield writer
            finally:
                writer.closed = True

    def save(self, run: Run, *, overwrite: bool = False) -> Path:
        """Write a run atomically, replacing its earlier save if ``run`` is based on it.

        Sets ``run.updated`` to the current UTC time, an empty ``run.created`` to the time of
        the run's first save, and ``run.revision`` to the new revision.

        Parameters
        ----------
        run : Run
            The run to save. Its tensors are copied to the CPU; the run itself is not modified
            apart from its timestamps and revision.
        overwrite : bool, default False
            Replace the saved run even if ``run`` was not loaded from its latest revision.

        Returns
        -------
        Path
            The run's folder.

        Raises
        ------
        RunError
            If a training holds the run; if the store holds a newer revision of the run than
            the one ``run`` is based on (it was saved again since ``run`` was loaded, or ``run``
            is new and the store has one), unless ``overwrite``; if the run's folder is not a
            run; if the run holds something the store would refuse to read back (a non-tensor
            state entry, metadata that is not JSON-able or does not fit the manifest's schema,
            weights that do not fit the config's model, a trainer state a trainer would not
            load); or if the disk cannot be written. Nothing saved before is lost in any case.
        """
        self.path(run.run_id)
        self._make_root("save")
        with writer_lock(self.root, run.run_id, training=False):
            with run_lock(self.root, run.run_id, exclusive=True):
                return self._save_locked(run, overwrite=overwrite)

    def _save_locked(self, run: Run, *, overwrite: bool) -> Path:
        run_id = run.run_id
        tensors = {
            "model": prepare_tensors(run_id, "model state", run.model_state),
            "trainer": prepare_tensors(run_id, "trainer state", run.trainer_state),
        }
        final = self.path(run_id)
        fresh = self._check_own_folder(run_id)
        on_disk = None if fresh else self._saved(run_id)
        if on_disk is not None and not overwrite and run.revision != on_disk.revision:
            raise RunError(_stale(run_id, run.revision, on_disk.revision))
        revision = max(run.revision, on_disk.revision if on_disk else 0) + 1
        now = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        # Callers often build a fresh Run for each save (one per epoch); keep the first save's
        # time unless they carry one over.
        created = run.created or (on_disk.created if on_disk else "") or now
        manifest = new_manifest(run, created=created, updated=now, revision=revision)
        # Check everything before writing anything, so that a bad run never costs a disk write.
        encode_manifest(run_id, manifest)
        check_tensors(
            replace(run, model_state=tensors["model"], trainer_state=tensors["trainer"]),
            saving=True,
        )

        try:
            clean_stale(self.root)
            if fresh:
                with staging_folder(self.root, f"{TEMP_PREFIX}{run_id}-") as work:
                    files = self._write_run(work, run_id, manifest, tensors)
                    # Commit point of a new run: the folder appears complete or not at all.
                    os.replace(work, final)
                    fsync_dir(self.root)
            else:
                # Commit point of an existing run: the old manifest stays valid until the rename
                # of the new one.
                files = self._write_run(final, run_id, manifest, tensors)
        except OSError as exc:
            raise RunError(
                f"cannot save run {run_id!r} in {self._where}: {os_reason(exc)}; "
                "the previous save, if any, is intact"
            ) from exc
        remove_unreferenced(final, {MANIFEST, *(ref.name for ref in files.values())})
        run.created, run.updated, run.revision = created, now, revision
        return final

    @staticmethod
    def _write_run(
        folder: Path, run_id: str, manifest: dict, tensors: dict[str, dict[str, torch.Tensor]]
    ) -> dict[str, FileRef]:
        files = {role: write_tensor_file(folder, role, t) for role, t in tensors.items()}
        fsync_dir(folder)
        manifest["files"] = {role: ref._asdict() for role, ref in files.items()}
        atomic_write(folder / MANIFEST, encode_manifest(run_id, manifest))
        return files

    def _saved(self, run_id: str) -> Run | None:
        """The valid run on disk (manifest only), or ``None`` when there is none to lose."""
        try:
            return self._read_manifest(run_id)[1]
        except RunError:
            return None

    def _make_root(self, doing: str) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RunError(
                f"cannot {doing} in {self._where}: {os_reason(exc)}; "
                "choose a runs folder you can write to"
            ) from exc

    def _check_own_folder(self, run_id: str) -> bool:
        """Whether the run's folder is missing; refuse one that the store did not create."""
        reason = _not_a_run(self.path(run_id))
        if reason == _MISSING:
            return True
        if reason:
            raise RunError(
                f"cannot save run {run_id!r}: {run_id} in {self._where} is not a run "
                f"({reason}); VAE Lab leaves it alone, so move it away first"
            )
        return False

    # ---------------------------------------------------------------------------- loading

    def load(self, run_id: str) -> Run:
        """Read and verify a run: manifest, config, checksums, weights and trainer state.

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
            If the run is unknown, partial, corrupted, saved in an unknown format, does not
            match its config, has weights that do not fit its model or a trainer state that
            does not fit its trainer. The message says which.
        """
        return self._load(run_id).run

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
            As :meth:`load`.
        """
        loaded = self._load(run_id)
        return loaded.run, loaded.model

    def _load(self, run_id: str) -> _Loaded:
        self.path(run_id)
        with run_lock(self.root, run_id, exclusive=False):
            return self._load_locked(run_id)

    def _load_locked(self, run_id: str) -> _Loaded:
        raw, run, files = self._read_manifest(run_id)
        check_file_sizes(run_id, run.config.model, files)
        run_dir = self.path(run_id)
        contents = {MANIFEST: raw}
        run.model_state, contents[files["model"].name] = read_tensor_file(
            run_dir, run_id, "model", files["model"]
        )
        run.trainer_state, contents[files["trainer"].name] = read_tensor_file(
            run_dir, run_id, "trainer", files["trainer"]
        )
        check_tensors(run)
        return _Loaded(run, rebuild_model(run), contents)

    def _read_manifest(self, run_id: str) -> tuple[bytes, Run, dict[str, FileRef]]:
        """Read, parse and check ``run.json``; the run has empty tensor dicts."""
        run_dir = self.path(run_id)
        reason = _not_a_run(run_dir)
        if reason == _MISSING:
            raise RunError(f"no run {run_id!r} in {self._where} (train it or import it first)")
        if reason:
            raise RunError(f"no run {run_id!r} in {self._where} ({run_id}/ is not a run: {reason})")
        try:
            raw = read_regular(run_dir / MANIFEST, MAX_MANIFEST_BYTES)
        except FileNotFoundError:
            # Deleted since _not_a_run looked.
            raise RunError(f"no run {run_id!r} in {self._where}") from None
        except OSError as exc:
            raise RunError(
                f"cannot read {MANIFEST} of run {run_id!r}: {os_reason(exc)}{RETRAIN}"
            ) from exc
        return (raw, *parse_manifest(run_id, raw))

    def _read_present(self, run_id: str) -> tuple[Run, dict[str, FileRef]]:
        """The manifest of a run whose tensor files are all there, read without a lock."""
        raw, run, files = self._read_manifest(run_id)
        for _ in range(_CONSISTENT_READS):
            try:
                check_files_present(self.path(run_id), run_id, files)
                return run, files
            except RunError:
                # A save may have replaced the manifest and removed the files the one we read
                # lists: only the same manifest read again makes the files really missing.
                again = self._read_manifest(run_id)
                if again[0] == raw:
                    raise
                raw, run, files = again
        check_files_present(self.path(run_id), run_id, files)
        return run, files

    # ---------------------------------------------------------------------------- listing

    def list(self) -> list[RunSummary]:
        """Summaries of every run in the store, newest first, from the manifests alone.

        Broken runs are listed too, with ``status="broken"`` and a one-line ``error``, so that
        they can be shown and deleted; so are folders that are not runs, with
        ``status="foreign"``, which the store never deletes. Leftovers of processes that died
        while saving or importing are removed first. This method never raises.

        Returns
        -------
        list of RunSummary
            Sorted by ``updated``, newest first; entries without a known time come last.
        """
        clean_stale(self.root)
        try:
            entries = sorted(os.scandir(self.root), key=lambda e: e.name)
        except OSError:
            return []
        summaries = []
        for entry in entries:
            try:
                if entry.name.startswith(".") or entry.is_file(follow_symlinks=False):
                    continue
            except OSError:
                continue
            summaries.append(self._summary(entry.name))
        epoch = datetime.min.replace(tzinfo=timezone.utc)

        def newest_first(summary: RunSummary) -> tuple[datetime, str]:
            try:
                when = datetime.fromisoformat(summary.updated)
            except ValueError:
                when = epoch
            return (when if when.tzinfo else epoch, summary.run_id)

        return sorted(summaries, key=newest_first, reverse=True)

    def summary(self, run_id: str) -> RunSummary:
        """What :meth:`list` says of one run, from its manifest alone; never raises for a bad run.

        Parameters
        ----------
        run_id : str
            Id of the run.

        Returns
        -------
        RunSummary
            With ``status="broken"`` and the reason in ``error`` when the run is missing or
            cannot be used.

        Raises
        ------
        RunError
            If ``run_id`` is not a valid run id.
        """
        self.path(run_id)
        return self._summary(run_id)

    def _summary(self, name: str) -> RunSummary:
        path = self.root / name
        reason = _not_a_run(path) if is_run_id(name) else "its name cannot be a run id"
        if reason and reason != _MISSING:
            return RunSummary(name, path, None, 0, FOREIGN, "", {}, f"not a run: {reason}")
        try:
            _, run, files = self._read_manifest(name)
        except Exception as exc:  # noqa: BLE001 - list() must show every folder, never raise
            return RunSummary(name, path, None, 0, BROKEN, "", {}, one_line(exc))
        error = None
        try:
            run, files = self._read_present(name)
        except RunError as exc:
            error = one_line(exc)
        return RunSummary(
            run_id=name,
            path=path,
            config=run.config,
            epochs_done=run.epochs_done,
            status=BROKEN if error else run.status,
            updated=run.updated,
            final=dict(run.history[-1]) if run.history else {},
            error=error,
        )

    # --------------------------------------------------------------------------- deleting

    def delete(self, run_id: str) -> None:
        """Remove a run's folder, even when the run is broken; never a folder that is not a run.

        Parameters
        ----------
        run_id : str
            Id of the run.

        Raises
        ------
        RunError
            If there is no such run, its folder is not a run (no ``run.json``, or a link), a
            training holds it, or it cannot be removed.
        """
        self._check_deletable(run_id)
        with writer_lock(self.root, run_id, training=False):
            with run_lock(self.root, run_id, exclusive=True):
                self._check_deletable(run_id)
                # Renaming first makes the run disappear at once, even if removing its files is
                # slow or fails half-way (the leftover is removed later, see staging).
                trash = self.root / f"{TEMP_PREFIX}{run_id}-deleted-{secrets.token_hex(4)}"
                try:
                    os.replace(self.path(run_id), trash)
                except OSError as exc:
                    raise RunError(f"cannot delete run {run_id!r}: {os_reason(exc)}") from exc
                shutil.rmtree(trash, ignore_errors=True)

    def _check_deletable(self, run_id: str) -> None:
        reason = _not_a_run(self.path(run_id))
        if reason == _MISSING:
            raise RunError(f"no run {run_id!r} in {self._where}; nothing to delete")
        if reason:
            raise RunError(
                f"cannot delete {run_id!r}: it is not a run ({reason}); VAE Lab deletes only "
                "the runs it saved, so remove it yourself if you want it gone"
            )

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
        # Verified first, and the very bytes verified are written: an archive of a corrupted
        # run would only fail later, elsewhere.
        write_archive(run_id, self._load(run_id).contents, target)
        return target

    def import_(self, archive: str | Path, *, overwrite: bool = False) -> str:
        """Install a run from an archive written by :meth:`export`, after verifying all of it.

        The archive must hold exactly one folder ``<run_id>/`` with ``run.json`` and the tensor
        files it references, and nothing else. Its entries, their declared sizes and the
        manifest are checked before anything is written; then the run is unpacked to a hidden
        folder (never more bytes than declared), loaded, its weights fitted to a freshly built
        model and its trainer state checked, before anything in the store changes.

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
            If the archive is not a zip, unpacks to more than 2 GiB, holds unsafe paths
            (absolute, ``..``, links) or unexpected files, or its run does not load, does not
            match its config or does not fit its model; if the disk lacks the space; if the
            run exists and ``overwrite`` is false, or a training holds it.
        """
        archive = Path(archive)
        name = archive.name
        with open_archive(archive) as zf:
            run_id, members = check_archive(name, zf)
            raw = read_member(name, zf, members[MANIFEST])
            try:
                run, files = parse_manifest(run_id, raw)
                check_file_sizes(run_id, run.config.model, files)
            except RunError as exc:
                raise _import_error(name, exc) from None
            check_listed(name, members, files)
            self._make_root("import")
            clean_stale(self.root)
            self._check_space(name, len(raw) + sum(ref.size for ref in files.values()))
            try:
                with staging_folder(self.root, IMPORT_PREFIX) as tmp:
                    folder = tmp / run_id
                    folder.mkdir()
                    (folder / MANIFEST).write_bytes(raw)
                    for ref in files.values():
                        extract(name, zf, members[ref.name], folder / ref.name)
                    try:
                        run = RunStore(tmp)._load_locked(run_id).run
                    except RunError as exc:
                        raise _import_error(name, exc) from None
            except OSError as exc:
                raise RunError(f"cannot import {name}: {os_reason(exc)}") from exc
        with writer_lock(self.root, run_id, training=False):
            with run_lock(self.root, run_id, exclusive=True):
                if not overwrite and _not_a_run(self.path(run_id)) != _MISSING:
                    raise RunError(
                        f"cannot import {name}: run {run_id!r} already exists in {self._where}; "
                        "delete it or import with overwrite to replace it"
                    )
                # Saving again (rather than moving the extracted files) reuses the crash-safe
                # path, so an overwritten run is replaced atomically.
                self._save_locked(run, overwrite=True)
        return run_id

    def _check_space(self, name: str, size: int) -> None:
        # Unpacked once to the staging folder, then written once more by the save.
        try:
            free = shutil.disk_usage(self.root).free
        except OSError:
            return
        if free < 2 * size:
            raise RunError(
                f"cannot import {name}: it needs {2 * size / 1024**2:.0f} MiB of free space in "
                f"{self._where}, which has {free / 1024**2:.0f} MiB"
            )


class RunWriter:
    """Saves one run while its store's writer lock is held (see :meth:`RunStore.writing`).

    Parameters
    ----------
    store : RunStore
        The store holding the lock.
    run_id : str
        The run it holds.
    """

    def __init__(self, store: RunStore, run_id: str) -> None:
        self.store = store
        self.run_id = run_id
        #: Set when the lock is released; saving is refused then.
        self.closed = False

    def save(self, run: Run, *, overwrite: bool = False) -> Path:
        """Save ``run`` as :meth:`RunStore.save` does, without taking the writer lock again.

        Raises
        ------
        RunError
            As :meth:`RunStore.save`, or if ``run`` is another run than the one held, or the
            lock was released.
        """
        if self.closed or run.run_id != self.run_id:
            raise RunError(
                f"cannot save run {run.run_id!r}: this writer holds run {self.run_id!r}"
                + (" and was closed" if self.closed else "")
            )
        with run_lock(self.store.root, self.run_id, exclusive=True):
            return self.store._save_locked(run, overwrite=overwrite)


# _not_a_run's answer for a folder that does not exist.
_MISSING = "missing"


def _not_a_run(run_dir: Path) -> str | None:
    """Why ``run_dir`` is not a folder the store created, :data:`_MISSING`, or ``None``."""
    try:
        info = run_dir.lstat()
    except FileNotFoundError:
        return _MISSING
    except OSError as exc:
        return os_reason(exc)
    if stat.S_ISLNK(info.st_mode):
        return "it is a link"
    if not stat.S_ISDIR(info.st_mode):
        return "it is not a folder"
    try:
        manifest = (run_dir / MANIFEST).lstat()
    except FileNotFoundError:
        return f"it has no {MANIFEST}"
    except OSError as exc:
        return os_reason(exc)
    if not stat.S_ISREG(manifest.st_mode):
        return f"its {MANIFEST} is not a regular file"
    return None


def _stale(run_id: str, base: int, on_disk: int) -> str:
    if base == 0:
        return (
            f"cannot save run {run_id!r}: the store already holds it (revision {on_disk}); "
            "load it and save that, or save with overwrite to replace it"
        )
    return (
        f"cannot save run {run_id!r}: another process saved it since this copy was loaded "
        f"(the store holds revision {on_disk}, this copy was loaded from revision {base}); "
        "load it again and redo the change"
    )


def _import_error(name: str, exc: RunError) -> RunError:
    return RunError(f"cannot import {name}: {str(exc).removesuffix(RETRAIN)}")
