"""read_table on the public data sets; totals are recomputed with the csv module."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from cartera.config import TableSource
from cartera.io import read_table

pytestmark = pytest.mark.realdata


def csv_rows(path: Path, **options: str) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, **options))  # type: ignore[arg-type]


def test_ar_invoices_without_config(data_dir: Path) -> None:
    path = data_dir / "ar_invoices" / "WA_Fn-UseC_-Accounts-Receivable.csv"
    result = read_table(path, "invoices")
    rows = csv_rows(path)

    assert result.detected.mapping == {
        "invoice_id": "invoiceNumber",
        "account_id": "customerID",
        "issue_date": "InvoiceDate",
        "due_date": "DueDate",
        "amount": "InvoiceAmount",
        "paid_date": "SettledDate",
        "disputed": "Disputed",
    }
    assert result.detected.date_formats == {
        "issue_date": "%m/%d/%Y",
        "due_date": "%m/%d/%Y",
        "paid_date": "%m/%d/%Y",
    }
    assert len(result.frame) == 2466
    assert result.rows_read == len(result.frame) + len(result.rejects)
    assert result.rejects.empty
    assert result.frame["invoice_id"].iloc[0] == "0000611365"
    assert result.frame["invoice_id"].str.len().eq(10).all()
    assert int(result.frame["disputed"].sum()) == 561
    expected = sum(Decimal(r["InvoiceAmount"]) for r in rows)
    assert round(Decimal(str(result.frame["amount"].sum())), 2) == expected
    assert "PaperlessDate" in result.frame.columns
    assert result.detected.header is True


def test_cdnow_master(data_dir: Path) -> None:
    result = read_table(data_dir / "cdnow" / "CDNOW_master.txt", "transactions")
    assert result.detected.delimiter == " "
    assert result.detected.header is True
    assert len(result.frame) == 69659
    assert result.rows_read == len(result.frame) + len(result.rejects)
    assert round(result.frame["amount"].sum(), 2) == 2500315.63
    assert result.frame["account_id"].iloc[0] == "00001"
    assert result.frame["date"].min().isoformat() == "1997-01-01T00:00:00"
    assert result.frame["date"].max().isoformat() == "1998-06-30T00:00:00"


@pytest.mark.parametrize(
    "header",
    [pytest.param(False, id="set"), pytest.param(None, id="detected")],
)
def test_cdnow_sample_without_header(data_dir: Path, header: bool | None) -> None:
    source = TableSource(
        header=header,
        columns={"account_id": "column_2", "date": "column_3", "amount": "column_5"},
    )
    result = read_table(data_dir / "cdnow" / "CDNOW_sample.txt", "transactions", source)
    assert result.detected.header is False
    assert len(result.frame) == 6919
    assert result.rows_read == len(result.frame) + len(result.rejects)
    assert result.frame["account_id"].nunique() == 2357
    assert result.frame["account_id"].iloc[0] == "0001"
    assert result.detected.date_formats == {"date": "%Y%m%d"}
    assert list(result.frame.columns[-2:]) == ["column_1", "column_4"]


def test_online_retail_line_totals(data_dir: Path) -> None:
    path = data_dir / "online_retail" / "online_retail_sample_customers_mod10.csv"
    source = TableSource(columns={"amount": "Quantity * UnitPrice"})
    result = read_table(path, "transactions", source)
    rows = csv_rows(path)

    assert len(result.frame) == 36378
    assert result.rows_read == len(result.frame) + len(result.rejects)
    assert result.detected.mapping["account_id"] == "CustomerID"
    assert result.frame["account_id"].iloc[0] == "17850.0"
    assert result.frame["account_id"].nunique() == 445
    expected = sum(
        (Decimal(r["Quantity"]) * Decimal(r["UnitPrice"])).quantize(Decimal("0.01"))
        for r in rows
    )
    assert round(Decimal(str(result.frame["amount"].sum())), 2) == expected


def test_online_retail_suggests_line_total(data_dir: Path) -> None:
    path = data_dir / "online_retail" / "online_retail_sample_customers_mod10.csv"
    result = read_table(path, "transactions")
    assert result.detected.mapping["amount"] == "Quantity * UnitPrice"
    assert result.detected.mapping["date"] == "InvoiceDate"


def test_leads(data_dir: Path) -> None:
    result = read_table(data_dir / "leads_x_education" / "Leads.csv", "leads")
    assert len(result.frame) == 9240
    assert result.rows_read == len(result.frame) + len(result.rejects)
    assert result.detected.mapping == {
        "lead_id": "Prospect ID",
        "converted": "Converted",
    }
    assert int(result.frame["converted"].sum()) == 3561
    assert result.frame["lead_id"].is_unique
