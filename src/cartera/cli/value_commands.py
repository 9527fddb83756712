"""``cartera value``: fit the lifetime value models and check them on a holdout."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    import pandas as pd

value_app = typer.Typer(
    name="value",
    help="Fit and check the lifetime value models (BG/NBD, Pareto/NBD, Gamma-Gamma).",
    no_args_is_help=True,
)


class ModelChoice(StrEnum):
    bgnbd = "bgnbd"
    pareto = "pareto"
    all = "all"


class UnitChoice(StrEnum):
    weeks = "weeks"
    days = "days"


def register(app: typer.Typer) -> None:
    app.add_typer(value_app)


TRANSACTIONS_OPTION = typer.Option(
    None,
    "--transactions",
    help="Transactions file (account_id, date, amount). "
    "Defaults to input.transactions.path in the config.",
)
CONFIG_OPTION = typer.Option(None, "--config", help="cartera.toml with input settings.")
UNIT_OPTION = typer.Option(UnitChoice.weeks, "--unit", help="Time unit of the models.")
JSON_OPTION = typer.Option(False, "--json", help="Print JSON instead of text.")


def _date_option(flag: str, help: str) -> Any:
    """Return a required ``YYYY-MM-DD`` option."""
    return typer.Option(..., flag, formats=["%Y-%m-%d"], help=f"{help} (YYYY-MM-DD).")


@value_app.command("fit")
def fit(
    transactions: Path | None = TRANSACTIONS_OPTION,
    calibration_end: datetime = _date_option(
        "--calibration-end", "Last day of the history to fit on"
    ),
    model: ModelChoice = typer.Option(
        ModelChoice.all, "--model", help="Purchase model to fit."
    ),
    unit: UnitChoice = UNIT_OPTION,
    config: Path | None = CONFIG_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Print each model's parameters and log-likelihood."""
    from cartera.models.check import PURCHASE_MODELS
    from cartera.models.gammagamma import GammaGammaModel
    from cartera.models.summary import purchase_summary

    frame = _read_transactions(transactions, config)
    end = calibration_end.date()
    summary = purchase_summary(frame, end, unit.value)
    keys = list(PURCHASE_MODELS) if model is ModelChoice.all else [model.value]
    fits = [_describe(key, PURCHASE_MODELS[key]().fit(summary)) for key in keys]
    spend = GammaGammaModel().fit(summary)
    fits.append(_describe("gammagamma", spend))
    report = {
        "calibration_end": end.isoformat(),
        "unit": unit.value,
        "accounts": len(summary),
        "models": fits,
    }
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    typer.echo(
        f"{report['accounts']:,} accounts, purchases up to {end}, time in {unit.value}"
    )
    for item in fits:
        typer.echo(f"\n{item['name']} on {item['accounts']:,} accounts")
        for name, value in item["params"].items():
            error = item["standard_errors"].get(name)
            spread = f"  (standard error {error:.4g})" if error is not None else ""
            typer.echo(f"  {name:<6} {value:.4g}{spread}")
        typer.echo(f"  log-likelihood {item['log_likelihood']:.2f}")
        if not item["converged"]:
            typer.echo("  the optimiser did not converge")


@value_app.command("check")
def check(
    transactions: Path | None = TRANSACTIONS_OPTION,
    calibration_end: datetime = _date_option(
        "--calibration-end", "Last day of the calibration period"
    ),
    holdout_end: datetime = _date_option(
        "--holdout-end", "Last day of the holdout period"
    ),
    unit: UnitChoice = UNIT_OPTION,
    config: Path | None = CONFIG_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Print each model's holdout forecast against the actual purchases."""
    from cartera.models.check import holdout_check

    frame = _read_transactions(transactions, config)
    result = holdout_check(
        frame, calibration_end.date(), holdout_end.date(), unit.value
    )
    table = result.table
    if as_json:
        report = {
            "calibration_end": result.calibration_end.isoformat(),
            "holdout_end": result.holdout_end.isoformat(),
            "unit": result.unit,
            "holdout_length": result.holdout_length,
            "accounts": result.accounts,
            "best": result.best,
            "models": table.to_dict(orient="records"),
        }
        typer.echo(json.dumps(report, indent=2))
        return
    typer.echo(
        f"{result.accounts:,} accounts; calibration to {result.calibration_end}, "
        f"holdout of {result.holdout_length:.4g} {result.unit} to {result.holdout_end}"
    )
    for row in table.itertuples(index=False):
        typer.echo(
            f"\n{row.model}: log-likelihood {row.log_likelihood:.2f}\n"
            f"  holdout purchases    forecast {row.holdout_forecast:,.1f}, "
            f"actual {row.holdout_actual:,.0f} ({row.holdout_error:+.1%})\n"
            f"  cumulative purchases forecast {row.cumulative_forecast:,.1f}, "
            f"actual {row.cumulative_actual:,.0f} ({row.cumulative_error:+.1%})\n"
            f"  mean absolute error per account {row.mean_absolute_error:.3f}"
        )
    typer.echo(f"\nbest: {result.best} (smaller mean absolute error per account)")


def _describe(key: str, model: Any) -> dict[str, Any]:
    """Return a fitted model's parameters, standard errors and fit statistics."""
    import numpy as np

    params: dict[str, float] = model.params_
    errors: dict[str, float] = {}
    if model.log_covariance_ is not None:
        # Delta method: se(θ) = θ · se(log θ).
        log_errors = np.sqrt(np.diag(model.log_covariance_))
        errors = {
            name: float(value * log_errors[i])
            for i, (name, value) in enumerate(params.items())
        }
    return {
        "model": key,
        "name": model.name,
        "params": params,
        "standard_errors": errors,
        "log_likelihood": model.log_likelihood_,
        "accounts": model.n_accounts_,
        "converged": model.converged_,
    }


def _read_transactions(path: Path | None, config_path: Path | None) -> pd.DataFrame:
    """Read the transactions file through the configured input settings."""
    from cartera.config import load_config
    from cartera.errors import ConfigError, MixedCurrencyError
    from cartera.io import read_table

    config = load_config(config_path)
    source = config.input.transactions
    path = path or source.path
    if path is None:
        raise ConfigError(
            "no transactions file was given",
            hint="pass --transactions FILE or set [input.transactions] path "
            "in cartera.toml",
        )
    result = read_table(path, "transactions", source)
    if len(result.rejects):
        typer.echo(f"{len(result.rejects):,} rows of {path} were rejected", err=True)
    frame = result.frame
    currencies: list[str] = []
    if "currency" in frame:
        currencies = sorted(map(str, frame["currency"].dropna().unique()))
    if len(currencies) > 1:
        raise MixedCurrencyError(
            f"{path}: amounts are in several currencies ({', '.join(currencies)})",
            hint="fit the value models on one currency's transactions at a time",
        )
    return frame
