"""Detecting one date format per column and parsing dates as written.

Rules:

1. A column has one format, detected from all its distinct values or set in
   ``date_formats``. Rows are never guessed one by one.
2. A time of day and a UTC offset after the date are dropped as written:
   ``2025-12-20T23:30:00+01:00`` is 2025-12-20. Converting to UTC first would
   move such a due date to the next or previous day and so change its ageing
   bucket.
3. Values that fit no known format are rejected row by row. Values that fit a
   format other than the one most of the column fits make the column mixed,
   which is an error naming two conflicting values and their lines.
4. A column that fits both day-first and month-first (every day is 12 or less)
   takes the order that another date column of the same file proves. With no
   proof, or with proofs that disagree, it is an error asking for
   ``date_formats``.
5. Dates are ``datetime64[s]`` at midnight. Seconds rather than nanoseconds keep
   far-future placeholders such as 9999-12-31 representable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from cartera.errors import InputError
from cartera.io.values import Parsed, on_uniques

DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y%m%d",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%d.%m.%Y",
    "%d/%m/%y",
    "%m/%d/%y",
    "%d-%m-%y",
    "%d.%m.%y",
    "%d-%b-%Y",
    "%d %b %Y",
    "%d-%b-%y",
)
DATE_DTYPE: Final = "datetime64[s]"

_TIME = (
    r"(?:[T ]\s*\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?"
    r"\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)"
)
_SPLIT = re.compile(rf"^\s*(?P<date>.+?)(?P<time>{_TIME})?\s*$")
DATE_LIKE = r"^\s*(?:\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|(?:19|20)\d{6})" + _TIME + r"?\s*$"
FULL_DATE = (
    r"^\s*(?:\d{4}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])"
    r"|(?:0?[1-9]|[12]\d|3[01])[-/.](?:0?[1-9]|[12]\d|3[01])[-/.]\d{4}"
    # Compact ISO dates such as 20250103, as in the CDNOW purchase log.
    r"|(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))" + _TIME + r"?\s*$"
)
"""A calendar date with day, month and a four-digit year, such as ``1997-01-01``,
``01/02/2025`` or ``20250103``, optionally with a time. A header rarely names a
column so."""
_TIME_DIRECTIVE = re.compile(r"[T ]?%[HIMSfzZpXc]")
_SPANISH_MONTHS = {"ene": "Jan", "abr": "Apr", "ago": "Aug", "set": "Sep", "dic": "Dec"}
_SPANISH_MONTH = re.compile(r"(?i)(?<![a-z])(?:ene|abr|ago|set|dic)(?![a-z])")


def date_part(cells: pd.Series) -> pd.Series:
    """Return the date part of each cell, without any time of day or offset.

    Spanish month abbreviations that differ from the English ones are
    translated, so ``31-dic-2025`` fits ``%d-%b-%Y``.
    """
    found = cells.str.extract(_SPLIT)["date"].fillna("").astype("str")
    return found.str.replace(
        _SPANISH_MONTH, lambda m: _SPANISH_MONTHS[m.group(0).lower()], regex=True
    )


def has_time(cells: pd.Series) -> bool:
    """Return whether any cell carries a time of day after its date."""
    found = cells.str.extract(_SPLIT)["time"]
    return bool(found.notna().any())


def date_part_format(fmt: str) -> str:
    """Cut a strptime format before its first time directive.

    ``"%Y-%m-%dT%H:%M:%S%z"`` becomes ``"%Y-%m-%d"``, so a configured timestamp
    format reads the date as written, like a detected one.
    """
    return _TIME_DIRECTIVE.split(fmt, maxsplit=1)[0].rstrip(" T")


def order(fmt: str) -> str | None:
    """Return ``"day"`` or ``"month"`` for a format whose day and month lead it."""
    positions = {d: fmt.find(d) for d in ("%d", "%m", "%Y", "%y")}
    day, month = positions["%d"], positions["%m"]
    year = max(positions["%Y"], positions["%y"])
    if min(day, month) < 0 or year < max(day, month):
        return None
    return "day" if day < month else "month"


def _fits(uniques: pd.Series, fmt: str) -> np.ndarray:
    parsed = pd.to_datetime(uniques, format=fmt, errors="coerce")
    return parsed.notna().to_numpy()


@dataclass
class DateColumn:
    """One date column to detect a format for.

    Attributes
    ----------
    key
        Name the detected format is stored under (canonical or file column).
    source
        Column of the file, for messages.
    cells
        The cells as text.
    lines
        File line of each cell.
    fitting
        Formats that fit every value that fits any format; filled by
        :func:`detect_formats`.
    """

    key: str
    source: str
    cells: pd.Series
    lines: np.ndarray
    fitting: list[str] = field(default_factory=list)


def looks_like_dates(cells: pd.Series) -> bool:
    """Return whether the first distinct non-empty cells all look like dates."""
    uniques = pd.Series(cells.head(10_000).unique(), dtype="str")
    sample = uniques[uniques.str.strip() != ""][:20]
    return len(sample) > 0 and bool(sample.str.match(DATE_LIKE).all())


def detect_formats(
    path: Path,
    table: str,
    columns: list[DateColumn],
    witnesses: list[DateColumn],
    *,
    strict: bool = True,
) -> dict[str, str]:
    """Detect one format per column in ``columns``.

    ``witnesses`` are other date-like columns of the file; they only serve to
    prove the day/month order. A column with no parseable value gets no format.
    With ``strict=False`` a column that would raise gets no format instead.

    Raises
    ------
    InputError
        A column mixes formats, has no value in a known format, or fits both
        day-first and month-first with nothing in the file to tell which.
    """
    for column in columns:
        column.fitting = _fitting_formats(path, table, column, strict=strict)
    for column in witnesses:
        column.fitting = _fitting_formats(path, table, column, strict=False)
    proven = {
        order(c.fitting[0])
        for c in columns + witnesses
        if len(c.fitting) == 1 and order(c.fitting[0])
    }
    formats = {}
    for column in columns:
        if len(column.fitting) == 1:
            formats[column.key] = column.fitting[0]
        elif column.fitting:
            try:
                formats[column.key] = _resolve_order(path, table, column, proven)
            except InputError:
                if strict:
                    raise
    return formats


def _fitting_formats(
    path: Path, table: str, column: DateColumn, *, strict: bool
) -> list[str]:
    codes, distinct = pd.factorize(column.cells, sort=False)
    uniques = date_part(pd.Series(distinct, dtype="str").str.strip())
    filled = (uniques != "").to_numpy()
    fits = {fmt: _fits(uniques, fmt) & filled for fmt in DATE_FORMATS}
    parseable = np.logical_or.reduce(list(fits.values()))
    if not parseable.any():
        if strict and filled.any():
            row = int(np.flatnonzero(filled[codes])[0])
            raise InputError(
                f"column {column.source!r} of {path} has no date in a known "
                f"format, for example {column.cells.iloc[row]!r} on line "
                f"{column.lines[row]}",
                hint=f"set its format under [input.{table}.date_formats], for "
                f'example {column.key} = "%d/%m/%Y", or map another column',
            )
        return []
    fitting = [f for f, fit in fits.items() if fit[parseable].all()]
    if not fitting and strict:
        _raise_mixed(path, table, column, fits, codes)
    return fitting


def _raise_mixed(
    path: Path,
    table: str,
    column: DateColumn,
    fits: dict[str, np.ndarray],
    codes: np.ndarray,
) -> None:
    coverage = {fmt: int(fit[codes].sum()) for fmt, fit in fits.items()}
    main = max(coverage, key=lambda fmt: coverage[fmt])
    fits_main = fits[main][codes]
    fits_other = np.logical_or.reduce(
        [fit[codes] for fmt, fit in fits.items() if fmt != main]
    )
    first = int(np.flatnonzero(fits_main)[0])
    other = int(np.flatnonzero(~fits_main & fits_other)[0])
    cells, lines = column.cells, column.lines
    raise InputError(
        f"column {column.source!r} of {path} mixes date formats: "
        f"{cells.iloc[first].strip()!r} on line {lines[first]} is {main} but "
        f"{cells.iloc[other].strip()!r} on line {lines[other]} is not",
        hint=f"write the column in one format, or set [input.{table}.date_formats] "
        f'{column.key} = "{main}" to reject the rows in another format',
    )


def _resolve_order(
    path: Path, table: str, column: DateColumn, proven: set[str | None]
) -> str:
    by_order = {order(f): f for f in column.fitting}
    if len(proven) == 1:
        (proof,) = proven
        if proof in by_order:
            return by_order[proof]
    options = " or ".join(f'"{f}"' for f in column.fitting)
    reason = (
        "other date columns disagree on the order"
        if len(proven) > 1
        else "no other date column shows which comes first"
    )
    raise InputError(
        f"column {column.source!r} of {path} fits both day-first and month-first "
        f"dates (every day is 12 or less) and {reason}",
        hint=f"set [input.{table}.date_formats] {column.key} = {options}",
    )


def parse_dates(cells: pd.Series, fmt: str | None) -> Parsed:
    """Parse cells with one format into dates at midnight, dropping any time."""
    stripped = cells.str.strip()
    missing = (stripped == "").to_numpy()
    if fmt is None:
        values = pd.Series(pd.NaT, index=cells.index, dtype=DATE_DTYPE)
        return Parsed(values, missing, ~missing)
    date_format = date_part_format(fmt)

    def parse(uniques: pd.Series) -> pd.Series:
        parsed = pd.to_datetime(date_part(uniques), format=date_format, errors="coerce")
        return parsed.astype(DATE_DTYPE)

    values = on_uniques(stripped, parse)
    invalid = values.isna().to_numpy() & ~missing
    return Parsed(values, missing, invalid)
