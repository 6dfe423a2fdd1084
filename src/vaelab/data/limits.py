"""How much of the user's data VAE Lab accepts: every bound on what the data side reads.

Each limit is checked on what a file declares (an ``.npy`` header, a zip directory, an image
header, a folder listing) before the data costs memory or disk, and the reading itself never goes
past it, so a file that lies about its size cannot either.
"""

from __future__ import annotations

#: Most images in one dataset (a folder or a ``.npz`` file).
MAX_IMAGES = 100_000
#: Most bytes of images held in memory for one dataset; beyond it a smaller image size is asked.
MAX_DATASET_BYTES = 4 * 2**30
#: Largest image accepted, in pixels (width × height), checked before decoding.
MAX_IMAGE_PIXELS = 40_000_000
#: Largest uploaded content accepted, in bytes (files on disk are read lazily, not all at once).
MAX_UPLOAD_BYTES = 20 * 2**20
#: Most classes a labelled dataset has; labels are whole numbers from 0 to this minus one.
MAX_CLASSES = 1_000
#: Longest class name, in characters.
MAX_CLASS_NAME_CHARS = 200
#: Largest zip directory of a ``.npz`` file (a few arrays take a few hundred bytes).
MAX_NPZ_DIRECTORY_BYTES = 2**20
#: Most a compressed ``.npz`` member may grow when inflated; real images stay far below.
MAX_INFLATION_RATIO = 100
#: Members that inflate to at most this many bytes are not held to ``MAX_INFLATION_RATIO``.
INFLATION_CHECKED_ABOVE = 64 * 2**20
#: Most entries (files and folders, at every depth) looked at when scanning an image folder.
MAX_FOLDER_ENTRIES = 500_000
#: Deepest sub-folder scanned below an image folder.
MAX_FOLDER_DEPTH = 16
#: Largest file of a registered dataset (MNIST's largest is 47 MB, CIFAR-10's 31 MB).
MAX_SOURCE_FILE_BYTES = 256 * 2**20
