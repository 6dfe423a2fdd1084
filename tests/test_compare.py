"""The σ-VAE paper's comparison: its rows, the sweep (cache, progress, stop) and the report."""

import csv
import io
import math
from datetime import datetime

import pytest
import torch

from vaelab.compare import (
    CompareSettings,
    Comparison,
    Contender,
    Row,
    contenders,
    describe,
    run_comparison,
)
from vaelab.compare import sweep as sweep_module
from vaelab.errors import ConfigError
from vaelab.explore.plots import sample_rows
from vaelab.i18n import texts, whole
from vaelab.runs import RunStore
from vaelab.training.control import TrainingControl

TINY = dict(
    latent_dim=2,
    hidden=(8,),
    epochs=1,
    batch_size=32,
    betas=(1e-1, 1e-3),
    iwae_k=4,
    iwae_images=8,
    fd_images=16,
    samples=3,
)
#: The metric columns' English titles, as the command line writes the table.
ENGLISH_COLUMNS = texts("compare.col", "en")


def test_the_rows_are_those_of_the_paper():
    rows = contenders()
    assert [r.label for r in rows] == [
        "Gaussian VAE",
        "MSE VAE",
        "β-VAE, β = 0.1",
        "β-VAE, β = 0.01",
        "β-VAE, β = 0.001",
        "β-VAE, β = 0.0001",
        "β-VAE, β = 1e-05",
        "σ-VAE",
    ]
    # The paper's Gaussian VAE has σ = 1 (its code's gaussian_vae); the MSE VAE σ² = ½.
    assert (rows[0].variant, rows[0].likelihood, rows[0].beta) == ("vae", "gaussian-unit", 1.0)
    assert (rows[1].variant, rows[1].likelihood, rows[1].beta) == ("vae", "mse", 1.0)
    assert {(r.variant, r.likelihood) for r in rows[2:-1]} == {("beta-vae", "mse")}
    assert [r.kind for r in rows] == ["gaussian-vae", "mse-vae", *["beta-vae"] * 5, "sigma-vae"]
    assert (rows[-1].variant, rows[-1].likelihood, rows[-1].scale, rows[-1].beta) == (
        "sigma-vae",
        "gaussian",
        "optimal",
        1.0,
    )
    assert len({r.key for r in rows}) == len(rows)


@pytest.mark.parametrize(
    ("betas", "message"),
    [((), "at least one β"), ((0.1, 0.1), "once"), ((20.0,), "from 1e-05 to 10")],
)
def test_bad_betas_are_refused_in_one_line(betas, message):
    with pytest.raises(ConfigError, match=message):
        CompareSettings(betas=betas)


def test_settings_check_their_counts():
    with pytest.raises(ConfigError, match="samples must be a whole number from 1 to 32"):
        CompareSettings(samples=0)


@pytest.mark.slow
def test_sweep_trains_measures_then_reuses_the_cache(tiny_data, tmp_path, monkeypatch):
    store = RunStore(tmp_path / "runs")
    settings = CompareSettings(**TINY)
    seen = []
    first = run_comparison(
        tiny_data,
        store,
        settings,
        device="cpu",
        progress=seen.append,
        classifier_dir=tmp_path / "classifiers",
    )
    assert not first.stopped
    assert [r.status for r in first.rows] == ["trained"] * 5
    assert all(r.epochs == 1 and r.samples.shape == (3, 1, 12, 12) for r in first.rows)
    assert all(r.samples.dtype == torch.uint8 for r in first.rows)
    assert first.rows[-1].metrics["likelihood"] == "gaussian"
    assert first.rows[0].value("fd_classifier_features") is not None
    # The FD's classifier is the same for every row, and the comparison says when it ended.
    classifier = first.fd_classifier()
    assert 0 < classifier.test_accuracy <= 1 and classifier.samples == 16
    assert datetime.fromisoformat(first.finished).tzinfo is not None
    # Metrics are saved with their run.
    assert store.load(first.rows[1].run_id).metrics["iwae_k"] == 4
    overall = [p.overall for p in seen]
    assert overall == sorted(overall) and overall[-1] == 1.0
    assert [p.index for p in seen if p.phase == "done"] == [0, 1, 2, 3, 4]
    assert {p.phase for p in seen} == {"classifier", "train", "evaluate", "done"}

    def must_not_run(*args, **kwargs):
        raise AssertionError("cached metrics should have been reused")

    monkeypatch.setattr(sweep_module, "evaluate", must_not_run)
    again = run_comparison(
        tiny_data, store, settings, device="cpu", classifier_dir=tmp_path / "classifiers"
    )
    assert [r.status for r in again.rows] == ["cached"] * 5
    for old, new in zip(first.rows, again.rows, strict=True):
        assert old.metrics == new.metrics
        assert torch.equal(old.samples, new.samples)  # the same latent codes and weights


