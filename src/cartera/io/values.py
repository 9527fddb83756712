"""Parsing text cells into amounts, numbers, booleans and identifiers.

Rules, applied to whole columns at once:

1. Only money and number columns are parsed as numbers. Every other column
   stays text as written, with surrounding spaces removed. That includes codes
   such as ``3.03.001.00514`` and identifiers such as ``007``.
2. An amount may carry a currency symbol or ISO code (``€``, ``$``, ``EUR``),
   spaces, non-breaking spaces or apostrophes as thousands separators, a
   leading or trailing minus, or parentheses for a negative: ``(1.234,50 €)``
   is -1234.50 with a decimal comma.
3. The decimal mark is one per file. It is detected from the money and number
   columns: ``1200,00``, ``-9,1`` and ``1.234,50`` prove a decimal comma,
   ``12.5`` and ``1,234.50`` a decimal point; ``1,234`` and ``1.234`` prove
   nothing. With no proof the mark is ``"."``.
4. Thousands separators must group three digits, so ``1.2.3`` is rejected
   rather than read as 123.
5. Booleans accept Yes/No, Sí/Si/No, true/false, 1/0, Y/N, S/N, T/F and
   verdadero/falso in any case.
6. Currencies are upper-cased ISO 4217 codes; ``€`` and ``£`` become EUR and
   GBP. ``$`` is rejected because several currencies use it.
7. Document types are ``invoice`` or ``credit_note``; the usual English and
   Spanish words for them (factura, abono, nota de crédito...) are mapped.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

# Written without \s, \b or \u escapes so pandas runs them in pyarrow's RE2
# instead of falling back to Python's re, one cell at a time.
_CURRENCY = "[€$£¥]|^[A-Z]{3}|[A-Z]{3}$"
# A cell that looks like a number or an amount in either decimal convention.
LOOSE_NUMBER = r"^[\s(+-]*[€$£]?\s*\d[\d.,\s'’]*\s*[€$£]?[\s)-]*$"
_SPACES = "[ \t\u00a0\u202f'’]"
_NUMBER_POINT = r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d*)(?:\.\d*)?(?:[eE][+-]?\d+)?$"
_NUMBER_COMMA = r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d*)(?:,\d*)?$"
# Shapes that prove the decimal mark; "1,234" and "1.234" prove nothing.
_PROVES_COMMA = r"^\d*(?:\.\d{3})*,\d+$|^\d{1,3}(?:\.\d{3}){2,}$"
_PROVES_POINT = r"^\d*(?:,\d{3})*\.\d+$|^\d{1,3}(?:,\d{3}){2,}$"
_UNPROVEN = r"^\d{1,3}[.,]\d{3}$"

TRUE_WORDS = frozenset(
    {"yes", "y", "si", "s", "true", "t", "1", "1.0", "verdadero", "v"}
)
FALSE_WORDS = frozenset({"no", "n", "false", "f", "0", "0.0", "falso"})

# (table, column) -> folded word -> canonical value.
CHOICES: dict[tuple[str, str], dict[str, str]] = {
    ("invoices", "doc_type"): {
        **dict.fromkeys(["invoice", "inv", "factura", "fac", "fra"], "invoice"),
        **dict.fromkeys(
            [
                "credit_note",
                "credit note",
                "creditnote",
                "credit",
                "cn",
                "abono",
                "nota de credito",
                "nota_credito",
                "nota credito",
                "nc",
                "rectificativa",
                "factura rectificativa",
            ],
            "credit_note",
        ),
    },
}
_CURRENCY_SYMBOLS = {"€": "EUR", "£": "GBP"}


@dataclass
class Parsed:
    """A parsed column with one flag array per kind of problem.

    Attributes
    ----------
    values
        Parsed values; missing or invalid cells hold the type's missing value.
    missing
        Cells that were empty.
    invalid
        Non-empty cells that could not be parsed.
    """

    values: pd.Series
    missing: np.ndarray
    invalid: np.ndarray


def on_uniques(cells: pd.Series, parse: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """Apply ``parse`` to the distinct cells only and spread the results back.

    Dates and amounts repeat a lot, so this keeps parsing cost proportional to
    the distinct values rather than to the rows.
    """
    codes, uniques = pd.factorize(cells, sort=False)
    parsed = parse(pd.Series(uniques, dtype="str"))
    spread = parsed.to_numpy()[codes]
    return pd.Series(spread, index=cells.index, dtype=parsed.dtype)


def clean_text(cells: pd.Series) -> Parsed:
    """Strip surrounding spaces; an empty cell becomes missing."""
    stripped = cells.str.strip()
    missing = (stripped == "").to_numpy()
    values = stripped.where(~missing).astype("str")
    return Parsed(values, missing, np.zeros(len(cells), dtype=bool))


def _unsigned(cells: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Remove currency marks, spaces and the sign of parentheses or a trailing minus.

    Returns the remaining text (a leading sign stays), a flag for negatives
    and a flag for cells with two negative marks, such as ``(-5)``.
    """
    text = cells.str.replace(_CURRENCY, "", regex=True)
    text = text.str.replace(_SPACES, "", regex=True)
    parenthesised = text.str.startswith("(") & text.str.endswith(")")
    text = text.str.slice(1, -1).where(parenthesised, text)
    trailing = text.str.endswith("-")
    text = text.str.slice(0, -1).where(trailing, text)
    negative = parenthesised | trailing
    doubled = negative & text.str.contains("-", regex=False)
    return text, negative, doubled


