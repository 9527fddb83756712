"""Mapping a file's columns onto a canonical table.

A canonical column comes from one of three kinds of source, written as in
``[input.<table>.columns]`` and ``[input.<table>.constants]``:

- a column of the file, by name;
- the product of numeric columns, written ``"Quantity * UnitPrice"``, for
  invoice-line data that has no line total;
- a constant for every row, from ``constants`` (``currency = "EUR"``).

Without configuration, :func:`suggest_mapping` matches column names against
English and Spanish synonyms and the names used by well-known public data sets,
ignoring case, accents, spaces, dashes, dots and underscores. A transactions
file without a header has no names to match, so :func:`suggest_from_cells`
maps it from its cells: one date column, an account before it and an
amount with decimals after it, as in the CDNOW purchase log.
"""

from __future__ import annotations

import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cartera.config import TableName, TableSource
from cartera.errors import DataQualityWarning, InputError
from cartera.io.dates import looks_like_dates
from cartera.io.raw import looks_like_value
from cartera.io.values import LOOSE_NUMBER
from cartera.schema import TABLES

_ACCOUNT = (
    "account_id account customer_id customer customerid customer_number "
    "cust_number client_id client cliente id_cliente codigo_cliente cod_cliente "
    "num_cliente numero_cliente cuenta id_cuenta deudor"
)
_CURRENCY = "currency currency_code moneda divisa cod_moneda"

# Canonical column -> synonyms, per table. A name may appear under one column
# of a table only, so each match is unambiguous within that table. Spanish
# numbers are written "Nº", "N°", "Num" or "Nro": folded, "Nº" gives "no" and
# "N°" gives "n", because NFKD turns the ordinal sign into a letter but drops
# the degree sign as a symbol.
SYNONYMS: dict[str, dict[str, str]] = {
    "invoices": {
        "invoice_id": "invoice_id invoice invoicenumber invoice_number invoice_no "
        "invoiceno doc_id document_number factura id_factura numero_factura "
        "num_factura nro_factura no_factura n_factura documento numero_documento "
        "num_documento nro_documento no_documento n_documento",
        "account_id": _ACCOUNT,
        "issue_date": "issue_date invoice_date invoicedate document_date doc_date "
        "posting_date date fecha fecha_factura fecha_emision fecha_documento "
        "fecha_contable emision fecha_de_emision fecha_de_factura",
        "due_date": "due_date duedate due payment_due_date due_in_date "
        "vencimiento fecha_vencimiento fecha_de_vencimiento fecha_vto vto vence "
        "fecha_vence",
        "amount": "amount invoice_amount invoiceamount total total_amount "
        "amount_due importe importe_total monto monto_total valor",
        "currency": _CURRENCY,
        "paid_date": "paid_date settled_date settleddate payment_date clear_date "
        "date_paid fecha_pago fecha_de_pago fecha_cobro fecha_de_cobro "
        "fecha_liquidacion",
        "disputed": "disputed dispute in_dispute disputa en_disputa disputado "
        "disputada litigio en_litigio",
        "doc_type": "doc_type document_type tipo tipo_documento tipo_de_documento "
        "tipo_doc clase_documento clase_de_documento",
        "applies_to": "applies_to applied_to original_invoice factura_origen "
        "factura_relacionada factura_rectificada",
    },
    "payments": {
        "payment_id": "payment_id payment payment_number payment_no receipt_id "
        "receipt pago id_pago numero_pago num_pago nro_pago no_pago n_pago cobro "
        "id_cobro numero_cobro num_cobro nro_cobro no_cobro n_cobro recibo "
        "numero_recibo num_recibo nro_recibo no_recibo n_recibo",
        "account_id": _ACCOUNT,
        "payment_date": "payment_date date paid_date fecha fecha_pago "
        "fecha_de_pago fecha_cobro fecha_de_cobro",
        "amount": "amount payment_amount total importe importe_pagado monto "
        "monto_pagado pagado cobrado",
        "currency": _CURRENCY,
        "invoice_id": "invoice_id invoice invoicenumber invoice_number invoice_no "
        "factura id_factura numero_factura num_factura nro_factura no_factura "
        "n_factura",
    },
    "transactions": {
        "account_id": _ACCOUNT,
        "date": "date invoicedate invoice_date order_date transaction_date "
        "purchase_date fecha fecha_factura fecha_compra fecha_pedido",
        "amount": "amount dollar_value value sales revenue total total_amount "
        "importe monto venta ventas valor",
        "currency": _CURRENCY,
    },
    "accounts": {
        "account_id": _ACCOUNT,
        "name": "name customer_name account_name client_name company nombre "
        "razon_social nombre_cliente empresa",
        "credit_limit": "credit_limit creditlimit limit limite_credito "
        "limite_de_credito credito",
    },
    "leads": {
        "lead_id": "lead_id prospect_id prospectid lead prospect "
        "id_lead id_prospecto prospecto",
        "converted": "converted conversion is_converted won convertido "
        "convertida ganado",
        "name": "name lead_name nombre",
    },
    "fx": {
        "currency": _CURRENCY,
        "rate": "rate fx_rate exchange_rate tipo_cambio tasa tasa_cambio cambio",
    },
}

