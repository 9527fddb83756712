"""Column typing shared by the risk and conversion models."""

from __future__ import annotations

import pandas as pd


def is_text(values: pd.Series) -> bool:
    """Return whether a column contains text (string, object or categorical dtype)."""
    return (
        pd.api.types.is_string_dtype(values)
        or pd.api.types.is_object_dtype(values)
        or isinstance(values.dtype, pd.CategoricalDtype)
    )


def is_number(values: pd.Series) -> bool:
    """Return whether a column contains numbers. Booleans do not count."""
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(
        values
    )


def parse_numeric_text(values: pd.Series) -> pd.Series:
    """Return a text column as float64 when every filled cell reads as a number.

    ``cartera.io`` hands over the columns outside the canonical tables as text,
    so ``"15"`` and ``"2.5"`` arrive as strings. Other columns are returned
    unchanged.

    NOTE: only a ``.`` decimal mark is read; a text column written with decimal
    commas stays text and is used as categories.
    """
    if not is_text(values) or isinstance(values.dtype, pd.CategoricalDtype):
        return values
    text = values.astype("string").str.strip()
    filled = text.dropna()
    if filled.empty:
        return values
    numbers = pd.to_numeric(filled, errors="coerce")
    if numbers.isna().any():
        return values
    return pd.to_numeric(text, errors="coerce").astype("float64")
