"""Gamma-Gamma: the model of spend per purchase.

Each purchase of a customer is ``Gamma(p, ν)``, and ``ν ~ Gamma(q, γ)`` across
customers, so the mean of ``x`` repeat purchases ``m`` has the closed-form
density of Fader, Hardie and Lee (2005):

    f(m | p, q, γ, x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q m^(px-1) x^(px) / (γ+mx)^(px+q)

Rules:

1. Only accounts with at least one repeat purchase and a positive mean repeat
   spend are fitted. The first purchase is left out, as Fader, Hardie and Lee
   do.
2. Accounts left out get the population mean ``pγ / (q-1)``.

The likelihood, its gradient and its Hessian are written here instead of taken
from pymc-marketing, for the reasons given in :mod:`cartera.models.bgnbd`. They
are computed from sums over the accounts (:class:`SpendStatistics`), so a fit
costs one logarithm and one reciprocal per account and iteration.

References
----------
Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). RFM and CLV: using
iso-value curves for customer base analysis. Journal of Marketing Research
42(4), 415-430.

Fader, P. S. and Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary
value. http://brucehardie.com/notes/025/
"""

from __future__ import annotations

import logging
from typing import Self

import numpy as np
import pandas as pd
from scipy.special import digamma, gammaln, polygamma

from cartera.errors import InputError, ModelError
from cartera.models import _mle
from cartera.models.base import Estimator

logger = logging.getLogger(__name__)

NAME = "Gamma-Gamma"
PARAM_NAMES = ("p", "q", "gamma")


class GammaGammaModel(Estimator):
    """Gamma-Gamma spend model with parameters ``p, q, gamma`` (``gamma`` in currency).

    Parameters
    ----------
    max_iter
        Iteration limit of the optimiser.
    tol
        Gradient tolerance of the optimiser, on the mean log-likelihood.

    Attributes
    ----------
    params_ : dict[str, float]
        Maximum likelihood estimates.
    log_likelihood_ : float
        Log-likelihood at the estimates.
    log_covariance_ : numpy.ndarray or None
        Covariance of the log-parameters (Laplace approximation).
    n_accounts_ : int
        Accounts fitted (repeat purchase and positive spend).
    converged_ : bool
        Whether the optimiser met its tolerance.
    """

    name = NAME
    param_names = PARAM_NAMES

    def __init__(self, *, max_iter: int = 2000, tol: float = 1e-11) -> None:
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, summary: pd.DataFrame) -> Self:
        """Fit on the accounts with repeat purchases and positive mean spend.

        Parameters
        ----------
        summary
            ``frequency`` and ``monetary_value`` per account.

        Raises
        ------
        InputError
            A column is missing or a value is negative or not finite.
        ModelError
            Fewer than 2 accounts can be fitted.
        """
        x, spend = _spend_columns(summary)
        kept = (x > 0) & (spend > 0)
        if kept.sum() < 2:
            raise ModelError(
                f"{NAME}: {int(kept.sum())} accounts have a repeat purchase with "
                "positive spend; at least 2 are needed",
                hint="use a longer transaction history",
            )
        statistics = SpendStatistics(x[kept], spend[kept])

        def log_likelihood(theta: np.ndarray) -> float:
            return statistics.log_scale(theta)[0]

        def with_gradient(theta: np.ndarray) -> tuple[float, np.ndarray]:
            value, gradient, _ = statistics.log_scale(theta)
            return value, gradient

        def hessian(theta: np.ndarray) -> np.ndarray:
            return statistics.log_scale(theta)[2]

        mean, var = float(statistics.spend.mean()), float(statistics.spend.var())
        # Method-of-moments start: q from the spread of means, p = 1 purchase.
        q0 = max(mean**2 / max(var, 1e-12) + 2.0, 2.5)
        start = np.log(np.array([1.0, q0, mean * (q0 - 1.0)]))
        optimum = _mle.maximize(
            log_likelihood,
            with_gradient,
            start,
            hessian=hessian,
            model=NAME,
            names=PARAM_NAMES,
            scale=statistics.accounts,
            max_iter=self.max_iter,
            tol=self.tol,
        )
        self.log_covariance_ = _mle.laplace_covariance(
            log_likelihood,
            with_gradient,
            optimum.log_params,
            model=NAME,
            names=PARAM_NAMES,
            hessian_of=hessian,
        )
        self.params_ = dict(
            zip(PARAM_NAMES, np.exp(optimum.log_params).tolist(), strict=True)
        )
        self.log_likelihood_ = optimum.log_likelihood
        self.converged_ = optimum.converged
        self.n_accounts_ = int(kept.sum())
        return self

    @classmethod
    def from_params(cls, *, p: float, q: float, gamma: float) -> Self:
        """Build a fitted model from known parameters, for example published ones."""
        model = cls()
        model.params_ = {"p": float(p), "q": float(q), "gamma": float(gamma)}
        model.log_covariance_ = None
        return model

    @property
    def param_vector(self) -> np.ndarray:
        self.check_fitted()
        return np.array([self.params_[name] for name in PARAM_NAMES])

    def sample_params(self, draws: int, rng: np.random.Generator) -> np.ndarray:
        """Draw parameter vectors from the Laplace approximation, ``(draws, 3)``."""
        params = self.param_vector
        _mle.check_params(NAME, PARAM_NAMES, params)
        return _mle.draw_params(np.log(params), self.log_covariance_, draws, rng)

    def population_mean(self, params: np.ndarray | None = None) -> float:
        """Return the mean spend per purchase of a new customer, ``pγ / (q-1)``.

        Raises
        ------
        ModelError
            ``q <= 1``, so the mean spend is infinite.
        """
        p, q, gamma = self._checked(params)
        if q <= 1:
            raise ModelError(
                f"{NAME}: q={q:.4g} is at most 1, so the mean spend is infinite",
                hint="remove extreme spend values or use a longer history",
            )
        return float(p * gamma / (q - 1))

    def expected_spend(
        self, summary: pd.DataFrame, params: np.ndarray | None = None
    ) -> np.ndarray:
        """Return each account's expected spend per purchase (currency).

        Accounts with a repeat purchase and positive spend get the conditional
        mean ``p(γ + m x) / (px + q - 1)``; the others get the population mean.
        """
        p, q, gamma = self._checked(params)
        x, spend = _spend_columns(summary)
        population = self.population_mean(np.array([p, q, gamma]))
        fitted = (x > 0) & (spend > 0)
        conditional = p * (gamma + spend * x) / (p * x + q - 1)
        return np.where(fitted, conditional, population)

    def _checked(self, params: np.ndarray | None) -> np.ndarray:
        values = self.param_vector if params is None else np.asarray(params)
        _mle.check_params(NAME, PARAM_NAMES, values)
        return values


