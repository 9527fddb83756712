import re
from collections.abc import Callable
from pathlib import Path

import pytest

from cartera.report.html import SECTION_IDS, render_report, write_report
from cartera.result import RunResult

Build = Callable[[str], RunResult]


def _page_without_plotly(page: str) -> str:
    """Drop the inlined plotly.js, which mentions map-tile URLs it never loads here."""
    start = page.index('<script type="text/javascript">')
    end = page.index("</script>", start)
    return page[:start] + page[end:]


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    from .ledger import build_result

    return {lang: render_report(build_result(lang)) for lang in ("en", "es")}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_self_contained(pages: dict[str, str], lang: str) -> None:
    page = pages[lang]
    assert "Plotly" in page  # plotly.js is inlined
    assert "Content-Security-Policy" in page
    own = _page_without_plotly(page)
    assert not re.search(r"<script[^>]+src=", own)
    assert "<link" not in own
    assert "@import" not in own
    assert "url(" not in own
    assert not re.search(r"""(src|href)=["']?https?:""", own)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_section_present(pages: dict[str, str], lang: str) -> None:
    for section in SECTION_IDS:
        assert f'<section id="{section}">' in pages[lang], section


@pytest.mark.parametrize("lang", ["en", "es"])
def test_user_text_escaped(pages: dict[str, str], lang: str) -> None:
    page = pages[lang]
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "=HYPERLINK(&quot;http://example.invalid&quot;)" in page


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            [
                '<html lang="en">',
                "As of Jun 30, 2025",
                "3,905.75 EUR",
                "96.2%",
                "Which accounts have the most revenue potential?",
                "1,200.00",
                "Not yet due",
            ],
        ),
        (
            "es",
            [
                '<html lang="es">',
                "A fecha de 30 jun 2025",
                "3.905,75 EUR",
                "96,2\u00a0%",
                "¿Qué cuentas tienen más potencial de ingresos?",
                "1.200,00",
                "No vencido",
            ],
        ),
    ],
    ids=["en", "es"],
)
def test_language_conventions(
    pages: dict[str, str], lang: str, expected: list[str]
) -> None:
    for text in expected:
        assert text in pages[lang], text


def test_four_answer_blocks(pages: dict[str, str]) -> None:
    keys = ("revenue-potential", "likely-to-convert", "work-first", "segment-potential")
    for key in keys:
        assert f'<div class="answer-block" id="answer-{key}">' in pages["en"], key
    # Who to work first has two tables: tier 1 accounts and collection actions.
    assert pages["en"].count('<table class="answer">') == 5


def test_answers_relabelled(pages: dict[str, str]) -> None:
    page = pages["es"]
    # The revenue answer's value column is named after its basis, CLV.
    assert '<th class="num">CLV mínimo</th>' in page
    assert "volver a comprar" in page
    assert "Acciones de cobro de esta semana" in page
    assert "Segmentos RFM" in page


def test_missing_parts_have_notes(make_result: Build) -> None:
    result = make_result("en")
    result.segments = None
    result.worklist = None
    result.answers = {}
    result.accounts = result.accounts.drop(
        columns=["previous_tier", "clv", "monetary", "p_late"]
    )
    page = render_report(result)
    assert "No segmentation ran." in page
    assert "No collection actions in this run." in page
    assert page.count("This run did not produce this answer.") == 4
    assert "No earlier run to compare with" in page
    assert "This run has no value and risk columns to plot." in page
    assert 'id="pyramid-chart"' in page


def test_risk_falls_back_to_overdue_share(make_result: Build) -> None:
    result = make_result("en")
    result.accounts = result.accounts.drop(columns=["p_late"])
    page = render_report(result)
    assert "Overdue share of the open balance" in page


def test_risk_falls_back_to_p_alive(make_result: Build) -> None:
    result = make_result("es")
    accounts = result.accounts.drop(columns=["p_late"])
    accounts["open_balance"] = 0.0
    accounts["overdue_balance"] = 0.0
    result.accounts = accounts
    page = render_report(result)
    assert "Probabilidad de haber dejado de comprar" in page
    assert "Esta ejecución no tiene columnas de valor y riesgo" not in page


def test_pyramid_labels_money(pages: dict[str, str]) -> None:
    # Tier 2 is A6 and A3: open 2,000.00 + 480.50, CLV 4,100.00 + 900.00.
    assert "Open balance: 2,480.50 EUR" in pages["en"]
    assert "CLV: 5,000.00 EUR" in pages["en"]
    assert "Saldo pendiente: 2.480,50 EUR" in pages["es"]


def test_large_run_plots_capped(make_result: Build) -> None:
    import pandas as pd

    result = make_result("en")
    result.accounts = pd.concat([result.accounts] * 400, ignore_index=True)
    page = render_report(result)
    # 2,400 accounts need every second one to stay within 2,000 points.
    assert "One account in 2, in rank order, is plotted: 1,200 of 2,400." in page


def test_long_answer_cut(make_result: Build) -> None:
    result = make_result("es")
    result.answers["work_first"] = [
        {"account_id": f"A{i}", "overdue_balance": 10.0 * i} for i in range(20)
    ]
    page = render_report(result)
    assert "Se muestran 15 de 20 filas." in page
    assert ">A14<" in page
    assert ">A15<" not in page


def test_write_report(make_result: Build, tmp_path: Path) -> None:
    path = write_report(make_result("es"), tmp_path / "out" / "report.html")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert "Prioridades de cuentas" in text


def test_segment_labels_unique() -> None:
    from cartera.report.charts import _axis_labels

    names = [
        "region=Andalucía · industry=educación · size=medium · employees 10-49",
        "region=Andalucía · industry=educación · size=medium · employees 50-249",
        "short",
        "short",
    ]
    labels = _axis_labels(names)
    assert len(set(labels)) == 4
    assert all(len(label) <= 64 for label in labels)
    assert labels[0].endswith("employees 10-49")
    assert labels[3] == "short (2)"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([10.0, 5000.0], {"tickformat": ",.0f"}),
        ([1.0, 5.0], {"tickformat": ""}),
        ([217.001, 217.009], {"tickformat": ",.0f", "rangemode": "tozero"}),
        ([], {"tickformat": ",.0f"}),
    ],
    ids=["wide", "narrow", "flat", "empty"],
)
def test_value_axis(values: list[float], expected: dict[str, str]) -> None:
    import pandas as pd

    from cartera.report.charts import _value_axis

    assert _value_axis(pd.Series(values, dtype="float64")) == expected
