"""The collections worklist: one action per open invoice, best cash per contact first.

Business rules:

1. Every open invoice with a positive open amount that is at least as many days
   past due as the first dunning level gets one line. Each line carries its own
   invoice's open amount, never the account's balance or another invoice's.
2. The recommended action is the dunning level with the largest
   ``min_days_past_due`` not above the invoice's days past due.
3. Expected cash is the open amount in the reporting currency times the
   chance that a contact changes the outcome (rule 2 of
   :mod:`cartera.policy.score`).
4. Money columns: ``currency`` is the invoice's own currency and ``open_amount``
   is in it; ``reporting_open_amount`` and ``expected_cash`` are in the
   reporting currency, so lines of different currencies compare.
5. Lines are ordered by expected cash per contact, highest first; ties by days
   past due (oldest first), then by ``invoice_id``.
6. Capacity: each action takes the minutes of its level. Lines are numbered into
   weeks of ``[dunning] weekly_minutes``, in order: week 1 is what the team can
   do this week. A single action longer than a week gets a week to itself.
7. An invoice past due by fewer days than the first level's ``min_days_past_due``
   gets no line. A ``CarteraWarning`` names how many such invoices there are and
   the level, so the run notes explain why they are missing.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd

from cartera.config import DunningConfig
from cartera.errors import CarteraWarning, InputError
from cartera.policy.score import reporting_amount

logger = logging.getLogger(__name__)

WORKLIST_COLUMNS = (
    "position",
    "week",
    "invoice_id",
    "account_id",
    "currency",
    "open_amount",
    "reporting_open_amount",
    "days_past_due",
    "level",
    "action",
    "channel",
    "minutes",
    "expected_cash",
    "tier",
)
REQUIRED = ("invoice_id", "account_id", "open_amount", "days_past_due")


def dunning_level(days_past_due: pd.Series, dunning: DunningConfig) -> pd.Series:
    """Return each invoice's 1-based dunning level, 0 when none applies (rule 2)."""
    thresholds = np.array(
        [lvl.min_days_past_due for lvl in dunning.levels], dtype=float
    )
    days = (
        pd.to_numeric(days_past_due, errors="coerce").fillna(-1).to_numpy(dtype=float)
    )
    # searchsorted(side="right") counts the thresholds at or below each value.
    return pd.Series(
        np.searchsorted(thresholds, days, side="right"), index=days_past_due.index
    )


def assign_weeks(minutes: pd.Series, weekly_minutes: float) -> pd.Series:
    """Number ordered actions into weeks of ``weekly_minutes`` (rule 6)."""
    weeks = np.empty(len(minutes), dtype="int64")
    week, used = 1, 0.0
    for i, need in enumerate(minutes.to_numpy(dtype=float)):
        if used > 0 and used + need > weekly_minutes + 1e-9:
            week, used = week + 1, 0.0
        weeks[i] = week
        used += need
    return pd.Series(weeks, index=minutes.index)


def _warn_below_first_level(
    days_past_due: pd.Series,
    amount: pd.Series,
    level: pd.Series,
    dunning: DunningConfig,
) -> None:
    """Warn when past-due invoices get no line because no level applies (rule 7)."""
    days = pd.to_numeric(days_past_due, errors="coerce")
    unlisted = int(((days > 0) & (amount > 0) & (level == 0)).sum())
    if unlisted == 0:
        return
    first = dunning.levels[0].min_days_past_due
    warnings.warn(
        f"{unlisted} past-due invoice(s) have no worklist line: they are fewer "
        f"than {first} days past due, the first dunning level "
        f"([[dunning.levels]] min_days_past_due = {first})",
        CarteraWarning,
        stacklevel=3,
    )


def build_worklist(
    open_items: pd.DataFrame,
    expected_cash: pd.Series,
    dunning: DunningConfig,
    *,
    tiers: pd.Series | None = None,
) -> pd.DataFrame:
    """Build the ordered collection worklist (rules 1-7).

    Parameters
    ----------
    open_items
        Open invoices: ``invoice_id, account_id, open_amount`` (invoice
        currency) and ``days_past_due`` (days), with the optional ``currency``
        and ``reporting_open_amount`` (reporting currency). Without
        ``reporting_open_amount``, ``open_amount`` is used in its place.
    expected_cash
        Expected cash of each open item in the reporting currency, indexed like
        ``open_items`` (from :func:`cartera.policy.score.collection_value`).
    dunning
        Dunning levels and the weekly minutes for collection.
    tiers
        Tier per ``account_id``, shown on each line when given.

    Returns
    -------
    pandas.DataFrame
        :data:`WORKLIST_COLUMNS`, one row per action, in working order.

    Raises
    ------
    InputError
        A required open-item column is missing.

    Warns
    -----
    CarteraWarning
        Past-due invoices are below the first dunning level and get no line.
    """
    missing = [c for c in REQUIRED if c not in open_items.columns]
    if missing:
        raise InputError(
            f"open items lack {', '.join(missing)}, needed for the worklist",
            hint="give invoices with due dates so open items can be aged",
        )
    if open_items.empty:
        return pd.DataFrame(columns=list(WORKLIST_COLUMNS))

    amount = pd.to_numeric(open_items["open_amount"], errors="coerce").fillna(0.0)
    level = dunning_level(open_items["days_past_due"], dunning)
    keep = (amount > 0) & (level > 0)
    _warn_below_first_level(open_items["days_past_due"], amount, level, dunning)
    items = open_items.loc[keep]
    level = level[keep]

    lines = pd.DataFrame(
        {
            "invoice_id": items["invoice_id"].astype(str),
            "account_id": items["account_id"].astype(str),
            "currency": items["currency"] if "currency" in items.columns else pd.NA,
            "open_amount": amount[keep],
            "reporting_open_amount": reporting_amount(open_items)[keep],
            "days_past_due": pd.to_numeric(items["days_past_due"]).astype("int64"),
            "level": level.astype("int64"),
            "action": [dunning.levels[i - 1].action for i in level],
            "channel": [dunning.levels[i - 1].channel for i in level],
            "minutes": [dunning.levels[i - 1].action_minutes() for i in level],
            "expected_cash": expected_cash.reindex(items.index)
            .fillna(0.0)
            .astype(float),
        },
        index=items.index,
    )
    lines = lines.sort_values(
        ["expected_cash", "days_past_due", "invoice_id"],
        ascending=[False, False, True],
        kind="mergesort",
    ).reset_index(drop=True)
    lines.insert(0, "week", assign_weeks(lines["minutes"], dunning.weekly_minutes))
    lines.insert(0, "position", np.arange(1, len(lines) + 1))
    if tiers is not None:
        lines["tier"] = lines["account_id"].map(tiers).astype("Int64")
    else:
        lines["tier"] = pd.array([pd.NA] * len(lines), dtype="Int64")
    logger.info(
        "worklist: %d actions, %d in week 1",
        len(lines),
        int((lines["week"] == 1).sum()),
    )
    return lines[list(WORKLIST_COLUMNS)]
