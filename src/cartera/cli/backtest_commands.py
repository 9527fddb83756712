"""``cartera backtest``: rank as of a past date and compare tiers with baselines."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    import pandas as pd

    from cartera.config import ValueConfig


def register(app: typer.Typer) -> None:
    app.command("backtest")(backtest)


def backtest(
    transactions: Path | None = typer.Option(
        None,
        "--transactions",
        help="Transactions file (account, date, amount); default: the config's.",
    ),
    as_of: datetime = typer.Option(
        ..., "--as-of", formats=["%Y-%m-%d"], help="Ranking date, YYYY-MM-DD."
    ),
    horizon_end: datetime = typer.Option(
        ...,
        "--horizon-end",
        formats=["%Y-%m-%d"],
        help="Last day of the holdout, YYYY-MM-DD.",
    ),
    invoices: Path | None = typer.Option(
        None, "--invoices", help="Invoices file with paid dates, to score collection."
    ),
    config_path: Path | None = typer.Option(
        None, "--config", help="cartera.toml with input mappings and the policy."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the random baseline."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Rank accounts as of a date and report each tier's share of later value.

    Prints, per tier, the share of the value bought after --as-of (and, with
    --invoices, of the overdue money collected), for cartera's ranking and for
    the past-spend, past-frequency, recency and random baselines.
    """
    import json

    from cartera.cli.inputs import input_path
    from cartera.config import load_config
    from cartera.io import read_table
    from cartera.models.value import fit_value
    from cartera.policy.backtest import format_backtest, run_backtest

    config = load_config(config_path)
    source = input_path(transactions, config, "transactions")
    minor_units = config.money.minor_units
    frame = read_table(
        source, "transactions", config.input.transactions, minor_units=minor_units
    ).frame
    invoices = invoices or config.input.invoices.path
    invoice_frame = (
        read_table(
            invoices, "invoices", config.input.invoices, minor_units=minor_units
        ).frame
        if invoices is not None
        else None
    )

    def value_model(
        past: pd.DataFrame, cutoff: date, value_config: ValueConfig
    ) -> pd.DataFrame:
        accounts: pd.DataFrame = fit_value(past, cutoff, value_config).accounts
        return accounts

    result = run_backtest(
        frame,
        as_of=as_of.date(),
        horizon_end=horizon_end.date(),
        config=config,
        invoices=invoice_frame,
        value_model=value_model,
        seed=seed,
    )
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2, allow_nan=False))
    else:
        typer.echo(format_backtest(result))
