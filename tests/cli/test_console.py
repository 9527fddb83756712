"""Command-line pleasantness: a light ``--help`` and the console helpers."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from cartera.cli import console
from cartera.errors import DataQualityWarning

SRC = Path(__file__).resolve().parents[2] / "src"
HEAVY = ("pandas", "ibis", "sklearn", "plotly", "scipy", "openpyxl")

# Runs the CLI in a fresh interpreter, then prints which heavy modules it imported.
PROBE = """
import json, sys
from cartera.cli import main
args, heavy = json.loads(sys.argv[1]), json.loads(sys.argv[2])
if args == ["--list-commands"]:
    main._register()
    names = [c.name or c.callback.__name__ for c in main.app.registered_commands]
    print(json.dumps(names))
    raise SystemExit(0)
sys.argv = ["cartera", *args]
try:
    main.run()
except SystemExit:
    pass
print("HEAVY=" + json.dumps(sorted(m for m in heavy if m in sys.modules)))
"""


def _probe(args: list[str]) -> str:
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def _commands() -> list[str]:
    names: list[str] = json.loads(_probe(["--list-commands"]).strip())
    return names


def test_help_imports_nothing_heavy() -> None:
    commands = _commands()
    assert commands, "no command is registered"
    for args in [["--help"], *([name, "--help"] for name in commands)]:
        output = _probe(args)
        assert "Usage" in output, args
        last = output.strip().splitlines()[-1]
        assert last == "HEAVY=[]", f"cartera {' '.join(args)} imported {last}"


@pytest.fixture
def reset_console() -> Iterator[None]:
    yield
    console.reset()


def test_quiet_progress_prints_nothing(
    reset_console: None, capsys: pytest.CaptureFixture[str]
) -> None:
    console.configure(verbose=False, quiet=True)
    with console.progress("reading", total=3) as advance:
        advance(3)
    console.info("hidden")
    console.outputs({"report": Path("out/report.html")})
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ""


@pytest.mark.parametrize(
    ("verbose", "quiet", "level"),
    [
        (True, False, logging.INFO),
        (False, False, logging.WARNING),
        (False, True, logging.ERROR),
    ],
    ids=["verbose", "default", "quiet"],
)
def test_levels(reset_console: None, verbose: bool, quiet: bool, level: int) -> None:
    console.configure(verbose=verbose, quiet=quiet)
    logger = logging.getLogger("cartera")
    assert logger.level == level
    handlers = [h for h in logger.handlers if h is console.handler()]
    assert len(handlers) == 1


def test_configure_twice_keeps_one_handler(reset_console: None) -> None:
    console.configure(verbose=True, quiet=False)
    console.configure(verbose=False, quiet=False)
    ours = [h for h in logging.getLogger("cartera").handlers if h is console.handler()]
    assert len(ours) == 1
    assert len(logging.getLogger("cartera").handlers) == 1


def test_outputs_lists_paths(
    reset_console: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    console.configure(verbose=False, quiet=False)
    report = tmp_path / "report.html"
    console.outputs({"report": report, "workbook": tmp_path / "cartera.xlsx"})
    out = capsys.readouterr().out
    assert f"report    {report}" in out
    assert f"workbook  {tmp_path / 'cartera.xlsx'}" in out


def test_cartera_warning_printed_plainly(
    reset_console: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        console.configure(verbose=False, quiet=False)
        warnings.warn(
            "RFM scale collapsed to 2 levels", DataQualityWarning, stacklevel=1
        )
    err = capsys.readouterr().err
    assert "warning: RFM scale collapsed to 2 levels" in err
    assert "DataQualityWarning" not in err


def test_repeated_warning_printed_once(
    reset_console: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        console.configure(verbose=False, quiet=False)
        for _ in range(2):
            warnings.warn("Hessian not positive", DataQualityWarning, stacklevel=1)
        warnings.warn("another doubt", DataQualityWarning, stacklevel=1)
    err = capsys.readouterr().err
    assert err.count("warning: Hessian not positive") == 1
    assert err.count("warning: another doubt") == 1


def test_repeated_log_line_printed_once(
    reset_console: None, capsys: pytest.CaptureFixture[str]
) -> None:
    console.configure(verbose=False, quiet=False)
    logger = logging.getLogger("cartera.models.value")
    for _ in range(3):
        logger.warning("the data do not identify %s", "beta")
    logger.warning("another doubt")
    err = capsys.readouterr().err
    assert err.count("the data do not identify beta") == 1
    assert err.count("another doubt") == 1
