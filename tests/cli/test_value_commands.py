"""``cartera value fit`` and ``cartera value check``, run in-process."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from cartera.cli import main
from cartera.models.simulate import simulate_transactions


def run(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["cartera", *args])
    try:
        main.run()
    except SystemExit as stop:
        assert isinstance(stop.code, int)
        return stop.code
    return 0


@pytest.fixture
def cdnow_config(data_dir: Path, tmp_path: Path) -> Path:
    config = tmp_path / "cartera.toml"
    sample = (data_dir / "cdnow" / "CDNOW_sample.txt").as_posix()
    config.write_text(
        "[input.transactions]\n"
        f'path = "{sample}"\n'
        "header = false\n"
        "[input.transactions.columns]\n"
        'account_id = "column_2"\n'
        'date = "column_3"\n'
        'amount = "column_5"\n',
        encoding="utf-8",
    )
    return config


@pytest.fixture
def small_ledger(tmp_path: Path) -> Path:
    rng = np.random.default_rng(4)
    frame = simulate_transactions(300, "2024-01-01", "2024-12-31", rng)
    path = tmp_path / "sales.csv"
    frame.assign(date=frame["date"].dt.strftime("%Y-%m-%d")).to_csv(path, index=False)
    return path


@pytest.mark.realdata
def test_fit_json_reproduces_published_cdnow_fit(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    cdnow_config: Path,
) -> None:
    """BG/NBD r 0.243, α 4.414, a 0.793, b 2.426 (Fader, Hardie and Lee 2005)."""
    args = ["value", "fit", "--config", str(cdnow_config)]
    code = run(monkeypatch, *args, "--calibration-end", "1997-09-30", "--json")
    report = json.loads(capsys.readouterr().out)
    models = {item["model"]: item for item in report["models"]}

    assert code == 0
    assert report["accounts"] == 2357
    assert list(models) == ["bgnbd", "pareto", "gammagamma"]
    assert models["bgnbd"]["params"]["r"] == pytest.approx(0.243, abs=5e-4)
    assert models["bgnbd"]["log_likelihood"] == pytest.approx(-9582.4, abs=0.05)
    assert models["pareto"]["log_likelihood"] == pytest.approx(-9594.98, abs=0.005)
    assert models["gammagamma"]["accounts"] == 946


@pytest.mark.realdata
def test_check_text_reports_both_models(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    cdnow_config: Path,
) -> None:
    code = run(
        monkeypatch,
        "value",
        "check",
        "--config",
        str(cdnow_config),
        "--calibration-end",
        "1997-09-30",
        "--holdout-end",
        "1998-06-30",
    )
    out = capsys.readouterr().out

    assert code == 0
    assert "bgnbd: log-likelihood -9582.43" in out
    assert "pareto: log-likelihood -9594.98" in out
    assert out.count("actual 1,882") == 2
    assert "best: " in out


def test_fit_one_model_in_days(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    small_ledger: Path,
) -> None:
    code = run(
        monkeypatch,
        "value",
        "fit",
        "--transactions",
        str(small_ledger),
        "--calibration-end",
        "2024-12-31",
        "--model",
        "bgnbd",
        "--unit",
        "days",
        "--json",
    )
    report = json.loads(capsys.readouterr().out)

    assert code == 0
    assert report["unit"] == "days"
    assert [item["model"] for item in report["models"]] == ["bgnbd", "gammagamma"]
    assert all(np.isfinite(list(m["params"].values())).all() for m in report["models"])


# Seven months of calibration do not identify the dropout parameters.
@pytest.mark.filterwarnings("ignore::cartera.errors.ConvergenceWarning")
def test_check_json_lists_models(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    small_ledger: Path,
) -> None:
    code = run(
        monkeypatch,
        "value",
        "check",
        "--transactions",
        str(small_ledger),
        "--calibration-end",
        "2024-07-31",
        "--holdout-end",
        "2024-10-31",
        "--json",
    )
    report = json.loads(capsys.readouterr().out)

    assert code == 0
    assert [row["model"] for row in report["models"]] == ["bgnbd", "pareto"]
    assert report["best"] in {"bgnbd", "pareto"}
    assert report["holdout_length"] == pytest.approx(92 / 7)


def test_no_transactions_file_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(monkeypatch, "value", "fit", "--calibration-end", "2024-12-31")
    err = capsys.readouterr().err
    assert code == 2
    assert "no transactions file was given" in err
    assert "--transactions FILE" in err


def test_mixed_currencies_exit_2(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    path = tmp_path / "sales.csv"
    path.write_text(
        "account_id,date,amount,currency\n"
        "A,2024-01-01,10.00,EUR\n"
        "B,2024-01-02,12.00,USD\n",
        encoding="utf-8",
    )
    args = ["value", "fit", "--transactions", str(path)]
    code = run(monkeypatch, *args, "--calibration-end", "2024-12-31")
    err = capsys.readouterr().err
    assert code == 2
    assert "several currencies (EUR, USD)" in err


def test_invalid_date_exits_2(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    small_ledger: Path,
) -> None:
    args = ["value", "fit", "--transactions", str(small_ledger)]
    code = run(monkeypatch, *args, "--calibration-end", "31/12/2024")
    assert code == 2
    assert "31/12/2024" in capsys.readouterr().err
