"""Random ledgers against an independent allocation written in plain Python.

The oracle below applies the allocation rules of ``cartera.features.ledger`` one
account at a time with ``Decimal``. Documents aimed at an invoice go to it first.
Their excess and the unallocated documents form a pool per account, which settles
the oldest invoices first, and what is left is unapplied credit.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from cartera.config import Config
from cartera.features import account_features_expr, compute_features

AS_OF = date(2024, 6, 30)
START = date(2023, 1, 1)


def random_ledger(seed: int, n_accounts: int) -> dict[str, pd.DataFrame]:
    """Build invoices, credit notes and payments, some dated after AS_OF."""
    rng = np.random.default_rng(seed)
    span = (AS_OF - START).days + 60

    invoice_rows = []
    for i in range(n_accounts * 8):
        issue = START + timedelta(days=int(rng.integers(0, span)))
        invoice_rows.append(
            {
                "invoice_id": f"I{i:06d}",
                "account_id": f"A{rng.integers(0, n_accounts):04d}",
                "issue_date": issue,
                "due_date": issue + timedelta(days=int(rng.choice([0, 15, 30, 60]))),
                "amount": int(rng.integers(100, 500_000)) / 100,
                "applies_to": None,
            }
        )

    # Credit notes: 60 % apply to an invoice, the rest join the pool.
    for j in range(n_accounts):
        target = invoice_rows[int(rng.integers(0, len(invoice_rows)))]
        issue = START + timedelta(days=int(rng.integers(0, span)))
        invoice_rows.append(
            {
                "invoice_id": f"C{j:06d}",
                "account_id": target["account_id"],
                "issue_date": issue,
                "due_date": issue,
                "amount": -int(rng.integers(100, 200_000)) / 100,
                "applies_to": target["invoice_id"] if rng.random() < 0.6 else None,
            }
        )

    # Payments: half name an invoice of their account, half are unallocated.
    payment_rows = []
    for k in range(n_accounts * 6):
        target = invoice_rows[int(rng.integers(0, n_accounts * 8))]
        directed = rng.random() < 0.5
        account = (
            target["account_id"] if directed else f"A{rng.integers(0, n_accounts):04d}"
        )
        payment_rows.append(
            {
                "payment_id": f"P{k:06d}",
                "account_id": account,
                "payment_date": START + timedelta(days=int(rng.integers(0, span))),
                "amount": int(rng.integers(100, 400_000)) / 100,
                "invoice_id": target["invoice_id"] if directed else None,
            }
        )

    invoices = pd.DataFrame(invoice_rows)
    payments = pd.DataFrame(payment_rows)
    for frame, columns in (
        (invoices, ["issue_date", "due_date"]),
        (payments, ["payment_date"]),
    ):
        for column in columns:
            frame[column] = pd.to_datetime(frame[column])
    return {"invoices": invoices, "payments": payments}


def oracle(tables: dict[str, pd.DataFrame]) -> tuple[dict, dict]:
    """Return open amount per invoice and unapplied credit per account."""
    cutoff = pd.Timestamp(AS_OF)
    rows = tables["invoices"]
    rows = rows[rows["issue_date"] <= cutoff]
    invoices = rows[rows["amount"] > 0]
    amount = {
        i: Decimal(str(a))
        for i, a in zip(invoices["invoice_id"], invoices["amount"], strict=True)
    }
    owner = dict(zip(invoices["invoice_id"], invoices["account_id"], strict=True))

    documents = [
        (acc, target, Decimal(str(-value)))
        for acc, target, value in zip(
            rows["account_id"], rows["applies_to"], rows["amount"], strict=True
        )
        if value < 0
    ]
    payments = tables["payments"]
    payments = payments[payments["payment_date"] <= cutoff]
    documents += [
        (acc, target, Decimal(str(value)))
        for acc, target, value in zip(
            payments["account_id"],
            payments["invoice_id"],
            payments["amount"],
            strict=True,
        )
    ]

    directed: dict[str, Decimal] = defaultdict(Decimal)
    pool: dict[str, Decimal] = defaultdict(Decimal)
    for account, target, value in documents:
        if target is not None and owner.get(target) == account:
            directed[target] += value
        else:
            pool[account] += value

    remaining = {}
    for invoice_id, total in amount.items():
        applied = min(max(directed[invoice_id], Decimal(0)), total)
        pool[owner[invoice_id]] += directed[invoice_id] - applied
        remaining[invoice_id] = total - applied

    open_amount = {}
    unapplied = {}
    queue_order = invoices.sort_values(["due_date", "issue_date", "invoice_id"])
    queues: dict[str, list[str]] = defaultdict(list)
    for invoice_id, account in zip(
        queue_order["invoice_id"], queue_order["account_id"], strict=True
    ):
        queues[account].append(invoice_id)
    for account in set(pool) | set(queues):
        left = pool[account]
        for invoice_id in queues[account]:
            used = min(max(left, Decimal(0)), remaining[invoice_id])
            left -= used
            open_amount[invoice_id] = remaining[invoice_id] - used
        unapplied[account] = max(left, Decimal(0))
    return open_amount, unapplied


def ledger_totals(tables: dict[str, pd.DataFrame]) -> tuple[dict, dict]:
    """Sum invoices, and payments plus credit notes, per account as of AS_OF."""
    cutoff = pd.Timestamp(AS_OF)
    invoiced: dict[str, Decimal] = defaultdict(Decimal)
    received: dict[str, Decimal] = defaultdict(Decimal)
    rows = tables["invoices"]
    rows = rows[rows["issue_date"] <= cutoff]
    for account, value in zip(rows["account_id"], rows["amount"], strict=True):
        target = invoiced if value > 0 else received
        target[account] += abs(Decimal(str(value)))
    payments = tables["payments"]
    payments = payments[payments["payment_date"] <= cutoff]
    for account, value in zip(payments["account_id"], payments["amount"], strict=True):
        received[account] += Decimal(str(value))
    return invoiced, received


@pytest.mark.parametrize("seed", [7, 2024], ids=["seed-7", "seed-2024"])
def test_random_ledger_matches_oracle(load_ledger, data_quality_warnings, seed):
    tables = random_ledger(seed, n_accounts=150)
    ws = load_ledger(**tables)
    # Random dates put many documents before the invoice they name.
    with data_quality_warnings() as messages:
        features = compute_features(ws, AS_OF, Config())
    assert any("dated before the issue date" in m for m in messages)
    expected_open, expected_unapplied = oracle(tables)

    got_open = features.open_items.set_index("invoice_id")["open_amount"]
    want_open = {i: float(v) for i, v in expected_open.items() if v > 0}
    assert got_open.to_dict() == want_open

    accounts = features.accounts.set_index("account_id")
    got_unapplied = accounts["unapplied_credit"]
    for account, value in expected_unapplied.items():
        assert got_unapplied[account] == float(value), account


@pytest.mark.parametrize("seed", [11, 99], ids=["seed-11", "seed-99"])
def test_buckets_add_up_exactly(load_ledger, seed):
    tables = random_ledger(seed, n_accounts=150)
    ws = load_ledger(**tables)
    config = Config()
    exact = account_features_expr(ws, AS_OF, config).to_pandas()
    buckets = [f"aging_{name}" for name in config.ageing.bucket_names()]
    invoiced, received = ledger_totals(tables)

    assert (exact["open_balance"] > 0).sum() > 50
    for row in exact.itertuples(index=False):
        parts = [getattr(row, b) for b in buckets]
        assert all(isinstance(p, Decimal) for p in parts)
        assert sum(parts) == row.open_balance, row.account_id
        assert row.overdue_balance == row.open_balance - row.aging_current
        # Open balance = invoices - (payments and credits - what is unapplied).
        allocated = received[row.account_id] - row.unapplied_credit
        assert row.open_balance == invoiced[row.account_id] - allocated, row.account_id
