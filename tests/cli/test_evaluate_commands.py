"""``cartera evaluate risk`` and ``cartera evaluate conversion`` run in-process."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from cartera.cli import evaluate_commands
from cartera.errors import CarteraWarning, InputError, LeakageWarning, ModelError

AR_FILE = Path("ar_invoices") / "WA_Fn-UseC_-Accounts-Receivable.csv"


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Group the commands, as the cartera app does."""

    evaluate_commands.register(app)
    return app


def metric(output: str, name: str) -> float:
    """Return the value printed after ``name`` at the start of a line."""
    found = re.search(rf"^{name}\s+([0-9.]+)", output, flags=re.MULTILINE)
    assert found, output
    return float(found.group(1))


@pytest.mark.realdata
def test_evaluate_risk_on_ar_ledger(
    app: typer.Typer, data_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "scores.csv"
    args = ["evaluate", "risk", "--invoices", str(data_dir / AR_FILE)]
    args += ["--test-from", "2013-05-06", "--out", str(out)]
    with pytest.warns(LeakageWarning) as caught:
        result = CliRunner().invoke(app, args, terminal_width=120)
    assert result.exit_code == 0, result.output
    dropped = sorted(str(w.message).split("'")[1] for w in caught)
    assert dropped == ["DaysLate", "DaysToSettle"]
    assert metric(result.output, "AUC") >= 0.90
    assert metric(result.output, "Brier score") <= 0.11
    assert 0.0 < metric(result.output, "accuracy") <= 1.0
    assert "calibration of p_late" in result.output
    scores = pd.read_csv(out, dtype={"invoice_id": str})
    assert list(scores.columns) == ["invoice_id", "p_late", "lateness_class"]
    assert len(scores) == 741
    assert scores["invoice_id"].str.len().eq(10).all()


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("test_from", "error", "message", "hint"),
    [
        pytest.param(
            "2014-06-01",
            InputError,
            "are not a mix of late and on-time ones",
            "choose an earlier --test-from",
            id="no-test-rows",
        ),
        # Only 3 invoices of the AR ledger are settled before 2012-01-20.
        pytest.param(
            "2012-01-20",
            ModelError,
            "only 3 invoices were settled before 2012-01-20",
            "use a later training cut-off (--test-from of evaluate risk",
            id="too-few-training-rows",
        ),
    ],
)
def test_evaluate_risk_rejects_test_from(
    app: typer.Typer,
    data_dir: Path,
    tmp_path: Path,
    test_from: str,
    error: type,
    message: str,
    hint: str,
) -> None:
    args = ["evaluate", "risk", "--invoices", str(data_dir / AR_FILE)]
    args += ["--test-from", test_from, "--out", str(tmp_path / "scores.csv")]
    result = CliRunner().invoke(app, args)
    assert isinstance(result.exception, error)
    assert message in result.exception.message
    assert str(result.exception.hint).startswith(hint)


def write_leads(path: Path, n: int = 300, id_header: str = "lead_id") -> None:
    """Write leads whose outcome follows time on site, plus a status tag."""
    rng = np.random.default_rng(4)
    minutes = rng.exponential(10.0, n)
    converted = rng.random(n) < 1.0 / (1.0 + np.exp(1.5 - 0.15 * minutes))
    tagged = rng.random(n) < 0.5
    pd.DataFrame(
        {
            id_header: [f"L{i}" for i in range(n)],
            "minutes": minutes.round(1),
            "Tag": np.where(tagged, np.where(converted, "won", "lost"), "Select"),
            "converted": np.where(converted, "Yes", "No"),
        }
    ).to_csv(path, index=False)


def test_evaluate_conversion_reports_leak(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    write_leads(path)
    args = ["evaluate", "conversion", "--leads", str(path), "--folds", "3"]
    with pytest.warns(LeakageWarning, match="'Tag' dropped"):
        result = CliRunner().invoke(app, args, terminal_width=200)
    assert result.exit_code == 0, result.output
    assert re.search(r"cross-validated AUC\s+0\.[6-9]\d+\s+\(3 folds", result.output)
    assert re.search(r"Tag\s.*dropped: predicts", result.output)
    assert re.search(r"minutes\s.*kept", result.output)
    assert "not used: lead_id (identifier" in result.output


def test_evaluate_conversion_rejects_one_fold(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    write_leads(path)
    args = ["evaluate", "conversion", "--leads", str(path), "--folds", "1"]
    result = CliRunner().invoke(app, args)
    assert isinstance(result.exception, InputError)
    assert "into 1 folds" in str(result.exception)


@pytest.mark.filterwarnings("ignore::cartera.errors.LeakageWarning")
def test_evaluate_conversion_config_exclude(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    write_leads(path)
    config = tmp_path / "cartera.toml"
    config.write_text('[conversion]\nexclude = ["Tag"]\n', encoding="utf-8")
    args = ["evaluate", "conversion", "--leads", str(path), "--folds", "3"]
    args += ["--config", str(config)]
    result = CliRunner().invoke(app, args, terminal_width=200)
    assert result.exit_code == 0, result.output
    # Declared in the config, Tag is dropped before the guard scores it.
    assert re.search(r"Tag\s.*dropped", result.output)
    assert not re.search(r"Tag\s.*predicts the outcome", result.output)


@pytest.mark.parametrize(
    ("options", "config_text", "setting"),
    [
        pytest.param(["--exclude", "tag"], "", "--exclude", id="option"),
        pytest.param(
            [], '[conversion]\nexclude = ["tag"]\n', "[conversion] exclude", id="config"
        ),
    ],
)
def test_evaluate_conversion_unknown_exclude(
    app: typer.Typer,
    tmp_path: Path,
    options: list[str],
    config_text: str,
    setting: str,
) -> None:
    path = tmp_path / "leads.csv"
    write_leads(path)
    config = tmp_path / "cartera.toml"
    config.write_text(config_text, encoding="utf-8")
    args = ["evaluate", "conversion", "--leads", str(path), "--folds", "2"]
    args += [*options, "--config", str(config)]
    result = CliRunner().invoke(app, args)
    assert isinstance(result.exception, InputError)
    assert result.exception.exit_code == 2
    message = str(result.exception)
    assert "excluded column 'tag' is not a column of" in message
    assert "close matches: 'Tag'" in message
    assert "'lead_id', 'converted', 'minutes', 'Tag'" in message
    assert f"correct the name in {setting}" in message


@pytest.mark.filterwarnings("ignore::cartera.errors.LeakageWarning")
def test_evaluate_conversion_exclude_header_name(
    app: typer.Typer, tmp_path: Path
) -> None:
    path = tmp_path / "leads.csv"
    write_leads(path, id_header="Prospect ID")
    args = ["evaluate", "conversion", "--leads", str(path), "--folds", "2"]
    # Excluding the id is accepted, with a warning that it changes nothing.
    with pytest.warns(CarteraWarning, match="is the lead's id"):
        result = CliRunner().invoke(app, [*args, "--exclude", "Prospect ID"])
    assert result.exit_code == 0, result.output
    assert "cross-validated AUC" in result.output
    typo = CliRunner().invoke(app, [*args, "--exclude", "Prospect Id"])
    assert isinstance(typo.exception, InputError)
    assert "'Prospect ID' (read as lead_id), 'converted'" in str(typo.exception)
