"""Tier history in the workspace database."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from cartera.engine import Workspace
from cartera.errors import InputError
from cartera.policy.history import previous_tiers, record_tiers


def _run(tiers: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": [f"A{i}" for i in range(len(tiers))],
            "tier": tiers,
            "priority_score": [float(10 - i) for i in range(len(tiers))],
        }
    )


@pytest.fixture
def workspace(tmp_path):
    ws = Workspace(tmp_path / "book.duckdb")
    yield ws
    ws.close()


def test_empty_workspace_has_no_previous(workspace):
    assert previous_tiers(workspace, date(2024, 3, 31)) is None


def test_previous_is_latest_run_before_as_of(workspace):
    record_tiers(workspace, _run([1, 2, 3]), date(2024, 1, 31))
    record_tiers(workspace, _run([2, 1, 3]), date(2024, 2, 29))
    record_tiers(workspace, _run([3, 3, 1]), date(2024, 3, 31))

    previous = previous_tiers(workspace, date(2024, 3, 31))

    assert previous is not None
    assert previous["tier"].tolist() == [2, 1, 3]
    assert previous["account_id"].tolist() == ["A0", "A1", "A2"]


def test_rerun_on_same_date_replaces_rows(workspace):
    record_tiers(workspace, _run([1, 2, 3]), date(2024, 1, 31))
    record_tiers(workspace, _run([3, 2, 1]), date(2024, 1, 31))

    previous = previous_tiers(workspace, date(2024, 2, 29))

    assert previous is not None
    assert len(previous) == 3
    assert previous["tier"].tolist() == [3, 2, 1]


def test_history_survives_reopening(tmp_path):
    path = tmp_path / "book.duckdb"
    first = Workspace(path)
    record_tiers(first, _run([1, 2]), date(2024, 1, 31))
    first.close()

    second = Workspace(path)
    try:
        previous = previous_tiers(second, date(2024, 2, 29))
    finally:
        second.close()

    assert previous is not None
    assert previous["priority_score"].tolist() == [10.0, 9.0]


def test_record_needs_tier_columns(workspace):
    with pytest.raises(InputError, match="tier"):
        record_tiers(workspace, pd.DataFrame({"account_id": ["A"]}), date(2024, 1, 31))