def detect_decimal(columns: dict[str, pd.Series]) -> tuple[str, str | None]:
    """Return the decimal mark proven by the cells of ``columns``.

    Returns
    -------
    mark, conflict
        The mark, and a description of a conflict when some cells prove a
        comma and others a point (the mark is then the more frequent one).
    """
    comma_examples: list[str] = []
    point_examples: list[str] = []
    comma = point = 0
    for name, cells in columns.items():
        uniques = pd.Series(cells.unique(), dtype="str")
        digits = _unsigned(uniques.str.strip())[0]
        digits = digits.str.replace(r"^[+-]", "", regex=True)
        unproven = digits.str.match(_UNPROVEN)
        proves_comma = digits.str.match(_PROVES_COMMA) & ~unproven
        proves_point = digits.str.match(_PROVES_POINT) & ~unproven
        comma += int(proves_comma.sum())
        point += int(proves_point.sum())
        comma_examples += [f"{v!r} in {name}" for v in uniques[proves_comma][:1]]
        point_examples += [f"{v!r} in {name}" for v in uniques[proves_point][:1]]
    mark = "," if comma > point else "."
    conflict = None
    if comma and point:
        conflict = (
            f"{comma_examples[0]} has a decimal comma but "
            f"{point_examples[0]} has a decimal point"
        )
    return mark, conflict


def parse_numbers(cells: pd.Series, decimal: str) -> Parsed:
    """Parse amounts or numbers written with the given decimal mark into float64."""
    stripped = cells.str.strip()
    missing = (stripped == "").to_numpy()

    def parse(uniques: pd.Series) -> pd.Series:
        digits, negative, doubled = _unsigned(uniques)
        if decimal == ",":
            valid = digits.str.match(_NUMBER_COMMA)
            plain = digits.str.replace(".", "", regex=False).str.replace(
                ",", ".", regex=False
            )
        else:
            valid = digits.str.match(_NUMBER_POINT)
            plain = digits.str.replace(",", "", regex=False)
        valid &= digits.str.contains(r"\d", regex=True) & ~doubled
        numbers = pd.to_numeric(plain.where(valid), errors="coerce").astype("float64")
        return numbers.where(~negative, -numbers)

    values = on_uniques(stripped, parse)
    invalid = values.isna().to_numpy() & ~missing
    return Parsed(values, missing, invalid)


def fold_word(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def parse_choice(cells: pd.Series, choices: dict[str, str]) -> Parsed:
    """Map cells onto canonical values through ``choices`` (keys are folded words)."""
    stripped = cells.str.strip()
    missing = (stripped == "").to_numpy()

    def parse(uniques: pd.Series) -> pd.Series:
        return pd.Series([choices.get(fold_word(u)) for u in uniques], dtype="str")

    values = on_uniques(stripped, parse)
    invalid = values.isna().to_numpy() & ~missing
    return Parsed(values, missing, invalid)


def parse_currency(cells: pd.Series) -> Parsed:
    """Upper-case ISO 4217 codes; ``€`` and ``£`` become EUR and GBP."""
    stripped = cells.str.strip()
    missing = (stripped == "").to_numpy()
    codes = stripped.str.upper().replace(_CURRENCY_SYMBOLS)
    valid = codes.str.fullmatch("[A-Z]{3}").to_numpy()
    invalid = ~valid & ~missing
    values = codes.where(valid).astype("str")
    return Parsed(values, missing, invalid)


def parse_bools(cells: pd.Series) -> Parsed:
    """Parse yes/no style cells into a nullable boolean column.

    A blank cell is missing (``<NA>``), not "no": an unrecorded dispute flag or
    a lead whose outcome is not known yet must not read as ``False``. Invalid
    cells are rejected by the caller.
    """
    stripped = cells.str.strip()
    missing = (stripped == "").to_numpy()
    words = {w: True for w in TRUE_WORDS} | {w: False for w in FALSE_WORDS}

    def parse(uniques: pd.Series) -> pd.Series:
        return pd.Series([words.get(fold_word(u)) for u in uniques], dtype="object")

    found = on_uniques(stripped, parse)
    invalid = found.isna().to_numpy() & ~missing
    values = found.astype("boolean")
    return Parsed(values, missing, invalid)
