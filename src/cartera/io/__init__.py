"""Reading input files into canonical tables.

:func:`read_table` reads CSV, TSV, ``|``- or whitespace-separated text, Excel
``.xlsx`` and Parquet files. It detects the encoding, delimiter, decimal mark and
date formats, each of which can be set in :class:`cartera.config.TableSource`.
It then maps the columns onto a table of :mod:`cartera.schema` and returns the
accepted rows with one reject per rejected row.
"""

from __future__ import annotations

from cartera.io.mapping import suggest_mapping
from cartera.io.reader import read_table, sniff
from cartera.io.result import REJECT_COLUMNS, Detected, LoadResult

__all__ = [
    "REJECT_COLUMNS",
    "Detected",
    "LoadResult",
    "read_table",
    "sniff",
    "suggest_mapping",
]
