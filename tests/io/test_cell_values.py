"""Parsing amounts and yes/no cells, and detecting the decimal mark."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from cartera.io.values import clean_text, detect_decimal, parse_bools, parse_numbers


@pytest.mark.parametrize(
    ("cell", "decimal", "expected"),
    [
        pytest.param("1200,00", ",", 1200.0, id="comma"),
        pytest.param("-9,1", ",", -9.1, id="comma-negative"),
        pytest.param("1.234,50", ",", 1234.5, id="comma-thousands"),
        pytest.param("1 234,50 €", ",", 1234.5, id="comma-space-euro"),
        pytest.param("1\u00a0234,50", ",", 1234.5, id="comma-nbsp"),
        pytest.param("(1.234,50)", ",", -1234.5, id="comma-parentheses"),
        pytest.param("80,00-", ",", -80.0, id="comma-trailing-minus"),
        pytest.param("1234.50", ".", 1234.5, id="point"),
        pytest.param("$1,234.50", ".", 1234.5, id="point-dollar"),
        pytest.param("-$5.00", ".", -5.0, id="point-minus-dollar"),
        pytest.param("($5.00)", ".", -5.0, id="point-parentheses"),
        pytest.param("EUR 10.5", ".", 10.5, id="iso-code"),
        pytest.param("1'234.5", ".", 1234.5, id="swiss-apostrophe"),
        pytest.param("+7", ".", 7.0, id="plus-sign"),
        pytest.param(".5", ".", 0.5, id="leading-point"),
        pytest.param("1e3", ".", 1000.0, id="exponent"),
        pytest.param("  42  ", ".", 42.0, id="padded"),
    ],
)
def test_number_parsed(cell: str, decimal: str, expected: float) -> None:
    parsed = parse_numbers(pd.Series([cell], dtype="str"), decimal)
    assert parsed.values.iloc[0] == pytest.approx(expected)
    assert not parsed.invalid[0]
    assert not parsed.missing[0]


@pytest.mark.parametrize(
    ("cell", "decimal"),
    [
        pytest.param("ten", ".", id="word"),
        pytest.param("1.2.3", ",", id="bad-grouping"),
        pytest.param("1234.5", ",", id="point-in-comma-file"),
        pytest.param("1,2", ".", id="comma-in-point-file"),
        pytest.param("(-5)", ".", id="two-minus-signs"),
        pytest.param("-", ".", id="dash"),
        pytest.param("€", ".", id="symbol-only"),
        pytest.param("3.03.001.00514", ".", id="code"),
    ],
)
def test_number_invalid(cell: str, decimal: str) -> None:
    parsed = parse_numbers(pd.Series([cell], dtype="str"), decimal)
    assert math.isnan(parsed.values.iloc[0])
    assert parsed.invalid[0]


def test_empty_number_is_missing() -> None:
    parsed = parse_numbers(pd.Series(["", " "], dtype="str"), ".")
    assert parsed.missing.tolist() == [True, True]
    assert parsed.invalid.tolist() == [False, False]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        pytest.param(["1200,00", "-80,00"], ",", id="comma-two-places"),
        pytest.param(["-9,1", "1234,50"], ",", id="comma-short"),
        pytest.param(["1.234,50", "7"], ",", id="comma-with-thousands"),
        pytest.param(["1.234.567"], ",", id="point-groups"),
        pytest.param(["12.5", "3"], ".", id="point"),
        pytest.param(["1,234.50"], ".", id="point-with-thousands"),
        pytest.param(["1,234,567"], ".", id="comma-groups"),
        pytest.param(["1,234", "1.234", "12"], ".", id="unproven"),
        pytest.param(["(1.234,50 €)"], ",", id="decorated"),
    ],
)
def test_decimal_detected(cells: list[str], expected: str) -> None:
    mark, conflict = detect_decimal({"amount": pd.Series(cells, dtype="str")})
    assert mark == expected
    assert conflict is None


def test_decimal_conflict_reported() -> None:
    mark, conflict = detect_decimal(
        {"amount": pd.Series(["1,50", "2,50", "3.75"], dtype="str")}
    )
    assert mark == ","
    assert conflict == (
        "'1,50' in amount has a decimal comma but '3.75' in amount has a decimal point"
    )


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        pytest.param("Yes", True, id="yes"),
        pytest.param("no", False, id="no"),
        pytest.param("Sí", True, id="si-accent"),
        pytest.param("SI", True, id="si"),
        pytest.param("S", True, id="s"),
        pytest.param("N", False, id="n"),
        pytest.param("true", True, id="true"),
        pytest.param("FALSE", False, id="false"),
        pytest.param("1", True, id="one"),
        pytest.param("0", False, id="zero"),
        pytest.param("Y", True, id="y"),
        pytest.param("verdadero", True, id="verdadero"),
    ],
)
def test_bool_parsed(cell: str, expected: bool) -> None:
    parsed = parse_bools(pd.Series([cell], dtype="str"))
    assert bool(parsed.values.iloc[0]) is expected
    assert not parsed.invalid[0]


def test_bool_invalid_and_missing() -> None:
    parsed = parse_bools(pd.Series(["maybe", ""], dtype="str"))
    assert parsed.invalid.tolist() == [True, False]
    assert parsed.missing.tolist() == [False, True]
    # A blank is unknown, not "no".
    assert parsed.values.isna().tolist() == [True, True]
    assert str(parsed.values.dtype) == "boolean"


def test_text_keeps_ids_as_written() -> None:
    parsed = clean_text(pd.Series([" 007 ", "0010", "10", "17850.0", ""], dtype="str"))
    assert parsed.values.tolist()[:4] == ["007", "0010", "10", "17850.0"]
    assert parsed.missing.tolist() == [False, False, False, False, True]
