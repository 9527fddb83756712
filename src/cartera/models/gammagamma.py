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

The likelihood and its analytic gradient are written here instead of taken from
pymc-marketing, for the reasons given in :mod:`cartera.models.bgnbd`.

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
        groups = _mle.group_rows(x[kept], spend[kept])
        xs, ms = groups.columns
        weights = groups.weights
        logs = (np.log(xs), np.log(ms))

        def log_likelihood(theta: np.ndarray) -> float:
            return float(
                _mle.weighted_sum(weights, row_log_likelihood(np.exp(theta), xs, ms))
            )

        def with_gradient(theta: np.ndarray) -> tuple[float, np.ndarray]:
            params = np.exp(theta)
            rows, gradient = log_likelihood_and_gradient(params, xs, ms, logs)
            return float(_mle.weighted_sum(weights, rows)), _mle.weighted_sum(
                weights, gradient
            ) * params

        def hessian(theta: np.ndarray) -> np.ndarray:
            return _log_scale_hessian(np.exp(theta), xs, ms, weights, logs)

        mean, var = _weighted_moments(ms, weights)
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
            scale=float(weights.sum()),
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


def log_likelihood_and_gradient(
    params: np.ndarray,
    x: np.ndarray,
    m: np.ndarray,
    logs: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-row log-density and its gradient with respect to ``p, q, gamma``.

    ``logs`` is ``(log x, log m)`` when the caller has them already, as a fit
    that evaluates the same rows many times does.
    """
    p, q, gamma = params
    px = p * x
    log_total = np.log(gamma + m * x)
    log_x, log_m = logs if logs is not None else (np.log(x), np.log(m))
    # Columns: log Γ(px+q) - log Γ(px), ψ(px+q), ψ(px), for each count x.
    by_count = _mle.per_count(
        lambda k: np.column_stack(
            [
                gammaln(p * k + q) - gammaln(p * k),
                digamma(p * k + q),
                digamma(p * k),
            ]
        ),
        x,
    )
    rows = (
        by_count[:, 0]
        - gammaln(q)
        + q * np.log(gamma)
        + (px - 1) * log_m
        + px * log_x
        - (px + q) * log_total
    )
    d_p = x * (by_count[:, 1] - by_count[:, 2] + log_m + log_x - log_total)
    d_q = by_count[:, 1] - digamma(q) + np.log(gamma) - log_total
    d_gamma = q / gamma - (px + q) / (gamma + m * x)
    return rows, np.column_stack([d_p, d_q, d_gamma])


def _log_scale_hessian(
    params: np.ndarray,
    x: np.ndarray,
    m: np.ndarray,
    weights: np.ndarray,
    logs: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    """Hessian of the total log-likelihood with respect to the log-parameters."""
    p, q, gamma = params
    px = p * x
    total = gamma + m * x
    # Columns: ψ1(px+q), ψ1(px), for each count x.
    trigammas = _mle.per_count(
        lambda k: np.column_stack([polygamma(1, p * k + q), polygamma(1, p * k)]),
        x,
    )
    rows = np.column_stack(
        [
            x**2 * (trigammas[:, 0] - trigammas[:, 1]),  # d²/dp²
            x * trigammas[:, 0],  # d²/dp dq
            -x / total,  # d²/dp dγ
            trigammas[:, 0] - polygamma(1, q),  # d²/dq²
            1 / gamma - 1 / total,  # d²/dq dγ
            -q / gamma**2 + (px + q) / total**2,  # d²/dγ²
        ]
    )
    second = _mle.weighted_sum(weights, rows)
    plain = np.array(
        [
            [second[0], second[1], second[2]],
            [second[1], second[3], second[4]],
            [second[2], second[4], second[5]],
        ]
    )
    _, gradient = log_likelihood_and_gradient(params, x, m, logs)
    first = _mle.weighted_sum(weights, gradient)
    # Chain rule for θ = exp(φ): d²/dφ_i dφ_j = θ_i θ_j d²/dθ_i dθ_j + δ_ij θ_i d/dθ_i.
    result: np.ndarray = np.outer(params, params) * plain + np.diag(params * first)
    return result


def _weighted_moments(values: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    mean = float(_mle.weighted_sum(weights, values) / weights.sum())
    var = float(_mle.weighted_sum(weights, (values - mean) ** 2) / weights.sum())
    return mean, var


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
