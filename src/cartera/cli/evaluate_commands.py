"""``cartera evaluate``: honest evaluation of the late-payment and conversion models."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    import pandas as pd
    from rich.table import Table

    from cartera.config import Config, TableName
    from cartera.io import LoadResult
    from cartera.models.leakage import LeakageReport

evaluate_app = typer.Typer(
    help="Measure the risk and conversion models on held-out data.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(evaluate_app, name="evaluate")


@evaluate_app.command("risk")
def risk(
    invoices: Path | None = typer.Option(
        None,
        "--invoices",
        help="Invoice ledger (CSV or Excel) with settlement dates; default: the "
        "config's.",
    ),
    test_from: datetime = typer.Option(
        ...,
        "--test-from",
        formats=["%Y-%m-%d"],
        help="First issue date of the test invoices (YYYY-MM-DD). Training uses "
        "the invoices settled before it.",
    ),
    out: Path = typer.Option(
        ...,
        "--out",
        help="CSV written with invoice_id, p_late, lateness_class (in the "
        "report language of the config: ';' and decimal commas for Spanish).",
    ),
    config: Path | None = typer.Option(
        None, "--config", help="cartera.toml with the column mapping of the ledger."
    ),
    min_history: int | None = typer.Option(
        None,
        "--min-history",
        help="Settled invoices below which segment rates are used "
        "(default: risk.min_history of the config, 3).",
    ),
) -> None:
    """Train on invoices settled before --test-from and score the later ones."""
    from cartera.cli import console
    from cartera.cli.inputs import input_path
    from cartera.models.risk import evaluate_late_payment
    from cartera.report.csv import write_csv

    settings = _load_config(config)
    source = input_path(invoices, settings, "invoices")
    ledger = _read(source, "invoices", settings if config else None)
    if min_history is None:
        min_history = settings.risk.min_history
    evaluation = evaluate_late_payment(
        ledger, test_from.date(), min_history=min_history
    )
    write_csv(evaluation.scores, out, lang=settings.report.lang)

    _print(
        f"trained on {evaluation.n_train} invoices settled before "
        f"{test_from.date()}, scored {evaluation.n_test} settled invoices issued "
        "on or after it"
    )
    _print(f"AUC             {evaluation.auc:.4f}")
    _print(f"accuracy        {evaluation.accuracy:.4f}  (late if p_late >= 0.5)")
    _print(f"class accuracy  {evaluation.class_accuracy:.4f}")
    _print(f"Brier score     {evaluation.brier:.4f}")
    console.out.print(_calibration_table(evaluation.calibration))
    console.info(f"wrote {len(evaluation.scores)} scores to {out}")


@evaluate_app.command("conversion")
def conversion(
    leads: Path | None = typer.Option(
        None,
        "--leads",
        help="Leads table (CSV or Excel) with the outcome column; default: the "
        "config's.",
    ),
    folds: int = typer.Option(5, "--folds", help="Cross-validation folds."),
    target: str = typer.Option(
        "converted", "--target", help="Column that records conversion (0/1, yes/no)."
    ),
    exclude: list[str] = typer.Option(
        [],
        "--exclude",
        help="Column filled in after the outcome, left out of the features, by "
        "its header in the file or its canonical name (lead_id, converted). "
        "Repeat the option for several columns; adds to [conversion] exclude.",
    ),
    config: Path | None = typer.Option(
        None,
        "--config",
        help="cartera.toml with the column mapping of the leads and the "
        "[conversion] leakage settings (exclude, max_retained_share, "
        "min_proxy_auc).",
    ),
) -> None:
    """Print the cross-validated AUC of the conversion model and the leakage report."""
    from cartera.cli import console
    from cartera.cli.inputs import input_path
    from cartera.models.conversion import check_exclude, cross_validate_conversion

    settings = _load_config(config) if config else None
    source = input_path(leads, settings or _load_config(None), "leads")
    loaded = _load(source, "leads", settings)
    table = loaded.frame
    guard = (settings or _load_config(None)).conversion
    headers = loaded.renamed_columns()
    excluded = check_exclude(
        table.columns,
        exclude,
        table=str(source),
        setting="--exclude",
        headers=headers,
    )
    configured = check_exclude(
        table.columns,
        guard.exclude,
        table=str(source),
        setting=f"[conversion] exclude of {config or 'cartera.toml'}",
        headers=headers,
    )
    evaluation = cross_validate_conversion(
        table,
        target,
        folds=folds,
        exclude=[*configured, *excluded],
        max_retained_share=guard.max_retained_share,
        min_proxy_auc=guard.min_proxy_auc,
    )
    fold_text = ", ".join(f"{auc:.4f}" for auc in evaluation.fold_auc)
    _print(f"cross-validated AUC  {evaluation.auc:.4f}  ({folds} folds: {fold_text})")
    console.out.print(_leakage_table(evaluation.report))
    for column, reason in evaluation.dropped.items():
        _print(f"not used: {column} ({reason})")


def _load_config(path: Path | None) -> Config:
    from cartera.config import load_config

    return load_config(path)


def _print(text: str) -> None:
    """Print one line of results on stdout, with no rich markup or highlighting."""
    from cartera.cli import console

    console.out.print(text, markup=False, highlight=False)


def _read(path: Path, table: TableName, settings: Config | None) -> pd.DataFrame:
    """Read ``path`` as ``table``, with the mapping of ``settings`` when given."""
    return _load(path, table, settings).frame


def _load(path: Path, table: TableName, settings: Config | None) -> LoadResult:
    """Load ``path`` as ``table`` and report how many rows were rejected."""
    from cartera.cli import console
    from cartera.io import read_table

    source = settings.input.source(table) if settings else None
    loaded = read_table(path, table, source)
    if len(loaded.rejects):
        console.info(
            f"{len(loaded.rejects)} of {loaded.rows_read} rows of {path} were "
            "rejected and left out; run 'cartera inspect' to list them"
        )
    return loaded


def _calibration_table(calibration: pd.DataFrame) -> Table:
    from rich.table import Table

    view = Table(title="calibration of p_late")
    for name in ("p_late bin", "invoices", "mean predicted", "observed late"):
        view.add_column(name, justify="right")
    for row in calibration.to_dict("records"):
        view.add_row(
            str(row["bin"]),
            str(row["count"]),
            f"{row['mean_predicted']:.3f}",
            f"{row['observed']:.3f}",
        )
    return view


def _leakage_table(report: LeakageReport) -> Table:
    import pandas as pd
    from rich.table import Table

    view = Table(title="leakage report: each column scored alone")
    view.add_column("column")
    for name in ("AUC", "AUC where filled", "filled", "retained"):
        view.add_column(name, justify="right")
    view.add_column("verdict")
    scores = report.scores.sort_values("auc", ascending=False)
    for row in scores.to_dict("records"):
        filled_auc = row["auc_filled"]
        retained = row["retained_share"]
        view.add_row(
            str(row["column"]),
            f"{row['auc']:.3f}",
            "" if pd.isna(filled_auc) else f"{filled_auc:.3f}",
            f"{row['filled_share']:.0%}",
            "" if pd.isna(retained) else f"{retained:.2f}",
            f"dropped: {row['reason']}" if row["dropped"] else "kept",
        )
    return view
