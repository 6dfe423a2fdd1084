"""The σ-VAE comparison shown in the README, the docs and the app is what `make results` wrote."""

import json
from pathlib import Path

from vaelab.compare import Comparison
from vaelab.i18n import texts
from vaelab.metrics import METRICS_FORMAT

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "src" / "vaelab" / "compare" / "references" / "mnist-5k"


def test_the_committed_table_is_the_one_its_record_gives():
    record = json.loads((RESULTS / "comparison.json").read_text())
    assert record.get("metrics_format") == METRICS_FORMAT, "stale results: run `make results`"
    comparison = Comparison.from_json(record)
    assert comparison.dataset == "mnist-5k" and not comparison.stopped
    assert comparison.settings.epochs == 5
    assert all(row.metrics for row in comparison.rows)
    english = texts("compare.col", "en"), texts("compare.finding", "en")
    assert (RESULTS / "comparison.md").read_text() == comparison.to_markdown(*english)


def test_the_readme_shows_that_table_and_figure():
    readme = (ROOT / "README.md").read_text()
    table = (RESULTS / "comparison.md").read_text()
    assert table.strip() in readme
    assert "src/vaelab/compare/references/mnist-5k/comparison.png" in readme
    assert (RESULTS / "comparison.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
