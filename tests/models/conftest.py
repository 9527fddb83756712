"""Fixtures of the model tests: a hand-worked ledger and the AR sample ledger."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

AR_FILE = Path("ar_invoices") / "WA_Fn-UseC_-Accounts-Receivable.csv"


def ledger(
    rows: list[tuple[str, str, str, str, float, str | None, bool]],
) -> pd.DataFrame:
    """Build canonical invoices from ``(id, account, issue, due, amount, paid, disputed)``."""
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


Rows = list[tuple[str, str, str, str, float, str | None, bool]]


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
