"""Payments and credit notes whose named invoice does not fit (features.references).

Expected values are worked by hand from the ledger below. Account ACC2 owes B1
(200.00, due 2025-02-04), B2 (300.00, due 2025-03-01) and B3 (30.00, due
2025-02-20). It pays 100.00 naming A1, an invoice of ACC1, and 80.00 naming B2
two weeks before B2 is issued. It gets a 50.00 credit note naming ZZZ, which is
no invoice, and prepays B3 (30.00) five days before B3 is issued.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from cartera.config import Config
from cartera.features import compute_features
from cartera.features.references import MAX_NAMED

INVOICES = [
    ("A1", "ACC1", "2025-01-01", "2025-01-31", 100.00, None),
    ("B1", "ACC2", "2025-01-05", "2025-02-04", 200.00, None),
    ("B2", "ACC2", "2025-02-01", "2025-03-01", 300.00, None),
    ("B3", "ACC2", "2025-02-10", "2025-02-20", 30.00, None),
    ("C9", "ACC2", "2025-01-20", "2025-01-20", -50.00, "ZZZ"),
]
PAYMENTS = [
    ("P1", "ACC2", "2025-01-10", 100.00, "A1"),
    ("P2", "ACC2", "2025-01-15", 80.00, "B2"),
    ("P3", "ACC2", "2025-02-05", 30.00, "B3"),
]


def load(load_ledger, invoices=INVOICES, payments=PAYMENTS):
    invoice_rows = [
        dict(
            zip(
                ("invoice_id", "account_id", "issue_date", "due_date", "amount"),
                row[:5],
                strict=True,
            ),
            applies_to=row[5],
        )
        for row in invoices
    ]
    payment_rows = [
        dict(
            zip(
                ("payment_id", "account_id", "payment_date", "amount", "invoice_id"),
                row,
                strict=True,
            )
        )
        for row in payments
    ]
    return load_ledger(invoices=invoice_rows, payments=payment_rows)


@pytest.fixture
def features_with_warnings(data_quality_warnings):
    """Return a function computing features and the DataQualityWarning messages."""

    def compute(ws, as_of: date):
        with data_quality_warnings() as messages:
            features = compute_features(ws, as_of, Config())
        return features, messages

    return compute


def test_bad_references_lose_no_money(load_ledger, features_with_warnings):
    # As of 2025-03-01: P2 (80.00) goes to B2, leaving 220.00. P1 (100.00) and
    # C9 (50.00) are unallocated, so they settle 150.00 of B1, the oldest,
    # leaving 50.00. P3 settles B3. ACC2 owes 530.00 - 260.00 = 270.00.
    features, _ = features_with_warnings(load(load_ledger), date(2025, 3, 1))
    open_items = features.open_items.set_index("invoice_id")["open_amount"]
    accounts = features.accounts.set_index("account_id")
    settled = features.settlements.set_index("invoice_id")["settled_date"]

    assert open_items.to_dict() == {"A1": 100.00, "B1": 50.00, "B2": 220.00}
    assert accounts.loc["ACC1", "open_balance"] == 100.00
    assert accounts.loc["ACC2", "open_balance"] == 270.00
    assert accounts.loc["ACC2", "unapplied_credit"] == 0.00
    # A prepayment settles its invoice on the issue date, not before.
    assert settled["B3"] == pd.Timestamp("2025-02-10")


@pytest.mark.parametrize(
    "expected",
    [
        pytest.param(
            "1 payment or credit note names an invoice of another account, so it "
            "was applied to the oldest open invoices of its own account, and the "
            "named invoice stays open: payment P1 of account ACC2 dated 2025-01-10 "
            "names invoice A1 of account ACC1",
            id="other-account",
        ),
        pytest.param(
            "1 payment or credit note names no invoice of the ledger, so it was "
            "applied to the oldest open invoices of its own account: credit note "
            "C9 of account ACC2 dated 2025-01-20 names invoice ZZZ",
            id="no-invoice",
        ),
        pytest.param(
            "2 payments or credit notes are dated before the issue date of the "
            "invoice they name, so they were applied to that invoice as a "
            "prepayment from its issue date, and before that to the oldest open "
            "invoices of their own account: payment P2 of account ACC2 dated "
            "2025-01-15 names invoice B2 issued 2025-02-01; payment P3 of account "
            "ACC2 dated 2025-02-05 names invoice B3 issued 2025-02-10",
            id="before-invoice",
        ),
    ],
)
def test_bad_reference_warned(load_ledger, features_with_warnings, expected):
    _, messages = features_with_warnings(load(load_ledger), date(2025, 3, 1))

    assert expected in messages
    assert len(messages) == 3


def test_prepayment_before_invoice_issued(load_ledger, features_with_warnings):
    # As of 2025-01-25, B2 and B3 are not issued yet and P3 is not paid yet. P2
    # (80.00) joins P1 (100.00) and C9 (50.00) in the pool: 230.00 settles B1
    # (200.00) and leaves 30.00 of unapplied credit.
    features, messages = features_with_warnings(load(load_ledger), date(2025, 1, 25))
    accounts = features.accounts.set_index("account_id")

    assert accounts.loc["ACC2", "open_balance"] == 0.00
    assert accounts.loc["ACC2", "unapplied_credit"] == 30.00
    assert any("payment P2 of account ACC2" in m for m in messages)
    assert not any("P3" in m for m in messages)


def test_many_bad_references_counted(load_ledger, features_with_warnings):
    payments = [
        (f"P{i}", "ACC2", "2025-01-10", 1.00, f"X{i}") for i in range(MAX_NAMED + 2)
    ]
    _, messages = features_with_warnings(
        load(load_ledger, INVOICES[:2], payments), date(2025, 3, 1)
    )

    assert len(messages) == 1
    assert messages[0].startswith(
        f"{MAX_NAMED + 2} payments or credit notes name no invoice of the ledger"
    )
    assert messages[0].endswith(", and 2 more")
    assert messages[0].count("; ") == MAX_NAMED - 1


def test_good_references_not_warned(load_ledger):
    payments = [("P1", "ACC2", "2025-02-10", 100.00, "B1")]
    ws = load(load_ledger, INVOICES[:2], payments)
    # Warnings are errors in the tests, so a warning here fails the test.
    features = compute_features(ws, date(2025, 3, 1), Config())

    assert features.accounts.set_index("account_id").loc["ACC2", "open_balance"] == 100


def test_refund_naming_other_account_invoice(load_ledger, features_with_warnings):
    # P4 refunds 20.00 naming A1, an invoice of ACC1. ACC2 made no payment to A1
    # and has no unallocated money on 2025-03-01, so the refund becomes a debit:
    # ACC2 owes 270.00 + 20.00 = 290.00, and A1 stays open for 100.00.
    payments = [*PAYMENTS, ("P4", "ACC2", "2025-02-20", -20.00, "A1")]
    features, messages = features_with_warnings(
        load(load_ledger, payments=payments), date(2025, 3, 1)
    )
    accounts = features.accounts.set_index("account_id")
    refund = [m for m in messages if "refund" in m and "P4" in m]

    assert accounts.loc["ACC2", "open_balance"] == 290.00
    assert accounts.loc["ACC1", "open_balance"] == 100.00
    assert len(refund) >= 1
    assert refund[0].startswith(
        "1 payment or credit note is a refund naming an invoice that is missing, "
        "of another account or currency, or issued later, so it was handled by "
        "the refund rule"
    )
    assert not any(
        "P4" in m and "applied to the oldest open invoices" in m for m in messages
    )
