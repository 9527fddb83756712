"""The priority score: money at stake from working an account now, with reasons.

Business rules (weights and half-lives in ``[priority]``):

1. *Growth* is the expected future margin: ``clv * p_alive``. Without ``clv``,
   ``expected_purchases * expected_spend * margin * p_alive``, with
   ``expected_spend`` the spend per purchase; a missing ``p_alive`` counts as 1.
   With ``growth_basis = "recent_spend"``, or when no value model ran, growth
   is past spend discounted by recency, ``monetary * margin * 0.5 **
   (recency_days / recency_half_life_days)``: a proxy that needs no model.
2. *Collection* is the open receivables times the chance that a contact changes
   the outcome: for each open invoice, ``reporting_open_amount * p * 0.5 ** (dpd
   / collection_half_life_days)``, with the open amount in the reporting
   currency (``open_amount`` when an item has no converted amount). ``p`` is
   the invoice's ``p_late``, else 1 for an invoice already past due, else the
   account's ``p_late`` or ``share_paid_late``, else 0. The half-life
   reflects that the older a debt, the less a contact recovers. Credit notes
   and settled amounts (open amount at or below 0) count for nothing.
   With ``minor_units`` given, each item's expected cash is rounded to them
   and an account's collection value is the sum of its rounded items, so the
   worklist lines of an account never add up to more than it.
3. Without open items, collection uses the account's ageing buckets, each at a
   representative number of days past due.
4. *Prospects* (``is_prospect``) are worth ``p_convert *
   expected_first_year_value``. A prospect whose first-year value is missing
   (no customer purchases to value a new customer by) counts it as 1, so
   prospects still rank by ``p_convert``, and its reason gives no value.
5. The score is ``growth_weight * growth + collection_weight * collection +
   prospect_weight * prospect``, in the reporting currency. With
   ``minor_units`` given, the three values are rounded to them first (half to
   even, as :meth:`pandas.Series.round` does) and the score is computed from
   the rounded values and rounded again, so with the default weights of 1 the
   written score is exactly the sum of the written values.
6. Each account gets up to three reasons, the ones with the most money behind
   them first, joined by ``"; "``.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from cartera.config import PriorityConfig
from cartera.policy._text import format_money, format_share, text

logger = logging.getLogger(__name__)

# Representative days past due of each ageing bucket, for rule 3.
BUCKET_DAYS = {
    "aging_current": 0.0,
    "aging_1_30": 15.0,
    "aging_31_60": 45.0,
    "aging_61_90": 75.0,
    "aging_over_90": 120.0,
}
MAX_REASONS = 3
# The score before rounding, which orders accounts whose rounded scores are
# equal. Leads without a first-year value score p_convert, a share that cents
# would cut to two decimals.
EXACT_SCORE = "priority_score_exact"
SCORE_COLUMNS = (
    "growth_value",
    "collection_value",
    "prospect_value",
    "priority_score",
    "reasons",
)


def _column(frame: pd.DataFrame, name: str, default: float = np.nan) -> pd.Series:
    """Return ``frame[name]`` as floats, or ``default`` everywhere when absent."""
    if name not in frame.columns:
        return pd.Series(default, index=frame.index, dtype="float64")
    return pd.to_numeric(frame[name], errors="coerce").astype("float64")


def _is_prospect(accounts: pd.DataFrame) -> pd.Series:
    if "is_prospect" not in accounts.columns:
        return pd.Series(False, index=accounts.index)
    return accounts["is_prospect"].fillna(False).astype(bool)


def has_value_model(accounts: pd.DataFrame) -> bool:
    """Tell whether value-model columns with at least one value are present."""
    spend = _column(accounts, "expected_purchases") * _column(
        accounts, "expected_spend"
    )
    return bool(_column(accounts, "clv").notna().any() or spend.notna().any())


def recent_spend(accounts: pd.DataFrame, half_life_days: float) -> pd.Series:
    """Return past spend discounted by recency: ``monetary * 0.5 ** (recency / h)``.

    Accounts without purchases get 0.
    """
    monetary = _column(accounts, "monetary").clip(lower=0)
    recency = _column(accounts, "recency_days").clip(lower=0)
    return (monetary * 0.5 ** (recency / half_life_days)).fillna(0.0)


def growth_value(
    accounts: pd.DataFrame, priority: PriorityConfig, margin: float
) -> pd.Series:
    """Return the expected future margin of each account (rule 1), in currency."""
    p_alive = _column(accounts, "p_alive").fillna(1.0).clip(0, 1)
    if priority.growth_basis == "clv" and has_value_model(accounts):
        clv = _column(accounts, "clv")
        spend = _column(accounts, "expected_purchases") * _column(
            accounts, "expected_spend"
        )
        spend_margin = spend * margin
        value = clv.fillna(spend_margin) * p_alive
    else:
        value = recent_spend(accounts, priority.recency_half_life_days) * margin
    return value.fillna(0.0).clip(lower=0.0).where(~_is_prospect(accounts), 0.0)


def _item_chance(
    items: pd.DataFrame, accounts: pd.DataFrame, half_life_days: float
) -> pd.Series:
    """Chance that contacting the debtor changes the outcome of each item (rule 2)."""
    days = pd.to_numeric(items["days_past_due"], errors="coerce").fillna(0.0)
    overdue = days > 0
    account_p = _column(accounts, "p_late").fillna(_column(accounts, "share_paid_late"))
    by_account = pd.Series(
        account_p.to_numpy(), index=accounts["account_id"].astype(str)
    )
    by_account = by_account[~by_account.index.duplicated()]
    fallback = items["account_id"].astype(str).map(by_account).astype(float)
    p = _column(items, "p_late")
    p = p.fillna(pd.Series(np.where(overdue, 1.0, np.nan), index=items.index))
    p = p.fillna(fallback).fillna(0.0).clip(0, 1)
    return p * 0.5 ** (days.clip(lower=0) / half_life_days)


def reporting_amount(open_items: pd.DataFrame) -> pd.Series:
    """Return each open item's open amount in the reporting currency (rule 2).

    ``reporting_open_amount`` when present, else ``open_amount``, which is then
    taken to be in the reporting currency already; missing amounts count as 0.
    """
    column = (
        "reporting_open_amount"
        if "reporting_open_amount" in open_items.columns
        else "open_amount"
    )
    return pd.to_numeric(open_items[column], errors="coerce").fillna(0.0)


def collection_value(
    accounts: pd.DataFrame,
    open_items: pd.DataFrame | None,
    half_life_days: float,
    *,
    minor_units: int | None = None,
) -> tuple[pd.Series, pd.Series]:
    """Return collection value per account (rules 2 and 3) and per open item.

    ``minor_units`` (decimal places of money) rounds the values; ``None``
    leaves them unrounded.

    Returns
    -------
    tuple of pandas.Series
        Value per account (indexed like ``accounts``) and expected cash per open
        item (indexed like ``open_items``; empty without open items), both in
        the reporting currency.
    """
    ids = accounts["account_id"].astype(str)
    if open_items is not None and len(open_items):
        amount = reporting_amount(open_items)
        chance = _item_chance(open_items, accounts, half_life_days)
        per_item = amount.clip(lower=0.0) * chance
        if minor_units is not None:
            per_item = per_item.round(minor_units)
        totals = per_item.groupby(open_items["account_id"].astype(str)).sum()
        if minor_units is not None:
            # Sums of rounded floats carry noise below the last decimal.
            totals = totals.round(minor_units)
        per_account = ids.map(totals).fillna(0.0).astype(float)
        return per_account.set_axis(accounts.index), per_item

    per_account = pd.Series(0.0, index=accounts.index)
    p_current = _column(accounts, "p_late").fillna(_column(accounts, "share_paid_late"))
    for bucket, days in BUCKET_DAYS.items():
        amount = _column(accounts, bucket).fillna(0.0).clip(lower=0.0)
        p = p_current.fillna(0.0) if days == 0 else 1.0
        per_account += amount * p * 0.5 ** (days / half_life_days)
    if minor_units is not None:
        per_account = per_account.round(minor_units)
    return per_account, pd.Series(dtype="float64")


def prospect_value(accounts: pd.DataFrame) -> pd.Series:
    """Return ``p_convert * expected_first_year_value`` for prospects, else 0.

    A missing first-year value counts as 1 (rule 4).
    """
    first_year = (
        _column(accounts, "expected_first_year_value").clip(lower=0).fillna(1.0)
    )
    value = _column(accounts, "p_convert").clip(0, 1) * first_year
    return value.fillna(0.0).where(_is_prospect(accounts), 0.0)


def score_accounts(
    accounts: pd.DataFrame,
    open_items: pd.DataFrame | None,
    priority: PriorityConfig,
    *,
    margin: float = 0.3,
    lang: str = "en",
    minor_units: int | None = None,
) -> tuple[pd.DataFrame, pd.Series]:
    """Compute the priority score and reasons of every account (rules 1-6).

    Parameters
    ----------
    accounts
        One row per account with ``account_id`` and any of the columns named in
        the rules; missing columns count as no information.
    open_items
        Open invoices with ``account_id, open_amount, days_past_due`` and the
        optional ``reporting_open_amount`` and ``p_late``, or ``None``.
    priority
        Weights and half-lives.
    margin
        Gross margin share of revenue, for growth without CLV.
    lang
        ``"en"`` or ``"es"`` for the reasons.
    minor_units
        Decimal places that values and scores are rounded to (rules 2 and 5),
        or ``None`` to leave them unrounded.

    Returns
    -------
    tuple
        A frame indexed like ``accounts`` with :data:`SCORE_COLUMNS` and
        :data:`EXACT_SCORE`, and the expected cash of each open item.
    """
    growth = growth_value(accounts, priority, margin)
    collection, per_item = collection_value(
        accounts,
        open_items,
        priority.collection_half_life_days,
        minor_units=minor_units,
    )
    prospect = prospect_value(accounts)
    exact_score = _weighted(priority, growth, collection, prospect)
    score = exact_score
    if minor_units is not None:
        exact_collection, _ = collection_value(
            accounts, open_items, priority.collection_half_life_days
        )
        exact_score = _weighted(priority, growth, exact_collection, prospect)
        growth = growth.round(minor_units)
        prospect = prospect.round(minor_units)
        # Sums of rounded floats carry noise below the last decimal.
        score = _weighted(priority, growth, collection, prospect).round(minor_units)
    scores = pd.DataFrame(
        {
            "growth_value": growth,
            "collection_value": collection,
            "prospect_value": prospect,
            "priority_score": score,
            EXACT_SCORE: exact_score,
        },
        index=accounts.index,
    )
    model_growth = priority.growth_basis == "clv" and has_value_model(accounts)
    scores["reasons"] = build_reasons(accounts, scores, lang, model_growth=model_growth)
    logger.info("scored %d accounts", len(accounts))
    return scores, per_item


def _weighted(
    priority: PriorityConfig,
    growth: pd.Series,
    collection: pd.Series,
    prospect: pd.Series,
) -> pd.Series:
    """Return the weighted sum of rule 5."""
    return (
        priority.growth_weight * growth
        + priority.collection_weight * collection
        + priority.prospect_weight * prospect
    )


def _days_ago(days: float, lang: str) -> str:
    if np.isnan(days):
        return text(lang, "days_ago_none")
    if int(days) == 1:
        return text(lang, "days_ago_one")
    return text(lang, "days_ago_many", n=int(days))


def _reason_candidates(
    row: dict[str, float], lang: str, model_growth: bool
) -> list[tuple[float, str]]:
    """List (money behind it, sentence) for every reason that applies to one row."""
    candidates: list[tuple[float, str]] = []
    growth, collection = row["growth_value"], row["collection_value"]

    def money(value: float) -> str:
        return format_money(value, lang)

    def share(value: float) -> str:
        return format_share(value, lang)

    if growth > 0 and model_growth:
        candidates.append((growth, text(lang, "reason_growth", value=money(growth))))
    elif growth > 0:
        line = text(
            lang,
            "reason_recent_spend",
            value=money(growth),
            days=_days_ago(row["recency_days"], lang),
        )
        candidates.append((growth, line))
    if row["overdue_balance"] > 0:
        overdue = row["overdue_balance"]
        candidates.append(
            (collection, text(lang, "reason_collect", value=money(overdue)))
        )
    if row["aging_over_90"] > 0:
        old = row["aging_over_90"]
        line = text(lang, "reason_collect_old", value=money(old), days=90)
        candidates.append((collection + 0.5 * old, line))
    if row["p_late"] >= 0.5:
        candidates.append(
            (0.5 * collection, text(lang, "reason_late", p=share(row["p_late"])))
        )
        if row["aging_current"] > 0:
            current = row["aging_current"]
            line = text(lang, "reason_due_soon", value=money(current))
            candidates.append((row["p_late"] * current, line))
    if growth > 0 and row["p_alive"] >= 0.7:
        candidates.append(
            (0.5 * growth, text(lang, "reason_alive", p=share(row["p_alive"])))
        )
    if growth > 0 and row["p_alive"] < 0.3:
        candidates.append(
            (0.5 * growth, text(lang, "reason_lapsing", p=share(row["p_alive"])))
        )
    if row["prospect_value"] > 0:
        first_year = row["expected_first_year_value"]
        line = (
            text(lang, "reason_prospect_unvalued", p=share(row["p_convert"]))
            if np.isnan(first_year)
            else text(
                lang,
                "reason_prospect",
                p=share(row["p_convert"]),
                value=money(first_year),
            )
        )
        candidates.append((row["prospect_value"], line))
    if row["dispute_rate"] >= 0.2:
        line = text(lang, "reason_disputes", p=share(row["dispute_rate"]))
        candidates.append((0.25 * collection, line))
    return candidates


def build_reasons(
    accounts: pd.DataFrame, scores: pd.DataFrame, lang: str, *, model_growth: bool
) -> pd.Series:
    """Return up to three reasons per account, most money first (rule 6)."""
    zero_filled = ("overdue_balance", "aging_over_90", "aging_current")
    facts = pd.DataFrame(
        {
            name: _column(accounts, name).fillna(0.0)
            if name in zero_filled
            else _column(accounts, name)
            for name in (
                *zero_filled,
                "p_alive",
                "p_convert",
                "expected_first_year_value",
                "dispute_rate",
                "recency_days",
            )
        },
        index=accounts.index,
    )
    facts["p_late"] = _column(accounts, "p_late").fillna(
        _column(accounts, "share_paid_late")
    )
    facts = facts.join(scores[["growth_value", "collection_value", "prospect_value"]])

    reasons = []
    for record in facts.to_dict(orient="records"):
        row = {str(key): float(value) for key, value in record.items()}
        candidates = _reason_candidates(row, lang, model_growth)
        # A stable sort keeps the order above among reasons with equal money.
        candidates.sort(key=lambda c: -c[0])
        chosen = [line for _, line in candidates[:MAX_REASONS]]
        reasons.append("; ".join(chosen) if chosen else text(lang, "reason_none"))
    return pd.Series(reasons, index=accounts.index, dtype="str")
