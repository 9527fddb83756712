"""The DuckDB workspace (cartera.engine)."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from cartera.engine import Workspace


def test_load_casts_money_to_decimal():
    ws = Workspace()
    frame = pd.DataFrame(
        {"account_id": ["007"], "date": ["2025-01-02"], "amount": [0.1]}
    )
    table = ws.load("transactions", frame)

    assert table.schema()["amount"].is_decimal()
    assert table.to_pandas()["amount"].tolist() == [Decimal("0.10")]
    assert table.to_pandas()["account_id"].tolist() == ["007"]
    ws.close()


def test_materialized_table_dropped_after_block():
    ws = Workspace()
    ws.load("transactions", pd.DataFrame({"account_id": ["A"], "amount": [5.0]}))
    source = ws.table("transactions")

    before = set(ws.con.list_tables())

    with ws.materialized(source.filter(source.amount > 1)) as copy:
        during = set(ws.con.list_tables())
        assert copy.count().to_pyarrow().as_py() == 1
    assert len(during - before) == 1
    assert set(ws.con.list_tables()) == before
    ws.close()


def test_canonical_tables_skip_others():
    ws = Workspace()
    ws.load("accounts", pd.DataFrame({"account_id": ["A"]}))
    ws.con.create_table("scratch", obj=pd.DataFrame({"x": [1]}))

    assert list(ws.canonical_tables()) == ["accounts"]
    ws.close()


def test_memory_limit_is_applied():
    ws = Workspace(memory_limit="512MB")
    setting = ws.con.raw_sql("SELECT current_setting('memory_limit')").fetchone()

    assert setting is not None
    assert setting[0] in ("512.0 MiB", "488.2 MiB")
    ws.close()


def test_drop_canonical_except_keeps_others(tmp_path):
    ws = Workspace(tmp_path / "ws.duckdb")
    ws.load("transactions", pd.DataFrame({"account_id": ["A"], "amount": [5.0]}))
    ws.load("invoices", pd.DataFrame({"account_id": ["B"], "amount": [7.0]}))
    ws.con.create_table("tier_history", obj=pd.DataFrame({"tier": [1]}))

    dropped = ws.drop_canonical_except(["invoices"])

    assert dropped == ["transactions"]
    assert list(ws.canonical_tables()) == ["invoices"]
    assert "tier_history" in ws.con.list_tables()
    ws.close()
