import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from cartera.errors import InputError
from cartera.report.workbook import write_workbook
from cartera.result import RunResult

from .ledger import CREDIT_BALANCE, FORMULA_NAMES, build_result

Build = Callable[[str], RunResult]
SHEETS = {
    "en": ["accounts", "worklist", "open items", "segments", "ageing", "rejects"],
    "es": [
        "cuentas",
        "lista de trabajo",
        "partidas abiertas",
        "segmentos",
        "antigüedad",
        "rechazos",
    ],
}


def _column(sheet: Worksheet, header: str) -> list:
    headers = [cell.value for cell in sheet[1]]
    index = headers.index(header) + 1
    return [row[0] for row in sheet.iter_rows(min_row=2, min_col=index, max_col=index)]


@pytest.fixture(scope="module", params=["en", "es"])
def book(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple:
    """Write the hand-made run's workbook once per language; return it loaded."""
    lang = request.param
    folder = tmp_path_factory.mktemp(f"book-{lang}")
    path = write_workbook(build_result(lang), folder / "cartera.xlsx")
    return load_workbook(path), path, lang


def test_sheets_in_order(book: tuple) -> None:
    workbook, _, lang = book
    assert workbook.sheetnames == SHEETS[lang]


def test_injection_case(book: tuple) -> None:
    workbook, _, lang = book
    accounts = workbook[SHEETS[lang][0]]
    name = "Name" if lang == "en" else "Nombre"
    balance = "Open balance" if lang == "en" else "Saldo pendiente"
    names = {cell.value: cell for cell in _column(accounts, name)}
    for formula in FORMULA_NAMES:
        cell = names[formula]
        assert cell.data_type == "s", formula
        assert cell.quotePrefix, formula
    credit_row = names["=1+1"].row
    credit = accounts.cell(
        credit_row, [c.value for c in accounts[1]].index(balance) + 1
    )
    assert credit.data_type == "n"
    assert credit.value == CREDIT_BALANCE
    assert credit.number_format == "#,##0.00"


def test_no_formula_in_file(book: tuple) -> None:
    _, path, _ = book
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert len(sheets) == 6
        for name in sheets:
            assert "<f>" not in archive.read(name).decode("utf-8"), name


def test_worklist_injection(book: tuple) -> None:
    workbook, _, lang = book
    worklist = workbook[SHEETS[lang][1]]
    values = [cell for row in worklist.iter_rows(min_row=2) for cell in row]
    formulas = [c for c in values if isinstance(c.value, str) and c.value[:1] in "=@"]
    assert {c.value for c in formulas} == {"=1+1", "@SUM(A1:A2)"}
    assert all(c.data_type == "s" and c.quotePrefix for c in formulas)
    negatives = [c for c in values if c.data_type == "n" and c.value == CREDIT_BALANCE]
    assert len(negatives) == 2  # open_amount and expected_cash


def test_header_frozen_and_filtered(book: tuple) -> None:
    workbook, _, _ = book
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref is not None, sheet.title
        assert sheet.auto_filter.ref.startswith("A1:"), sheet.title
        assert all(cell.font.bold for cell in sheet[1]), sheet.title


@pytest.mark.parametrize(
    ("sheet_index", "header_en", "header_es", "number_format"),
    [
        (0, "Open balance", "Saldo pendiente", "#,##0.00"),
        (0, "31-60 days", "31-60 días", "#,##0.00"),
        (0, "P(late)", "P(retraso)", "0.0%"),
        (0, "Rank", "Puesto", "#,##0"),
        (0, "Priority score", "Puntuación de prioridad", "#,##0.00"),
        (
            1,
            "Expected cash (reporting currency)",
            "Cobro esperado (moneda de informe)",
            "#,##0.00",
        ),
        (2, "Days past due", "Días vencida", "#,##0"),
        (3, "Share", "Proporción", "0.0%"),
        (4, "Open balance", "Saldo pendiente", "#,##0.00"),
        (5, "Line", "Línea", "#,##0"),
    ],
    ids=[
        "money",
        "ageing",
        "probability",
        "rank",
        "score",
        "worklist-cash",
        "days",
        "segment-share",
        "ageing-sheet",
        "reject-line",
    ],
)
def test_number_formats(
    book: tuple, sheet_index: int, header_en: str, header_es: str, number_format: str
) -> None:
    workbook, _, lang = book
    sheet = workbook[SHEETS[lang][sheet_index]]
    cells = _column(sheet, header_en if lang == "en" else header_es)
    assert cells
    for cell in cells:
        assert cell.data_type == "n"
        assert cell.number_format == number_format


@pytest.mark.parametrize(
    ("lang", "date_format"), [("en", "yyyy-mm-dd"), ("es", "dd/mm/yyyy")]
)
def test_dates_are_dates(
    make_result: Build, tmp_path: Path, lang: str, date_format: str
) -> None:
    workbook = load_workbook(write_workbook(make_result(lang), tmp_path / "c.xlsx"))
    sheet = workbook[SHEETS[lang][2]]
    cells = _column(sheet, "Due date" if lang == "en" else "Vencimiento")
    assert cells[0].value == datetime(2025, 5, 1)
    assert cells[0].is_date
    assert all(cell.number_format == date_format for cell in cells)


def test_tier_colours(book: tuple) -> None:
    workbook, _, lang = book
    cells = _column(workbook[SHEETS[lang][0]], "Tier" if lang == "en" else "Nivel")
    colours = {cell.value: cell.fill.fgColor.rgb for cell in cells}
    assert colours == {1: "001F4E79", 2: "002E75B6", 3: "00BDD7EE"}


def test_widths_fit_text(book: tuple) -> None:
    workbook, _, lang = book
    sheet = workbook[SHEETS[lang][5]]
    widths = {
        cell.value: sheet.column_dimensions[cell.column_letter].width
        for cell in sheet[1]
    }
    reason = "Reason" if lang == "en" else "Motivo"
    # The longest reason is "not a date in format %d/%m/%Y" (30 characters).
    assert widths[reason] >= 30
    for header, width in widths.items():
        assert len(header) <= width <= 60, header


def test_missing_tables_give_empty_sheets(make_result: Build, tmp_path: Path) -> None:
    result = make_result("en")
    result.worklist = None
    result.segments = None
    workbook = load_workbook(write_workbook(result, tmp_path / "c.xlsx"))
    worklist = workbook["worklist"]
    assert worklist.max_row == 1
    headers = [c.value for c in worklist[1]]
    assert {
        "Account",
        "Invoice",
        "Action",
        "Expected cash (reporting currency)",
    } <= set(headers)
    segments = workbook["segments"]
    assert segments.max_row == 1
    assert [c.value for c in segments[1]][:2] == ["Segmentation", "Segment"]


def test_missing_values_are_blank(make_result: Build, tmp_path: Path) -> None:
    workbook = load_workbook(write_workbook(make_result("en"), tmp_path / "c.xlsx"))
    previous = _column(workbook["accounts"], "Previous tier")
    # A4 is new: its previous tier is NaN and must be an empty cell, not "nan".
    assert [cell.value for cell in previous] == [2, 2, 2, 3, None, 2]


def test_control_characters_replaced(make_result: Build, tmp_path: Path) -> None:
    result = make_result("en")
    result.rejects = pd.DataFrame(
        {"file": ["a.csv"], "line": [3], "column": ["name"], "value": ["bad\x01\x1f"]}
        | {"reason": ["control characters"]}
    )
    workbook = load_workbook(write_workbook(result, tmp_path / "c.xlsx"))
    assert _column(workbook["rejects"], "Value")[0].value == "bad\ufffd\ufffd"


def test_unwritable_path(make_result: Build, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="cannot write"):
        write_workbook(make_result("en"), blocker / "c.xlsx")
