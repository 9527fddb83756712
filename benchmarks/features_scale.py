"""Time ``compute_features`` against the same features written by hand in DuckDB SQL.

Generates a seeded synthetic ledger directly in DuckDB with ``generate_series``:
``--invoices`` invoices over ``--accounts`` accounts in 2023-2024 and one credit
note per 50 invoices. Eight invoices in ten get a payment, and half of those
payments name no invoice, so they go through the oldest-first pool.
Pseudo-random values come from ``hash(i, seed)``, so the ledger is the same on
every run and thread count.

Both runs compute the same outputs (account features, open items and settlement
dates) and fetch them into pandas. The hand-written SQL follows the same rules as
:mod:`cartera.features.ledger` and is checked against ``compute_features`` on the
open balance and bucket totals.

Usage::

    python benchmarks/features_scale.py --invoices 10000000 --accounts 1000000 \
        --memory-limit 2.5GB

Prints wall and CPU seconds of each run and the process's peak resident memory
(``resource.getrusage``) after each phase.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from datetime import date
from typing import TypeVar

import pandas as pd

from cartera.config import Config
from cartera.engine import Workspace
from cartera.features import Features, compute_features

T = TypeVar("T")

AS_OF = date(2024, 12, 31)

GENERATE = """
CREATE OR REPLACE TABLE invoices AS
SELECT
    'I' || lpad(i::VARCHAR, 9, '0') AS invoice_id,
    'A' || lpad((hash(i, {seed}) % {accounts})::VARCHAR, 7, '0') AS account_id,
    DATE '2023-01-01' + (hash(i, {seed} + 1) % 760)::INTEGER AS issue_date,
    DATE '2023-01-01' + (hash(i, {seed} + 1) % 760)::INTEGER
        + [0, 15, 30, 60][1 + (hash(i, {seed} + 2) % 4)::BIGINT] AS due_date,
    ((1000 + hash(i, {seed} + 3) % 499000) / 100)::DECIMAL(18, 2) AS amount,
    CAST(NULL AS VARCHAR) AS applies_to
FROM generate_series(0, {invoices} - 1) AS s(i)
UNION ALL
SELECT
    'C' || lpad(i::VARCHAR, 9, '0'),
    'A' || lpad((hash(i * 50, {seed}) % {accounts})::VARCHAR, 7, '0'),
    DATE '2023-01-01' + (hash(i, {seed} + 4) % 760)::INTEGER,
    DATE '2023-01-01' + (hash(i, {seed} + 4) % 760)::INTEGER,
    (-(100 + (hash(i, {seed} + 5) % 20000)::BIGINT) / 100)::DECIMAL(18, 2),
    CASE WHEN hash(i, {seed} + 6) % 2 = 0
        THEN 'I' || lpad((i * 50)::VARCHAR, 9, '0') END
