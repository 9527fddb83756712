"""Pareto/NBD: published CDNOW fit, the closed form against quadrature, extremes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import integrate
from scipy.special import gammaln

from cartera.errors import ModelError
from cartera.models.clv import discounted_purchases
from cartera.models.pareto import ParetoNBDModel

# Fader, Hardie and Lee (2005), "RFM and CLV: using iso-value curves for customer
# base analysis", Journal of Marketing Research 42(4): the Pareto/NBD fit on the
# CDNOW 1/10 sample, weeks 1-39, log-likelihood -9594.98.
PUBLISHED = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
PUBLISHED_LOG_LIKELIHOOD = -9594.98
# Parameters from a fit that ran to the edge of the parameter space: a dropout
# rate with mean s/beta of 0.008 a week and a very small spread.
EXTREME = {"r": 0.533, "alpha": 38.06, "s": 64.28, "beta": 7721.5}


def one_account(x: float, t_x: float, T: float) -> pd.DataFrame:
    return pd.DataFrame({"frequency": [x], "recency": [t_x], "T": [T]}, index=["A"])


@pytest.mark.realdata
def test_cdnow_fit_matches_published(cdnow_summary: pd.DataFrame) -> None:
    model = ParetoNBDModel().fit(cdnow_summary)

    for name, value in PUBLISHED.items():
        assert model.params_[name] == pytest.approx(value, abs=5e-4), name
    assert model.log_likelihood_ == pytest.approx(PUBLISHED_LOG_LIKELIHOOD, abs=0.005)
    assert model.converged_


def likelihood_by_quadrature(
    params: dict[str, float], x: float, t_x: float, T: float
) -> float:
    """Pareto/NBD likelihood with the dropout integral done numerically.

    L = Γ(r+x) α^r β^s / Γ(r) · [(α+T)^-(r+x) (β+T)^-s
        + s ∫_{t_x}^T (α+τ)^-(r+x) (β+τ)^-(s+1) dτ]
    (Fader, Hardie and Lee 2005, "A note on deriving the Pareto/NBD model").
    """
    r, alpha, s, beta = (params[k] for k in ("r", "alpha", "s", "beta"))
    log_c = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    # Scale the integrand by its value at t_x so quad works near 1.
    log_scale = -(r + x) * np.log(alpha + t_x) - (s + 1) * np.log(beta + t_x)

    def integrand(tau: float) -> float:
        log_value = -(r + x) * np.log(alpha + tau) - (s + 1) * np.log(beta + tau)
        return float(np.exp(log_value - log_scale))

    scaled, _ = integrate.quad(integrand, t_x, T, epsabs=0, epsrel=1e-12, limit=200)
    alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    dropped = np.log(s) + log_scale + np.log(scaled) if scaled > 0 else -np.inf
    return float(log_c + np.logaddexp(alive, dropped))


@pytest.mark.parametrize(
    "params",
    [
        pytest.param(PUBLISHED, id="alpha-below-beta"),
        pytest.param({**PUBLISHED, "alpha": 15.0}, id="alpha-above-beta"),
        pytest.param({**PUBLISHED, "alpha": 11.669}, id="alpha-equals-beta"),
        pytest.param(EXTREME, id="extreme"),
    ],
)
@pytest.mark.parametrize(
    ("x", "t_x", "T"),
    [
        pytest.param(0, 0.0, 38.86, id="no-repeat"),
        pytest.param(2, 30.43, 38.86, id="ordinary"),
        pytest.param(1, 20.0, 145.7, id="long-silence"),
        pytest.param(200, 38.0, 39.0, id="b2b"),
        pytest.param(3, 10.0, 10.0, id="bought-at-T"),
    ],
)
def test_log_likelihood_matches_quadrature(
    params: dict[str, float], x: float, t_x: float, T: float
) -> None:
    vector = np.array([params[k] for k in ParetoNBDModel.param_names])
    closed = ParetoNBDModel.row_log_likelihood(
        vector, np.array([x]), np.array([t_x]), np.array([T])
    )
    assert closed[0] == pytest.approx(
        likelihood_by_quadrature(params, x, t_x, T), abs=1e-8
    )


def test_extreme_discounted_purchases_are_bounded() -> None:
    """x = 1, t_x = 20, T = 145.7 weeks, discounted at 0.0019 a week.

    While alive the account buys at the posterior mean rate (r+x)/(α+T) a
    week, so discounted purchases cannot exceed that rate / 0.0019 = 4.39.
    """
    model = ParetoNBDModel.from_params(**EXTREME)
    account = one_account(1, 20.0, 145.7)
    bound = (EXTREME["r"] + 1) / (EXTREME["alpha"] + 145.7) / 0.0019

    total = discounted_purchases(
        lambda t: model.expected_purchases(account, t), 100 * 52.18, 1.0, 0.0019
    )

    assert bound == pytest.approx(4.39, abs=0.005)
    assert np.isfinite(total).all()
    assert 0 < total[0] <= bound
    assert 0 < model.p_alive(account)[0] < 1


@pytest.mark.parametrize("name", ["r", "alpha", "s", "beta"])
def test_non_finite_parameter_stops_prediction(name: str) -> None:
    model = ParetoNBDModel.from_params(**{**EXTREME, name: float("nan")})
    with pytest.raises(ModelError, match=f"{name}=nan is not a finite positive"):
        model.expected_purchases(one_account(1, 20.0, 145.7), 52.0)


def test_s_equal_one_takes_the_limit() -> None:
    account = one_account(2, 30.43, 38.86)
    at_one = ParetoNBDModel.from_params(**{**PUBLISHED, "s": 1.0})
    near_one = ParetoNBDModel.from_params(**{**PUBLISHED, "s": 1.0 + 1e-6})
    assert at_one.expected_purchases(account, 39.0)[0] == pytest.approx(
        near_one.expected_purchases(account, 39.0)[0], rel=1e-5
    )


def test_new_customer_expectation_matches_closed_form() -> None:
    """E[X(t)] = rβ / (α(s-1)) · [1 - (β/(β+t))^(s-1)] (Schmittlein, Morrison
    and Colombo 1987)."""
    r, alpha, s, beta = (PUBLISHED[k] for k in ("r", "alpha", "s", "beta"))
    t = np.array([1.0, 39.0, 78.0, 520.0])
    closed = r * beta / (alpha * (s - 1)) * (1 - (beta / (beta + t)) ** (s - 1))
    model = ParetoNBDModel.from_params(**PUBLISHED)
    np.testing.assert_allclose(model.expected_purchases_new(t), closed, rtol=1e-10)
