"""The HTML report of a run: one self-contained file that opens offline.

The page inlines plotly.js and its own CSS, loads no font, image or script from
anywhere, and declares a Content-Security-Policy that stops the browser from
fetching anything, so opening it sends no request. Sections, in order:

1. headline figures and the pyramid (accounts and money per tier);
2. the four answers as tables;
3. segment profiles with potential spend and its interval;
4. ageing of the open balance per tier;
5. value against risk per account;
6. tier movement since the last run;
7. the worklist;
8. how the run was made: as-of date, inputs, rejects and settings.

Every string that comes from the data or the run metadata is HTML-escaped. Text,
numbers and dates follow ``result.lang`` (see :mod:`cartera.report.i18n`).
"""

from __future__ import annotations

import logging
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from cartera import __version__
from cartera.report import charts
from cartera.report.answers import ANSWER_KEYS, answer_tables
from cartera.report.blocks import (
    figure_html,
    money_text,
    note,
    run_currency,
    section,
    table_html,
)
from cartera.report.files import write_output
from cartera.report.i18n import (
    bucket_label,
    check_lang,
    column_value_label,
    format_date,
    format_integer,
    format_percent,
    tier_label,
    translate,
)
from cartera.report.provenance import run_section
from cartera.report.tables import (
    ageing_summary,
    normalise_segments,
    plain_frame,
    tier_movement,
    tier_summary,
)

if TYPE_CHECKING:
    from cartera.result import RunResult

logger = logging.getLogger(__name__)

SECTION_IDS = (
    "pyramid",
    "answers",
    "segments",
    "ageing",
    "value-risk",
    "movement",
    "worklist",
    "run",
)
# Rows shown in a table before it is cut; the workbook contains every row.
ANSWER_ROWS = 15
WORKLIST_ROWS = 50
SEGMENT_ROWS = 25

# default-src 'none' blocks every fetch; plotly needs inline scripts and styles,
# and draws its toolbar icons and image export from data: and blob: URLs.
_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; "
    "style-src 'unsafe-inline'; img-src data: blob:; font-src data:; "
    "connect-src 'none'; form-action 'none'; base-uri 'none'"
)

_CSS = """
:root { --ink: #1f2d3d; --muted: #5b6b7b; --line: #d9dee4; --band: #f4f6f8;
  --tier1: #1f4e79; --tier2: #2e75b6; --tier3: #bdd7ee; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
header { background: var(--tier1); color: #fff; padding: 24px 40px; }
header h1 { margin: 0; font-size: 28px; }
header p { margin: 4px 0 0; opacity: .85; }
main { max-width: 1200px; margin: 0 auto; padding: 8px 40px 40px; }
section { margin-top: 36px; }
h2 { font-size: 21px; border-bottom: 2px solid var(--line); padding-bottom: 6px; }
h3 { font-size: 16px; margin: 22px 0 8px; }
h4 { font-size: 14px; margin: 12px 0 6px; color: var(--muted); }
.note { color: var(--muted); margin: 4px 0 10px; }
.kpis + .note { margin-top: 16px; }
.kpis { display: flex; gap: 16px; flex-wrap: wrap; margin-top: 24px; }
.kpi { flex: 1 1 180px; background: var(--band); border-radius: 6px;
  padding: 12px 16px; }
.kpi .label { color: var(--muted); font-size: 13px; }
.kpi .value { font-size: 22px; font-weight: 600; }
.grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
  gap: 8px 32px; align-items: start; }
@media (max-width: 900px) { .grid { grid-template-columns: minmax(0, 1fr); } }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: 13.5px; margin: 4px 0 8px; }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--line); text-align: left;
  vertical-align: top; white-space: nowrap; }
td.long { white-space: normal; min-width: 24em; }
th { background: var(--band); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums;
  white-space: nowrap; }
td.neg { color: #b03a2e; }
.tier { display: inline-block; min-width: 1.8em; padding: 0 6px; border-radius: 4px;
  text-align: center; font-weight: 600; }
.tier-1 { background: var(--tier1); color: #fff; }
.tier-2 { background: var(--tier2); color: #fff; }
.tier-3 { background: var(--tier3); color: var(--ink); }
td.same { background: var(--band); font-weight: 600; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dt { color: var(--muted); }
dd { margin: 0; }
ul.notes { margin: 4px 0 8px; padding-left: 20px; color: var(--ink); }
pre { background: var(--band); padding: 12px; overflow-x: auto; font-size: 12.5px; }
footer { color: var(--muted); font-size: 13px; margin-top: 40px; }
@media print { header { background: none; color: var(--ink); } }
"""


