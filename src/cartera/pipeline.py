"""The main job: read the inputs, build features, run the models, rank, write.

Stages, in order, each timed into ``run.json``:

1. Read every given file into its canonical table; rejected rows go to
   ``rejects.csv`` and every input reports rows read = accepted + rejected.
2. Load the tables into the workspace and compute features as of the date.
   Accounts whose every document is dated after it are not ranked.
3. Fit the value models on purchases, the late-payment model on settled invoices,
   and the conversion model on leads with a known outcome, when each has data.
   A model that cannot be fitted is reported in ``run.json`` and skipped; the
   ranking then uses what remains.
4. Apply the priority policy: segments, score, pyramid, worklist and answers.
5. Write the CSVs, ``answers.md``, ``run.json``, the workbook and the report.
"""

from __future__ import annotations

import logging
import platform
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cartera import __version__
from cartera.config import Config, ConversionConfig, TableName
from cartera.errors import (
    CarteraError,
    CarteraWarning,
    DataQualityWarning,
    InputError,
    LeakageWarning,
)

if TYPE_CHECKING:
    import pandas as pd

    from cartera.io import LoadResult
    from cartera.result import RunResult

logger = logging.getLogger(__name__)

INPUT_TABLES: tuple[TableName, ...] = (
    "invoices",
    "payments",
    "transactions",
    "accounts",
    "leads",
    "fx",
)

Step = Callable[[str], None]


@dataclass
class RunOptions:
    """Inputs, as-of date and output settings of one ``prioritize`` run."""

    out: Path
    inputs: dict[str, Path] = field(default_factory=dict)
    as_of: date | None = None
    workspace: Path | None = None
    lang: str = "en"
    report: bool = True
    memory_limit: str | None = None


class _Timer:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = round(time.perf_counter() - start, 3)


def read_inputs(inputs: dict[str, Path], config: Config) -> dict[str, LoadResult]:
    """Read each given file as its canonical table.

    A path given on the command line wins over the path in the configuration.
    """
    from cartera.io import read_table

    results: dict[str, LoadResult] = {}
    for table in INPUT_TABLES:
        source = config.input.source(table)
        path = inputs.get(table) or source.path
        if path is None:
            continue
        results[table] = read_table(
            Path(path), table, source, minor_units=config.money.minor_units
        )
        logger.info("read %s: %d rows", path, results[table].rows_read)
    if not results:
        raise InputError(
            "no input files given",
            hint="pass --invoices, --transactions or --leads, or set input paths "
            "in cartera.toml",
        )
    for name, result in results.items():
        if name != "fx" and result.frame.empty:
            raise InputError(
                f"{result.path}: no {name} row was accepted "
                f"({result.rows_read} read, {len(result.rejects)} rejected)",
                hint="check the file has data rows; cartera inspect FILE shows "
                "how it is read",
            )
    if not {"invoices", "transactions", "leads"} & results.keys():
        raise InputError(
            "no invoices, transactions or leads given",
            hint="cartera ranks accounts from invoices, purchases or leads: pass one",
        )
    return results


# Date columns of the documents in each table. The default as-of date is the
# latest of them, and an as-of date before the earliest leaves nothing to rank.
DOCUMENT_DATES: dict[str, tuple[str, ...]] = {
    "invoices": ("issue_date", "paid_date"),
    "payments": ("payment_date",),
    "transactions": ("date",),
}
# Column that names a row of each table in messages.
ROW_NAMES = {
    "invoices": "invoice_id",
    "payments": "payment_id",
    "transactions": "account_id",
}
# A default as-of date this many days after the 99th percentile of the
# document dates is taken for a typo, such as 2099 in a 2025 ledger.
OUTLIER_GAP_DAYS = 366
# An as-of date this many days after the latest document date is taken for a
# typo, such as 2031 for 2013.
FAR_AS_OF_DAYS = 366
# Outlying documents named in the warning. The warning counts the others.
OUTLIERS_NAMED = 3


