"""The report's last section: how the run was made.

It shows, from ``RunResult`` and its ``run`` metadata (``run.json``):

1. the as-of date, the language and the number of accounts;
2. each input file with its rows read, accepted and rejected, then the first
   rejected rows;
3. the run's notes (statistical doubts), each once;
4. the time per stage, the model chosen and the versions;
5. the effective configuration, folded.

Metadata keys it does not know are shown as plain values, or folded as JSON
when they are nested. The answers, shown earlier in the page, are left out.
"""

from __future__ import annotations

import json
from html import escape
from typing import TYPE_CHECKING, Any

from cartera.report.blocks import note, section, table_html
from cartera.report.i18n import (
    column_value_label,
    format_date,
    format_integer,
    format_number,
    is_missing,
    translate,
)

if TYPE_CHECKING:
    from cartera.result import RunResult

# Rejected rows shown in the page; rejects.csv and the workbook have them all.
REJECT_ROWS = 20
# Metadata keys shown elsewhere in the page, or in a section of their own here.
_SHOWN = {"as_of", "lang", "answers", "inputs", "notes", "timings_seconds"}
_FOLDED = {"config"}


def run_section(result: RunResult, lang: str) -> str:
    """Return the ``run`` section of the report (module rules 1-5)."""
    run = result.run or {}
    facts = [
        (translate("report.as_of", lang), format_date(result.as_of, lang)),
        (translate("report.language", lang), lang),
        (
            translate("report.accounts_total", lang),
            format_integer(len(result.accounts), lang),
        ),
    ]
    parts = [_definitions(facts)]
    parts += _inputs(run.get("inputs"), lang)
    parts += _rejects(result, lang)
    parts += _notes(run.get("notes"), lang)
    parts += _timings(run.get("timings_seconds"), lang)

    others = [(k, v) for k, v in run.items() if k not in _SHOWN]
    if others:
        parts.append(f"<h3>{escape(translate('report.settings', lang))}</h3>")
        parts.append(_metadata(dict(others)))
    return section("run", translate("report.run", lang), *parts)


def _definitions(pairs: list[tuple[str, str]]) -> str:
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in pairs)
    return f"<dl>{items}</dl>"


def _heading(key: str, lang: str) -> str:
    return f"<h3>{escape(translate(key, lang))}</h3>"


def _inputs(inputs: Any, lang: str) -> list[str]:
    """Tabulate ``{table: {path, rows_read, accepted, rejected, ...}}``."""
    import pandas as pd

    if not isinstance(inputs, dict) or not inputs:
        return []
    rows = []
    for table, details in inputs.items():
        row: dict[str, Any] = {"table": table}
        if isinstance(details, dict):
            path = str(details.get("path", ""))
            row["file"] = path.replace("\\", "/").rsplit("/", 1)[-1]
            for key in ("rows_read", "accepted", "rejected"):
                row[key] = details.get(key)
        else:
            row["file"] = str(details)
        rows.append(row)
    frame = pd.DataFrame(rows)
    for key in ("rows_read", "accepted", "rejected"):
        if key in frame:
            frame[key] = pd.to_numeric(frame[key], errors="coerce").astype("Int64")
    return [_heading("report.inputs", lang), table_html(frame, lang, css_id="inputs")]


def _rejects(result: RunResult, lang: str) -> list[str]:
    parts = [_heading("report.rejects", lang)]
    rejects = result.rejects
    if rejects is None or rejects.empty:
        parts.append(note(translate("report.rejects_none", lang)))
        return parts
    count = format_integer(len(rejects), lang)
    parts.append(note(translate("report.rejects_count", lang, count=count)))
    parts.append(table_html(rejects, lang, limit=REJECT_ROWS, css_id="rejects-table"))
    return parts


def _notes(notes: Any, lang: str) -> list[str]:
    if not isinstance(notes, list) or not notes:
        return []
    # A model fitted twice can add the same note twice.
    unique = list(dict.fromkeys(str(n) for n in notes))
    items = "".join(f"<li>{escape(n)}</li>" for n in unique)
    return [_heading("report.notes", lang), f'<ul class="notes">{items}</ul>']


def _timings(timings: Any, lang: str) -> list[str]:
    if not isinstance(timings, dict) or not timings:
        return []
    pairs = [
        (column_value_label("stage", stage, lang), f"{format_number(seconds, lang)} s")
        for stage, seconds in timings.items()
        if not is_missing(seconds)
    ]
    return [_heading("report.timings", lang), _definitions(pairs)]


def _metadata(data: dict[str, Any]) -> str:
    """Render metadata: scalars and flat dictionaries as lists, the rest as JSON.

    JSON longer than 30 lines, and the configuration, start folded.
    """
    scalars = []
    nested = []
    for key, value in data.items():
        flat = isinstance(value, dict) and not any(
            isinstance(v, dict | list | tuple) for v in value.values()
        )
        if flat and key not in _FOLDED:
            pairs = [
                (str(k), "" if is_missing(v) else str(v)) for k, v in value.items()
            ]
            nested.append(
                f"<details open><summary>{escape(str(key))}</summary>"
                f"{_definitions(pairs)}</details>"
            )
        elif isinstance(value, dict | list | tuple):
            text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
            shown = "" if key in _FOLDED or text.count("\n") > 30 else " open"
            nested.append(
                f"<details{shown}><summary>{escape(str(key))}</summary>"
                f"<pre>{escape(text)}</pre></details>"
            )
        else:
            value_text = "" if is_missing(value) else str(value)
            scalars.append((str(key), value_text))
    return (_definitions(scalars) if scalars else "") + "".join(nested)
