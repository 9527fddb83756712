"""The built-in sample ledger that ``cartera demo`` generates and ranks.

The sample is a seeded simulation of a wholesale distributor with customers in Spain
and the United States. It is generated, not shipped, so it has no licence question
and any size can be drawn. How it is made:

1. Accounts get a region, an industry, a size band, a credit limit and a currency
   (EUR for Spain, USD for the United States). Each account draws a purchase rate
   (gamma), a lifetime after which it stops buying (exponential, so some churn), an
   order size (gamma) and a payment habit: prompt, slow or chronic late payer.
2. Invoices follow a Poisson process at the account's rate from its first order to
   its churn date or the as-of date. Terms are net 30 or net 60 by account size.
   About 4 % are disputed, and a disputed invoice pays later or partly.
3. Payments: each invoice is settled on a date drawn from the account's habit. Some
   settle in two instalments (partial payments), some payments carry no invoice
   reference (they are allocated oldest first), and recent invoices stay open.
4. Credit notes (about 3 %) reduce an earlier invoice through ``applies_to``.
5. Two currencies, so the configuration gives EUR as reporting currency and a USD
   rate; amounts are never summed across currencies without it.

Every number comes from ``numpy.random.default_rng(seed)``, so a seed always gives
the same ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

DEMO_AS_OF = date(2026, 6, 30)
USD_TO_EUR = 0.92

_REGIONS = {
    "EUR": ["Madrid", "Cataluña", "Andalucía", "País Vasco", "Valencia"],
    "USD": ["Texas", "Florida", "California"],
}
_INDUSTRIES = ["hostelería", "retail", "industria", "salud", "educación"]
_NAME_PARTS = [
    "Façade",
    "Ibérica",
    "Norte",
    "Sol",
    "Atlántico",
    "Montaña",
    "Delta",
    "Puerto",
    "Olivo",
    "Río",
]
_NAME_SUFFIX = {"EUR": ["S.L.", "S.A.", "SARL"], "USD": ["LLC", "Inc."]}


@dataclass(frozen=True)
class DemoFiles:
    """Paths of the generated sample files."""

    folder: Path
    accounts: Path
    invoices: Path
    payments: Path
    config: Path
    as_of: date


def generate_ledger(
    n_accounts: int = 240, *, seed: int = 7, as_of: date = DEMO_AS_OF
) -> dict[str, pd.DataFrame]:
    """Generate the sample ledger as canonical ``accounts, invoices, payments`` frames.

    Parameters
    ----------
    n_accounts
        Number of customer accounts.
    seed
        Seed of the random generator; equal seeds give equal ledgers.
    as_of
        Last day of the ledger; nothing is dated after it.
    """
    rng = np.random.default_rng(seed)
    start = as_of - timedelta(days=730)
    accounts = _accounts(rng, n_accounts)
    invoice_rows: list[dict[str, object]] = []
    payment_rows: list[dict[str, object]] = []

    for account in accounts.itertuples(index=False):
        _simulate_account(rng, account, start, as_of, invoice_rows, payment_rows)

    invoices = pd.DataFrame(invoice_rows)
    invoices.insert(0, "invoice_id", [f"F{n:06d}" for n in range(1, len(invoices) + 1)])
    invoices = pd.concat([invoices, _credit_notes(rng, invoices, as_of)])
    invoices = invoices.sort_values(["issue_date", "invoice_id"], kind="stable")
    invoices = invoices.reset_index(drop=True)

    payments = pd.DataFrame(payment_rows)
    payments = payments.sort_values(["payment_date", "account_id"], kind="stable")
    payments.insert(0, "payment_id", [f"P{n:06d}" for n in range(1, len(payments) + 1)])
    payments = payments.reset_index(drop=True)
    return {"accounts": accounts, "invoices": invoices, "payments": payments}


def _accounts(rng: np.random.Generator, n_accounts: int) -> pd.DataFrame:
    currency = np.where(rng.random(n_accounts) < 0.8, "EUR", "USD")
    size = rng.choice(["small", "medium", "large"], n_accounts, p=[0.55, 0.33, 0.12])
    limits = {"small": 5_000, "medium": 20_000, "large": 80_000}
    names = []
    regions = []
    for cur in currency:
        first, second = rng.choice(_NAME_PARTS, 2, replace=False)
        names.append(f"{first} {second} {rng.choice(_NAME_SUFFIX[cur])}")
        regions.append(rng.choice(_REGIONS[cur]))
    return pd.DataFrame(
        {
            "account_id": [f"C{n:04d}" for n in range(1, n_accounts + 1)],
            "name": names,
            "region": regions,
            "industry": rng.choice(_INDUSTRIES, n_accounts),
            "size_band": size,
            "employees": np.round(
                rng.lognormal(3.0, 1.0, n_accounts) * [_size_factor(s) for s in size]
            ).astype(int)
            + 1,
            "credit_limit": [float(limits[s]) for s in size],
            "currency": currency,
        }
    )


def _size_factor(size: str) -> float:
    return {"small": 0.6, "medium": 1.0, "large": 1.8}[size]


def _simulate_account(
    rng: np.random.Generator,
    account: object,
    start: date,
    as_of: date,
    invoice_rows: list[dict[str, object]],
    payment_rows: list[dict[str, object]],
) -> None:
    account_id: str = account.account_id  # type: ignore[attr-defined]
    currency: str = account.currency  # type: ignore[attr-defined]
    size: str = account.size_band  # type: ignore[attr-defined]
    horizon = (as_of - start).days

    orders_per_year = rng.gamma(2.0, 4.0) * _size_factor(size)
    first = start + timedelta(days=int(rng.integers(0, horizon - 30)))
    lifetime_days = rng.exponential(900.0)
    last_active = min(as_of, first + timedelta(days=int(lifetime_days)))
    mean_order = rng.gamma(8.0, 80.0) * _size_factor(size)
    habit = rng.choice(["prompt", "slow", "late"], p=[0.55, 0.3, 0.15])
    terms = 60 if size == "large" else 30

    day = first
    while day <= last_active:
        amount = round(float(rng.gamma(4.0, mean_order / 4.0)) + 20.0, 2)
        disputed = bool(rng.random() < 0.04)
        due = day + timedelta(days=terms)
        invoice_rows.append(
            {
                "account_id": account_id,
                "issue_date": day,
                "due_date": due,
                "amount": amount,
                "currency": currency,
                "disputed": disputed,
                "doc_type": "invoice",
                "applies_to": "",
            }
        )
        invoice_ref = len(invoice_rows)  # position; the id is assigned later
        for row in _pay(
            rng, invoice_ref, account_id, currency, due, amount, habit, disputed
        ):
            if row["payment_date"] <= as_of:  # type: ignore[operator]
                payment_rows.append(row)
        gap = rng.exponential(365.0 / orders_per_year)
        day += timedelta(days=max(1, int(gap)))


def _pay(
    rng: np.random.Generator,
    invoice_ref: int,
    account_id: str,
    currency: str,
    due: date,
    amount: float,
    habit: str,
    disputed: bool,
) -> list[dict[str, object]]:
    delay_mean = {"prompt": -5.0, "slow": 12.0, "late": 45.0}[habit]
    delay = int(rng.normal(delay_mean + (30.0 if disputed else 0.0), 8.0))
    if habit == "late" and rng.random() < 0.1:
        delay += int(rng.exponential(120.0))  # a few go to collection age
    paid_on = due + timedelta(days=delay)
    ref = f"F{invoice_ref:06d}" if rng.random() > 0.15 else ""
    if rng.random() < 0.12:
        first_part = round(amount * float(rng.uniform(0.3, 0.7)), 2)
        second_on = paid_on + timedelta(days=int(rng.integers(10, 60)))
        return [
            _payment(account_id, paid_on, first_part, currency, ref),
            _payment(
                account_id, second_on, round(amount - first_part, 2), currency, ref
            ),
        ]
    return [_payment(account_id, paid_on, amount, currency, ref)]


def _payment(
    account_id: str, day: date, amount: float, currency: str, invoice_id: str
) -> dict[str, object]:
    return {
        "account_id": account_id,
        "payment_date": day,
        "amount": amount,
        "currency": currency,
        "invoice_id": invoice_id,
    }


def _credit_notes(
    rng: np.random.Generator, invoices: pd.DataFrame, as_of: date
) -> pd.DataFrame:
    picks = invoices.sample(frac=0.03, random_state=int(rng.integers(0, 2**31)))
    rows = []
    records: list[dict[Any, Any]] = picks.to_dict("records")
    for n, inv in enumerate(records, start=1):
        issued = min(
            as_of, inv["issue_date"] + timedelta(days=int(rng.integers(3, 40)))
        )
        rows.append(
            {
                "invoice_id": f"NC{n:05d}",
                "account_id": inv["account_id"],
                "issue_date": issued,
                "due_date": issued,
                "amount": -round(
                    float(inv["amount"]) * float(rng.uniform(0.05, 0.3)), 2
                ),
                "currency": inv["currency"],
                "disputed": False,
                "doc_type": "credit_note",
                "applies_to": inv["invoice_id"],
            }
        )
    return pd.DataFrame(rows)


def write_demo(folder: Path, n_accounts: int = 240, seed: int = 7) -> DemoFiles:
    """Write the sample ledger and its ``cartera.toml`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    frames = generate_ledger(n_accounts, seed=seed)
    paths = {}
    for name, frame in frames.items():
        path = folder / f"{name}.csv"
        out = frame.copy()
        for col in out.columns:
            if col.endswith("_date"):
                out[col] = pd.to_datetime(out[col]).dt.strftime("%Y-%m-%d")
        out.to_csv(path, index=False, encoding="utf-8")
        paths[name] = path
    config = folder / "cartera.toml"
    config.write_text(
        "# Configuration of the built-in sample ledger.\n"
        "[money]\n"
        'reporting_currency = "EUR"\n'
        f"rates = {{ EUR = 1.0, USD = {USD_TO_EUR} }}\n\n"
        "[segments]\n"
        'attributes = ["region", "industry", "employees"]\n\n'
        "[segments.bins]\n"
        "employees = [0, 10, 50, 250]\n",
        encoding="utf-8",
    )
    return DemoFiles(
        folder=folder,
        accounts=paths["accounts"],
        invoices=paths["invoices"],
        payments=paths["payments"],
        config=config,
        as_of=DEMO_AS_OF,
    )