def _default_as_of(loaded: dict[str, LoadResult], notes: list[str]) -> date:
    """Return the as-of date when none is given.

    A ledger is ranked as of its latest document date: issue, settlement
    (``paid_date``), payment or transaction, whichever is last. Leads carry no
    dates, so a run on leads alone is as of the day it runs, and a note
    records it. A latest date that lies far beyond the others raises a
    :class:`DataQualityWarning` (see :func:`warn_outlying_dates`).
    """
    if set(loaded) <= {"leads", "accounts", "fx"}:
        today = date.today()
        notes.append(f"no dated documents: the run is as of today, {today}")
        return today
    warn_outlying_dates(loaded)
    return latest_date(loaded)


def document_dates(loaded: dict[str, LoadResult]) -> pd.DataFrame:
    """Return every document date of the inputs, one row per dated cell.

    Columns ``table, column, row, date``: ``row`` is the row's identifier
    (:data:`ROW_NAMES`). Empty dates, such as an open invoice's ``paid_date``,
    are left out.
    """
    import pandas as pd

    parts = []
    for table, columns in DOCUMENT_DATES.items():
        if table not in loaded:
            continue
        frame = loaded[table].frame
        for column in columns:
            if column not in frame.columns:
                continue
            dated = frame[frame[column].notna()]
            parts.append(
                pd.DataFrame(
                    {
                        "table": table,
                        "column": column,
                        "row": dated[ROW_NAMES[table]].astype(str),
                        "date": dated[column],
                    }
                )
            )
    if not parts:
        return pd.DataFrame(columns=["table", "column", "row", "date"])
    return pd.concat(parts, ignore_index=True)


def latest_date(loaded: dict[str, LoadResult]) -> date:
    """Return the latest document date in the inputs, the default as-of date."""
    dates = document_dates(loaded)["date"]
    if dates.empty:
        raise InputError(
            "the inputs hold no dated documents",
            hint="pass --as-of YYYY-MM-DD",
        )
    return dates.max().date()


def warn_outlying_dates(loaded: dict[str, LoadResult]) -> None:
    """Warn when the latest document dates are isolated outliers.

    Rule: the documents whose date is more than :data:`OUTLIER_GAP_DAYS` days
    after the 99th percentile of all document dates are outliers. The
    percentile is one of the dates (numpy's ``lower`` method), so with fewer
    than 101 dates it is the second latest, and a single typo in a small
    ledger is caught. Outliers making up more than 1 % of the dates are not
    caught.
    """
    import pandas as pd

    dates = document_dates(loaded).sort_values("date", kind="stable")
    if len(dates) < 2:
        return
    # numpy's "lower" 99th percentile: the date at position floor(0.99 (n - 1)).
    bulk_end: pd.Timestamp = dates["date"].iloc[int(0.99 * (len(dates) - 1))]
    cutoff = bulk_end + pd.Timedelta(days=OUTLIER_GAP_DAYS)
    outliers = dates[dates["date"] > cutoff].iloc[::-1]
    if outliers.empty:
        return
    named = "; ".join(
        f"{table} {ROW_NAMES[table]} {row} has {column} {day.date()}"
        for table, column, row, day in zip(
            outliers["table"].head(OUTLIERS_NAMED),
            outliers["column"],
            outliers["row"],
            outliers["date"],
            strict=False,
        )
    )
    more = len(outliers) - OUTLIERS_NAMED
    others = f" and {more} more" if more > 0 else ""
    latest: pd.Timestamp = outliers["date"].iloc[0]
    warnings.warn(
        f"the default as-of date {latest.date()} comes from {len(outliers)} document "
        f"date(s) more than {OUTLIER_GAP_DAYS} days after 99 % of the dates "
        f"(up to {bulk_end.date()}): {named}{others}; check those dates, or "
        "pass --as-of YYYY-MM-DD",
        DataQualityWarning,
        stacklevel=2,
    )


