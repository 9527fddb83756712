"""Maximum likelihood on grouped rows, and the Laplace approximation around it.

Parameters are optimised on the log scale, so every model parameter stays
positive, inside a wide box that stops runaway estimates. Rows with identical
values are fitted once with a weight, so the cost of a fit grows with the number
of distinct rows.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize
from threadpoolctl import threadpool_limits

from cartera.errors import ConvergenceWarning, ModelError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class GroupedRows:
    """Distinct rows of a table, the count of each and where every row went.

    ``values[inverse]`` rebuilds the table, and ``first`` is the position of
    each distinct row's first occurrence.
    """

    values: np.ndarray
    weights: np.ndarray
    inverse: np.ndarray
    first: np.ndarray

    @property
    def columns(self) -> list[np.ndarray]:
        return [np.ascontiguousarray(column) for column in self.values.T]


def group_rows(*columns: np.ndarray | pd.Series) -> GroupedRows:
    """Group identical rows of the given columns (all of one length).

    Each column is hashed into integer codes with ``pandas.factorize``, and the
    codes are combined column by column, which takes linear time where
    ``numpy.unique(axis=0)`` sorts rows (about 10 s for a million rows).
    """
    arrays = [np.asarray(c, dtype=float) for c in columns]
    key, _ = pd.factorize(arrays[0])
    for array in arrays[1:]:
        codes, uniques = pd.factorize(array)
        # Re-factorizing keeps the combined key below len(rows) * len(uniques).
        key, _ = pd.factorize(key * len(uniques) + codes)
    inverse = key.astype(np.intp)
    weights = np.bincount(inverse).astype(float)
    first = np.zeros(len(weights), dtype=np.intp)
    # Row of the first occurrence of each group; factorize numbers groups in
    # order of appearance, so reversed assignment leaves the first one.
    first[inverse[::-1]] = np.arange(len(inverse))[::-1]
    values = np.column_stack([array[first] for array in arrays])
    return GroupedRows(values, weights, inverse, first)


def weighted_sum(weights: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Sum ``values`` (rows first) with row ``weights``, without BLAS.

    A BLAS dot product of long vectors starts OpenBLAS's thread pool. Its
    spinning threads made a 100,000-element dot product take 10-30 ms instead
    of 0.03 ms on a 2-core machine, while ``einsum`` runs its own loop.
    """
    result: np.ndarray = np.einsum("i,i...->...", weights, values)
    return result


def per_count(
    function: Callable[[np.ndarray], np.ndarray], x: np.ndarray
) -> np.ndarray:
    """Evaluate ``function`` once per whole number 0..max(x) and look ``x`` up.

    Purchase counts take few distinct values, so special functions of them
    (``gammaln``, ``digamma``) cost almost nothing this way.
    """
    counts = x.astype(np.intp)
    grid = np.arange(int(counts.max(initial=0)) + 1, dtype=float)
    result: np.ndarray = np.asarray(function(grid))[counts]
    return result


@dataclass(frozen=True)
class Optimum:
    """Result of :func:`maximize`: log-parameters, log-likelihood, convergence."""

    log_params: np.ndarray
    log_likelihood: float
    converged: bool
    iterations: int


ValueAndGradient = Callable[[np.ndarray], tuple[float, np.ndarray]]
Hessian = Callable[[np.ndarray], np.ndarray]

# Box on the log-parameters: e^-18 to e^18 (1.5e-8 to 6.6e7). A parameter that
# runs past it has no maximum likelihood estimate on this data (for BG/NBD,
# a and b growing together mean no dropout), and beyond it the closed forms
# lose all precision to cancellation.
LOG_BOUND = 18.0
# Standard error of a log-parameter above which the data do not identify the
# parameter: one standard error is then a factor of e^3 = 20 either way.
MAX_LOG_ERROR = 3.0
# Mean per-account gradient below which an optimiser stop counts as converged:
# L-BFGS-B reports an abnormal line search when it is already at the optimum to
# floating-point precision.
CONVERGED_GRADIENT = 1e-6


# Readings of the L-BFGS-B statuses that scipy reports with no detail, as in
# "ABNORMAL: " (scipy 1.17): ABNORMAL means the line search found no step that
# lowers the objective.
_BARE_STATUSES = {"ABNORMAL": "the line search found no better point"}


