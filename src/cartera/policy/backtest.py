"""Backtest: rank as of a past date and measure what each tier did afterwards.

Business rules:

1. The ranking sees the ledger as of ``as_of`` through the product's own
   features (:func:`cartera.features.compute_features`) and policy; the holdout
   is ``as_of < date <= horizon_end``. Accounts ranked are those with a
   purchase or an invoice by ``as_of``.
2. An account's holdout value is its net holdout spend, floored at 0 so that
   returns do not make an account worth less than nothing. Holdout value of
   accounts first seen after ``as_of`` cannot be ranked and is left out.
3. With invoices, overdue money is the open amount at ``as_of`` of invoices
   past due then. What of it is no longer open at ``horizon_end`` counts as
   collected, so partial payments count in part.
4. The product's ranking is :func:`cartera.policy.apply_policy` as configured,
   with value-model columns when a value model is given. The baselines rank
   by past spend, past frequency (distinct purchase days), recency (most
   recent first) and a seeded random order. Every ranking is cut with the tier
   sizes the product used, and equal scores are ordered by ``account_id``.
5. Per ranking and tier the result gives the share of holdout value bought by
   the tier's accounts, and with invoices the share of collected overdue money.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from cartera.config import Config, ValueConfig
from cartera.engine import Workspace
from cartera.errors import InputError, ModelError
from cartera.features.compute import Features, compute_features
from cartera.policy import apply_policy
from cartera.policy.pyramid import raw_tiers

logger = logging.getLogger(__name__)

ValueModel = Callable[[pd.DataFrame, date, ValueConfig], pd.DataFrame]

POLICY = "cartera"
BASELINES = ("past_spend", "past_frequency", "recency", "random")
TABLE_COLUMNS = (
    "ranking",
    "tier",
    "accounts",
    "holdout_value",
    "value_share",
    "collected",
    "collected_share",
)


@dataclass
class BacktestResult:
    """Per-tier outcomes of the product's ranking and the baselines.

    Attributes
    ----------
    as_of, horizon_end
        Ranking date and end of the holdout (inclusive).
    accounts
        Accounts ranked.
    holdout_value
        Total holdout value of the ranked accounts (currency).
    collected
        Overdue money at ``as_of`` collected in the holdout, or ``None`` without
        invoices.
    growth_basis
        What the product's growth term used: ``"clv"`` or ``"recent_spend"``.
    table
        :data:`TABLE_COLUMNS`, one row per ranking and tier.
    value_model_error
        Why the value model failed, when it did; the ranking then ran without it.
    """

    as_of: date
    horizon_end: date
    accounts: int
    holdout_value: float
    collected: float | None
    growth_basis: str
    table: pd.DataFrame
    value_model_error: str | None = None

    def tier1_share(self, ranking: str = POLICY) -> float:
        """Return the share of holdout value bought by tier 1 of ``ranking``."""
        rows = self.table[
            (self.table["ranking"] == ranking) & (self.table["tier"] == 1)
        ]
        return float(rows["value_share"].iloc[0])

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready data."""
        table = self.table.astype(object).where(self.table.notna(), None)
        return {
            "as_of": self.as_of.isoformat(),
            "horizon_end": self.horizon_end.isoformat(),
            "accounts": self.accounts,
            "holdout_value": self.holdout_value,
            "collected": self.collected,
            "growth_basis": self.growth_basis,
            "value_model_error": self.value_model_error,
            "tiers": table.to_dict(orient="records"),
        }


def _check_columns(frame: pd.DataFrame, columns: tuple[str, ...], table: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"{table} lack the columns {', '.join(missing)}",
            hint=f"map those columns in [input.{table}] of the config",
        )


def holdout_value(
    transactions: pd.DataFrame, as_of: date, horizon_end: date
) -> pd.Series:
    """Return each account's net spend in the holdout, floored at 0 (rule 2)."""
    start, end = pd.Timestamp(as_of), pd.Timestamp(horizon_end)
    window = transactions[
        (transactions["date"] > start) & (transactions["date"] <= end)
    ]
    return window.groupby("account_id")["amount"].sum().clip(lower=0.0)


def _ledger_features(
    transactions: pd.DataFrame,
    invoices: pd.DataFrame | None,
    dates: tuple[date, ...],
    config: Config,
) -> list[Features]:
    """Compute the product's features of the ledger as of each date."""
    workspace = Workspace(minor_units=config.money.minor_units)
    try:
        workspace.load("transactions", transactions)
        if invoices is not None:
            workspace.load("invoices", invoices)
        return [compute_features(workspace, day, config) for day in dates]
    finally:
        workspace.close()