def check_as_of(loaded: dict[str, LoadResult], as_of: date) -> None:
    """Check ``as_of`` against the document dates of the inputs.

    Before every document date nothing is issued, paid or bought, so every
    score would be 0 and the tiers would follow the order of the account ids.
    More than a year after the latest one, the ranking finds no recent activity,
    as when 2031 is typed for 2013.

    Raises
    ------
    InputError
        ``as_of`` is before the first document date.

    Warns
    -----
    DataQualityWarning
        ``as_of`` is more than :data:`FAR_AS_OF_DAYS` days after the latest
        document date.
    """
    dates = document_dates(loaded)
    if dates.empty:
        return
    latest: date = dates["date"].max().date()
    if (as_of - latest).days > FAR_AS_OF_DAYS:
        warnings.warn(
            f"the as-of date {as_of} is {(as_of - latest).days} days after the "
            f"latest document date, {latest}, so the ranking sees no recent activity; "
            "check the --as-of date",
            DataQualityWarning,
            stacklevel=2,
        )
    first = dates.sort_values("date", kind="stable").iloc[0]
    first_date: date = first["date"].date()
    if as_of < first_date:
        table = str(first["table"])
        raise InputError(
            f"the as-of date {as_of} is before the first document date, "
            f"{first_date} ({first['column']} of {table} {ROW_NAMES[table]} "
            f"{first['row']})",
            hint=f"pass an --as-of date on or after {first_date}",
        )


def accounts_first_seen_after(loaded: dict[str, LoadResult], as_of: date) -> set[str]:
    """Return the accounts whose every document is dated after ``as_of``.

    Documents are invoices and credit notes (by issue date), payments and
    transactions. Accounts with no document at all, such as those listed only
    in the ``accounts`` table, are not returned.
    """
    import pandas as pd

    seen: set[str] = set()
    seen_by_as_of: set[str] = set()
    for table, columns in DOCUMENT_DATES.items():
        if table not in loaded:
            continue
        # An invoice is a document from its issue date, not its settlement.
        column = columns[0]
        frame = loaded[table].frame
        ids = frame["account_id"].dropna().astype(str)
        seen.update(ids)
        by_as_of = frame.loc[ids.index, column] <= pd.Timestamp(as_of)
        seen_by_as_of.update(ids[by_as_of.fillna(False).astype(bool)])
    return seen - seen_by_as_of


def _documented_by(
    accounts: pd.DataFrame,
    loaded: dict[str, LoadResult],
    as_of: date,
    notes: list[str],
) -> pd.DataFrame:
    """Drop the accounts first seen after ``as_of``, which cannot be ranked yet.

    Their features are empty, so they would take tier places with a score of 0.
    """
    later = accounts_first_seen_after(loaded, as_of)
    dropped = accounts["account_id"].isin(later)
    if dropped.any():
        notes.append(
            f"{int(dropped.sum())} accounts whose first document is dated after "
            f"the as-of date {as_of} are not ranked"
        )
    return accounts.loc[~dropped].reset_index(drop=True)


def prioritize(
    options: RunOptions, config: Config, step: Step | None = None
) -> RunResult:
    """Run the main job and write its outputs into ``options.out``.

    cartera's own warnings (a model that did not converge, a collapsed RFM
    scale) are collected into the ``notes`` of ``run.json`` and logged. A run
    so reports its doubts next to its numbers. Other warnings pass through.

    Parameters
    ----------
    options
        Inputs, as-of date, output folder and workspace.
    config
        The validated configuration.
    step
        Called with the name of each stage as it starts (progress display).
    """
    notes: list[str] = []
    with _collect_warnings(notes):
        return _prioritize(options, config, step, notes)


