"""Backtest: tier shares on a hand-worked ledger and on the public data sets."""

from __future__ import annotations

import json
import warnings
from datetime import date

import pandas as pd
import pytest

from cartera.config import Config
from cartera.errors import DataQualityWarning, InputError, ModelError
from cartera.policy.backtest import (
    BASELINES,
    POLICY,
    format_backtest,
    run_backtest,
)

AS_OF = date(2024, 6, 30)
END = date(2024, 12, 31)


def _transactions(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["account_id", "date", "amount"])
    return frame.assign(date=pd.to_datetime(frame["date"]))


def _ledger() -> pd.DataFrame:
    """Ten accounts; A bought much and recently and keeps buying, B bought much
    long ago and stops, the rest buy a little before and after."""
    rows = [
        ("A", "2024-06-20", 800.0),
        ("A", "2024-08-01", 900.0),
        ("B", "2024-01-05", 2000.0),
        ("B", "2024-01-06", -100.0),
    ]
    for i in range(8):
        rows.append((f"C{i}", "2024-05-01", 50.0 + i))
        rows.append((f"C{i}", "2024-09-01", 10.0))
    return _transactions(rows)


def _run(transactions, **kwargs):
    with warnings.catch_warnings():
        # Small ledgers have few distinct values, so the RFM scale collapses.
        warnings.simplefilter("ignore", DataQualityWarning)
        return run_backtest(
            transactions, as_of=AS_OF, horizon_end=END, config=Config(), **kwargs
        )


@pytest.fixture(scope="module")
def ledger_result():
    return _run(_ledger(), seed=4)


def test_recent_buyer_outranks_lapsed_big_spender(ledger_result):
    result = ledger_result

    table = result.table.set_index(["ranking", "tier"])
    # Recent spend with a 90-day half-life: A 800 * 0.5 ** (10 / 90) = 741 beats
    # B 1,900 * 0.5 ** (177 / 90) = 486. Holdout: A 900 and C0..C7 10 each.
    assert result.holdout_value == 980.0
    assert table.loc[(POLICY, 1), "accounts"] == 1
    assert table.loc[(POLICY, 1), "value_share"] == pytest.approx(900 / 980)
    assert table.loc[("past_spend", 1), "value_share"] == 0.0


def test_every_ranking_shares_add_to_one(ledger_result):
    result = ledger_result

    sums = result.table.groupby("ranking")["value_share"].sum()
    assert set(sums.index) == {POLICY, *BASELINES}
    assert sums.to_numpy() == pytest.approx([1.0] * len(sums))


def test_random_baseline_is_seeded(ledger_result):
    again = _run(_ledger(), seed=4).table

    pd.testing.assert_frame_equal(ledger_result.table, again)


def test_value_model_sees_only_the_past():
    seen = {}

    def value_model(past, as_of, config):
        seen["last"] = past["date"].max()
        return pd.DataFrame(
            {"account_id": past["account_id"].unique(), "clv": 1.0, "p_alive": 1.0}
        )

    result = _run(_ledger(), value_model=value_model)

    assert seen["last"] <= pd.Timestamp(AS_OF)
    assert result.growth_basis == "clv"


def test_failed_value_model_falls_back_to_recent_spend():
    def value_model(past, as_of, config):
        raise ModelError("BG/NBD: parameter a=inf is not a finite positive number")

    result = _run(_ledger(), value_model=value_model)

    assert result.growth_basis == "recent_spend"
    assert "a=inf" in result.value_model_error
    assert "value model failed" in format_backtest(result)
    assert result.tier1_share() == pytest.approx(900 / 980)


def test_horizon_before_as_of_is_rejected():
    with pytest.raises(InputError, match="horizon end"):
        run_backtest(
            _ledger(), as_of=AS_OF, horizon_end=date(2024, 1, 1), config=Config()
        )


def test_collected_overdue_money_by_tier():
    # Hand-worked ledger: at 2024-06-30, X owes 300 overdue (paid in August) and
    # Y owes 100 overdue (never paid); Z's invoice is not yet due.
    invoices = pd.DataFrame(
        {
            "invoice_id": ["1", "2", "3"],
            "account_id": ["X", "Y", "Z"],
            "issue_date": pd.to_datetime(["2024-04-01", "2024-04-15", "2024-06-20"]),
            "due_date": pd.to_datetime(["2024-05-01", "2024-05-15", "2024-07-20"]),
            "amount": [300.0, 100.0, 50.0],
            "paid_date": pd.to_datetime(["2024-08-10", None, "2024-07-15"]),
        }
    )
    transactions = _transactions(
        [
            ("X", "2024-04-01", 300.0),
            ("Y", "2024-04-15", 100.0),
            ("Z", "2024-06-20", 50.0),
        ]
        + [(f"P{i}", "2024-03-01", 5.0) for i in range(7)]
    )

    result = _run(transactions, invoices=invoices)

    table = result.table.set_index(["ranking", "tier"])
    assert result.collected == 300.0
    assert table.loc[(POLICY, 1), "collected_share"] == 1.0
    assert "tier 1 collected" in format_backtest(result)
    json.dumps(result.to_dict(), allow_nan=False)


