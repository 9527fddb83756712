"""Summary tables and column kinds shared by the workbook and the HTML report.

The rules that decide how a column is shown:

1. A column whose values are dates or timestamps is a date.
2. Probabilities, shares and rates (``p_*``, ``mean_p_*``, ``share*``,
   ``*_rate``, ``probability``, ``credit_use``) are percentages.
3. Amounts of money are shown and written to the run's minor units (two
   decimals by default) in the run's currency. Their names are ``*_balance``,
   ``*_amount``, ``*_value``, ``*_spend``, ``*_credit``, ``*_limit``,
   ``*_exposure``, ``aging_*``, ``clv*``, ``expected_cash``,
   ``expected_spend*``, ``potential_spend*``, ``mean_clv``, ``monetary``,
   ``priority_score``, ``value``, ``low`` and ``high``.
4. Counts (``n_*``), ranks, tiers and day counts (``*_days``) are whole numbers.
5. Any other number keeps two decimals, and anything else is text.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd

    from cartera.result import RunResult

ColumnKind = Literal["date", "percent", "money", "integer", "number", "text"]

# Fill and text colours of tiers 1-3, shared by the workbook and the HTML report.
TIER_COLOURS = {1: "#1f4e79", 2: "#2e75b6", 3: "#bdd7ee"}
TIER_TEXT_COLOURS = {1: "#ffffff", 2: "#ffffff", 3: "#1f2d3d"}

# ``low`` and ``high`` are the bounds of the revenue potential answer's ``value``.
_MONEY_NAMES = frozenset(
    {
        "clv",
        "mean_clv",
        "monetary",
        "amount",
        "value",
        "low",
        "high",
        "expected_cash",
        "priority_score",
    }
)
_MONEY_SUFFIXES = (
    "_balance",
    "_amount",
    "_value",
    "_spend",
    "_credit",
    "_limit",
    "_exposure",
)
_MONEY_PREFIXES = (
    "aging_",
    "potential_spend",
    "clv_",
    "expected_spend",
    "monetary_",
)
_PERCENT_NAMES = frozenset({"probability", "credit_use"})
_INTEGER_NAMES = frozenset(
    {
        "rank",
        "tier",
        "previous_tier",
        "frequency",
        "accounts",
        "invoices",
        "line",
        "recency_days",
        "days_past_due",
        "position",
        "week",
        "level",
        "minutes",
    }
)


def column_kind(name: str, values: pd.Series) -> ColumnKind:
    """Return how column ``name`` with ``values`` is shown (see the module rules)."""
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(values):
        return "date"
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(
        values
    )
    if not numeric:
        return "text"
    if (
        name.startswith(("p_", "mean_p_", "share"))
        or name.endswith("_rate")
        or name in _PERCENT_NAMES
    ):
        return "percent"
    if is_money_name(name):
        return "money"
    if name in _INTEGER_NAMES or name.endswith("_days") or name.startswith("n_"):
        return "integer"
    if pd.api.types.is_integer_dtype(values):
        return "integer"
    return "number"


def is_money_name(name: str) -> bool:
    """Return whether a column or field called ``name`` is an amount of money."""
    return (
        name in _MONEY_NAMES
        or name.endswith(_MONEY_SUFFIXES)
        or name.startswith(_MONEY_PREFIXES)
    )


def round_money(frame: pd.DataFrame, minor_units: int) -> pd.DataFrame:
    """Return a copy of ``frame`` with its float money columns rounded.

    Parameters
    ----------
    frame
        Any table; only float columns whose :func:`column_kind` is ``"money"``
        change.
    minor_units
        Decimal places of the currency (2 for cents).
    """
    rounded = frame.copy()
    for name in frame.columns:
        values = frame[name]
        if values.dtype.kind == "f" and column_kind(str(name), values) == "money":
            rounded[name] = values.round(minor_units)
    return rounded


def round_money_fields(data: Any, minor_units: int) -> Any:
    """Return ``data`` with every float under a money key rounded.

    ``data`` is JSON-like: dicts, lists and scalars, such as ``answers.json``.
    A float is rounded when its dict key names money (:func:`is_money_name`).
    """
    if isinstance(data, dict):
        return {
            key: round(value, minor_units)
            if isinstance(value, float) and is_money_name(str(key))
            else round_money_fields(value, minor_units)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [round_money_fields(item, minor_units) for item in data]
    return data


def plain_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` whose cells spreadsheets and tables can show.

    Columns of :class:`decimal.Decimal` (money read back from DuckDB) become
    float64, and lists, tuples and sets (such as ``reasons``) become text joined
    with ``"; "``. Other columns are unchanged.
    """
    import pandas as pd

    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype != object:
            continue
        present = values.dropna()
        if len(present) and all(isinstance(v, Decimal) for v in present):
            out[column] = pd.to_numeric(values.astype("float64"))
        elif any(isinstance(v, list | tuple | set) for v in present):
            out[column] = values.map(_join_items)
    return out