@contextmanager
def _collect_warnings(notes: list[str]) -> Iterator[None]:
    """Append cartera's warnings to ``notes`` as they happen and log them."""
    with warnings.catch_warnings():
        warnings.simplefilter("always", CarteraWarning)
        passthrough = warnings.showwarning

        def note(
            message: Warning | str,
            category: type[Warning],
            filename: str,
            lineno: int,
            file: Any = None,
            line: str | None = None,
        ) -> None:
            if issubclass(category, CarteraWarning):
                # A model fitted twice (holdout check, then full history) warns
                # twice with the same words; one note is enough.
                if str(message) not in notes:
                    notes.append(str(message))
                    logger.warning("%s", message)
            else:
                passthrough(message, category, filename, lineno, file, line)

        warnings.showwarning = note
        yield


def _prioritize(
    options: RunOptions, config: Config, step: Step | None, notes: list[str]
) -> RunResult:
    import pandas as pd

    from cartera.engine import Workspace
    from cartera.features import compute_features
    from cartera.io import REJECT_COLUMNS

    # The language of the run wins over the configured one, so the recorded
    # configuration states the language the outputs are written in.
    if config.report.lang != options.lang:
        report = config.report.model_copy(update={"lang": options.lang})
        config = config.model_copy(update={"report": report})
    notify = step or (lambda _name: None)
    timer = _Timer()

    notify("reading inputs")
    with timer.stage("read"):
        loaded = read_inputs(options.inputs, config)
    as_of = options.as_of or _default_as_of(loaded, notes)
    check_as_of(loaded, as_of)
    config = _with_fx_table(config, loaded)

    notify("building features")
    workspace = Workspace(
        options.workspace,
        minor_units=config.money.minor_units,
        memory_limit=options.memory_limit,
    )
    try:
        with timer.stage("features"):
            given_tables = [table for table in loaded if table != "leads"]
            for table in workspace.drop_canonical_except(given_tables):
                notes.append(
                    f"the workspace's {table} table from an earlier run was "
                    "removed, because this run does not give it"
                )
            for table in given_tables:
                workspace.load(table, loaded[table].frame)
            features = compute_features(workspace, as_of, config)
        accounts = _documented_by(features.accounts, loaded, as_of, notes)
        if features.currency:
            # Balances are in the reporting currency, whatever the account's own.
            accounts.insert(1, "balance_currency", features.currency)
        open_items = features.open_items

        notify("fitting value models")
        with timer.stage("value"):
            value = _fit_value(loaded, features, as_of, config, notes)
        if value is not None:
            accounts = accounts.merge(value.accounts, on="account_id", how="left")

        notify("fitting late-payment model")
        with timer.stage("risk"):
            scored = _fit_risk(loaded, features, as_of, config, notes)
        if scored is not None:
            item_scores, account_scores = scored
            open_items = open_items.merge(item_scores, on="invoice_id", how="left")
            accounts = accounts.merge(account_scores, on="account_id", how="left")

        notify("scoring leads")
        with timer.stage("conversion"):
            prospects = _score_leads(loaded, accounts, config, notes)
        if prospects is not None:
            accounts = pd.concat([accounts, prospects], ignore_index=True)

        notify("ranking")
        with timer.stage("policy"):
            from cartera.policy import apply_policy
            from cartera.policy.history import previous_tiers, record_tiers

            policy = apply_policy(
                accounts,
                open_items,
                config,
                as_of=as_of,
                lang=options.lang,
                previous=previous_tiers(workspace, as_of),
                segment_potential=value.segment_potential if value else None,
            )
            record_tiers(workspace, policy.accounts, as_of)
    finally:
        workspace.close()

    rejects = pd.concat(
        [r.rejects for r in loaded.values()] or [pd.DataFrame(columns=REJECT_COLUMNS)],
        ignore_index=True,
    )
    run_meta = _run_metadata(options, config, loaded, as_of, timer, notes, value)

    from cartera.result import RunResult

    result = RunResult(
        as_of=as_of,
        accounts=policy.accounts,
        open_items=open_items,
        rejects=rejects,
        worklist=policy.worklist,
        segments=policy.segments,
        answers=policy.answers,
        run=run_meta,
        lang=options.lang,
        answers_md=_with_notes(policy.answers_md, notes, options.lang),
        minor_units=config.money.minor_units,
    )
    notify("writing outputs")
    from cartera.report.outputs import write_outputs

    with timer.stage("write"):
        write_outputs(result, options.out, report=options.report)
    return result


