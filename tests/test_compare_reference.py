"""The committed reference comparisons: found in the package, matched to settings, re-runnable."""

import json
import shutil
from dataclasses import asdict, fields

import pytest

from vaelab.cli import build_parser
from vaelab.compare import (
    REFERENCES_DIR,
    CompareSettings,
    Comparison,
    Row,
    contenders,
    reference_for,
    references,
)
from vaelab.compare.reference import differences
from vaelab.data import dataset_names
from vaelab.errors import ConfigError


def _settings_of(command: str) -> tuple[str, CompareSettings]:
    """The dataset and settings ``vaelab compare`` would use for ``command``."""
    words = command.split()
    assert words[:2] == ["vaelab", "compare"]
    args = build_parser().parse_args(words[1:])
    if args.seeds:  # a reference over seeds: its comparison.json is the first seed's
        args.seed = args.seeds[0]
    options = {
        "latent_dim": args.latent,
        "hidden": args.hidden,
        "batch_size": args.batch_size,
        **{
            f.name: getattr(args, f.name)
            for f in fields(CompareSettings)
            if f.name not in ("latent_dim", "hidden", "batch_size")
        },
    }
    return args.dataset, CompareSettings(**options)


def test_the_mnist_reference_ships_with_its_figure_and_the_command_that_makes_it():
    (reference,) = [r for r in references() if r.folder.name == "mnist-5k"]
    comparison = reference.comparison
    assert comparison.dataset == "mnist-5k" and not comparison.stopped
    assert reference.figure is not None and reference.figure.read_bytes()[:4] == b"\x89PNG"
    assert (reference.folder / "README.md").is_file()
    assert reference.command == ("vaelab compare --dataset mnist-5k --epochs 5 --seed 0")
    # The command gives back the reference's dataset and every one of its settings.
    assert _settings_of(reference.command) == (comparison.dataset, comparison.settings)
    # The figure's samples, one grid per model from the same codes, for the app to draw.
    shapes = {tuple(row.samples.shape) for row in comparison.rows}
    assert shapes == {(comparison.settings.samples, 1, 28, 28)}
    assert reference_for("mnist-5k").folder == reference.folder
    assert reference_for("no-such-dataset") is None


@pytest.mark.parametrize("reference", references(), ids=lambda r: r.folder.name)
def test_every_committed_reference_has_its_readme_figure_and_command(reference):
    comparison = reference.comparison
    assert (reference.folder / "README.md").is_file() and not comparison.stopped
    assert reference.figure is not None and reference.figure.read_bytes()[:4] == b"\x89PNG"
    assert _settings_of(reference.command) == (comparison.dataset, comparison.settings)
    assert reference_for(comparison.dataset) is not None
    assert reference.shown_for in dataset_names()  # the Compare page offers it


def test_a_reference_on_a_sample_is_shown_for_its_dataset_when_none_is_on_the_whole(tmp_path):
    _write(tmp_path, "cifar-sample", "../shared/data/cifar10-sample-5k.npz", CompareSettings())
    (sample,) = references(tmp_path)
    assert (sample.sample_of, sample.shown_for) == ("cifar10", "cifar10")
    assert reference_for("cifar10", None, tmp_path).folder.name == "cifar-sample"
    assert reference_for("mnist", None, tmp_path) is None
    # One on the whole dataset comes first, whatever its settings.
    _write(tmp_path, "cifar-whole", "cifar10", CompareSettings(epochs=1))
    assert reference_for("cifar10", CompareSettings(), tmp_path).folder.name == "cifar-whole"
    _write(tmp_path, "own", "my-images.npz", CompareSettings())
    own = next(r for r in references(tmp_path) if r.folder.name == "own")
    assert (own.sample_of, own.shown_for) == (None, "my-images.npz")


def _write(root, name: str, dataset: str, settings: CompareSettings) -> None:
    rows = [Row(c, c.key, "trained", settings.epochs) for c in contenders(settings.betas)]
    folder = root / name
    folder.mkdir(parents=True)
    record = Comparison(dataset, settings, rows, seconds=12.0).to_json()
    (folder / "comparison.json").write_text(json.dumps(record))


def test_a_dropped_in_folder_is_a_reference_and_the_closest_settings_win(tmp_path):
    _write(tmp_path, "fashion-3-epochs", "fashion-mnist", CompareSettings(epochs=3))
    _write(tmp_path, "fashion-1-epoch", "fashion-mnist", CompareSettings(epochs=1, seed=4))
    (tmp_path / "notes").mkdir()  # a folder without comparison.json is not a reference
    found = references(tmp_path)
    assert [r.folder.name for r in found] == ["fashion-1-epoch", "fashion-3-epochs"]
    assert found[0].figure is None
    asked = CompareSettings(epochs=3, iwae_k=10)
    chosen = reference_for("fashion-mnist", asked, tmp_path)
    assert chosen.folder.name == "fashion-3-epochs"
    assert differences(chosen.comparison.settings, asked) == ["iwae_k"]
    assert reference_for("fashion-mnist", None, tmp_path).folder.name == "fashion-1-epoch"
    assert reference_for("mnist-5k", asked, tmp_path) is None
    assert references(tmp_path / "absent") == []


def test_a_broken_reference_is_named_in_one_line(tmp_path):
    shutil.copytree(REFERENCES_DIR / "mnist-5k", tmp_path / "mnist-5k")
    (tmp_path / "mnist-5k" / "comparison.json").write_text('{"format": "something else"}')
    with pytest.raises(ConfigError, match=r"^reference mnist-5k: not a VAE Lab comparison"):
        references(tmp_path)


def test_a_comparison_written_before_its_date_was_kept_reads_without_one():
    settings = CompareSettings(betas=(0.1,))
    record = Comparison("mnist-5k", settings, [], finished="2026-12-01T20:21:09+00:00").to_json()
    assert Comparison.from_json(record).finished == "2026-12-01T20:21:09+00:00"
    del record["finished"]
    assert Comparison.from_json(record).finished is None
    assert asdict(Comparison.from_json(record).settings) == asdict(settings)


def test_a_reference_with_unreadable_samples_is_named_in_the_error(tmp_path):
    _write(tmp_path, "broken", "mnist-5k", CompareSettings())
    (tmp_path / "broken" / "comparison.safetensors").write_bytes(b"not safetensors")
    with pytest.raises(ConfigError, match="reference broken: unreadable comparison samples"):
        references(tmp_path)
