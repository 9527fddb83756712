"""Priority score: growth, collection and prospect terms, weights and reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cartera.config import PriorityConfig
from cartera.policy.score import score_accounts


def _score(accounts, items=None, lang="en", **priority):
    scores, _ = score_accounts(
        accounts, items, PriorityConfig(**priority), margin=0.3, lang=lang
    )
    return scores


def test_growth_is_clv_times_p_alive():
    accounts = pd.DataFrame(
        {"account_id": ["A", "B"], "clv": [1000.0, 400.0], "p_alive": [0.5, 1.0]}
    )

    scores = _score(accounts)

    assert scores["growth_value"].tolist() == [500.0, 400.0]
    assert scores["priority_score"].tolist() == [500.0, 400.0]


def test_growth_without_clv_uses_expected_spend_margin():
    accounts = pd.DataFrame(
        {"account_id": ["A"], "expected_purchases": [4.0], "expected_spend": [50.0]}
    )

    assert _score(accounts)["growth_value"].iloc[0] == pytest.approx(60.0)


def test_recent_spend_halves_at_the_half_life():
    accounts = pd.DataFrame(
        {
            "account_id": ["A", "B"],
            "monetary": [1000.0, 1000.0],
            "recency_days": [0, 90],
        }
    )

    scores = _score(accounts, growth_basis="recent_spend")

    # margin 0.3: 300 for a purchase today, half that one half-life ago.
    assert scores["growth_value"].tolist() == pytest.approx([300.0, 150.0])


def test_purchases_only_without_models_uses_recent_spend():
    accounts = pd.DataFrame(
        {
            "account_id": ["A"],
            "monetary": [500.0],
            "recency_days": [0.0],
            "frequency": [3],
        }
    )

    scores = _score(accounts)

    assert scores["growth_value"].iloc[0] == pytest.approx(150.0)
    assert scores["collection_value"].iloc[0] == 0.0
    assert "recent spend" in scores["reasons"].iloc[0]


@pytest.mark.parametrize(
    ("days", "p_late", "expected"),
    [
        (90, np.nan, 50.0),  # overdue without p_late: p = 1, one half-life
        (0, 0.4, 40.0),  # not yet due: the invoice's p_late
        (180, 0.5, 12.5),  # p_late given and two half-lives
        (-10, np.nan, 0.0),  # not due, no risk information: no value
    ],
    ids=["overdue", "current-risky", "old-with-p", "current-unknown"],
)
def test_collection_per_item(days, p_late, expected):
    accounts = pd.DataFrame({"account_id": ["A"]})
    items = pd.DataFrame(
        {
            "invoice_id": ["F1"],
            "account_id": ["A"],
            "open_amount": [100.0],
            "days_past_due": [days],
            "p_late": [p_late],
        }
    )

    assert _score(accounts, items)["collection_value"].iloc[0] == pytest.approx(
        expected
    )


def test_collection_uses_reporting_amount():
    # A 100,000 JPY invoice worth 600 EUR, one day past due with p_late 1.
    accounts = pd.DataFrame({"account_id": ["A"]})
    items = pd.DataFrame(
        {
            "invoice_id": ["F1"],
            "account_id": ["A"],
            "open_amount": [100000.0],
            "reporting_open_amount": [600.0],
            "days_past_due": [0],
            "p_late": [1.0],
        }
    )

    assert _score(accounts, items)["collection_value"].iloc[0] == pytest.approx(600.0)


def test_current_item_falls_back_to_account_p_late():
    accounts = pd.DataFrame({"account_id": ["A"], "p_late": [0.25]})
    items = pd.DataFrame(
        {
            "invoice_id": ["F1"],
            "account_id": ["A"],
            "open_amount": [200.0],
            "days_past_due": [0],
        }
    )

    assert _score(accounts, items)["collection_value"].iloc[0] == pytest.approx(50.0)


def test_receivables_only_from_ageing_buckets():
    accounts = pd.DataFrame(
        {
            "account_id": ["A"],
            "aging_current": [100.0],
            "aging_1_30": [0.0],
            "aging_31_60": [0.0],
            "aging_61_90": [0.0],
            "aging_over_90": [200.0],
            "overdue_balance": [200.0],
            "share_paid_late": [0.5],
        }
    )

    scores = _score(accounts)

    # 100 current at p 0.5, plus 200 at 120 days: 200 * 0.5 ** (120 / 90).
    expected = 50.0 + 200.0 * 0.5 ** (120 / 90)
    assert scores["collection_value"].iloc[0] == pytest.approx(expected)
    assert scores["growth_value"].iloc[0] == 0.0


def test_prospect_value_and_weights():
    accounts = pd.DataFrame(
        {
            "account_id": ["L1", "A"],
            "is_prospect": [True, False],
            "p_convert": [0.4, np.nan],
            "expected_first_year_value": [1000.0, np.nan],
            "clv": [np.nan, 100.0],
        }
    )

    scores = _score(accounts, prospect_weight=0.5, growth_weight=2.0)

    assert scores["prospect_value"].tolist() == [400.0, 0.0]
    assert scores["priority_score"].tolist() == [200.0, 200.0]
    assert "prospect" in scores["reasons"].iloc[0]


@pytest.mark.parametrize(
    ("lang", "reason"),
    [
        (
            "en",
            "prospect: 80% chance to convert, first-year value unknown "
            "(no customer purchases)",
        ),
        (
            "es",
            "prospecto: 80 % de probabilidad de conversión, valor del primer año "
            "desconocido (sin compras de clientes)",
        ),
    ],
    ids=["en", "es"],
)
def test_prospect_without_first_year_value(lang, reason):
    accounts = pd.DataFrame(
        {
            "account_id": ["L1", "L2"],
            "is_prospect": [True, True],
            "p_convert": [0.8, 0.3],
            "expected_first_year_value": [np.nan, np.nan],
        }
    )

    scores = _score(accounts, lang=lang)

    # A missing first-year value counts as 1, so prospects rank by p_convert.
    assert scores["prospect_value"].tolist() == pytest.approx([0.8, 0.3])
    assert scores["reasons"].iloc[0] == reason


def test_at_most_three_reasons_most_money_first():
    accounts = pd.DataFrame(
        {
            "account_id": ["A"],
            "clv": [1000.0],
            "p_alive": [0.9],
            "p_late": [0.8],
            "overdue_balance": [50.0],
            "aging_over_90": [50.0],
            "aging_current": [10.0],
            "dispute_rate": [0.5],
        }
    )

    reasons = _score(accounts)["reasons"].iloc[0].split("; ")

    assert len(reasons) == 3
    assert reasons[0] == "expected future margin 900.00"


def test_reasons_in_spanish():
    accounts = pd.DataFrame(
        {"account_id": ["A"], "clv": [1234.5], "overdue_balance": [2000.0]}
    )
    items = pd.DataFrame(
        {
            "invoice_id": ["F1"],
            "account_id": ["A"],
            "open_amount": [2000.0],
            "days_past_due": [5],
        }
    )

    reasons = _score(accounts, items, lang="es")["reasons"].iloc[0]

    assert "2.000,00 vencido" in reasons
    assert "margen futuro esperado 1.234,50" in reasons


def test_account_with_nothing_at_stake():
    accounts = pd.DataFrame({"account_id": ["A"]})

    scores = _score(accounts)

    assert scores["priority_score"].iloc[0] == 0.0
    assert scores["reasons"].iloc[0] == "no money at stake found"


@pytest.mark.parametrize(
    ("minor_units", "parts", "score"),
    [
        (2, [217.35, 33.33, 0.0], 250.68),
        (0, [217.0, 33.0, 0.0], 250.0),
        (None, [217.354, 33.333, 0.0], 250.687),
    ],
    ids=["cents", "whole-units", "unrounded"],
)
def test_score_is_sum_of_rounded_parts(minor_units, parts, score):
    # Hand-worked: growth 217.354 x 1; collection 100.00 x p_late 0.33333 x 0.5**0.
    accounts = pd.DataFrame({"account_id": ["A"], "clv": [217.354], "p_alive": [1.0]})
    items = pd.DataFrame(
        {
            "account_id": ["A"],
            "open_amount": [100.0],
            "days_past_due": [0],
            "p_late": [0.33333],
        }
    )

    scores, _ = score_accounts(
        accounts, items, PriorityConfig(), margin=0.3, minor_units=minor_units
    )

    columns = ["growth_value", "collection_value", "prospect_value"]
    assert scores[columns].iloc[0].tolist() == pytest.approx(parts, abs=1e-9)
    assert scores["priority_score"].iloc[0] == pytest.approx(score, abs=1e-9)
    if minor_units is not None:
        assert scores["priority_score"].iloc[0] == round(sum(parts), minor_units)
