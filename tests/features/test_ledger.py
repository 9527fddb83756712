"""Allocation, settlement and ageing of invoices (cartera.features.ledger).

Expected values are worked by hand from the ledgers written in each test.
"""

from __future__ import annotations

from datetime import date

import ibis
import pandas as pd
import pytest

from cartera.config import AgeingConfig, Config
from cartera.errors import InputError
from cartera.features import compute_features, open_items_expr, settlements_expr


def invoice(
    invoice_id: str, amount: float, issue: str, due: str, account: str = "A", **extra
) -> dict:
    return {
        "invoice_id": invoice_id,
        "account_id": account,
        "issue_date": issue,
        "due_date": due,
        "amount": amount,
        **extra,
    }


def payment(
    payment_id: str, amount: float, day: str, target: str | None, account: str = "A"
) -> dict:
    return {
        "payment_id": payment_id,
        "account_id": account,
        "payment_date": day,
        "amount": amount,
        "invoice_id": target,
    }


def account_row(features, account: str = "A") -> pd.Series:
    rows = features.accounts.set_index("account_id")
    return rows.loc[account]


def test_ageing_two_invoices(load_ledger):
    # Hand-worked ledger: as of 2025-12-30, 300.00 due 2025-12-20 is 10 days late
    # and 500.00 due 2026-01-15 is not yet due.
    ws = load_ledger(
        invoices=[
            invoice("I1", 300.00, "2025-11-20", "2025-12-20"),
            invoice("I2", 500.00, "2025-12-16", "2026-01-15"),
        ]
    )
    row = account_row(compute_features(ws, date(2025, 12, 30), Config()))

    assert row["aging_1_30"] == 300.00
    assert row["aging_current"] == 500.00
    assert row["open_balance"] == 800.00
    assert row["overdue_balance"] == 300.00
    assert row["aging_1_30"] + row["aging_current"] == row["open_balance"]


def test_partial_payment_ages_rest(load_ledger):
    # Hand-worked ledger: 1000.00 due 2015-09-30, 300.00 paid against it on
    # 2015-10-20; on 2015-11-23 the other 700.00 is 54 days past due.
    ws = load_ledger(
        invoices=[invoice("I1", 1000.00, "2015-08-31", "2015-09-30")],
        payments=[payment("P1", 300.00, "2015-10-20", "I1")],
    )
    features = compute_features(ws, date(2015, 11, 23), Config())
    row = account_row(features)
    item = features.open_items.iloc[0]

    assert row["aging_31_60"] == 700.00
    assert row["open_balance"] == 700.00
    assert item["open_amount"] == 700.00
    assert item["days_past_due"] == 54
    assert item["bucket"] == "31_60"


@pytest.mark.parametrize(
    ("due", "days", "bucket", "overdue"),
    [
        ("2025-12-30", 0, "current", 0.0),
        ("2025-12-30 17:45:00", 0, "current", 0.0),
        ("2025-12-29 23:59:00", 1, "1_30", 250.0),
        ("2025-12-31 00:01:00", -1, "current", 0.0),
    ],
    ids=["due-today", "due-today-timestamp", "due-yesterday-late-hour", "due-tomorrow"],
)
def test_due_date_day_precision(load_ledger, due, days, bucket, overdue):
    ws = load_ledger(invoices=[invoice("I1", 250.00, "2025-12-01 09:00", due)])
    features = compute_features(ws, date(2025, 12, 30), Config())
    item = features.open_items.iloc[0]

    assert item["days_past_due"] == days
    assert item["bucket"] == bucket
    assert account_row(features)["overdue_balance"] == overdue


def test_unallocated_payment_oldest_first(load_ledger):
    # Hand-worked ledger: 450.00 unallocated settles I1 (due first, 200.00) and
    # 250.00 of I2 (300.00); I3 stays whole. The 90.00 paid after the as-of date
    # is ignored.
    ws = load_ledger(
        invoices=[
            invoice("I3", 400.00, "2025-03-01", "2025-03-31"),
            invoice("I2", 300.00, "2025-02-01", "2025-03-03"),
            invoice("I1", 200.00, "2025-02-10", "2025-03-01"),
        ],
        payments=[
            payment("P1", 450.00, "2025-03-20", None),
            payment("P2", 90.00, "2025-04-02", None),
        ],
    )
    features = compute_features(ws, date(2025, 4, 1), Config())
    open_items = features.open_items.set_index("invoice_id")["open_amount"]
    row = account_row(features)

    assert "I1" not in open_items.index
    assert open_items["I2"] == 50.00
    assert open_items["I3"] == 400.00
    assert row["open_balance"] == 450.00
    assert row["unapplied_credit"] == 0.00
    settled = features.settlements.set_index("invoice_id")["settled_date"]
    assert settled["I1"] == pd.Timestamp("2025-03-20")


