"""Sphinx configuration of the VAE Lab documentation.

The build never touches the network: MathJax comes from a package (``sphinx-mathjax-offline``),
and the links to Python, PyTorch and NumPy go through inventories shipped in ``_inventories/``
(regenerate them with ``python _inventories/make_inventories.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
# The package is installed in editable mode by `make`; this also lets a bare checkout build.
sys.path.insert(0, str(HERE.parents[1] / "src"))

import vaelab  # noqa: E402

# -- Project -------------------------------------------------------------------------------------

project = "VAE Lab"
author = "VAE Lab contributors"
copyright = "VAE Lab contributors"  # noqa: A001
release = vaelab.__version__
version = release
language = "en"

# -- Extensions ----------------------------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "vaelab_docs",
]

# Every cross-reference must resolve, the project's own and the external ones alike.
nitpicky = True
# torch classes in type hints that the bundled offline inventory of torch's docs lacks.
nitpick_ignore = [
    ("py:class", "torch.nn.modules.container.Sequential"),
    ("py:class", "torch.optim.optimizer.Optimizer"),
    ("py:class", "torch.optim.lr_scheduler.LRScheduler"),
]

exclude_patterns = ["_inventories", "_screenshots", "_generated"]
templates_path: list[str] = []

# -- autodoc and numpydoc-style docstrings ------------------------------------------------------

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
autoclass_content = "class"

napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_ivar = False
napoleon_use_rtype = False
napoleon_preprocess_types = True
# Short names in docstrings ("Tensor", "ConvVAE", "sequence") are resolved by _ext/vaelab_docs.py.

# -- Links to other projects, offline -----------------------------------------------------------

intersphinx_mapping = {
    "python": ("https://docs.python.org/3", str(HERE / "_inventories" / "python.inv")),
    "torch": ("https://docs.pytorch.org/docs/stable", str(HERE / "_inventories" / "torch.inv")),
    "torchvision": (
        "https://docs.pytorch.org/vision/stable",
        str(HERE / "_inventories" / "torchvision.inv"),
    ),
    "numpy": ("https://numpy.org/doc/stable", str(HERE / "_inventories" / "numpy.inv")),
    "scipy": ("https://docs.scipy.org/doc/scipy", str(HERE / "_inventories" / "scipy.inv")),
    "matplotlib": ("https://matplotlib.org/stable", str(HERE / "_inventories" / "matplotlib.inv")),
    "pillow": (
        "https://pillow.readthedocs.io/en/stable",
        str(HERE / "_inventories" / "pillow.inv"),
    ),
}
intersphinx_timeout = 1

# -- Doctests ------------------------------------------------------------------------------------

doctest_global_setup = """
import torch

torch.manual_seed(0)
torch.set_num_threads(min(2, torch.get_num_threads()))
"""

# -- HTML ----------------------------------------------------------------------------------------

html_theme = "furo"
html_title = f"VAE Lab {release}"
html_static_path = ["_static"]
html_css_files = ["vaelab.css"]
html_show_sourcelink = False
html_theme_options = {"navigation_with_keys": True}
