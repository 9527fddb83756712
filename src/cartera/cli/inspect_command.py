"""``cartera inspect FILE``: show how a file would be read and how to map it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

import typer

if TYPE_CHECKING:
    from cartera.config import InputConfig, TableName


def register(app: typer.Typer) -> None:
    app.command("inspect")(inspect)


def inspect(
    file: Path = typer.Argument(..., help="CSV, text, .xlsx or Parquet file to read."),
    table: str | None = typer.Option(
        None,
        "--table",
        "-t",
        help="Table to suggest a mapping for: invoices, payments, transactions, "
        "accounts or leads. Guessed from the column names when unset.",
    ),
    config: Path | None = typer.Option(
        None,
        "--config",
        "-c",
        help="cartera.toml whose \\[input.<table>] settings are used to read the "
        "file; the table is the one whose path is FILE unless --table is set.",
    ),
    no_header: bool = typer.Option(
        False, "--no-header", help="The first row is data, not column names."
    ),
) -> None:
    """Print the detected encoding, delimiter, decimal mark, dates and a mapping."""
    from rich.table import Table

    from cartera.cli.console import out
    from cartera.config import TableSource, load_config
    from cartera.errors import ConfigError
    from cartera.io.profile import profile_file
    from cartera.schema import TABLES

    if table is not None and (table not in TABLES or table == "fx"):
        raise ConfigError(
            f"unknown table {table!r}",
            hint="use invoices, payments, transactions, accounts or leads",
        )
    name = cast("TableName | None", table)
    source = TableSource()
    if config is not None:
        inputs = load_config(config).input
        if name is None:
            name = _table_reading(inputs, file)
        source = inputs.source(name)
    if no_header:
        source = source.model_copy(update={"header": False})
    profile = profile_file(file, name, source)
    detected = profile.detected

    if detected.delimiter is None:
        layout = f"Format {detected.encoding}"
    else:
        delimiter = {" ": "whitespace", "\t": "tab"}.get(
            detected.delimiter, repr(detected.delimiter)
        )
        layout = f"Encoding {detected.encoding}, delimiter {delimiter}"
    rows = f"{profile.rows} row" + ("" if profile.rows == 1 else "s")
    header = "yes" if detected.header else "no"
    if source.header is None and not detected.header:
        header += " (the first row looks like data, so columns are numbered)"
    out.print(f"File: {profile.path}", markup=False, highlight=False, soft_wrap=True)
    out.print(
        f"{layout}, decimal mark {detected.decimal!r}, header {header}, {rows}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    grid = Table("column", "type", "format", "empty", "distinct", "examples")
    for column in profile.columns:
        grid.add_row(
            column.name,
            column.kind,
            column.detail,
            str(column.empty),
            str(column.distinct),
            ", ".join(column.samples),
        )
    out.print(grid)
    state = (
        "complete"
        if not profile.missing
        else f"missing {', '.join(profile.missing)}: replace each ? with a column"
    )
    if profile.date_choices:
        state += (
            f"; choose the date format of {', '.join(profile.date_choices)}, "
            "since every day is 12 or less"
        )
    if table is not None:
        origin = "set by --table"
    elif config is not None:
        origin = "whose [input] path is this file"
    elif profile.from_cells:
        origin = "guessed from the cells, since the file has no header"
    else:
        origin = "guessed from the column names"
    out.print(
        f"Suggested cartera.toml for table {profile.table}, {origin} ({state}):",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    out.print(profile.snippet, markup=False, highlight=False, soft_wrap=True)


def _table_reading(inputs: InputConfig, file: Path) -> TableName:
    """Return the table whose ``[input.<table>]`` path is ``file``."""
    from cartera.errors import ConfigError

    tables: tuple[TableName, ...] = (
        "invoices",
        "payments",
        "transactions",
        "accounts",
        "leads",
        "fx",
    )
    matches = [
        table
        for table in tables
        if (path := inputs.source(table).path) is not None
        and path.resolve() == file.resolve()
    ]
    if len(matches) != 1:
        found = "several [input] sections" if matches else "no [input] section"
        raise ConfigError(
            f"{found} of the configuration read {file}",
            hint="pass --table to choose the [input.<table>] settings to use",
        )
    return matches[0]
