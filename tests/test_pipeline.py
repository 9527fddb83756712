"""The main job end to end: the sample ledger and the public data sets."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cartera.config import Config, load_config
from cartera.demo import write_demo
from cartera.errors import InputError, LeakageWarning, MixedCurrencyError
from cartera.io import read_table
from cartera.models.risk import LatePaymentModel
from cartera.pipeline import RunOptions, prioritize
from cartera.result import RunResult

AGEING = ["aging_current", "aging_1_30", "aging_31_60", "aging_61_90", "aging_over_90"]


def _run_demo(folder: Path, lang: str) -> tuple[RunResult, Path]:
    files = write_demo(folder / "input", n_accounts=80, seed=11)
    options = RunOptions(
        out=folder,
        inputs={
            "invoices": files.invoices,
            "payments": files.payments,
            "accounts": files.accounts,
        },
        as_of=files.as_of,
        lang=lang,
    )
    return prioritize(options, load_config(files.config)), folder


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunResult, Path]:
    return _run_demo(tmp_path_factory.mktemp("demo"), "en")


@pytest.fixture(scope="module")
def demo_run_es(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunResult, Path]:
    return _run_demo(tmp_path_factory.mktemp("demo_es"), "es")


def test_demo_writes_every_output(demo_run: tuple[RunResult, Path]) -> None:
    _, folder = demo_run
    for name in (
        "accounts.csv",
        "invoices.csv",
        "worklist.csv",
        "segments.csv",
        "rejects.csv",
        "answers.md",
        "run.json",
        "cartera.xlsx",
        "report.html",
    ):
        assert (folder / name).is_file(), name


def test_demo_accounts_ranked_in_pyramid(demo_run: tuple[RunResult, Path]) -> None:
    _, folder = demo_run
    accounts = pd.read_csv(folder / "accounts.csv", dtype={"account_id": str})
    assert list(accounts["rank"]) == list(range(1, len(accounts) + 1))
    assert accounts["account_id"].is_unique
    counts = accounts["tier"].value_counts()
    assert counts[1] < counts[2] < counts[3]
    assert accounts["priority_score"].is_monotonic_decreasing


def test_demo_ageing_adds_up(demo_run: tuple[RunResult, Path]) -> None:
    result, _ = demo_run
    accounts = result.accounts[result.accounts["open_balance"].notna()]
    total = accounts[AGEING].sum(axis=1).round(2)
    assert (total == accounts["open_balance"].round(2)).all()


def test_demo_open_items_match_balances(demo_run: tuple[RunResult, Path]) -> None:
    # EUR is the reporting currency, so EUR accounts need no conversion.
    result, _ = demo_run
    items = result.open_items[result.open_items["currency"] == "EUR"]
    per_account = items.groupby("account_id")["open_amount"].sum().round(2)
    balances = result.accounts.set_index("account_id")["open_balance"]
    assert len(per_account) > 10
    for account_id, amount in per_account.items():
        assert balances[account_id] == pytest.approx(amount, abs=0.005), account_id


def test_demo_run_json_reconciles_rows(demo_run: tuple[RunResult, Path]) -> None:
    _, folder = demo_run
    run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert run["as_of"] == "2026-06-30"
    for table, counts in run["inputs"].items():
        assert counts["rows_read"] == counts["accepted"] + counts["rejected"], table
    assert set(run["answers"]) >= {"revenue_potential", "work_first"}
    assert "features" in run["timings_seconds"]


def test_demo_value_columns_present(demo_run: tuple[RunResult, Path]) -> None:
    result, _ = demo_run
    for column in ("clv", "clv_low", "clv_high", "p_alive", "p_late"):
        assert column in result.accounts.columns, column


def _decimal_places(text: str) -> int:
    exponent = Decimal(text).as_tuple().exponent
    assert isinstance(exponent, int), text
    return max(0, -exponent)


@pytest.mark.parametrize(
    "file_name", ["accounts.csv", "invoices.csv", "worklist.csv", "segments.csv"]
)
def test_demo_money_written_to_cent(
    demo_run: tuple[RunResult, Path], file_name: str
) -> None:
    from cartera.report.tables import is_money_name

    _, folder = demo_run
    table = pd.read_csv(folder / file_name, dtype=str, keep_default_na=False)
    money = [c for c in table.columns if is_money_name(c)]
    assert money, file_name
    for column in money:
        for text in table[column]:
            if text:
                assert _decimal_places(text) <= 2, (column, text)


def test_demo_score_is_sum_of_parts(demo_run: tuple[RunResult, Path]) -> None:
    _, folder = demo_run
    table = pd.read_csv(folder / "accounts.csv", dtype=str, keep_default_na=False)
    parts = ["growth_value", "collection_value", "prospect_value"]
    for _, row in table.iterrows():
        total = sum(Decimal(row[part]) for part in parts)
        assert Decimal(row["priority_score"]) == total, row["account_id"]


def _money_fields(data: object) -> list[tuple[str, float]]:
    from cartera.report.tables import is_money_name

    if isinstance(data, dict):
        found = [
            (str(key), value)
            for key, value in data.items()
            if isinstance(value, float) and is_money_name(str(key))
        ]
        for value in data.values():
            found += _money_fields(value)
        return found
    if isinstance(data, list):
        return [field for item in data for field in _money_fields(item)]
    return []


@pytest.mark.parametrize("file_name", ["answers.json", "run.json"])
def test_demo_answers_money_to_cent(
    demo_run: tuple[RunResult, Path], file_name: str
) -> None:
    _, folder = demo_run
    data = json.loads((folder / file_name).read_text(encoding="utf-8"))
    answers = data["answers"] if file_name == "run.json" else data
    fields = _money_fields(answers)
    keys = {key for key, _ in fields}
    assert {"value", "priority_score", "potential_spend"} <= keys
    for key, value in fields:
        assert _decimal_places(repr(value)) <= 2, (key, value)


@pytest.mark.parametrize(
    "column",
    ["growth_value", "priority_score", "clv", "clv_high", "expected_overdue_exposure"],
)
def test_demo_workbook_money_to_cent(
    demo_run: tuple[RunResult, Path], column: str
) -> None:
    from openpyxl import load_workbook

    from cartera.report.i18n import column_label

    _, folder = demo_run
    book = load_workbook(folder / "cartera.xlsx", read_only=True)
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        index = list(next(rows)).index(column_label(column, "en"))
        # Read-only sheets drop trailing empty cells from a row.
        cells = [row[index] for row in rows if len(row) > index]
    finally:
        book.close()
    values = [cell for cell in cells if isinstance(cell, float)]
    assert values, column
    for value in values:
        assert _decimal_places(repr(value)) <= 2, value


@pytest.mark.realdata
def test_spanish_cluster_descriptions(
    demo_run_es: tuple[RunResult, Path],
) -> None:
    _, folder = demo_run_es
    segments = pd.read_csv(folder / "segments.csv", sep=";", decimal=",")
    clusters = segments[segments["segment_kind"] == "cluster"]

    assert len(clusters) >= 1
    for description in clusters["description"]:
        assert description.startswith("medias: "), description
        for english in ("mean", "frequency", "p_late", "p_alive", "clv "):
            assert english not in description, description
    # RFM codes stay English for scripts; their names are translated.
    rfm = segments[segments["segment_kind"] == "rfm"].set_index("segment")
    assert rfm.loc["champions", "name"] == "campeones"


def test_spanish_run_records_language(demo_run_es: tuple[RunResult, Path]) -> None:
    _, folder = demo_run_es
    run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert run["lang"] == "es"
    assert run["config"]["report"]["lang"] == "es"
    assert "&quot;lang&quot;: &quot;en&quot;" not in page
    assert "<dt>Lectura de entradas</dt>" in page


def test_spanish_workbook_headers(demo_run_es: tuple[RunResult, Path]) -> None:
    from openpyxl import load_workbook

    _, folder = demo_run_es
    book = load_workbook(folder / "cartera.xlsx", read_only=True)
    header = [cell.value for cell in next(book["cuentas"].iter_rows(max_row=1))]
    book.close()

    for label in (
        "Moneda del saldo",
        "Días de retraso esperados",
        "Exposición vencida esperada",
    ):
        assert label in header, label
    for column in (
        "balance_currency",
        "expected_days_late",
        "expected_overdue_exposure",
    ):
        assert column not in header, column


def test_spanish_report_lists_tier_one(
    demo_run_es: tuple[RunResult, Path],
) -> None:
    result, folder = demo_run_es
    page = (folder / "report.html").read_text(encoding="utf-8")
    first = result.accounts.loc[result.accounts["rank"] == 1, "account_id"].iloc[0]

    assert "Cuentas del nivel 1, por orden de prioridad" in page
    assert result.answers["work_first"]["rows"][0]["account_id"] == first
    assert f"<td>{first}</td>" in page


@pytest.mark.parametrize(
    ("lang", "heading"),
    [
        ("en", "## Notes on this run\n\n- a note\n"),
        (
            "es",
            "## Notas del cálculo\n\nLas notas se escriben en inglés, como en "
            "run.json.\n\n- a note\n",
        ),
    ],
    ids=["en", "es"],
)
def test_notes_appended_to_answers(lang: str, heading: str) -> None:
    from cartera.pipeline import _with_notes

    assert _with_notes("# answers\n", ["a note"], lang) == f"# answers\n\n{heading}"
    assert _with_notes("# answers\n", [], lang) == "# answers\n"


def test_ar_ledger_as_of_mid_2013(
    data_dir: Path, tmp_path: Path, ar_config: Config
) -> None:
    source = data_dir / "ar_invoices" / "WA_Fn-UseC_-Accounts-Receivable.csv"
    options = RunOptions(
        out=tmp_path / "out",
        inputs={"invoices": source},
        as_of=date(2013, 6, 30),
    )
    result = prioritize(options, ar_config)

    raw = pd.read_csv(source, dtype={"invoiceNumber": str, "customerID": str})
    for column in ("InvoiceDate", "SettledDate"):
        raw[column] = pd.to_datetime(raw[column], format="%m/%d/%Y")
    as_of = pd.Timestamp("2013-06-30")
    is_open = (raw["InvoiceDate"] <= as_of) & (raw["SettledDate"] > as_of)
    expected = raw[is_open].groupby("customerID")["InvoiceAmount"].sum()

    balances = result.accounts.set_index("account_id")["open_balance"]
    assert len(result.accounts) == 100
    assert len(result.open_items) == int(is_open.sum())
    for account_id, amount in expected.items():
        assert balances[account_id] == pytest.approx(amount, abs=0.005), account_id
    assert result.accounts["tier"].value_counts().to_dict() == {1: 10, 2: 30, 3: 60}
    assert "p_late" in result.open_items.columns

    # Open items are scored with their account's history, as the model scores
    # them when it is given the whole ledger.
    ledger = read_table(source, "invoices", ar_config.input.source("invoices")).frame
    ledger = ledger[ledger["issue_date"] <= as_of]
    with pytest.warns(LeakageWarning):
        model = LatePaymentModel().fit(ledger, as_of.date())
    direct = model.predict(ledger, as_of.date()).set_index("invoice_id")
    items = result.open_items.set_index("invoice_id")
    assert not direct.loc[items.index, "fallback"].any()
    np.testing.assert_allclose(items["p_late_model"], direct.loc[items.index, "p_late"])
    # An item past due on the as-of date is already late, so its p_late is 1.
    past_due = items["days_past_due"] > 0
    assert past_due.sum() > 10
    assert (items.loc[past_due, "p_late"] == 1.0).all()
    assert (items.loc[past_due, "lateness_class"] != "on_time").all()
    np.testing.assert_allclose(
        items.loc[~past_due, "p_late"], direct.loc[items.index[~past_due], "p_late"]
    )
    # Invoice 7992662919 is open and 2 days past due on 2013-06-30.
    assert items.loc["7992662919", "days_past_due"] == 2
    assert items.loc["7992662919", "p_late"] == 1.0


@pytest.mark.realdata
def test_cdnow_purchases_without_invoices(data_dir: Path, tmp_path: Path) -> None:
    options = RunOptions(
        out=tmp_path / "out",
        inputs={"transactions": data_dir / "cdnow" / "CDNOW_master.txt"},
        as_of=date(1998, 6, 30),
        report=False,
    )
    result = prioritize(options, Config())

    assert len(result.accounts) == 23_570
    assert result.accounts["monetary"].sum() == pytest.approx(2_500_315.63, abs=0.01)
    assert result.open_items.empty
    assert result.accounts["clv"].notna().all()
    assert (tmp_path / "out" / "accounts.csv").is_file()


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("ledger")
    files = write_demo(folder, n_accounts=30, seed=5)
    return files.invoices, files.payments


def test_two_currencies_without_rates_fail(
    demo_files: tuple[Path, Path], tmp_path: Path
) -> None:
    invoices, payments = demo_files
    options = RunOptions(
        out=tmp_path, inputs={"invoices": invoices, "payments": payments}
    )
    with pytest.raises(MixedCurrencyError, match="EUR, USD"):
        prioritize(options, Config())


def test_fx_file_names_reporting_currency(
    demo_files: tuple[Path, Path], tmp_path: Path
) -> None:
    invoices, payments = demo_files
    fx = tmp_path / "fx.csv"
    fx.write_text("currency,rate\nEUR,1\nUSD,0.92\n", encoding="utf-8")
    options = RunOptions(
        out=tmp_path / "out",
        inputs={"invoices": invoices, "payments": payments, "fx": fx},
        report=False,
    )
    result = prioritize(options, Config())
    assert result.run["config"]["money"]["reporting_currency"] == "EUR"
    # The file's rates reach every stage, the value models' purchases included.
    assert result.run["config"]["money"]["rates"] == {"EUR": 1.0, "USD": 0.92}
    assert result.accounts["open_balance"].notna().all()


def test_fx_file_without_unit_rate_fails(
    demo_files: tuple[Path, Path], tmp_path: Path
) -> None:
    invoices, _ = demo_files
    fx = tmp_path / "fx.csv"
    fx.write_text("currency,rate\nEUR,1.1\nUSD,0.92\n", encoding="utf-8")
    options = RunOptions(out=tmp_path, inputs={"invoices": invoices, "fx": fx})
    with pytest.raises(InputError, match="reporting currency"):
        prioritize(options, Config())


def _leads_file(tmp_path: Path, *, open_share: float) -> Path:
    """Write 300 leads whose visits drive conversion; some without an outcome."""
    rng = np.random.default_rng(3)
    visits = rng.integers(0, 20, 300)
    converted = rng.random(300) < visits / 20
    outcome = np.where(converted, "1", "0").astype(object)
    outcome[rng.random(300) < open_share] = ""
    frame = pd.DataFrame(
        {
            "lead_id": [f"L{n:04d}" for n in range(300)],
            "visits": visits,
            "source": rng.choice(["web", "fair", "referral"], 300),
            "converted": outcome,
        }
    )
    path = tmp_path / "leads.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("open_share", [0.0, 0.3], ids=["all-known", "some-open"])
def test_leads_ranked_beside_customers(
    demo_files: tuple[Path, Path], tmp_path: Path, open_share: float
) -> None:
    invoices, payments = demo_files
    options = RunOptions(
        out=tmp_path / "out",
        inputs={
            "invoices": invoices,
            "payments": payments,
            "leads": _leads_file(tmp_path, open_share=open_share),
        },
        report=False,
    )
    config = Config.model_validate({"money": {"reporting_currency": "EUR"}})
    config.money.rates.update({"EUR": 1.0, "USD": 0.92})
    result = prioritize(options, config)

    prospects = result.accounts[
        result.accounts["is_prospect"].fillna(False).astype(bool)
    ]
    assert len(prospects) > 50
    assert prospects["p_convert"].between(0, 1).all()
    # Leads with more visits convert more, so they must score higher.
    leads = pd.read_csv(tmp_path / "leads.csv", dtype={"lead_id": str})
    scored = prospects.merge(leads, left_on="account_id", right_on="lead_id")
    busy = scored.loc[scored["visits"] >= 15, "p_convert"].mean()
    idle = scored.loc[scored["visits"] <= 4, "p_convert"].mean()
    assert busy > idle


def test_ledger_with_nothing_settled(tmp_path: Path) -> None:
    ledger = tmp_path / "invoices.csv"
    ledger.write_text(
        "invoice_id,account_id,issue_date,due_date,amount\n"
        "I1,A,2025-01-10,2025-02-09,100.00\n"
        "I2,B,2025-02-10,2025-03-12,250.00\n",
        encoding="utf-8",
    )
    options = RunOptions(
        out=tmp_path / "out",
        inputs={"invoices": ledger},
        as_of=date(2025, 3, 31),
        report=False,
    )
    result = prioritize(options, Config())
    balances = result.accounts.set_index("account_id")["open_balance"]
    assert balances.to_dict() == {"B": 250.0, "A": 100.0}
    assert (
        "late-payment model skipped: no invoice is settled yet" in (result.run["notes"])
    )
    assert "late-payment model skipped" in result.answers_md
    # invoices.csv keeps its late-payment columns, empty.
    header, first = (tmp_path / "out" / "invoices.csv").read_text().splitlines()[:2]
    assert header.endswith(",p_late,p_late_model,lateness_class")
    assert first.endswith(",,,")


def test_unlisted_past_due_is_noted(tmp_path: Path) -> None:
    ledger = tmp_path / "invoices.csv"
    ledger.write_text(
        "invoice_id,account_id,issue_date,due_date,amount\n"
        "I1,A,2025-02-01,2025-03-03,100.00\n"
        "I2,B,2025-02-10,2025-03-12,250.00\n",
        encoding="utf-8",
    )
    config = Config.model_validate(
        {
            "dunning": {
                "levels": [
                    {"min_days_past_due": 40, "action": "call", "channel": "phone"}
                ]
            }
        }
    )
    options = RunOptions(
        out=tmp_path / "out",
        inputs={"invoices": ledger},
        as_of=date(2025, 3, 31),
        report=False,
    )

    result = prioritize(options, config)

    note = (
        "2 past-due invoice(s) have no worklist line: they are fewer than 40 days "
        "past due, the first dunning level ([[dunning.levels]] min_days_past_due = 40)"
    )
    assert result.worklist.empty
    assert note in result.run["notes"]
    assert note in result.answers_md
    run_json = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert note in run_json["notes"]


def test_header_only_file_is_input_error(tmp_path: Path) -> None:
    ledger = tmp_path / "invoices.csv"
    ledger.write_text(
        "invoice_id,account_id,issue_date,due_date,amount\n", encoding="utf-8"
    )
    options = RunOptions(out=tmp_path, inputs={"invoices": ledger})
    with pytest.raises(InputError, match="no invoices row was accepted"):
        prioritize(options, Config())


def test_leads_alone_ranked_by_conversion(tmp_path: Path) -> None:
    # Leads carry no dates, so no --as-of is needed.
    options = RunOptions(
        out=tmp_path / "out",
        inputs={"leads": _leads_file(tmp_path, open_share=0.3)},
        report=False,
    )
    result = prioritize(options, Config())
    assert result.as_of == date.today()
    ranked = result.accounts
    # Leads with no visits never convert in this file, so only they may score 0.
    likely = ranked["p_convert"] > 0.01
    assert likely.sum() > 50
    assert (ranked.loc[likely, "priority_score"] > 0).all()
    assert ranked["p_convert"].is_monotonic_decreasing
    tiers = ranked.groupby("tier")["p_convert"].mean()
    assert tiers[1] > tiers[2] > tiers[3]
    # No customer purchases value a lead, so no reason quotes a first-year value.
    reasons = ranked.loc[likely, "reasons"]
    assert reasons.str.contains("first-year value unknown", regex=False).all()
    assert ranked["expected_first_year_value"].isna().all()


def test_purchases_converted_to_reporting() -> None:
    from cartera.pipeline import _in_reporting_currency

    frame = pd.DataFrame(
        {
            "amount": [100.0, 100.0, 100.0, 10.01],
            "currency": ["USD", "EUR", None, " usd"],
        }
    )
    converted = _in_reporting_currency(frame, {"USD": Decimal("0.92")}, 2)
    # 10.01 USD is 9.2092 EUR, rounded to cents as the balances are.
    assert converted.tolist() == [92.0, 100.0, 100.0, 9.21]


# Hand-worked: nothing is settled, so p = 1 for overdue items, and with the
# default 90-day half-life an item 30 days past due keeps 0.5 ** (30 / 90) of
# its reporting amount. 100,000 JPY at 0.006 EUR is 600 EUR.
YEN_LEDGER = (
    "invoice_id,account_id,issue_date,due_date,amount,currency\n"
    "J1,JP,2025-02-01,2025-03-01,100000,JPY\n"
    "E1,EU,2025-02-01,2025-03-01,1000,EUR\n"
    "E2,EU2,2025-02-01,2025-03-01,500,EUR\n"
)
KEPT_AFTER_30_DAYS = 0.5 ** (30 / 90)


def _run_invoices(
    tmp_path: Path, invoices: str, as_of: date, fx: str | None = None
) -> RunResult:
    """Rank the invoices (and FX rates) written as CSV text, without a report."""
    inputs = {"invoices": tmp_path / "invoices.csv"}
    inputs["invoices"].write_text(invoices, encoding="utf-8")
    if fx is not None:
        inputs["fx"] = tmp_path / "fx.csv"
        inputs["fx"].write_text(fx, encoding="utf-8")
    options = RunOptions(out=tmp_path / "out", inputs=inputs, as_of=as_of, report=False)
    return prioritize(options, Config())


@pytest.fixture
def yen_run(tmp_path: Path) -> RunResult:
    fx = "currency,rate\nEUR,1\nJPY,0.006\n"
    return _run_invoices(tmp_path, YEN_LEDGER, date(2025, 3, 31), fx)


def test_yen_account_ranked_by_euros(yen_run: RunResult) -> None:
    accounts = yen_run.accounts.set_index("account_id")
    assert accounts["rank"].to_dict() == {"EU": 1, "JP": 2, "EU2": 3}
    expected = {"EU": 1000.0, "JP": 600.0, "EU2": 500.0}
    for account_id, balance in expected.items():
        assert accounts.loc[account_id, "open_balance"] == balance, account_id
        collection = accounts.loc[account_id, "collection_value"]
        assert collection == round(balance * KEPT_AFTER_30_DAYS, 2), account_id


def test_yen_worklist_in_both_currencies(yen_run: RunResult) -> None:
    lines = yen_run.worklist
    assert lines["invoice_id"].tolist() == ["E1", "J1", "E2"]
    assert lines["currency"].tolist() == ["EUR", "JPY", "EUR"]
    assert lines["open_amount"].tolist() == [1000.0, 100000.0, 500.0]
    assert lines["reporting_open_amount"].tolist() == [1000.0, 600.0, 500.0]
    expected_cash = [round(a * KEPT_AFTER_30_DAYS, 2) for a in (1000.0, 600.0, 500.0)]
    assert expected_cash == [793.70, 476.22, 396.85]
    assert lines["expected_cash"].tolist() == expected_cash
    week1 = yen_run.answers["work_first"]["collections"]
    assert [row["reporting_open_amount"] for row in week1] == [1000.0, 600.0, 500.0]


def test_demo_money_reconciles(demo_run: tuple[RunResult, Path]) -> None:
    result, folder = demo_run
    items = result.open_items
    usd = items[items["currency"] == "USD"]
    assert len(usd) > 0
    converted = (usd["open_amount"] * 0.92).round(2)
    np.testing.assert_allclose(usd["reporting_open_amount"], converted, atol=1e-9)

    # The written CSVs reconcile too, after their rounding to cents.
    written = {
        "memory": (result.accounts, result.worklist),
        "csv": (
            pd.read_csv(folder / "accounts.csv", dtype={"account_id": str}),
            pd.read_csv(folder / "worklist.csv", dtype={"account_id": str}),
        ),
    }
    for name, (account_frame, worklist) in written.items():
        accounts = account_frame.set_index("account_id")
        cash = worklist.groupby("account_id")["expected_cash"].sum().round(2)
        collection = accounts.loc[cash.index, "collection_value"]
        assert (cash <= collection).all(), name
        balance = accounts["open_balance"].fillna(0.0)
        assert (accounts["collection_value"] <= balance).all(), name
    # A line's expected cash is a share of its reporting amount, whatever the
    # invoice's currency (USD lines used to be 1 / 0.92 times too high).
    lines = result.worklist
    share = lines["expected_cash"] / lines["reporting_open_amount"]
    assert (share <= 1.0 + 1e-9).all()


def test_account_total_beyond_decimal_is_input_error(tmp_path: Path) -> None:
    # Each amount fits DECIMAL(18, 2), so the reader accepts it, but their
    # sum, the account's balance, does not.
    ledger = (
        "invoice_id,account_id,issue_date,due_date,amount\n"
        "B1,B,2025-01-01,2025-02-01,9000000000000000\n"
        "B2,B,2025-01-01,2025-02-01,9000000000000000\n"
    )
    with pytest.raises(InputError, match="does not fit exact money"):
        _run_invoices(tmp_path, ledger, date(2025, 3, 31))


def test_as_of_before_first_document_fails(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        _run_invoices(tmp_path, YEN_LEDGER, date(2024, 3, 31))
    message = caught.value.message
    assert "as-of date 2024-03-31 is before the first document date" in message
    assert "2025-02-01" in message
    assert caught.value.hint == "pass an --as-of date on or after 2025-02-01"


def _dated_files(tmp_path: Path, late: str) -> dict[str, Path]:
    """Write a year of monthly invoices and a payment, plus the ``late`` date."""
    rows = [
        f"I{month},A{month % 3},2025-{month:02d}-05,2025-{month:02d}-25,100,"
        for month in range(1, 13)
    ]
    payments = ["payment_id,account_id,payment_date,amount", "P1,A1,2025-12-20,50"]
    if late == "typo-issue":
        rows.append("I99,A1,2099-01-01,2099-01-31,100,")
    elif late == "paid-date":
        rows[-1] = "I12,A0,2025-12-05,2025-12-25,100,2026-01-15"
    elif late == "payment":
        payments.append("P2,A2,2026-01-20,30")
    invoices = tmp_path / "invoices.csv"
    header = "invoice_id,account_id,issue_date,due_date,amount,paid_date"
    invoices.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    payment_file = tmp_path / "payments.csv"
    payment_file.write_text("\n".join(payments) + "\n", encoding="utf-8")
    return {"invoices": invoices, "payments": payment_file}


@pytest.mark.parametrize(
    ("late", "expected"),
    [
        ("none", date(2025, 12, 20)),
        ("paid-date", date(2026, 1, 15)),
        ("payment", date(2026, 1, 20)),
        ("typo-issue", date(2099, 1, 1)),
    ],
    ids=["last-payment", "settlement", "later-payment", "typo"],
)
def test_default_as_of_is_latest_document(
    tmp_path: Path, late: str, expected: date
) -> None:
    options = RunOptions(
        out=tmp_path / "out", inputs=_dated_files(tmp_path, late), report=False
    )
    result = prioritize(options, Config())
    assert result.as_of == expected
    outlier_notes = [n for n in result.run["notes"] if "default as-of" in n]
    if late == "typo-issue":
        assert len(outlier_notes) == 1
        assert "invoice_id I99 has issue_date 2099-01-01" in outlier_notes[0]
        assert "--as-of" in outlier_notes[0]
    else:
        assert outlier_notes == []


@pytest.mark.realdata
def test_ar_default_as_of_is_last_settlement(data_dir: Path, ar_config: Config) -> None:
    from cartera.pipeline import latest_date, read_inputs

    source = data_dir / "ar_invoices" / "WA_Fn-UseC_-Accounts-Receivable.csv"
    loaded = read_inputs({"invoices": source}, ar_config)
    # The last invoice is issued on 2013-12-02 and settled on 2014-01-09.
    assert latest_date(loaded) == date(2014, 1, 9)


def test_leads_unknown_exclude_stops_run(tmp_path: Path) -> None:
    options = RunOptions(
        out=tmp_path / "out",
        inputs={"leads": _leads_file(tmp_path, open_share=0.3)},
        report=False,
    )
    config = Config.model_validate({"conversion": {"exclude": ["Visits"]}})
    with pytest.raises(InputError) as raised:
        prioritize(options, config)
    assert "excluded column 'Visits' is not a column of" in raised.value.message
    assert "close matches: 'visits'" in raised.value.message
    assert "[conversion] exclude of the configuration" in str(raised.value.hint)


def test_leads_exclude_by_header_name(
    demo_files: tuple[Path, Path], tmp_path: Path
) -> None:
    invoices, payments = demo_files
    leads = _leads_file(tmp_path, open_share=0.3)
    text = leads.read_text(encoding="utf-8")
    leads.write_text(text.replace("lead_id,", "Prospect ID,", 1), encoding="utf-8")
    options = RunOptions(
        out=tmp_path / "out",
        inputs={"invoices": invoices, "payments": payments, "leads": leads},
        report=False,
    )
    config = Config.model_validate(
        {
            "money": {"reporting_currency": "EUR", "rates": {"EUR": 1.0, "USD": 0.92}},
            "conversion": {"exclude": ["Prospect ID"]},
        }
    )
    result = prioritize(options, config)
    assert not [note for note in result.run["notes"] if "leads not scored" in note]
    assert result.accounts["is_prospect"].fillna(False).astype(bool).any()


@pytest.mark.parametrize(
    "failing",
    ["cartera.features.compute_features", "cartera.report.workbook.write_workbook"],
    ids=["features", "workbook"],
)
def test_failed_run_keeps_earlier_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    ledger = tmp_path / "invoices.csv"
    ledger.write_text(
        "invoice_id,account_id,issue_date,due_date,amount\n"
        "I1,A,2025-01-10,2025-02-09,100.00\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    options = RunOptions(out=out, inputs={"invoices": ledger}, report=False)
    prioritize(options, Config())
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    with ledger.open("a", encoding="utf-8") as file:
        file.write("I2,B,2025-02-10,2025-03-12,250.00\n")

    def fail(*args: object, **kwargs: object) -> None:
        raise InputError("stage failed", hint="test")

    monkeypatch.setattr(failing, fail)
    with pytest.raises(InputError, match="stage failed"):
        prioritize(options, Config())

    assert {path.name: path.read_bytes() for path in out.iterdir()} == before
    assert "accounts.csv" in before


def test_workspace_run_ranks_only_its_inputs(tmp_path: Path) -> None:
    workspace = tmp_path / "ws.duckdb"
    transactions = tmp_path / "transactions.csv"
    transactions.write_text(
        "account_id,date,amount\nT1,2025-01-05,40.00\nT2,2025-02-07,60.00\n",
        encoding="utf-8",
    )
    invoices = tmp_path / "invoices.csv"
    invoices.write_text(
        "invoice_id,account_id,issue_date,due_date,amount\n"
        "I1,A,2025-01-10,2025-02-09,100.00\n",
        encoding="utf-8",
    )
    first = RunOptions(
        out=tmp_path / "first",
        inputs={"transactions": transactions, "invoices": invoices},
        as_of=date(2025, 3, 31),
        workspace=workspace,
        report=False,
    )
    second = RunOptions(
        out=tmp_path / "second",
        inputs={"invoices": invoices},
        as_of=date(2025, 4, 30),
        workspace=workspace,
        report=False,
    )

    assert set(prioritize(first, Config()).accounts["account_id"]) == {"A", "T1", "T2"}
    result = prioritize(second, Config())

    assert result.accounts["account_id"].tolist() == ["A"]
    assert list(result.run["inputs"]) == ["invoices"]
    assert any(
        "transactions table from an earlier run" in n for n in result.run["notes"]
    )
    # The tier history stays, so the account of both runs has a previous tier.
    assert result.accounts["previous_tier"].notna().all()


def _purchases_file(tmp_path: Path) -> Path:
    # Ten customers buy in the first half of 2011, five first buy after June.
    rows = [f"C{i:02d},2011-0{1 + i % 5}-1{i % 9},{10 + i}.00" for i in range(10)]
    rows += [f"L{i},2011-0{7 + i % 3}-0{1 + i},{20 + i}.00" for i in range(5)]
    rows += ["C00,2011-09-01,15.00"]
    path = tmp_path / "transactions.csv"
    path.write_text("account_id,date,amount\n" + "\n".join(rows) + "\n", "utf-8")
    return path


def _typo_file(tmp_path: Path) -> Path:
    # A1's only invoice is dated the day after the as-of date.
    rows = [
        f"I{i},B{i},2023-1{i % 3}-0{1 + i},2023-12-3{i % 2},{100 + i}.00"
        for i in range(9)
    ]
    rows += ["I9,A1,2024-01-02,2024-02-01,90000.00"]
    path = tmp_path / "typo.csv"
    header = "invoice_id,account_id,issue_date,due_date,amount\n"
    path.write_text(header + "\n".join(rows) + "\n", "utf-8")
    return path


@pytest.mark.parametrize(
    ("table", "write", "as_of", "later", "tiers"),
    [
        (
            "transactions",
            _purchases_file,
            date(2011, 6, 30),
            {f"L{i}" for i in range(5)},
            {1: 1, 2: 3, 3: 7},
        ),
        ("invoices", _typo_file, date(2024, 1, 1), {"A1"}, {1: 1, 2: 3, 3: 6}),
    ],
    ids=["purchases-after-as-of", "invoice-after-as-of"],
)
def test_accounts_first_seen_later_unranked(
    tmp_path: Path,
    table: str,
    write: Callable[[Path], Path],
    as_of: date,
    later: set[str],
    tiers: dict[int, int],
) -> None:
    path = write(tmp_path)
    listed = tmp_path / "accounts.csv"
    listed.write_text("account_id\nNODOCS\n", encoding="utf-8")
    options = RunOptions(
        out=tmp_path / "out",
        inputs={table: path, "accounts": listed},
        as_of=as_of,
        report=False,
    )
    result = prioritize(options, Config())

    ranked = set(result.accounts["account_id"])
    assert not ranked & later
    # An account with no document at all is still ranked.
    assert "NODOCS" in ranked
    assert result.accounts["tier"].value_counts().to_dict() == tiers
    per_kind = result.segments.groupby("segment_kind")["accounts"].sum()
    for kind, total in per_kind.items():
        assert total == len(ranked), kind
    note = f"{len(later)} accounts whose first document is dated after"
    assert any(note in text for text in result.run["notes"])


@pytest.mark.parametrize(
    ("as_of", "warned"),
    [
        (date(2031, 6, 30), True),
        (date(2015, 1, 10), True),
        (date(2015, 1, 9), False),
    ],
    ids=["years-later", "367-days", "366-days"],
)
def test_far_as_of_is_noted(tmp_path: Path, as_of: date, warned: bool) -> None:
    ledger = tmp_path / "invoices.csv"
    ledger.write_text(
        "invoice_id,account_id,issue_date,due_date,amount,paid_date\n"
        "I1,A,2013-11-01,2013-12-01,100.00,2013-12-20\n"
        "I2,B,2013-12-02,2014-01-01,250.00,2014-01-08\n",
        encoding="utf-8",
    )
    options = RunOptions(
        out=tmp_path / "out", inputs={"invoices": ledger}, as_of=as_of, report=False
    )
    result = prioritize(options, Config())

    message = f"the as-of date {as_of} is"
    notes = [note for note in result.run["notes"] if message in note]
    assert bool(notes) is warned
    if warned:
        assert "latest document date, 2014-01-08" in notes[0]
        assert notes[0] in result.answers_md