def _join_items(value: object) -> object:
    if isinstance(value, list | tuple | set):
        return "; ".join(str(item) for item in value)
    return value


def normalise_segments(segments: pd.DataFrame) -> pd.DataFrame:
    """Return segment profiles with their kind in ``segment_kind``.

    The policy layer names that column ``kind``; both names are accepted.
    """
    if "segment_kind" not in segments.columns and "kind" in segments.columns:
        return segments.rename(columns={"kind": "segment_kind"})
    return segments


def ageing_columns(accounts: pd.DataFrame) -> list[str]:
    """Return the ``aging_*`` columns of ``accounts`` in their order, current first."""
    return [c for c in accounts.columns if str(c).startswith("aging_")]


def ageing_summary(result: RunResult) -> pd.DataFrame:
    """Sum the open balance per ageing bucket.

    Returns
    -------
    pandas.DataFrame
        ``bucket, open_balance, share, accounts, invoices``: one row per
        ``aging_*`` column of ``result.accounts`` in its order. ``open_balance`` is
        in the reporting currency, ``share`` is its share of the total open
        balance (NaN when nothing is open), ``accounts`` counts accounts with a
        positive amount in the bucket and ``invoices`` counts open items in it.
    """
    import pandas as pd

    accounts = plain_frame(result.accounts)
    open_items = result.open_items
    rows = []
    for column in ageing_columns(accounts):
        bucket = column.removeprefix("aging_")
        amounts = pd.to_numeric(accounts[column], errors="coerce").fillna(0.0)
        invoices = 0
        if "bucket" in open_items.columns:
            invoices = int((open_items["bucket"].astype("str") == bucket).sum())
        rows.append(
            {
                "bucket": bucket,
                "open_balance": float(amounts.sum()),
                "accounts": int((amounts > 0).sum()),
                "invoices": invoices,
            }
        )
    summary = pd.DataFrame(
        rows, columns=["bucket", "open_balance", "accounts", "invoices"]
    )
    total = summary["open_balance"].sum()
    share = summary["open_balance"] / total if total else float("nan")
    summary.insert(2, "share", share)
    return summary


def tier_numbers(values: pd.Series) -> pd.Series:
    """Return tiers as nullable integers; text such as ``"2"`` is parsed."""
    import pandas as pd

    return pd.to_numeric(values, errors="coerce").round().astype("Int64")


def tier_summary(accounts: pd.DataFrame) -> pd.DataFrame:
    """Count accounts and sum money per tier.

    Returns
    -------
    pandas.DataFrame
        ``tier, accounts, share, open_balance, overdue_balance`` and ``clv`` when
        ``accounts`` has it: one row per tier in increasing order, including a
        tier with no accounts among 1-3. ``share`` is the share of ranked accounts.
        Accounts without a tier (prospects not yet ranked) are left out.
    """
    import pandas as pd

    frame = plain_frame(accounts)
    frame["tier"] = tier_numbers(frame["tier"])
    frame = frame[frame["tier"].notna()]
    money = [c for c in ("open_balance", "overdue_balance", "clv") if c in frame]
    for column in money:
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    tiers = sorted({1, 2, 3} | {int(t) for t in frame["tier"]})
    grouped = frame.groupby("tier")
    summary = pd.DataFrame({"tier": tiers})
    summary["accounts"] = [int(grouped.size().get(t, 0)) for t in tiers]
    total = summary["accounts"].sum()
    summary["share"] = summary["accounts"] / total if total else 0.0
    for column in money:
        sums = grouped[column].sum(min_count=1)
        summary[column] = [float(sums.get(t, 0.0)) for t in tiers]
    return summary


def tier_movement(accounts: pd.DataFrame) -> pd.DataFrame | None:
    """Cross-count accounts by tier at the last run (rows) and now (columns).

    Returns
    -------
    pandas.DataFrame or None
        Index ``from_tier`` (an integer tier, or ``"new"`` for accounts without a
        previous tier), one column per current tier, counts of accounts. ``None``
        when ``accounts`` has no ``previous_tier`` or no account has one, which is
        the case on a first run.
    """
    import pandas as pd

    if "previous_tier" not in accounts.columns:
        return None
    previous = tier_numbers(accounts["previous_tier"])
    if previous.notna().sum() == 0:
        return None
    current = tier_numbers(accounts["tier"])
    keep = current.notna()
    rows = previous[keep].astype("object").where(previous[keep].notna(), "new")
    table = pd.crosstab(rows.rename("from_tier"), current[keep].rename("tier"))
    order = sorted(t for t in table.index if t != "new")
    order += ["new"] if "new" in table.index else []
    return table.reindex(order).fillna(0).astype("int64")
