"""Per-account purchase summaries: the inputs of the lifetime value models.

Rules, in the order they apply:

1. Transactions dated after the as-of date are ignored.
2. Amounts are netted per account and calendar day. A day whose net amount is
   positive is one purchase occasion, so two orders on the same day are one
   occasion, and returns or credit notes never create one. A day whose rows are
   all zero-amount orders (free goods) is an occasion too.
3. ``frequency`` counts repeat occasions (occasions after the first),
   ``recency`` is the time from the first to the last occasion and ``T`` the time
   from the first occasion to the as-of date, all in the requested unit.
4. ``monetary_value`` is the mean net amount of the repeat occasions; it is 0
   for an account with no repeat occasion. The first occasion is left out, as in
   the Gamma-Gamma spend model.
5. ``net_revenue`` is the sum of every amount up to the as-of date and
   ``return_rate`` is returned amounts over purchased amounts, both over all
   rows, whether or not their day is an occasion.
6. An account with no occasion (only returns) is left out of the summary.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd

from cartera.errors import InputError

logger = logging.getLogger(__name__)

Unit = Literal["weeks", "days"]

DAYS_PER_UNIT: dict[str, float] = {"weeks": 7.0, "days": 1.0}
# A month is a twelfth of the mean Gregorian year of 365.25 days.
DAYS_PER_MONTH = 30.4375

SUMMARY_COLUMNS = (
    "frequency",
    "recency",
    "T",
    "monetary_value",
    "net_revenue",
    "return_rate",
)


def days_per_unit(unit: str) -> float:
    """Return the length of one time unit in days.

    Raises
    ------
    InputError
        ``unit`` is neither ``"weeks"`` nor ``"days"``.
    """
    try:
        return DAYS_PER_UNIT[unit]
    except KeyError as exc:
        raise InputError(
            f"time unit {unit!r} is not supported",
            hint="use 'weeks' or 'days'",
        ) from exc


def months_to_units(months: float, unit: str) -> float:
    """Convert a horizon in months into the model's unit (12 months = 52.18 weeks)."""
    return months * DAYS_PER_MONTH / days_per_unit(unit)


def purchase_summary(
    transactions: pd.DataFrame,
    as_of: date,
    unit: Unit = "weeks",
    *,
    source: str = "transactions",
) -> pd.DataFrame:
    """Summarise each account's purchases as of a date.

    Parameters
    ----------
    transactions
        One row per order or return: ``account_id`` (text), ``date``
        (datetime64) and ``amount`` (float, negative for a return).
    as_of
        Last day of the observation period; its transactions count.
    unit
        Time unit of ``recency`` and ``T``: ``"weeks"`` (7 days) or ``"days"``.
    source
        Name of the input, used in error messages.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``account_id`` and sorted by it, with the float columns
        ``frequency`` (repeat occasions), ``recency`` and ``T`` (in ``unit``),
        ``monetary_value`` (mean repeat occasion amount, currency),
        ``net_revenue`` (currency) and ``return_rate`` (share of purchases).

    Raises
    ------
    InputError
        A required column is missing, or a date or amount is missing.
    """
    step = days_per_unit(unit)
    _check_transactions(transactions, source)

    as_of_day = pd.Timestamp(as_of)
    days = pd.to_datetime(transactions["date"]).dt.normalize()
    kept = transactions.loc[days <= as_of_day, ["account_id", "amount"]].copy()
    kept["day"] = days[days <= as_of_day]
    kept["account_id"] = kept["account_id"].astype(str)
    amount = kept["amount"].astype(float)

    totals = pd.DataFrame(
        {
            "net_revenue": amount.groupby(kept["account_id"]).sum(),
            "purchased": amount.clip(lower=0).groupby(kept["account_id"]).sum(),
            "returned": (-amount.clip(upper=0)).groupby(kept["account_id"]).sum(),
        }
    )

    day_keys = [kept["account_id"], kept["day"]]
    daily = amount.groupby(day_keys).sum()
    free = (amount != 0).groupby(day_keys).sum() == 0
    occasions = daily[(daily > 0) | free].reset_index()
    occasions.columns = pd.Index(["account_id", "day", "amount"])
    grouped = occasions.groupby("account_id")
    first_day = grouped["day"].min()
    last_day = grouped["day"].max()
    count = grouped["day"].count()
    first_amount = grouped["amount"].first()  # occasions are sorted by day
    total = grouped["amount"].sum()

    frequency = (count - 1).astype(float)
    repeat_spend = total - first_amount
    summary = pd.DataFrame(
        {
            "frequency": frequency,
            "recency": (last_day - first_day).dt.days / step,
            "T": (as_of_day - first_day).dt.days / step,
            "monetary_value": np.where(
                frequency > 0, repeat_spend / frequency.where(frequency > 0, 1), 0.0
            ),
        }
    )
    summary["net_revenue"] = totals["net_revenue"].reindex(summary.index)
    purchased = totals["purchased"].reindex(summary.index)
    returned = totals["returned"].reindex(summary.index)
    summary["return_rate"] = (returned / purchased.where(purchased > 0)).fillna(0.0)
    summary.index.name = "account_id"

    left_out = len(totals) - len(summary)
    if left_out:
        logger.info("%d accounts have no purchase occasion by %s", left_out, as_of)
    return summary.sort_index()


def _check_transactions(transactions: pd.DataFrame, source: str) -> None:
    missing = [c for c in ("account_id", "date", "amount") if c not in transactions]
    if missing:
        raise InputError(
            f"{source}: column {', '.join(missing)} is missing; "
            f"found {', '.join(map(str, transactions.columns))}",
            hint="map the file's columns to account_id, date and amount",
        )
    for column in ("account_id", "date", "amount"):
        blank = transactions[column].isna()
        if blank.any():
            rows = ", ".join(str(i) for i in transactions.index[blank][:5])
            raise InputError(
                f"{source}: column {column} is missing a value in row {rows}",
                hint=f"fill in or remove the rows without {column}",
            )


def validate_summary(summary: pd.DataFrame, *, source: str = "summary") -> None:
    """Reject summaries no purchase model can describe, naming the accounts.

    Raises
    ------
    InputError
        A column is missing, a value is negative or not finite, ``frequency`` is
        not a whole number, ``recency`` exceeds ``T``, or an account with no
        repeat occasion has a positive ``recency``.
    """
    missing = [c for c in ("frequency", "recency", "T") if c not in summary]
    if missing:
        raise InputError(
            f"{source}: column {', '.join(missing)} is missing",
            hint="build the summary with cartera.models.summary.purchase_summary",
        )
    values = summary[["frequency", "recency", "T"]].to_numpy(dtype=float)
    x, t_x, age = values.T
    checks = [
        (~np.isfinite(values).all(axis=1), "has a missing or infinite value"),
        ((values < 0).any(axis=1), "has a negative value"),
        (x != np.round(x), "has a frequency that is not a whole number"),
        (t_x > age, "has recency greater than T"),
        ((x == 0) & (t_x > 0), "has recency above 0 with no repeat purchase"),
    ]
    for bad, problem in checks:
        if bad.any():
            accounts = summary.index[bad]
            shown = ", ".join(map(str, accounts[:5]))
            more = f" and {len(accounts) - 5} more" if len(accounts) > 5 else ""
            raise InputError(
                f"{source}: account {shown}{more} {problem}",
                hint="rebuild the summary from the transactions or drop those accounts",
            )
