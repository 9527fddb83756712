"""Gamma-Gamma: published CDNOW fit and the accounts left out of it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cartera.errors import ModelError
from cartera.models.gammagamma import (
    GammaGammaModel,
    SpendStatistics,
    row_log_likelihood,
)
from cartera.models.simulate import simulate_spend

# Fader, Hardie and Lee (2005), "RFM and CLV: using iso-value curves for customer
# base analysis", Journal of Marketing Research 42(4): the spend model fitted on
# the 946 CDNOW sample customers with a repeat purchase in weeks 1-39.
PUBLISHED = {"p": 6.25, "q": 3.74, "gamma": 15.44}


@pytest.mark.realdata
def test_cdnow_fit_matches_published(cdnow_summary: pd.DataFrame) -> None:
    model = GammaGammaModel().fit(cdnow_summary)

    assert model.n_accounts_ == 946
    for name, value in PUBLISHED.items():
        assert model.params_[name] == pytest.approx(value, abs=5e-3), name
    assert model.converged_


def spend_summary(rng: np.random.Generator, n: int) -> pd.DataFrame:
    frequency = rng.integers(1, 8, size=n).astype(float)
    return pd.DataFrame(
        {
            "frequency": frequency,
            "monetary_value": simulate_spend(PUBLISHED, frequency, rng),
        },
        index=[f"acc{i}" for i in range(n)],
    )


def test_zero_repeat_and_zero_spend_left_out() -> None:
    rng = np.random.default_rng(5)
    fitted_rows = spend_summary(rng, 500)
    left_out = pd.DataFrame(
        {"frequency": [0.0, 3.0], "monetary_value": [0.0, 0.0]},
        index=["no-repeat", "zero-spend"],
    )
    with_extra = GammaGammaModel().fit(pd.concat([fitted_rows, left_out]))
    without = GammaGammaModel().fit(fitted_rows)

    assert with_extra.n_accounts_ == 500
    for name in PUBLISHED:
        assert with_extra.params_[name] == pytest.approx(without.params_[name])
    spend = with_extra.expected_spend(left_out)
    np.testing.assert_allclose(spend, with_extra.population_mean())


def test_population_mean_formula() -> None:
    model = GammaGammaModel.from_params(**PUBLISHED)
    assert model.population_mean() == pytest.approx(6.25 * 15.44 / 2.74)


def test_conditional_mean_moves_toward_own_spend() -> None:
    model = GammaGammaModel.from_params(**PUBLISHED)
    summary = pd.DataFrame(
        {"frequency": [1.0, 20.0], "monetary_value": [100.0, 100.0]},
        index=["one", "many"],
    )
    spend = model.expected_spend(summary)
    population = model.population_mean()
    assert population < spend[0] < spend[1] < 100.0


def test_fit_recovers_simulated_parameters() -> None:
    rng = np.random.default_rng(9)
    model = GammaGammaModel().fit(spend_summary(rng, 20_000))
    for name, value in PUBLISHED.items():
        assert model.params_[name] == pytest.approx(value, rel=0.15), name


def test_infinite_mean_spend_raises() -> None:
    model = GammaGammaModel.from_params(p=6.25, q=0.9, gamma=15.44)
    with pytest.raises(ModelError, match=r"q=0\.9 is at most 1"):
        model.population_mean()


def test_too_few_repeat_accounts_raises() -> None:
    summary = pd.DataFrame({"frequency": [0.0, 2.0], "monetary_value": [0.0, 10.0]})
    with pytest.raises(ModelError, match="1 accounts have a repeat purchase"):
        GammaGammaModel().fit(summary)


def spend_statistics() -> SpendStatistics:
    x = np.array([1.0, 2.0, 7.0, 40.0, 2.0, 1.0])
    m = np.array([12.5, 30.0, 55.2, 80.0, 30.0, 3.1])
    return SpendStatistics(x, m)


def test_statistics_value_equals_row_sum() -> None:
    statistics = spend_statistics()
    params = np.array([6.25, 3.74, 15.44])
    rows = row_log_likelihood(params, statistics.x, statistics.spend)
    value, _, _ = statistics.evaluate(params)
    assert value == pytest.approx(rows.sum(), rel=1e-12)


@pytest.mark.parametrize("order", [1, 2], ids=["gradient", "hessian"])
def test_statistics_derivatives_match_finite_differences(order: int) -> None:
    statistics = spend_statistics()
    theta = np.log(np.array([6.25, 3.74, 15.44]))
    step = 1e-6

    def lower_order(point: np.ndarray) -> np.ndarray:
        # A fresh object each time, so the cached last point is not reused.
        fresh = SpendStatistics(statistics.x, statistics.spend)
        return np.asarray(fresh.log_scale(point)[order - 1])

    analytic = statistics.log_scale(theta)[order]
    for i in range(3):
        shift = np.zeros(3)
        shift[i] = step
        numeric = (lower_order(theta + shift) - lower_order(theta - shift)) / (2 * step)
        np.testing.assert_allclose(analytic[i], numeric, rtol=1e-6, atol=1e-6)
