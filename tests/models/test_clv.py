"""Discounted CLV: horizons in months, discounting of per-period increments."""

from __future__ import annotations

import numpy as np
import pytest

from cartera.errors import InputError
from cartera.models.clv import customer_lifetime_value, discounted_purchases
from cartera.models.summary import months_to_units

WEEKS_PER_MONTH = months_to_units(1, "weeks")


def one_a_month(t: np.ndarray) -> np.ndarray:
    """One purchase a month, for one account, with t in weeks."""
    return (np.asarray(t) / WEEKS_PER_MONTH)[:, np.newaxis]


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        pytest.param(0.0, 30.0, id="undiscounted"),
        # 10/1.01 + 10/1.01^2 + 10/1.01^3, worked by hand.
        pytest.param(0.01, 29.41, id="one-percent-a-month"),
    ],
)
def test_one_purchase_a_month_for_three_months(rate: float, expected: float) -> None:
    value = customer_lifetime_value(
        one_a_month,
        np.array([10.0]),
        horizon_months=3,
        monthly_discount_rate=rate,
        margin=1.0,
        unit="weeks",
    )
    assert value[0] == pytest.approx(expected, abs=0.005)


def test_increments_are_discounted_not_totals() -> None:
    # Cumulative purchases 1, 3, 6 at the end of months 1-3: increments 1, 2, 3.
    def cumulative(t: np.ndarray) -> np.ndarray:
        months = np.round(np.asarray(t) / WEEKS_PER_MONTH)
        return (months * (months + 1) / 2)[:, np.newaxis]

    value = discounted_purchases(cumulative, 3 * WEEKS_PER_MONTH, WEEKS_PER_MONTH, 0.1)
    assert value[0] == pytest.approx(1 / 1.1 + 2 / 1.1**2 + 3 / 1.1**3)


def test_partial_last_month() -> None:
    value = discounted_purchases(
        one_a_month, 1.5 * WEEKS_PER_MONTH, WEEKS_PER_MONTH, 0.0
    )
    assert value[0] == pytest.approx(1.5)


@pytest.mark.parametrize(
    ("horizon", "period", "rate"),
    [
        pytest.param(0.0, 1.0, 0.01, id="zero-horizon"),
        pytest.param(12.0, -1.0, 0.01, id="negative-period"),
        pytest.param(12.0, 1.0, -0.01, id="negative-rate"),
    ],
)
def test_invalid_horizon_raises(horizon: float, period: float, rate: float) -> None:
    with pytest.raises(InputError, match="are invalid"):
        discounted_purchases(one_a_month, horizon, period, rate)
