"""``cartera inspect`` run in-process with typer's CliRunner."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import typer
from openpyxl import Workbook
from typer.testing import CliRunner

from cartera.cli import inspect_command
from cartera.config import load_config
from cartera.errors import ConfigError, InputError
from cartera.io import read_table
from cartera.io.profile import profile_file


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Group the commands, as the cartera app does."""

    inspect_command.register(app)
    return app


@pytest.mark.realdata
def test_inspect_ar_file(app: typer.Typer, data_dir: Path) -> None:
    path = data_dir / "ar_invoices" / "WA_Fn-UseC_-Accounts-Receivable.csv"
    result = CliRunner().invoke(app, ["inspect", str(path)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "2466 rows" in result.output
    assert "%m/%d/%Y" in result.output
    assert "table invoices, guessed from the column names (complete)" in result.output
    assert 'invoice_id = "invoiceNumber"' in result.output
    assert 'account_id = "customerID"' in result.output
    assert 'paid_date = "SettledDate"' in result.output
    assert 'issue_date = "%m/%d/%Y"' in result.output
    assert re.search(r"invoiceNumber\s*│\s*id\s", result.output)


def test_inspect_semicolon_file(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "ventas.csv"
    path.write_bytes(
        "Cliente;Fecha;Importe\nPeña;31/01/2025;1.200,50\n".encode("cp1252")
    )
    result = CliRunner().invoke(
        app, ["inspect", str(path), "--table", "transactions"], terminal_width=200
    )
    assert result.exit_code == 0, result.output
    assert "Encoding cp1252, delimiter ';', decimal mark ','" in result.output
    assert 'encoding = "cp1252"' in result.output
    assert 'delimiter = ";"' in result.output
    assert 'decimal = ","' in result.output
    assert 'date = "%d/%m/%Y"' in result.output
    assert "table transactions, set by --table (complete)" in result.output


AMBIGUOUS_LEDGER = (
    "invoice_id,account_id,issue_date,due_date,amount\n"
    "I1,A,10/02/2025,12/03/2025,100.00\n"
    "I2,B,05/11/2025,05/12/2025,50.00\n"
)


def test_inspect_ambiguous_dates(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text(AMBIGUOUS_LEDGER, encoding="utf-8")
    result = CliRunner().invoke(app, ["inspect", str(path)], terminal_width=200)
    assert result.exit_code == 0, result.output
    # The console wraps the format column, so the full text is checked on the
    # profile and only its first word on the printed row.
    profile = profile_file(path)
    for column in profile.columns[2:4]:
        assert column.kind == "date"
        assert column.detail == "ambiguous: %d/%m/%Y or %m/%d/%Y"
        row = re.search(rf"│ {column.name}\s*│\s*date\s*│\s*ambiguous:", result.output)
        assert row, result.output
    assert (
        "(complete; choose the date format of issue_date, due_date, since every "
        "day is 12 or less)" in result.output
    )
    assert "[input.invoices.date_formats]" in result.output
    assert (
        "# 'issue_date' fits day-first and month-first (every day is 12 or less):"
        in result.output
    )
    assert '# issue_date = "%d/%m/%Y"  # 10/02/2025 is 10 February 2025' in (
        result.output
    )
    assert '# issue_date = "%m/%d/%Y"  # 10/02/2025 is 2 October 2025' in (
        result.output
    )
    assert '# due_date = "%m/%d/%Y"  # 12/03/2025 is 3 December 2025' in result.output


def test_inspect_keeps_configured_date_format(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text(AMBIGUOUS_LEDGER, encoding="utf-8")
    config = tmp_path / "cartera.toml"
    config.write_text(
        f'[input.invoices]\npath = "{path.as_posix()}"\n'
        '[input.invoices.date_formats]\nissue_date = "%m/%d/%Y"\n',
        encoding="utf-8",
    )
    args = ["inspect", str(path), "--config", str(config)]
    result = CliRunner().invoke(app, args, terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "(complete; choose the date format of due_date," in result.output
    assert '\nissue_date = "%m/%d/%Y"\n' in result.output
    assert '# issue_date = "%d/%m/%Y"' not in result.output
    assert '# due_date = "%d/%m/%Y"' in result.output


def test_inspect_date_choice_reads_file(app: typer.Typer, tmp_path: Path) -> None:
    # Uncommenting the day-first choices of the snippet gives a working config.
    path = tmp_path / "ledger.csv"
    path.write_text(AMBIGUOUS_LEDGER, encoding="utf-8")
    result = CliRunner().invoke(app, ["inspect", str(path)], terminal_width=200)
    snippet = result.output[result.output.index("[input.invoices]") :]
    chosen = re.sub(r'(?m)^# (\w+_date = "%d/%m/%Y").*$', r"\1", snippet)
    config = tmp_path / "cartera.toml"
    config.write_text(chosen, encoding="utf-8")

    source = load_config(config).input.source("invoices")
    assert source.date_formats == {"issue_date": "%d/%m/%Y", "due_date": "%d/%m/%Y"}
    invoices = read_table(path, "invoices", source).frame
    assert invoices["issue_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2025-02-10",
        "2025-11-05",
    ]


@pytest.mark.parametrize(
    ("options", "header"),
    [
        pytest.param(["--no-header"], "header no, 2 rows", id="set"),
        pytest.param([], "header no (the first row looks like data", id="detected"),
    ],
)
def test_inspect_without_header(
    app: typer.Typer, tmp_path: Path, options: list[str], header: str
) -> None:
    path = tmp_path / "sample.txt"
    path.write_text(" 0001 19970101 2 29.33\n 0002 19970118 1 14.96\n")
    result = CliRunner().invoke(
        app,
        ["inspect", str(path), *options, "--table", "transactions"],
        terminal_width=200,
    )
    assert result.exit_code == 0, result.output
    assert header in result.output
    assert "2 rows" in result.output
    assert "header = false" in result.output
    assert "(complete)" in result.output
    assert 'account_id = "column_1"' in result.output
    assert 'amount = "column_4"' in result.output
    assert re.search(r"column_2\s*│\s*date\s*│\s*%Y%m%d", result.output)


@pytest.mark.realdata
def test_inspect_cdnow_sample(app: typer.Typer, data_dir: Path) -> None:
    path = data_dir / "cdnow" / "CDNOW_sample.txt"
    result = CliRunner().invoke(app, ["inspect", str(path)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "header no (the first row looks like data" in result.output
    assert "6919 rows" in result.output
    assert re.search(r"column_1\s*│\s*id\s*│", result.output)
    assert re.search(r"column_3\s*│\s*date\s*│\s*%Y%m%d", result.output)
    assert "│ 19970101 " not in result.output
    assert "table transactions, guessed from the cells" in result.output
    assert 'date = "column_3"' in result.output
    assert 'amount = "column_5"' in result.output


def test_inspect_help_names_input_section(app: typer.Typer) -> None:
    result = CliRunner().invoke(app, ["inspect", "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "whose [input.<table>] settings" in result.output
    assert "  settings" not in result.output


def test_inspect_unknown_table(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("a,b\n1,2\n")
    result = CliRunner().invoke(app, ["inspect", str(path), "--table", "orders"])
    assert isinstance(result.exception, ConfigError)


def test_inspect_missing_file(app: typer.Typer, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["inspect", str(tmp_path / "none.csv")])
    assert isinstance(result.exception, InputError)
    assert "not found" in str(result.exception)


def test_inspect_uses_config_of_file(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "pagos.txt"
    path.write_text("P1|C1|2025-01-02|10,5\nP2|C2|2025-01-03|7,25\n")
    config = tmp_path / "cartera.toml"
    config.write_text(
        '[input.payments]\npath = "pagos.txt"\nheader = false\ndelimiter = "|"\n'
        '[input.payments.columns]\npayment_id = "column_1"\naccount_id = "column_2"\n'
        'payment_date = "column_3"\namount = "column_4"\n'
    )
    result = CliRunner().invoke(app, ["inspect", str(path), "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "table payments, whose [input] path is this file (complete)" in result.output
    assert 'payment_id = "column_1"' in result.output
    assert 'payment_date = "%Y-%m-%d"' in result.output


def test_inspect_config_without_section(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("a,b\n1,2\n")
    config = tmp_path / "cartera.toml"
    config.write_text("")
    result = CliRunner().invoke(app, ["inspect", str(path), "--config", str(config)])
    assert isinstance(result.exception, ConfigError)
    assert "no [input] section" in str(result.exception)


def test_inspect_workbook(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "ledger.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Factura", "Cliente", "Fecha", "Vencimiento", "Importe"])
    sheet.append(["0001", "007", dt.datetime(2025, 1, 2), dt.date(2025, 2, 1), 12.5])
    book.save(path)
    result = CliRunner().invoke(app, ["inspect", str(path)])
    assert result.exit_code == 0, result.output
    assert "Format xlsx, decimal mark '.', header yes, 1 row\n" in result.output
    assert 'issue_date = "%Y-%m-%d"' in result.output
    assert "time dropped" not in result.output
