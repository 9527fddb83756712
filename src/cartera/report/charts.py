"""Plotly figures of the HTML report.

The functions return :class:`plotly.graph_objects.Figure` objects, or ``None``
when the run has nothing to draw. Text that comes from the user's data (account names,
segment names) is HTML-escaped before it reaches a figure, because plotly.js reads
a few HTML tags in labels and hover text.
"""

from __future__ import annotations

import math
from html import escape
from typing import TYPE_CHECKING, Any

from cartera.report.i18n import (
    bucket_label,
    column_label,
    format_integer,
    format_number,
    tier_label,
    translate,
)
from cartera.report.tables import (
    TIER_COLOURS,
    TIER_TEXT_COLOURS,
    ageing_columns,
    plain_frame,
    tier_numbers,
    tier_summary,
)

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

# Maximum number of points in the value-risk chart, to keep the page light.
MAX_SCATTER_POINTS = 2000
_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"


def _layout(lang: str, **extra: Any) -> dict[str, Any]:
    """Return the layout every figure shares: fonts, margins and separators."""
    layout: dict[str, Any] = {
        "font": {"family": _FONT, "size": 13, "color": "#1f2d3d"},
        "margin": {"l": 60, "r": 20, "t": 20, "b": 50},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        # Decimal mark first, then the thousands separator.
        "separators": ",." if lang == "es" else ".,",
        "hoverlabel": {"font": {"family": _FONT}},
    }
    layout.update(extra)
    return layout


def pyramid_figure(
    accounts: pd.DataFrame, lang: str, currency: str | None = None
) -> go.Figure:
    """Draw the three tiers as the bands of a triangle, tier 1 at the top.

    Bands have equal heights, so the picture reads as a pyramid whatever the
    counts. The label beside each band gives its accounts, open balance and,
    when ``accounts`` has ``clv``, the sum of CLV, in ``currency`` when given.
    """
    import plotly.graph_objects as go

    summary = tier_summary(accounts)
    figure = go.Figure()
    height = len(summary)
    for position, row in enumerate(summary.itertuples(index=False)):
        tier = int(row.tier)  # type: ignore[arg-type]
        top = height - position
        bottom = top - 1
        gap = 0.04
        # The triangle's half-width at height y is (height - y) / 2.
        y_top, y_bottom = top - gap, bottom + gap
        half_top, half_bottom = (height - y_top) / 2, (height - y_bottom) / 2
        key = "report.pyramid_band_one" if row.accounts == 1 else "report.pyramid_band"
        lines = [translate(key, lang, accounts=format_integer(row.accounts, lang))]
        for column in ("open_balance", "clv"):
            if column in summary:
                money = format_number(getattr(row, column), lang)
                money = f"{money} {currency}" if currency else money
                lines.append(f"{column_label(column, lang)}: {money}")
        colour = TIER_COLOURS.get(tier, "#7f8c8d")
        figure.add_trace(
            go.Scatter(
                x=[-half_top, half_top, half_bottom, -half_bottom, -half_top],
                y=[y_top, y_top, y_bottom, y_bottom, y_top],
                fill="toself",
                fillcolor=colour,
                line={"color": colour, "width": 1},
                mode="lines",
                hoveron="fills",
                hoverinfo="text",
                text=f"{tier_label(tier, lang)}: {' · '.join(lines)}",
                name=tier_label(tier, lang),
                showlegend=False,
            )
        )
        figure.add_annotation(
            x=half_bottom + 0.15,
            y=(top + bottom) / 2,
            text=f"<b>{tier_label(tier, lang)}</b><br>{'<br>'.join(lines)}",
            showarrow=False,
            xanchor="left",
            align="left",
        )
        figure.add_annotation(
            x=0,
            y=(top + bottom) / 2 - 0.05,
            text=f"<b>{tier}</b>",
            showarrow=False,
            font={"size": 18, "color": TIER_TEXT_COLOURS.get(tier, "#ffffff")},
        )
    half_base = height / 2
    hidden = {"visible": False, "fixedrange": True}
    figure.update_layout(
        **_layout(lang, height=120 * height + 40, margin={"l": 10, "r": 10, "t": 10}),
        xaxis={**hidden, "range": [-half_base - 0.1, half_base + 2.6]},
        yaxis={**hidden, "range": [-0.05, height + 0.05]},
    )
    return figure


