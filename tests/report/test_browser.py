"""The HTML report opened in headless Chromium, as a reader would open it.

Uses Debian's ``chromium`` at /usr/bin/chromium through Playwright; the test never
downloads a browser and is skipped when that binary is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cartera.config import Config, load_config
from cartera.demo import write_demo
from cartera.pipeline import RunOptions, prioritize
from cartera.report.html import WORKLIST_ROWS, write_report
from cartera.result import RunResult

CHROMIUM = Path("/usr/bin/chromium")
AR_FILE = "WA_Fn-UseC_-Accounts-Receivable.csv"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: run `make browser` to install chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def open_report(browser: Any, path: Path) -> tuple[Any, dict[str, list[str]]]:
    """Open ``path`` and record every request, failure, dialog and script error."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    seen: dict[str, list[str]] = {
        "requests": [],
        "failed": [],
        "dialogs": [],
        "errors": [],
    }
    page.on("request", lambda request: seen["requests"].append(request.url))
    page.on("requestfailed", lambda request: seen["failed"].append(request.url))
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))

    def dismiss(dialog: Any) -> None:
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_selector("#pyramid-chart .main-svg")
    return page, seen


def check_rendered(
    page: Any, seen: dict[str, list[str]], screenshot: Path
) -> list[bool]:
    """Assert the pyramid and answers render and nothing left the page.

    Returns, for each of the four answers, whether it shows a table; an answer
    without one must show the note saying the run did not produce it.
    """
    assert seen["failed"] == []
    assert [url for url in seen["requests"] if not url.startswith("file:")] == []
    assert seen["errors"] == []
    assert seen["dialogs"] == []

    # One filled band per tier, drawn with its label.
    assert page.locator("#pyramid-chart path.js-fill").count() == 3
    labels = page.locator("#pyramid-chart .annotation-text").all_inner_texts()
    assert len(labels) == 6
    for chart in ("ageing-chart", "value-risk-chart"):
        assert page.locator(f"#{chart} .main-svg").count() >= 1, chart

    blocks = page.locator("#answers .answer-block")
    assert blocks.count() == 4
    has_table = []
    for index in range(4):
        tables = blocks.nth(index).locator("table.answer")
        if tables.count():
            assert tables.first.is_visible(), index
            assert tables.first.locator("tbody tr").count() >= 1, index
        else:
            assert blocks.nth(index).locator("p.note").is_visible(), index
        has_table.append(tables.count() > 0)

    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 10_000
    return has_table


def test_report_renders(
    browser: Any, make_result: Callable[[str], RunResult], tmp_path: Path
) -> None:
    # Spanish only: the English page differs in text alone, checked without a
    # browser in test_html.py.
    path = write_report(make_result("es"), tmp_path / "report.html")
    page, seen = open_report(browser, path)
    assert check_rendered(page, seen, tmp_path / "report-es.png") == [True] * 4
    assert page.locator("header h1").inner_text() == "Prioridades de cuentas"
    page.close()


def test_demo_report_renders(browser: Any, tmp_path: Path) -> None:
    files = write_demo(tmp_path / "input", n_accounts=80, seed=11)
    options = RunOptions(
        out=tmp_path / "out",
        inputs={
            "invoices": files.invoices,
            "payments": files.payments,
            "accounts": files.accounts,
        },
        as_of=files.as_of,
    )
    prioritize(options, load_config(files.config))
    page, seen = open_report(browser, options.out / "report.html")
    assert check_rendered(page, seen, tmp_path / "report-demo.png") == [True] * 4
    assert page.locator("#worklist-table tbody tr").count() >= 1
    page.close()


def _ar_config(folder: Path) -> Config:
    """Return the configuration that maps the IBM sample's columns."""
    path = folder / "cartera.toml"
    path.write_text(
        "[input.invoices.columns]\n"
        'invoice_id = "invoiceNumber"\n'
        'account_id = "customerID"\n'
        'issue_date = "InvoiceDate"\n'
        'due_date = "DueDate"\n'
        'amount = "InvoiceAmount"\n'
        'paid_date = "SettledDate"\n'
        'disputed = "Disputed"\n'
        "[input.invoices.date_formats]\n"
        'issue_date = "%m/%d/%Y"\n'
        'due_date = "%m/%d/%Y"\n'
        'paid_date = "%m/%d/%Y"\n'
        "[report]\n"
        'lang = "es"\n',
        encoding="utf-8",
    )
    return load_config(path)


@pytest.mark.realdata
def test_ar_report_renders(browser: Any, data_dir: Path, tmp_path: Path) -> None:
    # Every invoice of the IBM accounts-receivable sample is settled by 2014, so
    # the as-of date 2013-06-30 leaves open and overdue invoices to show.
    options = RunOptions(
        out=tmp_path / "out",
        inputs={"invoices": data_dir / "ar_invoices" / AR_FILE},
        as_of=date(2013, 6, 30),
        lang="es",
    )
    result = prioritize(options, _ar_config(tmp_path))
    assert result.worklist is not None
    assert len(result.worklist) > 0

    page, seen = open_report(browser, options.out / "report.html")
    has_table = check_rendered(page, seen, tmp_path / "report-ar.png")
    assert has_table == [True, True, True, True]
    shown = min(len(result.worklist), WORKLIST_ROWS)
    assert page.locator("#worklist-table tbody tr").count() == shown
    page.close()
