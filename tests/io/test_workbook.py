"""Excel and Parquet files written by the tests, read through read_table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from cartera.config import TableSource
from cartera.errors import InputError
from cartera.io import read_table

MADRID = ZoneInfo("Europe/Madrid")


def write_workbook(path: Path, rows: list[list[object]], title: str = "Sheet") -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_xlsx_with_native_types(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "ledger.xlsx",
        [
            ["Factura", "Cliente", "Fecha", "Vencimiento", "Importe", "Disputa"],
            [
                "0001",
                "007",
                dt.datetime(2025, 11, 20),
                dt.date(2025, 12, 20),
                1200,
                "Sí",
            ],
            [
                "0002",
                "10",
                dt.datetime(2025, 11, 21, 17, 5),
                dt.date(2026, 1, 5),
                -80.5,
                "No",
            ],
            [None, None, None, None, None, None],
            ["0003", "0010", dt.datetime(2025, 11, 22), dt.date(2026, 1, 6), 0.1, True],
        ],
    )
    result = read_table(path, "invoices")
    frame = result.frame
    assert result.detected.delimiter is None
    assert frame["invoice_id"].tolist() == ["0001", "0002", "0003"]
    assert frame["account_id"].tolist() == ["007", "10", "0010"]
    assert frame["amount"].tolist() == [1200.0, -80.5, 0.1]
    assert frame["disputed"].tolist() == [True, False, True]
    assert frame["issue_date"].tolist() == list(
        pd.to_datetime(["2025-11-20", "2025-11-21", "2025-11-22"])
    )
    assert result.rows_read == 3


def test_xlsx_sheet_and_lines(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "book.xlsx",
        [
            [],
            ["account_id", "date", "amount"],
            ["A", "2025-01-02", 5],
            ["B", "not a date", 6],
        ],
        title="Ventas",
    )
    result = read_table(path, "transactions", TableSource(sheet="Ventas"))
    assert result.frame["account_id"].tolist() == ["A"]
    assert result.rejects["line"].tolist() == [4]


def test_xlsx_unknown_sheet(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "book.xlsx", [["a"], ["1"]], title="Datos")
    with pytest.raises(InputError, match=r"no sheet 'Ventas'.*'Datos'"):
        read_table(path, "transactions", TableSource(sheet="Ventas"))


def test_corrupt_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    with pytest.raises(InputError, match="cannot be opened as an Excel workbook"):
        read_table(path, "transactions")


def test_parquet_typed_columns(tmp_path: Path) -> None:
    path = tmp_path / "sales.parquet"
    table = pa.table(
        {
            "customer_id": pa.array(["007", "10", "0010"]),
            "date": pa.array(
                [
                    dt.datetime(2025, 12, 20, 23, 30, tzinfo=MADRID),
                    dt.datetime(2025, 12, 21, 0, 15, tzinfo=MADRID),
                    dt.datetime(2025, 12, 22, 12, 0, tzinfo=MADRID),
                ],
                type=pa.timestamp("us", tz="Europe/Madrid"),
            ),
            "amount": pa.array([10.25, -3.5, 100.0]),
            "units": pa.array([1, 2, 3], type=pa.int64()),
        }
    )
    pq.write_table(table, path)
    result = read_table(path, "transactions")
    frame = result.frame
    assert frame["account_id"].tolist() == ["007", "10", "0010"]
    assert frame["amount"].tolist() == [10.25, -3.5, 100.0]
    # Wall-clock dates in Madrid; 00:15 on the 21st is stored as the 20th in UTC.
    assert frame["date"].tolist() == list(
        pd.to_datetime(["2025-12-20", "2025-12-21", "2025-12-22"])
    )
    assert frame["units"].tolist() == ["1", "2", "3"]


def test_parquet_date32_and_nulls(tmp_path: Path) -> None:
    path = tmp_path / "sales.parquet"
    table = pa.table(
        {
            "account_id": pa.array(["A", None, "C"]),
            "date": pa.array(
                [dt.date(2025, 1, 1), dt.date(2025, 1, 2), dt.date(2025, 1, 3)]
            ),
            "amount": pa.array([1.0, 2.0, None]),
        }
    )
    pq.write_table(table, path)
    result = read_table(path, "transactions")
    assert result.frame["account_id"].tolist() == ["A"]
    assert result.rejects["line"].tolist() == [3, 4]
    assert result.rejects["reason"].tolist() == ["missing account_id", "missing amount"]


def test_parquet_nested_column(tmp_path: Path) -> None:
    path = tmp_path / "nested.parquet"
    table = pa.table(
        {
            "account_id": pa.array(["A"]),
            "tags": pa.array([[1, 2]], type=pa.list_(pa.int64())),
        }
    )
    pq.write_table(table, path)
    with pytest.raises(InputError, match=r"column 'tags'.*cannot be read as text"):
        read_table(path, "transactions")


def test_not_parquet_despite_magic(tmp_path: Path) -> None:
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1" + b"\x00" * 32)
    with pytest.raises(InputError, match="cannot be read as Parquet"):
        read_table(path, "transactions")


@pytest.mark.parametrize(
    ("first", "header"),
    [
        pytest.param([1001, dt.datetime(2025, 1, 2), 1.5, None], False, id="data"),
        pytest.param(["account_id", "date", "amount", None], True, id="names"),
    ],
)
def test_xlsx_header_detected(
    tmp_path: Path, first: list[object], header: bool
) -> None:
    path = write_workbook(
        tmp_path / "book.xlsx",
        [first, [1002, dt.datetime(2025, 1, 3), 2, None]],
    )
    source = TableSource(
        columns={"account_id": "column_1", "date": "column_2", "amount": "column_3"}
        if not header
        else {}
    )
    result = read_table(path, "transactions", source)
    assert result.detected.header is header
    expected = ["1001", "1002"] if not header else ["1002"]
    assert result.frame["account_id"].tolist() == expected


def test_xlsx_repeated_header_names(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "book.xlsx",
        [
            ["account_id", "date", "amount", "note", "note"],
            ["A", "2025-01-02", 1, "x", "y"],
        ],
    )
    frame = read_table(path, "transactions").frame
    assert frame["note"].tolist() == ["x"]
    assert frame["note.1"].tolist() == ["y"]


def test_parquet_repeated_column_names(tmp_path: Path) -> None:
    path = tmp_path / "sales.parquet"
    table = pa.Table.from_arrays(
        [
            pa.array(["A"]),
            pa.array(["2025-01-02"]),
            pa.array([1.0]),
            pa.array(["x"]),
            pa.array(["y"]),
        ],
        names=["account_id", "date", "amount", "note", "note"],
    )
    pq.write_table(table, path)
    frame = read_table(path, "transactions").frame
    assert frame["note.1"].tolist() == ["y"]