_QUANTITY = {"quantity", "qty", "cantidad", "unidades", "units"}
_UNIT_PRICE = {"unitprice", "price", "preciounitario", "precio", "priceeach"}


def normalise(name: str) -> str:
    """Return ``name`` folded for matching: lower case, no accents or separators."""
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c for c in letters if c.isalnum())


def candidates(columns: Sequence[str], table: str) -> dict[str, list[str]]:
    """Return canonical column -> matching file columns, best tier only.

    A file column named like the canonical column itself beats a synonym.
    """
    found: dict[str, list[str]] = {}
    folded = {c: normalise(c) for c in columns}
    for canonical, words in SYNONYMS[table].items():
        exact = [c for c, f in folded.items() if f == normalise(canonical)]
        synonyms = {normalise(w) for w in words.split()}
        matches = exact or [c for c, f in folded.items() if f in synonyms]
        if matches:
            found[canonical] = matches
    return found


def suggest_mapping(columns: Sequence[str], table: TableName) -> dict[str, str]:
    """Suggest canonical column -> file column from the file's column names.

    Only unambiguous matches are returned: a canonical column that several file
    columns match, or a file column that matches several canonical columns, is
    left out.

    Parameters
    ----------
    columns
        Column names of the file.
    table
        Canonical table name, such as ``"invoices"``.
    """
    if table not in SYNONYMS:
        raise ValueError(f"unknown table {table!r}; expected one of {list(TABLES)}")
    found = candidates(columns, table)
    used: dict[str, int] = {}
    for matches in found.values():
        for column in matches:
            used[column] = used.get(column, 0) + 1
    mapping = {
        canonical: matches[0]
        for canonical, matches in found.items()
        if len(matches) == 1 and used[matches[0]] == 1
    }
    if "amount" in SYNONYMS[table] and "amount" not in mapping:
        product = _line_total(columns)
        if product is not None:
            mapping["amount"] = product
    return {name: mapping[name] for name in SYNONYMS[table] if name in mapping}


def suggest_from_cells(frame: pd.DataFrame, table: TableName) -> dict[str, str]:
    """Suggest a transactions mapping for a file without a header, from its cells.

    The rule needs exactly one column of dates. The amount is the last column
    after it whose cells are numbers with at least one decimal fraction, since
    counts and ids are whole numbers. The account is the first column before
    the date. Any other shape, or another table, gives no suggestion.

    Parameters
    ----------
    frame
        The file's cells as text, columns numbered ``column_1``, ``column_2``...
    table
        Canonical table name; only ``"transactions"`` gets a suggestion.
    """
    if table != "transactions" or frame.empty:
        return {}
    sample = frame.head(1_000)
    dates = [name for name in sample.columns if looks_like_dates(sample[name])]
    if len(dates) != 1:
        return {}
    position = list(sample.columns).index(dates[0])
    before = list(sample.columns[:position])
    amounts = [
        name
        for name in sample.columns[position + 1 :]
        if sample[name].str.match(LOOSE_NUMBER).all()
        and sample[name].str.contains(r"\d[.,]\d", regex=True).any()
    ]
    if not before or not amounts:
        return {}
    return {"account_id": before[0], "date": dates[0], "amount": amounts[-1]}


def _line_total(columns: Sequence[str]) -> str | None:
    """Return ``"<quantity> * <unit price>"`` when exactly one of each is present."""
    quantities = [c for c in columns if normalise(c) in _QUANTITY]
    prices = [c for c in columns if normalise(c) in _UNIT_PRICE]
    if len(quantities) == 1 and len(prices) == 1:
        return f"{quantities[0]} * {prices[0]}"
    return None


@dataclass(frozen=True)
class Source:
    """Origin of the values of one canonical column.

    Attributes
    ----------
    columns
        One file column, or the factors of a product.
    constant
        Value for every row, or ``None``.
    """

    columns: tuple[str, ...] = ()
    constant: str | None = None

    def describe(self) -> str:
        if self.constant is not None:
            return f"= {self.constant}"
        return " * ".join(self.columns)


