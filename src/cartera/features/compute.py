"""Compute every per-account and per-invoice feature of a workspace as of a date.

The ``*_expr`` functions return Ibis expressions without running them, so the same
code can run on any SQL backend Ibis supports. They run only the small
``DISTINCT`` queries that find the ledger's currencies. :func:`compute_features`
runs the expressions on the workspace and returns pandas frames.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from cartera.errors import InputError
from cartera.features.accounts import account_features_from
from cartera.features.currency import UNNAMED, CurrencyPlan, plan_currency
from cartera.features.inputs import LedgerInputs, ledger_inputs
from cartera.features.ledger import (
    allocation_expr,
    directed_totals_expr,
    pool_events_expr,
    refund_debits_expr,
    unapplied_credit_expr,
)
from cartera.features.references import MAX_NAMED, warn_reference_problems
from cartera.schema import MONEY_PRECISION

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

    from cartera.config import Config
    from cartera.engine import Workspace

logger = logging.getLogger(__name__)


@dataclass
class Features:
    """Features of one ledger as of one date.

    Attributes
    ----------
    accounts
        One row per account, sorted by ``account_id``: the columns of
        :mod:`cartera.features.accounts`, money as ``float64`` rounded to minor
        units in ``currency``, then the attribute columns of ``accounts``.
    open_items
        Invoices open at the as-of date, sorted by account, due date and invoice:
        ``invoice_id, account_id, currency, issue_date, due_date, amount,
        open_amount, reporting_open_amount, days_past_due, bucket``. ``amount``
        and ``open_amount`` are in the invoice's own currency, and
        ``reporting_open_amount`` is ``open_amount`` in the reporting currency,
        rounded to minor units as the account balances sum it. ``days_past_due``
        is in days.
    settlements
        Invoices fully settled on or before the as-of date: ``invoice_id,
        account_id, settled_date``.
    currency
        Reporting currency of the account-level money, or ``None`` when the
        ledger names no currency.
    rates
        Units of ``currency`` per unit of each other currency in use. It is
        empty when account-level money is not converted.
    """

    accounts: pd.DataFrame
    open_items: pd.DataFrame
    settlements: pd.DataFrame
    currency: str | None
    rates: dict[str, Decimal] = field(default_factory=dict)


def compute_features(ws: Workspace, as_of: date, config: Config) -> Features:
    """Compute account features, open items and settlements as of ``as_of``.

    Parameters
    ----------
    ws
        Workspace with the canonical tables loaded. Each of ``invoices``,
        ``payments``, ``transactions``, ``accounts`` and ``fx`` is read when
        present.
    as_of
        Date the ledger is seen at. Later documents do not count.
    config
        Reads ``ageing`` (bucket bounds in days) and ``money`` (reporting
        currency, rates).

    Raises
    ------
    MixedCurrencyError
        The ledger contains several currencies and rates to convert them are
        missing.
    InputError
        A table lacks a required column, an FX rate is not a positive number, or
        an account total or converted amount is too large for exact money.

    Warns
    -----
    DataQualityWarning
        A payment or credit note names an invoice that is missing, belongs to
        another account or currency, or is issued after the document's date
        (:mod:`cartera.features.references`), or negative payments exceed what
        an account paid and leave a debit (:func:`warn_refund_debits`).
    """
    with _money_in_range(ws.minor_units):
        return _compute_features(ws, as_of, config)


@contextmanager
def _money_in_range(minor_units: int) -> Iterator[None]:
    """Raise an InputError when a sum or conversion overflows exact money.

    The reader rejects single amounts beyond ``DECIMAL(18, minor_units)``, but
    an account's total, or an amount times an FX rate above 1, can still pass
    the bound, and DuckDB then fails the cast with a DataError.
    """
    import duckdb

    try:
        yield
    except duckdb.DataError as exc:
        detail = str(exc).splitlines()[0]
        limit = f"1e{MONEY_PRECISION - minor_units}"
        raise InputError(
            f"an account total or converted amount does not fit exact money "
            f"(DECIMAL({MONEY_PRECISION}, {minor_units})): {detail}",
            hint=f"check the inputs for amounts near {limit}; totals per account "
            f"and amounts in the reporting currency must stay below {limit}",
        ) from exc


def _compute_features(ws: Workspace, as_of: date, config: Config) -> Features:
    plan = plan_currency(ws, config.money)
    inputs = ledger_inputs(ws, as_of, plan, ws.minor_units)
    warn_reference_problems(inputs)

    # Directed totals, the pool and the allocation feed several outputs, so each
    # is computed once. The inputs are not copied into tables, because at ten
    # million invoices a copy takes hundreds of MB and their filters are cheap.
    with ExitStack() as stack:
        directed = stack.enter_context(ws.materialized(directed_totals_expr(inputs)))
        events = stack.enter_context(
            ws.materialized(pool_events_expr(inputs, directed))
        )
        warn_refund_debits(inputs, events)
        allocation = allocation_expr(inputs, config.ageing, events, directed)
        allocated = stack.enter_context(ws.materialized(allocation))
        unapplied = unapplied_credit_expr(events, allocated)
        accounts = account_features_from(
            inputs, allocated, unapplied, plan, config.ageing
        )
        accounts_frame = _to_pandas(accounts.order_by("account_id"))
        open_frame = _to_pandas(_open_items(allocated, plan, ws.minor_units))
        settled_frame = _to_pandas(_settlements(allocated))

    logger.info(
        "features as of %s: %d accounts, %d open items, %d settlements",
        as_of,
        len(accounts_frame),
        len(open_frame),
        len(settled_frame),
    )
    return Features(
        accounts_frame, open_frame, settled_frame, plan.reporting, plan.rates
    )


def warn_refund_debits(inputs: LedgerInputs, events: ir.Table) -> None:
    """Warn once when refunds above what accounts paid became debits.

    Warns
    -----
    DataQualityWarning
        Names up to :data:`MAX_NAMED` accounts, their negative payments, the
        debit and the open item that carries it
        (:func:`cartera.features.ledger.refund_debits_expr`).
    """
    import warnings

    from cartera.errors import DataQualityWarning

    debits = refund_debits_expr(inputs, events)
    count = int(debits.count().to_pyarrow().as_py())
    if not count:
        return
    rows = debits.order_by("account_id", "currency").limit(MAX_NAMED).to_pandas()
    named = "; ".join(
        f"account {row.account_id} owes {row.debit}"
        f"{'' if row.currency == UNNAMED else ' ' + str(row.currency)} "
        f"after negative payments {row.refunds}, as open item {row.doc_id} "
        f"due {row.doc_date:%Y-%m-%d}"
        for row in rows.itertuples()
    )
    more = f", and {count - len(rows)} more" if count > len(rows) else ""
    warnings.warn(
        f"{count} account(s) got negative payments (refunds or reversals) above "
        f"the payments and credit they had left to reverse, so each difference "
        f"is a debit, an open item named after the latest negative payment: "
        f"{named}{more}",
        DataQualityWarning,
        stacklevel=3,
    )


def open_items_expr(ws: Workspace, as_of: date, config: Config) -> ir.Table:
    """Return the open items of :attr:`Features.open_items` as an expression."""
    inputs, plan = _inputs(ws, as_of, config)
    return _open_items(allocation_expr(inputs, config.ageing), plan, ws.minor_units)


def settlements_expr(ws: Workspace, as_of: date, config: Config) -> ir.Table:
    """Return the settlements of :attr:`Features.settlements` as an expression."""
    inputs, _ = _inputs(ws, as_of, config)
    return _settlements(allocation_expr(inputs, config.ageing))


def account_features_expr(ws: Workspace, as_of: date, config: Config) -> ir.Table:
    """Return the account features with money as exact ``DECIMAL`` columns."""
    inputs, plan = _inputs(ws, as_of, config)
    events = pool_events_expr(inputs)
    allocation = allocation_expr(inputs, config.ageing, events)
    unapplied = unapplied_credit_expr(events, allocation)
    return account_features_from(inputs, allocation, unapplied, plan, config.ageing)


def _inputs(
    ws: Workspace, as_of: date, config: Config
) -> tuple[LedgerInputs, CurrencyPlan]:
    plan = plan_currency(ws, config.money)
    return ledger_inputs(ws, as_of, plan, ws.minor_units), plan


def _open_items(allocation: ir.Table, plan: CurrencyPlan, minor_units: int) -> ir.Table:
    items = allocation.filter(allocation.open_amount > 0)
    reporting = plan.to_reporting(items.open_amount, items.currency, minor_units)
    return items.select(
        "invoice_id",
        "account_id",
        currency=items.currency.nullif(UNNAMED),
        issue_date=items.issue_date,
        due_date=items.due_date,
        amount=items.amount,
        open_amount=items.open_amount,
        reporting_open_amount=reporting,
        days_past_due=items.days_past_due,
        bucket=items.bucket,
    ).order_by("account_id", "due_date", "invoice_id")


def _settlements(allocation: ir.Table) -> ir.Table:
    settled = allocation.filter(allocation.settled_date.notnull())
    return settled.select("invoice_id", "account_id", "settled_date").order_by(
        "invoice_id"
    )


def _to_pandas(table: ir.Table) -> pd.DataFrame:
    """Run ``table`` with decimals as ``float64`` and dates as ``datetime64[s]``."""
    casts = {}
    for name, dtype in table.schema().items():
        if dtype.is_decimal():
            casts[name] = table[name].cast("float64")
        elif dtype.is_date():
            casts[name] = table[name].cast("timestamp")
    if casts:
        table = table.mutate(**casts)
    frame = table.to_pandas()
    for name in casts:
        if name in frame.columns and frame[name].dtype.kind == "M":
            frame[name] = frame[name].astype("datetime64[s]")
    return frame.reset_index(drop=True)