def collected_overdue(start: Features, end: Features) -> pd.Series:
    """Return per account the overdue money at ``start`` no longer open at ``end``.

    Overdue items are the open items of ``start`` past due; each contributes its
    open amount then minus its open amount at ``end`` (0 once settled), floored
    at 0 (rule 3). Amounts are in the reporting currency.
    """
    items = start.open_items
    if items.empty:
        return pd.Series(dtype=float)
    amount = "reporting_open_amount"
    overdue = items[(items["days_past_due"] > 0) & (items[amount] > 0)]
    later = end.open_items.set_index("invoice_id")[amount]
    # An empty frame at the end has no numeric dtype to map from.
    remaining = pd.to_numeric(overdue["invoice_id"].map(later), errors="coerce")
    collected = (overdue[amount] - remaining.fillna(0.0)).clip(lower=0.0)
    return collected.groupby(overdue["account_id"].astype(str)).sum()


def _baseline_scores(accounts: pd.DataFrame, seed: int) -> dict[str, pd.Series]:
    recency = accounts["recency_days"].astype(float)
    rng = np.random.default_rng(seed)
    return {
        "past_spend": accounts["monetary"].fillna(0.0).astype(float),
        "past_frequency": accounts["frequency"].fillna(0).astype(float),
        # Most recent first; accounts without purchases last.
        "recency": (-recency).fillna(-np.inf),
        "random": pd.Series(
            rng.permutation(len(accounts)).astype(float), index=accounts.index
        ),
    }


def _tier_table(
    ranking: str,
    tiers: pd.Series,
    value: pd.Series,
    collected: pd.Series | None,
) -> pd.DataFrame:
    frame = pd.DataFrame({"tier": tiers.to_numpy(), "value": value.to_numpy()})
    if collected is not None:
        frame["collected"] = collected.to_numpy()
    grouped = frame.groupby("tier")
    table = pd.DataFrame(
        {"accounts": grouped.size(), "holdout_value": grouped["value"].sum()}
    )
    table = table.reindex([1, 2, 3], fill_value=0)
    total = frame["value"].sum()
    table["value_share"] = table["holdout_value"] / total if total > 0 else np.nan
    if collected is not None:
        table["collected"] = (
            grouped["collected"].sum().reindex([1, 2, 3], fill_value=0.0)
        )
        total_collected = frame["collected"].sum()
        table["collected_share"] = (
            table["collected"] / total_collected if total_collected > 0 else np.nan
        )
    else:
        table["collected"] = np.nan
        table["collected_share"] = np.nan
    table.index.name = "tier"
    return table.reset_index().assign(ranking=ranking)[list(TABLE_COLUMNS)]


