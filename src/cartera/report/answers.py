"""The four answers of a run as tables for the report.

``RunResult.answers`` maps each question to either a list of records or a
dictionary from the policy layer. The dictionary shapes handled here:

1. ``revenue_potential``: ``{"basis": "clv", "rows": [...]}``. The row columns
   ``value``, ``low`` and ``high`` are renamed after the basis (``clv``,
   ``clv_low``, ``clv_high``), so the table says which value it shows.
2. ``likely_to_convert``: ``{"rows": [...]}``; the ``kind`` of each row
   (``buy_again``, ``pay``, ``convert``) becomes a translated ``chance``.
3. ``work_first``: ``{"rows": [...], "collections": [...]}``, two tables:
   tier 1 accounts and this week's collection actions. The tier 1 accounts
   are also read under ``accounts``.
4. ``segment_potential`` (also read as ``segment_spend``): ``{"rows": [...]}``;
   the segment ``kind`` becomes a translated ``segment_kind``.

Any other dictionary shows its ``rows``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cartera.report.i18n import column_value_label, translate

if TYPE_CHECKING:
    import pandas as pd

ANSWER_KEYS = (
    "revenue_potential",
    "likely_to_convert",
    "work_first",
    "segment_potential",
)
_ALIASES = {"segment_potential": ("segment_potential", "segment_spend")}
# Each part of a multi-table question: its subheading and the keys it is read from.
_PARTS = {
    "work_first": (
        ("accounts", ("rows", "accounts")),
        ("collections", ("collections",)),
    )
}


def answer_tables(
    answers: dict[str, Any], key: str, lang: str
) -> list[tuple[str | None, pd.DataFrame]]:
    """Return the tables of answer ``key``, each with its subheading or ``None``.

    An answer that is missing or has no rows gives an empty list.
    """
    import pandas as pd

    answer = next(
        (answers[name] for name in _ALIASES.get(key, (key,)) if name in answers), None
    )
    if not answer:
        return []
    if isinstance(answer, list):
        parts: list[tuple[str | None, Any]] = [(None, answer)]
    elif key in _PARTS:
        parts = [
            (
                translate(f"report.answer_{part}", lang),
                next((answer[k] for k in keys if answer.get(k)), None),
            )
            for part, keys in _PARTS[key]
        ]
    else:
        parts = [(None, answer.get("rows"))]

    tables = []
    for subheading, records in parts:
        if not records:
            continue
        frame = _relabel(pd.DataFrame.from_records(records), answer, key, lang)
        tables.append((subheading, frame))
    return tables


def _relabel(frame: pd.DataFrame, answer: Any, key: str, lang: str) -> pd.DataFrame:
    """Rename and translate the policy layer's generic columns (module rules 1-4)."""
    if key == "revenue_potential" and isinstance(answer, dict) and "basis" in answer:
        basis = str(answer["basis"])
        frame = frame.rename(
            columns={"value": basis, "low": f"{basis}_low", "high": f"{basis}_high"}
        )
    if key == "likely_to_convert" and "kind" in frame.columns:
        frame = frame.rename(columns={"kind": "chance"})
        frame["chance"] = [
            column_value_label("chance", v, lang) for v in frame["chance"]
        ]
    if key == "segment_potential" and "kind" in frame.columns:
        frame = frame.rename(columns={"kind": "segment_kind"})
    if key == "segment_potential" and {"segment", "name"} <= set(frame.columns):
        frame = frame.drop(columns="segment")
    if "segment_kind" in frame.columns:
        frame["segment_kind"] = [
            column_value_label("segment_kind", v, lang) for v in frame["segment_kind"]
        ]
    return frame