def row_log_likelihood(params: np.ndarray, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Log-density of each mean spend ``m`` over ``x`` repeat purchases."""
    p, q, gamma = params
    px = p * x
    result: np.ndarray = (
        _mle.per_count(lambda k: gammaln(p * k + q) - gammaln(p * k), x)
        - gammaln(q)
        + q * np.log(gamma)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(gamma + m * x)
    )
    return result


class SpendStatistics:
    """The Gamma-Gamma log-likelihood of many accounts, from sums over them.

    In the log-likelihood only ``log(γ + mx)`` couples an account's spend with a
    parameter. Every other term is a function of the purchase count ``x``,
    summed once per distinct count, or a sum fixed by the data (``Σ log m``,
    ``Σ x log m``, ``Σ x log x``). So each evaluation takes one logarithm and
    one reciprocal per account, and grouping identical rows would cost more
    than it saves: mean spend is a continuous value that seldom repeats.

    Parameters
    ----------
    x
        Repeat purchases of each account, whole numbers of at least 1.
    spend
        Mean repeat spend of each account, positive (currency).
    """

    def __init__(self, x: np.ndarray, spend: np.ndarray) -> None:
        self.x = np.ascontiguousarray(x, dtype=float)
        self.spend = np.ascontiguousarray(spend, dtype=float)
        self.total = self.x * self.spend
        self.accounts = float(len(self.x))
        # Each distinct purchase count and its number of accounts.
        per_count = np.bincount(self.x.astype(np.intp))
        self.counts = np.flatnonzero(per_count).astype(float)
        self.per_count = per_count[self.counts.astype(np.intp)].astype(float)
        log_spend = np.log(self.spend)
        self.sum_log_spend = float(log_spend.sum())
        self.sum_x_log_spend = float(_mle.weighted_sum(self.x, log_spend))
        self.sum_x_log_x = float(
            _mle.weighted_sum(self.per_count, self.counts * np.log(self.counts))
        )
        self._last: tuple[bytes, tuple[float, np.ndarray, np.ndarray]] | None = None

    def evaluate(self, params: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """Return the log-likelihood, its gradient and Hessian in ``p, q, γ``."""
        p, q, gamma = params
        n = self.accounts
        k, n_k = self.counts, self.per_count
        log_total = np.log(gamma + self.total)
        inverse = 1.0 / (gamma + self.total)
        sum_log = float(log_total.sum())
        sum_x_log = float(_mle.weighted_sum(self.x, log_total))
        sum_inverse = float(inverse.sum())
        sum_x_inverse = float(_mle.weighted_sum(self.x, inverse))
        squared = inverse * inverse
        sum_squared = float(squared.sum())
        sum_x_squared = float(_mle.weighted_sum(self.x, squared))

        value = float(
            _mle.weighted_sum(n_k, gammaln(p * k + q) - gammaln(p * k))
            - n * gammaln(q)
            + n * q * np.log(gamma)
            + p * (self.sum_x_log_spend + self.sum_x_log_x)
            - self.sum_log_spend
            - p * sum_x_log
            - q * sum_log
        )
        digamma_sum, digamma_count = digamma(p * k + q), digamma(p * k)
        gradient = np.array(
            [
                _mle.weighted_sum(n_k * k, digamma_sum - digamma_count)
                + self.sum_x_log_spend
                + self.sum_x_log_x
                - sum_x_log,
                _mle.weighted_sum(n_k, digamma_sum)
                - n * digamma(q)
                + n * np.log(gamma)
                - sum_log,
                n * q / gamma - p * sum_x_inverse - q * sum_inverse,
            ]
        )
        trigamma_sum, trigamma_count = polygamma(1, p * k + q), polygamma(1, p * k)
        d_pp = _mle.weighted_sum(n_k * k * k, trigamma_sum - trigamma_count)
        d_pq = _mle.weighted_sum(n_k * k, trigamma_sum)
        d_pg = -sum_x_inverse
        d_qq = _mle.weighted_sum(n_k, trigamma_sum) - n * polygamma(1, q)
        d_qg = n / gamma - sum_inverse
        d_gg = -n * q / gamma**2 + p * sum_x_squared + q * sum_squared
        hessian = np.array(
            [[d_pp, d_pq, d_pg], [d_pq, d_qq, d_qg], [d_pg, d_qg, d_gg]], dtype=float
        )
        return value, gradient, hessian

    def log_scale(self, theta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """Return :meth:`evaluate`'s results at the log-parameters ``θ``.

        The last result is kept, because the optimiser requests the value,
        gradient and Hessian at one point in separate calls.
        """
        key = np.asarray(theta, dtype=float).tobytes()
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        params = np.exp(theta)
        value, gradient, hessian = self.evaluate(params)
        # Chain rule for θ = log φ:
        # d²/dθ_i dθ_j = φ_i φ_j d²/dφ_i dφ_j + δ_ij φ_i d/dφ_i.
        log_hessian = np.outer(params, params) * hessian + np.diag(params * gradient)
        result = (value, gradient * params, log_hessian)
        self._last = (key, result)
        return result


def _spend_columns(summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    missing = [c for c in ("frequency", "monetary_value") if c not in summary]
    if missing:
        raise InputError(
            f"summary: column {', '.join(missing)} is missing",
            hint="build the summary with cartera.models.summary.purchase_summary",
        )
    x = summary["frequency"].to_numpy(dtype=float)
    spend = summary["monetary_value"].to_numpy(dtype=float)
    bad = ~np.isfinite(spend) | (spend < 0) | ~np.isfinite(x) | (x < 0)
    if bad.any():
        shown = ", ".join(map(str, summary.index[bad][:5]))
        raise InputError(
            f"summary: account {shown} has a negative or missing "
            "frequency or monetary_value",
            hint="rebuild the summary from the transactions, or remove the accounts",
        )
    return x, spend
