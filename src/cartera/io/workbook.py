"""Reading Excel workbooks and Parquet files as text cells.

Cells become the text a CSV export would contain, so one parsing path serves
every format. Numbers take their shortest round-trip form, and a whole number
has no ``.0``. Dates and timestamps take ISO form as shown in the file.
Time-zone-aware Parquet timestamps show the wall-clock time of their own zone,
so each keeps the calendar date it was written with.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import numpy as np
import pandas as pd

from cartera.errors import InputError
from cartera.io.raw import (
    RawTable,
    detect_header,
    drop_blank_rows,
    numbered_columns,
    rejects_frame,
    unique_names,
)


def read_excel(path: Path, *, sheet: str | None, header: bool | None) -> RawTable:
    """Read one sheet of an ``.xlsx`` workbook; ``lines`` are sheet row numbers.

    Leading empty rows are skipped, so the header is the first row with a value.
    ``header=None`` detects whether that row contains column names
    (:func:`cartera.io.raw.detect_header`).

    Raises
    ------
    InputError
        The workbook cannot be opened or the sheet does not exist.
    """
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (*_WORKBOOK_ERRORS, InvalidFileException) as exc:
        raise _unreadable(path, exc) from exc
    try:
        if sheet is None:
            worksheet = book.worksheets[0]
        elif sheet in book.sheetnames:
            worksheet = book[sheet]
        else:
            raise InputError(
                f"{path} has no sheet {sheet!r}; its sheets are "
                + ", ".join(repr(n) for n in book.sheetnames),
                hint="set sheet to one of those names",
            )
        rows = [
            (number, [_cell_text(v) for v in values])
            for number, values in enumerate(
                worksheet.iter_rows(min_row=1, values_only=True), start=1
            )
        ]
    except _WORKBOOK_ERRORS as exc:
        raise _unreadable(path, exc) from exc
    finally:
        book.close()
    return _table_from_rows(path, rows, header)


# Exceptions openpyxl raises on a damaged workbook: a broken zip, missing or
# malformed XML parts, or values it cannot convert.
_WORKBOOK_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    KeyError,
    OSError,
    ValueError,
    TypeError,
    ParseError,
)


def _unreadable(path: Path, exc: Exception) -> InputError:
    return InputError(
        f"{path} cannot be opened as an Excel workbook: {exc}",
        hint="open it in Excel and save it again as .xlsx, or export it as CSV",
    )


def _table_from_rows(
    path: Path, rows: list[tuple[int, list[str]]], header: bool | None
) -> RawTable:
    rows = [(n, cells) for n, cells in rows if any(cells)]
    if not rows:
        raise InputError(
            f"{path} has no data in the sheet read",
            hint="pass the workbook with the data, or set sheet to the right sheet",
        )
    width = max(len(cells) for _, cells in rows)
    cells = [c + [""] * (width - len(c)) for _, c in rows]
    lines = np.array([n for n, _ in rows], dtype="int64")
    if header is None:
        header = detect_header(rows[0][1], len(rows) > 1)
    if header:
        names = unique_names([c or f"column_{i}" for i, c in enumerate(cells[0], 1)])
        cells, lines = cells[1:], lines[1:]
    else:
        names = numbered_columns(width)
    frame = pd.DataFrame(cells, columns=names, dtype="str")
    # Columns with neither a name nor a value are sheet padding.
    padding = [
        name
        for i, name in enumerate(names, 1)
        if name == f"column_{i}" and header and (frame[name] == "").all()
    ]
    frame = frame.drop(columns=padding)
    frame, lines = drop_blank_rows(frame, lines)
    malformed = rejects_frame(path, np.empty(0, "int64"), "", "", "")
    return RawTable(frame, lines, malformed, "xlsx", None, header)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def read_parquet(path: Path) -> RawTable:
    """Read a Parquet file; ``lines`` count rows as a CSV export with a header would.

    Raises
    ------
    InputError
        The file is not valid Parquet.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        # ParquetFile, unlike pq.read_table, accepts repeated column names.
        with pq.ParquetFile(path) as parquet:
            table = parquet.read()
    except (pa.ArrowException, OSError) as exc:
        raise InputError(
            f"{path} cannot be read as Parquet: {exc}",
            hint="write the file again with a Parquet writer, or export it as CSV",
        ) from exc
    columns: list[pd.Series] = []
    for name, column in zip(table.column_names, table.columns, strict=True):
        try:
            if pa.types.is_dictionary(column.type):
                column = column.cast(column.type.value_type)
            if pa.types.is_timestamp(column.type):
                text = pc.strftime(column, format="%Y-%m-%d %H:%M:%S")
            elif pa.types.is_boolean(column.type):
                text = pc.if_else(column, "true", "false")
            else:
                text = pc.cast(column, pa.string())
        except pa.ArrowException as exc:
            raise InputError(
                f"column {name!r} of {path} has type {column.type}, which cannot "
                "be read as text",
                hint="write that column as text, numbers or dates, or drop it",
            ) from exc
        columns.append(pc.fill_null(text, "").to_pandas().astype("str"))
    names = unique_names([str(n) for n in table.column_names])
    frame = pd.DataFrame(
        dict(zip(names, columns, strict=True)), index=pd.RangeIndex(table.num_rows)
    )
    lines = np.arange(2, table.num_rows + 2, dtype="int64")
    frame, lines = drop_blank_rows(frame, lines)
    malformed = rejects_frame(path, np.empty(0, "int64"), "", "", "")
    return RawTable(frame, lines, malformed, "parquet", None, True)
