"""apply_policy end to end: ranked accounts, worklist, segments and answers."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from cartera.config import Config
from cartera.engine import Workspace
from cartera.errors import ConfigError, InputError
from cartera.policy import apply_policy
from cartera.policy.history import previous_tiers, record_tiers

AS_OF = date(2024, 3, 31)


def _book(n: int = 60, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = [f"C{i:03d}" for i in range(n)]
    accounts = pd.DataFrame(
        {
            "account_id": ids,
            "open_balance": rng.gamma(2.0, 100.0, n).round(2),
            "overdue_balance": (rng.gamma(1.0, 60.0, n) * (rng.random(n) < 0.5)).round(
                2
            ),
            "recency_days": rng.integers(1, 300, n).astype(float),
            "frequency": rng.integers(1, 12, n),
            "monetary": rng.gamma(2.0, 300.0, n).round(2),
            "clv": rng.gamma(2.0, 150.0, n),
            "clv_low": 0.0,
            "clv_high": 1000.0,
            "p_alive": rng.uniform(0.05, 0.99, n),
            "p_late": rng.uniform(0.0, 1.0, n),
            "household": rng.choice(["family", "single"], n),
        }
    )
    items = pd.DataFrame(
        {
            "invoice_id": [f"F{i:04d}" for i in range(120)],
            "account_id": rng.choice(ids, 120),
            "currency": "EUR",
            "amount": 100.0,
            "open_amount": rng.gamma(2.0, 40.0, 120).round(2),
            "days_past_due": rng.integers(-30, 150, 120),
            "bucket": "n/a",
        }
    )
    return accounts, items


def test_ranked_accounts_have_tiers_and_reasons():
    accounts, items = _book()

    result = apply_policy(accounts, items, Config(), as_of=AS_OF)

    ranked = result.accounts
    assert ranked["rank"].tolist() == list(range(1, 61))
    assert ranked["tier"].value_counts().sort_index().tolist() == [6, 18, 36]
    assert ranked["priority_score"].is_monotonic_decreasing
    assert ranked["previous_tier"].isna().all()
    assert ranked["reasons"].str.len().gt(0).all()
    for column in ("attribute_segment", "rfm_segment", "cluster_segment"):
        assert ranked[column].notna().all(), column
    assert list(ranked.columns[:5]) == [
        "account_id",
        "rank",
        "tier",
        "previous_tier",
        "priority_score",
    ]


def test_worklist_lines_are_overdue_open_items():
    accounts, items = _book()

    result = apply_policy(accounts, items, Config(), as_of=AS_OF)

    overdue = items[(items["days_past_due"] >= 1) & (items["open_amount"] > 0)]
    assert len(result.worklist) == len(overdue)
    assert result.worklist["open_amount"].sum() == pytest.approx(
        overdue["open_amount"].sum()
    )
    assert result.worklist["tier"].notna().all()


def test_answers_are_json_ready_and_rendered():
    accounts, items = _book()

    result = apply_policy(accounts, items, Config(), as_of=AS_OF)

    text = json.dumps(result.answers, allow_nan=False)
    assert "revenue_potential" in text
    assert result.answers["work_first"]["tier1_accounts"] == 6
    assert result.answers["segment_potential"]["estimated"] is False
    for heading in ("## 1.", "## 2.", "## 3.", "## 4."):
        assert heading in result.answers_md


def test_spanish_output():
    accounts, items = _book()

    result = apply_policy(accounts, items, Config(), as_of=AS_OF, lang="es")

    assert result.answers_md.startswith("# Las cuatro respuestas")
    assert result.accounts["cluster_segment"].str.startswith("banda de valor").all()
    rfm_names = result.segments.loc[result.segments["segment_kind"] == "rfm", "name"]
    assert rfm_names.isin(
        ["campeones", "leales", "nuevos", "prometedores", "en riesgo", "hibernando"]
    ).all()


def test_unknown_language_is_a_config_error():
    accounts, items = _book()

    with pytest.raises(ConfigError, match="fr"):
        apply_policy(accounts, items, Config(), as_of=AS_OF, lang="fr")


def test_duplicate_account_is_an_input_error():
    accounts, items = _book()
    accounts.loc[1, "account_id"] = accounts.loc[0, "account_id"]

    with pytest.raises(InputError, match="C000"):
        apply_policy(accounts, items, Config(), as_of=AS_OF)


def test_purchases_only():
    accounts, _ = _book()
    purchases = accounts[["account_id", "recency_days", "frequency", "monetary"]]

    result = apply_policy(purchases, None, Config(), as_of=AS_OF)

    assert result.worklist.empty
    assert (result.accounts["growth_value"] > 0).all()
    assert result.answers["revenue_potential"]["basis"] == "monetary"


def test_receivables_only():
    accounts, items = _book()
    receivables = accounts[["account_id", "open_balance", "overdue_balance"]]

    result = apply_policy(receivables, items, Config(), as_of=AS_OF)

    assert len(result.worklist) > 0
    assert (result.accounts["growth_value"] == 0).all()
    assert set(result.accounts["rfm_segment"]) == {"no_purchases"}


def test_prospects_rank_with_accounts():
    accounts, items = _book()
    leads = pd.DataFrame(
        {
            "account_id": ["L1", "L2"],
            "is_prospect": [True, True],
            "p_convert": [0.9, 0.1],
            "expected_first_year_value": [100000.0, 10.0],
        }
    )
    book = pd.concat([accounts.assign(is_prospect=False), leads], ignore_index=True)

    result = apply_policy(book, items, Config(), as_of=AS_OF)

    ranked = result.accounts.set_index("account_id")
    assert ranked.loc["L1", "rank"] == 1
    assert ranked.loc["L2", "tier"] == 3


def test_capacity_mode_sizes_tier_one():
    accounts, items = _book(n=200)
    config = Config.model_validate(
        {
            "pyramid": {"mode": "capacity"},
            "capacity": {
                "contacts_minutes_per_week": 300,
                "minutes_per_contact": {"1": 30, "2": 5},
            },
        }
    )

    result = apply_policy(accounts, items, config, as_of=AS_OF)

    # 150 minutes / 30 = 5 close contacts; 150 / 5 = 30 touches.
    assert result.sizes.as_list() == [5, 30, 165]
    assert (result.accounts["tier"] == 1).sum() == 5


def test_history_round_trip_applies_hysteresis(tmp_path):
    accounts, items = _book()
    workspace = Workspace(tmp_path / "book.duckdb")
    try:
        first = apply_policy(accounts, items, Config(), as_of=date(2024, 2, 29))
        record_tiers(workspace, first.accounts, date(2024, 2, 29))

        # Small score changes: with a wide margin no account changes tier.
        moved = accounts.assign(clv=accounts["clv"] * 1.02)
        previous = previous_tiers(workspace, AS_OF)
        config = Config.model_validate({"pyramid": {"hysteresis_margin": 0.5}})
        second = apply_policy(moved, items, config, as_of=AS_OF, previous=previous)
    finally:
        workspace.close()

    merged = second.accounts.set_index("account_id")
    assert merged["previous_tier"].notna().all()
    assert (merged["tier"] == merged["previous_tier"]).all()
