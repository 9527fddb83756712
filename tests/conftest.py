"""Shared fixtures. Real-data tests read the public data sets from CARTERA_DATA."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cartera.config import Config, load_config


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Folder of the public data sets, or skip when CARTERA_DATA is unset."""
    value = os.environ.get("CARTERA_DATA")
    if not value:
        pytest.skip("CARTERA_DATA is unset: set it to the folder of public data sets")
    path = Path(value)
    if not path.is_dir():
        pytest.fail(f"CARTERA_DATA={value} is not a folder")
    return path


AR_MAPPING = """\
[input.invoices.columns]
invoice_id = "invoiceNumber"
account_id = "customerID"
issue_date = "InvoiceDate"
due_date = "DueDate"
amount = "InvoiceAmount"
paid_date = "SettledDate"
disputed = "Disputed"

[input.invoices.date_formats]
issue_date = "%m/%d/%Y"
due_date = "%m/%d/%Y"
paid_date = "%m/%d/%Y"
"""


@pytest.fixture
def ar_config(tmp_path: Path) -> Config:
    """Configuration mapping the IBM accounts-receivable sample, as the README does."""
    path = tmp_path / "cartera.toml"
    path.write_text(AR_MAPPING, encoding="utf-8")
    return load_config(path)