def write_report(result: RunResult, path: Path) -> Path:
    """Write the run's HTML report to ``path``.

    Parameters
    ----------
    result
        The run; ``result.lang`` sets the language of the page.
    path
        ``.html`` file to write; its folder is created when missing.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    InputError
        ``path`` cannot be written.
    ConfigError
        ``result.lang`` is not supported.
    """
    page = render_report(result)
    write_output(path, page)
    logger.info("wrote %s: %d bytes", path, len(page.encode("utf-8")))
    return path


def render_report(result: RunResult) -> str:
    """Return the whole HTML page of the run's report."""
    from plotly.offline import get_plotlyjs

    lang = check_lang(result.lang)
    title = translate("report.title", lang)
    subtitle = translate("report.subtitle", lang, as_of=format_date(result.as_of, lang))
    sections = [
        _summary_section(result, lang),
        _answers_section(result, lang),
        _segments_section(result, lang),
        _ageing_section(result, lang),
        _value_risk_section(result, lang),
        _movement_section(result, lang),
        _worklist_section(result, lang),
        run_section(result, lang),
    ]
    footer = escape(translate("report.generated_by", lang, version=__version__))
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)} · {escape(format_date(result.as_of, lang))}</title>\n"
        f"<style>{_CSS}</style>\n"
        f'<script type="text/javascript">{get_plotlyjs()}</script>\n'
        "</head>\n<body>\n"
        f"<header><h1>{escape(title)}</h1><p>{escape(subtitle)}</p></header>\n"
        "<main>\n" + "\n".join(sections) + f"\n<footer>{footer}</footer>\n</main>\n"
        "</body>\n</html>\n"
    )


# Sections -------------------------------------------------------------------


def _summary_section(result: RunResult, lang: str) -> str:
    import pandas as pd

    accounts = plain_frame(result.accounts)
    open_total = pd.to_numeric(accounts["open_balance"], errors="coerce").sum()
    overdue_total = pd.to_numeric(accounts["overdue_balance"], errors="coerce").sum()
    currency = run_currency(result)
    kpis = [
        ("report.accounts_total", format_integer(len(accounts), lang)),
        ("report.open_total", money_text(open_total, lang, currency)),
        ("report.overdue_total", money_text(overdue_total, lang, currency)),
        (
            "report.overdue_share",
            format_percent(
                overdue_total / open_total if open_total > 0 else None, lang
            ),
        ),
    ]
    cards = "".join(
        f'<div class="kpi"><div class="label">{escape(translate(key, lang))}</div>'
        f'<div class="value">{escape(value)}</div></div>'
        for key, value in kpis
    )
    summary = tier_summary(result.accounts)
    return section(
        "pyramid",
        translate("report.pyramid", lang),
        f'<div class="kpis">{cards}</div>',
        note(translate("report.pyramid_note", lang)),
        figure_html(
            charts.pyramid_figure(result.accounts, lang, currency), "pyramid-chart"
        ),
        table_html(summary, lang, css_id="tier-table"),
    )


def _answers_section(result: RunResult, lang: str) -> str:
    parts = []
    for key in ANSWER_KEYS:
        block_id = f"answer-{key.replace('_', '-')}"
        body = [f"<h3>{escape(translate(f'answer.{key}', lang))}</h3>"]
        tables = answer_tables(result.answers, key, lang)
        if not tables:
            body.append(note(translate("report.answer_empty", lang)))
        for subheading, frame in tables:
            if subheading:
                body.append(f"<h4>{escape(subheading)}</h4>")
            body.append(table_html(frame, lang, limit=ANSWER_ROWS, css_class="answer"))
        parts.append(f'<div class="answer-block" id="{block_id}">{"".join(body)}</div>')
    return section("answers", translate("report.answers", lang), *parts)


