"""The committed reference comparisons: what the paper's experiment gives, computed once.

Each reference is a folder of :data:`REFERENCES_DIR` holding what ``vaelab compare --out``
writes (``comparison.json``, ``.png``, ``.csv``, ``.md``, and the samples of the figure in
``comparison.safetensors``, from which the app draws the figure in its reader's language) and a
README saying how it was made. A folder may also hold the ``seeds.json`` of
``vaelab compare --seeds`` (:class:`~vaelab.compare.seeds.SeedSummary`); its comparison is then
the first seed's (that of ``seed-N/``, copied beside it).
They ship with the package, so the app's Compare page shows them at once, and the docs and the
project README show the same files. Adding a reference is dropping such a folder in: the
dataset and the settings are read from its ``comparison.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path

from vaelab.compare.contenders import CompareSettings
from vaelab.compare.report import Comparison
from vaelab.compare.seeds import SeedSummary
from vaelab.errors import ConfigError

#: Where the references are, inside the installed package.
REFERENCES_DIR = Path(__file__).with_name("references")
#: The file of a reference that makes a folder one, its figure, and the figure's samples.
RECORD, FIGURE, SAMPLES = "comparison.json", "comparison.png", "comparison.safetensors"
#: The summary over several seeds a reference may hold beside its comparison.
SEEDS = "seeds.json"
#: Data files that are a sample of a registered dataset, by file name (stem): a reference on one
#: is shown for that dataset (:attr:`Reference.shown_for`), saying it is a sample.
SAMPLE_OF = {"cifar10-sample-5k": "cifar10"}
#: The ``vaelab compare`` option of each setting, in the order of ``vaelab compare --help``.
_OPTIONS = {
    "latent_dim": "--latent",
    "hidden": "--hidden",
    "epochs": "--epochs",
    "batch_size": "--batch-size",
    "lr": "--lr",
    "seed": "--seed",
    "betas": "--betas",
    "iwae_k": "--iwae-k",
    "iwae_images": "--iwae-images",
    "fd_images": "--fd-images",
    "samples": "--samples",
}
#: Settings the command always names, even at their defaults, because a reader looks for them.
_ALWAYS_NAMED = ("epochs", "seed")


@dataclass(frozen=True)
class Reference:
    """One committed comparison.

    Attributes
    ----------
    folder : Path
        Its folder.
    comparison : Comparison
        What its ``comparison.json`` holds, with the samples of its ``comparison.safetensors``
        when it has one (else the figure is only :attr:`figure`).
    seeds : SeedSummary or None
        What its ``seeds.json`` holds, when it has one.
    """

    folder: Path
    comparison: Comparison
    seeds: SeedSummary | None = None

    @property
    def figure(self) -> Path | None:
        """The samples figure, when the folder has one."""
        path = self.folder / FIGURE
        return path if path.is_file() else None

    @property
    def sample_of(self) -> str | None:
        """The registered dataset its data are a sample of (:data:`SAMPLE_OF`), if they are."""
        return SAMPLE_OF.get(Path(self.comparison.dataset.replace("\\", "/")).stem)

    @property
    def shown_for(self) -> str:
        """The dataset the Compare page shows it for: its own, or the one it is a sample of."""
        return self.sample_of or self.comparison.dataset

    @property
    def command(self) -> str:
        """The ``vaelab compare`` command that computes it again (less ``--out``)."""
        return command(self.comparison, self.seeds.seeds if self.seeds else None)


def command(comparison: Comparison, seeds: tuple[int, ...] | None = None) -> str:
    """The ``vaelab compare`` command with the dataset and settings of ``comparison``.

    It names the epochs and the seed (or ``seeds``, as ``--seeds``, when given), and every other
    setting that is not the command's default.
    """
    settings, defaults = comparison.settings, CompareSettings()
    words = ["vaelab", "compare", "--dataset", comparison.dataset]
    for name, option in _OPTIONS.items():
        value = getattr(settings, name)
        if name == "seed" and seeds is not None:
            words += ["--seeds", ",".join(map(str, seeds))]
        elif name in _ALWAYS_NAMED or value != getattr(defaults, name):
            if isinstance(value, tuple):
                words += [option, ",".join(f"{v:g}" for v in value)]
            else:
                words += [option, f"{value:g}" if isinstance(value, float) else str(value)]
    return " ".join(words)


def references(root: str | Path | None = None) -> list[Reference]:
    """Every reference under ``root`` (:data:`REFERENCES_DIR` by default), by folder name.

    None when there is no such folder.

    Raises
    ------
    ConfigError
        If a folder's ``comparison.json`` is not a comparison, or its ``seeds.json`` not a seed
        summary of the same dataset (the message names the folder).
    """
    found = []
    for path in sorted(Path(REFERENCES_DIR if root is None else root).glob(f"*/{RECORD}")):
        try:
            comparison = Comparison.from_json(json.loads(path.read_text(encoding="utf-8")))
            if (path.parent / SAMPLES).is_file():
                comparison.add_samples((path.parent / SAMPLES).read_bytes())
            seeds = _seeds(path.parent, comparison)
        except (OSError, ValueError, ConfigError) as exc:
            raise ConfigError(f"reference {path.parent.name}: {exc}") from None
        found.append(Reference(path.parent, comparison, seeds))
    return found


def _seeds(folder: Path, comparison: Comparison) -> SeedSummary | None:
    """The seed summary of ``folder``, checked to be of ``comparison``'s dataset and settings."""
    if not (folder / SEEDS).is_file():
        return None
    summary = SeedSummary.from_json(json.loads((folder / SEEDS).read_text(encoding="utf-8")))
    if summary.dataset != comparison.dataset or summary.settings != comparison.settings:
        raise ConfigError(f"{SEEDS} is not of the same dataset and settings as {RECORD}")
    return summary


def differences(first: CompareSettings, second: CompareSettings) -> list[str]:
    """Names of the :class:`CompareSettings` fields whose values differ, in field order."""
    return [
        f.name for f in fields(CompareSettings) if getattr(first, f.name) != getattr(second, f.name)
    ]


def reference_for(
    dataset: str,
    settings: CompareSettings | None = None,
    root: str | Path | None = None,
) -> Reference | None:
    """The reference on ``dataset`` closest to ``settings`` (fewest differences), if any.

    A reference on a sample of ``dataset`` (:attr:`Reference.sample_of`) counts when none is on
    the dataset itself. Ties go to the first folder by name. ``None`` when no reference under
    ``root`` (as for :func:`references`) is on ``dataset`` or a sample of it.

    Raises
    ------
    ConfigError
        As :func:`references` raises it.
    """
    found = references(root)
    candidates = [r for r in found if r.comparison.dataset == dataset]
    candidates = candidates or [r for r in found if r.sample_of == dataset]
    if not candidates:
        return None
    if settings is None:
        return candidates[0]
    return min(candidates, key=lambda r: len(differences(r.comparison.settings, settings)))
