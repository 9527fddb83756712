"""The raw table: a file's cells as text, before any column is mapped or parsed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cartera.io.dates import DATE_LIKE, FULL_DATE
from cartera.io.result import REJECT_COLUMNS, empty_rejects
from cartera.io.values import LOOSE_NUMBER

RawTableParts = tuple[pd.DataFrame, np.ndarray]

MAX_CELL_CHARS = 32_767
"""Maximum length of a cell, in characters: the most an ``.xlsx`` cell can hold.

No ledger field comes near it, and a longer cell would be cut in the workbook
and multiply the size of every output that repeats it.
"""

SHORT_CODE = r"^\s*[^\W_][\w.\-/#]{0,19}\s*$"
"""A code of up to 20 characters without spaces, such as the account id ``ACME``
or ``C-0042``: letters, digits and ``_ . - / #``, starting with a letter or digit.
"""

MAX_SHOWN_CHARS = 120
"""Maximum length of a value copied into a reject; longer ones end in ``...``."""


@dataclass
class RawTable:
    """Every cell of one file as text, with the file line of each row.

    Attributes
    ----------
    frame
        One ``str`` column per file column; an empty cell is ``""``.
    lines
        Physical line (text files) or sheet row of each frame row, 1-based,
        so the header is line 1.
    malformed
        Rejects for rows that could not be split into the header's fields.
    encoding, delimiter, header
        How the file was read; see :class:`cartera.io.Detected`.
    """

    frame: pd.DataFrame
    lines: np.ndarray
    malformed: pd.DataFrame
    encoding: str
    delimiter: str | None
    header: bool

    @property
    def rows_read(self) -> int:
        return len(self.frame) + len(self.malformed)


def unique_names(names: list[str]) -> list[str]:
    """Suffix repeated column names with ``.1``, ``.2``... as pandas does for CSV."""
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        count = seen.get(name, 0)
        candidate = name if count == 0 else f"{name}.{count}"
        while candidate in seen:
            count += 1
            candidate = f"{name}.{count}"
        seen[name] = count + 1
        seen.setdefault(candidate, 1)
        unique.append(candidate)
    return unique


def looks_like_data(cells: Sequence[str]) -> bool:
    """Return whether a row reads as data rather than as column names.

    It does when every cell is a number or a date, or when one cell is a full
    calendar date (:data:`~cartera.io.dates.FULL_DATE`) and every other cell is
    a number, a date or a short code (:data:`SHORT_CODE`), as in
    ``ACME,1997-01-01,29.33``. A header names at least one column with a word,
    and it rarely names one with a full date. Digit strings such as the id ``00004``
    count as numbers. Trailing empty cells are ignored; any other empty cell
    counts as a name, because a header may leave the name of an index column
    empty.
    """
    filled = list(cells)
    while filled and not filled[-1].strip():
        filled.pop()
    if not filled:
        return False
    series = pd.Series(filled, dtype="str")
    values = series.str.match(LOOSE_NUMBER) | series.str.match(DATE_LIKE)
    if values.all():
        return True
    # NOTE: a header of one-word names and dates, such as
    # ``account,2025-01-31``, reads as data too and needs ``header = true``.
    full_dates = series.str.match(FULL_DATE)
    return bool(full_dates.any() and (values | series.str.match(SHORT_CODE)).all())


def looks_like_value(name: str) -> bool:
    """Return whether a column name reads as a number or a date, not as a name."""
    return bool(re.match(LOOSE_NUMBER, name) or re.match(DATE_LIKE, name))


def detect_header(first: Sequence[str], more_rows: bool) -> bool:
    """Return whether ``first``, the first non-blank row of a file, is a header.

    It is not when it looks like data (:func:`looks_like_data`) and other rows
    follow it. A file of one row keeps that row as its header, so a file with
    only a header reads as an empty table rather than as one row.
    """
    return not (more_rows and looks_like_data(first))


def numbered_columns(count: int) -> list[str]:
    """Return the names of the columns of a file without header."""
    return [f"column_{i}" for i in range(1, count + 1)]


def shorten(value: str) -> str:
    """Cut ``value`` to :data:`MAX_SHOWN_CHARS` characters for a reject."""
    if len(value) <= MAX_SHOWN_CHARS:
        return value
    return value[: MAX_SHOWN_CHARS - 3] + "..."


def reject_long_cells(path: Path, raw: RawTable) -> RawTable:
    """Move the rows with a cell longer than :data:`MAX_CELL_CHARS` to the rejects.

    Each such row is rejected for its first long cell, naming the column and
    the cell's length and showing the value cut short.
    """
    rows = len(raw.frame)
    long_rows = np.zeros(rows, dtype=bool)
    columns = np.empty(rows, dtype=object)
    values = np.empty(rows, dtype=object)
    reasons = np.empty(rows, dtype=object)
    for name in raw.frame.columns:
        cells = raw.frame[name]
        # A character takes at least one byte, so a column whose longest cell
        # fits in the limit in UTF-8 bytes needs no count of characters. The
        # byte count runs in Arrow and costs about a tenth as much.
        if _max_utf8_bytes(cells) <= MAX_CELL_CHARS:
            continue
        lengths = cells.str.len()
        new = (lengths > MAX_CELL_CHARS).to_numpy() & ~long_rows
        for row in np.flatnonzero(new):
            columns[row] = name
            values[row] = shorten(raw.frame[name].iloc[row])
            reasons[row] = (
                f"value of {lengths[row]} characters is longer than the limit "
                f"of {MAX_CELL_CHARS}"
            )
        long_rows |= new
    if not long_rows.any():
        return raw
    rejects = rejects_frame(
        path,
        raw.lines[long_rows],
        columns[long_rows],
        values[long_rows],
        reasons[long_rows],
    )
    malformed = pd.concat([raw.malformed, rejects], ignore_index=True)
    return replace(
        raw,
        frame=raw.frame.loc[~long_rows].reset_index(drop=True),
        lines=raw.lines[~long_rows],
        malformed=malformed.sort_values("line", kind="stable", ignore_index=True),
    )


def _max_utf8_bytes(cells: pd.Series) -> int:
    """Return the UTF-8 length in bytes of the longest cell, 0 when all are null."""
    longest = pc.max(pc.binary_length(pa.array(cells.array, from_pandas=True)))
    return int(longest.as_py() or 0)


def rejects_frame(
    path: Path, lines: np.ndarray, columns: object, values: object, reasons: object
) -> pd.DataFrame:
    """Build a rejects frame from per-row arrays (or scalars broadcast to them)."""
    if len(lines) == 0:
        return empty_rejects()
    frame = pd.DataFrame(
        {
            "file": str(path),
            "line": np.asarray(lines, dtype="int64"),
            "column": columns,
            "value": values,
            "reason": reasons,
        },
        columns=list(REJECT_COLUMNS),
    )
    return frame.astype(
        {"file": "str", "column": "str", "value": "str", "reason": "str"}
    )


def drop_blank_rows(frame: pd.DataFrame, lines: np.ndarray) -> RawTableParts:
    """Drop rows whose every cell is empty; they are not counted as read."""
    if frame.empty or len(frame.columns) == 0:
        return frame.reset_index(drop=True), lines
    blank = (frame == "").all(axis=1).to_numpy()
    if not blank.any():
        return frame, lines
    return frame.loc[~blank].reset_index(drop=True), lines[~blank]
