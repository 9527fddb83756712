"""Time the CSV, workbook and HTML writers on a synthetic run of realistic size.

Usage::

    PYTHONPATH=src python benchmarks/report_writers.py [--accounts N] [--out DIR]

The run has N accounts over three tiers (10/30/60 %), three open invoices per
account, a worklist of every overdue invoice and eight segments. 23,570 accounts
is the size of the CDNOW customer base.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from cartera.report.csv import write_csv
from cartera.report.html import write_report
from cartera.report.workbook import write_workbook
from cartera.result import RunResult


def synthetic_run(accounts: int, seed: int = 7) -> RunResult:
    """Build a run result of ``accounts`` accounts from a seeded generator."""
    rng = np.random.default_rng(seed)
    ids = [f"C{i:06d}" for i in range(accounts)]
    tiers = np.repeat([1, 2, 3], [accounts // 10, 3 * accounts // 10, accounts])[
        :accounts
    ]
    buckets = ["current", "1_30", "31_60", "61_90", "over_90"]
    ageing = rng.gamma(0.5, 300.0, size=(accounts, len(buckets))).round(2)
    frame = pd.DataFrame(
        {
            "account_id": ids,
            "name": [f"Customer {i}" for i in range(accounts)],
            "rank": np.arange(1, accounts + 1),
            "tier": tiers,
            "previous_tier": rng.choice([1.0, 2.0, 3.0, np.nan], size=accounts),
            "priority_score": np.sort(rng.random(accounts))[::-1],
            "open_balance": ageing.sum(axis=1),
            "overdue_balance": ageing[:, 1:].sum(axis=1),
            **{f"aging_{b}": ageing[:, i] for i, b in enumerate(buckets)},
            "recency_days": rng.integers(0, 500, accounts),
            "frequency": rng.integers(0, 40, accounts),
            "monetary": rng.gamma(2.0, 50.0, accounts).round(2),
            "reasons": ["high CLV; overdue"] * accounts,
            "clv": rng.gamma(2.0, 400.0, accounts).round(2),
            "p_late": rng.random(accounts),
        }
    )
    items = 3 * accounts
    open_items = pd.DataFrame(
        {
            "invoice_id": [f"F{i:08d}" for i in range(items)],
            "account_id": np.repeat(ids, 3),
            "currency": "EUR",
            "open_amount": rng.gamma(2.0, 100.0, items).round(2),
            "days_past_due": rng.integers(-30, 200, items),
            "bucket": rng.choice(buckets, items),
        }
    )
    overdue = open_items[open_items["days_past_due"] > 0]
    worklist = overdue[["account_id", "invoice_id", "open_amount", "days_past_due"]]
    worklist = worklist.assign(
        action="call", channel="phone", expected_cash=worklist["open_amount"] * 0.6
    )
    segments = pd.DataFrame(
        {
            "segment_kind": "rfm",
            "segment": [f"segment {i}" for i in range(8)],
            "accounts": accounts // 8,
            "share": 0.125,
            "open_balance": 1000.0,
            "mean_clv": 800.0,
            "mean_p_late": 0.3,
            "potential_spend": 5000.0,
            "potential_spend_low": 4000.0,
            "potential_spend_high": 6000.0,
            "description": "synthetic",
        }
    )
    rejects = pd.DataFrame(
        {"file": ["ledger.csv"], "line": [3], "column": ["amount"], "value": ["x"]}
        | {"reason": ["not a number"]}
    )
    top = frame.head(20)[["account_id", "name", "clv", "tier"]].to_dict("records")
    answers = {key: top for key in ("revenue_potential", "work_first")}
    return RunResult(
        as_of=date(2025, 6, 30),
        accounts=frame,
        open_items=open_items,
        rejects=rejects,
        worklist=worklist,
        segments=segments,
        answers=answers,
        run={"reporting_currency": "EUR"},
        lang="es",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=23570)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="cartera-bench-"))
    result = synthetic_run(args.accounts)
    print(f"accounts={args.accounts} open_items={len(result.open_items)}")
    steps = [
        (
            "accounts.csv",
            lambda: write_csv(result.accounts, out / "accounts.csv", "es"),
        ),
        ("cartera.xlsx", lambda: write_workbook(result, out / "cartera.xlsx")),
        ("report.html", lambda: write_report(result, out / "report.html")),
    ]
    for name, step in steps:
        start = time.perf_counter()
        path = step()
        seconds = time.perf_counter() - start
        size = path.stat().st_size / 1e6
        print(f"{name:<14} {seconds:7.2f} s  {size:6.1f} MB")


if __name__ == "__main__":
    main()