def resolve_mapping(
    path: Path,
    columns: Sequence[str],
    table: TableName,
    source: TableSource,
    *,
    cells: pd.DataFrame | None = None,
) -> dict[str, Source]:
    """Return canonical column -> source from config, filled in by suggestions.

    ``cells`` are the rows of a file read without a header. When the names
    leave a required column unmapped and nothing is configured, the mapping is
    taken from :func:`suggest_from_cells`, with a
    :class:`~cartera.errors.DataQualityWarning` that says which columns it used.

    Raises
    ------
    InputError
        A configured column is not in the file, or a required canonical column
        has no source.
    """
    spec = TABLES[table]
    unknown = sorted(set(source.columns) | set(source.constants))
    unknown = [name for name in unknown if name not in spec.names]
    if unknown:
        raise InputError(
            f"{', '.join(unknown)} in [input.{table}] of the configuration "
            f"{'is' if len(unknown) == 1 else 'are'} not a column of the "
            f"{table} table, which has {', '.join(spec.names)}",
            hint="rename the key to one of those columns, or remove it",
        )
    mapping: dict[str, Source] = {}
    for canonical, expression in source.columns.items():
        mapping[canonical] = Source(
            columns=_split_expression(path, columns, expression)
        )
    for canonical, value in source.constants.items():
        if canonical in mapping:
            raise InputError(
                f"{canonical} of {table} is set both as a column and as a constant",
                hint=f"remove it from [input.{table}.columns] or from constants",
            )
        mapping[canonical] = Source(constant=value)
    configured = {c for s in mapping.values() for c in s.columns}
    suggested = suggest_mapping([c for c in columns if c not in configured], table)
    for canonical, expression in suggested.items():
        if canonical not in mapping:
            factors = _split_expression(path, columns, expression)
            mapping[canonical] = Source(columns=factors)
    missing = [name for name in spec.required if name not in mapping]
    if missing and cells is not None and not source.columns:
        guessed = suggest_from_cells(cells, table)
        if guessed:
            mapping = {k: Source(columns=(v,)) for k, v in guessed.items()}
            chosen = ", ".join(f"{v} as {k}" for k, v in guessed.items())
            warnings.warn(
                f"{path} has no header, so its columns were mapped from their "
                f"cells: {chosen}. To map them otherwise, set "
                f"[input.{table}.columns] in cartera.toml",
                DataQualityWarning,
                stacklevel=3,
            )
            missing = [name for name in spec.required if name not in mapping]
    if missing:
        header_hint = ""
        if any(looks_like_value(name) for name in columns):
            header_hint = (
                f"some column names are numbers or dates: if the file has no header, "
                f"set header = false under [input.{table}] and map column_1, "
                "column_2, ...; otherwise "
            )
        raise InputError(
            _missing_message(path, columns, table, missing),
            hint=header_hint
            + "add these lines to cartera.toml, with the file's column names:\n"
            + mapping_snippet(
                table, columns, {k: v.describe() for k, v in mapping.items()}
            ),
        )
    return {name: mapping[name] for name in spec.names if name in mapping}


def _split_expression(
    path: Path, columns: Sequence[str], expression: str
) -> tuple[str, ...]:
    if expression in columns:
        return (expression,)
    factors = tuple(part.strip() for part in expression.split("*"))
    absent = [f for f in factors if f not in columns]
    if absent:
        raise InputError(
            f"column {', '.join(repr(a) for a in absent)} not found in {path}; "
            f"its columns are {', '.join(repr(c) for c in columns)}",
            hint="set the name exactly as in the file's header (case and spaces "
            'count), or write a product as "Quantity * UnitPrice"',
        )
    return factors


def _missing_message(
    path: Path, columns: Sequence[str], table: str, missing: list[str]
) -> str:
    return (
        f"{path} has no column for {', '.join(missing)} of the {table} table; "
        f"its columns are {', '.join(repr(c) for c in columns)}"
    )


def mapping_snippet(table: str, columns: Sequence[str], mapping: dict[str, str]) -> str:
    """Return a ``[input.<table>.columns]`` block ready to paste into cartera.toml.

    Mapped columns are filled in; unmapped ones show the file columns that
    match them, or a placeholder, and are commented out when optional.
    """
    spec = TABLES[table]
    found = candidates(columns, table)
    lines = [f"[input.{table}.columns]"]
    for column in spec.columns:
        if column.name in mapping:
            value = mapping[column.name]
            if value.startswith("= "):
                continue
            lines.append(f'{column.name} = "{value}"')
            continue
        options = found.get(column.name, [])
        guess = options[0] if options else "?"
        note = f"  # one of: {', '.join(options)}" if len(options) > 1 else ""
        prefix = "" if column.required else "# "
        lines.append(f'{prefix}{column.name} = "{guess}"{note}')
    constants = {k: v[2:] for k, v in mapping.items() if v.startswith("= ")}
    if constants:
        lines.append(f"[input.{table}.constants]")
        lines += [f'{k} = "{v}"' for k, v in constants.items()]
    return "\n".join(lines)
