"""The manifest ``run.json``: building, encoding, parsing and validating it.

The manifest holds the run's config, history, metrics and trainer metadata, its revision (a
counter of saves), and the name, size and SHA-256 of each tensor file; replacing it is the commit
point of a save. Every field is checked against ``MANIFEST_SCHEMA`` when it is read, and
before it is written, so that the store never writes what it would refuse to read.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from vaelab.config import LIMITS, DataConfig, ModelConfig, RunConfig, TrainConfig
from vaelab.errors import ConfigError, RunError
from vaelab.runs.files import ROLES, FileRef
from vaelab.runs.limits import (
    MAX_CURVE_POINTS,
    MAX_LATENT_KL_RECORDS,
    MAX_MANIFEST_BYTES,
    MAX_RUN_BYTES,
    MAX_WHOLE,
)
from vaelab.runs.messages import RETRAIN
from vaelab.runs.run import FORMAT_VERSION, MANIFEST, STATUSES, Run
from vaelab.runs.schema import (
    Check,
    Invalid,
    either,
    iso_time,
    list_of,
    mapping,
    number,
    one_of,
    optional,
    parse_json,
    record,
    scalar,
    text,
    whole,
)

_SHA256 = re.compile(r"[0-9a-f]{64}")
_ANY_WHOLE = whole(-MAX_WHOLE, MAX_WHOLE)
# Checks of the config's fields by their annotation; from_dict then checks their values. A field
# added to the config later gets the generic check until it is named here.
_BY_ANNOTATION: dict[str, Check] = {
    "int": _ANY_WHOLE,
    "int | None": optional(_ANY_WHOLE),
    "float": number(),
    "str": text(),
    "str | None": optional(text()),
    "tuple[int, ...]": list_of(_ANY_WHOLE, 16),
}
#: Metrics that code compares or counts with: whole numbers when present.
_METRIC_COUNTS = (
    "pixels",
    "latent_dim",
    "n_train",
    "n_test",
    "seed",
    "iwae_k",
    "iwae_images",
    "fd_images",
    "active_units",
    "active_units_kl",
)


def _section(cls: type) -> Check:
    """The fields of a config dataclass, all optional (from_dict fills in the defaults)."""
    return record(
        {},
        {f.name: _BY_ANNOTATION.get(str(f.type), scalar) for f in dataclasses.fields(cls)},
    )


def _metrics(value: Any, path: str) -> None:
    mapping(
        either(
            scalar,
            list_of(optional(number())),
            mapping(scalar),
            what="a number, a text, a list of numbers or an object of numbers",
        )
    )(value, path)
    for key in _METRIC_COUNTS:
        if key in value:
            whole()(value[key], f"{path}.{key}")


def _file_ref(role: str) -> Check:
    name = re.compile(rf"{role}-[0-9a-f]{{16}}\.safetensors")
    return record(
        {"name": text(64, name), "sha256": text(64, _SHA256), "size": whole(0, MAX_RUN_BYTES)}
    )


#: The schema of ``run.json``. ``files`` is optional here because a save checks its manifest
#: before writing the tensor files; :func:`parse_manifest` requires it.
MANIFEST_SCHEMA = record(
    {
        "format_version": one_of(FORMAT_VERSION),
        "run_id": text(128),
        "config": record(
            {
                "model": _section(ModelConfig),
                "data": _section(DataConfig),
                "train": _section(TrainConfig),
            }
        ),
        "epochs_done": whole(0, LIMITS.epochs.high),
        "status": one_of(*STATUSES),
        "created": iso_time,
        "updated": iso_time,
        "history": list_of(mapping(number()), LIMITS.epochs.high),
        "metrics": _metrics,
        # Bounded here; the trainer checks what it holds (vaelab.training.trainer.check_meta).
        "trainer_meta": mapping(either(scalar, mapping(scalar), what="a number, text or object")),
    },
    {
        "revision": whole(0, MAX_WHOLE),
        "curve": list_of(mapping(number()), MAX_CURVE_POINTS),
        "latent_kl": list_of(
            record(
                {
                    "epoch": whole(1, LIMITS.epochs.high),
                    "kl": list_of(number(), LIMITS.latent_dim.high),
                }
            ),
            MAX_LATENT_KL_RECORDS,
        ),
        "files": record({role: _file_ref(role) for role in ROLES}),
    },
)


def new_manifest(run: Run, *, created: str, updated: str, revision: int) -> dict[str, Any]:
    """The manifest of a run about to be saved, without its ``files`` entry.

    Parameters
    ----------
    run : Run
        The run being saved.
    created, updated : str
        ISO-8601 UTC times of the run's first and of this save.
    revision : int
        The number of this save.

    Returns
    -------
    dict
        The manifest, in the key order it is written in.
    """
    return {
        "format_version": FORMAT_VERSION,
        "run_id": run.run_id,
        "revision": revision,
        "config": run.config.to_dict(),
        "epochs_done": run.epochs_done,
        "status": run.status,
        "created": created,
        "updated": updated,
        "history": run.history,
        "curve": run.curve,
        "latent_kl": run.latent_kl,
        "metrics": run.metrics,
        "trainer_meta": run.trainer_meta,
    }


def encode_manifest(run_id: str, manifest: Mapping[str, Any]) -> bytes:
    """The manifest as indented UTF-8 JSON, after checking it as :func:`parse_manifest` would.

    Parameters
    ----------
    run_id : str
        Id of the run, for messages.
    manifest : mapping
        The manifest, with or without its ``files`` entry.

    Returns
    -------
    bytes
        The file's content.

    Raises
    ------
    RunError
        If a field has a value the store would refuse to read (NaN in the history, a text where
        a number belongs...), or values that are not JSON-able.
    """
    try:
        text_ = json.dumps(manifest, indent=2, ensure_ascii=False, default=_json_default)
    except (TypeError, ValueError, RecursionError) as exc:
        raise RunError(
            f"cannot save run {run_id!r}: history, metrics and trainer_meta must hold only "
            f"JSON values (numbers, strings, lists, dicts): {exc}"
        ) from None
    raw = (text_ + "\n").encode("utf-8")
    try:
        _check(run_id, raw)
    except Invalid as exc:
        raise RunError(f"cannot save run {run_id!r}: {exc}") from None
    return raw


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
        If the manifest is too large, not valid JSON, nested too deep, has another format
        version, a field that does not fit ``MANIFEST_SCHEMA``, an invalid config, or a
        config whose id is not ``run_id``.
    """
    try:
        manifest, config = _check(run_id, raw)
        if "files" not in manifest:
            raise Invalid(f"files must list exactly: {', '.join(ROLES)}")
    except Invalid as exc:
        raise RunError(f"run {run_id!r} has a malformed {MANIFEST}: {exc}{RETRAIN}") from None
    files = {role: FileRef(**manifest["files"][role]) for role in ROLES}
    run = Run(
        config=config,
        model_state={},
        trainer_state={},
        trainer_meta=manifest["trainer_meta"],
        history=manifest["history"],
        curve=manifest.get("curve", []),
        latent_kl=manifest.get("latent_kl", []),
        metrics=manifest["metrics"],
        epochs_done=manifest["epochs_done"],
        status=manifest["status"],
        created=manifest["created"],
        updated=manifest["updated"],
        revision=manifest.get("revision", 0),
    )
    return run, files