def _segments_section(result: RunResult, lang: str) -> str:
    heading = translate("report.segments", lang)
    segments = result.segments
    if segments is None or segments.empty:
        return section(
            "segments", heading, note(translate("report.segments_empty", lang))
        )
    segments = normalise_segments(segments)
    parts = []
    kinds = segments.get("segment_kind")
    groups = (
        segments.groupby(kinds, sort=False) if kinds is not None else [("", segments)]
    )
    for index, (kind, frame) in enumerate(groups):
        if kind != "":
            title = column_value_label("segment_kind", kind, lang)
            parts.append(f"<h3>{escape(title)}</h3>")
        # Largest potential first; the chart and table show the top rows only.
        if "potential_spend" in frame and frame["potential_spend"].notna().any():
            frame = frame.sort_values("potential_spend", ascending=False, kind="stable")
        figure = charts.segment_figure(frame.head(SEGMENT_ROWS), lang)
        if figure is None:
            parts.append(note(translate("report.segments_no_potential", lang)))
        else:
            parts.append(note(translate("report.segments_interval", lang)))
        # The readable name replaces the segment's code when there is one.
        hidden = ["segment_kind", "segment"] if "name" in frame else ["segment_kind"]
        table = table_html(
            frame.drop(columns=hidden, errors="ignore"), lang, limit=SEGMENT_ROWS
        )
        chart = figure_html(figure, f"segments-chart-{index}") if figure else ""
        parts.append(f"{chart}\n{table}")
    return section("segments", heading, *parts)


def _ageing_section(result: RunResult, lang: str) -> str:
    heading = translate("report.ageing", lang)
    figure = charts.ageing_figure(result.accounts, lang)
    if figure is None:
        return section("ageing", heading, note(translate("report.ageing_empty", lang)))
    summary = ageing_summary(result)
    summary["bucket"] = [bucket_label(b, lang) for b in summary["bucket"]]
    return section(
        "ageing",
        heading,
        f'<div class="grid"><div>{figure_html(figure, "ageing-chart")}</div>'
        f"<div>{table_html(summary, lang, css_id='ageing-table')}</div></div>",
    )


def _value_risk_section(result: RunResult, lang: str) -> str:
    heading = translate("report.value_risk", lang)
    figure, drawn = charts.value_risk_figure(result.accounts, lang)
    if figure is None:
        return section(
            "value-risk", heading, note(translate("report.value_risk_empty", lang))
        )
    parts = [note(translate("report.value_risk_note", lang))]
    total = len(result.accounts)
    if total > charts.MAX_SCATTER_POINTS:
        parts.append(
            note(
                translate(
                    "report.value_risk_cap",
                    lang,
                    step=format_integer(charts.scatter_step(total), lang),
                    shown=format_integer(drawn, lang),
                    total=format_integer(total, lang),
                )
            )
        )
    parts.append(figure_html(figure, "value-risk-chart"))
    return section("value-risk", heading, *parts)


def _movement_section(result: RunResult, lang: str) -> str:
    heading = translate("report.movement", lang)
    table = tier_movement(result.accounts)
    if table is None:
        return section(
            "movement", heading, note(translate("report.movement_empty", lang))
        )
    header = "".join(
        f'<th class="num">{escape(tier_label(t, lang))}</th>' for t in table
    )
    rows = []
    for source, counts in table.iterrows():
        label = (
            translate("tier.new", lang) if source == "new" else tier_label(source, lang)
        )
        cells = "".join(
            f'<td class="num{" same" if source == tier else ""}">'
            f"{escape(format_integer(count, lang))}</td>"
            for tier, count in counts.items()
        )
        rows.append(f"<tr><th>{escape(label)}</th>{cells}</tr>")
    corner = escape(translate("column.from_tier", lang))
    html_table = (
        '<div class="table-wrap"><table id="movement-table">'
        f"<thead><tr><th>{corner}</th>"
        f"{header}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )
    return section(
        "movement", heading, note(translate("report.movement_note", lang)), html_table
    )


def _worklist_section(result: RunResult, lang: str) -> str:
    import pandas as pd

    heading = translate("report.worklist", lang)
    worklist = result.worklist
    if worklist is None or worklist.empty:
        return section(
            "worklist", heading, note(translate("report.worklist_empty", lang))
        )
    parts = []
    if "expected_cash" in worklist:
        cash = pd.to_numeric(
            plain_frame(worklist)["expected_cash"], errors="coerce"
        ).sum()
        money = money_text(cash, lang, run_currency(result))
        parts.append(note(translate("report.worklist_total", lang, money=money)))
    parts.append(
        table_html(worklist, lang, limit=WORKLIST_ROWS, css_id="worklist-table")
    )
    return section("worklist", heading, *parts)
