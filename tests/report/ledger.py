"""A hand-built run result: six accounts over three tiers, two with formula names.

The ledger behind it, as of 2025-06-30 (amounts in EUR):

- A1 ``Acme Iberia``: invoice F-001 of 1,200.00 due 2025-05-01 (60 days past due)
  and F-002 of 300.00 due 2025-07-15 (not yet due). Tier 1, up from tier 2.
- A2 ``=1+1``: a credit balance of -150.00 (an unapplied credit note). Tier 3.
- A3 ``@SUM(A1:A2)``: invoice F-003 of 480.50, 95 days past due. Tier 2.
- A4 ``Café Ñandú``: invoice F-004 of 75.25, 10 days past due. Tier 3, new.
- A5 ``<script>alert(1)</script>``: nothing open. Tier 3, down from tier 2.
- A6 ``Omega Retail``: invoice F-005 of 2,000.00, 40 days past due. Tier 2.

Among the prospects in the answers, one has an HTML image tag for an id.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from cartera.result import RunResult

AS_OF = date(2025, 6, 30)
FORMULA_NAMES = ("=1+1", "@SUM(A1:A2)")
CREDIT_BALANCE = -150.00


def _accounts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": ["A1", "A6", "A3", "A2", "A4", "A5"],
            "name": [
                "Acme Iberia",
                "Omega Retail",
                "@SUM(A1:A2)",
                "=1+1",
                "Café Ñandú",
                "<script>alert(1)</script>",
            ],
            "rank": [1, 2, 3, 4, 5, 6],
            "tier": [1, 2, 2, 3, 3, 3],
            "previous_tier": [2.0, 2.0, 2.0, 3.0, float("nan"), 2.0],
            "priority_score": [0.91, 0.75, 0.64, 0.30, 0.22, 0.05],
            "open_balance": [1500.00, 2000.00, 480.50, CREDIT_BALANCE, 75.25, 0.0],
            "overdue_balance": [1200.00, 2000.00, 480.50, 0.0, 75.25, 0.0],
            "aging_current": [300.00, 0.0, 0.0, CREDIT_BALANCE, 0.0, 0.0],
            "aging_1_30": [0.0, 0.0, 0.0, 0.0, 75.25, 0.0],
            "aging_31_60": [1200.00, 2000.00, 0.0, 0.0, 0.0, 0.0],
            "aging_61_90": [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            "aging_over_90": [0.0, 0.0, 480.50, 0.0, 0.0, 0.0],
            "recency_days": [12, 30, 95, 200, 10, 400],
            "frequency": [14, 9, 3, 1, 2, 0],
            "monetary": [410.0, 520.5, 160.2, 90.0, 75.25, 0.0],
            "reasons": [
                ["high CLV", "60 days overdue"],
                ["large overdue balance"],
                ["over 90 days overdue"],
                ["credit balance"],
                ["new customer"],
                ["inactive"],
            ],
            "segment_rfm": [
                "champions",
                "loyal",
                "at risk",
                "hibernating",
                "new",
                "lost",
            ],
            "clv": [5200.0, 4100.0, 900.0, 120.0, 300.0, 0.0],
            "clv_low": [4000.0, 3000.0, 500.0, 50.0, 100.0, 0.0],
            "clv_high": [6500.0, 5200.0, 1300.0, 200.0, 600.0, 0.0],
            "p_alive": [0.97, 0.90, 0.55, 0.30, 0.80, 0.05],
            "p_late": [0.20, 0.65, 0.85, 0.10, 0.40, 0.50],
        }
    )


def _open_items() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "invoice_id": ["F-001", "F-002", "F-003", "F-004", "F-005"],
            "account_id": ["A1", "A1", "A3", "A4", "A6"],
            "currency": ["EUR"] * 5,
            "open_amount": [1200.00, 300.00, 480.50, 75.25, 2000.00],
            "days_past_due": [60, -15, 95, 10, 40],
            "bucket": ["31_60", "current", "over_90", "1_30", "31_60"],
            "due_date": pd.to_datetime(
                ["2025-05-01", "2025-07-15", "2025-03-27", "2025-06-20", "2025-05-21"]
            ),
        }
    )


def _worklist() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": ["A3", "A1", "A6", "A4", "A2"],
            "invoice_id": ["F-003", "F-001", "F-005", "F-004", "=1+1"],
            "open_amount": [480.50, 1200.00, 2000.00, 75.25, CREDIT_BALANCE],
            "days_past_due": [95, 60, 40, 10, 0],
            "action": ["escalate", "formal letter", "call", "reminder", "@SUM(A1:A2)"],
            "channel": ["escalation", "letter", "phone", "email", "email"],
            "expected_cash": [120.0, 900.0, 1300.0, 70.0, CREDIT_BALANCE],
        }
    )


def _segments() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kind": ["rfm", "rfm", "rfm", "cluster", "cluster"],
            "segment": ["champions", "loyal", "at_risk", "1", "2"],
            "name": ["champions", "loyal", "at risk", "value band 1", "value band 2"],
            "accounts": [1, 1, 1, 3, 3],
            "share": [1 / 6, 1 / 6, 1 / 6, 0.5, 0.5],
            "open_balance": [1500.0, 2000.0, 480.5, 3980.5, -74.75],
            "mean_clv": [5200.0, 4100.0, 900.0, 3400.0, 140.0],
            "mean_p_late": [0.20, 0.65, 0.85, 0.57, 0.33],
            "potential_spend": [5200.0, 4100.0, 900.0, 10200.0, 420.0],
            "potential_spend_low": [4000.0, 3000.0, 500.0, 7500.0, 150.0],
            "potential_spend_high": [6500.0, 5200.0, 1300.0, 13000.0, 800.0],
            "description": [
                "bought recently and often",
                "buys often",
                "used to buy, now overdue",
                "large, active accounts",
                '=HYPERLINK("http://example.invalid")',
            ],
        }
    )


def _rejects() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "file": ["ledger.csv", "ledger.csv"],
            "line": [17, 42],
            "column": ["amount", "due_date"],
            "value": ["-12,5O", "=cmd|'/C calc'!A0"],
            "reason": ["not a number", "not a date in format %d/%m/%Y"],
        }
    )


def _answers() -> dict[str, object]:
    """Return the answers in the shape the policy layer gives them."""
    return {
        "tier_sizes": [1, 2, 3],
        "revenue_potential": {
            "basis": "clv",
            "rows": [
                {"account_id": "A1", "tier": 1, "value": 5200.0, "low": 4000.0}
                | {"high": 6500.0},
                {"account_id": "A6", "tier": 2, "value": 4100.0, "low": 3000.0}
                | {"high": 5200.0},
            ],
        },
        "likely_to_convert": {
            "rows": [
                {
                    "account_id": "A1",
                    "tier": 1,
                    "kind": "buy_again",
                    "probability": 0.97,
                },
                {
                    "account_id": "L-9",
                    "tier": None,
                    "kind": "convert",
                    "probability": 0.81,
                },
                {
                    "account_id": "<img src=x onerror=alert(2)>",
                    "tier": None,
                    "kind": "convert",
                    "probability": 0.5,
                },
            ]
        },
        "work_first": {
            "tier1_accounts": 1,
            "rows": [
                {
                    "rank": 1,
                    "account_id": "A1",
                    "tier": 1,
                    "priority_score": 0.91,
                    "reasons": "high CLV; 60 days overdue",
                }
            ],
            "collections": [
                {
                    "position": 1,
                    "invoice_id": "F-003",
                    "account_id": "A3",
                    "open_amount": 480.50,
                    "days_past_due": 95,
                    "action": "escalate",
                    "channel": "escalation",
                    "expected_cash": 120.0,
                },
                {
                    "position": 2,
                    "invoice_id": "F-005",
                    "account_id": "A6",
                    "open_amount": 2000.00,
                    "days_past_due": 40,
                    "action": "call",
                    "channel": "phone",
                    "expected_cash": 1300.0,
                },
            ],
            "collection_actions_week1": 2,
        },
        "segment_potential": {
            "estimated": True,
            "rows": [
                {
                    "kind": "rfm",
                    "segment": "champions",
                    "name": "champions",
                    "accounts": 1,
                    "potential_spend": 5200.0,
                    "potential_spend_low": 4000.0,
                    "potential_spend_high": 6500.0,
                }
            ],
        },
    }


def build_result(lang: str = "en") -> RunResult:
    """Return the run result of the ledger described in this module's docstring."""
    return RunResult(
        as_of=AS_OF,
        accounts=_accounts(),
        open_items=_open_items(),
        rejects=_rejects(),
        worklist=_worklist(),
        segments=_segments(),
        answers=_answers(),
        run={
            "inputs": {"invoices": {"path": "ledger.csv", "rows": 7, "rejected": 2}},
            "timings_seconds": {"read": 0.12, "features": 0.4, "models": 2.5},
            "versions": {"cartera": "0.1.0"},
            "config": {"pyramid": {"shares": [0.1, 0.3, 0.6]}},
            "reporting_currency": "EUR",
        },
        lang=lang,
    )