def _with_notes(answers_md: str, notes: list[str], lang: str) -> str:
    """Append the run's model notes to ``answers.md``, so doubts travel with it.

    The notes are the messages of cartera's warnings, which exist in English
    only, so the Spanish heading says so.
    """
    if not notes:
        return answers_md
    heading = (
        "## Notas del cálculo\n\nLas notas se escriben en inglés, como en run.json."
        if lang == "es"
        else "## Notes on this run"
    )
    lines = "\n".join(f"- {note}" for note in notes)
    return f"{answers_md.rstrip()}\n\n{heading}\n\n{lines}\n"


def _with_fx_table(config: Config, loaded: dict[str, LoadResult]) -> Config:
    """Fold an FX table into the ``[money]`` settings; the config's rates win.

    Without a reporting currency in the config, it is the table's currency whose
    rate is 1. A table with no such currency, or with several, leaves it
    ambiguous, so the config must name it.
    """
    if "fx" not in loaded:
        return config
    fx = loaded["fx"].frame
    rates = dict(zip(fx["currency"].astype(str), fx["rate"].astype(float), strict=True))
    reporting = config.money.reporting_currency
    if reporting is None:
        unit = sorted(currency for currency, rate in rates.items() if rate == 1)
        if len(unit) != 1:
            raise InputError(
                f"{loaded['fx'].path}: cannot tell the reporting currency: "
                f"{len(unit)} currencies have rate 1 ({', '.join(unit) or 'none'})",
                hint='set reporting_currency under [money] in cartera.toml, e.g. "EUR"',
            )
        reporting = unit[0]
    money = config.money.model_copy(
        update={
            "reporting_currency": reporting,
            "rates": {**rates, **config.money.rates},
        }
    )
    return config.model_copy(update={"money": money})


def _fit_value(
    loaded: dict[str, LoadResult],
    features: Any,
    as_of: date,
    config: Config,
    notes: list[str],
) -> Any:
    import pandas as pd

    from cartera.models.value import fit_value

    if "transactions" in loaded:
        source = loaded["transactions"].frame
        date_column = "date"
    elif "invoices" in loaded:
        source = loaded["invoices"].frame
        date_column = "issue_date"
    else:
        return None
    purchases = pd.DataFrame(
        {
            "account_id": source["account_id"],
            "date": source[date_column],
            "amount": _in_reporting_currency(
                source, features.rates, config.money.minor_units
            ),
        }
    )
    purchases = purchases[purchases["date"] <= pd.Timestamp(as_of)]
    try:
        value = fit_value(purchases, as_of, config.value)
    except CarteraError as exc:
        notes.append(f"value models skipped: {exc.message}")
        logger.warning("value models skipped: %s", exc.message)
        return None
    return value


def _in_reporting_currency(
    frame: pd.DataFrame, rates: dict[str, Decimal], minor_units: int
) -> pd.Series:
    """Return ``frame["amount"]`` in the reporting currency, rounded to minor units.

    ``rates`` are those of the features stage
    (:attr:`cartera.features.compute.Features.rates`), so purchases are
    converted as the balances are. Currency codes are compared trimmed and in
    upper case, and rows in the reporting currency or in none keep their
    amount, as in :mod:`cartera.features.currency`.
    """
    import pandas as pd

    amount: pd.Series = frame["amount"]
    if not rates or "currency" not in frame.columns:
        return amount
    codes = frame["currency"].astype("string").str.strip().str.upper()
    per_unit = {code: float(rate) for code, rate in rates.items()}
    factor = pd.to_numeric(codes.map(per_unit), errors="coerce").fillna(1.0)
    return (amount * factor.to_numpy()).round(minor_units)


