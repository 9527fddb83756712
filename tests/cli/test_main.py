"""The entry point: usage errors and cartera errors exit with codes, not tracebacks."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from cartera.cli import main


def _run(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["cartera", *args])
    try:
        main.run()
    except SystemExit as stop:
        assert isinstance(stop.code, int)
        return stop.code
    return 0


def test_unknown_command_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(monkeypatch, "no-such-command") == 2
    err = capsys.readouterr().err
    assert "No such command" in err
    assert "Traceback" not in err


def test_unknown_option_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(monkeypatch, "version", "--bad") == 2
    assert "No such option" in capsys.readouterr().err


def test_version_exits_0(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(monkeypatch, "version") == 0
    assert capsys.readouterr().out.strip() == "0.1.0"


def test_version_option_exits_0(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(monkeypatch, "--version") == 0
    assert capsys.readouterr().out.strip() == "0.1.0"


LEDGER = (
    "invoice_id,account_id,issue_date,due_date,amount\n"
    "I1,A,2025-02-01,2025-03-01,100.00\n"
    "I2,B,2025-02-01,2025-03-01,{amount}\n"
)


@pytest.mark.parametrize(
    ("amount", "as_of", "code", "message"),
    [
        ("250.00", "2024-12-31", 2, "before the first document date, 2025-02-01"),
        ("1e16", "2025-03-31", 0, ""),
    ],
    ids=["as-of-before-documents", "amount-beyond-decimal"],
)
def test_prioritize_exit_codes(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    amount: str,
    as_of: str,
    code: int,
    message: str,
) -> None:
    ledger = tmp_path / "invoices.csv"
    ledger.write_text(LEDGER.format(amount=amount), encoding="utf-8")
    out = tmp_path / "out"
    args = ["-q", "prioritize", "--invoices", str(ledger), "--as-of", as_of]
    assert _run(monkeypatch, *args, "--out", str(out), "--no-report") == code
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    if code == 0:
        rejects = (out / "rejects.csv").read_text(encoding="utf-8")
        assert ',3,amount,1e16,"amount out of range' in rejects
