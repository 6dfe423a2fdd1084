"""The comparison over several seeds: the summary, its files, `vaelab compare --seeds`, the page."""

from __future__ import annotations

import json
import math
import shutil
import statistics
from dataclasses import replace

import pytest
from streamlit.testing.v1 import AppTest

from test_app_compare import MAIN, TIMEOUT
from test_cli import exit_code
from vaelab.app.compare_view import _BEST_ON_SCREEN, column_labels
from vaelab.app.labels import contender_name
from vaelab.compare import (
    CompareSettings,
    Comparison,
    Row,
    SeedSummary,
    contenders,
    describe_seeds,
    reference_for,
    references,
)
from vaelab.compare import reference as reference_module
from vaelab.compare.seeds import seed_list
from vaelab.errors import ConfigError
from vaelab.i18n import texts
from vaelab.i18n.strings_en import EN
from vaelab.i18n.strings_fr import FR

#: Rows (Gaussian VAE, β 0.1, β 0.01, σ-VAE): IWAE bits/dim per seed.
IWAE = {0: [1.5, 1.3, 1.4, 1.2], 1: [1.5, 1.2, 1.4, 1.3], 2: [1.6, 1.35, 1.45, 1.25]}


def made_up(seed: int, iwae: list, **changes) -> Comparison:
    """A comparison of seed ``seed``: its IWAE values, a PSNR 10, 20, 21, 22 + seed, and a σ."""
    kept = [c for c in contenders((0.1, 0.01)) if c.key != "mse-vae"]
    rows = [Row(c, f"run-{seed}-{i}", "trained", 5) for i, c in enumerate(kept)]
    for i, row in enumerate(rows):
        row.metrics = {
            "iwae_bits_per_dim": iwae[i],
            "recon_psnr_db": [10.0, 20.0, 21.0, 22.0][i] + seed,
            "calibrated_sigma": 0.1 * (i + 1) + 0.01 * seed,
        }
    settings = replace(CompareSettings(betas=(0.1, 0.01)), seed=seed, **changes)
    return Comparison("digits", settings, rows)


def summary(seeds=(0, 1, 2)) -> SeedSummary:
    return SeedSummary.from_comparisons([made_up(s, IWAE[s]) for s in seeds])


def test_means_and_standard_errors_across_seeds():
    s = summary()
    assert s.seeds == (0, 1, 2) and s.dataset == "digits" and s.settings.seed == 0
    assert s.columns() == ["iwae_bits_per_dim", "recon_psnr_db", "calibrated_sigma"]
    for i, row in enumerate(s.rows):
        values = [IWAE[seed][i] for seed in (0, 1, 2)]
        e = row.estimate("iwae_bits_per_dim")
        assert e.n == 3
        assert e.mean == pytest.approx(statistics.fmean(values), abs=1e-9)
        assert e.standard_error == pytest.approx(statistics.stdev(values) / math.sqrt(3), abs=1e-9)
    psnr = s.rows[3].estimate("recon_psnr_db")
    assert psnr.mean == pytest.approx(23.0, abs=1e-9)
    assert psnr.standard_error == pytest.approx(1 / math.sqrt(3), abs=1e-9)
    assert s.best("iwae_bits_per_dim") == 3 and s.best("calibrated_sigma") is None


def test_ranks_stability_and_the_paired_difference():
    s = summary()
    assert s.ranks("iwae_bits_per_dim") == [(4, 4, 4), (2, 1, 2), (3, 3, 3), (1, 2, 1)]
    iwae, psnr = s.stability()  # the σ has no direction: not ranked
    assert iwae.best.key == "sigma-vae" and iwae.best_seeds == 2 and iwae.sigma_ranks == (1, 2, 1)
    assert iwae.best_beta == 0.1 and iwae.rows == 4
    assert iwae.differences == pytest.approx((-0.1, 0.1, -0.1), abs=1e-9)
    assert iwae.difference.mean == pytest.approx(-1 / 30, abs=1e-9)
    assert iwae.difference.standard_error == pytest.approx(1 / 15, abs=1e-9)
    assert not iwae.sigma_better_every_seed and not iwae.sigma_worse_every_seed
    assert psnr.best.key == "sigma-vae" and psnr.best_seeds == 3 and psnr.sigma_ranks == (1, 1, 1)
    assert psnr.best_beta == 0.01 and psnr.differences == pytest.approx((1.0, 1.0, 1.0))
    assert psnr.difference.standard_error == pytest.approx(0.0, abs=1e-9)
    assert psnr.sigma_better_every_seed


