"""Purchase summaries drawn from the BG/NBD and Gamma-Gamma models.

Used to check that fits recover known parameters, and by the benchmarks.
Purchase times are rounded to whole days, as a ledger records them, so
customers share ``(x, t_x, T)`` rows the way real ones do.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def simulate_bgnbd(
    params: dict[str, float],
    T: np.ndarray,
    rng: np.random.Generator,
    *,
    unit_days: float = 7.0,
) -> pd.DataFrame:
    """Draw one BG/NBD purchase history per entry of ``T``.

    Parameters
    ----------
    params
        ``r, alpha, a, b`` in the time unit of ``T``.
    T
        Age of each customer at the end of the observation, in time units.
    rng
        Random generator.
    unit_days
        Days per time unit; times are rounded to whole days.

    Returns
    -------
    pandas.DataFrame
        ``frequency``, ``recency`` and ``T`` per customer, indexed ``0..n-1``.
    """
    n = len(T)
    age = np.asarray(T, dtype=float)
    rate = rng.gamma(params["r"], 1.0 / params["alpha"], size=n)
    dropout = rng.beta(params["a"], params["b"], size=n)
    frequency = np.zeros(n)
    recency = np.zeros(n)
    clock = np.zeros(n)
    active = np.arange(n)
    while active.size:
        clock[active] += rng.exponential(1.0 / rate[active])
        bought = clock[active] <= age[active]
        active = active[bought]
        frequency[active] += 1
        recency[active] = clock[active]
        # After each repeat purchase the customer drops out with probability p.
        stays = rng.random(active.size) >= dropout[active]
        active = active[stays]
    recency = np.round(recency * unit_days) / unit_days
    return pd.DataFrame({"frequency": frequency, "recency": recency, "T": age})


def simulate_spend(
    params: dict[str, float],
    frequency: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draw each customer's mean repeat spend from the Gamma-Gamma model.

    Customers with no repeat purchase get 0. Spend is rounded to cents.
    """
    x = np.asarray(frequency, dtype=float)
    nu = rng.gamma(params["q"], 1.0 / params["gamma"], size=len(x))
    repeat = x > 0
    # The mean of x Gamma(p, ν) purchases is Gamma(p·x, ν·x).
    mean = np.zeros(len(x))
    mean[repeat] = rng.gamma(params["p"] * x[repeat], 1.0 / (nu[repeat] * x[repeat]))
    return np.round(mean, 2)
