"""Per-account features (cartera.features.accounts).

Expected values are worked by hand from the ledgers written in each test.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from cartera.config import Config
from cartera.features import compute_features

AS_OF = date(2025, 6, 30)


def invoice(invoice_id, amount, issue, due, account="A", **extra) -> dict:
    return {
        "invoice_id": invoice_id,
        "account_id": account,
        "issue_date": issue,
        "due_date": due,
        "amount": amount,
        **extra,
    }


def features_by_account(ws, as_of=AS_OF) -> pd.DataFrame:
    return compute_features(ws, as_of, Config()).accounts.set_index("account_id")


def test_lateness_counts_open_overdue(load_ledger):
    # Hand-worked ledger as of 2025-06-30: I1 paid 5 days late, I2 paid early,
    # I3 open and 20 days past due, I4 open and not yet due (left out).
    ws = load_ledger(
        invoices=[
            invoice("I1", 100.0, "2025-03-01", "2025-03-31", paid_date="2025-04-05"),
            invoice("I2", 100.0, "2025-04-01", "2025-05-01", paid_date="2025-04-20"),
            invoice("I3", 100.0, "2025-05-10", "2025-06-10", paid_date=None),
            invoice("I4", 100.0, "2025-06-20", "2025-07-20", paid_date=None),
        ]
    )
    row = features_by_account(ws).loc["A"]

    assert row["mean_days_late"] == pytest.approx((5 + 0 + 20) / 3)
    assert row["share_paid_late"] == pytest.approx(2 / 3)
    assert row["n_invoices"] == 4
    assert row["n_open"] == 2


def test_dso_uses_last_90_days(load_ledger):
    # Open 300.00; credit sales issued 2025-04-02 .. 2025-06-30 are 200 + 400;
    # the 1000.00 of 2025-03-01 is outside the window. DSO = 300 / 600 * 90 = 45.
    ws = load_ledger(
        invoices=[
            invoice("I0", 1000.0, "2025-03-01", "2025-03-31", paid_date="2025-03-30"),
            invoice("I1", 200.0, "2025-04-02", "2025-05-02", paid_date="2025-05-01"),
            invoice("I2", 400.0, "2025-06-01", "2025-07-01", paid_date=None),
        ],
        payments=[
            {
                "payment_id": "P1",
                "account_id": "A",
                "payment_date": "2025-06-15",
                "amount": 100.0,
                "invoice_id": "I2",
            }
        ],
    )
    row = features_by_account(ws).loc["A"]

    assert row["open_balance"] == 300.0
    assert row["dso"] == pytest.approx(45.0)


def test_dso_null_without_recent_sales(load_ledger):
    ws = load_ledger(invoices=[invoice("I1", 50.0, "2025-01-02", "2025-02-01")])
    row = features_by_account(ws).loc["A"]

    assert row["open_balance"] == 50.0
    assert pd.isna(row["dso"])


@pytest.mark.parametrize(
    ("flags", "rate"),
    [([True, False, False, False], 0.25), (["Yes", "No", "No", "Yes"], 0.5)],
    ids=["bool", "yes-no-text"],
)
def test_dispute_rate(load_ledger, flags, rate):
    rows = [
        invoice(f"I{i}", 10.0, "2025-05-01", "2025-05-31", disputed=flag)
        for i, flag in enumerate(flags)
    ]
    ws = load_ledger(invoices=rows)
    row = features_by_account(ws).loc["A"]

    assert row["dispute_rate"] == rate


def test_purchases_from_transactions(load_ledger):
    # Hand-worked ledger: purchases on 2025-01-10 (twice), 2025-03-05 and
    # 2025-06-01; a return of 30.00 on 2025-06-10; one purchase after the as-of
    # date. Frequency 3 days, monetary 50 + 25 + 100 + 40 - 30 = 185.
    ws = load_ledger(
        transactions=[
            {"account_id": "C", "date": "2025-01-10 10:00", "amount": 50.0},
            {"account_id": "C", "date": "2025-01-10 16:00", "amount": 25.0},
            {"account_id": "C", "date": "2025-03-05", "amount": 100.0},
            {"account_id": "C", "date": "2025-06-01", "amount": 40.0},
            {"account_id": "C", "date": "2025-06-10", "amount": -30.0},
            {"account_id": "C", "date": "2025-07-02", "amount": 999.0},
        ]
    )
    row = features_by_account(ws).loc["C"]

    assert row["frequency"] == 3
    assert row["monetary"] == 185.0
    assert row["avg_order_value"] == pytest.approx(61.67)
    assert row["recency_days"] == 29
    assert row["tenure_days"] == 171
    assert row["first_purchase"] == pd.Timestamp("2025-01-10")
    assert row["last_purchase"] == pd.Timestamp("2025-06-01")
    assert row["open_balance"] == 0.0


def test_purchases_from_invoices(load_ledger):
    ws = load_ledger(
        invoices=[
            invoice("I1", 100.0, "2025-02-01", "2025-03-01"),
            invoice("I2", 60.0, "2025-02-01", "2025-03-03"),
            invoice("C1", -40.0, "2025-04-01", "2025-04-01"),
        ]
    )
    row = features_by_account(ws).loc["A"]

    assert row["frequency"] == 1
    assert row["monetary"] == 160.0
    assert row["recency_days"] == 149


def test_every_account_appears_once(load_ledger):
    ws = load_ledger(
        invoices=[
            invoice("I1", 100.0, "2025-02-01", "2025-03-01", account="A"),
            invoice("I2", 100.0, "2025-08-01", "2025-09-01", account="F"),
        ],
        payments=[
            {
                "payment_id": "P1",
                "account_id": "P",
                "payment_date": "2025-02-01",
                "amount": 10.0,
                "invoice_id": None,
            }
        ],
        transactions=[{"account_id": "A", "date": "2025-01-01", "amount": 5.0}],
        accounts=[
            {"account_id": "A", "name": "Alfa"},
            {"account_id": "Z", "name": "Zeta"},
        ],
    )
    accounts = compute_features(ws, AS_OF, Config()).accounts

    assert sorted(accounts["account_id"]) == ["A", "F", "P", "Z"]
    assert accounts["account_id"].is_unique


def test_credit_limit_and_attributes(load_ledger):
    ws = load_ledger(
        invoices=[invoice("I1", 300.0, "2025-06-01", "2025-07-01", account="007")],
        accounts=[
            {
                "account_id": "007",
                "name": "Bond Ltd",
                "credit_limit": 1200.0,
                "region": "North",
                "frequency": "weekly",
            },
            {"account_id": "7", "name": "Seven", "credit_limit": 0.0},
        ],
    )
    rows = features_by_account(ws)

    assert rows.loc["007", "credit_use"] == 0.25
    assert rows.loc["007", "credit_limit"] == 1200.0
    assert rows.loc["007", "region"] == "North"
    assert rows.loc["007", "frequency_account"] == "weekly"
    assert rows.loc["007", "frequency"] == 1
    assert pd.isna(rows.loc["7", "credit_use"])
