import json
from collections.abc import Callable
from pathlib import Path

import pytest

from cartera.report.outputs import write_outputs
from cartera.result import RunResult

Build = Callable[[str], RunResult]


def test_writes_every_file(make_result: Build, tmp_path: Path) -> None:
    written = write_outputs(make_result("es"), tmp_path / "out")
    assert list(written) == [
        "accounts",
        "invoices",
        "worklist",
        "segments",
        "rejects",
        "answers",
        "run",
        "workbook",
        "report",
    ]
    for path in written.values():
        assert path.parent == tmp_path / "out"
        assert path.stat().st_size > 0
    assert written["workbook"].name == "cartera.xlsx"
    assert written["report"].name == "report.html"
    # Spanish CSVs start with a byte order mark and use ";".
    assert written["accounts"].read_bytes().startswith(b"\xef\xbb\xbfaccount_id;")


def test_run_json_has_as_of(make_result: Build, tmp_path: Path) -> None:
    written = write_outputs(make_result("en"), tmp_path, report=False)
    run = json.loads(written["run"].read_text(encoding="utf-8"))
    assert run["as_of"] == "2025-06-30"
    assert run["lang"] == "en"
    assert run["reporting_currency"] == "EUR"
    answers = json.loads(written["answers"].read_text(encoding="utf-8"))
    assert answers["work_first"]["collections"][0]["account_id"] == "A3"


@pytest.mark.parametrize("missing", ["worklist", "segments"])
def test_skips_missing_tables(make_result: Build, tmp_path: Path, missing: str) -> None:
    result = make_result("en")
    setattr(result, missing, None)
    written = write_outputs(result, tmp_path, report=False)
    assert missing not in written
    assert "report" not in written
    assert not (tmp_path / f"{missing}.csv").exists()
    assert not (tmp_path / "report.html").exists()
