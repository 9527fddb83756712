"""Fixtures of the feature tests: workspaces built from hand-written rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pytest

from cartera.engine import Workspace
from cartera.schema import TABLES

Rows = list[dict[str, Any]]


def canonical_frame(name: str, rows: Rows) -> pd.DataFrame:
    """Build a frame shaped as ``cartera.schema`` describes from plain rows."""
    frame = pd.DataFrame(rows)
    spec = TABLES.get(name)
    if spec is None:
        return frame
    for column in spec.columns:
        if column.name not in frame.columns:
            continue
        if column.type == "date":
            frame[column.name] = pd.to_datetime(frame[column.name], format="ISO8601")
        elif column.type in ("money", "number"):
            frame[column.name] = frame[column.name].astype("float64")
        elif column.type == "text":
            frame[column.name] = frame[column.name].astype("str")
            frame.loc[pd.DataFrame(rows)[column.name].isna(), column.name] = None
    return frame


@pytest.fixture
def load_ledger() -> Iterator[Callable[..., Workspace]]:
    """Return a function that loads tables (rows or frames) into a new workspace."""
    opened: list[Workspace] = []

    def load(**tables: Rows | pd.DataFrame) -> Workspace:
        ws = Workspace()
        opened.append(ws)
        for name, rows in tables.items():
            frame = (
                rows if isinstance(rows, pd.DataFrame) else canonical_frame(name, rows)
            )
            ws.load(name, frame)
        return ws

    yield load
    for ws in opened:
        ws.close()
