"""Fixtures of the model tests: the CDNOW 1/10 sample, hand-worked and AR ledgers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from cartera.models.summary import purchase_summary

# The calibration and holdout periods of the CDNOW studies: weeks 1-39 and 40-78.
CALIBRATION_END = date(1997, 9, 30)
HOLDOUT_END = date(1998, 6, 30)


@pytest.fixture(scope="session")
def cdnow_transactions(data_dir: Path) -> pd.DataFrame:
    """CDNOW sample transactions: 6,919 rows of 2,357 customers."""
    raw = pd.read_csv(
        data_dir / "cdnow" / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "sample_id", "date", "cds", "dollars"],
        dtype=str,
    )
    return pd.DataFrame(
        {
            "account_id": raw["sample_id"].astype(int).astype(str),
            "date": pd.to_datetime(raw["date"], format="%Y%m%d"),
            "amount": raw["dollars"].astype(float),
        }
    )


@pytest.fixture(scope="session")
def cdnow_summary(cdnow_transactions: pd.DataFrame) -> pd.DataFrame:
    """Weekly summary of the CDNOW sample at the end of week 39."""
    return purchase_summary(cdnow_transactions, CALIBRATION_END, "weeks")


AR_FILE = Path("ar_invoices") / "WA_Fn-UseC_-Accounts-Receivable.csv"


Rows = list[tuple[str, str, str, str, float, str | None, bool]]


def ledger(rows: Rows) -> pd.DataFrame:
    """Build canonical invoices from tuples.

    Each tuple is ``(id, account, issue, due, amount, paid, disputed)``.
    """
    frame = pd.DataFrame(
        rows,
        columns=[
            "invoice_id",
            "account_id",
            "issue_date",
            "due_date",
            "amount",
            "paid_date",
            "disputed",
        ],
    )
    for column in ("issue_date", "due_date", "paid_date"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


@pytest.fixture
def make_ledger() -> Callable[[Rows], pd.DataFrame]:
    """Return the builder of canonical invoices from tuples."""
    return ledger


@pytest.fixture
def small_ledger() -> pd.DataFrame:
    """Two accounts on net-30 terms, worked by hand in the history tests."""
    return ledger(
        [
            ("i1", "A", "2024-01-01", "2024-01-31", 100.0, "2024-01-20", False),
            ("i2", "A", "2024-01-10", "2024-02-09", 200.0, "2024-02-19", True),
            ("i3", "A", "2024-02-01", "2024-03-02", 50.0, None, False),
            ("i4", "A", "2024-02-19", "2024-03-20", 80.0, "2024-03-25", False),
            ("i5", "A", "2024-03-10", "2024-04-09", 120.0, "2024-04-01", False),
            ("j1", "B", "2024-01-05", "2024-02-04", 70.0, "2024-03-01", False),
        ]
    )


@pytest.fixture(scope="session")
def ar_invoices(data_dir: Path) -> pd.DataFrame:
    """The IBM Watson Analytics AR sample ledger as canonical invoices."""
    raw = pd.read_csv(data_dir / AR_FILE, dtype={"invoiceNumber": str})
    dates = {
        column: pd.to_datetime(raw[column], format="%m/%d/%Y")
        for column in ("InvoiceDate", "DueDate", "SettledDate", "PaperlessDate")
    }
    return pd.DataFrame(
        {
            "invoice_id": raw["invoiceNumber"],
            "account_id": raw["customerID"],
            "issue_date": dates["InvoiceDate"],
            "due_date": dates["DueDate"],
            "amount": raw["InvoiceAmount"],
            "paid_date": dates["SettledDate"],
            "disputed": raw["Disputed"].eq("Yes"),
            "PaperlessBill": raw["PaperlessBill"],
            "countryCode": raw["countryCode"],
        }
    )
