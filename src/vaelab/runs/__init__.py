"""Saved runs: a trained model, its optimiser state and its history, kept safely on disk.

A run lives in ``runs/<run_id>/``::

    run.json                          the manifest: config, history, metrics, trainer metadata,
                                      its revision, and the name, size and SHA-256 of each
                                      tensor file
    model-<sha16>.safetensors         the model's ``state_dict``
    trainer-<sha16>.safetensors       optimiser moments, RNG states, per-step losses...

Tensors are stored with safetensors only: loading a run never unpickles anything, so a run
downloaded from someone else cannot execute code.

Saving is crash-safe. Tensor files get new, content-addressed names and are flushed to disk before
``run.json`` is replaced in one atomic rename, the commit point; files that the new manifest no
longer references are removed afterwards. Whenever the process dies, the folder holds either the
old complete run or the new one. A run saved for the first time is built in a hidden folder and
renamed into place, so a half-written run never shows up at all.

Concurrent processes never lose each other's work: one training at a time per run, no save from
a stale copy, readers that see a save before or after it (see :mod:`~vaelab.runs.store`). And
everything read is bounded and validated, so that a damaged or crafted run or archive gives a
one-line :class:`~vaelab.errors.RunError`, never a crash, a hang or a memory blow-up.

Modules: :mod:`~vaelab.runs.run` (what a run is), :mod:`~vaelab.runs.store` (:class:`RunStore`),
:mod:`~vaelab.runs.manifest` (``run.json`` and its schema), :mod:`~vaelab.runs.schema` (bounded
JSON and the schema checkers), :mod:`~vaelab.runs.files` (tensor files, safe reads and atomic
writes), :mod:`~vaelab.runs.locking` (the per-run locks), :mod:`~vaelab.runs.staging` (hidden
work folders and their leftovers), :mod:`~vaelab.runs.archive` (export and import archives),
:mod:`~vaelab.runs.model` (rebuilding a run's model, checking its trainer state),
:mod:`~vaelab.runs.limits` (the store's limits) and :mod:`~vaelab.runs.messages` (shared wording
of errors).
"""

from vaelab.runs.archive import MAX_IMPORT_BYTES
from vaelab.runs.run import BROKEN, FOREIGN, FORMAT_VERSION, MANIFEST, STATUSES, Run, RunSummary
from vaelab.runs.store import DEFAULT_RUNS_DIR, RunStore, RunWriter

__all__ = [
    "BROKEN",
    "DEFAULT_RUNS_DIR",
    "FOREIGN",
    "FORMAT_VERSION",
    "MANIFEST",
    "MAX_IMPORT_BYTES",
    "STATUSES",
    "Run",
    "RunStore",
    "RunSummary",
    "RunWriter",
]
