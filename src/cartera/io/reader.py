"""Reading one input file into a canonical table, with its rejects.

Business rules:

1. Every data row of the file is either accepted into the frame or written to
   the rejects with its file line, column, value and reason, so
   ``rows_read == len(frame) + len(rejects)``. Rows whose cells are all empty
   are not data rows.
2. A row is rejected for its first problem, in the order of the table's
   columns: a required value missing, then a value that does not parse. A
   value that is present but invalid rejects the row even in an optional
   column, because dropping it silently would change balances.
3. An amount whose magnitude does not fit the engine's exact money type,
   ``DECIMAL(18, minor_units)`` (below 1e16 with 2 minor units), is rejected,
   and so is a number that is not finite, such as ``1e400``.
4. A repeated key (such as an ``invoice_id``) keeps its first accepted row and
   rejects the others, naming the line of the first. An invoice whose due or
   paid date is before its issue date is rejected too.
5. An optional canonical column the file does not provide is left out of the
   frame, so later layers can tell "not recorded" (no ``disputed`` column)
   from "recorded as false".
6. Other columns of the file are kept as text under their own names, so they
   can serve as attributes. A name that clashes with a canonical column gets
   the suffix ``_source``.
7. Identifiers are kept as written: ``0010``, ``10`` and ``007`` are three
   accounts, and ``17850.0`` stays ``17850.0``.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cartera.config import TableName, TableSource
from cartera.errors import ConfigError, DataQualityWarning, InputError
from cartera.io.dates import (
    DateColumn,
    detect_formats,
    looks_like_dates,
    parse_dates,
)
from cartera.io.mapping import Source, resolve_mapping
from cartera.io.raw import RawTable, reject_long_cells, rejects_frame
from cartera.io.result import REJECT_COLUMNS, Detected, LoadResult
from cartera.io.text import check_line_lengths, read_text
from cartera.io.values import (
    CHOICES,
    LOOSE_NUMBER,
    Parsed,
    clean_text,
    detect_decimal,
    parse_bools,
    parse_choice,
    parse_currency,
    parse_numbers,
)
from cartera.io.workbook import read_excel, read_parquet
from cartera.schema import MONEY_PRECISION, TABLES, Column, TableSpec, money_limit

logger = logging.getLogger(__name__)

_ZIP = b"PK\x03\x04"
_PARQUET = b"PAR1"
_OLE = b"\xd0\xcf\x11\xe0"


def read_raw(path: Path, source: TableSource) -> RawTable:
    """Read any supported file into text cells, choosing the reader by content.

    Rows with a cell longer than :data:`~cartera.io.raw.MAX_CELL_CHARS` are
    moved to the rejects.

    Raises
    ------
    InputError
        The file is missing, empty, a folder, in an unsupported format, or a
        text file with a line longer than
        :data:`~cartera.io.text.MAX_LINE_BYTES`.
    """
    return reject_long_cells(path, _read_cells(path, source))


def _read_cells(path: Path, source: TableSource) -> RawTable:
    if not path.exists():
        raise InputError(f"{path} not found", hint="check the path and its spelling")
    if path.is_dir():
        raise InputError(f"{path} is a folder", hint="pass the data file inside it")
    try:
        with path.open("rb") as file:
            signature = file.read(len(_ZIP))
        if not signature.startswith((_ZIP, _PARQUET, _OLE)):
            check_line_lengths(path)
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"{path} cannot be read: {exc.strerror}",
            hint="check that the file is readable by this user",
        ) from exc
    if not raw.strip():
        raise InputError(f"{path} is empty", hint="pass the file that holds the data")
    if raw.startswith(_PARQUET):
        return read_parquet(path)
    if raw.startswith(_OLE):
        raise InputError(
            f"{path} is an old Excel 97-2003 (.xls) workbook, which is not supported",
            hint="open it in Excel and save it as .xlsx, or export it as CSV",
        )
    if raw.startswith(_ZIP):
        if path.suffix.lower() == ".zip":
            raise InputError(
                f"{path} is a zip archive", hint="unzip it and pass the file inside"
            )
        return read_excel(path, sheet=source.sheet, header=source.header)
    return read_text(
        path,
        raw,
        encoding=source.encoding,
        delimiter=source.delimiter,
        header=source.header,
    )


@dataclass
class _Check:
    """Parsed cells of one source column of one canonical column."""

    column: Column
    label: str
    cells: pd.Series
    parsed: Parsed
    invalid_reason: str


def read_table(
    path: Path,
    table: TableName,
    source: TableSource | None = None,
    *,
    minor_units: int = 2,
) -> LoadResult:
    """Read ``path`` into the canonical ``table``, rejecting the rows that do not fit.

    Parameters
    ----------
    path
        CSV, TSV, ``|``- or whitespace-separated text, ``.xlsx`` or Parquet.
    table
        Canonical table name from :data:`cartera.schema.TABLES`.
    source
        How to read the file; ``None`` detects everything and suggests the
        column mapping from the column names.
    minor_units
        Decimal places of money (``[money] minor_units``): amounts are rounded
        to them and must fit ``DECIMAL(18, minor_units)``.

    Returns
    -------
    LoadResult
        The accepted rows, the rejects and the settings used.

    Raises
    ------
    InputError
        The file cannot be read, a required column has no source, a date
        column mixes formats, or amounts mix decimal marks.
    """
    source = source or TableSource()
    path = Path(path)
    spec = _spec(table)
    raw = read_raw(path, source)
    mapping = resolve_mapping(
        path,
        list(raw.frame.columns),
        table,
        source,
        cells=None if raw.header else raw.frame,
    )
    cells = {name: _cells(raw, origin) for name, origin in mapping.items()}

    decimal = source.decimal or _detect_decimal(path, raw, spec, mapping)
    formats = _date_formats(path, raw, spec, mapping, source)
    checks = _parse(spec, mapping, cells, decimal, formats)
    _require_valid_values(path, raw.lines, spec, checks)
    frame, rejects = _split_rows(path, raw, spec, mapping, checks, minor_units)

    detected = Detected(
        encoding=raw.encoding,
        delimiter=raw.delimiter,
        decimal=decimal,
        header=raw.header,
        date_formats=formats,
        mapping={name: origin.describe() for name, origin in mapping.items()},
    )
    logger.info(
        "read %s as %s: %d rows, %d accepted, %d rejected",
        path,
        table,
        raw.rows_read,
        len(frame),
        len(rejects),
    )
    return LoadResult(table, path, frame, rejects, raw.rows_read, detected)


def _spec(table: str) -> TableSpec:
    if table not in TABLES:
        raise ConfigError(
            f"unknown table {table!r}", hint=f"use one of {', '.join(TABLES)}"
        )
    return TABLES[table]


def _cells(raw: RawTable, origin: Source) -> list[pd.Series]:
    if origin.constant is not None:
        return [pd.Series(origin.constant, index=raw.frame.index, dtype="str")]
    return [raw.frame[name] for name in origin.columns]


def _detect_decimal(
    path: Path, raw: RawTable, spec: TableSpec, mapping: dict[str, Source]
) -> str:
    numeric = {
        name: raw.frame[name]
        for canonical, origin in mapping.items()
        if spec.column(canonical).type in ("money", "number")
        for name in origin.columns
    }
    mark, conflict = detect_decimal(numeric)
    if conflict:
        raise InputError(
            f"{path} mixes decimal marks: {conflict}",
            hint='set decimal = "," or decimal = "." for this input; rows written '
            "with the other mark are then rejected",
        )
    return mark


def _date_formats(
    path: Path,
    raw: RawTable,
    spec: TableSpec,
    mapping: dict[str, Source],
    source: TableSource,
) -> dict[str, str]:
    dated = [c.name for c in spec.columns if c.type == "date" and c.name in mapping]
    unknown = sorted(set(source.date_formats) - set(dated))
    if unknown:
        raise InputError(
            f"date_formats of [input.{spec.name}] names {', '.join(unknown)}, "
            f"which {'is' if len(unknown) == 1 else 'are'} not a mapped date "
            f"column of {path}; its date columns are {', '.join(dated) or 'none'}",
            hint="key date_formats by canonical column name, such as due_date",
        )
    columns = []
    for name in dated:
        if name in source.date_formats:
            continue
        origin = mapping[name]
        if len(origin.columns) > 1:
            raise InputError(
                f"{name} of {spec.name} cannot be a product of columns",
                hint=f"map {name} to one date column",
            )
        label = origin.columns[0] if origin.columns else f"constants.{name}"
        (cells,) = _cells(raw, origin)
        columns.append(DateColumn(name, label, cells, raw.lines))
    used = {c for origin in mapping.values() for c in origin.columns}
    witnesses = [
        DateColumn(name, name, raw.frame[name], raw.lines)
        for name in raw.frame.columns
        if name not in used and looks_like_dates(raw.frame[name])
    ]
    formats = detect_formats(path, spec.name, columns, witnesses) if columns else {}
    formats.update(source.date_formats)
    return {name: formats[name] for name in dated if name in formats}


def _parse(
    spec: TableSpec,
    mapping: dict[str, Source],
    cells: dict[str, list[pd.Series]],
    decimal: str,
    formats: dict[str, str],
) -> list[_Check]:
    checks = []
    for column in spec.columns:
        if column.name not in mapping:
            continue
        origin = mapping[column.name]
        labels = list(origin.columns) or [f"constants.{column.name}"]
        for label, series in zip(labels, cells[column.name], strict=True):
            if column.type in ("money", "number"):
                parsed = parse_numbers(series, decimal)
            elif column.type == "date":
                parsed = parse_dates(series, formats.get(column.name))
            elif column.type == "bool":
                parsed = parse_bools(series)
            elif (spec.name, column.name) in CHOICES:
                parsed = parse_choice(series, CHOICES[spec.name, column.name])
            elif column.name == "currency":
                parsed = parse_currency(series)
            else:
                parsed = clean_text(series)
            reason = _reason(spec, column, formats.get(column.name))
            checks.append(_Check(column, label, series, parsed, reason))
    return checks


def _require_valid_values(
    path: Path, lines: np.ndarray, spec: TableSpec, checks: list[_Check]
) -> None:
    """Raise when no filled cell of a number, date or yes/no column parses.

    Such a column is mapped to the wrong source or read with the wrong decimal
    mark or date format, and rejecting every row would hide that.
    """
    for check in checks:
        filled = ~check.parsed.missing
        if check.column.type == "text" or not filled.any():
            continue
        if not check.parsed.invalid[filled].all():
            continue
        row = int(np.flatnonzero(filled)[0])
        raise InputError(
            f"every value of column {check.label!r} of {path} is invalid "
            f"({check.invalid_reason}), for example {check.cells.iloc[row]!r} "
            f"on line {lines[row]}",
            hint=f"map {check.column.name} to another column under "
            f"[input.{spec.name}.columns], or correct the decimal or "
            "date_formats setting of this input",
        )


def _reason(spec: TableSpec, column: Column, fmt: str | None) -> str:
    if (spec.name, column.name) in CHOICES:
        allowed = sorted(set(CHOICES[spec.name, column.name].values()))
        return f"invalid {column.name}, expected {' or '.join(allowed)}"
    if column.name == "currency":
        return "invalid currency, expected an ISO 4217 code such as EUR"
    if column.type == "money":
        return "invalid amount"
    if column.type == "number":
        return "invalid number"
    if column.type == "bool":
        return "invalid yes/no value"
    if column.type == "date":
        return f"invalid date for format {fmt}" if fmt else "invalid date"
    return "invalid value"


def _split_rows(
    path: Path,
    raw: RawTable,
    spec: TableSpec,
    mapping: dict[str, Source],
    checks: list[_Check],
    minor_units: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = len(raw.frame)
    rejected = np.zeros(rows, dtype=bool)
    reasons = np.empty(rows, dtype=object)
    labels = np.empty(rows, dtype=object)
    values = np.empty(rows, dtype=object)
    for check in checks:
        required = check.column.required
        problems = [
            (
                check.parsed.missing if required else None,
                f"missing {check.column.name}",
            ),
            (check.parsed.invalid, check.invalid_reason),
        ]
        for mask, reason in problems:
            if mask is None:
                continue
            new = mask & ~rejected
            if new.any():
                reasons[new] = reason
                labels[new] = check.label
                values[new] = check.cells.to_numpy()[new]
                rejected |= new

    columns = _canonical_columns(spec, checks, minor_units)
    _warn_rounded(path, raw.lines, checks, columns, minor_units)
    _reject_out_of_range(
        spec, checks, columns, minor_units, rejected, reasons, labels, values
    )
    _reject_duplicates(
        spec, mapping, columns, raw.lines, rejected, reasons, labels, values
    )
    _reject_date_order(spec, mapping, columns, rejected, reasons, labels, values)

    accepted = ~rejected
    frame = pd.DataFrame({name: series[accepted] for name, series in columns.items()})
    used = {c for origin in mapping.values() for c in origin.columns}
    for name in raw.frame.columns:
        if name in used:
            continue
        extra = raw.frame[name][accepted]
        target = f"{name}_source" if name in columns else name
        frame[target] = extra.where(extra != "").astype("str")
    frame = frame.reset_index(drop=True)

    row_rejects = rejects_frame(
        path, raw.lines[rejected], labels[rejected], values[rejected], reasons[rejected]
    )
    rejects = pd.concat([raw.malformed, row_rejects], ignore_index=True)
    rejects = rejects.sort_values("line", kind="stable", ignore_index=True)
    return frame, rejects[list(REJECT_COLUMNS)]


def _warn_rounded(
    path: Path,
    lines: np.ndarray,
    checks: list[_Check],
    columns: dict[str, pd.Series],
    minor_units: int,
) -> None:
    """Warn when amounts read from one column had more decimals than money keeps.

    Amounts are rounded to ``[money] minor_units``. A product such as quantity
    times unit price needs that rounding, but a single column with more
    decimals means the setting does not fit the ledger (``0.40`` read with
    ``minor_units = 0`` becomes ``0``), so a warning is issued.
    """
    for check in checks:
        if check.column.type != "money":
            continue
        if sum(c.column.name == check.column.name for c in checks) != 1:
            continue
        original = check.parsed.values.reset_index(drop=True).astype("float64")
        rounded = columns[check.column.name].astype("float64")
        tolerance = 10.0 ** -(minor_units + 6)
        changed = ((original - rounded).abs() > tolerance).fillna(False).to_numpy()
        if not changed.any():
            continue
        first = int(np.flatnonzero(changed)[0])
        warnings.warn(
            f"{path}: {int(changed.sum())} value(s) of {check.label} have more "
            f"decimals than [money] minor_units = {minor_units} keeps and were "
            f"rounded, for example line {int(lines[first])}: "
            f"{check.cells.iloc[first]} to {rounded.iloc[first]:.{minor_units}f}. "
            "Set [money] minor_units to the ledger's decimals to keep them",
            DataQualityWarning,
            stacklevel=4,
        )


def _canonical_columns(
    spec: TableSpec, checks: list[_Check], minor_units: int
) -> dict[str, pd.Series]:
    columns: dict[str, pd.Series] = {}
    for column in spec.columns:
        parts = [c.parsed.values for c in checks if c.column.name == column.name]
        if not parts:
            continue
        values = parts[0]
        for factor in parts[1:]:
            values = values * factor
        if column.type == "money":
            values = values.round(minor_units)
        columns[column.name] = values.reset_index(drop=True)
    return columns


def _reject_out_of_range(
    spec: TableSpec,
    checks: list[_Check],
    columns: dict[str, pd.Series],
    minor_units: int,
    rejected: np.ndarray,
    reasons: np.ndarray,
    labels: np.ndarray,
    values: np.ndarray,
) -> None:
    """Reject amounts too large for the engine and numbers that are not finite.

    A product of columns (quantity times unit price) is checked as a product,
    and the rejects show each factor's column and cell.
    """
    # A float can hold no amount between 9999999999999998 and 1e16, so the
    # bound itself is rejected too.
    limit = money_limit(minor_units)
    for column in spec.columns:
        if column.name not in columns or column.type not in ("money", "number"):
            continue
        numbers = columns[column.name].to_numpy(dtype="float64")
        with np.errstate(invalid="ignore"):
            bad = ~np.isfinite(numbers) & ~np.isnan(numbers)
            if column.type == "money":
                bad |= np.abs(numbers) >= limit
        new = bad & ~rejected
        if not new.any():
            continue
        parts = [c for c in checks if c.column.name == column.name]
        cells = parts[0].cells.astype("str").to_numpy()
        for part in parts[1:]:
            cells = cells + " * " + part.cells.astype("str").to_numpy()
        if column.type == "money":
            reasons[new] = (
                f"{column.name} out of range, expected an absolute value below "
                f"1e{MONEY_PRECISION - minor_units} "
                f"(DECIMAL({MONEY_PRECISION}, {minor_units}))"
            )
        else:
            reasons[new] = f"{column.name} is not a finite number"
        labels[new] = " * ".join(c.label for c in parts)
        values[new] = cells[new]
        rejected |= new


# Dates of one invoice that cannot come before its issue date.
_AFTER_ISSUE = ("due_date", "paid_date")


def _reject_date_order(
    spec: TableSpec,
    mapping: dict[str, Source],
    columns: dict[str, pd.Series],
    rejected: np.ndarray,
    reasons: np.ndarray,
    labels: np.ndarray,
    values: np.ndarray,
) -> None:
    """Reject invoices due or paid before they were issued."""
    if spec.name != "invoices" or "issue_date" not in columns:
        return
    issued = columns["issue_date"].to_numpy()
    for name in _AFTER_ISSUE:
        if name not in columns or not mapping[name].columns:
            continue
        dates = columns[name]
        early = (dates.notna() & (dates.to_numpy() < issued)).to_numpy()
        new = early & ~rejected
        if new.any():
            reasons[new] = f"{name} is before issue_date"
            labels[new] = mapping[name].columns[0]
            values[new] = dates.dt.strftime("%Y-%m-%d").to_numpy()[new]
            rejected |= new


def _reject_duplicates(
    spec: TableSpec,
    mapping: dict[str, Source],
    columns: dict[str, pd.Series],
    lines: np.ndarray,
    rejected: np.ndarray,
    reasons: np.ndarray,
    labels: np.ndarray,
    values: np.ndarray,
) -> None:
    """Reject every accepted row whose key repeats an earlier accepted row."""
    if not spec.key or any(k not in mapping for k in spec.key):
        return
    keys = pd.DataFrame({k: columns[k] for k in spec.key})
    keys["_line"] = lines
    accepted = keys[~rejected]
    repeated = accepted.duplicated(subset=list(spec.key), keep="first")
    if not repeated.any():
        return
    first = accepted.groupby(list(spec.key), sort=False)["_line"].transform("first")
    where = accepted.index[repeated].to_numpy()
    key_text = (
        accepted.loc[repeated, list(spec.key)].astype("str").agg(" ".join, axis=1)
    )
    name = " + ".join(spec.key)
    reasons[where] = (
        f"duplicate {name}, first on line " + first[repeated].astype("str")
    ).to_numpy()
    labels[where] = " + ".join(mapping[k].describe() for k in spec.key)
    values[where] = key_text.to_numpy()
    rejected[where] = True


def sniff(path: Path, source: TableSource | None = None) -> Detected:
    """Detect how ``path`` is written without mapping or validating its rows.

    The decimal mark comes from every column whose cells look numeric. A date
    format is given for every file column that looks like dates and fits one
    format, keyed by the file's column name. A column that fits both day-first
    and month-first formats, with no other date column to settle the order, is
    listed in ``ambiguous_dates`` with the formats it fits.
    """
    source = source or TableSource()
    return sniff_raw(Path(path), read_raw(Path(path), source), source)


def sniff_raw(path: Path, raw: RawTable, source: TableSource) -> Detected:
    """Detect the decimal mark and date formats of an already read file."""
    numeric = {
        name: raw.frame[name]
        for name in raw.frame.columns
        if looks_numeric(raw.frame[name])
    }
    decimal = source.decimal or detect_decimal(numeric)[0]
    dated = [
        DateColumn(name, name, raw.frame[name], raw.lines)
        for name in raw.frame.columns
        if looks_like_dates(raw.frame[name])
    ]
    formats = detect_formats(path, "<table>", dated, [], strict=False)
    ambiguous = {
        column.key: column.fitting
        for column in dated
        if column.key not in formats and len(column.fitting) > 1
    }
    return Detected(
        encoding=raw.encoding,
        delimiter=raw.delimiter,
        decimal=decimal,
        header=raw.header,
        date_formats=formats,
        mapping=dict(source.columns),
        ambiguous_dates=ambiguous,
    )


def looks_numeric(cells: pd.Series) -> bool:
    """Return whether every non-empty cell looks like a number or an amount."""
    filled = cells[cells.str.strip() != ""]
    return len(filled) > 0 and bool(filled.str.match(LOOSE_NUMBER).all())
