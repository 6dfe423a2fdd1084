"""Write the small intersphinx inventories the docs link through, so the build needs no network.

Sphinx normally downloads ``objects.inv`` from each project it links to. CI and the developers'
machines are offline, so this folder ships inventories instead: only the objects VAE Lab's pages
and docstrings mention, each with its address in that project's documentation. Add a line to
:data:`OBJECTS` when a page links to something new (a nitpicky build says which), then run::

    python docs/source/_inventories/make_inventories.py
"""

from __future__ import annotations

import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: Per inventory: (project name, [(object name, domain:role, address relative to the base URL)]).
#: An address ending in ``#`` gets the object name appended.
OBJECTS: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "python": (
        "Python",
        [
            *(
                (name, "py:class", "library/functions.html#")
                for name in ("bool", "bytes", "dict", "float", "int", "list", "str", "tuple")
            ),
            ("object", "py:class", "library/functions.html#"),
            ("set", "py:class", "library/stdtypes.html#"),
            ("frozenset", "py:class", "library/stdtypes.html#"),
            ("None", "py:data", "library/constants.html#"),
            ("True", "py:data", "library/constants.html#"),
            ("False", "py:data", "library/constants.html#"),
            *(
                (name, "py:exception", "library/exceptions.html#")
                for name in ("Exception", "ValueError", "TypeError", "KeyError", "OSError")
            ),
            ("pathlib.Path", "py:class", "library/pathlib.html#"),
            ("os.PathLike", "py:class", "library/os.html#"),
            ("threading.Event", "py:class", "library/threading.html#"),
            ("io.BytesIO", "py:class", "library/io.html#"),
            ("contextlib.AbstractContextManager", "py:class", "library/contextlib.html#"),
            *(
                (f"collections.abc.{name}", "py:class", "library/collections.abc.html#")
                for name in ("Callable", "Hashable", "Iterable", "Iterator", "Mapping", "Sequence")
            ),
            *(
                (f"typing.{name}", "py:class", "library/typing.html#")
                for name in ("Any", "BinaryIO", "NamedTuple", "Protocol")
            ),
            ("dataclasses.dataclass", "py:function", "library/dataclasses.html#"),
            ("argparse.ArgumentParser", "py:class", "library/argparse.html#"),
            ("zipfile", "py:module", "library/zipfile.html#module-zipfile"),
            ("sequence", "std:term", "glossary.html#term-sequence"),
            ("mapping", "std:term", "glossary.html#term-mapping"),
            ("iterable", "std:term", "glossary.html#term-iterable"),
            ("callable", "std:term", "glossary.html#term-callable"),
            ("file object", "std:term", "glossary.html#term-file-object"),
            ("binary file", "std:term", "glossary.html#term-binary-file"),
            ("path-like object", "std:term", "glossary.html#term-path-like-object"),
        ],
    ),
    "torch": (
        "PyTorch",
        [
            ("torch.Tensor", "py:class", "tensors.html#"),
            ("torch.device", "py:class", "tensor_attributes.html#"),
            ("torch.dtype", "py:class", "tensor_attributes.html#"),
            ("torch.memory_format", "py:class", "tensor_attributes.html#"),
            ("torch.Generator", "py:class", "generated/torch.Generator.html#"),
            ("torch.nn.Module", "py:class", "generated/torch.nn.Module.html#"),
            ("torch.nn.Module.state_dict", "py:method", "generated/torch.nn.Module.html#"),
            (
                "torch.nn.Parameter",
                "py:class",
                "generated/torch.nn.parameter.Parameter.html#torch.nn.parameter.Parameter",
            ),
            ("torch.optim.Adam", "py:class", "generated/torch.optim.Adam.html#"),
            ("torch.distributions", "py:module", "distributions.html#module-torch.distributions"),
            ("torch.distributions.kl.kl_divergence", "py:function", "distributions.html#"),
            ("torch.utils.data.DataLoader", "py:class", "data.html#"),
        ],
    ),
    "torchvision": (
        "torchvision",
        [
            (
                "torchvision.utils.save_image",
                "py:function",
                "generated/torchvision.utils.save_image.html#",
            )
        ],
    ),
    "numpy": (
        "NumPy",
        [
            ("numpy.ndarray", "py:class", "reference/generated/numpy.ndarray.html#"),
            ("numpy.uint8", "py:attribute", "reference/arrays.scalars.html#"),
            ("numpy.savez", "py:function", "reference/generated/numpy.savez.html#"),
            ("numpy.load", "py:function", "reference/generated/numpy.load.html#"),
            ("numpy.random.RandomState", "py:class", "reference/random/legacy.html#"),
            ("array_like", "std:term", "glossary.html#term-array_like"),
        ],
    ),
    "scipy": (
        "SciPy",
        [("scipy.linalg.sqrtm", "py:function", "reference/generated/scipy.linalg.sqrtm.html#")],
    ),
    "matplotlib": (
        "Matplotlib",
        [
            ("matplotlib.figure.Figure", "py:class", "api/_as_gen/matplotlib.figure.Figure.html#"),
            ("matplotlib.pyplot", "py:module", "api/pyplot_summary.html#module-matplotlib.pyplot"),
        ],
    ),
    "pillow": (
        "Pillow",
        [("PIL.Image.Image", "py:class", "reference/Image.html#")],
    ),
}


def inventory_bytes(project: str, objects: list[tuple[str, str, str]]) -> bytes:
    """The ``objects.inv`` file (format version 2) listing ``objects``."""
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        "# Version: stable\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    lines = []
    for name, role, address in sorted(objects):
        uri = address + "$" if address.endswith("#") else address  # "$" stands for the name
        lines.append(f"{name} {role} 1 {uri} -\n")
    return header.encode() + zlib.compress("".join(lines).encode(), 9)


def main() -> None:
    """Write one ``<key>.inv`` per entry of :data:`OBJECTS` beside this script."""
    for key, (project, objects) in OBJECTS.items():
        path = HERE / f"{key}.inv"
        path.write_bytes(inventory_bytes(project, objects))
        print(f"wrote {path} ({len(objects)} objects)")


if __name__ == "__main__":
    main()
