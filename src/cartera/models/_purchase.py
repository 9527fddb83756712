"""What the purchase models (BG/NBD, Pareto/NBD) share: fitting and prediction.

A subclass gives its parameter names and three functions. Each takes a parameter
vector and the summary columns ``x`` (repeat purchases), ``t_x`` (recency) and
``T`` (age), and returns the log-likelihood of each row, P(alive), or the
expected number of purchases in the next ``t`` time units.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd

from cartera.errors import ModelError
from cartera.models import _mle
from cartera.models.base import Estimator
from cartera.models.summary import validate_summary

logger = logging.getLogger(__name__)


class PurchaseModel(Estimator):
    """Base class of the models of repeat purchases and dropout.

    Parameters
    ----------
    initial_params
        Starting values of the optimiser, by parameter name; unset names start
        from values scaled to the data.
    max_iter
        Iteration limit of the optimiser.
    tol
        Gradient tolerance of the optimiser, on the mean log-likelihood per
        account.

    Attributes
    ----------
    params_ : dict[str, float]
        Maximum likelihood estimates.
    log_likelihood_ : float
        Log-likelihood at the estimates, summed over accounts.
    log_covariance_ : numpy.ndarray or None
        Covariance of the log-parameters from the Laplace approximation, or
        ``None`` when the Hessian is not positive definite.
    n_accounts_, n_groups_ : int
        Accounts fitted and distinct ``(x, t_x, T)`` rows among them.
    converged_ : bool
        Whether the optimiser met its tolerance.
    """

    name: ClassVar[str] = ""
    param_names: ClassVar[tuple[str, ...]] = ()
    analytic_gradient: ClassVar[bool] = False

    def __init__(
        self,
        initial_params: dict[str, float] | None = None,
        *,
        max_iter: int = 2000,
        tol: float = 1e-11,
    ) -> None:
        self.initial_params = initial_params
        self.max_iter = max_iter
        self.tol = tol

    # The formulas, written by each subclass over arrays of rows.
    @staticmethod
    def row_log_likelihood(
        params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
    ) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def log_likelihood_and_gradient(
        params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per-row log-likelihood and its gradient, shapes ``(n,)`` and ``(n, k)``.

        Used only when the subclass sets ``analytic_gradient``.
        """
        raise NotImplementedError

    @staticmethod
    def p_alive_of(
        params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
    ) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def expected_purchases_of(
        params: np.ndarray,
        t: float | np.ndarray,
        x: np.ndarray,
        t_x: np.ndarray,
        T: np.ndarray,
    ) -> np.ndarray:
        """Expected purchases in the next ``t`` units (a number or one per row)."""
        raise NotImplementedError

    def _start(self, x: np.ndarray, T: np.ndarray, weights: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    # Fitting.
    def fit(self, summary: pd.DataFrame) -> Self:
        """Fit the model by maximum likelihood.

        Parameters
        ----------
        summary
            One row per account with ``frequency``, ``recency`` and ``T``, as
            returned by :func:`cartera.models.summary.purchase_summary`.

        Raises
        ------
        InputError
            The summary is invalid (see :func:`validate_summary`).
        ModelError
            The log-likelihood is not finite at the start or the end.
        """
        validate_summary(summary)
        if summary.empty:
            raise ModelError(
                f"{self.name}: no account to fit",
                hint="give transactions with at least one purchase on or before "
                "the end of the fitting period (--calibration-end of the value "
                "commands, --as-of of prioritize and backtest)",
            )
        groups = _mle.group_rows(*self._columns(summary))
        x, t_x, T = groups.columns
        weights = groups.weights

        def log_likelihood(theta: np.ndarray) -> float:
            rows = self.row_log_likelihood(np.exp(theta), x, t_x, T)
            return float(_mle.weighted_sum(weights, rows))

        def with_gradient(theta: np.ndarray) -> tuple[float, np.ndarray]:
            params = np.exp(theta)
            rows, gradient = self.log_likelihood_and_gradient(params, x, t_x, T)
            # Chain rule: d/d(log θ) = θ · d/dθ.
            return float(_mle.weighted_sum(weights, rows)), _mle.weighted_sum(
                weights, gradient
            ) * params

        analytic = with_gradient if self.analytic_gradient else None
        start = np.log(self._start_params(x, T, weights))
        optimum = _mle.maximize(
            log_likelihood,
            analytic,
            start,
            model=self.name,
            names=self.param_names,
            scale=float(weights.sum()),
            max_iter=self.max_iter,
            tol=self.tol,
        )
        self.log_covariance_ = _mle.laplace_covariance(
            log_likelihood,
            analytic,
            optimum.log_params,
            model=self.name,
            names=self.param_names,
        )
        self.params_ = dict(
            zip(self.param_names, np.exp(optimum.log_params).tolist(), strict=True)
        )
        self.log_likelihood_ = optimum.log_likelihood
        self.converged_ = optimum.converged
        self.n_accounts_ = len(summary)
        self.n_groups_ = len(weights)
        return self

    def _start_params(
        self, x: np.ndarray, T: np.ndarray, weights: np.ndarray
    ) -> np.ndarray:
        start = self._start(x, T, weights)
        for name, value in (self.initial_params or {}).items():
            if name not in self.param_names:
                raise ModelError(
                    f"{self.name}: initial parameter {name!r} is unknown",
                    hint=f"use the names {', '.join(self.param_names)}",
                )
            start[self.param_names.index(name)] = value
        _mle.check_params(self.name, self.param_names, start)
        return start

    @classmethod
    def from_params(cls, **params: float) -> Self:
        """Build a fitted model from known parameters, for example published ones."""
        missing = [name for name in cls.param_names if name not in params]
        if missing:
            raise ModelError(
                f"{cls.name}: parameter {', '.join(missing)} is missing",
                hint=f"give all of {', '.join(cls.param_names)}",
            )
        model = cls()
        model.params_ = {name: float(params[name]) for name in cls.param_names}
        model.log_covariance_ = None
        return model

    # Prediction.
    @property
    def param_vector(self) -> np.ndarray:
        self.check_fitted()
        return np.array([self.params_[name] for name in self.param_names])

    def sample_params(self, draws: int, rng: np.random.Generator) -> np.ndarray:
        """Draw parameter vectors from the Laplace approximation, ``(draws, k)``."""
        self.check_fitted()
        params = self.param_vector
        _mle.check_params(self.name, self.param_names, params)
        return _mle.draw_params(np.log(params), self.log_covariance_, draws, rng)

    def log_likelihood(self, summary: pd.DataFrame) -> np.ndarray:
        """Return each account's log-likelihood under the fitted parameters."""
        return self._predict(self.row_log_likelihood, summary, None)

    def p_alive(
        self, summary: pd.DataFrame, params: np.ndarray | None = None
    ) -> np.ndarray:
        """Return each account's probability of still being active at its T."""
        return self._predict(self.p_alive_of, summary, params)

    def expected_purchases(
        self,
        summary: pd.DataFrame,
        t: float | np.ndarray,
        params: np.ndarray | None = None,
    ) -> np.ndarray:
        """Return each account's expected purchases in the next ``t`` time units.

        ``t`` is in the unit of the summary: a number, giving one value per
        account, or a 1-D array of horizons, giving an array of shape
        ``(len(t), accounts)``. ``params`` replaces the fitted parameters, for
        example with a draw from :meth:`sample_params`.
        """
        horizons = np.asarray(t, dtype=float)
        if horizons.ndim == 1:
            horizons = horizons[:, np.newaxis]
        return self._predict(
            lambda p, x, t_x, T: self.expected_purchases_of(p, horizons, x, t_x, T),
            summary,
            params,
        )

    def expected_purchases_new(
        self, t: np.ndarray, params: np.ndarray | None = None
    ) -> np.ndarray:
        """Return the expected purchases of a new customer in their first ``t`` units.

        This is the unconditional ``E[X(t)]``: the conditional expectation of a
        customer with no history (``x = t_x = T = 0``).
        """
        t = np.asarray(t, dtype=float)
        zeros = np.zeros_like(t)
        frame = pd.DataFrame({"frequency": zeros, "recency": zeros, "T": zeros})
        return self._predict(
            lambda p, x, t_x, T: self.expected_purchases_of(p, t, x, t_x, T),
            frame,
            params,
        )

    def _predict(
        self, function: Any, summary: pd.DataFrame, params: np.ndarray | None
    ) -> np.ndarray:
        if params is None:
            params = self.param_vector
        _mle.check_params(self.name, self.param_names, params)
        validate_summary(summary)
        x, t_x, T = self._columns(summary)
        with np.errstate(all="ignore"):
            values = np.asarray(function(params, x, t_x, T), dtype=float)
        bad = ~np.isfinite(values)
        if bad.ndim == 2:
            bad = bad.any(axis=0)
        if bad.any():
            shown = ", ".join(map(str, summary.index[bad][:5]))
            raise ModelError(
                f"{self.name}: the prediction is not finite for account {shown}",
                hint="check those accounts' summaries and the fitted parameters",
            )
        return values

    @staticmethod
    def _columns(summary: pd.DataFrame) -> list[np.ndarray]:
        return [
            summary[column].to_numpy(dtype=float)
            for column in ("frequency", "recency", "T")
        ]
