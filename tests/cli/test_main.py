"""The entry point: usage errors and cartera errors exit with codes, not tracebacks."""

from __future__ import annotations

import sys

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
