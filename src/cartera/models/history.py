"""Point-in-time payment history of each account, the features of the risk model.

Rules, for an invoice whose features are taken as of day ``d``:

1. History is the invoices of the same account settled strictly before ``d``. An
   invoice settled on ``d`` itself, or later, or never, is not history.
2. Open items are the other invoices of the account issued strictly before ``d``
   and not settled before ``d``. An open item is overdue when its due date is
   before ``d``.
3. Nothing else of the ledger is read, so a settlement on or after ``d`` cannot
   change any feature of the invoice.

The aggregates are cumulative sums over the settlement events of each account,
joined to the feature dates with :func:`pandas.merge_asof` (strictly earlier
events only). A self-join of every invoice with every other invoice of its
account would be simpler to read but grows with the square of an account's
invoice count; the cumulative form is linear after sorting.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# History features, in the order the model receives them.
HISTORY_COLUMNS = (
    "hist_count",
    "hist_share_late",
    "hist_share_late_amount",
    "hist_mean_days_late",
    "hist_max_days_late",
    "hist_mean_days_to_pay",
    "hist_last_days_late",
    "hist_recent_days_late",
    "hist_share_late_disputed",
    "hist_share_late_undisputed",
    "hist_days_since_settlement",
    "open_count",
    "open_amount",
    "open_overdue_count",
    "open_overdue_amount",
)

# Settled invoices in the moving mean of ``hist_recent_days_late``.
RECENT_WINDOW = 3


def days_late(invoices: pd.DataFrame) -> pd.Series:
    """Return days from due date to settlement, zero when settled on time.

    Open invoices (no ``paid_date``) get NaN.
    """
    late = (invoices["paid_date"] - invoices["due_date"]).dt.days
    return late.clip(lower=0).astype("float64")


def history_features(invoices: pd.DataFrame, feature_dates: pd.Series) -> pd.DataFrame:
    """Build each invoice's account history as of its feature date.

    Parameters
    ----------
    invoices
        Canonical invoices: ``invoice_id, account_id, issue_date, due_date,
        amount, paid_date`` and optional ``disputed``. Rows may be in any order.
    feature_dates
        Day as of which each row's features are taken, aligned on the index of
        ``invoices`` (usually the issue date, or the as-of date for open items).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``invoices``, with :data:`HISTORY_COLUMNS`. Counts are
        invoices, amounts are in the ledger's currency, days are calendar days.
        Rates and means are NaN for an account with no history yet.
    """
    frame = invoices[["account_id", "issue_date", "due_date", "amount", "paid_date"]]
    frame = frame.assign(
        disputed=_disputed(invoices),
        days_late=days_late(invoices),
        days_to_pay=(invoices["paid_date"] - invoices["issue_date"]).dt.days,
        feature_date=pd.to_datetime(feature_dates).astype("datetime64[ns]"),
        row=np.arange(len(invoices)),
    )
    frame = frame.assign(
        issue_date=frame["issue_date"].astype("datetime64[ns]"),
        due_date=frame["due_date"].astype("datetime64[ns]"),
        paid_date=frame["paid_date"].astype("datetime64[ns]"),
    )
    queries = frame[["row", "account_id", "feature_date"]].sort_values("feature_date")

    settled = _settled_history(frame, queries)
    issued = _cumulative_before(frame, queries, "issue_date", {"amount": "amount"})
    due = _cumulative_before(frame, queries, "due_date", {"amount": "amount"})
    closed_due = frame.assign(
        closed_after_due=frame[["paid_date", "due_date"]].max(axis=1, skipna=False)
    )
    due_closed = _cumulative_before(
        closed_due, queries, "closed_after_due", {"amount": "amount"}
    )

    out = settled
    # An open invoice scored as of a day after its issue date would count itself
    # as an open item, so it is subtracted from the counts and amounts.
    is_self_open = (frame["issue_date"] < frame["feature_date"]) & ~(
        frame["paid_date"] < frame["feature_date"]
    )
    self_count = is_self_open.astype("float64").to_numpy()
    self_amount = np.where(is_self_open, frame["amount"], 0.0)
    self_overdue = (
        is_self_open & (frame["due_date"] < frame["feature_date"])
    ).to_numpy()
    out["open_count"] = issued["count"] - settled["hist_count"] - self_count
    out["open_amount"] = (
        issued["amount"] - settled["_settled_amount"] - self_amount
    ).round(6)
    out["open_overdue_count"] = due["count"] - due_closed["count"] - self_overdue
    out["open_overdue_amount"] = (
        due["amount"]
        - due_closed["amount"]
        - np.where(self_overdue, frame["amount"], 0.0)
    ).round(6)
    out = out.drop(columns="_settled_amount")
    out.index = invoices.index
    return out[list(HISTORY_COLUMNS)]


def _disputed(invoices: pd.DataFrame) -> pd.Series:
    if "disputed" not in invoices.columns:
        return pd.Series(False, index=invoices.index)
    return invoices["disputed"].fillna(False).astype(bool)


def _settled_history(frame: pd.DataFrame, queries: pd.DataFrame) -> pd.DataFrame:
    """Aggregate the invoices settled strictly before each feature date."""
    events = frame[frame["paid_date"].notna()].sort_values(["account_id", "paid_date"])
    late = (events["days_late"] > 0).astype("float64")
    disputed = events["disputed"].astype("float64")
    grouped = pd.DataFrame(
        {
            "account_id": events["account_id"],
            "event_date": events["paid_date"],
            "n": 1.0,
            "late": late,
            "amount": events["amount"],
            "late_amount": events["amount"] * late,
            "days_late": events["days_late"],
            "days_to_pay": events["days_to_pay"].astype("float64"),
            "disputed": disputed,
            "late_disputed": late * disputed,
            "late_undisputed": late * (1.0 - disputed),
        }
    ).groupby("account_id", sort=False)
    sums = grouped[
        [
            "n",
            "late",
            "amount",
            "late_amount",
            "days_late",
            "days_to_pay",
            "disputed",
            "late_disputed",
            "late_undisputed",
        ]
    ].cumsum()
    running = grouped["days_late"].cummax().rename("max_days_late")
    recent = (
        grouped["days_late"]
        .rolling(RECENT_WINDOW, min_periods=1)
        .mean()
        .reset_index(level=0, drop=True)
        .rename("recent_days_late")
    )
    table = pd.concat(
        [
            events[["account_id", "paid_date", "days_late"]].rename(
                columns={"paid_date": "event_date", "days_late": "last_days_late"}
            ),
            sums.add_prefix("cum_"),
            running,
            recent,
        ],
        axis=1,
    )
    # Several settlements on one day: keep the day's last cumulative row.
    table = table.groupby(["account_id", "event_date"], sort=False).tail(1)
    joined = _asof(queries, table)

    n = joined["cum_n"].fillna(0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = pd.DataFrame(
            {
                "hist_count": n,
                "hist_share_late": joined["cum_late"] / n,
                "hist_share_late_amount": joined["cum_late_amount"]
                / joined["cum_amount"],
                "hist_mean_days_late": joined["cum_days_late"] / n,
                "hist_max_days_late": joined["max_days_late"],
                "hist_mean_days_to_pay": joined["cum_days_to_pay"] / n,
                "hist_last_days_late": joined["last_days_late"],
                "hist_recent_days_late": joined["recent_days_late"],
                "hist_share_late_disputed": joined["cum_late_disputed"]
                / joined["cum_disputed"],
                "hist_share_late_undisputed": joined["cum_late_undisputed"]
                / (n - joined["cum_disputed"]),
                "hist_days_since_settlement": (
                    joined["feature_date"] - joined["event_date"]
                ).dt.days.astype("float64"),
                "_settled_amount": joined["cum_amount"].fillna(0.0),
            }
        )
    return out.replace([np.inf, -np.inf], np.nan)


def _cumulative_before(
    frame: pd.DataFrame, queries: pd.DataFrame, date_column: str, sums: dict[str, str]
) -> pd.DataFrame:
    """Count (and sum) each account's rows whose ``date_column`` is before the date."""
    events = frame[frame[date_column].notna()].sort_values(["account_id", date_column])
    table = pd.DataFrame(
        {"account_id": events["account_id"], "event_date": events[date_column]}
    )
    grouped = events.groupby("account_id", sort=False)
    table["cum_count"] = grouped.cumcount() + 1.0
    for name, column in sums.items():
        table[f"cum_{name}"] = grouped[column].cumsum()
    table = table.groupby(["account_id", "event_date"], sort=False).tail(1)
    joined = _asof(queries, table)
    result = pd.DataFrame({"count": joined["cum_count"].fillna(0.0)})
    for name in sums:
        result[name] = joined[f"cum_{name}"].fillna(0.0)
    return result


def _asof(queries: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Join each query to its account's last event strictly before the date.

    Returns the joined rows in the original row order of the invoices.
    """
    joined = pd.merge_asof(
        queries,
        table.sort_values("event_date"),
        left_on="feature_date",
        right_on="event_date",
        by="account_id",
        direction="backward",
        allow_exact_matches=False,
    )
    return joined.sort_values("row").reset_index(drop=True)
