"""Features of the public data sets against independent pandas computations.

Sources: the IBM Watson Analytics "Accounts Receivable" sample (2,466 invoices,
every one settled on ``SettledDate``) and the CDNOW master file of Fader, Hardie
and Lee (2005), whose dollar values total 2,500,315.63.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from cartera.config import Config
from cartera.features import compute_features

pytestmark = pytest.mark.realdata

AR_AS_OF = date(2013, 6, 30)
CDNOW_AS_OF = date(1998, 6, 30)


@pytest.fixture(scope="module")
def ar_frame(data_dir) -> pd.DataFrame:
    path = data_dir / "ar_invoices" / "WA_Fn-UseC_-Accounts-Receivable.csv"
    frame = pd.read_csv(path, dtype={"invoiceNumber": str, "customerID": str})
    for column in ("InvoiceDate", "DueDate", "SettledDate"):
        frame[column] = pd.to_datetime(frame[column], format="%m/%d/%Y")
    return frame


@pytest.fixture(scope="module")
def ar_features(ar_frame):
    from cartera.engine import Workspace

    invoices = pd.DataFrame(
        {
            "invoice_id": ar_frame["invoiceNumber"],
            "account_id": ar_frame["customerID"],
            "issue_date": ar_frame["InvoiceDate"],
            "due_date": ar_frame["DueDate"],
            "amount": ar_frame["InvoiceAmount"].astype("float64"),
            "paid_date": ar_frame["SettledDate"],
            "disputed": ar_frame["Disputed"] == "Yes",
        }
    )
    ws = Workspace()
    ws.load("invoices", invoices)
    features = compute_features(ws, AR_AS_OF, Config())
    ws.close()
    return features


def test_ar_open_balance_per_account(ar_frame, ar_features):
    cutoff = pd.Timestamp(AR_AS_OF)
    is_open = (ar_frame["InvoiceDate"] <= cutoff) & (ar_frame["SettledDate"] > cutoff)
    expected = (
        ar_frame[is_open]
        .groupby("customerID")["InvoiceAmount"]
        .sum()
        .reindex(ar_frame["customerID"].unique(), fill_value=0.0)
        .round(2)
    )
    got = ar_features.accounts.set_index("account_id")["open_balance"]

    assert len(got) == 100
    assert is_open.sum() > 0
    assert len(ar_features.open_items) == is_open.sum()
    pd.testing.assert_series_equal(
        got.sort_index(), expected.sort_index(), check_names=False, rtol=0, atol=1e-9
    )


def test_ar_lateness_per_account(ar_frame, ar_features):
    # Settled by the as-of date: late by max(0, SettledDate - DueDate). Open and
    # past due: late by the days so far.
    cutoff = pd.Timestamp(AR_AS_OF)
    issued = ar_frame[ar_frame["InvoiceDate"] <= cutoff]
    settled = issued["SettledDate"] <= cutoff
    days = np.where(
        settled,
        (issued["SettledDate"] - issued["DueDate"]).dt.days.clip(lower=0),
        (cutoff - issued["DueDate"]).dt.days,
    )
    counted = settled | (days > 0)
    late = pd.DataFrame({"account": issued["customerID"], "days": days})[counted]
    expected_mean = late.groupby("account")["days"].mean()
    expected_share = late.groupby("account")["days"].apply(lambda d: (d > 0).mean())
    expected_disputes = issued.groupby("customerID")["Disputed"].apply(
        lambda d: (d == "Yes").mean()
    )
    got = ar_features.accounts.set_index("account_id")

    pd.testing.assert_series_equal(
        got["mean_days_late"].loc[expected_mean.index],
        expected_mean,
        check_names=False,
    )
    pd.testing.assert_series_equal(
        got["share_paid_late"].loc[expected_share.index],
        expected_share,
        check_names=False,
    )
    pd.testing.assert_series_equal(
        got["dispute_rate"].loc[expected_disputes.index],
        expected_disputes,
        check_names=False,
    )


def test_ar_settlements_use_settled_date(ar_frame, ar_features):
    cutoff = pd.Timestamp(AR_AS_OF)
    expected = ar_frame[ar_frame["SettledDate"] <= cutoff]
    got = ar_features.settlements.set_index("invoice_id")["settled_date"]

    assert len(got) == len(expected)
    assert (
        got.loc[expected["invoiceNumber"]].to_numpy()
        == expected["SettledDate"].to_numpy()
    ).all()


@pytest.fixture(scope="module")
def cdnow_frame(data_dir) -> pd.DataFrame:
    path = data_dir / "cdnow" / "CDNOW_master.txt"
    frame = pd.read_csv(path, sep=r"\s+", dtype={"customer_id": str, "date": str})
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d")
    return frame


@pytest.fixture(scope="module")
def cdnow_features(cdnow_frame):
    from cartera.engine import Workspace

    transactions = pd.DataFrame(
        {
            "account_id": cdnow_frame["customer_id"],
            "date": cdnow_frame["date"],
            "amount": cdnow_frame["dollar_value"].astype("float64"),
        }
    )
    ws = Workspace()
    ws.load("transactions", transactions)
    features = compute_features(ws, CDNOW_AS_OF, Config())
    ws.close()
    return features


def test_cdnow_total_monetary(cdnow_features):
    accounts = cdnow_features.accounts

    assert len(accounts) == 23_570
    assert accounts["monetary"].sum() == pytest.approx(2_500_315.63, abs=0.005)
    assert (accounts["open_balance"] == 0).all()


@pytest.mark.parametrize("customer", ["00001", "00362", "00455", "07592", "23570"])
def test_cdnow_frequency_monetary(cdnow_frame, cdnow_features, customer):
    rows = cdnow_frame[cdnow_frame["customer_id"] == customer]
    got = cdnow_features.accounts.set_index("account_id").loc[customer]

    assert got["frequency"] == rows["date"].nunique()
    assert got["monetary"] == pytest.approx(rows["dollar_value"].sum(), abs=0.005)
    assert got["last_purchase"] == rows["date"].max()
    assert got["recency_days"] == (pd.Timestamp(CDNOW_AS_OF) - rows["date"].max()).days
