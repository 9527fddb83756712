"""The four answers as data and as Markdown."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cartera.policy.answers import (
    likely_to_convert,
    render_answers,
    revenue_potential,
    work_first,
)


def _ranked(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base = {
        "account_id": [f"A{i}" for i in range(n)],
        "rank": list(range(1, n + 1)),
        "tier": [1] + [2] * (n - 1),
        "priority_score": [float(n - i) for i in range(n)],
        "reasons": ["r"] * n,
    }
    return pd.DataFrame({**base, **columns})


@pytest.mark.parametrize(
    ("columns", "basis", "first"),
    [
        (
            {"clv": [5.0, 9.0], "clv_low": [4.0, 8.0], "clv_high": [6.0, 10.0]},
            "clv",
            "A1",
        ),
        (
            {"expected_purchases": [2.0, 1.0], "expected_spend": [30.0, 50.0]},
            "expected_spend",
            "A0",
        ),
        ({"monetary": [10.0, 20.0]}, "monetary", "A1"),
    ],
    ids=["clv", "expected-spend", "past-spend"],
)
def test_revenue_potential_basis(columns, basis, first):
    answer = revenue_potential(_ranked(**columns))

    assert answer["basis"] == basis
    assert answer["rows"][0]["account_id"] == first


def test_revenue_potential_carries_the_interval():
    answer = revenue_potential(
        _ranked(clv=[5.0, 9.0], clv_low=[4.0, 8.0], clv_high=[6.0, 10.0])
    )

    assert answer["rows"][0]["low"] == 8.0
    assert answer["rows"][0]["high"] == 10.0


def test_likely_to_convert_picks_each_accounts_best_chance():
    accounts = _ranked(
        p_alive=[0.2, 0.6, np.nan],
        p_late=[0.1, 0.9, np.nan],
        open_balance=[100.0, 50.0, 0.0],
        is_prospect=[False, False, True],
        p_convert=[np.nan, np.nan, 0.7],
    )

    rows = likely_to_convert(accounts)["rows"]

    assert [(r["account_id"], r["kind"]) for r in rows] == [
        ("A0", "pay"),
        ("A2", "convert"),
        ("A1", "buy_again"),
    ]
    assert rows[0]["probability"] == pytest.approx(0.9)


def test_work_first_lists_tier_one_and_week_one():
    accounts = _ranked(clv=[1.0, 2.0, 3.0])
    worklist = pd.DataFrame(
        {
            "position": [1, 2],
            "week": [1, 2],
            "invoice_id": ["F1", "F2"],
            "account_id": ["A0", "A1"],
            "currency": ["USD", "EUR"],
            "open_amount": [100.0, 50.0],
            "reporting_open_amount": [92.0, 50.0],
            "days_past_due": [40, 10],
            "action": ["call", "reminder"],
            "channel": ["phone", "email"],
            "expected_cash": [80.0, 40.0],
        }
    )

    answer = work_first(accounts, worklist)

    assert answer["tier1_accounts"] == 1
    assert [r["account_id"] for r in answer["rows"]] == ["A0"]
    assert [r["invoice_id"] for r in answer["collections"]] == ["F1"]
    # Both amounts of a line are in the reporting currency.
    assert answer["collections"][0]["reporting_open_amount"] == 92.0
    assert "open_amount" not in answer["collections"][0]


def test_markdown_in_spanish_uses_spanish_numbers():
    accounts = _ranked(clv=[1234.5, 10.0])
    answers = {
        "tier_sizes": [1, 1, 0],
        "revenue_potential": revenue_potential(accounts),
        "likely_to_convert": {"rows": []},
        "work_first": work_first(accounts, None),
        "segment_potential": {"estimated": False, "rows": []},
    }

    text = render_answers(answers, "es")

    assert "1.234,50" in text
    assert "## 3. A quién trabajar primero esta semana" in text
    assert "gasto potencial no estimado" in text