@pytest.mark.slow
def test_stop_keeps_what_is_done_and_the_next_call_continues(tiny_data, tmp_path):
    store = RunStore(tmp_path / "runs")
    settings = CompareSettings(**{**TINY, "fd_images": 0})
    control = TrainingControl()

    def stop_in_third_row(progress):
        if progress.index == 2 and progress.phase == "train" and progress.fraction > 0:
            control.stop()

    stopped = run_comparison(
        tiny_data, store, settings, device="cpu", progress=stop_in_third_row, control=control
    )
    assert stopped.stopped
    assert [r.status for r in stopped.rows] == [
        "trained",
        "trained",
        "stopped",
        "pending",
        "pending",
    ]
    assert stopped.rows[3].samples is None and not stopped.rows[3].metrics
    assert store.load(stopped.rows[2].run_id).status == "stopped"

    resumed = run_comparison(tiny_data, store, settings, device="cpu")
    assert [r.status for r in resumed.rows] == ["cached", "cached", "trained", "trained", "trained"]
    assert not resumed.stopped and all(r.metrics for r in resumed.rows)


def test_stop_during_a_measure_stops_the_sweep(tiny_data, tmp_path):
    control = TrainingControl()

    def stop_while_measuring(progress):
        if progress.phase == "evaluate":
            control.stop()

    result = run_comparison(
        tiny_data,
        RunStore(tmp_path / "runs"),
        CompareSettings(**{**TINY, "fd_images": 0}),
        device="cpu",
        progress=stop_while_measuring,
        control=control,
    )
    assert result.stopped
    assert result.rows[0].status == "trained" and result.rows[0].samples is None
    assert all(r.status == "pending" for r in result.rows[1:])


def made_up(values: dict[str, list]) -> Comparison:
    """A comparison whose rows (Gaussian VAE, β 0.1, β 0.01, σ-VAE) have the given metrics."""
    kept = [c for c in contenders((0.1, 0.01)) if c.key != "mse-vae"]
    rows = [Row(c, f"run-{i}", "trained", 5) for i, c in enumerate(kept)]
    for i, row in enumerate(rows):
        row.metrics = {k: v[i] for k, v in values.items()}
    return Comparison("digits", CompareSettings(betas=(0.1, 0.01)), rows)


def test_best_follows_each_metrics_direction_and_ties_go_first():
    c = made_up(
        {
            "iwae_bits_per_dim": [1.5, 1.2, 1.2, 1.3],
            "recon_psnr_db": [10.0, 20.0, 21.0, None],
            "active_units": [1, 2, 3, 4],
        }
    )
    assert c.best("iwae_bits_per_dim") == 1  # lower is better; the tie goes first
    assert c.best("recon_psnr_db") == 2  # higher is better; a missing value is skipped
    assert c.best("active_units") is None  # no direction
    assert c.columns() == ["iwae_bits_per_dim", "recon_psnr_db", "active_units"]


