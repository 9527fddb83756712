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

from cartera.report.html import write_report
from cartera.result import RunResult

CHROMIUM = Path("/usr/bin/chromium")
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
    from cartera.config import load_config
    from cartera.demo import write_demo
    from cartera.pipeline import RunOptions, prioritize

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


def _ar_result(data_dir: Path, lang: str) -> RunResult:
    """Run features and policy on the IBM accounts-receivable sample as of mid-2013.

    No value or risk model runs, so the report must cope with missing CLV and
    ``p_late`` columns. Every invoice of the file is settled by 2014, so the
    as-of date 2013-06-30 leaves open and overdue invoices to show.
    """
    import pandas as pd

    from cartera.config import Config
    from cartera.engine import Workspace
    from cartera.features.compute import compute_features
    from cartera.policy import apply_policy

    path = data_dir / "ar_invoices" / "WA_Fn-UseC_-Accounts-Receivable.csv"
    raw = pd.read_csv(path, dtype={"invoiceNumber": str, "customerID": str})
    dates = {
        column: pd.to_datetime(raw[column], format="%m/%d/%Y")
        for column in ("InvoiceDate", "DueDate", "SettledDate")
    }
    invoices = pd.DataFrame(
        {
            "invoice_id": raw["invoiceNumber"],
            "account_id": raw["customerID"],
            "issue_date": dates["InvoiceDate"],
            "due_date": dates["DueDate"],
            "amount": raw["InvoiceAmount"].astype("float64"),
            "paid_date": dates["SettledDate"],
            "disputed": raw["Disputed"] == "Yes",
        }
    )
    as_of = date(2013, 6, 30)
    config = Config()
    workspace = Workspace()
    try:
        workspace.load("invoices", invoices)
        features = compute_features(workspace, as_of, config)
    finally:
        workspace.close()
    policy = apply_policy(
        features.accounts, features.open_items, config, as_of=as_of, lang=lang
    )
    return RunResult(
        as_of=as_of,
        accounts=policy.accounts,
        open_items=features.open_items,
        rejects=pd.DataFrame(columns=["file", "line", "column", "value", "reason"]),
        worklist=policy.worklist,
        segments=policy.segments,
        answers=policy.answers,
        run={"inputs": {"invoices": path.name}},
        lang=lang,
    )


@pytest.mark.realdata
def test_ar_report_renders(browser: Any, data_dir: Path, tmp_path: Path) -> None:
    result = _ar_result(data_dir, "es")
    assert result.worklist is not None
    assert len(result.worklist) > 0
    path = write_report(result, tmp_path / "report.html")
    page, seen = open_report(browser, path)
    # Without a risk model, answer 2 ranks paying on time by share_paid_late.
    has_table = check_rendered(page, seen, tmp_path / "report-ar.png")
    assert has_table == [True, True, True, True]
    assert page.locator("#worklist-table tbody tr").count() == len(result.worklist)
    page.close()