FROM generate_series(0, {invoices} // 50 - 1) AS s(i);

CREATE OR REPLACE TABLE payments AS
SELECT
    'P' || lpad(invoice_id[2:], 9, '0') AS payment_id,
    account_id,
    due_date + ((hash(invoice_id, {seed} + 7) % 90)::INTEGER - 20) AS payment_date,
    CASE WHEN hash(invoice_id, {seed} + 8) % 10 = 0
        THEN (amount * 0.6)::DECIMAL(18, 2) ELSE amount END AS amount,
    CASE WHEN hash(invoice_id, {seed} + 9) % 2 = 0 THEN invoice_id END AS invoice_id
FROM invoices
WHERE invoice_id LIKE 'I%' AND hash(invoice_id, {seed} + 10) % 10 < 8;
"""

# The same features as compute_features, written directly in DuckDB SQL.
HAND_SQL = """
CREATE OR REPLACE TEMP TABLE h_inv AS
SELECT invoice_id, account_id, issue_date, due_date, amount
FROM invoices WHERE issue_date <= DATE '{as_of}' AND amount >= 0;

CREATE OR REPLACE TEMP TABLE h_docs AS
SELECT invoice_id AS doc_id, 0 AS kind, account_id, issue_date AS doc_date,
       -amount AS value, applies_to AS target
FROM invoices WHERE issue_date <= DATE '{as_of}' AND amount < 0
UNION ALL
SELECT payment_id, 1, account_id, payment_date, amount, invoice_id
FROM payments WHERE payment_date <= DATE '{as_of}';

CREATE OR REPLACE TEMP TABLE h_directed AS
WITH d AS (
    SELECT d.*, i.amount AS invoice_amount,
           sum(d.value) OVER (PARTITION BY d.target
               ORDER BY d.doc_date, d.kind, d.doc_id
               ROWS UNBOUNDED PRECEDING) AS running
    FROM h_docs d JOIN h_inv i
      ON d.target = i.invoice_id AND d.account_id = i.account_id
), t AS (
    SELECT target, any_value(account_id) AS account_id, sum(value) AS total,
           max(invoice_amount) AS invoice_amount,
           min(doc_date) FILTER (WHERE running >= invoice_amount) AS full_date,
           max(doc_date) AS last_date
    FROM d GROUP BY target
)
SELECT target AS invoice_id, account_id,
       least(greatest(total, 0), invoice_amount) AS applied,
       total - least(greatest(total, 0), invoice_amount) AS excess,
       full_date, last_date
FROM t;

CREATE OR REPLACE TEMP TABLE h_events AS
SELECT d.account_id, d.doc_date AS event_date, d.value
FROM h_docs d ANTI JOIN h_inv i
  ON d.target = i.invoice_id AND d.account_id = i.account_id
UNION ALL
SELECT account_id, last_date, excess FROM h_directed WHERE excess <> 0;

CREATE OR REPLACE TEMP TABLE h_alloc AS
WITH pools AS (
    SELECT account_id, sum(value) AS pool FROM h_events GROUP BY account_id
), q AS (
    SELECT i.*, coalesce(d.applied, 0) AS directed_applied,
           d.full_date, d.last_date,
           i.amount - coalesce(d.applied, 0) AS remaining
    FROM h_inv i LEFT JOIN h_directed d USING (invoice_id)
), r AS (
    SELECT q.*, sum(greatest(remaining, 0)) OVER (PARTITION BY account_id
               ORDER BY due_date, issue_date, invoice_id
               ROWS UNBOUNDED PRECEDING) AS queue_end
    FROM q
), a AS (
    SELECT r.*, least(greatest(coalesce(p.pool, 0) - (queue_end
               - greatest(remaining, 0)), 0), greatest(remaining, 0)) AS pool_applied
    FROM r LEFT JOIN pools p USING (account_id)
)
SELECT *, remaining - pool_applied AS open_amount,
       date_diff('day', due_date, DATE '{as_of}') AS days_past_due
FROM a;

CREATE OR REPLACE TEMP TABLE h_pool_dates AS
WITH stream AS (
    SELECT account_id, NULL AS invoice_id,
           sum(value) OVER (PARTITION BY account_id ORDER BY event_date
               ROWS UNBOUNDED PRECEDING) AS position, 1 AS kind, event_date
    FROM h_events
    UNION ALL
    SELECT account_id, invoice_id, queue_end, 0, NULL
    FROM h_alloc WHERE pool_applied > 0 AND open_amount = 0
), m AS (
    SELECT *, min(event_date) OVER (PARTITION BY account_id
               ORDER BY position, kind
               ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS pool_date
    FROM stream
)
SELECT invoice_id, pool_date FROM m WHERE kind = 0;

CREATE OR REPLACE TEMP TABLE h_settled AS
SELECT a.invoice_id, a.account_id, a.due_date,
       greatest(CASE WHEN directed_applied = amount THEN full_date
                     ELSE greatest(coalesce(last_date, pool_date), pool_date) END,
                issue_date) AS settled_date
FROM h_alloc a LEFT JOIN h_pool_dates USING (invoice_id)
WHERE open_amount = 0 AND amount > 0;
"""

HAND_TABLES = (
    "h_inv",
    "h_docs",
    "h_directed",
    "h_events",
    "h_alloc",
    "h_pool_dates",
    "h_settled",
)

HAND_ACCOUNTS = """
WITH ids AS (
    SELECT account_id FROM invoices UNION SELECT account_id FROM payments
), bal AS (
    SELECT account_id, sum(open_amount) AS open_balance, count(*) AS n_open,
        sum(open_amount) FILTER (WHERE days_past_due <= 0) AS aging_current,
        sum(open_amount) FILTER (WHERE days_past_due BETWEEN 1 AND 30) AS aging_1_30,
        sum(open_amount) FILTER (WHERE days_past_due BETWEEN 31 AND 60)
            AS aging_31_60,
        sum(open_amount) FILTER (WHERE days_past_due BETWEEN 61 AND 90)
            AS aging_61_90,
        sum(open_amount) FILTER (WHERE days_past_due > 90) AS aging_over_90
    FROM h_alloc WHERE open_amount > 0 GROUP BY account_id
), unapplied AS (
    SELECT e.account_id, greatest(e.pool - coalesce(u.used, 0), 0) AS unapplied
    FROM (SELECT account_id, sum(value) AS pool FROM h_events GROUP BY 1) e
    LEFT JOIN (SELECT account_id, sum(pool_applied) AS used FROM h_alloc
               GROUP BY 1) u USING (account_id)
), counts AS (
    SELECT account_id, count(*) AS n_invoices,
           sum(amount) FILTER (WHERE issue_date > DATE '{as_of}' - 90) AS sales,
           count(DISTINCT issue_date) FILTER (WHERE amount > 0) AS frequency,
           sum(amount) FILTER (WHERE amount > 0) AS monetary,
           min(issue_date) FILTER (WHERE amount > 0) AS first_purchase,
           max(issue_date) FILTER (WHERE amount > 0) AS last_purchase
    FROM h_inv GROUP BY account_id
), late AS (
    SELECT account_id, avg(days) AS mean_days_late,
           avg((days > 0)::DOUBLE) AS share_paid_late
    FROM (
        SELECT account_id, greatest(date_diff('day', due_date, settled_date), 0)
            AS days FROM h_settled
        UNION ALL
        SELECT account_id, days_past_due FROM h_alloc
        WHERE open_amount > 0 AND days_past_due > 0
    ) GROUP BY account_id
)
SELECT ids.account_id,
    coalesce(open_balance, 0)::DOUBLE AS open_balance,
    (coalesce(open_balance, 0) - coalesce(aging_current, 0))::DOUBLE
        AS overdue_balance,
    coalesce(aging_current, 0)::DOUBLE AS aging_current,
    coalesce(aging_1_30, 0)::DOUBLE AS aging_1_30,
    coalesce(aging_31_60, 0)::DOUBLE AS aging_31_60,
    coalesce(aging_61_90, 0)::DOUBLE AS aging_61_90,
    coalesce(aging_over_90, 0)::DOUBLE AS aging_over_90,
    coalesce(unapplied, 0)::DOUBLE AS unapplied_credit,
    coalesce(n_invoices, 0) AS n_invoices, coalesce(n_open, 0) AS n_open,
    CASE WHEN sales > 0 THEN open_balance::DOUBLE / sales::DOUBLE * 90 END AS dso,
    mean_days_late, share_paid_late,
    date_diff('day', last_purchase, DATE '{as_of}') AS recency_days,
    coalesce(frequency, 0) AS frequency,
    coalesce(monetary, 0)::DOUBLE AS monetary,
    date_diff('day', first_purchase, DATE '{as_of}') AS tenure_days,
    round(monetary / frequency, 2)::DOUBLE AS avg_order_value,
    first_purchase, last_purchase
FROM ids
LEFT JOIN bal USING (account_id) LEFT JOIN unapplied USING (account_id)
LEFT JOIN counts USING (account_id) LEFT JOIN late USING (account_id)
ORDER BY account_id
"""

HAND_OPEN_ITEMS = """
SELECT invoice_id, account_id, NULL AS currency, issue_date, due_date,
    amount::DOUBLE AS amount, open_amount::DOUBLE AS open_amount, days_past_due,
    CASE WHEN days_past_due <= 0 THEN 'current' WHEN days_past_due <= 30 THEN '1_30'
         WHEN days_past_due <= 60 THEN '31_60' WHEN days_past_due <= 90 THEN '61_90'
         ELSE 'over_90' END AS bucket
FROM h_alloc WHERE open_amount > 0
ORDER BY account_id, due_date, invoice_id
"""


def peak_rss_mib() -> float:
    """Return the peak resident memory of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, run: Callable[[], T]) -> tuple[T, float, float]:
    """Run ``run`` and print its wall and CPU seconds and the peak memory."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = peak_rss_mib()
    print(f"{label}: {wall:.1f} s wall, {cpu:.1f} s CPU, peak RSS {peak:.0f} MiB")
    return result, wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=10_000_000)
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--memory-limit",
        default=None,
        help="DuckDB memory_limit of both runs, such as 2.5GB (default: DuckDB's).",
    )
    parser.add_argument(
        "--only",
        choices=["features", "sql"],
        default=None,
        help="Run one side only, so the peak memory is that side's alone.",
    )
    parser.add_argument(
        "--order",
        choices=["features-first", "sql-first"],
        default="features-first",
        help="Which run goes first; the second may find warmer caches.",
    )
    args = parser.parse_args()

    ws = Workspace(memory_limit=args.memory_limit)
    con = ws.con.con
    sql = GENERATE.format(
        seed=args.seed, accounts=args.accounts, invoices=args.invoices
    )
    timed("generate", lambda: con.execute(sql))
    counts = con.execute(
        "SELECT (SELECT count(*) FROM invoices), (SELECT count(*) FROM payments)"
    ).fetchone()
    print(f"rows: {counts[0]} invoices and credit notes, {counts[1]} payments")

    def run_features() -> Features:
        return compute_features(ws, AS_OF, Config())

    def run_hand_sql() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        con.execute(HAND_SQL.format(as_of=AS_OF))
        accounts = con.execute(HAND_ACCOUNTS.format(as_of=AS_OF)).df()
        open_items = con.execute(HAND_OPEN_ITEMS).df()
        settlements = con.execute(
            "SELECT invoice_id, account_id, settled_date FROM h_settled "
            "ORDER BY invoice_id"
        ).df()
        # Like compute_features, drop the intermediate tables, so the other run
        # does not start with them filling DuckDB's memory limit.
        for name in HAND_TABLES:
            con.execute(f"DROP TABLE {name}")
        return accounts, open_items, settlements

    if args.only == "features":
        timed("compute_features", run_features)
        return
    if args.only == "sql":
        timed("hand SQL", run_hand_sql)
        return
    if args.order == "features-first":
        features, features_wall, features_cpu = timed("compute_features", run_features)
        hand, hand_wall, hand_cpu = timed("hand SQL", run_hand_sql)
    else:
        hand, hand_wall, hand_cpu = timed("hand SQL", run_hand_sql)
        features, features_wall, features_cpu = timed("compute_features", run_features)

    accounts, open_items, settlements = hand
    for column in (
        "open_balance",
        "aging_current",
        "aging_over_90",
        "unapplied_credit",
    ):
        got = features.accounts[column].sum()
        want = accounts[column].sum()
        assert abs(got - want) < 0.005 * max(1, len(accounts)), (column, got, want)
    assert len(features.open_items) == len(open_items)
    assert len(features.settlements) == len(settlements)
    print(
        f"accounts {len(accounts)}, open items {len(open_items)}, "
        f"settlements {len(settlements)}"
    )
    print(
        f"ratio compute_features / hand SQL: {features_wall / hand_wall:.2f} wall, "
        f"{features_cpu / hand_cpu:.2f} CPU"
    )
    ws.close()


if __name__ == "__main__":
    main()
