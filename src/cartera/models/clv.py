"""Discounted customer lifetime value over a finite horizon.

Rules:

1. The horizon is given in months and converted into the model's time unit,
   with a month of 30.4375 days (4.348 weeks), so 12 months are 52.18 weeks.
2. The horizon is cut into one-month periods (the last may be shorter). Each
   period's increment of expected purchases, not the running total, is
   discounted by ``(1 + monthly rate) ** months`` at the end of the period.
3. CLV is margin times expected spend per purchase times the discounted
   expected purchases.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from cartera.errors import InputError
from cartera.models.summary import months_to_units

Cumulative = Callable[[np.ndarray], np.ndarray]


def discounted_purchases(
    expected_purchases: Cumulative,
    horizon: float,
    period: float,
    rate: float,
) -> np.ndarray:
    """Sum discounted per-period increments of expected purchases.

    Parameters
    ----------
    expected_purchases
        Expected cumulative purchases of each account within ``t`` time units
        from now, as a function of a 1-D array of ``t`` returning an array of
        shape ``(len(t), accounts)``. It must be 0 at ``t = 0``.
    horizon
        Length of the forecast, in time units.
    period
        Length of one discounting period, in time units.
    rate
        Discount rate per period (0.01 for 1 %).

    Returns
    -------
    numpy.ndarray
        Discounted expected purchases per account.

    Raises
    ------
    InputError
        ``horizon`` or ``period`` is not positive, or ``rate`` is negative.
    """
    if not (horizon > 0 and period > 0 and rate >= 0):
        raise InputError(
            f"horizon {horizon}, period {period} and discount rate {rate} are invalid",
            hint="use a positive horizon and period and a rate of 0 or more",
        )
    steps = math.ceil(horizon / period - 1e-9)
    ends = np.minimum(np.arange(1, steps + 1) * period, horizon)
    cumulative = np.asarray(expected_purchases(ends), dtype=float)
    increments = np.diff(cumulative, axis=0, prepend=0.0)
    factors = (1.0 + rate) ** (-ends / period)
    result: np.ndarray = factors @ increments
    return result


def customer_lifetime_value(
    expected_purchases: Cumulative,
    spend: np.ndarray,
    *,
    horizon_months: float,
    monthly_discount_rate: float,
    margin: float,
    unit: str,
) -> np.ndarray:
    """Return each account's discounted margin over the horizon (currency).

    Parameters
    ----------
    expected_purchases
        Expected cumulative purchases per account within ``t`` units of
        ``unit`` from now, as in :func:`discounted_purchases`.
    spend
        Expected spend per purchase of each account (currency).
    horizon_months
        Horizon in months.
    monthly_discount_rate
        Discount rate per month (0.01 for 1 %).
    margin
        Share of spend kept as margin.
    unit
        Time unit of ``expected_purchases``: ``"weeks"`` or ``"days"``.
    """
    purchases = discounted_purchases(
        expected_purchases,
        months_to_units(horizon_months, unit),
        months_to_units(1.0, unit),
        monthly_discount_rate,
    )
    result: np.ndarray = margin * np.asarray(spend, dtype=float) * purchases
    return result