def test_leftover_becomes_unapplied_credit(load_ledger):
    # Hand-worked ledger: 700.00 unallocated against 500.00 invoiced leaves 200.00
    # of credit, which stays out of the buckets.
    ws = load_ledger(
        invoices=[
            invoice("I1", 200.00, "2025-01-05", "2025-02-04"),
            invoice("I2", 300.00, "2025-01-20", "2025-02-19"),
        ],
        payments=[payment("P1", 700.00, "2025-02-10", None)],
    )
    features = compute_features(ws, date(2025, 3, 1), Config())
    row = account_row(features)

    assert row["unapplied_credit"] == 200.00
    assert row["open_balance"] == 0.00
    assert row["aging_current"] == 0.00
    assert features.open_items.empty
    assert sorted(features.settlements["invoice_id"]) == ["I1", "I2"]


def test_directed_excess_joins_pool(load_ledger):
    # Hand-worked ledger: 500.00 paid against I2 (300.00) leaves 200.00, which
    # goes to the oldest open item I1 (250.00): 50.00 stays open.
    ws = load_ledger(
        invoices=[
            invoice("I1", 250.00, "2025-01-01", "2025-01-31"),
            invoice("I2", 300.00, "2025-01-15", "2025-02-14"),
        ],
        payments=[payment("P1", 500.00, "2025-02-01", "I2")],
    )
    features = compute_features(ws, date(2025, 2, 10), Config())
    open_items = features.open_items.set_index("invoice_id")["open_amount"]

    assert list(open_items.index) == ["I1"]
    assert open_items["I1"] == 50.00
    assert account_row(features)["unapplied_credit"] == 0.00


def test_payment_to_other_account_invoice(load_ledger, data_quality_warnings):
    # A payment naming an invoice of another account is unallocated credit of the
    # payer, so the named invoice stays open.
    ws = load_ledger(
        invoices=[invoice("I1", 100.00, "2025-01-01", "2025-01-31", account="B")],
        payments=[payment("P1", 100.00, "2025-01-10", "I1", account="A")],
    )
    with data_quality_warnings() as messages:
        features = compute_features(ws, date(2025, 1, 20), Config())
    assert "names invoice I1 of account B" in messages[0]

    assert account_row(features, "B")["open_balance"] == 100.00
    assert account_row(features, "A")["unapplied_credit"] == 100.00


@pytest.mark.parametrize(
    ("credit", "expected_open"),
    [
        ({"amount": -100.00, "applies_to": "I2"}, {"I1": 200.00, "I2": 200.00}),
        ({"amount": -100.00, "applies_to": None}, {"I1": 100.00, "I2": 300.00}),
        (
            {"amount": 100.00, "doc_type": "credit_note", "applies_to": "I2"},
            {"I1": 200.00, "I2": 200.00},
        ),
    ],
    ids=["negative-applies-to", "negative-unallocated", "doc-type-positive"],
)
def test_credit_note_reduces_balance(load_ledger, credit, expected_open):
    # Hand-worked ledger: a 100.00 credit note either reduces the invoice it
    # applies to, or the oldest open item (I1) when it names none.
    rows = [
        invoice("I1", 200.00, "2025-01-01", "2025-01-31", doc_type="invoice"),
        invoice("I2", 300.00, "2025-01-10", "2025-02-09", doc_type="invoice"),
        invoice("C1", 0.0, "2025-01-20", "2025-01-20") | credit,
    ]
    for row in rows:
        row.setdefault("applies_to", None)
    ws = load_ledger(invoices=rows)
    features = compute_features(ws, date(2025, 2, 1), Config())
    open_items = features.open_items.set_index("invoice_id")["open_amount"]

    assert open_items.to_dict() == expected_open
    assert account_row(features)["open_balance"] == 400.00
    assert account_row(features)["n_invoices"] == 2


