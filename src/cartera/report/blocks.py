"""HTML building blocks of the report: sections, notes, tables and figures.

Every function escapes the text it is given; callers pass plain strings.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from cartera.report.i18n import (
    column_label,
    format_date,
    format_integer,
    format_number,
    format_percent,
    is_missing,
    translate,
)
from cartera.report.tables import ColumnKind, column_kind, plain_frame

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

    from cartera.result import RunResult

_PLOT_CONFIG = {"displaylogo": False, "responsive": True}


def section(section_id: str, heading: str, *parts: str) -> str:
    body = "\n".join(parts)
    return (
        f'<section id="{section_id}">\n<h2>{escape(heading)}</h2>\n{body}\n</section>'
    )


def note(text: str, css_class: str = "note") -> str:
    return f'<p class="{css_class}">{escape(text)}</p>'


def figure_html(figure: go.Figure, div_id: str) -> str:
    """Return the ``<div>`` and script of one figure; plotly.js is in the head."""
    html: str = figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        config=_PLOT_CONFIG,
    )
    return f'<div class="chart">{html}</div>'


def run_currency(result: RunResult) -> str | None:
    currency = result.run.get("reporting_currency")
    if currency is None:
        money = result.run.get("config", {}).get("money", {})
        currency = money.get("reporting_currency") if isinstance(money, dict) else None
    return str(currency) if currency else None


def money_text(value: Any, lang: str, currency: str | None) -> str:
    number = format_number(value, lang)
    return f"{number} {currency}" if currency and not is_missing(value) else number


def format_cell(value: Any, kind: ColumnKind, lang: str) -> str:
    if is_missing(value):
        return ""
    if kind == "date":
        return format_date(value, lang)
    if kind in ("money", "number"):
        return format_number(value, lang, 2)
    if kind == "integer":
        return format_integer(value, lang)
    if kind == "percent":
        return format_percent(value, lang)
    return str(value)


def table_html(
    frame: pd.DataFrame,
    lang: str,
    *,
    limit: int | None = None,
    css_class: str = "",
    css_id: str = "",
) -> str:
    """Return ``frame`` as an escaped HTML table, cut to ``limit`` rows with a note.

    Columns with no value at all are left out; the workbook keeps them.
    """
    frame = plain_frame(frame)
    if len(frame):
        frame = frame[[c for c in frame.columns if frame[c].notna().any()]]
    total = len(frame)
    shown = frame if limit is None else frame.head(limit)

    kinds = {c: column_kind(str(c), frame[c]) for c in frame.columns}
    numeric = {c for c, kind in kinds.items() if kind not in ("text", "date")}
    # Text longer than this wraps; shorter text (ids, codes) stays on one line.
    long_text = {
        c
        for c, kind in kinds.items()
        if kind == "text" and shown[c].astype("str").str.len().max() > 40
    }
    head = "".join(
        f'<th class="num">{escape(column_label(str(c), lang))}</th>'
        if c in numeric
        else f"<th>{escape(column_label(str(c), lang))}</th>"
        for c in frame.columns
    )

    body = []
    for row in shown.itertuples(index=False, name=None):
        cells = []
        for column, value in zip(frame.columns, row, strict=True):
            numeric_cell = column in numeric
            wrap = column in long_text
            cells.append(
                cell_html(str(column), value, kinds[column], lang, numeric_cell, wrap)
            )
        body.append(f"<tr>{''.join(cells)}</tr>")

    attributes = f' class="{css_class}"' if css_class else ""
    attributes += f' id="{css_id}"' if css_id else ""
    table = (
        f'<div class="table-wrap"><table{attributes}><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )
    if total > len(shown):
        shown_text = format_integer(len(shown), lang)
        total_text = format_integer(total, lang)
        table += note(
            translate("report.showing", lang, shown=shown_text, total=total_text)
        )
    return table


def cell_html(
    name: str, value: Any, kind: ColumnKind, lang: str, numeric: bool, wrap: bool
) -> str:
    text = escape(format_cell(value, kind, lang))
    if wrap:
        return f'<td class="long">{text}</td>'
    if name in ("tier", "previous_tier") and not is_missing(value):
        tier = format_integer(value, lang)
        return (
            f'<td class="num"><span class="tier tier-{escape(tier)}">{text}</span></td>'
        )
    if not numeric:
        return f"<td>{text}</td>"
    negative = not is_missing(value) and float(value) < 0
    return f'<td class="num{" neg" if negative else ""}">{text}</td>'
