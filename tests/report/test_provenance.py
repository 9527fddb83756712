from collections.abc import Callable

import pytest

from cartera.report.provenance import run_section
from cartera.result import RunResult

Build = Callable[[str], RunResult]

RUN = {
    "as_of": "2025-06-30",
    "lang": "es",
    "inputs": {
        "invoices": {
            "path": "/data/in/ledger.csv",
            "rows_read": 1703,
            "accepted": 1701,
            "rejected": 2,
            "detected": {"encoding": "utf-8"},
        }
    },
    "timings_seconds": {"read": 0.135, "value": 2.854},
    "value_model": "pareto",
    "notes": ["s, beta not identified", "s, beta not identified", "RFM collapsed"],
    "versions": {"cartera": "0.1.0"},
    "config": {"pyramid": {"shares": [0.1, 0.3, 0.6]}},
    "answers": {"work_first": {"rows": []}},
}


def test_inputs_tabulated(make_result: Build) -> None:
    result = make_result("es")
    result.run = RUN
    page = run_section(result, "es")
    assert "<h3>Ficheros de entrada</h3>" in page
    assert "<td>ledger.csv</td>" in page
    assert "/data/in" not in page
    assert '<td class="num">1.703</td>' in page
    assert '<td class="num">1.701</td>' in page


def test_notes_once(make_result: Build) -> None:
    result = make_result("en")
    result.run = RUN
    page = run_section(result, "en")
    assert page.count("<li>s, beta not identified</li>") == 1
    assert page.count("<li>RFM collapsed</li>") == 1


def test_timings_and_folded_config(make_result: Build) -> None:
    result = make_result("es")
    result.run = RUN
    page = run_section(result, "es")
    assert "<dt>Modelos de valor</dt><dd>2,85 s</dd>" in page
    assert "<dt>value_model</dt><dd>pareto</dd>" in page
    assert "<details><summary>config</summary>" in page
    assert "<details open><summary>versions</summary>" in page
    assert "<dt>cartera</dt><dd>0.1.0</dd>" in page
    # The answers are shown earlier in the page.
    assert "work_first" not in page


def test_plain_run_metadata(make_result: Build) -> None:
    result = make_result("en")
    result.run = {"reporting_currency": "EUR", "inputs": {"invoices": "a.csv"}}
    page = run_section(result, "en")
    assert "<td>a.csv</td>" in page
    assert "<dt>reporting_currency</dt><dd>EUR</dd>" in page


@pytest.mark.parametrize(
    ("lang", "read", "value"),
    [
        pytest.param("en", "Reading inputs", "Value models", id="en"),
        pytest.param("es", "Lectura de entradas", "Modelos de valor", id="es"),
    ],
)
def test_timing_stages_translated(
    make_result: Build, lang: str, read: str, value: str
) -> None:
    result = make_result(lang)
    result.run = RUN
    page = run_section(result, lang)
    assert f"<dt>{read}</dt>" in page
    assert f"<dt>{value}</dt>" in page
    assert "<dt>read</dt>" not in page
