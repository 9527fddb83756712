"""fit_value: the value columns of each account and segment potential."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from cartera.config import ValueConfig
from cartera.errors import InputError
from cartera.models.value import SEGMENT_COLUMNS, VALUE_COLUMNS, ValueResult, fit_value

AS_OF = date(2024, 12, 31)


def synthetic_ledger(accounts: int, seed: int) -> pd.DataFrame:
    """Orders over two years at account-specific rates, with some returns."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(accounts):
        start = pd.Timestamp("2023-01-01") + pd.Timedelta(
            days=int(rng.integers(0, 300))
        )
        rate = rng.gamma(0.8, 1 / 20)  # orders a day
        life = rng.exponential(400)  # days
        day = 0.0
        while day <= min(life, (pd.Timestamp(AS_OF) - start).days):
            amount = round(float(rng.gamma(4, 10)), 2)
            rows.append((f"C{i:04d}", start + pd.Timedelta(days=int(day)), amount))
            if rng.random() < 0.05:
                when = start + pd.Timedelta(days=int(day) + 3)
                rows.append((f"C{i:04d}", when, -amount))
            day += rng.exponential(1 / rate)
    rows.append(("RETURNS-ONLY", pd.Timestamp("2024-03-01"), -20.0))
    return pd.DataFrame(rows, columns=["account_id", "date", "amount"])


@pytest.fixture(scope="module")
def ledger() -> pd.DataFrame:
    return synthetic_ledger(400, seed=1)


@pytest.fixture(scope="module")
def result(ledger: pd.DataFrame) -> ValueResult:
    return fit_value(ledger, AS_OF, ValueConfig(draws=40))


def test_value_columns_for_every_account(
    ledger: pd.DataFrame, result: ValueResult
) -> None:
    accounts = result.accounts
    assert list(accounts.columns) == list(VALUE_COLUMNS)
    assert set(accounts["account_id"]) == set(ledger["account_id"])
    values = accounts.drop(columns="account_id")
    assert np.isfinite(values.to_numpy()).all()
    assert (values >= 0).all().all()


def test_clv_within_its_interval(result: ValueResult) -> None:
    accounts = result.accounts
    assert (accounts["clv_low"] <= accounts["clv"]).all()
    assert (accounts["clv"] <= accounts["clv_high"]).all()
    assert (accounts["clv_high"] > accounts["clv_low"]).any()


def test_returns_only_account_gets_zero(result: ValueResult) -> None:
    row = result.accounts.set_index("account_id").loc["RETURNS-ONLY"]
    assert (row == 0).all()


def test_best_model_chosen_on_holdout(result: ValueResult) -> None:
    assert result.check is not None
    assert result.model == result.check.best
    assert result.model in {"bgnbd", "pareto"}


def test_small_holdout_falls_back_to_bgnbd(ledger: pd.DataFrame) -> None:
    config = ValueConfig(draws=20, min_holdout_purchases=1_000_000)
    result = fit_value(ledger, AS_OF, config)
    assert result.check is None
    assert result.model == "bgnbd"


@pytest.mark.parametrize("model", ["bgnbd", "pareto"])
def test_configured_model_is_used(ledger: pd.DataFrame, model: str) -> None:
    result = fit_value(ledger, AS_OF, ValueConfig(model=model, draws=20))  # type: ignore[arg-type]
    assert result.model == model
    assert result.check is None


def test_segment_potential_adds_up(result: ValueResult) -> None:
    accounts = result.accounts.set_index("account_id")
    segment = pd.Series(
        np.where(accounts["clv"] > accounts["clv"].median(), "high", "low"),
        index=accounts.index,
    )
    table = result.segment_potential(segment)
    expected = (
        (accounts["expected_purchases"] * accounts["expected_spend"])
        .groupby(segment)
        .sum()
    )

    assert list(table.columns) == list(SEGMENT_COLUMNS)
    assert list(table["segment"]) == ["high", "low"]
    assert table["accounts"].sum() == len(accounts)
    np.testing.assert_allclose(table["potential_spend"], expected.loc[["high", "low"]])
    assert (table["potential_spend_low"] <= table["potential_spend"]).all()
    assert (table["potential_spend"] <= table["potential_spend_high"]).all()


def test_no_purchase_before_as_of_raises(ledger: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="no account has a purchase"):
        fit_value(ledger, date(2022, 1, 1), ValueConfig(draws=20))


@pytest.mark.realdata
def test_cdnow_value_columns(cdnow_transactions: pd.DataFrame) -> None:
    result = fit_value(cdnow_transactions, date(1998, 6, 30), ValueConfig(draws=40))
    accounts = result.accounts

    assert len(accounts) == 2357
    assert result.check is not None
    assert np.isfinite(accounts.drop(columns="account_id").to_numpy()).all()
    # Mean spend per purchase of the CDNOW sample is in the tens of dollars.
    assert 20 < accounts["expected_spend"].median() < 60
    assert accounts["p_alive"].between(0, 1).all()