def _fit_risk(
    loaded: dict[str, LoadResult],
    features: Any,
    as_of: date,
    config: Config,
    notes: list[str],
) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    import pandas as pd

    from cartera.models.risk import LatePaymentModel, account_risk, mark_past_due

    if "invoices" not in loaded or features.open_items.empty:
        return None
    invoices = loaded["invoices"].frame.copy()
    if "doc_type" in invoices.columns:
        invoices = invoices[invoices["doc_type"].fillna("invoice") != "credit_note"]
    invoices = invoices[invoices["amount"] > 0]
    # The model's amount features compare invoices, so they share one currency.
    invoices["amount"] = _in_reporting_currency(
        invoices, features.rates, config.money.minor_units
    )
    settled = features.settlements.set_index("invoice_id")["settled_date"]
    if settled.empty:
        notes.append("late-payment model skipped: no invoice is settled yet")
        return None
    invoices["paid_date"] = pd.to_datetime(invoices["invoice_id"].map(settled))
    invoices = invoices[invoices["issue_date"] <= pd.Timestamp(as_of)]
    try:
        model = LatePaymentModel(min_history=config.risk.min_history)
        model.fit(invoices, as_of)
        # The model reads each account's history from the frame it scores, so
        # it scores the whole ledger and the open items are kept afterwards.
        predicted = model.predict(invoices, as_of)
        open_ids = set(features.open_items["invoice_id"])
        predicted = predicted[predicted["invoice_id"].isin(open_ids)]
    except CarteraError as exc:
        notes.append(f"late-payment model skipped: {exc.message}")
        logger.warning("late-payment model skipped: %s", exc.message)
        return None
    days_past_due = predicted["invoice_id"].map(
        features.open_items.drop_duplicates("invoice_id").set_index("invoice_id")[
            "days_past_due"
        ]
    )
    predicted = mark_past_due(predicted, days_past_due, model.class_mean_days_)
    items = predicted[["invoice_id", "p_late", "p_late_model", "lateness_class"]]
    scored_items = features.open_items.merge(predicted, on="invoice_id", how="inner")
    return items, account_risk(scored_items)


def _score_leads(
    loaded: dict[str, LoadResult],
    accounts: pd.DataFrame,
    config: Config,
    notes: list[str],
) -> pd.DataFrame | None:
    """Score open leads by their probability of converting.

    Leads with a known outcome train the model. When every lead has one, the
    leads not converted are ranked instead, each scored by a model fitted on
    the other folds, so no lead is scored by a model that saw its own outcome.
    """
    import pandas as pd

    if "leads" not in loaded:
        return None
    from cartera.models.conversion import check_exclude

    leads = loaded["leads"].frame
    # Checked here because the model's errors below become notes. A misspelt
    # name must stop the run, or the follow-up field stays in the model.
    excluded = check_exclude(
        leads.columns,
        config.conversion.exclude,
        table=str(loaded["leads"].path),
        setting="[conversion] exclude of the configuration",
        headers=loaded["leads"].renamed_columns(),
    )
    settings = config.conversion.model_copy(update={"exclude": excluded})
    known_count = (
        0 if "converted" not in leads.columns else leads["converted"].notna().sum()
    )
    if known_count < settings.min_known:
        notes.append(
            f"leads not scored: {known_count} leads have a known outcome, "
            f"fewer than {settings.min_known}"
        )
        return None
    known = leads[leads["converted"].notna()]
    open_leads = leads[leads["converted"].isna()]
    try:
        if open_leads.empty:
            open_leads = known[~known["converted"].astype(bool)]
            p_convert = _cross_fitted(known, open_leads.index, settings)
        else:
            model = _conversion_model(settings).fit(known, target="converted")
            p_convert = model.predict_proba(open_leads)
    except CarteraError as exc:
        notes.append(f"leads not scored: {exc.message}")
        return None
    first_year = _first_year_value(accounts)
    if first_year <= 0:
        # No customer purchases to value a new customer by. The policy counts a
        # missing value as 1, so the leads rank by their chance to convert.
        first_year = float("nan")
        notes.append(
            "no customer purchases to value a lead, so leads are ranked by "
            "conversion probability alone and their first-year value is empty"
        )
    return pd.DataFrame(
        {
            "account_id": open_leads["lead_id"].astype(str).to_numpy(),
            "is_prospect": True,
            "p_convert": p_convert.reindex(open_leads.index).to_numpy(),
            "expected_first_year_value": first_year,
        }
    )


