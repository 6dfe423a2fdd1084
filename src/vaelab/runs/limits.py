"""The run store's limits, defined once: sizes it reads, waits it accepts, leftovers it removes.

A run folder or an archive may come from someone else, so everything the store reads is bounded
before it is read: no file, manifest or archive can make it hang, recurse or fill the memory.
"""

from __future__ import annotations

from vaelab.config import LIMITS

#: Largest tensor file the store reads, and largest run an archive may unpack to (bytes). The
#: largest model the config allows (:data:`vaelab.config.LIMITS`) with its Adam moments takes
#: under half of it; each run's files are also held to what its own model takes
#: (:func:`vaelab.runs.model.check_file_sizes`).
MAX_RUN_BYTES = 2 * 1024**3
#: Largest ``run.json`` (bytes): a thousand epochs of history and full metrics take under 1 MiB.
MAX_MANIFEST_BYTES = 4 * 1024**2
#: Deepest nesting of lists and objects in ``run.json``; the store writes 4 levels.
MAX_JSON_DEPTH = 8
#: Longest text value in ``run.json`` (characters): a dataset's path, a metric's reason.
MAX_TEXT_CHARS = 4096
#: Longest name of a history, metrics or trainer-metadata entry (characters).
MAX_KEY_CHARS = 64
#: Most entries in one history record, in the metrics or in the trainer metadata.
MAX_ENTRIES = 256
#: Longest list in the metrics (the per-dimension KL of the largest latent space is 512 long).
MAX_LIST_ITEMS = 4096
#: Most points of a run's per-step loss curve (:class:`vaelab.training.curve.LossCurve`).
MAX_CURVE_POINTS = 2000
#: Most epochs of a run's KL per latent dimension (``vaelab.training.schedules.KLPerEpoch``).
MAX_LATENT_KL_RECORDS = 64
#: Largest whole number in ``run.json``: the largest seed.
MAX_WHOLE = LIMITS.seed.high
#: Most entries in an import archive: the folder, ``run.json`` and two tensor files.
MAX_ARCHIVE_MEMBERS = 4

#: Seconds of waiting for another process's lock on a run before saying so.
LOCK_NOTICE_S = 1.0
#: Seconds of waiting for another process's lock on a run before giving up.
LOCK_TIMEOUT_S = 60.0
#: Seconds between two tries of a busy lock.
LOCK_POLL_S = 0.05
#: Age (seconds) from which an unlocked staging folder is a leftover of a dead process.
STALE_AFTER_S = 300.0
