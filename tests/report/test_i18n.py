from datetime import date, datetime

import pandas as pd
import pytest

from cartera.errors import ConfigError
from cartera.report.i18n import (
    LANGUAGES,
    bucket_label,
    check_lang,
    column_label,
    format_date,
    format_integer,
    format_number,
    format_percent,
    message_keys,
    tier_label,
    translate,
)

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"),
    [
        (1234567.891, "en", 2, "1,234,567.89"),
        (1234567.891, "es", 2, "1.234.567,89"),
        (1500.0, "en", 2, "1,500.00"),
        (1500.0, "es", 2, "1.500,00"),
        (999.5, "es", 0, "1.000"),
        (-150.0, "en", 2, "-150.00"),
        (-150.0, "es", 2, "-150,00"),
        (-1234.5, "es", 2, "-1.234,50"),
        (-0.001, "en", 2, "0.00"),
        (0, "en", 0, "0"),
        (12, "es", 1, "12,0"),
    ],
    ids=[
        "en-millions",
        "es-millions",
        "en-four-digits",
        "es-four-digits-grouped",
        "es-rounds-up-into-group",
        "en-negative",
        "es-negative",
        "es-negative-grouped",
        "negative-zero-has-no-sign",
        "zero",
        "es-integer-with-decimal",
    ],
)
def test_format_number(value: float, lang: str, decimals: int, expected: str) -> None:
    assert format_number(value, lang, decimals) == expected


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (0.125, "en", "12.5%"),
        (0.125, "es", f"12,5{NBSP}%"),
        (1.0, "en", "100.0%"),
        (0.0, "es", f"0,0{NBSP}%"),
    ],
    ids=["en", "es", "en-whole", "es-zero"],
)
def test_format_percent(value: float, lang: str, expected: str) -> None:
    assert format_percent(value, lang) == expected


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (date(2025, 12, 31), "en", "Dec 31, 2025"),
        (date(2025, 12, 31), "es", "31 dic 2025"),
        (date(2025, 9, 1), "es", "1 sept 2025"),
        (datetime(2025, 6, 30, 13, 5), "en", "Jun 30, 2025"),
        (pd.Timestamp("2025-06-30"), "es", "30 jun 2025"),
        ("2025-01-05", "en", "Jan 5, 2025"),
    ],
    ids=["en", "es", "es-september", "datetime", "timestamp", "iso-text"],
)
def test_format_date(value: object, lang: str, expected: str) -> None:
    assert format_date(value, lang) == expected


@pytest.mark.parametrize(
    "missing", [None, float("nan"), pd.NA, pd.NaT], ids=["none", "nan", "na", "nat"]
)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_missing_values_give_dash(missing: object, lang: str) -> None:
    assert format_number(missing, lang) == "–"
    assert format_percent(missing, lang) == "–"
    assert format_date(missing, lang) == "–"


def test_integer_groups_thousands() -> None:
    assert format_integer(23570, "en") == "23,570"
    assert format_integer(23570, "es") == "23.570"


@pytest.mark.parametrize(
    ("bucket", "lang", "expected"),
    [
        ("current", "en", "Not yet due"),
        ("current", "es", "No vencido"),
        ("31_60", "en", "31-60 days"),
        ("31_60", "es", "31-60 días"),
        ("over_90", "en", "Over 90 days"),
        ("over_90", "es", "Más de 90 días"),
        ("odd", "en", "odd"),
    ],
    ids=["current-en", "current-es", "range-en", "range-es", "over-en", "over-es", "x"],
)
def test_bucket_label(bucket: str, lang: str, expected: str) -> None:
    assert bucket_label(bucket, lang) == expected


@pytest.mark.parametrize(
    ("column", "lang", "expected"),
    [
        ("open_balance", "en", "Open balance"),
        ("open_balance", "es", "Saldo pendiente"),
        ("aging_1_30", "es", "1-30 días"),
        ("custom_attribute", "es", "custom_attribute"),
    ],
    ids=["known-en", "known-es", "ageing-column", "unknown-kept"],
)
def test_column_label(column: str, lang: str, expected: str) -> None:
    assert column_label(column, lang) == expected


@pytest.mark.parametrize(
    ("tier", "lang", "expected"),
    [(1, "en", "Tier 1"), (2.0, "es", "Nivel 2"), (None, "en", "No tier")],
    ids=["int", "float", "missing"],
)
def test_tier_label(tier: object, lang: str, expected: str) -> None:
    assert tier_label(tier, lang) == expected


def test_languages_have_same_keys() -> None:
    assert message_keys("en") == message_keys("es")


def test_translate_fills_values() -> None:
    assert translate("report.subtitle", "es", as_of="30 jun 2025") == (
        "A fecha de 30 jun 2025"
    )


def test_unknown_language_rejected() -> None:
    with pytest.raises(ConfigError, match="'fr'") as info:
        check_lang("fr")
    assert info.value.hint is not None
    assert "en, es" in info.value.hint
