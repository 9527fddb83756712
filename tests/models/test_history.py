"""Point-in-time history features, checked against a hand-worked ledger."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cartera.models.history import HISTORY_COLUMNS, history_features

# Features of the ledger in conftest.small_ledger as of each invoice's issue
# date, worked by hand. i2 settles on 2024-02-19, the day i4 is issued, so it is
# still open (not history) for i4.
HAND_WORKED = [
    pytest.param(
        "i1",
        {"hist_count": 0, "open_count": 0, "open_amount": 0.0},
        id="first-invoice-has-nothing",
    ),
    pytest.param(
        "i2",
        {
            "hist_count": 0,
            "open_count": 1,
            "open_amount": 100.0,
            "open_overdue_count": 0,
        },
        id="earlier-invoice-is-open-not-overdue",
    ),
    pytest.param(
        "i3",
        {
            "hist_count": 1,
            "hist_share_late": 0.0,
            "hist_mean_days_to_pay": 19.0,
            "hist_days_since_settlement": 12.0,
            "open_count": 1,
            "open_amount": 200.0,
        },
        id="one-settled-on-time",
    ),
    pytest.param(
        "i4",
        {
            "hist_count": 1,
            "open_count": 2,
            "open_amount": 250.0,
            "open_overdue_count": 1,
            "open_overdue_amount": 200.0,
        },
        id="same-day-settlement-is-not-history",
    ),
    pytest.param(
        "i5",
        {
            "hist_count": 2,
            "hist_share_late": 0.5,
            "hist_share_late_amount": 200.0 / 300.0,
            "hist_mean_days_late": 5.0,
            "hist_max_days_late": 10.0,
            "hist_mean_days_to_pay": 29.5,
            "hist_last_days_late": 10.0,
            "hist_recent_days_late": 5.0,
            "hist_share_late_disputed": 1.0,
            "hist_share_late_undisputed": 0.0,
            "hist_days_since_settlement": 20.0,
            "open_count": 2,
            "open_amount": 130.0,
            "open_overdue_count": 1,
            "open_overdue_amount": 50.0,
        },
        id="two-settled-one-late",
    ),
    pytest.param(
        "j1",
        {"hist_count": 0, "open_count": 0},
        id="other-account-is-separate",
    ),
]


@pytest.mark.parametrize(("invoice", "expected"), HAND_WORKED)
def test_history_matches_hand_worked_ledger(
    small_ledger: pd.DataFrame, invoice: str, expected: dict[str, float]
) -> None:
    features = history_features(small_ledger, small_ledger["issue_date"])
    row = features[small_ledger["invoice_id"] == invoice].iloc[0]
    for column, value in expected.items():
        assert row[column] == pytest.approx(value), column


def test_history_open_item_excludes_itself(small_ledger: pd.DataFrame) -> None:
    # i3 is still open on 2024-04-15: i1, i2, i4 and i5 are history, and no
    # other item of the account is open.
    dates = small_ledger["issue_date"].where(
        small_ledger["invoice_id"] != "i3", pd.Timestamp("2024-04-15")
    )
    row = history_features(small_ledger, dates).iloc[2]
    assert row["hist_count"] == 4
    assert row["hist_share_late"] == pytest.approx(0.5)
    assert row["open_count"] == 0
    assert row["open_overdue_amount"] == 0.0


def test_history_columns_in_order(small_ledger: pd.DataFrame) -> None:
    features = history_features(small_ledger, small_ledger["issue_date"])
    assert list(features.columns) == list(HISTORY_COLUMNS)
    assert features.index.equals(small_ledger.index)


def test_history_ignores_row_order(small_ledger: pd.DataFrame) -> None:
    expected = history_features(small_ledger, small_ledger["issue_date"])
    shuffled = small_ledger.sample(frac=1.0, random_state=3)
    actual = history_features(shuffled, shuffled["issue_date"])
    pd.testing.assert_frame_equal(actual.loc[expected.index], expected)


def test_history_unmoved_by_future_settlements(ar_invoices: pd.DataFrame) -> None:
    cut = pd.Timestamp("2013-05-06")
    before = history_features(ar_invoices, ar_invoices["issue_date"])
    future = ar_invoices["paid_date"] >= cut
    rng = np.random.default_rng(7)
    moved = ar_invoices.copy()
    # Settlements on or after the cut move to other days after it, or vanish.
    moved.loc[future, "paid_date"] = cut + pd.to_timedelta(
        rng.integers(0, 200, future.sum()), unit="D"
    )
    moved.loc[future & (rng.random(len(moved)) < 0.3), "paid_date"] = pd.NaT
    after = history_features(moved, moved["issue_date"])
    issued_before = ar_invoices["issue_date"] <= cut
    assert issued_before.sum() > 1000
    pd.testing.assert_frame_equal(after[issued_before], before[issued_before])
