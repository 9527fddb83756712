"""Purchase summaries: occasions, returns, units and invalid summaries."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cartera.errors import InputError
from cartera.models.summary import months_to_units, purchase_summary, validate_summary


def ledger(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": [r[0] for r in rows],
            "date": pd.to_datetime([r[1] for r in rows]),
            "amount": [r[2] for r in rows],
        }
    )


# Hand-worked ledgers: (rows, as-of, unit, expected summary of account "A").
CASES = [
    pytest.param(
        [("A", "2024-01-05", 30.0), ("A", "2024-01-05", 20.0)],
        date(2024, 1, 31),
        "days",
        {"frequency": 0, "recency": 0, "T": 26, "monetary_value": 0},
        id="same-day-orders-one-occasion",
    ),
    pytest.param(
        [
            ("A", "2024-01-05", 100.0),
            ("A", "2024-01-20", -100.0),
            ("A", "2024-02-10", 40.0),
            ("A", "2024-03-02", 60.0),
        ],
        date(2024, 3, 31),
        "days",
        {
            "frequency": 2,
            "recency": 57,
            "T": 86,
            "monetary_value": 50,
            "net_revenue": 100,
            "return_rate": 0.5,
        },
        id="return-is-no-occasion",
    ),
    pytest.param(
        [("A", "2024-01-01", 10.0), ("A", "2024-01-15", 10.0)],
        date(2024, 1, 29),
        "weeks",
        {"frequency": 1, "recency": 2, "T": 4, "monetary_value": 10},
        id="weeks",
    ),
    pytest.param(
        [("A", "2024-01-01", 10.0), ("A", "2024-03-01", 99.0)],
        date(2024, 1, 31),
        "days",
        {"frequency": 0, "recency": 0, "T": 30, "net_revenue": 10},
        id="after-as-of-ignored",
    ),
    pytest.param(
        [
            ("A", "2024-01-01", 10.0),
            ("A", "2024-01-08", 10.0),
            ("A", "2024-01-08", -10.0),
        ],
        date(2024, 1, 31),
        "days",
        {"frequency": 0, "recency": 0, "return_rate": 0.5},
        id="order-cancelled-same-day",
    ),
    pytest.param(
        [("A", "2024-01-01", 0.0), ("A", "2024-01-11", 25.0)],
        date(2024, 1, 31),
        "days",
        {"frequency": 1, "recency": 10, "T": 30, "monetary_value": 25},
        id="free-goods-order-is-occasion",
    ),
]


@pytest.mark.parametrize(("rows", "as_of", "unit", "expected"), CASES)
def test_summary_of_hand_worked_ledger(
    rows: list[tuple[str, str, float]],
    as_of: date,
    unit: str,
    expected: dict[str, float],
) -> None:
    summary = purchase_summary(ledger(rows), as_of, unit)  # type: ignore[arg-type]
    account = summary.loc["A"]
    for column, value in expected.items():
        assert account[column] == pytest.approx(value), column


def test_returns_only_account_left_out() -> None:
    rows = [("A", "2024-01-01", 10.0), ("B", "2024-01-02", -5.0)]
    summary = purchase_summary(ledger(rows), date(2024, 1, 31))
    assert list(summary.index) == ["A"]


def test_missing_column_is_named() -> None:
    frame = ledger([("A", "2024-01-01", 10.0)]).drop(columns="amount")
    with pytest.raises(InputError, match="column amount is missing"):
        purchase_summary(frame, date(2024, 1, 31))


def test_missing_date_names_row() -> None:
    frame = ledger([("A", "2024-01-01", 10.0), ("B", "2024-01-02", 5.0)])
    frame.loc[1, "date"] = pd.NaT
    with pytest.raises(InputError, match="date is missing a value in row 1"):
        purchase_summary(frame, date(2024, 1, 31))


@pytest.mark.parametrize(
    ("frequency", "recency", "T", "problem"),
    [
        pytest.param(2.0, 12.0, 10.0, "recency greater than T", id="recency-over-T"),
        pytest.param(-1.0, 0.0, 10.0, "negative value", id="negative-frequency"),
        pytest.param(1.0, 2.0, np.nan, "missing or infinite", id="missing-T"),
        pytest.param(1.5, 2.0, 10.0, "not a whole number", id="fractional-frequency"),
        pytest.param(0.0, 2.0, 10.0, "no repeat purchase", id="recency-without-repeat"),
    ],
)
def test_invalid_summary_names_accounts(
    frequency: float, recency: float, T: float, problem: str
) -> None:
    summary = pd.DataFrame(
        {"frequency": [1.0, frequency], "recency": [1.0, recency], "T": [5.0, T]},
        index=pd.Index(["good", "acme-7"], name="account_id"),
    )
    with pytest.raises(InputError, match=f"account acme-7 has.*{problem}"):
        validate_summary(summary)


def test_twelve_months_in_weeks() -> None:
    assert months_to_units(12, "weeks") == pytest.approx(52.18, abs=0.005)
    assert months_to_units(12, "days") == pytest.approx(365.25)


@pytest.mark.realdata
def test_cdnow_summary_matches_published_summary(
    data_dir: Path, cdnow_summary: pd.DataFrame
) -> None:
    """Same-day purchases count once, as in the published CDNOW summaries.

    Source: the x, t_x, T, zbar table of the 2,357 sample customers
    distributed with the CDNOW data (weeks, 39-week calibration, two decimals).
    """
    published = pd.read_csv(
        data_dir / "cdnow" / "cdnow_customers_summary_with_transactions.csv"
    )
    published.index = published["ID"].astype(str)
    ours = cdnow_summary.reindex(published.index)

    assert len(cdnow_summary) == 2357
    assert (ours["frequency"] == published["x"]).all()
    np.testing.assert_allclose(ours["recency"], published["t_x"], atol=0.005)
    np.testing.assert_allclose(ours["T"], published["T"], atol=0.005)
    np.testing.assert_allclose(ours["monetary_value"], published["zbar"], atol=0.006)
