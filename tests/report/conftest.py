"""Fixtures of the report tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cartera.result import RunResult

from .ledger import build_result


@pytest.fixture
def make_result() -> Callable[[str], RunResult]:
    """Return a function building the hand-made run result in a language."""
    return build_result