def test_findings_state_ranks_and_the_beta_that_sigma_amounts_to():
    c = made_up(
        {
            "iwae_bits_per_dim": [1.5, 1.3, 1.4, 1.2],
            "recon_psnr_db": [10.0, 20.0, 21.0, 19.0],
            "fd_classifier_features": [5.0, 9.0, 8.0, 7.0],
            "elbo_scale": [None, None, None, 0.1],
        }
    )
    finding = c.findings()
    likelihood, psnr, fd = finding.rankings
    assert (likelihood.best.key, likelihood.sigma_rank, likelihood.rows) == ("sigma-vae", 1, 4)
    assert (likelihood.best_beta, likelihood.best_beta_value) == (0.1, 1.3)
    assert (psnr.best.beta, psnr.sigma_rank) == (0.01, 3)
    assert (fd.best.key, fd.sigma_rank) == ("gaussian-vae", 2)
    assert not fd.sigma_beats_gaussian and likelihood.sigma_beats_gaussian
    assert finding.implied_beta == pytest.approx(0.02)
    assert finding.paired is None  # no per-image values
    templates, labels = texts("compare.finding", "en"), texts("compare.col", "en")
    text = describe(finding, templates, labels)
    assert text[0] == "On IWAE bits/dim, the best model is the σ-VAE; the σ-VAE ranks 1 of 4."
    assert "scores 1.2 against 1.3 for the best β-VAE (β = 0.1)" in text[3]
    assert "one β-VAE per β tried: 0.1, 0.01." in text[3]
    assert "β = 2σ² = 0.02" in text[-4]
    # Both rest on the reconstruction error: said whenever both are ranked.
    assert text[-3] == (
        "The IWAE bits/dim and the PSNR (dB) are not independent evidence: the decoder's σ is "
        "fitted to the reconstruction error, so both follow from it."
    )
    french = describe(finding, templates, labels, lambda c: c.key.upper(), lang="fr")
    assert "SIGMA-VAE" in french[0]
    assert "scores 1,2 against 1,3" in french[3] and "tried: 0,1; 0,01." in french[3]
    assert "= 0,02." in french[-4]
    # σ = 1, the squared error and the optimal σ ranked on one σ fitted after training.
    assert "fitted on the training set after training" in text[-2]
    # Rows measured before the classifier's accuracy was kept: the FD sentence says "–".
    assert text[-1] == (
        "The FD (classifier features) is measured in the features of a classifier with – test "
        "accuracy, on – samples and as many test images."
    )


@pytest.mark.parametrize(
    ("accuracy", "weak", "words"),
    [(0.942, False, "94.2 % test accuracy"), (0.43, True, "only 43.0 % test accuracy")],
)
def test_the_fd_comes_with_its_classifiers_accuracy_and_samples(accuracy, weak, words):
    """FD in the features of a 43 % classifier (the CIFAR sample) ranks little: said so."""
    c = made_up(
        {
            "iwae_bits_per_dim": [1.5, 1.3, 1.4, 1.2],
            "fd_classifier_features": [5.0, 9.0, 8.0, 7.0],
            "classifier_test_accuracy": [accuracy] * 4,
            "fd_images": [1000, 1000, 2000, 1000],
        }
    )
    classifier = c.fd_classifier()
    assert (classifier.test_accuracy, classifier.samples, classifier.weak) == (accuracy, 1000, weak)
    sentence = describe(c.findings(), texts("compare.finding", "en"), ENGLISH_COLUMNS)[-1]
    assert words in sentence and f"on {whole(1000)} samples" in sentence
    assert ("ranks the models little" in sentence) == weak
    # The table's FD column says it too, in each language's decimal mark; the JSON keeps it.
    note = texts("compare.finding", "fr")["fd_column"]
    header, _ = c.formatted(texts("compare.col", "fr"), lang="fr", fd_note=note)
    percent = f"{100 * accuracy:.1f}".replace(".", ",")
    title = "FD (caractéristiques du classifieur) ↓"
    assert header[3] == f"{title} (classifieur {percent} %, {whole(1000)} échantillons)"
    again = Comparison.from_json(c.to_json())
    assert again.fd_classifier() == classifier
    markdown = c.to_markdown(ENGLISH_COLUMNS, texts("compare.finding", "en"))
    assert f"↓ (classifier {100 * accuracy:.1f} %, {whole(1000)} samples) |" in markdown


