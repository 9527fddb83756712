import json
from collections.abc import Callable
from pathlib import Path

import pytest

from cartera.errors import InputError
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


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Return every file under ``folder`` with its bytes, by relative path."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize(
    "failing",
    ["cartera.report.workbook.write_workbook", "cartera.report.html.write_report"],
    ids=["workbook", "report"],
)
def test_failed_write_keeps_earlier_set(
    make_result: Build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    folder = tmp_path / "out"
    write_outputs(make_result("en"), folder)
    (folder / "notes.txt").write_text("kept", encoding="utf-8")
    before = _snapshot(folder)

    def fail(*args: object, **kwargs: object) -> Path:
        raise InputError("cannot write the file", hint="test")

    monkeypatch.setattr(failing, fail)
    with pytest.raises(InputError, match="cannot write the file"):
        write_outputs(make_result("es"), folder)

    assert _snapshot(folder) == before
    assert sorted(p.name for p in folder.iterdir() if p.is_dir()) == []


def test_rerun_removes_files_not_written(make_result: Build, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    write_outputs(make_result("en"), folder)
    (folder / "notes.txt").write_text("kept", encoding="utf-8")
    result = make_result("es")
    result.segments = None
    written = write_outputs(result, folder, report=False)

    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted([p.name for p in written.values()] + ["notes.txt"])
    assert not (folder / "report.html").exists()
    assert not (folder / "segments.csv").exists()
    # The Spanish run replaced the English accounts.csv.
    assert written["accounts"].read_bytes().startswith(b"\xef\xbb\xbfaccount_id;")


def test_replace_failure_leaves_no_run_json(
    make_result: Build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "out"
    write_outputs(make_result("en"), folder)

    def locked(source: object, target: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("cartera.report.outputs.os.replace", locked)
    with pytest.raises(
        InputError, match=r"incomplete set of outputs, without run\.json"
    ):
        write_outputs(make_result("en"), folder)

    assert not (folder / "run.json").exists()
    assert [p.name for p in folder.iterdir() if p.is_dir()] == []
