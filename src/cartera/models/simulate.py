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


def simulate_transactions(
    customers: int,
    first_day: str,
    last_day: str,
    rng: np.random.Generator,
    *,
    purchase_params: dict[str, float] | None = None,
    spend_params: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Draw a transaction ledger from the BG/NBD and Gamma-Gamma models.

    Parameters
    ----------
    customers
        Number of accounts, named ``C0000``, ``C0001``, ...
    first_day, last_day
        ISO dates: first purchases fall in the first third of the period and
        no transaction is after ``last_day``.
    rng
        Random generator.
    purchase_params, spend_params
        BG/NBD parameters in days and Gamma-Gamma parameters; the defaults are
        typical of a retail ledger.

    Returns
    -------
    pandas.DataFrame
        ``account_id``, ``date`` (datetime64) and ``amount`` (currency), one
        row per purchase.
    """
    purchase = purchase_params or {"r": 0.8, "alpha": 40.0, "a": 0.6, "b": 4.0}
    spend = spend_params or {"p": 4.0, "q": 5.0, "gamma": 40.0}
    start = pd.Timestamp(first_day)
    days = (pd.Timestamp(last_day) - start).days
    first = rng.integers(0, max(days // 3, 1), size=customers)
    summary_rows = []
    for i in range(customers):
        rate = rng.gamma(purchase["r"], 1.0 / purchase["alpha"])
        dropout = rng.beta(purchase["a"], purchase["b"])
        nu = rng.gamma(spend["q"], 1.0 / spend["gamma"])
        when = 0.0
        times = [0.0]
        while True:
            when += rng.exponential(1.0 / rate)
            if first[i] + when > days:
                break
            times.append(when)
            if rng.random() < dropout:
                break
        for t in times:
            day = start + pd.Timedelta(days=int(first[i] + t))
            amount = round(float(rng.gamma(spend["p"], 1.0 / nu)), 2)
            summary_rows.append((f"C{i:04d}", day, amount))
    return pd.DataFrame(summary_rows, columns=["account_id", "date", "amount"])
