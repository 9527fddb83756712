"""The outcome of one ``prioritize`` run, as handed to the writers and the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class RunResult:
    """Tables and metadata of one run.

    Attributes
    ----------
    as_of
        The date every feature was computed as of.
    accounts
        One row per account (and prospect), sorted by ``rank``; the columns of
        :data:`cartera.schema.ACCOUNT_OUTPUT_COLUMNS` first, then any others
        (value, risk, segment and attribute columns).
    open_items
        Open invoices at ``as_of``: ``invoice_id, account_id, currency,
        open_amount, days_past_due, bucket`` and optional ``p_late``,
        ``lateness_class``.
    rejects
        ``file, line, column, value, reason``: one row per rejected input row.
    worklist
        Collection actions, one row per open invoice worked, or ``None``.
    segments
        Segment profiles, or ``None`` when no segmentation ran.
    answers
        The four answers as plain data (lists of records per question).
    run
        Metadata written to ``run.json``: inputs, row counts, timings, versions
        and the effective configuration.
    lang
        ``"en"`` or ``"es"``.
    answers_md
        The four answers rendered as Markdown in ``lang``.
    minor_units
        Decimal places of money (2 for cents); the writers round money to them.
    """

    as_of: date
    accounts: pd.DataFrame
    open_items: pd.DataFrame
    rejects: pd.DataFrame
    worklist: pd.DataFrame | None = None
    segments: pd.DataFrame | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    run: dict[str, Any] = field(default_factory=dict)
    lang: str = "en"
    answers_md: str = ""
    minor_units: int = 2
