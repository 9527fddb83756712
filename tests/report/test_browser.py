"""The HTML report opened in headless Chromium, as a reader would open it.

Uses Debian's ``chromium`` at /usr/bin/chromium through Playwright; the test never
downloads a browser and is skipped when that binary is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
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


def check_rendered(page: Any, seen: dict[str, list[str]], screenshot: Path) -> None:
    """Assert the pyramid and answer tables render and nothing left the page."""
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

    # Each of the four answers shows at least one visible table with rows.
    blocks = page.locator("#answers .answer-block")
    assert blocks.count() == 4
    for index in range(4):
        table = blocks.nth(index).locator("table.answer").first
        assert table.is_visible(), index
        assert table.locator("tbody tr").count() >= 1, index

    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 10_000


@pytest.mark.parametrize("lang", ["en", "es"])
def test_report_renders(
    browser: Any, make_result: Callable[[str], RunResult], tmp_path: Path, lang: str
) -> None:
    path = write_report(make_result(lang), tmp_path / "report.html")
    page, seen = open_report(browser, path)
    check_rendered(page, seen, tmp_path / f"report-{lang}.png")
    title = page.locator("header h1").inner_text()
    assert title == ("Account priorities" if lang == "en" else "Prioridades de cuentas")
    page.close()
