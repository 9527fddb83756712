"""The priority pyramid: cut the ranking into three tiers, with hysteresis.

Business rules:

1. Accounts are ranked by priority score, highest first. Equal scores are
   ordered by the optional tie-break, highest first (the unrounded score, when
   the score is rounded to cents), then by ``account_id``, so the same data
   always gives the same ranking.
2. By shares (``[pyramid] shares``, default 10/30/60 %), tier 1 gets
   ``round(n * s1)`` accounts, and at least one when there are three or more.
   Tiers 1 and 2 together get ``round(n * (s1 + s2))``, and tier 3 the rest.
3. By capacity, tier 1 is the accounts the team can work closely:
   ``floor(minutes * tier1_time_share / minutes_per_contact["1"])``; tier 2 those
   it can touch with the remaining minutes at ``minutes_per_contact["2"]``.
4. Either way tier 1 has no more accounts than tier 2, and tier 2 no more than
   tier 3. Sizes that break this shape are clipped, largest tiers first, and
   the clip is logged.
5. Hysteresis: an account with a tier from the previous run keeps it unless its
   place in this run's ranking passes the boundary between the two tiers by
   more than ``hysteresis_margin``, a share of the accounts ranked. With 1,000
   accounts, shares 10/30/60 and a margin of 0.05, an account from tier 2 moves
   up only if it ranks in the top 50, and one from tier 1 moves down only if it
   ranks below 150. An account may move two tiers when it passes both
   boundaries by the margin. The margin is on ranks, not scores, because
   scores are heavy-tailed: a share of the score range would be set by the
   largest accounts and freeze everyone else in place.
6. The final rank orders accounts by tier, then as rule 1 does.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cartera.config import CapacityConfig, PyramidConfig
from cartera.errors import ConfigError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TierSizes:
    """Number of accounts in each tier, and how the sizes were set."""

    tier1: int
    tier2: int
    tier3: int
    mode: str
    clipped: bool = False

    def as_list(self) -> list[int]:
        return [self.tier1, self.tier2, self.tier3]


def _clip_shape(n: int, tier1: int, tier2: int) -> tuple[int, int, bool]:
    """Clip sizes so that tier 1 <= tier 2 <= tier 3 (rule 4)."""
    clipped1 = min(tier1, n // 3)
    clipped2 = min(tier2, (n - clipped1) // 2)
    clipped2 = max(clipped2, clipped1)
    return clipped1, clipped2, (clipped1, clipped2) != (tier1, tier2)


def sizes_by_shares(n: int, shares: list[float]) -> TierSizes:
    """Size the tiers of ``n`` accounts by shares (rules 2 and 4)."""
    tier1 = round(n * shares[0])
    if n >= 3:
        # A small ledger still gets one account to work first.
        tier1 = max(tier1, 1)
    tier2 = round(n * (shares[0] + shares[1])) - tier1
    tier1, tier2, clipped = _clip_shape(n, tier1, tier2)
    return TierSizes(tier1, tier2, n - tier1 - tier2, "shares", clipped)


def sizes_by_capacity(n: int, capacity: CapacityConfig) -> TierSizes:
    """Size the tiers of ``n`` accounts by the team's weekly minutes (rules 3, 4).

    Raises
    ------
    ConfigError
        ``minutes_per_contact`` lacks tier ``"1"`` or ``"2"``.
    """
    missing = [t for t in ("1", "2") if t not in capacity.minutes_per_contact]
    if missing:
        raise ConfigError(
            "[capacity] minutes_per_contact has no entry for tier "
            f"{', '.join(missing)}",
            hint='give minutes for both tiers, e.g. {"1" = 30, "2" = 10}',
        )
    minutes = capacity.contacts_minutes_per_week
    per1 = capacity.minutes_per_contact["1"]
    per2 = capacity.minutes_per_contact["2"]
    if per1 <= 0 or per2 <= 0:
        raise ConfigError(
            f"[capacity] minutes_per_contact must be positive, got {per1} and {per2}",
            hint="give the minutes one contact takes in each tier",
        )
    tier1 = math.floor(minutes * capacity.tier1_time_share / per1)
    tier2 = math.floor(minutes * (1 - capacity.tier1_time_share) / per2)
    tier1, tier2, clipped = _clip_shape(n, tier1, tier2)
    if clipped:
        logger.info(
            "capacity sizes clipped to %d and %d of %d accounts to keep the pyramid",
            tier1,
            tier2,
            n,
        )
    return TierSizes(tier1, tier2, n - tier1 - tier2, "capacity", clipped)


def tier_sizes(n: int, pyramid: PyramidConfig, capacity: CapacityConfig) -> TierSizes:
    """Size the tiers by the mode named in ``[pyramid] mode``."""
    if pyramid.mode == "capacity":
        return sizes_by_capacity(n, capacity)
    return sizes_by_shares(n, pyramid.shares)


def _rank_keys(
    scores: pd.Series, ids: pd.Series, tie_break: pd.Series | None
) -> list[np.ndarray]:
    """Return :func:`numpy.lexsort` keys of rule 1, least significant first."""
    keys = [ids.astype(str).to_numpy()]
    if tie_break is not None:
        keys.append(-tie_break.to_numpy(dtype=float))
    keys.append(-scores.to_numpy(dtype=float))
    return keys


def rank_order(
    scores: pd.Series, ids: pd.Series, tie_break: pd.Series | None = None
) -> np.ndarray:
    """Return positions in the order of rule 1: score, ``tie_break``, id."""
    return np.lexsort(_rank_keys(scores, ids, tie_break))


def raw_tiers(
    scores: pd.Series,
    ids: pd.Series,
    sizes: TierSizes,
    tie_break: pd.Series | None = None,
) -> pd.Series:
    """Assign tiers by position in the ranking, before hysteresis (rules 1-4)."""
    order = rank_order(scores, ids, tie_break)
    tiers = np.empty(len(scores), dtype="int64")
    tiers[order[: sizes.tier1]] = 1
    tiers[order[sizes.tier1 : sizes.tier1 + sizes.tier2]] = 2
    tiers[order[sizes.tier1 + sizes.tier2 :]] = 3
    return pd.Series(tiers, index=scores.index)


def apply_hysteresis(
    position: np.ndarray,
    tiers: pd.Series,
    previous: pd.Series,
    sizes: TierSizes,
    margin: float,
) -> pd.Series:
    """Keep previous tiers unless the rank passes a boundary by the margin (rule 5).

    Parameters
    ----------
    position
        Share of accounts ranked above each account, in ``[0, 1)``, aligned with
        ``tiers``.
    tiers
        Tiers by position in this run's ranking.
    previous
        Previous tier per account, aligned with ``tiers``; missing for accounts
        new to this run.
    sizes
        Tier sizes of this run; the boundaries are ``tier1 / n`` and ``(tier1 +
        tier2) / n``.
    margin
        Margin as a share of the accounts ranked.
    """
    n = len(tiers)
    if n == 0:
        return tiers
    bounds = (sizes.tier1 / n, (sizes.tier1 + sizes.tier2) / n)
    before = previous.to_numpy(dtype=float, na_value=np.nan)
    result = tiers.to_numpy(dtype="int64").copy()
    for i in np.flatnonzero(np.isin(before, (1.0, 2.0, 3.0))):
        tier = int(before[i])
        # Move up while the rank clears the boundary above by the margin.
        while tier > 1 and position[i] < bounds[tier - 2] - margin:
            tier -= 1
        # Move down while the rank falls past the boundary beneath by the margin.
        while tier < 3 and position[i] >= bounds[tier - 1] + margin:
            tier += 1
        result[i] = tier
    return pd.Series(result, index=tiers.index)


def assign_tiers(
    scores: pd.Series,
    ids: pd.Series,
    sizes: TierSizes,
    *,
    previous: pd.Series | None = None,
    margin_share: float = 0.0,
    tie_break: pd.Series | None = None,
) -> pd.DataFrame:
    """Rank accounts and cut the ranking into tiers (rules 1-6).

    ``tie_break`` orders equal scores before ``account_id`` does, such as the
    unrounded score of accounts whose rounded scores are equal.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``scores``: ``rank`` (1 = work first), ``tier`` and
        ``raw_tier`` (the tier before hysteresis).
    """
    raw = raw_tiers(scores, ids, sizes, tie_break)
    tiers = raw
    if previous is not None and previous.notna().any():
        position = np.empty(len(scores), dtype=float)
        order = rank_order(scores, ids, tie_break)
        position[order] = np.arange(len(scores)) / len(scores)
        tiers = apply_hysteresis(position, raw, previous, sizes, margin_share)
    order = np.lexsort([*_rank_keys(scores, ids, tie_break), tiers.to_numpy()])
    rank = np.empty(len(scores), dtype="int64")
    rank[order] = np.arange(1, len(scores) + 1)
    moved = int((tiers != raw).sum())
    if moved:
        logger.info("hysteresis kept %d accounts in their previous tier", moved)
    return pd.DataFrame(
        {"rank": rank, "tier": tiers, "raw_tier": raw}, index=scores.index
    )
