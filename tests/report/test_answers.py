from typing import Any

import pandas as pd
import pytest

from cartera.policy.answers import work_first
from cartera.report.answers import answer_tables

from .ledger import build_result


def test_policy_shapes_relabelled() -> None:
    answers = build_result("en").answers
    revenue = answer_tables(answers, "revenue_potential", "en")
    assert len(revenue) == 1
    assert revenue[0][0] is None
    assert list(revenue[0][1].columns) == [
        "account_id",
        "tier",
        "clv",
        "clv_low",
        "clv_high",
    ]

    likely = answer_tables(answers, "likely_to_convert", "es")[0][1]
    assert "kind" not in likely
    assert likely["chance"].tolist() == [
        "volver a comprar",
        "hacerse cliente",
        "hacerse cliente",
    ]

    work_first = answer_tables(answers, "work_first", "en")
    assert [heading for heading, _ in work_first] == [
        "Tier 1 accounts, in rank order",
        "Collection actions this week",
    ]
    assert work_first[0][1]["account_id"].tolist() == ["A1"]
    assert work_first[1][1]["invoice_id"].tolist() == ["F-003", "F-005"]

    segments = answer_tables(answers, "segment_potential", "en")[0][1]
    assert segments["segment_kind"].tolist() == ["RFM segments"]


@pytest.mark.parametrize(
    ("answers", "key", "rows"),
    [
        ({"revenue_potential": [{"account_id": "A1"}]}, "revenue_potential", 1),
        ({"segment_spend": {"rows": [{"segment": "x"}]}}, "segment_potential", 1),
        ({}, "work_first", 0),
        ({"likely_to_convert": {"rows": []}}, "likely_to_convert", 0),
        ({"work_first": {"accounts": [], "collections": []}}, "work_first", 0),
        ({"work_first": {"rows": [], "collections": []}}, "work_first", 0),
        ({"work_first": {"accounts": [{"account_id": "A"}]}}, "work_first", 1),
    ],
    ids=[
        "list-of-records",
        "old-key",
        "missing",
        "no-rows",
        "work-first-empty",
        "work-first-rows-empty",
        "work-first-accounts-key",
    ],
)
def test_answer_shapes(answers: dict[str, Any], key: str, rows: int) -> None:
    tables = answer_tables(answers, key, "en")
    assert sum(len(frame) for _, frame in tables) == rows


def test_work_first_from_policy_answer() -> None:
    # The policy layer's own output, as run.json stores it, not a hand-made shape.
    accounts = pd.DataFrame(
        {
            "rank": [1, 2, 3],
            "account_id": ["A", "B", "C"],
            "tier": [1, 1, 2],
            "priority_score": [90.0, 50.0, 10.0],
            "reasons": ["r1", "r2", "r3"],
        }
    )
    worklist = pd.DataFrame(
        {
            "position": [1],
            "week": [1],
            "invoice_id": ["F1"],
            "account_id": ["C"],
            "currency": ["EUR"],
            "open_amount": [100.0],
            "reporting_open_amount": [100.0],
            "days_past_due": [12],
            "action": ["reminder"],
            "channel": ["email"],
            "expected_cash": [80.0],
        }
    )
    answer = work_first(accounts, worklist)

    tables = answer_tables({"work_first": answer}, "work_first", "en")

    assert [heading for heading, _ in tables] == [
        "Tier 1 accounts, in rank order",
        "Collection actions this week",
    ]
    assert tables[0][1]["account_id"].tolist() == ["A", "B"]
    assert tables[1][1]["invoice_id"].tolist() == ["F1"]


def test_unknown_codes_kept() -> None:
    answers = {"likely_to_convert": {"rows": [{"kind": "renew", "probability": 0.5}]}}
    frame = answer_tables(answers, "likely_to_convert", "en")[0][1]
    assert frame["chance"].tolist() == ["renew"]
