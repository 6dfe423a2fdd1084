"""The string tables of both languages, and how numbers, counts and durations are written."""

from __future__ import annotations

import string

import pytest

from vaelab.app.i18n import session_default
from vaelab.compare import FINDINGS, TABLE_METRICS
from vaelab.i18n import (
    LANGUAGES,
    STRINGS,
    count,
    decimal,
    decimals,
    duration,
    latex_decimal,
    localize_decimal,
    singular,
    size,
    text,
    texts,
    whole,
)
from vaelab.i18n.strings_en import EN
from vaelab.i18n.strings_fr import FR


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_string_tables_have_the_same_keys_and_placeholders():
    assert set(EN) == set(FR), set(EN) ^ set(FR)
    for key in EN:
        assert EN[key].strip() and FR[key].strip(), key
        assert _fields(EN[key]) == _fields(FR[key]), key
    assert set(STRINGS) == set(LANGUAGES)


def test_text_fills_placeholders_and_falls_back_to_english_then_the_key(monkeypatch):
    assert text("unit.epochs", "fr", n=3) == "3 époques"
    assert text("nav.train", "en") == "Train"
    monkeypatch.setitem(STRINGS, "fr", {})
    assert text("nav.train", "fr") == "Train"
    assert text("no.such.key", "fr") == "no.such.key"


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_the_comparison_has_every_title_and_sentence(lang):
    assert set(texts("compare.col", lang)) == set(TABLE_METRICS)
    assert set(texts("compare.finding", lang)) == set(FINDINGS)


def test_numbers_take_the_decimal_mark_of_the_language():
    assert decimal(0.25, "g", "en") == "0.25"
    assert decimal(0.25, "g", "fr") == "0,25"
    assert decimal(1234.5678, ".4g", "fr") == "1235"
    assert decimal(1e-5, "g", "fr") == "1·10⁻⁵"
    assert decimal(2.5e6, "g", "fr") == "2,5·10⁶"
    assert localize_decimal("7.146", "fr") == "7,146"
    assert latex_decimal(1e-5, "g", "fr") == r"1 \cdot 10^{-5}"
    assert latex_decimal(0.5, "g", "fr") == "0{,}5"
    assert latex_decimal(0.5, "g", "en") == "0.5"
    # French lists separate numbers with semicolons: their decimal mark is the comma.
    assert decimals([0.1, 0.01], "g", "en") == "0.1, 0.01"
    assert decimals([0.1, 0.01], "g", "fr") == "0,1; 0,01"


def test_whole_numbers_set_thousands_apart():
    assert whole(4000) == "4\u202f000"
    assert whole(1234567.4) == "1\u202f234\u202f567"
    assert whole(12) == "12"


def test_counts_agree_with_their_number():
    assert [count(n, "epoch", "en") for n in (0, 1, 2)] == ["0 epochs", "1 epoch", "2 epochs"]
    # French puts zero in the singular.
    assert [count(n, "epoch", "fr") for n in (0, 1, 2)] == ["0 époque", "1 époque", "2 époques"]
    assert not singular(0, "en") and singular(0, "fr")


def test_durations_and_sizes():
    assert duration(0) == "0:00"
    assert duration(59.6) == "1:00"
    assert duration(3725) == "1:02:05"
    assert duration(-3) == "0:00"
    assert size((1, 28, 28)) == "1×28×28"


@pytest.mark.parametrize(
    ("locale", "accept_language", "expected"),
    [
        # Headless Chromium 150 sends en-US on the session's websocket whatever its locale.
        ("fr-FR", "en-US,en;q=0.9", "fr"),
        ("en-GB", "fr-FR,fr;q=0.9", "en"),
        # A locale the app does not speak: the header's best language the app speaks.
        ("de-DE", "de-DE,fr;q=0.8,en;q=0.5", "fr"),
        (None, "fr-CA,fr;q=0.9", "fr"),
        (None, None, "en"),
        ("", "", "en"),
    ],
)
def test_a_session_starts_in_the_browsers_language(locale, accept_language, expected):
    assert session_default(locale, accept_language) == expected
