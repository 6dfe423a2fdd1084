"""Datasets for VAE Lab: the registered ones and the user's own images, as ``uint8`` tensors.

``load_dataset("mnist")`` returns an :class:`ImageDataset` whose ``train_x``/``test_x`` are
``uint8`` tensors shaped ``(N, C, H, W)``. A name is either a registry id (see
:func:`dataset_names`) or the path of a folder of images or of a ``.npz`` file.

Modules: ``registry`` (the registered datasets), ``torchvision_sets`` (MNIST, Fashion-MNIST and
CIFAR-10 files), ``mnist5k`` (the offline MNIST sample shipped with the package), ``npz`` and
``image_folder`` (the user's images), ``images`` (the one decoder of image files, for folders and
the app's uploads), ``resize`` (centre crop and resize), ``cache`` (safetensors and in-memory
caches), ``loading`` (the functions below), ``limits`` (every bound on what is read),
``npz_reader`` (``.npz`` arrays read within those bounds) and ``files`` (only regular files are
opened).
"""

from vaelab.data.cache import clear_memory_cache
from vaelab.data.dataset import DatasetInfo, ImageDataset
from vaelab.data.loading import DEFAULT_DATA_DIR, dataset_info, fetch_dataset, load_dataset
from vaelab.data.registry import dataset_names

__all__ = [
    "DEFAULT_DATA_DIR",
    "DatasetInfo",
    "ImageDataset",
    "clear_memory_cache",
    "dataset_info",
    "dataset_names",
    "fetch_dataset",
    "load_dataset",
]
