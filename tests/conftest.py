"""Shared fixtures. Real-data tests read the public data sets from CARTERA_DATA."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Folder of the public data sets, or skip when CARTERA_DATA is unset."""
    value = os.environ.get("CARTERA_DATA")
    if not value:
        pytest.skip("CARTERA_DATA is unset: set it to the folder of public data sets")
    path = Path(value)
    if not path.is_dir():
        pytest.fail(f"CARTERA_DATA={value} is not a folder")
    return path
