"""Benchmark apply_policy on a synthetic book of accounts.

Each account has purchase, value and risk columns and three open invoices, about
two thirds of them past due. The run times the whole policy once after a warm-up on
a small book, so imports (scikit-learn above all) are not counted.

Run::

    PYTHONPATH=src python benchmarks/policy_apply.py --accounts 23570
"""

from __future__ import annotations

import argparse
import time
import warnings
from datetime import date

import numpy as np
import pandas as pd

from cartera.config import Config
from cartera.errors import DataQualityWarning
from cartera.policy import apply_policy


def synthetic_book(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``n`` accounts and three open items per account."""
    rng = np.random.default_rng(seed)
    ids = [f"C{i:07d}" for i in range(n)]
    accounts = pd.DataFrame(
        {
            "account_id": ids,
            "open_balance": rng.gamma(2.0, 100.0, n).round(2),
            "overdue_balance": rng.gamma(1.0, 50.0, n).round(2),
            "recency_days": rng.integers(0, 400, n).astype(float),
            "frequency": rng.integers(1, 30, n),
            "monetary": rng.gamma(2.0, 300.0, n).round(2),
            "clv": rng.gamma(2.0, 150.0, n),
            "clv_low": 0.0,
            "clv_high": 1000.0,
            "p_alive": rng.uniform(0.0, 1.0, n),
            "p_late": rng.uniform(0.0, 1.0, n),
        }
    )
    items = pd.DataFrame(
        {
            "invoice_id": [f"F{i:08d}" for i in range(3 * n)],
            "account_id": np.repeat(ids, 3),
            "currency": "EUR",
            "open_amount": rng.gamma(2.0, 40.0, 3 * n).round(2),
            "days_past_due": rng.integers(-60, 120, 3 * n),
        }
    )
    return accounts, items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=23570)
    args = parser.parse_args()

    warnings.simplefilter("ignore", DataQualityWarning)
    as_of = date(2024, 6, 30)
    apply_policy(*synthetic_book(200), Config(), as_of=as_of)

    accounts, items = synthetic_book(args.accounts)
    start = time.perf_counter()
    result = apply_policy(accounts, items, Config(), as_of=as_of)
    seconds = time.perf_counter() - start
    print(
        f"{args.accounts} accounts, {len(items)} open items, "
        f"{len(result.worklist)} worklist lines: {seconds:.2f} s"
    )


if __name__ == "__main__":
    main()