def _conversion_model(settings: ConversionConfig) -> Any:
    from cartera.models.conversion import ConversionModel

    return ConversionModel(
        exclude=settings.exclude,
        max_retained_share=settings.max_retained_share,
        min_proxy_auc=settings.min_proxy_auc,
    )


def _cross_fitted(
    known: pd.DataFrame, targets: pd.Index, settings: ConversionConfig
) -> pd.Series:
    """Return out-of-fold probabilities for the rows ``targets`` of ``known``."""
    import numpy as np
    import pandas as pd

    folds = np.arange(len(known)) % settings.folds
    np.random.default_rng(0).shuffle(folds)
    scores = pd.Series(np.nan, index=targets, dtype=float)
    for fold in range(settings.folds):
        held_out = known.index[folds == fold]
        with warnings.catch_warnings():
            # Each fold screens the same columns; the first fold's report is enough.
            if fold > 0:
                warnings.simplefilter("ignore", LeakageWarning)
            model = _conversion_model(settings).fit(
                known.loc[known.index[folds != fold]], target="converted"
            )
        scored = held_out.intersection(targets)
        if len(scored):
            scores.loc[scored] = model.predict_proba(known.loc[scored]).to_numpy()
    return scores


def _first_year_value(accounts: pd.DataFrame) -> float:
    """Return the median yearly purchases of customers, the value of a new one.

    Customers younger than a year count their purchases so far as one year's.
    """
    if "monetary" in accounts.columns and "tenure_days" in accounts.columns:
        years = (accounts["tenure_days"] / 365.25).clip(lower=1.0)
        per_year = accounts["monetary"] / years
        value = float(per_year.median())
        if value == value:  # not NaN
            return value
    return 0.0


def _run_metadata(
    options: RunOptions,
    config: Config,
    loaded: dict[str, LoadResult],
    as_of: date,
    timer: _Timer,
    notes: list[str],
    value: Any,
) -> dict[str, Any]:
    import duckdb
    import ibis
    import numpy
    import pandas
    import sklearn

    inputs = {}
    for table, result in loaded.items():
        inputs[table] = {
            "path": str(result.path),
            "rows_read": result.rows_read,
            "accepted": len(result.frame),
            "rejected": len(result.rejects),
            "detected": {
                "encoding": result.detected.encoding,
                "delimiter": result.detected.delimiter,
                "decimal": result.detected.decimal,
                "date_formats": result.detected.date_formats,
                "mapping": result.detected.mapping,
            },
        }
    return {
        "as_of": as_of.isoformat(),
        "lang": options.lang,
        "inputs": inputs,
        "timings_seconds": timer.seconds,
        "value_model": getattr(value, "model", None),
        "notes": notes,
        "versions": {
            "cartera": __version__,
            "python": platform.python_version(),
            "duckdb": duckdb.__version__,
            "ibis": ibis.__version__,
            "pandas": pandas.__version__,
            "numpy": numpy.__version__,
            "scikit-learn": sklearn.__version__,
        },
        "config": config.model_dump(mode="json"),
    }
