"""The four answers a team asks, as plain data and as Markdown.

1. Top accounts by revenue potential: by ``clv``, else expected spend over the
   horizon (``expected_purchases * expected_spend``, the spend per purchase),
   else past spend (``monetary``), with the CLV interval when there is one.
2. Most likely to convert: each account's best chance among buying again
   (``p_alive``), paying on time (``1 - p_late``, else ``1 -
   share_paid_late``, for accounts with an open balance) and becoming a
   customer (``p_convert``, prospects).
3. Who to work first this week: tier 1 in rank order, and the collection
   actions of week 1 of the worklist, with their open amount and expected
   cash in the reporting currency.
4. Potential spend per segment, with its interval, for every segment kind.

The data is JSON-ready: plain ``str``, ``int``, ``float`` and ``None`` for
missing numbers, so the same dictionary goes into ``run.json``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from cartera.policy._text import format_money, format_share, text
from cartera.policy.pyramid import TierSizes

TOP_N = 10
WORK_FIRST_N = 20


def _plain(value: Any) -> Any:
    """Convert numpy and pandas scalars to JSON-ready Python values."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        number = float(value)
        return None if math.isnan(number) else number
    if isinstance(value, (np.bool_,)):
        return bool(value)
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {str(k): _plain(v) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]


def _potential_value(accounts: pd.DataFrame) -> tuple[str, pd.Series]:
    """Return the revenue-potential basis and its value per account (answer 1)."""
    if "clv" in accounts.columns and accounts["clv"].notna().any():
        return "clv", pd.to_numeric(accounts["clv"], errors="coerce")
    if {"expected_purchases", "expected_spend"} <= set(accounts.columns):
        spend = pd.to_numeric(accounts["expected_purchases"], errors="coerce") * (
            pd.to_numeric(accounts["expected_spend"], errors="coerce")
        )
        if spend.notna().any():
            return "expected_spend", spend
    if "monetary" in accounts.columns:
        return "monetary", pd.to_numeric(accounts["monetary"], errors="coerce")
    return "monetary", pd.Series(np.nan, index=accounts.index)


def revenue_potential(accounts: pd.DataFrame, top_n: int = TOP_N) -> dict[str, Any]:
    """Answer 1: the accounts with the most revenue potential."""
    basis, value = _potential_value(accounts)
    frame = pd.DataFrame(
        {
            "account_id": accounts["account_id"].astype(str),
            "tier": accounts["tier"],
            "value": value,
        }
    )
    for bound in ("low", "high"):
        column = f"{basis}_{bound}"
        frame[bound] = (
            pd.to_numeric(accounts[column], errors="coerce")
            if column in accounts.columns
            else np.nan
        )
    frame = frame[frame["value"] > 0].sort_values(
        ["value", "account_id"], ascending=[False, True], kind="mergesort"
    )
    return {"basis": basis, "rows": _records(frame.head(top_n))}


def likely_to_convert(accounts: pd.DataFrame, top_n: int = TOP_N) -> dict[str, Any]:
    """Answer 2: the accounts most likely to buy again, pay or become customers."""
    prospect = (
        accounts["is_prospect"].fillna(False).astype(bool)
        if "is_prospect" in accounts.columns
        else pd.Series(False, index=accounts.index)
    )
    chances = {}
    if "p_alive" in accounts.columns:
        chances["buy_again"] = pd.to_numeric(accounts["p_alive"]).where(~prospect)
    late = [c for c in ("p_late", "share_paid_late") if c in accounts.columns]
    if late and "open_balance" in accounts.columns:
        has_balance = pd.to_numeric(accounts["open_balance"]).fillna(0) > 0
        p_late = pd.to_numeric(accounts[late[0]])
        if len(late) == 2:
            p_late = p_late.fillna(pd.to_numeric(accounts[late[1]]))
        chances["pay"] = (1 - p_late).where(has_balance)
    if "p_convert" in accounts.columns:
        chances["convert"] = pd.to_numeric(accounts["p_convert"]).where(prospect)
    if not chances:
        return {"rows": []}

    table = pd.DataFrame(chances, index=accounts.index).astype(float)
    best = table.max(axis=1, skipna=True)
    kind = table.fillna(-1.0).idxmax(axis=1)

    frame = pd.DataFrame(
        {
            "account_id": accounts["account_id"].astype(str),
            "tier": accounts["tier"],
            "kind": kind,
            "probability": best,
            "priority_score": accounts["priority_score"],
        }
    ).dropna(subset=["probability"])
    frame = frame.sort_values(
        ["probability", "priority_score", "account_id"],
        ascending=[False, False, True],
        kind="mergesort",
    )
    return {"rows": _records(frame.drop(columns="priority_score").head(top_n))}


def work_first(
    accounts: pd.DataFrame, worklist: pd.DataFrame | None, top_n: int = WORK_FIRST_N
) -> dict[str, Any]:
    """Answer 3: tier 1 accounts in rank order and this week's collection actions."""
    first = accounts[accounts["tier"] == 1].sort_values("rank")
    columns = ["rank", "account_id", "tier", "priority_score", "reasons"]
    result: dict[str, Any] = {
        "tier1_accounts": len(first),
        # Every answer keeps its main table under "rows", as the report reads it.
        "rows": _records(first[columns].head(top_n)),
        "collections": [],
    }
    if worklist is not None and len(worklist):
        week1 = worklist[worklist["week"] == 1]
        keep = [
            "position",
            "invoice_id",
            "account_id",
            "reporting_open_amount",
            "days_past_due",
            "action",
            "channel",
            "expected_cash",
        ]
        result["collections"] = _records(week1[keep].head(top_n))
        result["collection_actions_week1"] = len(week1)
    return result


