"""CSV and JSON files written by cartera, safe to open in a spreadsheet.

Every CSV cartera writes goes through :func:`write_csv`, which applies these rules:

1. A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
   return gets a leading apostrophe, so Excel and LibreOffice show it as text and
   never evaluate it as a formula (the usual defence against CSV injection).
   Numbers, negative ones included, are written as numbers and never changed.
2. English files use ``,`` between fields and ``.`` as the decimal mark, in UTF-8
   without a byte order mark, the form most tools read by default.
3. Spanish files use ``;`` between fields and ``,`` as the decimal mark, in UTF-8
   with a byte order mark. Excel with Spanish regional settings splits a CSV on
   ``;``, because ``,`` is its decimal mark, and without the byte order mark it
   reads the file in the system's legacy code page, which garbles accents.
4. Dates are written as ISO 8601 (``2025-12-31``) in both languages, which every
   spreadsheet reads as a date whatever its locale.

A reader that wants the original text back removes one leading apostrophe from
a cell whose next character is one of the triggers above. The rule is written
here rather than taken from a package so it applies to text cells only and
leaves numbers alone.
"""

from __future__ import annotations

import json
import logging
import math
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cartera.report.files import write_output
from cartera.report.i18n import check_lang, is_missing
from cartera.report.tables import plain_frame

if TYPE_CHECKING:
    import pandas as pd

logger = logging.getLogger(__name__)

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    """Return whether a spreadsheet could read ``text`` as a formula."""
    return text.startswith(FORMULA_TRIGGERS)


def neutralise_text(value: object) -> object:
    """Return a formula-like string with an apostrophe in front, anything else as is."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` with every formula-like text cell neutralised.

    Only string cells change, so numeric columns keep their dtype and values.
    """
    import pandas as pd

    out = plain_frame(frame)
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_string_dtype(values) or values.dtype == object:
            out[column] = values.map(neutralise_text)
    return out


def write_csv(
    frame: pd.DataFrame, path: Path, lang: str = "en", minor_units: int = 2
) -> Path:
    """Write ``frame`` to ``path`` as a CSV safe to open in a spreadsheet.

    Parameters
    ----------
    frame
        The table; the index is not written.
    path
        File to write; its folder is created when missing.
    lang
        ``"en"`` for ``,``-separated UTF-8 with ``.`` decimals, ``"es"`` for
        ``;``-separated UTF-8 with a byte order mark and ``,`` decimals.
    minor_units
        Decimal places that money columns are rounded to (2 for cents).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    InputError
        ``path`` cannot be written.
    ConfigError
        ``lang`` is not supported.
    """
    lang = check_lang(lang)
    spanish = lang == "es"
    safe = _written_numbers(
        neutralise_frame(frame), minor_units, "," if spanish else "."
    )
    text = safe.to_csv(
        index=False,
        sep=";" if spanish else ",",
        decimal="," if spanish else ".",
        date_format="%Y-%m-%d",
        lineterminator="\n",
    )
    write_output(path, text, encoding="utf-8-sig" if spanish else "utf-8")
    logger.info("wrote %s: %d rows", path, len(frame))
    return path


# Decimal places written for shares and other numbers: a precision a reader can
# use without float noise such as 444.6704183855095. Money gets its minor units.
_DECIMALS = {"percent": 4, "number": 4}


def _written_numbers(
    frame: pd.DataFrame, minor_units: int, decimal: str
) -> pd.DataFrame:
    """Return ``frame`` with float columns rounded by their kind for writing.

    Money becomes text of exactly ``minor_units`` decimals, because pandas
    writes a float in its shortest form (``100.1``, ``0.0``) while a ledger
    shows ``100.10`` and ``0.00``. The caller applies the formula guard first,
    which would otherwise quote the leading minus sign of that text.
    """
    from cartera.report.tables import column_kind

    written = frame.copy()
    for name in frame.columns:
        values = frame[name]
        if values.dtype.kind != "f":
            continue
        kind = column_kind(str(name), values)
        if kind == "money":
            rounded = values.round(minor_units)
            written[name] = [
                ""
                if math.isnan(v)
                else f"{v + 0.0:.{minor_units}f}".replace(".", decimal)
                for v in rounded.tolist()
            ]
        elif kind in _DECIMALS:
            written[name] = values.round(_DECIMALS[kind])
    return written


def _json_default(value: Any) -> Any:
    if is_missing(value):
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    # numpy and pandas scalars have item(); numpy arrays have tolist().
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def _finite(value: Any) -> Any:
    """Replace NaN and infinities with ``None``, which JSON can hold."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def write_json(data: Any, path: Path) -> Path:
    """Write ``data`` to ``path`` as indented UTF-8 JSON.

    Dates become ISO 8601 strings, decimals and numpy numbers become JSON
    numbers, NaN and infinities become ``null``, paths become strings and
    pydantic models their JSON form.

    Raises
    ------
    InputError
        ``path`` cannot be written.
    """
    # A round trip through json makes numpy floats plain floats before the NaN pass.
    plain = json.loads(json.dumps(data, default=_json_default, allow_nan=True))
    text = json.dumps(_finite(plain), indent=2, ensure_ascii=False, allow_nan=False)
    write_output(path, text + "\n")
    logger.info("wrote %s", path)
    return path
