"""Tier history: each run's tiers kept in the workspace for the next run.

The table ``tier_history (as_of DATE, account_id VARCHAR, tier INTEGER,
priority_score DOUBLE)`` lives in the DuckDB database of a
:class:`~cartera.engine.Workspace`, so a workspace file carries it from one
run to the next. Recording a run replaces any earlier rows of the same as-of
date, so running twice on one date does not compare a run with itself.
"""

from __future__ import annotations

import logging
from datetime import date

import pandas as pd

from cartera.engine import Workspace
from cartera.errors import InputError

logger = logging.getLogger(__name__)

TABLE = "tier_history"
HISTORY_COLUMNS = ("account_id", "tier", "priority_score")

_CREATE = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    as_of DATE NOT NULL,
    account_id VARCHAR NOT NULL,
    tier INTEGER NOT NULL,
    priority_score DOUBLE NOT NULL
)
"""


def _ensure_table(workspace: Workspace) -> None:
    workspace.con.raw_sql(_CREATE)


def previous_tiers(workspace: Workspace, as_of: date) -> pd.DataFrame | None:
    """Return the tiers of the latest run before ``as_of``, or ``None``.

    Returns
    -------
    pandas.DataFrame or None
        ``account_id, tier, priority_score`` of the most recent recorded as-of
        date strictly before ``as_of``; ``None`` when there is none.
    """
    if not workspace.has_table(TABLE):
        return None
    cursor = workspace.con.raw_sql(
        f"SELECT account_id, tier, priority_score FROM {TABLE} "
        f"WHERE as_of = (SELECT max(as_of) FROM {TABLE} WHERE as_of < ?) "
        "ORDER BY account_id",
        parameters=[as_of],
    )
    frame = cursor.df()
    if frame.empty:
        return None
    frame["account_id"] = frame["account_id"].astype("str")
    frame["tier"] = frame["tier"].astype("int64")
    frame["priority_score"] = frame["priority_score"].astype("float64")
    return frame


def record_tiers(workspace: Workspace, accounts: pd.DataFrame, as_of: date) -> int:
    """Store this run's tiers under ``as_of``, replacing rows of the same date.

    Parameters
    ----------
    workspace
        Workspace whose database keeps the history.
    accounts
        Ranked accounts with ``account_id, tier, priority_score``.
    as_of
        The run's as-of date.

    Returns
    -------
    int
        Rows written.

    Raises
    ------
    InputError
        A history column is missing from ``accounts``.
    """
    missing = [c for c in HISTORY_COLUMNS if c not in accounts.columns]
    if missing:
        raise InputError(
            f"cannot record tiers: accounts lack {', '.join(missing)}",
            hint="record the accounts returned by apply_policy",
        )
    rows = pd.DataFrame(
        {
            "as_of": pd.Timestamp(as_of),
            "account_id": accounts["account_id"].astype(str).to_numpy(),
            "tier": accounts["tier"].astype("int64").to_numpy(),
            "priority_score": accounts["priority_score"].astype(float).to_numpy(),
        }
    )
    _ensure_table(workspace)
    con = workspace.con.con
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"DELETE FROM {TABLE} WHERE as_of = ?", [as_of])
        con.register("_tier_rows", rows)
        con.execute(
            f"INSERT INTO {TABLE} SELECT CAST(as_of AS DATE), account_id, tier, "
            "priority_score FROM _tier_rows"
        )
        con.unregister("_tier_rows")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    logger.info("recorded %d tiers as of %s", len(rows), as_of)
    return len(rows)