@pytest.mark.parametrize(
    ("as_of", "open_amount", "bucket", "settled"),
    [
        (date(2025, 1, 5), None, None, None),
        (date(2025, 1, 31), 1000.00, "current", None),
        (date(2025, 2, 25), 600.00, "1_30", None),
        (date(2025, 3, 20), 500.00, "31_60", None),
        (date(2025, 4, 29), 500.00, "61_90", None),
        (date(2025, 5, 15), None, None, "2025-04-30"),
    ],
    ids=[
        "before-issue",
        "issued",
        "partial-payment",
        "credit-note",
        "still-owed",
        "settled",
    ],
)
def test_invoice_lifecycle(load_ledger, as_of, open_amount, bucket, settled):
    # Hand-worked ledger: 1000.00 issued 2025-01-10 due 2025-02-09; 400.00 paid
    # 2025-02-20; a 100.00 credit note on 2025-03-15; 500.00 paid 2025-04-30.
    ws = load_ledger(
        invoices=[
            invoice("I1", 1000.00, "2025-01-10", "2025-02-09", applies_to=None),
            invoice("C1", -100.00, "2025-03-15", "2025-03-15", applies_to="I1"),
        ],
        payments=[
            payment("P1", 400.00, "2025-02-20", "I1"),
            payment("P2", 500.00, "2025-04-30", "I1"),
        ],
    )
    features = compute_features(ws, as_of, Config())
    row = account_row(features)
    buckets = row[[c for c in row.index if c.startswith("aging_")]]

    assert row["open_balance"] == (open_amount or 0.0)
    assert buckets.sum() == row["open_balance"]
    if open_amount is None:
        assert features.open_items.empty
    else:
        item = features.open_items.iloc[0]
        assert item["open_amount"] == open_amount
        assert item["bucket"] == bucket
        assert row[f"aging_{bucket}"] == open_amount
    settlements = features.settlements
    if settled is None:
        assert settlements.empty
    else:
        assert settlements["settled_date"].tolist() == [pd.Timestamp(settled)]
        assert row["mean_days_late"] == 80.0


@pytest.mark.parametrize(
    ("as_of", "open_balance", "settled"),
    [(date(2024, 3, 9), 80.00, 0), (date(2024, 3, 10), 0.00, 1)],
    ids=["day-before-paid", "paid-that-day"],
)
def test_paid_date_settles_invoice(load_ledger, as_of, open_balance, settled):
    ws = load_ledger(
        invoices=[
            invoice("I1", 80.00, "2024-01-10", "2024-02-09", paid_date="2024-03-10")
        ]
    )
    features = compute_features(ws, as_of, Config())

    assert account_row(features)["open_balance"] == open_balance
    assert len(features.settlements) == settled


def test_configured_bounds_name_buckets(load_ledger):
    ws = load_ledger(
        invoices=[
            invoice("I1", 10.00, "2025-01-01", "2025-01-10"),
            invoice("I2", 20.00, "2025-01-01", "2025-03-01"),
        ]
    )
    config = Config(ageing=AgeingConfig(bounds=[15, 45]))
    features = compute_features(ws, date(2025, 3, 1), config)
    row = account_row(features)
    buckets = [c for c in features.accounts.columns if c.startswith("aging_")]

    assert buckets == ["aging_current", "aging_1_15", "aging_16_45", "aging_over_45"]
    assert row["aging_over_45"] == 10.00
    assert row["aging_current"] == 20.00


@pytest.mark.parametrize(
    ("payments", "settled", "unapplied"),
    [
        (
            [
                payment("P1", 60.00, "2025-03-01", "I1"),
                payment("P2", 50.00, "2025-03-10", None),
            ],
            "2025-03-10",
            10.00,
        ),
        ([payment("P1", 100.00, "2025-01-20", None)], "2025-02-01", 0.00),
    ],
    ids=["directed-then-pool", "prepayment"],
)
def test_settlement_date_from_documents(load_ledger, payments, settled, unapplied):
    # Hand-worked ledger: I1 of 100.00 issued 2025-02-01. Paid 60.00 against it and
    # 50.00 unallocated later, it is settled when the second payment arrives and
    # 10.00 is left over. Paid before it was issued, it is settled on issue.
    ws = load_ledger(
        invoices=[invoice("I1", 100.00, "2025-02-01", "2025-03-03")],
        payments=payments,
    )
    features = compute_features(ws, date(2025, 3, 31), Config())

    assert features.open_items.empty
    assert features.settlements["settled_date"].tolist() == [pd.Timestamp(settled)]
    assert account_row(features)["unapplied_credit"] == unapplied


def test_expressions_match_computed_frames(load_ledger):
    ws = load_ledger(
        invoices=[
            invoice("I1", 300.00, "2025-11-20", "2025-12-20"),
            invoice("I2", 500.00, "2025-12-16", "2026-01-15"),
        ],
        payments=[payment("P1", 300.00, "2025-12-28", "I1")],
    )
    as_of = date(2025, 12, 30)
    open_items = open_items_expr(ws, as_of, Config())
    settlements = settlements_expr(ws, as_of, Config())

    assert isinstance(open_items, ibis.Table)
    assert isinstance(settlements, ibis.Table)
    assert open_items.to_pandas()["invoice_id"].tolist() == ["I2"]
    assert settlements.to_pandas()["invoice_id"].tolist() == ["I1"]


