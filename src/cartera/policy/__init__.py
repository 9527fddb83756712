"""The priority policy: segments, score, pyramid, worklist and the four answers.

Every function here is pure: it takes frames and the configuration and returns
frames, so the CLI, the backtest and tests share one code path. Only
:mod:`cartera.policy.history` touches the workspace database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from cartera.config import Config
from cartera.errors import InputError
from cartera.policy._text import check_lang
from cartera.policy.answers import build_answers, render_answers
from cartera.policy.pyramid import TierSizes, assign_tiers, tier_sizes
from cartera.policy.rfm import score_rfm
from cartera.policy.score import EXACT_SCORE, score_accounts
from cartera.policy.segments import (
    ClusterResult,
    attribute_segments,
    behaviour_clusters,
    profile_segments,
)
from cartera.policy.worklist import build_worklist
from cartera.schema import OPEN_ITEM_COLUMNS

__all__ = ["PolicyResult", "apply_policy"]

logger = logging.getLogger(__name__)

# Columns placed first in the ranked accounts, in this order.
LEADING_COLUMNS = (
    "account_id",
    "rank",
    "tier",
    "previous_tier",
    "priority_score",
    "reasons",
    "growth_value",
    "collection_value",
    "prospect_value",
    "attribute_segment",
    "rfm_segment",
    "rfm_score",
    "cluster_segment",
)


@dataclass
class PolicyResult:
    """Outputs of :func:`apply_policy`.

    Attributes
    ----------
    accounts
        One row per account and prospect, sorted by ``rank``: the leading
        columns of :data:`LEADING_COLUMNS`, then every input column.
    worklist
        Collection actions in working order (see :mod:`cartera.policy.worklist`).
    segments
        One profile row per segment of each kind.
    answers
        The four answers as JSON-ready data.
    answers_md
        The four answers as Markdown in the run's language.
    sizes
        Tier sizes before hysteresis.
    rfm_collapsed
        RFM dimension -> distinct scores used, for each collapsed dimension.
    clusters
        The behaviour clustering, or ``None`` when it was not run.
    """

    accounts: pd.DataFrame
    worklist: pd.DataFrame
    segments: pd.DataFrame
    answers: dict[str, Any]
    answers_md: str
    sizes: TierSizes
    rfm_collapsed: dict[str, int] = field(default_factory=dict)
    clusters: ClusterResult | None = None


def _validate(accounts: pd.DataFrame) -> None:
    if "account_id" not in accounts.columns:
        raise InputError(
            "accounts lack the column account_id",
            hint="pass the per-account features, one row per account",
        )
    duplicated = accounts["account_id"].astype(str).duplicated()
    if duplicated.any():
        first = accounts["account_id"].astype(str)[duplicated].iloc[0]
        raise InputError(
            f"account_id {first!r} appears on {int(duplicated.sum()) + 1} or more rows",
            hint="pass one row per account",
        )


def _previous_tier(accounts: pd.DataFrame, previous: pd.DataFrame | None) -> pd.Series:
    if previous is None or previous.empty:
        return pd.Series(pd.NA, index=accounts.index, dtype="Int64")
    if not {"account_id", "tier"} <= set(previous.columns):
        raise InputError(
            "previous tiers lack account_id or tier",
            hint="pass the frame returned by cartera.policy.history.previous_tiers",
        )
    by_account = (
        previous.assign(account_id=previous["account_id"].astype(str))
        .drop_duplicates("account_id", keep="last")
        .set_index("account_id")["tier"]
    )
    return accounts["account_id"].astype(str).map(by_account).astype("Int64")


def _segment(
    accounts: pd.DataFrame, config: Config, lang: str
) -> tuple[pd.DataFrame, dict[str, int], ClusterResult | None]:
    """Add the three segment columns; return them, collapsed RFM scales, clusters."""
    segments = config.segments
    columns = pd.DataFrame(index=accounts.index)
    columns["attribute_segment"] = attribute_segments(
        accounts, segments.attributes, segments.bins, lang
    )

    collapsed: dict[str, int] = {}
    if {"recency_days", "frequency", "monetary"} <= set(accounts.columns):
        rfm = score_rfm(accounts, bins=segments.rfm_bins)
        collapsed = rfm.collapsed
        columns["rfm_segment"] = rfm.scores["rfm_segment"]
        columns["rfm_score"] = rfm.scores["rfm_score"]
    else:
        columns["rfm_segment"] = "no_purchases"
        columns["rfm_score"] = ""

    clusters = behaviour_clusters(
        accounts, max_clusters=segments.max_clusters, lang=lang
    )
    columns["cluster_segment"] = clusters.names
    return columns, collapsed, clusters


def apply_policy(
    accounts: pd.DataFrame,
    open_items: pd.DataFrame | None,
    config: Config,
    *,
    as_of: date,
    lang: str = "en",
    previous: pd.DataFrame | None = None,
    segment_potential: Callable[[pd.Series], pd.DataFrame] | None = None,
) -> PolicyResult:
    """Segment, score, tier and rank accounts; build the worklist and answers.

    Parameters
    ----------
    accounts
        One row per account (and prospect) from the features layer, with any
        value, risk and conversion columns the models produced.
    open_items
        Open invoices as of ``as_of`` (``invoice_id, account_id, open_amount,
        days_past_due`` ...), or ``None`` / empty without receivables.
    config
        The run configuration: ``priority, pyramid, capacity, dunning, segments``
        and ``value.margin`` are read.
    as_of
        The run's as-of date; recorded in the answers.
    lang
        ``"en"`` or ``"es"`` for reasons, names and the Markdown answers.
    previous
        ``account_id, tier, priority_score`` of the previous run, for hysteresis.
    segment_potential
        Function from segment labels per account to potential spend per segment
        (see :func:`cartera.policy.segments.profile_segments`).

    Returns
    -------
    PolicyResult

    Raises
    ------
    InputError
        ``account_id`` is missing or duplicated, or a named attribute is absent.
    ConfigError
        ``lang`` is not supported or the capacity settings are incomplete.
    """
    lang = check_lang(lang)
    _validate(accounts)
    accounts = accounts.reset_index(drop=True)
    accounts["account_id"] = accounts["account_id"].astype(str)

    scores, expected_cash = score_accounts(
        accounts,
        open_items,
        config.priority,
        margin=config.value.margin,
        lang=lang,
        minor_units=config.money.minor_units,
    )
    exact_score = scores.pop(EXACT_SCORE)
    sizes = tier_sizes(len(accounts), config.pyramid, config.capacity)
    previous_tier = _previous_tier(accounts, previous)
    tiers = assign_tiers(
        scores["priority_score"],
        accounts["account_id"],
        sizes,
        previous=previous_tier.astype("float64"),
        margin_share=config.pyramid.hysteresis_margin,
        tie_break=exact_score,
    )
    segment_columns, collapsed, clusters = _segment(accounts, config, lang)

    ranked = pd.concat(
        [
            tiers[["rank", "tier"]],
            previous_tier.rename("previous_tier"),
            scores,
            segment_columns,
            accounts.drop(
                columns=[
                    c
                    for c in accounts.columns
                    if c in LEADING_COLUMNS and c != "account_id"
                ]
            ),
        ],
        axis=1,
    )
    leading = [c for c in LEADING_COLUMNS if c in ranked.columns]
    ranked = ranked[leading + [c for c in ranked.columns if c not in leading]]
    ranked = ranked.sort_values("rank", kind="mergesort").reset_index(drop=True)

    if open_items is None:
        open_items = pd.DataFrame(columns=list(OPEN_ITEM_COLUMNS))
    worklist = build_worklist(
        open_items,
        expected_cash,
        config.dunning,
        tiers=ranked.set_index("account_id")["tier"],
    )
    profiles = profile_segments(
        ranked, lang=lang, segment_potential=segment_potential, clusters=clusters
    )
    answers = build_answers(ranked, worklist, profiles, sizes)
    answers["as_of"] = as_of.isoformat()
    answers["rfm_collapsed"] = collapsed
    logger.info(
        "policy ranked %d accounts into tiers of %s", len(ranked), sizes.as_list()
    )
    return PolicyResult(
        accounts=ranked,
        worklist=worklist,
        segments=profiles,
        answers=answers,
        answers_md=render_answers(answers, lang),
        sizes=sizes,
        rfm_collapsed=collapsed,
        clusters=clusters,
    )
