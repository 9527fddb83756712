import csv
import json
import math
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cartera.errors import InputError
from cartera.report.csv import neutralise_text, write_csv, write_json
from cartera.result import RunResult

from .ledger import CREDIT_BALANCE, FORMULA_NAMES

Build = Callable[[str], RunResult]
TABLES = ("accounts", "worklist", "open_items", "segments", "rejects")
DIALECTS = {"en": (",", ".", "utf-8"), "es": (";", ",", "utf-8-sig")}


def _table(result: RunResult, name: str) -> pd.DataFrame:
    frame = getattr(result, name)
    assert frame is not None
    return frame


def _cells(path: Path, lang: str) -> list[list[str]]:
    sep, _, encoding = DIALECTS[lang]
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.reader(handle, delimiter=sep))


def _is_number(text: str, lang: str) -> bool:
    _, decimal, _ = DIALECTS[lang]
    try:
        float(text.replace(decimal, "."))
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+34 600 000 000", "'+34 600 000 000"),
        ("-150.00", "'-150.00"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Acme = good", "Acme = good"),
        ("", ""),
        (-150.0, -150.0),
        (None, None),
    ],
    ids=[
        "equals",
        "plus",
        "minus-text",
        "at",
        "tab",
        "carriage-return",
        "inner-equals",
        "empty",
        "negative-number",
        "none",
    ],
)
def test_neutralise_text(value: object, expected: object) -> None:
    assert neutralise_text(value) == expected


@pytest.mark.parametrize("lang", ["en", "es"])
def test_injection_case_accounts(make_result: Build, tmp_path: Path, lang: str) -> None:
    path = write_csv(make_result(lang).accounts, tmp_path / "accounts.csv", lang)
    rows = _cells(path, lang)
    header, body = rows[0], rows[1:]
    names = [row[header.index("name")] for row in body]
    for name in FORMULA_NAMES:
        assert "'" + name in names
        assert name not in names

    sep, decimal, encoding = DIALECTS[lang]
    frame = pd.read_csv(path, sep=sep, decimal=decimal, encoding=encoding)
    assert frame["open_balance"].dtype == "float64"
    credit = frame.loc[frame["name"] == "'=1+1", "open_balance"]
    assert credit.tolist() == [CREDIT_BALANCE]


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("table", TABLES)
def test_no_cell_starts_formula(
    make_result: Build, tmp_path: Path, table: str, lang: str
) -> None:
    frame = _table(make_result(lang), table)
    path = write_csv(frame, tmp_path / f"{table}.csv", lang)
    for row in _cells(path, lang):
        for cell in row:
            if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                assert _is_number(cell, lang), f"{table}: {cell!r} is a formula"


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("table", TABLES)
def test_round_trip_keeps_numbers(
    make_result: Build, tmp_path: Path, table: str, lang: str
) -> None:
    frame = _table(make_result(lang), table)
    path = write_csv(frame, tmp_path / f"{table}.csv", lang)
    sep, decimal, encoding = DIALECTS[lang]
    back = pd.read_csv(path, sep=sep, decimal=decimal, encoding=encoding)
    assert list(back.columns) == list(frame.columns)
    for column in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[column]):
            # Money is written to the cent and shares to four places.
            assert back[column].tolist() == pytest.approx(
                frame[column].tolist(), nan_ok=True, abs=0.005
            ), column


def test_floats_rounded_by_kind(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "open_balance": [444.6704183855095],
            "p_late": [0.123456789],
            "priority_score": [12.3456789],
            "expected_days_late": [3.3456789],
            "rank": [1],
        }
    )
    path = write_csv(frame, tmp_path / "accounts.csv", "en")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[1] == "444.67,0.1235,12.35,3.3457,1"


