"""Fixtures of the model tests: the CDNOW 1/10 sample and its summaries."""

from __future__ import annotations

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