def test_missing_required_column(load_ledger):
    ws = load_ledger(invoices=[{"invoice_id": "I1", "account_id": "A", "amount": 10.0}])

    with pytest.raises(InputError, match="issue_date, due_date") as caught:
        compute_features(ws, date(2025, 1, 1), Config())
    assert caught.value.hint is not None
    assert "[input.invoices.columns]" in caught.value.hint


# Hand-worked refunds, as of 2025-03-01. Account A owes X3 (50.00, due
# 2025-01-31) and X4 (100.00, due 2025-02-04). Every ledger keeps
# open balance - unapplied credit = invoices - payments.
REFUND_INVOICES = [
    invoice("X3", 50.0, "2025-01-01", "2025-01-31"),
    invoice("X4", 100.0, "2025-01-05", "2025-02-04"),
]
REFUND_CASES = [
    # -20.00 naming X3 reverses nothing, so A owes it as debit P4 from
    # 2025-02-10 (19 days past due): 50 + 100 + 20 = 170.
    ([payment("P4", -20.0, "2025-02-10", "X3")], {"X3": 50.0, "X4": 100.0, "P4": 20.0}),
    # The same refund naming no invoice.
    ([payment("P4", -20.0, "2025-02-10", None)], {"X3": 50.0, "X4": 100.0, "P4": 20.0}),
    # 30.00 paid on X3, then 50.00 refunded naming X3: X3 reopens in full and the
    # 20.00 refunded above the 30.00 is a debit.
    (
        [
            payment("P1", 30.0, "2025-01-20", "X3"),
            payment("P4", -50.0, "2025-02-10", "X3"),
        ],
        {"X3": 50.0, "X4": 100.0, "P4": 20.0},
    ),
    # 50.00 paid on X3, 20.00 of it reversed: X3 reopens for 20.00.
    (
        [
            payment("P1", 50.0, "2025-01-20", "X3"),
            payment("P4", -20.0, "2025-02-10", "X3"),
        ],
        {"X3": 20.0, "X4": 100.0},
    ),
    # 180.00 unallocated settles both invoices; the 20.00 refund leaves 10.00 of
    # unapplied credit.
    (
        [
            payment("P1", 180.0, "2025-01-20", None),
            payment("P4", -20.0, "2025-02-10", None),
        ],
        {},
    ),
]
REFUND_IDS = [
    "refund-naming-invoice",
    "refund-naming-nothing",
    "refund-above-payment",
    "reversal-reopens",
    "refund-from-credit",
]


@pytest.mark.parametrize(("payments", "open_amounts"), REFUND_CASES, ids=REFUND_IDS)
def test_refunds_lose_no_money(
    load_ledger, data_quality_warnings, payments, open_amounts
) -> None:
    ws = load_ledger(invoices=REFUND_INVOICES, payments=payments)
    if "P4" in open_amounts:
        with data_quality_warnings() as messages:
            features = compute_features(ws, date(2025, 3, 1), Config())
        assert len(messages) == 1
        assert "account A owes 20.00 after negative payments P4" in messages[0]
        assert "open item P4 due 2025-02-10" in messages[0]
    else:
        features = compute_features(ws, date(2025, 3, 1), Config())

    items = features.open_items.set_index("invoice_id")
    account = features.accounts.set_index("account_id").loc["A"]
    assert items["open_amount"].to_dict() == pytest.approx(open_amounts)
    invoiced = sum(row["amount"] for row in REFUND_INVOICES)
    paid = sum(row["amount"] for row in payments)
    balance = account["open_balance"] if open_amounts else 0.0
    unapplied = account["unapplied_credit"]
    assert balance - (0.0 if pd.isna(unapplied) else unapplied) == pytest.approx(
        invoiced - paid
    )


def test_refund_debit_ages_from_refund_date(load_ledger, data_quality_warnings):
    ws = load_ledger(
        invoices=REFUND_INVOICES, payments=[payment("P4", -20.0, "2025-02-10", "X3")]
    )
    with data_quality_warnings():
        features = compute_features(ws, date(2025, 3, 1), Config())

    debit = features.open_items.set_index("invoice_id").loc["P4"]
    account = features.accounts.set_index("account_id").loc["A"]
    assert debit["days_past_due"] == 19
    assert debit["bucket"] == "1_30"
    assert debit["due_date"] == pd.Timestamp("2025-02-10")
    assert account["open_balance"] == pytest.approx(170.0)
    assert account["aging_1_30"] == pytest.approx(170.0)
    assert account["n_open"] == 3
