"""Canonical tables: the column names and types every source is mapped to.

A reader maps a file's columns onto one of these tables. Columns that are not
canonical are kept as attributes. Types are the logical types of the pandas frames
that ``cartera.io`` returns. ``text`` is a string column; identifiers are always
text, so ``007`` and ``7`` stay two accounts. ``date`` is a ``datetime64`` column
at day precision. ``money`` is ``float64`` rounded to the currency's minor units,
and the engine casts it to an exact ``DECIMAL`` in DuckDB. ``bool`` is a nullable
boolean, where a blank cell is missing rather than false.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnType = Literal["text", "date", "money", "number", "bool"]

# Money is exact in the engine: DECIMAL with 18 digits, the configured minor
# units among them.
MONEY_PRECISION = 18


def money_limit(minor_units: int) -> int:
    """Return the bound on amounts of a ``DECIMAL(18, minor_units)`` column.

    Every amount the column can store has an absolute value below the bound,
    which is 1e16 with 2 minor units.
    """
    return 10 ** (MONEY_PRECISION - minor_units)


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool = True
    description: str = ""


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


INVOICES = TableSpec(
    "invoices",
    (
        Column("invoice_id", "text"),
        Column("account_id", "text"),
        Column("issue_date", "date"),
        Column("due_date", "date"),
        Column("amount", "money", description="Negative for a credit note."),
        Column("currency", "text", False, "ISO 4217 code."),
        Column("paid_date", "date", False, "Date of full settlement."),
        Column("disputed", "bool", False),
        Column("doc_type", "text", False, "'invoice' or 'credit_note'."),
        Column("applies_to", "text", False, "Invoice a credit note reduces."),
    ),
    key=("invoice_id",),
)

PAYMENTS = TableSpec(
    "payments",
    (
        Column("payment_id", "text"),
        Column("account_id", "text"),
        Column("payment_date", "date"),
        Column("amount", "money"),
        Column("currency", "text", False),
        Column("invoice_id", "text", False, "Invoice the payment is allocated to."),
    ),
    key=("payment_id",),
)

TRANSACTIONS = TableSpec(
    "transactions",
    (
        Column("account_id", "text"),
        Column("date", "date"),
        Column("amount", "money", description="Negative for a return."),
        Column("currency", "text", False),
    ),
)

ACCOUNTS = TableSpec(
    "accounts",
    (
        Column("account_id", "text"),
        Column("name", "text", False),
        Column("credit_limit", "money", False),
    ),
    key=("account_id",),
)

LEADS = TableSpec(
    "leads",
    (
        Column("lead_id", "text"),
        Column("converted", "bool", False, "History: did the lead become a customer."),
        Column("name", "text", False),
    ),
    key=("lead_id",),
)

FX = TableSpec(
    "fx",
    (
        Column("currency", "text"),
        Column("rate", "number", description="Reporting currency per unit."),
    ),
    key=("currency",),
)

TABLES: dict[str, TableSpec] = {
    spec.name: spec for spec in (INVOICES, PAYMENTS, TRANSACTIONS, ACCOUNTS, LEADS, FX)
}

# Columns of the outputs that later layers and the report rely on.
ACCOUNT_OUTPUT_COLUMNS = (
    "account_id",
    "rank",
    "tier",
    "priority_score",
    "open_balance",
    "overdue_balance",
    "aging_current",
    "aging_1_30",
    "aging_31_60",
    "aging_61_90",
    "aging_over_90",
    "recency_days",
    "frequency",
    "monetary",
    "reasons",
)

OPEN_ITEM_COLUMNS = (
    "invoice_id",
    "account_id",
    "currency",
    "open_amount",
    "reporting_open_amount",
    "days_past_due",
    "bucket",
)
