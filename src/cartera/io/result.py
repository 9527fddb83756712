"""Reader results: the canonical frame, its rejects and the detected settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

# Columns of the rejects frame: one row per rejected input row.
REJECT_COLUMNS = ("file", "line", "column", "value", "reason")


@dataclass
class Detected:
    """How a file was read: each setting either detected or taken from config.

    Attributes
    ----------
    encoding
        Python codec name, such as ``utf-8``, ``utf-8-sig`` or ``cp1252``;
        ``xlsx`` or ``parquet`` for those binary formats.
    delimiter
        Field separator of a text file (``" "`` means runs of whitespace);
        ``None`` for Excel and Parquet.
    decimal
        Decimal mark of the money and number columns, ``"."`` or ``","``.
    header
        Whether the first row contains the column names.
    date_formats
        Date column -> strptime format of its date part. Keys are canonical
        names in :func:`cartera.io.read_table` and file column names in
        :func:`cartera.io.sniff`.
    mapping
        Canonical column -> source column, a product such as
        ``"Quantity * UnitPrice"``, or ``"= value"`` for a constant.
    ambiguous_dates
        Date column -> the formats it fits, day-first and month-first, when
        every day is 12 or less and no other date column shows the order. Filled
        by :func:`cartera.io.sniff`, keyed by file column name, and empty
        after :func:`cartera.io.read_table`, which raises on such a column.
    """

    encoding: str
    delimiter: str | None
    decimal: str
    header: bool
    date_formats: dict[str, str] = field(default_factory=dict)
    mapping: dict[str, str] = field(default_factory=dict)
    ambiguous_dates: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class LoadResult:
    """One input file read into a canonical table.

    Attributes
    ----------
    table
        Canonical table name, such as ``invoices``.
    path
        The file that was read.
    frame
        Accepted rows: the required canonical columns and the optional ones
        the file provides, with the types of :mod:`cartera.schema`, then every
        other column of the file as text, under its own name.
    rejects
        :data:`REJECT_COLUMNS`, one row per rejected input row.
    rows_read
        Data rows in the file; always ``len(frame) + len(rejects)``.
    detected
        The settings the file was read with.
    """

    table: str
    path: Path
    frame: pd.DataFrame
    rejects: pd.DataFrame
    rows_read: int
    detected: Detected

    def renamed_columns(self) -> dict[str, str]:
        """Return file header name -> canonical column, for each renamed column.

        Only a canonical column read from one file column of another name is
        listed: not a product of columns, nor a constant.
        """
        renamed = {}
        for canonical, origin in self.detected.mapping.items():
            single = not origin.startswith("= ") and " * " not in origin
            if single and origin != canonical and canonical in self.frame.columns:
                renamed[origin] = canonical
        return renamed


def empty_rejects() -> pd.DataFrame:
    """Return a rejects frame with no rows and the column types of a full one."""
    return pd.DataFrame(
        {
            "file": pd.Series([], dtype="str"),
            "line": pd.Series([], dtype="int64"),
            "column": pd.Series([], dtype="str"),
            "value": pd.Series([], dtype="str"),
            "reason": pd.Series([], dtype="str"),
        }
    )
