"""Currencies of a ledger and their conversion to one reporting currency.

Rules:

1. Payments and credits are allocated only to invoices of their own currency.
   Open items keep their own currency and amounts.
2. When invoices, payments and transactions together hold more than one currency,
   account-level money is converted to ``money.reporting_currency`` with rates in
   units of the reporting currency per unit. Rates come from an ``fx`` table
   (``currency, rate``) in the workspace, and ``money.rates`` in the configuration
   overrides them. Without a rate for every currency, :class:`MixedCurrencyError`
   is raised.
3. A table without a ``currency`` column, and a row with an empty currency, are in
   the ledger's one unnamed currency: the reporting currency when one is set,
   else the only named currency when there is exactly one.
4. A ledger in one currency is converted only when a reporting currency other
   than its own is set and a rate for it is known. Otherwise account-level money
   stays in the ledger's currency.

Every row of a table counts, including rows dated after the as-of date, so the
reporting currency of a ledger does not change when the as-of date moves.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

import ibis
import ibis.expr.datatypes as dt

from cartera.errors import InputError, MixedCurrencyError

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from cartera.config import MoneyConfig
    from cartera.engine import Workspace

logger = logging.getLogger(__name__)

# Tables whose rows carry money in a currency of the ledger.
CURRENCY_TABLES = ("invoices", "payments", "transactions")

# Rates are exact decimals with 10 places, so a DECIMAL(18, 2) amount times a
# rate stays within DuckDB's 38 digits.
RATE_TYPE = dt.Decimal(20, 10)

# Currency key of rows in the unnamed currency: joins need a non-null key.
UNNAMED = ""

HINT = (
    "set reporting_currency and one rate per currency under [money] in "
    'cartera.toml, e.g. reporting_currency = "USD" and [money.rates] EUR = 1.08 '
    "(units of the reporting currency per unit), or load an fx table with "
    "columns currency, rate"
)


@dataclass(frozen=True)
class CurrencyPlan:
    """How the money of one ledger is keyed and converted.

    Attributes
    ----------
    default
        Currency of rows without one, or ``None`` when the ledger names none.
    currencies
        Currencies in use, sorted, without the unnamed currency.
    reporting
        Currency of account-level money, or ``None`` when unnamed.
    rates
        Units of ``reporting`` per unit of each other currency in use. Empty when
        account-level money is not converted.
    """

    default: str | None
    currencies: tuple[str, ...]
    reporting: str | None
    rates: dict[str, Decimal] = field(default_factory=dict)

    def key(self, currency: ir.StringValue | None) -> ir.StringValue:
        """Return the non-null currency key of a currency column (or of none)."""
        fallback = ibis.literal(self.default or UNNAMED, type="string")
        if currency is None:
            return fallback
        return currency.cast("string").strip().upper().nullif("").coalesce(fallback)

    def to_reporting(
        self, amount: ir.NumericValue, currency: ir.StringValue, minor_units: int
    ) -> ir.NumericValue:
        """Convert ``amount`` in ``currency`` to the reporting currency.

        Each amount is rounded to minor units before it is summed, so totals of
        converted amounts are exact sums of the parts.
        """
        money = dt.Decimal(18, minor_units)
        if not self.rates:
            return amount.cast(money)
        branches = [
            (currency == code, ibis.literal(rate, type=RATE_TYPE))
            for code, rate in sorted(self.rates.items())
        ]
        rate = ibis.cases(*branches, else_=ibis.literal(Decimal(1), type=RATE_TYPE))
        return (amount.cast(money) * rate).round(minor_units).cast(money)


def plan_currency(ws: Workspace, money: MoneyConfig) -> CurrencyPlan:
    """Find the currencies of the ledger in ``ws`` and how to convert them.

    Runs one small ``DISTINCT`` query per table that has a ``currency`` column.

    Raises
    ------
    MixedCurrencyError
        Several currencies are in use and a reporting currency or a rate is
        missing, or some rows have no currency while others name several.
    InputError
        A rate is not a positive number.
    """
    tables = ws.canonical_tables()
    named: set[str] = set()
    unnamed_tables: list[str] = []
    for name in CURRENCY_TABLES:
        if name not in tables:
            continue
        table = tables[name]
        if "currency" not in table.columns:
            unnamed_tables.append(name)
            continue
        code = table.currency.cast("string").strip().upper().nullif("")
        values = table.select(code=code).distinct().to_pandas()["code"]
        if values.isna().any():
            unnamed_tables.append(name)
        named.update(str(v) for v in values.dropna())

    reporting = (money.reporting_currency or "").strip().upper() or None
    default = reporting or (next(iter(named)) if len(named) == 1 else None)
    if unnamed_tables and default is None and named:
        raise MixedCurrencyError(
            f"rows of {', '.join(unnamed_tables)} have no currency while others are "
            f"in {', '.join(sorted(named))}",
            hint="fill the currency column, or " + HINT,
        )

    in_use = set(named)
    if unnamed_tables and default is not None:
        in_use.add(default)
    rates = _rates(tables.get("fx"), money)
    currencies = tuple(sorted(in_use))

    if len(in_use) <= 1:
        single = currencies[0] if currencies else None
        if reporting and single and single != reporting and single in rates:
            logger.info("converting %s to reporting currency %s", single, reporting)
            return CurrencyPlan(default, currencies, reporting, {single: rates[single]})
        return CurrencyPlan(default, currencies, single or reporting)

    if reporting is None:
        raise MixedCurrencyError(
            f"amounts are in several currencies ({', '.join(currencies)}) and no "
            "reporting currency is set to convert them to",
            hint=HINT,
        )
    missing = [c for c in currencies if c != reporting and c not in rates]
    if missing:
        raise MixedCurrencyError(
            f"amounts are in several currencies ({', '.join(currencies)}) and no "
            f"rate to {reporting} is given for {', '.join(missing)}",
            hint=HINT,
        )
    used = {c: rates[c] for c in currencies if c != reporting}
    logger.info("converting %s to reporting currency %s", ", ".join(used), reporting)
    return CurrencyPlan(default, currencies, reporting, used)


def _rates(fx: ir.Table | None, money: MoneyConfig) -> dict[str, Decimal]:
    """Collect rates from the ``fx`` table, overridden by the configuration."""
    raw: dict[str, object] = {}
    if fx is not None:
        frame = fx.to_pandas()
        for column in ("currency", "rate"):
            if column not in frame.columns:
                raise InputError(
                    f"fx table has no column {column!r}",
                    hint="give the fx table the columns currency, rate",
                )
        raw.update(zip(frame["currency"], frame["rate"], strict=True))
    raw.update(money.rates)

    rates: dict[str, Decimal] = {}
    for code, value in raw.items():
        try:
            rate = Decimal(str(value)).quantize(Decimal("1e-10"))
        except (InvalidOperation, ValueError) as exc:
            raise InputError(
                f"FX rate of {code} is not a number: {value!r}",
                hint="give rates as units of the reporting currency per unit",
            ) from exc
        if not rate > 0:
            raise InputError(
                f"FX rate of {code} must be positive, got {value!r}",
                hint="give rates as units of the reporting currency per unit",
            )
        rates[str(code).strip().upper()] = rate
    return rates