def stop_reason(message: object) -> str:
    """Return scipy's stop ``message`` as a readable clause, never empty.

    L-BFGS-B messages read ``STATUS: DETAIL`` and the detail can be empty or
    cut off, so a bare status is replaced by its reading in
    :data:`_BARE_STATUSES`.
    """
    text = str(message or "").strip()
    if not text:
        return "no message from the optimiser"
    status, colon, detail = text.partition(":")
    if not colon:
        return text.rstrip(".")
    status = status.strip()
    detail = detail.strip().rstrip(":;,.").strip()
    if detail:
        return f"{status}: {detail.lower() if detail.isupper() else detail}"
    return f"{status}: {_BARE_STATUSES.get(status.upper(), 'no detail given')}"


def maximize(
    log_likelihood: Callable[[np.ndarray], float],
    with_gradient: ValueAndGradient | None,
    start: np.ndarray,
    *,
    hessian: Hessian | None = None,
    model: str,
    names: tuple[str, ...],
    scale: float,
    max_iter: int,
    tol: float,
) -> Optimum:
    """Maximise a log-likelihood over log-parameters.

    The optimiser is L-BFGS-B, inside the box of :data:`LOG_BOUND`, or a
    trust-region Newton method when the Hessian is given, which needs far fewer
    evaluations.

    Parameters
    ----------
    log_likelihood
        The total log-likelihood as a function of the log-parameters.
    with_gradient
        The same log-likelihood and its gradient in one call, or ``None`` to
        use finite differences of ``log_likelihood``.
    start
        Starting log-parameters.
    hessian
        Hessian of the log-likelihood with respect to the log-parameters, or
        ``None``.
    model, names
        Model and parameter names for messages.
    scale
        Number of accounts; the objective is divided by it so the tolerance
        does not depend on the size of the data.
    max_iter, tol
        Iteration limit and gradient tolerance of the optimiser.

    Raises
    ------
    ModelError
        The log-likelihood is not finite at the start or at the optimum.
    """

    def objective(theta: np.ndarray) -> float:
        value = log_likelihood(theta)
        return -value / scale if np.isfinite(value) else np.inf

    def objective_and_jacobian(theta: np.ndarray) -> tuple[float, np.ndarray]:
        assert with_gradient is not None
        value, gradient = with_gradient(theta)
        if not np.isfinite(value):
            return np.inf, np.zeros_like(theta)
        return -value / scale, -gradient / scale

    if not np.isfinite(objective(start)):
        raise ModelError(
            f"{model}: the log-likelihood is not finite at the starting parameters",
            hint="pass other initial_params, or check the summary for extreme values",
        )
    # One BLAS thread: the optimiser's many short vector operations ran about
    # twice as slowly with OpenBLAS's thread pool on a 2-core machine.
    with np.errstate(all="ignore"), threadpool_limits(limits=1, user_api="blas"):
        if hessian is not None and with_gradient is not None:
            result = optimize.minimize(
                objective_and_jacobian,
                start,
                jac=True,
                hess=lambda theta: -hessian(theta) / scale,
                method="trust-exact",
                options={"maxiter": max_iter, "gtol": tol},
            )
        else:
            result = optimize.minimize(
                objective if with_gradient is None else objective_and_jacobian,
                start,
                # Central differences when there is no gradient: the Pareto/NBD
                # likelihood is flat in beta, and forward differences stop early.
                jac=True if with_gradient is not None else "3-point",
                method="L-BFGS-B",
                bounds=[(-LOG_BOUND, LOG_BOUND)] * len(start),
                options={"maxiter": max_iter, "gtol": tol, "ftol": tol * 1e-3},
            )
    value = -float(result.fun) * scale
    if not np.isfinite(value) or not np.all(np.isfinite(result.x)):
        raise ModelError(
            f"{model}: the fit ended on a non-finite log-likelihood",
            hint="check the summary for extreme values, or pass initial_params",
        )
    at_bound = np.abs(result.x) >= LOG_BOUND - 1e-6
    gradient = np.asarray(getattr(result, "jac", np.full(len(start), np.inf)))
    converged = bool(result.success) or bool(
        np.max(np.abs(gradient)) < CONVERGED_GRADIENT
    )
    if at_bound.any():
        converged = False
        warnings.warn(
            f"{model}: parameter "
            f"{', '.join(names[i] for i in np.flatnonzero(at_bound))} reached the "
            f"bound e^±{LOG_BOUND:g}, so the data do not identify the model",
            ConvergenceWarning,
            stacklevel=3,
        )
    elif not converged:
        steps = int(result.nit)
        warnings.warn(
            f"{model}: the optimiser stopped before converging after "
            f"{steps} iteration{'' if steps == 1 else 's'} "
            f"({stop_reason(result.message)}), with "
            f"a largest gradient component of {np.max(np.abs(gradient)):.3g}, so "
            "the parameters may be off the maximum likelihood",
            ConvergenceWarning,
            stacklevel=3,
        )
    logger.info(
        "%s fitted in %d iterations, log-likelihood %.4f", model, result.nit, value
    )
    return Optimum(result.x, value, converged, int(result.nit))


