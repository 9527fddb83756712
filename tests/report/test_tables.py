"""Summary tables checked against the ledger worked by hand in ledger.py."""

from collections.abc import Callable
from decimal import Decimal

import pandas as pd
import pytest

from cartera.report.tables import (
    ageing_summary,
    column_kind,
    plain_frame,
    tier_movement,
    tier_summary,
)
from cartera.result import RunResult

Build = Callable[[str], RunResult]


def test_ageing_summary_hand_worked(make_result: Build) -> None:
    summary = ageing_summary(make_result("en")).set_index("bucket")
    # current: A1's 300.00 not yet due and A2's credit of -150.00. The credit is
    # not a positive amount, so A2 does not count as an account in the bucket.
    expected = {
        "current": (150.00, 1, 1),
        "1_30": (75.25, 1, 1),
        "31_60": (3200.00, 2, 2),
        "61_90": (0.0, 0, 0),
        "over_90": (480.50, 1, 1),
    }
    assert list(summary.index) == list(expected)
    for bucket, (amount, accounts, invoices) in expected.items():
        assert summary.loc[bucket, "open_balance"] == pytest.approx(amount)
        assert summary.loc[bucket, "accounts"] == accounts
        assert summary.loc[bucket, "invoices"] == invoices
    assert summary["share"].sum() == pytest.approx(1.0)
    assert summary.loc["31_60", "share"] == pytest.approx(3200.00 / 3905.75)


def test_tier_summary_hand_worked(make_result: Build) -> None:
    summary = tier_summary(make_result("en").accounts).set_index("tier")
    assert summary["accounts"].tolist() == [1, 2, 3]
    assert summary["open_balance"].tolist() == pytest.approx([1500.0, 2480.5, -74.75])
    assert summary["overdue_balance"].tolist() == pytest.approx([1200.0, 2480.5, 75.25])
    assert summary["share"].tolist() == pytest.approx([1 / 6, 2 / 6, 3 / 6])
    assert summary["clv"].tolist() == pytest.approx([5200.0, 5000.0, 420.0])


def test_tier_summary_keeps_empty_tier() -> None:
    accounts = pd.DataFrame(
        {
            "tier": [1, 3, None],
            "open_balance": [10.0, 5.0, 99.0],
            "overdue_balance": [0.0, 0.0, 0.0],
        }
    )
    summary = tier_summary(accounts)
    assert summary["tier"].tolist() == [1, 2, 3]
    assert summary["accounts"].tolist() == [1, 0, 1]
    assert summary["open_balance"].tolist() == [10.0, 0.0, 5.0]
    assert "clv" not in summary


def test_tier_movement_hand_worked(make_result: Build) -> None:
    table = tier_movement(make_result("en").accounts)
    assert table is not None
    # A1 2->1, A6 2->2, A3 2->2, A5 2->3, A2 3->3, A4 new->3.
    assert list(table.index) == [2, 3, "new"]
    assert table.loc[2].tolist() == [1, 2, 1]
    assert table.loc[3].tolist() == [0, 0, 1]
    assert table.loc["new"].tolist() == [0, 0, 1]


@pytest.mark.parametrize(
    "previous",
    [None, [float("nan")] * 2],
    ids=["no-column", "all-missing"],
)
def test_tier_movement_first_run(previous: list[float] | None) -> None:
    accounts = pd.DataFrame({"tier": [1, 2]})
    if previous is not None:
        accounts["previous_tier"] = previous
    assert tier_movement(accounts) is None


@pytest.mark.parametrize(
    ("name", "values", "expected"),
    [
        ("due_date", pd.Series(pd.to_datetime(["2025-01-01"])), "date"),
        ("p_late", pd.Series([0.2]), "percent"),
        ("share", pd.Series([0.2]), "percent"),
        ("open_balance", pd.Series([1.5]), "money"),
        ("aging_over_90", pd.Series([1.5]), "money"),
        ("potential_spend_low", pd.Series([1.5]), "money"),
        ("expected_cash", pd.Series([1.5]), "money"),
        ("rank", pd.Series([1]), "integer"),
        ("previous_tier", pd.Series([2.0, None]), "integer"),
        ("recency_days", pd.Series([3.0]), "integer"),
        ("priority_score", pd.Series([0.5]), "money"),
        ("expected_overdue_exposure", pd.Series([0.5]), "money"),
        ("expected_days_late", pd.Series([0.5]), "number"),
        ("share_paid_late", pd.Series([0.5]), "percent"),
        ("dispute_rate", pd.Series([0.1]), "percent"),
        ("credit_use", pd.Series([0.9]), "percent"),
        ("n_open", pd.Series([2]), "integer"),
        ("tenure_days", pd.Series([20.0]), "integer"),
        ("unapplied_credit", pd.Series([5.0]), "money"),
        ("credit_limit", pd.Series([5.0]), "money"),
        ("avg_order_value", pd.Series([5.0]), "money"),
        ("expected_spend_low", pd.Series([5.0]), "money"),
        ("expected_purchases", pd.Series([1.5]), "number"),
        ("name", pd.Series(["=1+1"]), "text"),
        ("disputed", pd.Series([True]), "text"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_column_kind(name: str, values: pd.Series, expected: str) -> None:
    assert column_kind(name, values) == expected


def test_plain_frame_converts_decimals_and_lists() -> None:
    frame = pd.DataFrame(
        {
            "amount": [Decimal("-150.00"), Decimal("12.34"), None],
            "reasons": [["a", "b"], [], None],
            "name": ["x", "y", "z"],
        }
    )
    plain = plain_frame(frame)
    assert plain["amount"].dtype == "float64"
    assert plain["amount"].iloc[0] == -150.0
    assert plain["reasons"].tolist()[:2] == ["a; b", ""]
    assert plain["name"].tolist() == ["x", "y", "z"]
    assert frame["amount"].iloc[0] == Decimal("-150.00")