def test_a_comparison_without_an_fd_has_no_classifier_sentence():
    c = made_up({"iwae_bits_per_dim": [1.5, 1.3, 1.4, 1.2], "elbo_scale": [None, None, None, 0.1]})
    assert c.fd_classifier() is None and c.findings().classifier is None
    assert "classifier" not in " ".join(
        describe(c.findings(), texts("compare.finding", "en"), ENGLISH_COLUMNS)
    )


def test_the_paired_difference_has_the_standard_error_of_the_differences():
    """Same images: the spread between images cancels in σ-VAE − best β, not in either mean."""
    sigma = [2.0, 3.0, 4.0, 5.0, 6.0]
    best_beta = [2.1, 3.1, 4.3, 5.1, 6.2]  # differences −0.1, −0.1, −0.3, −0.1, −0.2
    c = made_up(
        {
            "iwae_bits_per_dim": [5.0, sum(best_beta) / 5, 4.9, sum(sigma) / 5],
            "iwae_bits_per_dim_per_image": [[9.0] * 5, best_beta, [7.0] * 5, sigma],
            "recon_psnr_db": [10.0, 20.0, 21.0, 19.0],
        }
    )
    paired = c.findings().paired
    differences = [a - b for a, b in zip(sigma, best_beta, strict=True)]
    mean = sum(differences) / 5
    se = math.sqrt(sum((d - mean) ** 2 for d in differences) / 4 / 5)
    assert (paired.metric, paired.images) == ("iwae_bits_per_dim", 5)
    assert paired.difference == pytest.approx(-0.16)
    assert paired.standard_error == pytest.approx(se)  # 0.04, where each mean's is 0.7
    text = describe(c.findings(), texts("compare.finding", "en"), ENGLISH_COLUMNS)
    assert text[3] == (
        "On the same 5 test images, image by image, the σ-VAE minus the best β-VAE is -0.16 "
        "IWAE bits/dim, with a standard error of 0.04."
    )
    # Rows measured on more images are paired over the first images both have.
    c.rows[1].metrics["iwae_bits_per_dim_per_image"] = [*best_beta, 1.0, 1.0]
    assert c.findings().paired.images == 5
    assert c.findings().paired.difference == pytest.approx(-0.16)


def test_the_findings_rest_on_the_discrete_likelihood():
    """The continuous density's numbers (not comparable with papers) are never ranked."""
    c = made_up(
        {
            "calibrated_neg_elbo": [50.0, 40.0, 45.0, 30.0],
            "iwae_nll_calibrated": [49.0, 39.0, 44.0, 29.0],
            "recon_psnr_db": [10.0, 20.0, 21.0, 19.0],
        }
    )
    assert c.findings() is None
    assert "calibrated_neg_elbo" not in c.columns()
    c.rows[0].metrics["elbo_bits_per_dim"] = 1.0
    for row in c.rows[1:]:
        row.metrics["elbo_bits_per_dim"] = 2.0
    assert c.findings().rankings[0].metric == "elbo_bits_per_dim"
    assert c.columns()[0] == "elbo_bits_per_dim"


def test_no_findings_until_the_three_kinds_of_model_are_measured():
    c = made_up({"iwae_bits_per_dim": [1.5, 1.3, 1.4, 1.2]})
    c.rows[-1].metrics = {}
    assert c.findings() is None


