"""Describing a file for ``cartera inspect``: settings, column types and a mapping."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cartera.config import TableName, TableSource
from cartera.io.dates import date_part, has_time
from cartera.io.mapping import (
    candidates,
    mapping_snippet,
    suggest_from_cells,
    suggest_mapping,
)
from cartera.io.reader import looks_numeric, read_raw, sniff_raw
from cartera.io.result import Detected
from cartera.io.text import WHITESPACE
from cartera.io.values import FALSE_WORDS, TRUE_WORDS, fold_word, parse_numbers
from cartera.schema import TABLES

_SAMPLES = 3
# Tables a file's column names are matched against. An FX rates file has too
# few columns to be told apart from the others.
_GUESSABLE: tuple[TableName, ...] = (
    "invoices",
    "payments",
    "transactions",
    "accounts",
    "leads",
)


@dataclass
class ColumnProfile:
    """One column of a file as ``inspect`` shows it.

    Attributes
    ----------
    name
        Column name in the file.
    kind
        ``date``, ``number``, ``yes/no``, ``text``, ``empty``, or ``id`` for
        digit strings with leading zeros, which are read as text.
    detail
        Date format (with ``, time dropped`` when cells carry a time) or ``""``.
        A date column that fits both day-first and month-first lists both
        formats and states that the order is ambiguous.
    empty
        Number of empty cells.
    distinct
        Number of distinct non-empty values.
    samples
        The first distinct non-empty values, at most three.
    """

    name: str
    kind: str
    detail: str
    empty: int
    distinct: int
    samples: list[str] = field(default_factory=list)


@dataclass
class FileProfile:
    """Report of ``inspect`` on one file."""

    path: Path
    detected: Detected
    rows: int
    columns: list[ColumnProfile]
    table: str
    mapping: dict[str, str]
    missing: list[str]
    snippet: str
    from_cells: bool = False
    date_choices: list[str] = field(default_factory=list)


def profile_file(
    path: Path, table: TableName | None = None, source: TableSource | None = None
) -> FileProfile:
    """Read ``path`` and describe its settings, columns and a suggested mapping.

    Parameters
    ----------
    path
        The file to describe.
    table
        Canonical table to suggest a mapping for; ``None`` picks the table
        whose required columns the file's names cover best.
    source
        Settings to read the file with, as in ``[input.<table>]``.
    """
    source = source or TableSource()
    raw = read_raw(path, source)
    detected = sniff_raw(path, raw, source)
    columns = [
        _profile_column(name, raw.frame[name], detected) for name in raw.frame.columns
    ]
    names = list(raw.frame.columns)
    from_cells = False
    if not detected.header and not source.columns and table in (None, "transactions"):
        # A file without a header has no names to match: map it from its cells.
        mapping = suggest_from_cells(raw.frame, "transactions")
        from_cells = bool(mapping)
        table = "transactions" if from_cells else table
    table = table or _guess_table(names)
    if not from_cells:
        mapping = dict(source.columns) or suggest_mapping(names, table)
    missing = [c for c in TABLES[table].required if c not in mapping]
    samples = {c.name: c.samples[0] for c in columns if c.samples}
    dates = _date_sources(table, names, mapping)
    snippet = _snippet(path, table, names, mapping, detected, samples, source)
    choices = [
        name
        for name, column in dates.items()
        if column in detected.ambiguous_dates and name not in source.date_formats
    ]
    return FileProfile(
        path,
        detected,
        raw.rows_read,
        columns,
        table,
        mapping,
        missing,
        snippet,
        from_cells,
        choices,
    )


def _profile_column(name: str, cells: pd.Series, detected: Detected) -> ColumnProfile:
    stripped = cells.str.strip()
    filled = stripped[stripped != ""]
    uniques = pd.Series(filled.unique(), dtype="str")
    samples = [str(v) for v in uniques[:_SAMPLES]]
    empty = len(cells) - len(filled)
    kind, detail = "text", ""
    if filled.empty:
        kind = "empty"
    elif name in detected.date_formats:
        kind = "date"
        detail = detected.date_formats[name]
        if has_time(uniques):
            detail += ", time dropped"
    elif name in detected.ambiguous_dates:
        kind = "date"
        detail = "ambiguous: " + " or ".join(detected.ambiguous_dates[name])
        if has_time(uniques):
            detail += ", time dropped"
    elif uniques.str.fullmatch(r"0\d+").any() and uniques.str.isdigit().all():
        kind = "id"
    elif (
        looks_numeric(uniques)
        and not parse_numbers(uniques, detected.decimal).invalid.any()
    ):
        kind = "number"
    elif {fold_word(u) for u in uniques} <= TRUE_WORDS | FALSE_WORDS:
        kind = "yes/no"
    return ColumnProfile(name, kind, detail, empty, len(uniques), samples)


def _guess_table(names: list[str]) -> TableName:
    def coverage(table: TableName) -> tuple[float, int]:
        mapping = suggest_mapping(names, table)
        required = TABLES[table].required
        covered = sum(1 for c in required if c in mapping)
        return covered / len(required), len(mapping)

    return max(_GUESSABLE, key=coverage)


def _snippet(
    path: Path,
    table: TableName,
    names: list[str],
    mapping: dict[str, str],
    detected: Detected,
    samples: dict[str, str],
    settings: TableSource,
) -> str:
    """Return the ``[input.<table>]`` blocks that read this file as detected.

    ``samples`` contains the first value of each column, shown read by each
    format of an ambiguous date column. A format set in ``settings`` is kept
    as set.
    """
    lines = [f"[input.{table}]", f'path = "{path}"']
    if detected.encoding not in ("utf-8", "utf-8-sig", "xlsx", "parquet"):
        lines.append(f'encoding = "{detected.encoding}"')
    if detected.delimiter not in (None, ",", WHITESPACE):
        lines.append(f'delimiter = "{_escape(detected.delimiter or "")}"')
    if detected.decimal != ".":
        lines.append(f'decimal = "{detected.decimal}"')
    if not detected.header:
        lines.append("header = false")
    lines.append(mapping_snippet(table, names, mapping))
    formats = []
    for name, source in _date_sources(table, names, mapping).items():
        if name in settings.date_formats:
            formats.append(f'{name} = "{settings.date_formats[name]}"')
        elif source in detected.date_formats:
            formats.append(f'{name} = "{detected.date_formats[source]}"')
        elif source in detected.ambiguous_dates:
            formats += _format_choice(
                name, source, detected.ambiguous_dates[source], samples
            )
    if formats:
        lines += [f"[input.{table}.date_formats]", *formats]
    return "\n".join(lines)


def _date_sources(
    table: TableName, names: list[str], mapping: dict[str, str]
) -> dict[str, str]:
    """Return canonical date column -> the file column it is read from."""
    found = candidates(names, table)
    sources = {}
    for column in TABLES[table].columns:
        if column.type != "date":
            continue
        source = mapping.get(column.name) or next(iter(found.get(column.name, [])), "")
        if source:
            sources[column.name] = source
    return sources


def _format_choice(
    name: str, source: str, options: list[str], samples: dict[str, str]
) -> list[str]:
    """Return commented lines that let the user pick one of ``options``.

    Each line reads the column's first value with its format, so the user can
    tell which one the file's author meant.
    """
    lines = [
        f"# {source!r} fits day-first and month-first (every day is 12 or less):",
        "# uncomment the format it is written in.",
    ]
    example = samples.get(source, "")
    for fmt in options:
        line = f'# {name} = "{fmt}"'
        parsed = pd.to_datetime(
            date_part(pd.Series([example])), format=fmt, errors="coerce"
        ).iloc[0]
        if not pd.isna(parsed):
            line += f"  # {example} is {parsed.day} {parsed:%B %Y}"
        lines.append(line)
    return lines


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t")