def ageing_figure(accounts: pd.DataFrame, lang: str) -> go.Figure | None:
    """Stack each tier's open balance per ageing bucket; ``None`` without buckets."""
    import pandas as pd
    import plotly.graph_objects as go

    columns = ageing_columns(accounts)
    if not columns:
        return None
    frame = plain_frame(accounts)
    amounts = frame[columns].apply(pd.to_numeric, errors="coerce").fillna(0.0)
    if not amounts.abs().to_numpy().any():
        return None
    labels = [bucket_label(c.removeprefix("aging_"), lang) for c in columns]
    tiers = tier_numbers(frame["tier"])
    figure = go.Figure()
    for tier in sorted(int(t) for t in tiers.dropna().unique()):
        sums = amounts[tiers == tier].sum()
        figure.add_trace(
            go.Bar(
                x=labels,
                y=[float(sums[c]) for c in columns],
                name=tier_label(tier, lang),
                marker_color=TIER_COLOURS.get(tier, "#7f8c8d"),
                hovertemplate="%{x}: %{y:,.2f}<extra>%{fullData.name}</extra>",
            )
        )
    figure.update_layout(
        **_layout(lang, height=380, barmode="relative"),
        xaxis={"title": {"text": translate("axis.bucket", lang)}},
        yaxis={
            "title": {"text": translate("axis.amount", lang)},
            "tickformat": ",.0f",
            "gridcolor": "#e5e8ec",
            "zerolinecolor": "#9aa5b1",
        },
        legend={"orientation": "h", "y": 1.08},
    )
    return figure


def scatter_step(accounts: int) -> int:
    """Return k such that every k-th of ``accounts`` fits the value-risk chart."""
    return max(1, math.ceil(accounts / MAX_SCATTER_POINTS))


def value_risk_figure(
    accounts: pd.DataFrame, lang: str
) -> tuple[go.Figure | None, int]:
    """Plot each account's value against its risk, one trace per tier.

    Value is ``clv``, else ``monetary``. Risk is the first of these that some
    account has: ``p_late``, the overdue share of the open balance, and
    ``1 - p_alive`` (the chance the customer has stopped buying). Above
    :data:`MAX_SCATTER_POINTS` accounts, every k-th account in rank order is
    drawn, so every tier keeps its share of points.

    Returns
    -------
    tuple
        The figure, or ``None`` when the run has no value or risk column, and the
        number of accounts drawn.
    """
    import numpy as np
    import pandas as pd
    import plotly.graph_objects as go

    frame = plain_frame(accounts.iloc[:: scatter_step(len(accounts))])
    value_column = next((c for c in ("clv", "monetary") if c in frame), None)
    risks = _risk_candidates(frame)
    risk_axis, risk = next(((a, r) for a, r in risks if r.notna().any()), ("", None))
    if value_column is None or risk is None:
        return None, 0
    value = pd.to_numeric(frame[value_column], errors="coerce")
    keep = risk.notna() & value.notna()
    if not keep.any():
        return None, 0

    if "open_balance" in frame:
        balance = pd.to_numeric(frame["open_balance"], errors="coerce")
    else:
        balance = pd.Series(0.0, index=frame.index)
    balance = balance.fillna(0.0).clip(lower=0.0)
    scale = math.sqrt(float(balance.max())) or 1.0
    sizes = 7 + 23 * np.sqrt(balance) / scale
    names = frame["name"] if "name" in frame else frame["account_id"]
    labels = [
        escape(str(n if isinstance(n, str) and n else a))
        for n, a in zip(names, frame["account_id"], strict=True)
    ]
    tiers = tier_numbers(frame["tier"])
    figure = go.Figure()
    for tier in sorted(int(t) for t in tiers[keep].dropna().unique()):
        rows = keep & (tiers == tier)
        figure.add_trace(
            go.Scatter(
                x=risk[rows],
                y=value[rows],
                mode="markers",
                name=tier_label(tier, lang),
                marker={
                    "size": sizes[rows],
                    "color": TIER_COLOURS.get(tier, "#7f8c8d"),
                    "line": {"width": 1, "color": "#1f2d3d"},
                    "opacity": 0.8,
                },
                text=[labels[i] for i in np.flatnonzero(rows.to_numpy())],
                hovertemplate="%{text}<br>%{x:.0%} · %{y:,.2f}<extra>"
                "%{fullData.name}</extra>",
            )
        )
    figure.update_layout(
        **_layout(lang, height=440),
        xaxis={
            "title": {"text": translate(risk_axis, lang)},
            "tickformat": ".0%",
            "range": [-0.03, 1.03],
            "gridcolor": "#e5e8ec",
        },
        yaxis={
            "title": {"text": translate(f"axis.{value_column}", lang)},
            **_value_axis(value[keep]),
            "gridcolor": "#e5e8ec",
        },
        legend={"orientation": "h", "y": 1.08},
    )
    return figure, int(keep.sum())


