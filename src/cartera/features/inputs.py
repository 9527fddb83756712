"""The canonical tables of a workspace as Ibis expressions, cut at the as-of date.

Optional columns that a table lacks are filled with nulls, dates are truncated to
the day, money is ``DECIMAL(18, minor_units)``, and every currency is a non-null
key (see :class:`~cartera.features.currency.CurrencyPlan`). A missing table is an
empty one, so feature code needs no special cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import ibis
import ibis.expr.datatypes as dt
import pandas as pd

from cartera.errors import InputError
from cartera.schema import TABLES

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from cartera.engine import Workspace
    from cartera.features.currency import CurrencyPlan

# Tables whose accounts get a row of features.
ACCOUNT_TABLES = ("invoices", "payments", "transactions", "accounts")

# Text values of a ``disputed`` column that mean true. Other values mean false.
TRUE_WORDS = ("yes", "y", "true", "t", "1", "si", "sí", "s")


@dataclass(frozen=True)
class LedgerInputs:
    """Canonical tables of one ledger as of one date.

    Attributes
    ----------
    as_of
        The as-of date.
    minor_units
        Decimal places of money.
    invoices
        Invoices (not credit notes) issued on or before ``as_of``: ``invoice_id,
        account_id, currency, issue_date, due_date, amount, paid_date, disputed``.
        ``due_date`` falls back to ``issue_date`` when missing.
    applications
        Payments and credit notes dated on or before ``as_of``: ``doc_id, kind``
        (0 credit note, 1 payment), ``account_id, currency, doc_date, value``
        (positive reduces what is owed) and ``target`` (the invoice named by the
        payment's ``invoice_id`` or the credit note's ``applies_to``).
    purchases
        Purchases on or before ``as_of``: ``account_id, currency, purchase_date,
        amount, is_purchase``. Rows of ``transactions`` when that table is
        loaded (returns have ``is_purchase`` false), else positive invoices.
    accounts
        The ``accounts`` table as loaded, or ``None``.
    account_ids
        ``account_id`` of every account in any loaded table, on any date, once.
    has_disputed
        Whether the invoices carry a ``disputed`` column.
    invoice_keys
        Every invoice (not credit note) on any date: ``invoice_id, account_id,
        currency, issue_date``, so a document can be checked against an
        invoice issued after ``as_of``.
    """

    as_of: date
    minor_units: int
    invoices: ir.Table
    applications: ir.Table
    purchases: ir.Table
    accounts: ir.Table | None
    account_ids: ir.Table
    has_disputed: bool
    invoice_keys: ir.Table


def ledger_inputs(
    ws: Workspace, as_of: date, plan: CurrencyPlan, minor_units: int
) -> LedgerInputs:
    """Build the as-of views of the canonical tables in ``ws``.

    Raises
    ------
    InputError
        A loaded table lacks a required column of :mod:`cartera.schema`.
    """
    money = dt.Decimal(18, minor_units)
    cutoff = ibis.literal(as_of, type="date")
    tables = ws.canonical_tables()
    for name, table in tables.items():
        _check_required(name, table)

    if "invoices" in tables:
        raw = tables["invoices"]
        has_disputed = "disputed" in raw.columns
        every_document = _documents(raw, plan, money)
    else:
        has_disputed = False
        every_document = _empty(_DOCUMENT_SCHEMA, money)
    documents = every_document.filter(every_document.issue_date <= cutoff)
    invoice_keys = every_document.filter(~every_document.is_credit).select(
        "invoice_id", "account_id", "currency", "issue_date"
    )

    invoices = documents.filter(~documents.is_credit).select(
        "invoice_id",
        "account_id",
        "currency",
        "issue_date",
        due_date=documents.due_date.coalesce(documents.issue_date),
        amount=documents.amount,
        paid_date=documents.paid_date,
        disputed=documents.disputed,
    )
    credits = documents.filter(documents.is_credit).select(
        doc_id=documents.invoice_id,
        kind=ibis.literal(0, type="int8"),
        account_id=documents.account_id,
        currency=documents.currency,
        doc_date=documents.issue_date,
        value=documents.amount.abs().cast(money),
        target=documents.applies_to,
    )
    applications = credits.union(_payments(tables.get("payments"), plan, money, cutoff))

    if "transactions" in tables:
        raw = tables["transactions"]
        purchases = raw.select(
            account_id=_text(raw, "account_id"),
            currency=plan.key(raw["currency"] if "currency" in raw.columns else None),
            purchase_date=_date(raw, "date"),
            amount=_money(raw, "amount", money),
        )
        purchases = purchases.filter(purchases.purchase_date <= cutoff).mutate(
            is_purchase=lambda t: t.amount >= 0
        )
    else:
        purchases = invoices.filter(invoices.amount > 0).select(
            "account_id",
            "currency",
            purchase_date=invoices.issue_date,
            amount=invoices.amount,
            is_purchase=ibis.literal(True),
        )

    accounts = tables.get("accounts")
    return LedgerInputs(
        as_of,
        minor_units,
        invoices,
        applications,
        purchases,
        accounts,
        _account_ids(tables),
        has_disputed,
        invoice_keys,
    )


def _check_required(name: str, table: ir.Table) -> None:
    """Raise InputError when ``table`` lacks a required canonical column."""
    missing = [c for c in TABLES[name].required if c not in table.columns]
    if missing:
        raise InputError(
            f"table {name} is missing the required column {', '.join(missing)}. "
            f"Its columns are {', '.join(table.columns)}",
            hint=f"map those columns under [input.{name}.columns] in cartera.toml",
        )


def _account_ids(tables: dict[str, ir.Table]) -> ir.Table:
    selections = [
        table.select(account_id=_text(table, "account_id"))
        for name, table in tables.items()
        if name in ACCOUNT_TABLES and "account_id" in table.columns
    ]
    if not selections:
        return _empty({"account_id": "string"}, dt.string)
    ids = ibis.union(*selections).distinct()
    return ids.filter(ids.account_id.notnull())


_DOCUMENT_SCHEMA = {
    "invoice_id": "string",
    "account_id": "string",
    "currency": "string",
    "issue_date": "date",
    "due_date": "date",
    "amount": "money",
    "paid_date": "date",
    "disputed": "boolean",
    "is_credit": "boolean",
    "applies_to": "string",
}


def _documents(raw: ir.Table, plan: CurrencyPlan, money: dt.DataType) -> ir.Table:
    """Normalise the ``invoices`` table and flag its credit notes.

    A credit note has a negative amount or ``doc_type = credit_note``.
    """
    amount = _money(raw, "amount", money)
    is_credit = amount < 0
    if "doc_type" in raw.columns:
        doc_type = raw.doc_type.cast("string").strip().lower()
        is_credit = is_credit | (doc_type == "credit_note").fill_null(False)
    return raw.select(
        invoice_id=_text(raw, "invoice_id"),
        account_id=_text(raw, "account_id"),
        currency=plan.key(raw["currency"] if "currency" in raw.columns else None),
        issue_date=_date(raw, "issue_date"),
        due_date=_date(raw, "due_date"),
        amount=amount,
        paid_date=_date(raw, "paid_date"),
        disputed=_flag(raw, "disputed"),
        is_credit=is_credit,
        applies_to=_text(raw, "applies_to"),
    )


def _payments(
    raw: ir.Table | None, plan: CurrencyPlan, money: dt.DataType, cutoff: ir.DateValue
) -> ir.Table:
    if raw is None:
        return _empty(_APPLICATION_SCHEMA, money)
    payments = raw.select(
        doc_id=_text(raw, "payment_id"),
        kind=ibis.literal(1, type="int8"),
        account_id=_text(raw, "account_id"),
        currency=plan.key(raw["currency"] if "currency" in raw.columns else None),
        doc_date=_date(raw, "payment_date"),
        value=_money(raw, "amount", money),
        target=_text(raw, "invoice_id"),
    )
    return payments.filter(payments.doc_date <= cutoff)


_APPLICATION_SCHEMA = {
    "doc_id": "string",
    "kind": "int8",
    "account_id": "string",
    "currency": "string",
    "doc_date": "date",
    "value": "money",
    "target": "string",
}


def _empty(schema: dict[str, str], money: dt.DataType) -> ir.Table:
    """Return an empty in-memory table with ``schema``, "money" meaning ``money``."""
    types = {
        name: money if kind == "money" else dt.dtype(kind)
        for name, kind in schema.items()
    }
    frame = pd.DataFrame({name: pd.Series([], dtype=object) for name in types})
    return ibis.memtable(frame, schema=ibis.schema(types))


def _text(raw: ir.Table, name: str) -> ir.StringValue:
    if name not in raw.columns:
        return ibis.null("string")
    return raw[name].cast("string")


def _date(raw: ir.Table, name: str) -> ir.DateValue:
    """Return column ``name`` as a date, dropping the time of day of a timestamp."""
    if name not in raw.columns:
        return ibis.null("date")
    column = raw[name]
    if column.type().is_timestamp():
        return column.date()
    return column.cast("date")


def _money(raw: ir.Table, name: str, money: dt.DataType) -> ir.NumericValue:
    return raw[name].cast(money).fill_null(0)


def _flag(raw: ir.Table, name: str) -> ir.BooleanValue:
    if name not in raw.columns:
        return ibis.null("boolean")
    column = raw[name]
    if column.type().is_string():
        return column.strip().lower().isin(TRUE_WORDS)
    return column.cast("boolean")