def laplace_covariance(
    log_likelihood: Callable[[np.ndarray], float],
    with_gradient: ValueAndGradient | None,
    log_params: np.ndarray,
    *,
    model: str,
    names: tuple[str, ...],
    hessian_of: Hessian | None = None,
) -> np.ndarray | None:
    """Return the covariance of the log-parameters at the optimum, or ``None``.

    The covariance is the inverse of the observed information (the Hessian of
    the negative log-likelihood), found by central differences of the gradient,
    or of the log-likelihood when there is no gradient. ``None`` with a
    :class:`ConvergenceWarning` means the Hessian is not positive definite, so
    the optimum is flat or a saddle and no interval can be drawn from it.

    A parameter whose log has a standard error above :data:`MAX_LOG_ERROR` is
    not identified by the data, and draws of it would reach values no closed
    form can evaluate. Its row and column are set to 0, so draws keep it at the
    estimate, with a warning naming it.
    """
    k = len(log_params)
    step = 1e-4
    hessian = np.empty((k, k))
    with np.errstate(all="ignore"):
        if hessian_of is not None:
            hessian = -hessian_of(log_params)
        elif with_gradient is not None:
            for i in range(k):
                shift = np.zeros(k)
                shift[i] = step
                upper = with_gradient(log_params + shift)[1]
                lower = with_gradient(log_params - shift)[1]
                hessian[i] = -(upper - lower) / (2 * step)
        else:
            hessian = -_hessian_of_values(log_likelihood, log_params, step * 10)
    hessian = (hessian + hessian.T) / 2
    try:
        np.linalg.cholesky(hessian)
    except np.linalg.LinAlgError:
        hessian = np.full((k, k), np.nan)
    if not np.all(np.isfinite(hessian)):
        warnings.warn(
            f"{model}: the Hessian at the optimum is not positive definite, "
            "so parameter intervals are not available",
            ConvergenceWarning,
            stacklevel=3,
        )
        return None
    covariance: np.ndarray = np.linalg.inv(hessian)
    unidentified = np.sqrt(np.diag(covariance)) > MAX_LOG_ERROR
    if unidentified.any():
        shown = ", ".join(names[i] for i in np.flatnonzero(unidentified))
        warnings.warn(
            f"{model}: the data do not identify {shown} (standard error of the "
            f"log above {MAX_LOG_ERROR:g}), so intervals keep the estimate of "
            f"{shown}",
            ConvergenceWarning,
            stacklevel=3,
        )
        covariance[unidentified, :] = 0.0
        covariance[:, unidentified] = 0.0
    return covariance


def _hessian_of_values(
    function: Callable[[np.ndarray], float], point: np.ndarray, step: float
) -> np.ndarray:
    k = len(point)
    hessian = np.empty((k, k))
    center = function(point)
    for i in range(k):
        for j in range(i, k):
            ei = np.zeros(k)
            ej = np.zeros(k)
            ei[i] = step
            ej[j] = step
            if i == j:
                value = (
                    function(point + ei) - 2 * center + function(point - ei)
                ) / step**2
            else:
                value = (
                    function(point + ei + ej)
                    - function(point + ei - ej)
                    - function(point - ei + ej)
                    + function(point - ei - ej)
                ) / (4 * step**2)
            hessian[i, j] = hessian[j, i] = value
    return hessian


def draw_params(
    log_params: np.ndarray,
    covariance: np.ndarray | None,
    draws: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draw parameter sets from the Laplace approximation, shape ``(draws, k)``.

    Draws are normal on the log scale, so every drawn parameter is positive.
    Without a covariance every draw is the point estimate.
    """
    if covariance is None:
        return np.tile(np.exp(log_params), (draws, 1))
    sample = rng.multivariate_normal(log_params, covariance, size=draws)
    # A flat likelihood gives huge variances; keep draws inside the fit's box.
    return np.exp(np.clip(sample, -LOG_BOUND, LOG_BOUND))


def check_params(model: str, names: tuple[str, ...], params: np.ndarray) -> None:
    """Raise ModelError unless every parameter is finite and positive."""
    values = np.atleast_2d(params)
    bad = ~(np.isfinite(values) & (values > 0)).all(axis=0)
    if bad.any():
        shown = ", ".join(
            f"{name}={float(values[0, i])}" for i, name in enumerate(names) if bad[i]
        )
        raise ModelError(
            f"{model}: parameter {shown} is not a finite positive number",
            hint="refit the model; if that fails, the data cannot identify it",
        )
