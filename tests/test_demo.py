"""The built-in sample ledger: seeded, consistent, and in the canonical shape."""

from __future__ import annotations

from datetime import date

import pandas as pd

from cartera.demo import DEMO_AS_OF, generate_ledger


def test_same_seed_same_ledger() -> None:
    first = generate_ledger(40, seed=3)
    second = generate_ledger(40, seed=3)
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name])


def test_other_seed_other_ledger() -> None:
    first = generate_ledger(40, seed=3)["invoices"]
    second = generate_ledger(40, seed=4)["invoices"]
    assert not first["amount"].equals(second["amount"])


def test_nothing_dated_after_as_of() -> None:
    ledger = generate_ledger(60, seed=1)
    assert ledger["invoices"]["issue_date"].max() <= DEMO_AS_OF
    assert ledger["payments"]["payment_date"].max() <= DEMO_AS_OF


def test_ledger_has_what_the_sample_promises() -> None:
    ledger = generate_ledger(240, seed=7)
    invoices = ledger["invoices"]
    payments = ledger["payments"]

    assert set(invoices["currency"]) == {"EUR", "USD"}
    assert (invoices["doc_type"] == "credit_note").sum() > 10
    credit_notes = invoices[invoices["doc_type"] == "credit_note"]
    assert (credit_notes["amount"] < 0).all()
    assert credit_notes["applies_to"].isin(invoices["invoice_id"]).all()
    assert invoices["disputed"].sum() > 10
    assert invoices["invoice_id"].is_unique
    assert payments["payment_id"].is_unique
    # Some payments carry no invoice reference, so allocation has work to do.
    assert (payments["invoice_id"] == "").sum() > 10
    # Instalments: some invoices are paid in two parts.
    referenced = payments[payments["invoice_id"] != ""]
    assert referenced["invoice_id"].duplicated().sum() > 10
    # Recent invoices stay open: less is paid than invoiced.
    assert payments["amount"].sum() < invoices["amount"].sum()


def test_due_date_follows_terms() -> None:
    invoices = generate_ledger(50, seed=2)["invoices"]
    real = invoices[invoices["doc_type"] == "invoice"]
    terms = (
        pd.to_datetime(real["due_date"]) - pd.to_datetime(real["issue_date"])
    ).dt.days
    assert set(terms) <= {30, 60}
    assert isinstance(real["issue_date"].iloc[0], date)
