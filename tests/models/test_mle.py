"""Grouped maximum likelihood helpers: grouping rows and the Laplace covariance."""

from __future__ import annotations

import numpy as np
import pytest

from cartera.errors import ConvergenceWarning
from cartera.models import _mle


def test_group_rows_rebuilds_table() -> None:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 5, size=2000).astype(float)
    t = rng.integers(0, 30, size=2000) / 7
    groups = _mle.group_rows(x, t)

    table = np.column_stack([x, t])
    distinct = np.unique(table, axis=0)
    assert len(groups.values) == len(distinct)
    assert groups.weights.sum() == 2000
    np.testing.assert_array_equal(groups.values[groups.inverse], table)
    np.testing.assert_array_equal(table[groups.first], groups.values)


def test_per_count_looks_up_each_count() -> None:
    x = np.array([3.0, 0.0, 3.0, 7.0])
    np.testing.assert_array_equal(_mle.per_count(lambda k: k**2, x), x**2)


def test_unidentified_parameter_held_at_estimate() -> None:
    # Curvature 2 along the first log-parameter, almost none along the second.
    def log_likelihood(theta: np.ndarray) -> float:
        return float(-(theta[0] ** 2) - 1e-9 * theta[1] ** 2)

    def with_gradient(theta: np.ndarray) -> tuple[float, np.ndarray]:
        gradient = np.array([-2 * theta[0], -2e-9 * theta[1]])
        return log_likelihood(theta), gradient

    with pytest.warns(ConvergenceWarning, match="do not identify flat"):
        covariance = _mle.laplace_covariance(
            log_likelihood,
            with_gradient,
            np.zeros(2),
            model="test",
            names=("sharp", "flat"),
        )
    assert covariance is not None
    assert covariance[0, 0] == pytest.approx(0.5)
    assert covariance[1, 1] == 0.0
    assert covariance[0, 1] == 0.0


def test_saddle_gives_no_covariance() -> None:
    def with_gradient(theta: np.ndarray) -> tuple[float, np.ndarray]:
        return 0.0, np.array([-2 * theta[0], 2 * theta[1]])

    with pytest.warns(ConvergenceWarning, match="not positive definite"):
        covariance = _mle.laplace_covariance(
            lambda theta: 0.0,
            with_gradient,
            np.zeros(2),
            model="test",
            names=("a", "b"),
        )
    assert covariance is None


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("ABNORMAL: ", "ABNORMAL: the line search found no better point"),
        ("ABNORMAL:", "ABNORMAL: the line search found no better point"),
        (
            "ABNORMAL: ROUNDING ERRORS PREVENT PROGRESS",
            "ABNORMAL: rounding errors prevent progress",
        ),
        ("STOP: ", "STOP: no detail given"),
        ("", "no message from the optimiser"),
        (None, "no message from the optimiser"),
        (
            "Maximum number of iterations has been exceeded.",
            "Maximum number of iterations has been exceeded",
        ),
    ],
    ids=[
        "bare-abnormal",
        "no-space",
        "detail",
        "unknown-bare",
        "empty",
        "none",
        "prose",
    ],
)
def test_stop_reason_never_empty(message: str | None, expected: str) -> None:
    assert _mle.stop_reason(message) == expected


def test_stopped_fit_warning_reads_whole() -> None:
    # One iteration on a quadratic far from its maximum stops L-BFGS-B early.
    def log_likelihood(theta: np.ndarray) -> float:
        return float(-np.sum((theta - 5.0) ** 2))

    def with_gradient(theta: np.ndarray) -> tuple[float, np.ndarray]:
        return log_likelihood(theta), -2 * (theta - 5.0)

    with pytest.warns(ConvergenceWarning) as caught:
        _mle.maximize(
            log_likelihood,
            with_gradient,
            np.array([0.0, 3.0]),
            model="test",
            names=("a", "b"),
            scale=1.0,
            max_iter=1,
            tol=1e-12,
        )
    message = str(caught[0].message)
    assert "stopped before converging after 1 iteration (" in message
    assert not message.rstrip().endswith(":")
    assert "may be off the maximum likelihood" in message
