"""BG/NBD: published CDNOW fit, predictions and hard rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats
from scipy.special import hyp2f1

from cartera.errors import ModelError
from cartera.models.bgnbd import BetaGeoModel
from cartera.models.pareto import ParetoNBDModel
from cartera.models.simulate import simulate_bgnbd

# Fader, Hardie and Lee (2005), "Counting your customers the easy way",
# Marketing Science 24(2): the BG/NBD fit on the CDNOW 1/10 sample, weeks 1-39.
PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_LOG_LIKELIHOOD = -9582.4


def one_account(x: float, t_x: float, T: float) -> pd.DataFrame:
    return pd.DataFrame({"frequency": [x], "recency": [t_x], "T": [T]}, index=["A"])


@pytest.mark.realdata
def test_cdnow_fit_matches_published(cdnow_summary: pd.DataFrame) -> None:
    model = BetaGeoModel().fit(cdnow_summary)

    for name, value in PUBLISHED.items():
        assert model.params_[name] == pytest.approx(value, abs=5e-4), name
    assert model.log_likelihood_ == pytest.approx(PUBLISHED_LOG_LIKELIHOOD, abs=0.05)
    assert model.converged_
    assert model.n_groups_ < model.n_accounts_


def test_conditional_expectation_matches_published() -> None:
    """Fader, Hardie and Lee (2005), section 4: a customer with x = 2,
    t_x = 30.43 and T = 38.86 weeks is expected to make 1.226 purchases in the
    next 39 weeks under the published parameters."""
    model = BetaGeoModel.from_params(**PUBLISHED)
    expected = model.expected_purchases(one_account(2, 30.43, 38.86), 39.0)
    assert expected[0] == pytest.approx(1.226, abs=5e-4)


@pytest.mark.parametrize(
    ("x", "t_x", "T", "expected"),
    [
        pytest.param(0, 0.0, 38.86, 1.0, id="no-repeat-is-alive"),
        # 1 / (1 + a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x)), worked by hand.
        pytest.param(1, 38.86, 38.86, 1 / (1 + 0.793 / 2.426), id="bought-at-T"),
    ],
)
def test_p_alive(x: float, t_x: float, T: float, expected: float) -> None:
    model = BetaGeoModel.from_params(**PUBLISHED)
    assert model.p_alive(one_account(x, t_x, T))[0] == pytest.approx(expected)


def test_gradient_matches_finite_differences() -> None:
    params = np.array([0.243, 4.414, 0.793, 2.426])
    x = np.array([0.0, 1.0, 5.0, 200.0])
    t_x = np.array([0.0, 3.5, 20.0, 38.0])
    T = np.array([10.0, 20.0, 38.0, 39.0])
    rows, analytic = BetaGeoModel.log_likelihood_and_gradient(params, x, t_x, T)
    np.testing.assert_allclose(rows, BetaGeoModel.row_log_likelihood(params, x, t_x, T))
    step = 1e-6
    for i in range(4):
        shift = np.zeros(4)
        shift[i] = step * params[i]
        upper = BetaGeoModel.row_log_likelihood(params + shift, x, t_x, T)
        lower = BetaGeoModel.row_log_likelihood(params - shift, x, t_x, T)
        numeric = (upper - lower) / (2 * shift[i])
        np.testing.assert_allclose(analytic[:, i], numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("cls", [BetaGeoModel, ParetoNBDModel], ids=["bgnbd", "pareto"])
def test_b2b_account_among_ordinary_customers(
    cls: type[BetaGeoModel] | type[ParetoNBDModel],
) -> None:
    rng = np.random.default_rng(3)
    T = rng.integers(100, 273, size=1000) / 7
    ordinary = simulate_bgnbd(PUBLISHED, T, rng)
    b2b = pd.DataFrame({"frequency": [200.0], "recency": [38.0], "T": [39.0]})
    summary = pd.concat([ordinary, b2b], ignore_index=True)
    start = dict.fromkeys(cls.param_names, 1.0)

    model = cls(initial_params=start).fit(summary)

    assert np.isfinite(model.log_likelihood(summary)).all()
    assert not np.allclose(list(model.params_.values()), list(start.values()))
    assert np.isfinite(model.expected_purchases(summary, 52.18)).all()


def test_fit_recovers_simulated_parameters() -> None:
    rng = np.random.default_rng(11)
    truth = {"r": 0.5, "alpha": 6.0, "a": 0.7, "b": 3.0}
    summary = simulate_bgnbd(truth, rng.integers(180, 365, size=20_000) / 7, rng)
    model = BetaGeoModel().fit(summary)
    for name, value in truth.items():
        assert model.params_[name] == pytest.approx(value, rel=0.15), name


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({**PUBLISHED, "r": float("nan")}, id="nan-r"),
        pytest.param({**PUBLISHED, "alpha": float("inf")}, id="infinite-alpha"),
        pytest.param({**PUBLISHED, "b": -1.0}, id="negative-b"),
    ],
)
def test_non_finite_parameters_stop_prediction(params: dict[str, float]) -> None:
    model = BetaGeoModel.from_params(**params)
    with pytest.raises(ModelError, match="not a finite positive number"):
        model.expected_purchases(one_account(2, 30.43, 38.86), 39.0)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param(1.0, 2.426, id="a-equals-one"),
        pytest.param(5351.3, 39634.7, id="a-and-b-in-thousands"),
    ],
)
def test_closed_form_failures_use_quadrature(a: float, b: float) -> None:
    """Where scipy's 2F1 fails, the value matches direct integration over p."""
    params = {**PUBLISHED, "a": a, "b": b}
    model = BetaGeoModel.from_params(**params)
    account = one_account(2, 30.43, 38.86)
    expected = model.expected_purchases(account, 39.0)[0] / model.p_alive(account)[0]

    r, alpha = params["r"], params["alpha"]

    def purchases(p: float) -> float:
        base = alpha + 38.86
        count = 1 - (base / (base + p * 39.0)) ** (r + 2)
        return float(count / p * stats.beta.pdf(p, a, b + 2))

    mode = (a - 1) / (a + b)
    direct, _ = integrate.quad(purchases, 0, 1, points=[mode], limit=200)
    assert np.isfinite(expected)
    assert expected == pytest.approx(direct, rel=2e-3)


def test_new_customer_expectation_matches_closed_form() -> None:
    """E[X(t)] = (a+b-1)/(a-1) · [1 - (α/(α+t))^r 2F1(r, b; a+b-1; t/(α+t))],
    as given by Fader, Hardie and Lee (2005)."""
    r, alpha, a, b = (PUBLISHED[k] for k in ("r", "alpha", "a", "b"))
    t = np.array([1.0, 39.0, 78.0, 520.0])
    closed = (a + b - 1) / (a - 1)
    closed *= 1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t))
    model = BetaGeoModel.from_params(**PUBLISHED)
    np.testing.assert_allclose(model.expected_purchases_new(t), closed, rtol=1e-10)


@pytest.mark.parametrize("model_class", [BetaGeoModel, ParetoNBDModel])
def test_empty_summary_hint_names_cutoff_options(model_class: type) -> None:
    empty = one_account(1.0, 2.0, 10.0).iloc[:0]
    with pytest.raises(ModelError, match="no account to fit") as raised:
        model_class().fit(empty)
    assert "--calibration-end of the value commands" in str(raised.value.hint)