def run_backtest(
    transactions: pd.DataFrame,
    *,
    as_of: date,
    horizon_end: date,
    config: Config,
    invoices: pd.DataFrame | None = None,
    value_model: ValueModel | None = None,
    seed: int = 0,
) -> BacktestResult:
    """Rank accounts as of ``as_of`` and score each tier on the holdout (rules 1-5).

    Parameters
    ----------
    transactions
        Canonical transactions: ``account_id, date`` (datetime64) and ``amount``
        (currency, negative for a return).
    as_of
        Ranking date; later transactions are hidden from the ranking.
    horizon_end
        Last day of the holdout.
    config
        Configuration of the product's policy.
    invoices
        Canonical invoices with ``paid_date``, to measure collection, or ``None``.
    value_model
        Function ``(transactions, as_of, value_config) -> accounts`` returning
        ``account_id`` and value columns (``clv, p_alive`` ...), fitted on the
        transactions up to ``as_of`` only; ``None`` ranks without one. When it
        raises :class:`~cartera.errors.ModelError`, the ranking runs without
        it and the result records the error.
    seed
        Seed of the random baseline.

    Raises
    ------
    InputError
        A column is missing, ``horizon_end`` is not after ``as_of``, no
        account bought anything by ``as_of``, or (without invoices) none
        bought anything in the holdout.
    """
    if horizon_end <= as_of:
        raise InputError(
            f"horizon end {horizon_end} is not after the as-of date {as_of}",
            hint="give a --horizon-end later than --as-of",
        )
    _check_columns(transactions, ("account_id", "date", "amount"), "transactions")
    transactions = transactions.assign(
        account_id=transactions["account_id"].astype(str)
    )
    if invoices is not None:
        _check_columns(
            invoices,
            ("invoice_id", "account_id", "issue_date", "due_date", "amount"),
            "invoices",
        )
        invoices = invoices.assign(account_id=invoices["account_id"].astype(str))
    dates = (as_of,) if invoices is None else (as_of, horizon_end)
    features = _ledger_features(transactions, invoices, dates, config)

    # Accounts first seen after as_of cannot be ranked (rule 1).
    accounts = features[0].accounts
    active = (accounts["frequency"] > 0) | (accounts["n_invoices"] > 0)
    accounts = accounts.loc[active].reset_index(drop=True)
    if accounts.empty:
        raise InputError(
            f"no account bought anything on or before {as_of}",
            hint="choose an --as-of date inside the transaction history",
        )
    open_items = features[0].open_items if invoices is not None else None
    collected_by_account = (
        collected_overdue(features[0], features[1]) if invoices is not None else None
    )

    value_error = None
    if value_model is not None:
        past = transactions[transactions["date"] <= pd.Timestamp(as_of)]
        try:
            values = value_model(past, as_of, config.value)
        except ModelError as exc:
            # Rank as prioritize would without a value model, and record the error.
            value_error = exc.message
            logger.info("value model failed, ranking without it: %s", exc.message)
        else:
            values = values.assign(account_id=values["account_id"].astype(str))
            accounts = accounts.merge(values, on="account_id", how="left")

    policy = apply_policy(accounts, open_items, config, as_of=as_of)
    ranked = policy.accounts.set_index("account_id")
    ids = accounts["account_id"]
    value = ids.map(holdout_value(transactions, as_of, horizon_end)).fillna(0.0)
    if value.sum() <= 0 and invoices is None:
        # With no holdout spend every share is 0 / 0: there is nothing to score.
        raise InputError(
            f"the ranked accounts bought nothing between {as_of} and {horizon_end}",
            hint="choose a --horizon-end inside the transaction history",
        )
    collected = (
        ids.map(collected_by_account).fillna(0.0)
        if collected_by_account is not None
        else None
    )

    tables = [_tier_table(POLICY, ids.map(ranked["tier"]), value, collected)]
    for name, scores in _baseline_scores(accounts, seed).items():
        tiers = raw_tiers(scores, ids, policy.sizes)
        tables.append(_tier_table(name, tiers, value, collected))

    model_growth = (
        config.priority.growth_basis == "clv"
        and value_model is not None
        and value_error is None
    )
    result = BacktestResult(
        as_of=as_of,
        horizon_end=horizon_end,
        accounts=len(accounts),
        holdout_value=float(value.sum()),
        collected=float(collected.sum()) if collected is not None else None,
        growth_basis="clv" if model_growth else "recent_spend",
        table=pd.concat(tables, ignore_index=True),
        value_model_error=value_error,
    )
    logger.info(
        "backtest as of %s: tier 1 bought %.1f %% of the holdout value",
        as_of,
        100 * result.tier1_share(),
    )
    return result


def format_backtest(result: BacktestResult) -> str:
    """Render the comparison as a plain-text table, one line per ranking."""
    with_collection = result.collected is not None
    header = f"{'ranking':<16}" + "".join(f"{f'tier {t} value':>14}" for t in (1, 2, 3))
    if with_collection:
        header += "".join(f"{f'tier {t} collected':>18}" for t in (1, 2, 3))
    lines = [
        f"backtest as of {result.as_of}, holdout to {result.horizon_end}: "
        f"{result.accounts} accounts, holdout value {result.holdout_value:,.2f}",
        f"growth term of the cartera ranking: {result.growth_basis}",
    ]
    if result.value_model_error:
        lines.append(
            f"value model failed, ranked without it: {result.value_model_error}"
        )
    lines += [
        "",
        header,
    ]

    value = result.table.pivot(index="ranking", columns="tier", values="value_share")
    collected = result.table.pivot(
        index="ranking", columns="tier", values="collected_share"
    )
    for ranking in (POLICY, *BASELINES):
        shares = value.loc[ranking].to_numpy(dtype=float)
        line = f"{ranking:<16}" + "".join(_percent(float(s), 14) for s in shares)
        if with_collection:
            shares = collected.loc[ranking].to_numpy(dtype=float)
            line += "".join(_percent(float(s), 18) for s in shares)
        lines.append(line)

    sizes = result.table[result.table["ranking"] == POLICY]["accounts"].tolist()
    lines += ["", f"tier sizes: {sizes[0]} / {sizes[1]} / {sizes[2]} accounts"]
    return "\n".join(lines)


def _percent(share: float, width: int) -> str:
    """Format a share as a right-aligned percentage; ``-`` when it is undefined."""
    text = "-" if np.isnan(share) else f"{100 * share:.1f}%"
    return f"{text:>{width}}"