def _value_axis(values: pd.Series) -> dict[str, str]:
    """Return the tick format and range mode of a money axis over ``values``.

    Values within 1 % of each other (a value model that cannot tell accounts
    apart) are drawn from zero, so the chart does not magnify differences of a
    few cents; a narrow range otherwise gets plotly's own tick precision, so
    tick labels stay distinct.
    """
    if not len(values):
        return {"tickformat": ",.0f"}
    low, high = float(values.min()), float(values.max())
    span = high - low
    if span < 0.01 * max(abs(low), abs(high)):
        return {"tickformat": ",.0f", "rangemode": "tozero"}
    return {"tickformat": ",.0f" if span >= 10 else ""}


def _risk_candidates(frame: pd.DataFrame) -> list[tuple[str, pd.Series]]:
    """Return the risk measures ``frame`` allows, as (axis text key, values)."""
    import pandas as pd

    candidates = []
    if "p_late" in frame:
        candidates.append(
            ("axis.p_late", pd.to_numeric(frame["p_late"], errors="coerce"))
        )
    if {"overdue_balance", "open_balance"} <= set(frame.columns):
        open_balance = pd.to_numeric(frame["open_balance"], errors="coerce")
        overdue = pd.to_numeric(frame["overdue_balance"], errors="coerce")
        share = (overdue / open_balance.where(open_balance > 0)).clip(0, 1)
        candidates.append(("axis.overdue_share", share))
    if "p_alive" in frame:
        stopped = 1 - pd.to_numeric(frame["p_alive"], errors="coerce")
        candidates.append(("axis.p_stopped", stopped))
    return candidates


def segment_figure(segments: pd.DataFrame, lang: str) -> go.Figure | None:
    """Draw one segmentation's potential spend per segment with its interval.

    Bars are horizontal, one per row of ``segments`` in its order from the top,
    so long segment names stay readable. Returns ``None`` when no segment has an
    estimate of potential spend.
    """
    import pandas as pd
    import plotly.graph_objects as go

    frame = plain_frame(segments)
    if "potential_spend" not in frame or frame.empty:
        return None
    spend = pd.to_numeric(frame["potential_spend"], errors="coerce")
    if spend.isna().all():
        return None
    spend = spend.fillna(0.0)
    error_x = None
    if {"potential_spend_low", "potential_spend_high"} <= set(frame.columns):
        low = pd.to_numeric(frame["potential_spend_low"], errors="coerce")
        high = pd.to_numeric(frame["potential_spend_high"], errors="coerce")
        error_x = {
            "type": "data",
            "symmetric": False,
            "array": (high - spend).clip(lower=0).fillna(0.0).tolist(),
            "arrayminus": (spend - low).clip(lower=0).fillna(0.0).tolist(),
            "color": "#1f2d3d",
        }
    # The policy layer gives each segment a readable name beside its code.
    names = frame["name"] if "name" in frame else frame["segment"]
    full = [escape(str(s)) for s in names]
    labels = _axis_labels([str(s) for s in names])
    figure = go.Figure(
        go.Bar(
            y=[escape(label) for label in labels],
            x=spend.tolist(),
            orientation="h",
            error_x=error_x,
            customdata=full,
            marker_color=TIER_COLOURS[2],
            hovertemplate="%{customdata}: %{x:,.2f}<extra></extra>",
        )
    )
    figure.update_layout(
        **_layout(
            lang,
            height=90 + 28 * len(frame),
            margin={"l": 10, "r": 20, "t": 10, "b": 50},
        ),
        xaxis={
            "title": {"text": translate("column.potential_spend", lang)},
            "tickformat": ",.0f",
            "gridcolor": "#e5e8ec",
        },
        yaxis={"autorange": "reversed", "automargin": True},
    )
    return figure


def _axis_labels(names: list[str], limit: int = 60) -> list[str]:
    """Shorten ``names`` to ``limit`` characters for an axis, keeping them unique.

    The middle of a long name is cut, because attribute segments differ at their
    end (``... employees 10-49`` and ``... employees 50-249``). plotly draws
    bars with equal category labels as one bar, so a repeated label gets a
    ``(2)``, ``(3)`` suffix.
    """
    head = (limit - 1) // 2
    tail = limit - 1 - head
    labels = []
    seen: dict[str, int] = {}
    for name in names:
        label = name if len(name) <= limit else f"{name[:head]}…{name[-tail:]}"
        seen[label] = seen.get(label, 0) + 1
        labels.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return labels
