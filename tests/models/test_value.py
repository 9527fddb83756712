"""fit_value: the value columns of each account and segment potential."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cartera.config import TableSource, ValueConfig
from cartera.errors import DataQualityWarning, InputError, ModelError
from cartera.io import read_table
from cartera.models.simulate import simulate_transactions
from cartera.models.value import (
    SEGMENT_COLUMNS,
    VALUE_COLUMNS,
    ValueResult,
    _over_draws,
    fit_value,
)

AS_OF = date(2024, 12, 31)


def synthetic_ledger(accounts: int, seed: int) -> pd.DataFrame:
    """Purchases over two years, 5 % of them returned 3 days later."""
    rng = np.random.default_rng(seed)
    sales = simulate_transactions(accounts, "2023-01-01", AS_OF.isoformat(), rng)
    returned = sales[rng.random(len(sales)) < 0.05].copy()
    returned["date"] += pd.Timedelta(days=3)
    returned["amount"] *= -1
    returns_only = pd.DataFrame(
        {
            "account_id": ["RETURNS-ONLY"],
            "date": [pd.Timestamp("2024-03-01")],
            "amount": [-20.0],
        }
    )
    frame = pd.concat([sales, returned, returns_only], ignore_index=True)
    return frame[frame["date"] <= pd.Timestamp(AS_OF)]


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


# Seven months of history do not identify the dropout parameters a and b.
@pytest.mark.filterwarnings("ignore::cartera.errors.ConvergenceWarning")
def test_accounts_after_as_of_left_out(ledger: pd.DataFrame) -> None:
    as_of = date(2023, 7, 31)
    result = fit_value(ledger, as_of, ValueConfig(model="bgnbd", draws=20))
    known = ledger.loc[ledger["date"] <= pd.Timestamp(as_of), "account_id"]
    assert set(result.accounts["account_id"]) == set(known)
    assert ledger["account_id"].nunique() > len(result.accounts)


@pytest.mark.parametrize(
    ("failing", "kept"),
    [pytest.param(1, 3, id="one-of-four-left-out"), pytest.param(3, 0, id="too-many")],
)
def test_draws_with_non_finite_predictions(failing: int, kept: int) -> None:
    draws = (np.arange(4.0).reshape(4, 1), np.zeros((4, 1)))

    def predict(purchase: np.ndarray, spend: np.ndarray) -> np.ndarray:
        if purchase[0] < failing:
            raise ModelError("the prediction is not finite for account A")
        return purchase

    if kept:
        with pytest.warns(DataQualityWarning, match="1 of 4 parameter draws"):
            rows = _over_draws(predict, draws)
        assert rows.shape == (kept, 1)
    else:
        with pytest.raises(ModelError, match="only 1 of 4 parameter draws"):
            _over_draws(predict, draws)


# The retail sample shows no dropout, so the dropout parameters are not
# identified and the fit warns about them.
@pytest.mark.realdata
@pytest.mark.filterwarnings("ignore::cartera.errors.ConvergenceWarning")
def test_online_retail_value_columns(data_dir: Path) -> None:
    """Invoice lines with cancellations: returns never create purchases."""
    source = TableSource(columns={"amount": "Quantity * UnitPrice"})
    path = data_dir / "online_retail" / "online_retail_sample_customers_mod10.csv"
    frame = read_table(path, "transactions", source).frame
    config = ValueConfig(model="bgnbd", unit="days", draws=40)

    result = fit_value(frame, date(2011, 12, 9), config)
    accounts = result.accounts

    assert len(accounts) == frame["account_id"].nunique()
    assert np.isfinite(accounts.drop(columns="account_id").to_numpy()).all()
    assert (accounts["clv_low"] <= accounts["clv"]).all()
    assert (accounts["clv"] <= accounts["clv_high"]).all()
    assert result.summary["return_rate"].max() > 0