def _cdnow(data_dir) -> pd.DataFrame:
    frame = pd.read_csv(
        data_dir / "cdnow" / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "account_id", "date", "cds", "amount"],
        dtype={"account_id": str, "date": str},
    )
    return frame.assign(date=pd.to_datetime(frame["date"], format="%Y%m%d"))[
        ["account_id", "date", "amount"]
    ]


@pytest.fixture(scope="module")
def cdnow_result(data_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return run_backtest(
            _cdnow(data_dir),
            as_of=date(1997, 9, 30),
            horizon_end=date(1998, 6, 30),
            config=Config(),
        )


@pytest.mark.realdata
def test_cdnow_past_spend_baseline(cdnow_result):
    # 48.1 %: share of holdout value bought by the top 10 % by past spend, worked
    # out independently from CDNOW_sample.txt (236 of 2,357 customers).
    assert cdnow_result.accounts == 2357
    assert cdnow_result.tier1_share("past_spend") == pytest.approx(0.481, abs=0.0005)


@pytest.mark.realdata
def test_cdnow_tier_one_beats_every_baseline(cdnow_result):
    policy = cdnow_result.tier1_share()

    for baseline in BASELINES:
        assert policy > cdnow_result.tier1_share(baseline), baseline


@pytest.mark.realdata
@pytest.mark.xfail(
    strict=True,
    reason="recency-discounted spend reaches 50.8 %; no growth ranking measured "
    "in docs/backtest.md reached 52 %",
)
def test_cdnow_tier_one_captures_52_percent(cdnow_result):
    assert cdnow_result.tier1_share() >= 0.52


def _online_retail(data_dir) -> pd.DataFrame:
    frame = pd.read_csv(
        data_dir / "online_retail" / "online_retail_sample_customers_mod10.csv",
        dtype={"CustomerID": str, "InvoiceNo": str},
    )
    return pd.DataFrame(
        {
            "account_id": frame["CustomerID"].str.removesuffix(".0"),
            "date": pd.to_datetime(frame["InvoiceDate"]).dt.normalize(),
            # Cancellations carry negative quantities, so they net out.
            "amount": frame["Quantity"] * frame["UnitPrice"],
        }
    )


# NOTE: tier 1 beats every baseline at this date, but past spend wins by up to
# 1.1 points at some others (docs/backtest.md lists five dates).
@pytest.mark.realdata
def test_online_retail_backtest_runs(data_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        result = run_backtest(
            _online_retail(data_dir),
            as_of=date(2011, 8, 31),
            horizon_end=date(2011, 12, 9),
            config=Config(),
        )

    assert result.accounts == 331
    for baseline in BASELINES:
        assert result.tier1_share() > result.tier1_share(baseline), baseline


def test_empty_holdout_is_input_error() -> None:
    transactions = pd.DataFrame(
        {
            "account_id": ["A", "A", "B"],
            "date": pd.to_datetime(["2024-01-05", "2024-02-05", "2024-01-20"]),
            "amount": [100.0, 50.0, 70.0],
        }
    )
    with pytest.raises(InputError, match="bought nothing"):
        run_backtest(
            transactions,
            as_of=date(2024, 3, 1),
            horizon_end=date(2024, 6, 30),
            config=Config(),
        )


# Two accounts cannot fill five RFM scores; that warning is not under test here.
@pytest.mark.filterwarnings("ignore::cartera.errors.DataQualityWarning")
def test_collection_without_overdue_prints_dash() -> None:
    transactions = pd.DataFrame(
        {
            "account_id": ["A", "A", "B", "B"],
            "date": pd.to_datetime(
                ["2024-01-05", "2024-04-05", "2024-01-20", "2024-05-01"]
            ),
            "amount": [100.0, 50.0, 70.0, 30.0],
        }
    )
    # One invoice, issued after the as-of date: nothing overdue to collect.
    invoices = pd.DataFrame(
        {
            "invoice_id": ["I1"],
            "account_id": ["A"],
            "issue_date": pd.to_datetime(["2024-04-10"]),
            "due_date": pd.to_datetime(["2024-05-10"]),
            "amount": [50.0],
        }
    )
    result = run_backtest(
        transactions,
        as_of=date(2024, 3, 1),
        horizon_end=date(2024, 6, 30),
        config=Config(),
        invoices=invoices,
    )
    text = format_backtest(result)
    assert "nan" not in text
    assert "-" in text.splitlines()[-3]