@pytest.mark.parametrize(
    ("minor_units", "line"),
    [(0, "445,12"), (2, "444.67,12.35"), (3, "444.670,12.346")],
    ids=["yen", "cents", "dinar"],
)
def test_money_rounded_to_minor_units(
    tmp_path: Path, minor_units: int, line: str
) -> None:
    frame = pd.DataFrame(
        {"open_balance": [444.6704183855095], "expected_cash": [12.3456789]}
    )
    path = write_csv(frame, tmp_path / "accounts.csv", "en", minor_units)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[1] == line


@pytest.mark.parametrize(
    ("lang", "line"),
    [("en", "100.10,0.00,-5.00,"), ("es", "100,10;0,00;-5,00;")],
    ids=["en", "es"],
)
def test_money_written_with_fixed_decimals(
    tmp_path: Path, lang: str, line: str
) -> None:
    # A ledger shows 100.10 and 0.00, not 100.1 and 0.0; a rounded -0.001 is
    # 0.00, and a negative amount is written as a number, not quoted text.
    frame = pd.DataFrame(
        {
            "open_balance": [100.1],
            "collection_value": [-0.001],
            "unapplied_credit": [-5.0],
            "growth_value": [float("nan")],
        }
    )
    path = write_csv(frame, tmp_path / "accounts.csv", lang)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[1] == line


@pytest.mark.parametrize(
    ("lang", "first_bytes", "header"),
    [
        ("en", b"account_id,", "account_id,name,rank"),
        ("es", b"\xef\xbb\xbfaccount_id;", "account_id;name;rank"),
    ],
    ids=["en-no-bom", "es-bom"],
)
def test_dialect_per_language(
    make_result: Build, tmp_path: Path, lang: str, first_bytes: bytes, header: str
) -> None:
    path = write_csv(make_result(lang).accounts, tmp_path / "a.csv", lang)
    raw = path.read_bytes()
    assert raw.startswith(first_bytes)
    assert raw.decode("utf-8-sig").startswith(header)
    assert "Café Ñandú" in raw.decode("utf-8-sig")


@pytest.mark.parametrize(
    ("lang", "expected"), [("en", "1200.00"), ("es", "1200,00")], ids=["en", "es"]
)
def test_decimal_mark(
    make_result: Build, tmp_path: Path, lang: str, expected: str
) -> None:
    path = write_csv(make_result(lang).open_items, tmp_path / "o.csv", lang)
    rows = _cells(path, lang)
    amounts = [row[rows[0].index("open_amount")] for row in rows[1:]]
    assert amounts[0] == expected


def test_dates_are_iso(make_result: Build, tmp_path: Path) -> None:
    path = write_csv(make_result("es").open_items, tmp_path / "o.csv", "es")
    rows = _cells(path, "es")
    assert rows[1][rows[0].index("due_date")] == "2025-05-01"


def test_decimal_money_written_as_number(tmp_path: Path) -> None:
    frame = pd.DataFrame({"name": ["=1+1"], "amount": [Decimal("-150.00")]})
    path = write_csv(frame, tmp_path / "d.csv", "es")
    assert _cells(path, "es")[1] == ["'=1+1", "-150,00"]


def test_write_csv_unwritable_path(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="cannot write"):
        write_csv(pd.DataFrame({"a": [1]}), blocker / "x.csv")


def test_write_json_plain_values(tmp_path: Path) -> None:
    data = {
        "as_of": date(2025, 6, 30),
        "amount": Decimal("-150.00"),
        "count": np.int64(3),
        "ratio": np.float64(math.nan),
        "values": np.array([1.5, 2.5]),
        "path": Path("ledger.csv"),
        "missing": pd.NA,
        "name": "Café",
    }
    path = write_json(data, tmp_path / "run.json")
    text = path.read_text(encoding="utf-8")
    assert "Café" in text
    assert json.loads(text) == {
        "as_of": "2025-06-30",
        "amount": -150.0,
        "count": 3,
        "ratio": None,
        "values": [1.5, 2.5],
        "path": "ledger.csv",
        "missing": None,
        "name": "Café",
    }
