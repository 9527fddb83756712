"""The main job: ``cartera prioritize`` and ``cartera demo``."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cartera.cli import console

if TYPE_CHECKING:
    from cartera.config import Config
    from cartera.pipeline import RunOptions


def register(app: typer.Typer) -> None:
    app.command("prioritize")(prioritize)
    app.command("demo")(demo)
    app.command("version")(version)


def _parse_date(value: str | None, option: str) -> date | None:
    from cartera.errors import ConfigError

    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError as exc:
        raise ConfigError(
            f"{option} {value!r} is not a date", hint="write it as YYYY-MM-DD"
        ) from exc


def prioritize(
    out: Path = typer.Option(..., "--out", help="Folder for the output files."),
    invoices: Path | None = typer.Option(None, help="Invoices file (AR ledger)."),
    payments: Path | None = typer.Option(None, help="Payments file."),
    transactions: Path | None = typer.Option(None, help="Purchases file."),
    accounts: Path | None = typer.Option(None, help="Account attributes file."),
    leads: Path | None = typer.Option(None, help="Prospects file, with history."),
    fx: Path | None = typer.Option(None, help="FX rates file: currency, rate."),
    config: Path | None = typer.Option(None, help="cartera.toml configuration."),
    as_of: str | None = typer.Option(
        None,
        help="Date to compute as of, YYYY-MM-DD; default: the latest issue, "
        "settlement, payment or transaction date.",
    ),
    workspace: Path | None = typer.Option(
        None, help="DuckDB file that keeps tables and tier history between runs."
    ),
    lang: str = typer.Option("", help="Output language: en or es (default: config)."),
    no_report: bool = typer.Option(False, "--no-report", help="Skip report.html."),
    memory_limit: str | None = typer.Option(
        None,
        help="DuckDB memory limit such as 3GB; above it DuckDB spills to disk.",
    ),
) -> None:
    """Rank accounts into three priority tiers and write the outputs."""
    from cartera.config import load_config
    from cartera.pipeline import RunOptions

    settings = load_config(config)
    given = {
        "invoices": invoices,
        "payments": payments,
        "transactions": transactions,
        "accounts": accounts,
        "leads": leads,
        "fx": fx,
    }
    options = RunOptions(
        out=out,
        inputs={k: v for k, v in given.items() if v is not None},
        as_of=_parse_date(as_of, "--as-of"),
        workspace=workspace,
        lang=_language(lang or settings.report.lang),
        report=not no_report,
        memory_limit=memory_limit,
    )
    _run(options, settings)


def _language(value: str) -> str:
    from cartera.errors import ConfigError

    if value not in ("en", "es"):
        raise ConfigError(f"--lang {value!r} is not supported", hint="use en or es")
    return value


def _run(options: RunOptions, settings: Config) -> None:
    from cartera.pipeline import prioritize

    with console.progress("cartera", total=None) as advance:

        def step(name: str) -> None:
            advance(1)
            console.info(f"  {name}")

        result = prioritize(options, settings, step=step)
    tiers = result.accounts["tier"].value_counts().sort_index()
    console.info(
        f"as of {result.as_of.isoformat()}: {len(result.accounts)} accounts, "
        + ", ".join(f"tier {t}: {n}" for t, n in tiers.items())
    )
    console.info(f"outputs in {options.out}")
    if options.report:
        console.info(f"report: {options.out / 'report.html'}")
    console.info(f"workbook: {options.out / 'cartera.xlsx'}")


def demo(
    out: Path = typer.Option(Path("out/demo"), "--out", help="Folder for the outputs."),
    accounts: int = typer.Option(240, help="Number of sample accounts.", min=10),
    seed: int = typer.Option(7, help="Seed of the sample generator."),
    lang: str = typer.Option("en", help="Output language: en or es."),
) -> None:
    """Generate the built-in sample ledger and rank it."""
    from cartera.config import load_config
    from cartera.demo import write_demo
    from cartera.pipeline import RunOptions

    files = write_demo(out / "input", n_accounts=accounts, seed=seed)
    console.info(f"sample ledger written to {files.folder}")
    options = RunOptions(
        out=out,
        inputs={
            "invoices": files.invoices,
            "payments": files.payments,
            "accounts": files.accounts,
        },
        as_of=files.as_of,
        lang=_language(lang),
    )
    _run(options, load_config(files.config))


def version() -> None:
    """Print the installed cartera version."""
    from cartera import __version__

    typer.echo(__version__)