def test_the_findings_say_what_holds_in_every_seed_and_what_does_not():
    s = summary()
    sentences = describe_seeds(s, texts("compare.seeds.finding", "en"), texts("compare.col", "en"))
    assert sentences[0] == EN["compare.seeds.finding.best_some"].format(
        metric="IWAE bits/dim", best="σ-VAE", count=2, n=3, ranks="1, 2, 1", rows=4, seeds="0-2"
    )
    assert "-0.033 ± 0.067" in sentences[1] and "(-0.1 to +0.1)" in sentences[1]
    assert "do not tell which" in sentences[1]
    assert "best in each of the 3 seeds" in sentences[2]
    assert "σ-VAE is the better of the two in each of these seeds" in sentences[3]
    french = describe_seeds(
        s, texts("compare.seeds.finding", "fr"), texts("compare.col", "fr"), lang="fr"
    )
    assert "-0,033 ± 0,067" in french[1] and "classé 1; 2; 1 sur 4" in french[0]


def test_one_seed_has_no_standard_error_and_says_so():
    s = summary((1,))
    e = s.rows[0].estimate("iwae_bits_per_dim")
    assert (e.mean, e.standard_error, e.n) == (1.5, None, 1)
    sentences = describe_seeds(s, texts("compare.seeds.finding", "en"), texts("compare.col", "en"))
    assert sentences[0] == EN["compare.seeds.finding.one_seed"].format(seed=1)
    assert "in one seed, with no spread" in sentences[2]
    header, rows = s.formatted(texts("compare.col", "en"))
    assert rows[0][1].text == "1.5"  # the mean alone
    markdown = s.to_markdown(texts("compare.col", "en"), texts("compare.seeds.finding", "en"))
    assert "±" not in markdown.split("\n- ")[0]


@pytest.mark.parametrize(
    ("other", "message"),
    [
        (made_up(1, IWAE[1], epochs=9), "differ in epochs"),
        (replace(made_up(1, IWAE[1]), dataset="other"), "differ in dataset"),
        (made_up(0, IWAE[0]), "each seed must be summarised once"),
    ],
)
def test_mixed_settings_are_refused(other, message):
    with pytest.raises(ConfigError, match=message):
        SeedSummary.from_comparisons([made_up(0, IWAE[0]), other])


def test_the_table_csv_and_json():
    s = summary()
    markdown = s.markdown_table(texts("compare.col", "en"))
    assert "| **1.25 ± 0.029** |" in markdown  # σ-VAE's IWAE: the best mean
    lines = s.to_csv().splitlines()
    assert lines[0] == (
        "model,beta,metric,mean,standard_error,value_seed_0,value_seed_1,value_seed_2,"
        "rank_seed_0,rank_seed_1,rank_seed_2"
    )
    assert lines[4].startswith("σ-VAE,1.0,iwae_bits_per_dim,1.25,") and lines[4].endswith(
        "1.2,1.3,1.25,1,2,1"
    )
    assert lines[-1].endswith(",,,")  # the σ has no ranks
    record = json.loads(json.dumps(s.to_json()))
    assert SeedSummary.from_json(record) == s
    with pytest.raises(ConfigError, match="not a VAE Lab seed summary"):
        SeedSummary.from_json({"format": "vaelab-comparison/1"})
    del record["rows"][0]["values"]
    with pytest.raises(ConfigError, match="incomplete seed summary"):
        SeedSummary.from_json(record)


# -- references --------------------------------------------------------------------------------


def _second_seed(comparison: Comparison) -> Comparison:
    """``comparison`` as if made with seed 1: every number 1 % higher."""
    other = Comparison.from_json(comparison.to_json())
    other.settings = replace(other.settings, seed=1)
    for row in other.rows:
        row.metrics = {k: v * 1.01 if isinstance(v, float) else v for k, v in row.metrics.items()}
    return other


def _reference_with_seeds(tmp_path) -> SeedSummary:
    """A references folder holding mnist-5k's with a summary of seeds 0 and 1."""
    folder = tmp_path / "references" / "mnist-5k"
    shutil.copytree(reference_for("mnist-5k").folder, folder)
    first = reference_for("mnist-5k").comparison
    seeds = SeedSummary.from_comparisons([first, _second_seed(first)])
    (folder / "seeds.json").write_text(json.dumps(seeds.to_json()))
    return seeds