def _check(run_id: str, raw: bytes) -> tuple[dict[str, Any], RunConfig]:
    """The manifest and its config, checked; ``Invalid`` for a field that does not fit."""
    manifest = parse_json(raw, MAX_MANIFEST_BYTES)
    if not isinstance(manifest, dict):
        raise Invalid("it is not a JSON object")
    _check_version(run_id, manifest.get("format_version"))
    MANIFEST_SCHEMA(manifest, "")
    if len(manifest["history"]) != manifest["epochs_done"]:
        raise Invalid(
            f"history has {len(manifest['history'])} records for "
            f"{manifest['epochs_done']} epochs done; it needs one per epoch"
        )
    for index, entry in enumerate(manifest["history"]):
        if entry.get("epoch") != index + 1:
            raise Invalid(f"history[{index}].epoch must be {index + 1}, got {entry.get('epoch')!r}")
    # Imported here: vaelab.training imports this package.
    from vaelab.training.trainer import check_meta

    try:
        check_meta(manifest["trainer_meta"], manifest["epochs_done"])
    except RunError as exc:
        raise Invalid(str(exc)) from None
    _check_curve(manifest.get("curve", []), manifest["trainer_meta"]["step"])
    try:
        config = RunConfig.from_dict(manifest["config"])
    except ConfigError as exc:
        raise RunError(f"run {run_id!r} has an invalid config: {exc}") from None
    if manifest["epochs_done"] > config.train.epochs:
        raise Invalid(
            f"epochs_done ({manifest['epochs_done']}) is more than the config's epochs "
            f"({config.train.epochs})"
        )
    if config.run_id != run_id or manifest["run_id"] != run_id:
        raise RunError(
            f"run {run_id!r} does not match its config, whose id is {config.run_id!r}: "
            "the run was renamed, its config edited, or its model changed since it was trained "
            "(vaelab.config.CHANGED_DECODERS), so its weights cannot be trusted"
        )
    return manifest, config


def _check_curve(curve: list[dict[str, Any]], steps: int) -> None:
    """Each point has a step, after the point before and not after the run's last step."""
    before = 0
    for index, point in enumerate(curve):
        step = point.get("step")
        whole(before + 1, steps)(step, f"curve[{index}].step")
        before = step


def _check_version(run_id: str, version: Any) -> None:
    if type(version) is int and version == FORMAT_VERSION:
        return
    if type(version) is int and version > FORMAT_VERSION:
        raise RunError(
            f"run {run_id!r} was saved by a newer VAE Lab (format {version}); "
            f"this version reads format {FORMAT_VERSION}, so update VAE Lab"
        )
    shown = repr(version) if len(repr(version)) <= 40 else repr(version)[:37] + "..."
    raise RunError(
        f"run {run_id!r} has an unknown format version {shown}; "
        f"this VAE Lab reads format {FORMAT_VERSION}"
    )


def _json_default(value: Any) -> Any:
    # NumPy and 0-d torch scalars sneak into histories (loss.item() forgotten); store the number.
    if isinstance(value, np.generic) or (isinstance(value, torch.Tensor) and value.ndim == 0):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON-able")
