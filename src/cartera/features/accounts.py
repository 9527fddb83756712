"""Per-account features as of a date.

Rules:

1. Every account found in any loaded table has exactly one row, even when all its
   documents are dated after the as-of date, so the set of accounts does not
   change when the as-of date moves.
2. Money (``open_balance``, ``overdue_balance``, ``aging_<bucket>``,
   ``unapplied_credit``, ``monetary``, ``avg_order_value``) is in the reporting
   currency. Each open item is converted and rounded to minor units first, so the
   buckets add up exactly to ``open_balance``, and ``overdue_balance`` is
   ``open_balance - aging_current``.
3. ``dso`` (days sales outstanding) is ``open_balance`` divided by the credit
   sales (invoices issued) of the 90 days ending on the as-of date, times 90. It is
   null without credit sales in that window.
4. ``mean_days_late`` and ``share_paid_late`` cover invoices settled on or before
   the as-of date, late by ``max(0, settled_date - due_date)`` days, and open
   invoices already past due, late by their days past due so far. Open invoices
   not yet due do not count. ``dispute_rate`` is the share of invoices issued by
   the as-of date that are disputed, null without a ``disputed`` column.
5. Purchases are the rows of ``transactions`` when that table is loaded, else the
   positive invoices. ``frequency`` counts distinct purchase days (a return is not
   a purchase), ``monetary`` is net purchases (returns subtract),
   ``avg_order_value`` is ``monetary / frequency``, and ``recency_days`` and
   ``tenure_days`` count days from the last and first purchase to the as-of date.
6. ``credit_limit`` comes from the ``accounts`` table, in the reporting currency,
   and ``credit_use`` is ``open_balance / credit_limit`` (null without a positive
   limit). Every other column of ``accounts`` is kept, and one whose name clashes
   with a feature gets the suffix ``_account``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis
import ibis.expr.datatypes as dt

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from cartera.config import AgeingConfig
    from cartera.features.currency import CurrencyPlan
    from cartera.features.inputs import LedgerInputs

# Window of credit sales behind ``dso``, in days.
DSO_WINDOW_DAYS = 90


def account_features_from(
    inputs: LedgerInputs,
    allocation: ir.Table,
    unapplied: ir.Table,
    plan: CurrencyPlan,
    ageing: AgeingConfig,
) -> ir.Table:
    """Return one row per account with the features of the module docstring.

    Parameters
    ----------
    inputs
        The ledger as of the date.
    allocation
        The result of :func:`cartera.features.ledger.allocation_expr`.
    unapplied
        The result of :func:`cartera.features.ledger.unapplied_credit_expr`.
    plan
        Currency keys and rates.
    ageing
        Bucket bounds in days past due.

    Returns
    -------
    ibis.Table
        Money as ``DECIMAL`` in the reporting currency, days as integers, rates as
        floats. The attribute columns of ``accounts`` follow.
    """
    money = dt.Decimal(18, inputs.minor_units)
    zero = ibis.literal(0, type=money)
    parts = [
        _balances(allocation, plan, ageing, inputs.minor_units),
        _unapplied(unapplied, plan, inputs.minor_units),
        _invoice_counts(inputs, plan),
        _lateness(allocation),
        _purchases(inputs, plan),
    ]
    features = inputs.account_ids
    for part in parts:
        features = features.left_join(part, "account_id").drop("account_id_right")

    bucket_columns = [f"aging_{name}" for name in ageing.bucket_names()]
    money_columns = ["open_balance", *bucket_columns, "unapplied_credit", "monetary"]
    count_columns = ["n_invoices", "n_open", "frequency"]
    features = features.mutate(
        **{c: features[c].fill_null(zero).cast(money) for c in money_columns},
        **{c: features[c].fill_null(0) for c in count_columns},
    )
    as_of = ibis.literal(inputs.as_of, type="date")
    sales = features.credit_sales
    features = features.mutate(
        overdue_balance=(features.open_balance - features.aging_current).cast(money),
        dso=ibis.ifelse(
            sales > 0,
            features.open_balance.cast("float64")
            / sales.cast("float64")
            * DSO_WINDOW_DAYS,
            ibis.null("float64"),
        ),
        recency_days=as_of.delta(features.last_purchase, unit="day"),
        tenure_days=as_of.delta(features.first_purchase, unit="day"),
        avg_order_value=ibis.ifelse(
            features.frequency > 0,
            (features.monetary / features.frequency).round(inputs.minor_units),
            ibis.null(money),
        ).cast(money),
    )
    features = features.select(
        "account_id",
        "open_balance",
        "overdue_balance",
        *bucket_columns,
        "unapplied_credit",
        "n_invoices",
        "n_open",
        "dso",
        "mean_days_late",
        "share_paid_late",
        "dispute_rate",
        "recency_days",
        "frequency",
        "monetary",
        "tenure_days",
        "avg_order_value",
        "first_purchase",
        "last_purchase",
    )
    return _with_accounts(features, inputs.accounts, money)


def _balances(
    allocation: ir.Table, plan: CurrencyPlan, ageing: AgeingConfig, minor_units: int
) -> ir.Table:
    open_items = allocation.filter(allocation.open_amount > 0)
    amount = plan.to_reporting(open_items.open_amount, open_items.currency, minor_units)
    open_items = open_items.mutate(amount=amount)
    buckets = {
        f"aging_{name}": open_items.amount.sum(where=open_items.bucket == name)
        for name in ageing.bucket_names()
    }
    return open_items.group_by("account_id").agg(
        open_balance=open_items.amount.sum(),
        n_open=open_items.count(),
        **buckets,
    )


def _unapplied(unapplied: ir.Table, plan: CurrencyPlan, minor_units: int) -> ir.Table:
    amount = plan.to_reporting(
        unapplied.unapplied_credit, unapplied.currency, minor_units
    )
    unapplied = unapplied.mutate(amount=amount)
    return unapplied.group_by("account_id").agg(unapplied_credit=unapplied.amount.sum())


def _invoice_counts(inputs: LedgerInputs, plan: CurrencyPlan) -> ir.Table:
    invoices = inputs.invoices
    window_start = ibis.literal(inputs.as_of, type="date") - ibis.interval(
        days=DSO_WINDOW_DAYS
    )
    amount = plan.to_reporting(invoices.amount, invoices.currency, inputs.minor_units)
    invoices = invoices.mutate(
        reporting_amount=amount, recent=invoices.issue_date > window_start
    )
    if inputs.has_disputed:
        dispute_rate = invoices.disputed.fill_null(False).cast("float64").mean()
    else:
        dispute_rate = ibis.null("float64")
    return invoices.group_by("account_id").agg(
        n_invoices=invoices.count(),
        credit_sales=invoices.reporting_amount.sum(where=invoices.recent),
        dispute_rate=dispute_rate,
    )


def _lateness(allocation: ir.Table) -> ir.Table:
    settled = allocation.filter(allocation.settled_date.notnull())
    settled_late = settled.settled_date.delta(settled.due_date, unit="day")
    overdue = allocation.filter(
        (allocation.open_amount > 0) & (allocation.days_past_due > 0)
    )
    late = settled.select("account_id", days_late=ibis.greatest(settled_late, 0)).union(
        overdue.select("account_id", days_late=overdue.days_past_due)
    )
    return late.group_by("account_id").agg(
        mean_days_late=late.days_late.mean(),
        share_paid_late=(late.days_late > 0).cast("float64").mean(),
    )


def _purchases(inputs: LedgerInputs, plan: CurrencyPlan) -> ir.Table:
    rows = inputs.purchases
    amount = plan.to_reporting(rows.amount, rows.currency, inputs.minor_units)
    rows = rows.mutate(reporting_amount=amount)
    return rows.group_by("account_id").agg(
        frequency=rows.purchase_date.nunique(where=rows.is_purchase),
        monetary=rows.reporting_amount.sum(),
        first_purchase=rows.purchase_date.min(where=rows.is_purchase),
        last_purchase=rows.purchase_date.max(where=rows.is_purchase),
    )


def _with_accounts(
    features: ir.Table, accounts: ir.Table | None, money: dt.DataType
) -> ir.Table:
    """Add ``credit_limit, credit_use`` and the attribute columns of ``accounts``."""
    if accounts is None or "credit_limit" not in accounts.columns:
        features = features.mutate(
            credit_limit=ibis.null(money), credit_use=ibis.null("float64")
        )
    if accounts is None:
        return features

    renames = {
        f"{name}_account": name
        for name in accounts.columns
        if name in features.columns and name != "account_id"
    }
    attributes = accounts.rename(renames)
    attributes = attributes.mutate(account_id=attributes.account_id.cast("string"))
    if "credit_limit" in accounts.columns:
        attributes = attributes.mutate(credit_limit=attributes.credit_limit.cast(money))
    features = features.left_join(attributes, "account_id").drop("account_id_right")
    if "credit_limit" in accounts.columns:
        limit = features.credit_limit
        features = features.mutate(
            credit_use=ibis.ifelse(
                limit > 0,
                features.open_balance.cast("float64") / limit.cast("float64"),
                ibis.null("float64"),
            )
        )
    return features