def test_a_reference_exposes_its_seed_summary_and_old_ones_have_none(tmp_path):
    (mnist,) = [r for r in references() if r.folder.name == "mnist-5k"]
    assert mnist.seeds is None and "--seed 0" in mnist.command
    seeds = _reference_with_seeds(tmp_path)
    (reference,) = references(tmp_path / "references")
    assert reference.seeds == seeds
    assert "--seeds 0,1" in reference.command and "--seed " not in reference.command
    record = seeds.to_json()
    record["settings"]["epochs"] = 99
    (reference.folder / "seeds.json").write_text(json.dumps(record))
    with pytest.raises(ConfigError, match="reference mnist-5k: seeds.json is not of the same"):
        references(tmp_path / "references")


# -- the command line --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seeds", "0,0"], "expected 1 to 10 different comma-separated seeds"),
        (["--seeds", ",".join(map(str, range(11)))], "expected 1 to 10 different"),
        (["--seeds", ","], "expected 1 to 10 different"),
        (["--seeds", "0,x"], "--seeds: must be a whole number from 0 to"),
        (["--seeds", "0,1", "--seed", "2"], "--seed and --seeds cannot be used together"),
    ],
)
def test_bad_seeds_are_refused_in_one_line(tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    assert exit_code(["compare", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and err.startswith("error: ") and len(err.splitlines()) == 1


@pytest.mark.slow
def test_compare_seeds_writes_each_seed_then_the_summary_and_reuses_them(
    tmp_path, monkeypatch, capsys, data_root
):
    monkeypatch.chdir(tmp_path)
    args = [
        "compare", "--dataset", "mnist-5k", "--data-dir", str(data_root), "--runs-dir", "runs",
        "--latent", "2", "--hidden", "8", "--epochs", "1", "--betas", "0.01", "--iwae-k", "2",
        "--iwae-images", "20", "--fd-images", "0", "--seeds", "0,1", "--out", "out",
    ]  # fmt: skip
    assert exit_code(args) == 0
    out = capsys.readouterr().out
    assert "seed 0 done" in out and "seed 1 done" in out
    for seed in (0, 1):
        record = json.loads((tmp_path / f"out/seed-{seed}/comparison.json").read_text())
        assert record["settings"]["seed"] == seed
    summary = SeedSummary.from_json(json.loads((tmp_path / "out/seeds.json").read_text()))
    assert summary.seeds == (0, 1) and len(summary.rows) == 4
    assert summary.rows[0].run_ids[0] != summary.rows[0].run_ids[1]
    assert (tmp_path / "out/seeds.md").read_text().startswith("The same comparison with seeds")
    assert (tmp_path / "out/seeds.csv").read_text().startswith("model,beta,metric,mean")
    assert exit_code(args) == 0
    again = capsys.readouterr().out
    assert again.count("reused out/seed-") == 2 and "done in" not in again
    assert SeedSummary.from_json(json.loads((tmp_path / "out/seeds.json").read_text())) == summary


# -- the Compare page --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_page_shows_a_references_seed_summary(env, monkeypatch, tmp_path, lang):
    seeds = _reference_with_seeds(tmp_path)
    monkeypatch.setattr(reference_module, "REFERENCES_DIR", tmp_path / "references")
    strings = {"en": EN, "fr": FR}[lang]
    at = AppTest.from_file(MAIN, default_timeout=TIMEOUT)
    at.session_state["lang"] = lang
    at.run()
    at = at.switch_page("views/compare.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert strings["compare.seeds.header"].format(n=2) in [str(s.value) for s in at.subheader]
    markdown = [str(m.value) for m in at.markdown]
    names = lambda contender: contender_name(contender, lang)  # noqa: E731
    table = seeds.markdown_table(column_labels(lang), names, lang, _BEST_ON_SCREEN)
    assert table in markdown
    sentences = describe_seeds(
        seeds, texts("compare.seeds.finding", lang), column_labels(lang), names, lang
    )
    assert "\n".join(f"- {sentence}" for sentence in sentences) in markdown
    captions = " ".join(str(c.value) for c in at.caption)
    assert (
        strings["compare.reference.seeds"].format(seeds=seed_list((0, 1), lang), seed=0) in captions
    )
    assert strings["compare.reference.one_seed"].format(seed=0) not in captions
    decimal_mark = {"en": ".", "fr": ","}[lang]
    first_cell = table.splitlines()[2].split(" | ")[1]  # the Gaussian VAE's IWAE
    assert "±" in first_cell and decimal_mark in first_cell
    assert ("," if lang == "en" else ".") not in first_cell
