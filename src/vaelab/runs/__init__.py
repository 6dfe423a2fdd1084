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

Modules: :mod:`~vaelab.runs.run` (what a run is), :mod:`~vaelab.runs.store` (:class:`RunStore`),
:mod:`~vaelab.runs.manifest` (``run.json``), :mod:`~vaelab.runs.files` (tensor files and atomic
writes), :mod:`~vaelab.runs.locking` (the per-run lock), :mod:`~vaelab.runs.archive` (export and
import archives), :mod:`~vaelab.runs.model` (rebuilding a run's model) and
:mod:`~vaelab.runs.messages` (shared wording of errors).
"""

from vaelab.runs.archive import MAX_IMPORT_BYTES
from vaelab.runs.run import FORMAT_VERSION, MANIFEST, STATUSES, Run, RunSummary
from vaelab.runs.store import DEFAULT_RUNS_DIR, RunStore

__all__ = [
    "DEFAULT_RUNS_DIR",
    "FORMAT_VERSION",
    "MANIFEST",
    "MAX_IMPORT_BYTES",
    "STATUSES",
    "Run",
    "RunStore",
    "RunSummary",
]
