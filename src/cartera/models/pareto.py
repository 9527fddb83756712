"""Pareto/NBD: the Schmittlein, Morrison and Colombo model of repeat purchases.

While active, a customer buys at Poisson rate ``λ ~ Gamma(r, α)`` and stays
active for an exponential lifetime of rate ``μ ~ Gamma(s, β)``. The likelihood
is the closed form of Fader, Hardie and Lee (2005, "A note on deriving the
Pareto/NBD model"), computed in log space:

    L = Γ(r+x) α^r β^s / Γ(r) · [(α+T)^-(r+x) (β+T)^-s + s·I],
    I = ∫ from t_x to T of (α+τ)^-(r+x) (β+τ)^-(s+1) dτ
      = (F(t_x) - F(T)) / (r+s+x),

where ``F(τ)`` is a Gauss hypergeometric function ``2F1`` divided by a power of
``α+τ`` or ``β+τ``, whichever of ``α`` and ``β`` is larger (so that the
argument of ``2F1`` lies in ``[0, 1)``). For α ≥ β,
``F(τ) = 2F1(r+s+x, s+1; r+s+x+1; (α-β)/(α+τ)) / (α+τ)^(r+s+x)``, and for α < β,
``F(τ) = 2F1(r+s+x, r+x; r+s+x+1; (β-α)/(β+τ)) / (β+τ)^(r+s+x)``.

The likelihood is written here instead of taken from pymc-marketing, the
maintained implementation: it needs a C compiler at run time, about 300 MB more
install and 4-25 s per fit. Its gradient with respect to the ``2F1`` parameters
has no convenient closed form, so the optimiser uses finite differences.

References
----------
Schmittlein, D. C., Morrison, D. G. and Colombo, R. (1987). Counting your
customers: who are they and what will they do next? Management Science 33(1),
1-24.

Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). A note on deriving the
Pareto/NBD model and related expressions. http://brucehardie.com/notes/009/
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln, hyp2f1

from cartera.models import _mle
from cartera.models._purchase import PurchaseModel


class ParetoNBDModel(PurchaseModel):
    """Pareto/NBD model with parameters ``r, alpha, s, beta``.

    Time is in the unit of the summary it is fitted on (weeks or days); ``alpha``
    and ``beta`` are in that unit too.
    """

    name = "Pareto/NBD"
    param_names = ("r", "alpha", "s", "beta")

    def _start(self, x: np.ndarray, T: np.ndarray, weights: np.ndarray) -> np.ndarray:
        mean_x = float(_mle.weighted_sum(weights, x) / weights.sum())
        mean_t = float(_mle.weighted_sum(weights, T) / weights.sum())
        alpha = max(mean_t, 1.0) / max(mean_x, 0.1)
        return np.array([1.0, alpha, 1.0, max(mean_t, 1.0)])

    @staticmethod
    def row_log_likelihood(
        params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
    ) -> np.ndarray:
        r, alpha, s, beta = params
        common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        alive = _log_alive_term(params, x, T)
        dropped = np.log(s) + _log_integral(params, x, t_x, T)
        return common + np.logaddexp(alive, dropped)

    @staticmethod
    def p_alive_of(
        params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
    ) -> np.ndarray:
        s = params[2]
        alive = _log_alive_term(params, x, T)
        dropped = np.log(s) + _log_integral(params, x, t_x, T)
        result: np.ndarray = np.exp(alive - np.logaddexp(alive, dropped))
        return result

    @staticmethod
    def expected_purchases_of(
        params: np.ndarray,
        t: float | np.ndarray,
        x: np.ndarray,
        t_x: np.ndarray,
        T: np.ndarray,
    ) -> np.ndarray:
        r, alpha, s, beta = params
        # E[Y(t) | alive] = (r+x)/(α+T) · (β+T)/(s-1) · [1 - ((β+T)/(β+T+t))^(s-1)],
        # written so that s = 1 takes its limit (β+T)·log(1 + t/(β+T)).
        horizon = np.log1p(t / (beta + T))
        k = s - 1.0
        survival_integral = horizon if abs(k) < 1e-9 else -np.expm1(-k * horizon) / k
        rate = (r + x) / (alpha + T)
        p_alive = ParetoNBDModel.p_alive_of(params, x, t_x, T)
        result: np.ndarray = p_alive * rate * (beta + T) * survival_integral
        return result


def _log_alive_term(params: np.ndarray, x: np.ndarray, T: np.ndarray) -> np.ndarray:
    r, alpha, s, beta = params
    result: np.ndarray = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    return result


def _log_integral(
    params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """Log of ``I``, the integral over the dropout time between t_x and T."""
    r, _, s, _ = params
    c = r + s + x
    log_start = _log_f(params, x, t_x)
    log_end = _log_f(params, x, T)
    # F decreases in τ, so log_end <= log_start; the difference is taken in
    # log space, and is -inf when t_x = T (no time to drop out unseen).
    with np.errstate(divide="ignore"):
        gap = np.log(-np.expm1(np.minimum(log_end - log_start, 0.0)))
    return log_start + gap - np.log(c)


def _log_f(params: np.ndarray, x: np.ndarray, tau: np.ndarray) -> np.ndarray:
    r, alpha, s, beta = params
    c = r + s + x
    # Euler's transformation 2F1(a, b; c; z) = (1-z)^(c-a-b) 2F1(c-a, c-b; c; z)
    # moves the factor that overflows near z = 1 (for large x or s) into log
    # space and leaves 2F1(1, ·; ·; z), which stays moderate.
    if alpha >= beta:
        z = (alpha - beta) / (alpha + tau)
        log_series = -s * np.log1p(-z) + np.log(hyp2f1(1.0, r + x, c + 1, z))
        log_base = np.log(alpha + tau)
    else:
        z = (beta - alpha) / (beta + tau)
        log_series = (1 - r - x) * np.log1p(-z) + np.log(hyp2f1(1.0, s + 1, c + 1, z))
        log_base = np.log(beta + tau)
    result: np.ndarray = log_series - c * log_base
    return result
