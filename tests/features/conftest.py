"""Fixtures of the feature tests: workspaces built from hand-written rows."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pandas as pd
import pytest

from cartera.engine import Workspace
from cartera.errors import DataQualityWarning
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


@pytest.fixture
def data_quality_warnings() -> Callable[[], AbstractContextManager[list[str]]]:
    """Return a context manager that collects the DataQualityWarning messages.

    ``pytest.warns`` would re-emit the libraries' deprecation warnings outside
    the filters that ignore them, so this records only cartera's warning and
    leaves the other warnings to the configured filters.
    """

    @contextmanager
    def collect() -> Iterator[list[str]]:
        messages: list[str] = []
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always", DataQualityWarning)
            yield messages
        messages += [str(w.message) for w in record if w.category is DataQualityWarning]
        assert messages, "no DataQualityWarning was issued"

    return collect
