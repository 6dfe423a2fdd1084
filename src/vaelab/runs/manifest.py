"""The manifest ``run.json``: building, encoding, parsing and validating it.

The manifest holds the run's config, history, metrics and trainer metadata, and the name, size
and SHA-256 of each tensor file; replacing it is the commit point of a save.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch

from vaelab.config import RunConfig
from vaelab.errors import ConfigError, RunError
from vaelab.runs.files import ROLES, TENSOR_FILE, FileRef
from vaelab.runs.messages import RETRAIN
from vaelab.runs.run import FORMAT_VERSION, MANIFEST, STATUSES, Run

_SHA256 = re.compile(r"[0-9a-f]{64}")


def new_manifest(run: Run, *, created: str, updated: str) -> dict[str, Any]:
    """The manifest of a run about to be saved, without its ``files`` entry.

    Parameters
    ----------
    run : Run
        The run being saved.
    created, updated : str
        ISO-8601 UTC times of the run's first and of this save.

    Returns
    -------
    dict
        The manifest, in the key order it is written in.
    """
    return {
        "format_version": FORMAT_VERSION,
        "run_id": run.run_id,
        "config": run.config.to_dict(),
        "epochs_done": run.epochs_done,
        "status": run.status,
        "created": created,
        "updated": updated,
        "history": run.history,
        "metrics": run.metrics,
        "trainer_meta": run.trainer_meta,
    }


def check_fields(context: str, manifest: Mapping[str, Any]) -> None:
    """Check the types of the manifest's metadata, for save and load alike.

    Parameters
    ----------
    context : str
        Start of the error message (``"cannot save run 'x'"``...).
    manifest : mapping
        The manifest.

    Raises
    ------
    RunError
        Naming the first field that has the wrong type or value.
    """

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


def encode_manifest(run_id: str, manifest: Mapping[str, Any]) -> bytes:
    """The manifest as indented UTF-8 JSON.

    Parameters
    ----------
    run_id : str
        Id of the run, for messages.
    manifest : mapping
        The manifest.

    Returns
    -------
    bytes
        The file's content.

    Raises
    ------
    RunError
        If the history, metrics or trainer metadata hold values that are not JSON-able.
    """
    try:
        text = json.dumps(manifest, indent=2, ensure_ascii=False, default=_json_default)
    except (TypeError, ValueError) as exc:
        raise RunError(
            f"cannot save run {run_id!r}: history, metrics and trainer_meta must hold only "
            f"JSON values (numbers, strings, lists, dicts): {exc}"
        ) from None
    return (text + "\n").encode("utf-8")


def parse_manifest(run_id: str, raw: bytes) -> tuple[Run, dict[str, FileRef]]:
    """Parse and check the content of ``run.json``.

    Parameters
    ----------
    run_id : str
        Name of the run's folder, which must be the id of the config.
    raw : bytes
        The file's content.

    Returns
    -------
    run : Run
        The run, with empty tensor dicts.
    files : dict of str to FileRef
        Its tensor files, by role.

    Raises
    ------
    RunError
        If the manifest is not valid JSON, has another format version, a malformed field, an
        invalid config, or a config whose id is not ``run_id``.
    """
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunError(f"run {run_id!r} has an unreadable {MANIFEST} ({exc}){RETRAIN}") from None
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
    check_fields(f"run {run_id!r} has a malformed {MANIFEST}", manifest)
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


def saved_created(run_dir: Path) -> str:
    """The ``created`` time of the run saved in ``run_dir``; empty when there is none."""
    try:
        created = json.loads((run_dir / MANIFEST).read_bytes()).get("created")
    except (OSError, ValueError, AttributeError):
        return ""
    return created if isinstance(created, str) else ""


def _parse_files(run_id: str, files: Any) -> dict[str, FileRef]:
    def bad(what: str) -> RunError:
        return RunError(f"run {run_id!r} has a malformed {MANIFEST}: {what}")

    if not isinstance(files, dict) or set(files) != set(ROLES):
        raise bad(f"files must list exactly: {', '.join(ROLES)}")
    refs = {}
    for role in ROLES:
        entry = files[role]
        if not isinstance(entry, dict):
            raise bad(f"files.{role} must be an object")
        name, sha, size = entry.get("name"), entry.get("sha256"), entry.get("size")
        # The name is joined to the run folder: only our own pattern, so never a path elsewhere.
        if not isinstance(name, str) or not TENSOR_FILE.fullmatch(name):
            raise bad(f"files.{role}.name must look like {role}-<16 hex>.safetensors, got {name!r}")
        if not name.startswith(f"{role}-"):
            raise bad(f"files.{role}.name must start with '{role}-', got {name!r}")
        if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
            raise bad(f"files.{role}.sha256 must be 64 lowercase hex digits")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise bad(f"files.{role}.size must be a whole number of bytes")
        refs[role] = FileRef(name, sha, size)
    return refs


def _json_default(value: Any) -> Any:
    # NumPy and 0-d torch scalars sneak into histories (loss.item() forgotten); store the number.
    if isinstance(value, np.generic) or (isinstance(value, torch.Tensor) and value.ndim == 0):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON-able")