def segment_potential(segments: pd.DataFrame) -> dict[str, Any]:
    """Answer 4: potential spend per segment, with its interval."""
    estimated = bool(len(segments)) and bool(segments["potential_spend"].notna().any())
    keep = [
        "segment_kind",
        "segment",
        "name",
        "accounts",
        "potential_spend",
        "potential_spend_low",
        "potential_spend_high",
    ]
    return {
        "estimated": estimated,
        "rows": _records(segments[keep]) if len(segments) else [],
    }


def build_answers(
    accounts: pd.DataFrame,
    worklist: pd.DataFrame | None,
    segments: pd.DataFrame,
    sizes: TierSizes,
) -> dict[str, Any]:
    """Gather the four answers as JSON-ready data."""
    return {
        "tier_sizes": sizes.as_list(),
        "revenue_potential": revenue_potential(accounts),
        "likely_to_convert": likely_to_convert(accounts),
        "work_first": work_first(accounts, worklist),
        "segment_potential": segment_potential(segments),
    }


def _table(header: list[str], rows: list[list[str]], lang: str) -> list[str]:
    if not rows:
        return [text(lang, "no_rows"), ""]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    # A pipe inside a cell would end the cell early.
    lines += [
        "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
        for cells in rows
    ]
    return [*lines, ""]


def _interval(low: float | None, high: float | None, lang: str) -> str:
    if low is None or high is None:
        return "-"
    return f"{format_money(low, lang)} – {format_money(high, lang)}"


def render_answers(answers: dict[str, Any], lang: str = "en") -> str:
    """Render the four answers as Markdown in ``lang``."""
    n1, n2, n3 = answers["tier_sizes"]
    money = lambda v: format_money(v, lang) if v is not None else "-"  # noqa: E731
    lines = [
        f"# {text(lang, 'answers_title')}",
        "",
        text(lang, "tier_sizes", n1=n1, n2=n2, n3=n3),
        "",
    ]

    revenue = answers["revenue_potential"]
    basis_key = {"clv": "value_basis_clv", "expected_spend": "value_basis_spend"}
    lines += [
        f"## {text(lang, 'q_revenue')}",
        "",
        text(lang, basis_key.get(revenue["basis"], "value_basis_monetary")),
        "",
    ]
    lines += _table(
        [
            text(lang, "col_account"),
            text(lang, "col_tier"),
            text(lang, "col_value"),
            text(lang, "col_interval"),
        ],
        [
            [
                r["account_id"],
                str(r["tier"]),
                money(r["value"]),
                _interval(r["low"], r["high"], lang),
            ]
            for r in revenue["rows"]
        ],
        lang,
    )

    convert = answers["likely_to_convert"]
    lines += [f"## {text(lang, 'q_convert')}", ""]
    lines += _table(
        [
            text(lang, "col_account"),
            text(lang, "col_tier"),
            text(lang, "col_kind"),
            text(lang, "col_probability"),
        ],
        [
            [
                r["account_id"],
                str(r["tier"]),
                text(lang, f"kind_{r['kind']}"),
                format_share(r["probability"], lang),
            ]
            for r in convert["rows"]
        ],
        lang,
    )

    first = answers["work_first"]
    lines += [f"## {text(lang, 'q_work_first')}", ""]
    lines += _table(
        [
            text(lang, "col_rank"),
            text(lang, "col_account"),
            text(lang, "col_score"),
            text(lang, "col_reasons"),
        ],
        [
            [str(r["rank"]), r["account_id"], money(r["priority_score"]), r["reasons"]]
            for r in first["rows"]
        ],
        lang,
    )
    if first["collections"]:
        lines += [f"### {text(lang, 'q_work_first_collect')}", ""]
        lines += _table(
            [
                text(lang, "col_invoice"),
                text(lang, "col_account"),
                text(lang, "col_amount"),
                text(lang, "col_days"),
                text(lang, "col_action"),
                text(lang, "col_expected"),
            ],
            [
                [
                    r["invoice_id"],
                    r["account_id"],
                    money(r["reporting_open_amount"]),
                    str(r["days_past_due"]),
                    r["action"],
                    money(r["expected_cash"]),
                ]
                for r in first["collections"]
            ],
            lang,
        )

    potential = answers["segment_potential"]
    lines += [f"## {text(lang, 'q_segments')}", ""]
    if not potential["estimated"]:
        lines += [text(lang, "potential_missing"), ""]
    else:
        lines += _table(
            [
                text(lang, "col_kind_segment"),
                text(lang, "col_segment"),
                text(lang, "col_accounts"),
                text(lang, "col_potential"),
                text(lang, "col_interval"),
            ],
            [
                [
                    r["segment_kind"],
                    r["name"],
                    str(r["accounts"]),
                    money(r["potential_spend"]),
                    _interval(
                        r["potential_spend_low"], r["potential_spend_high"], lang
                    ),
                ]
                for r in potential["rows"]
            ],
            lang,
        )
    return "\n".join(lines).rstrip() + "\n"