def test_exports_mark_the_best_and_keep_missing_values_empty():
    c = made_up({"elbo_bits_per_dim": [1.5, 1.3, 1.4, 1.2], "recon_psnr_db": [10.0, 20.0, None, 9]})
    table = list(csv.DictReader(io.StringIO(c.to_csv())))
    assert [r["model"] for r in table] == [r.contender.label for r in c.rows]
    assert table[2]["recon_psnr_db"] == "" and float(table[3]["elbo_bits_per_dim"]) == 1.2
    markdown = c.to_markdown(ENGLISH_COLUMNS, texts("compare.finding", "en"))
    assert "| σ-VAE | 5 | **1.2** | 9 |" in markdown
    assert "| β-VAE, β = 0.1 | 5 | 1.3 | **20** |" in markdown
    assert "ELBO bits/dim ↓" in markdown and "PSNR (dB) ↑" in markdown
    french = c.markdown_table(ENGLISH_COLUMNS, lang="fr", best="=={}==")
    assert "| σ-VAE | 5 | ==1,2== | 9 |" in french
    assert c.to_json()["rows"][3]["metrics"]["elbo_bits_per_dim"] == 1.2


def test_the_figure_has_one_labelled_row_per_model():
    samples = torch.randint(0, 256, (4, 1, 12, 12), dtype=torch.uint8)
    figure = sample_rows([("Gaussian VAE", samples), ("σ-VAE", samples)])
    assert [ax.get_ylabel() for ax in figure.axes] == ["Gaussian VAE", "σ-VAE"]
    strip = figure.axes[0].images[0].get_array()
    # Four 12-pixel images side by side, 2-pixel gaps, each pixel drawn 5×5 (about 56 wide).
    assert strip.shape[:2] == (5 * (2 + 12 + 2), 5 * (2 + 4 * (12 + 2)))


def test_contender_labels_name_the_beta():
    assert Contender("x", "beta-vae", "mse", beta=1e-5).label == "β-VAE, β = 1e-05"


def test_the_json_record_reads_back_and_bad_records_are_refused():
    import json

    c = made_up({"elbo_bits_per_dim": [1.5, 1.3, 1.4, 1.2], "elbo_scale": [0, 0, 0, 0.1]})
    again = Comparison.from_json(json.loads(json.dumps(c.to_json())))
    findings = texts("compare.finding", "en")
    markdown = again.to_markdown(ENGLISH_COLUMNS, findings)
    assert markdown == c.to_markdown(ENGLISH_COLUMNS, findings)
    assert "| model | epochs | ELBO bits/dim ↓ |" in markdown  # untitled columns show their id
    assert again.rows[3].contender == c.rows[3].contender and again.settings == c.settings
    with pytest.raises(ConfigError, match="not a VAE Lab comparison"):
        Comparison.from_json({"format": "other"})
    with pytest.raises(ConfigError, match="incomplete comparison record"):
        Comparison.from_json({**c.to_json(), "rows": [{"key": "x"}]})


def test_findings_say_when_the_iwae_bound_has_not_converged_and_sigma_is_post_hoc():
    c = made_up(
        {
            "iwae_bits_per_dim": [1.5, 1.3, 1.4, 1.2],
            "iwae_bits_per_dim_by_k": [
                {"1": 1.9, "10": 1.6, "100": 1.5},  # still falls by 0.1 bits/dim
                {"1": 1.4, "10": 1.305, "100": 1.3},
                {"1": 1.5, "10": 1.409, "100": 1.4},
                {"1": 1.3, "10": 1.2, "100": 1.2},
            ],
        }
    )
    finding = c.findings()
    assert finding.post_hoc  # σ = 1, mse and the optimal σ on one fitted decoder
    convergence = finding.convergence
    assert (convergence.k_low, convergence.k_high) == (10, 100)
    assert [(contender.key, round(move, 6)) for contender, move in convergence.moves] == [
        ("gaussian-vae", 0.1)
    ]
    text = describe(finding, texts("compare.finding", "en"), texts("compare.col", "en"))
    assert any("has not converged" in s and "Gaussian VAE (0.1)" in s for s in text)
    assert any("fitted on the training set after training" in s for s in text)
    for row in c.rows:
        row.metrics["iwae_bits_per_dim_by_k"] = {"10": 1.0, "100": 1.0}
    text = describe(
        c.findings(), texts("compare.finding", "fr"), texts("compare.col", "fr"), lang="fr"
    )
    assert any("bouge de moins de 0,01 bit/dim de k = 10 à k = 100" in s for s in text)
