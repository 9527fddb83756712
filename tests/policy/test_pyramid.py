"""Pyramid: tier shapes, capacity sizing, tie-breaks and hysteresis."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cartera.config import CapacityConfig
from cartera.errors import ConfigError
from cartera.policy.pyramid import (
    TierSizes,
    assign_tiers,
    sizes_by_capacity,
    sizes_by_shares,
)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 7, 10, 11, 99, 100, 2357])
@pytest.mark.parametrize(
    "shares",
    [[0.1, 0.3, 0.6], [0.2, 0.3, 0.5], [0.05, 0.15, 0.8]],
    ids=["10-30-60", "20-30-50", "5-15-80"],
)
def test_share_tiers_keep_pyramid_shape(n, shares):
    sizes = sizes_by_shares(n, shares)

    assert sum(sizes.as_list()) == n
    assert sizes.tier1 <= sizes.tier2 <= sizes.tier3
    assert min(sizes.as_list()) >= 0


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (100, [10, 30, 60]),
        (2357, [236, 707, 1414]),
        (10, [1, 3, 6]),
        (5, [1, 1, 3]),
        (3, [1, 1, 1]),
        (2, [0, 1, 1]),
    ],
    ids=["hundred", "cdnow-sample", "ten", "five", "three", "two"],
)
def test_share_tier_sizes(n, expected):
    assert sizes_by_shares(n, [0.1, 0.3, 0.6]).as_list() == expected


@pytest.mark.parametrize(
    ("n", "minutes", "per", "time_share", "expected"),
    [
        # 600 min: 300 / 30 = 10 close contacts, 300 / 10 = 30 touches.
        (1000, 600.0, {"1": 30.0, "2": 10.0}, 0.5, [10, 30, 960]),
        # 1200 min, 75 % on tier 1: 900 / 45 = 20, 300 / 5 = 60.
        (500, 1200.0, {"1": 45.0, "2": 5.0}, 0.75, [20, 60, 420]),
        # Capacity beyond the accounts: clipped so tier 3 stays the largest.
        (30, 600.0, {"1": 30.0, "2": 10.0}, 0.5, [10, 10, 10]),
        (12, 6000.0, {"1": 30.0, "2": 10.0}, 0.5, [4, 4, 4]),
        # Tier 2 capacity below tier 1: raised to tier 1's size.
        (100, 600.0, {"1": 10.0, "2": 60.0}, 0.5, [30, 30, 40]),
    ],
    ids=["default", "larger-team", "small-book", "tiny-book", "touch-slower"],
)
def test_capacity_sizes(n, minutes, per, time_share, expected):
    capacity = CapacityConfig(
        contacts_minutes_per_week=minutes,
        minutes_per_contact=per,
        tier1_time_share=time_share,
    )

    sizes = sizes_by_capacity(n, capacity)

    assert sizes.as_list() == expected
    assert sizes.tier1 <= sizes.tier2 <= sizes.tier3


def test_capacity_missing_tier_two_minutes():
    capacity = CapacityConfig(minutes_per_contact={"1": 30.0})

    with pytest.raises(ConfigError, match="tier 2"):
        sizes_by_capacity(100, capacity)


def _ranked(
    scores: list[float], ids: list[str] | None = None
) -> tuple[pd.Series, pd.Series]:
    ids = ids or [f"A{i:02d}" for i in range(len(scores))]
    return pd.Series(scores, dtype=float), pd.Series(ids)


def test_equal_scores_break_ties_by_account_id():
    scores, ids = _ranked([5.0, 5.0, 5.0, 5.0], ["d", "b", "a", "c"])

    result = assign_tiers(scores, ids, TierSizes(1, 1, 2, "shares"))

    assert result.set_index(ids)["rank"].to_dict() == {"a": 1, "b": 2, "c": 3, "d": 4}
    assert result.set_index(ids).loc["a", "tier"] == 1


def test_equal_scores_break_ties_by_exact_score():
    # Rounded to cents, leads scoring p_convert 0.806 and 0.814 both score 0.81.
    scores, ids = _ranked([0.81, 0.81, 0.81, 0.80], ["a", "b", "c", "d"])
    exact = pd.Series([0.806, 0.814, 0.806, 0.804], index=scores.index)

    result = assign_tiers(scores, ids, TierSizes(1, 1, 2, "shares"), tie_break=exact)

    ranks = result.set_index(ids)["rank"].to_dict()
    assert ranks == {"b": 1, "a": 2, "c": 3, "d": 4}
    assert result.set_index(ids).loc["b", "tier"] == 1


def test_tiers_follow_scores_without_history():
    scores, ids = _ranked([1.0, 9.0, 5.0, 7.0, 3.0, 2.0])

    result = assign_tiers(scores, ids, TierSizes(1, 2, 3, "shares"))

    assert result["tier"].tolist() == [3, 1, 2, 2, 3, 3]
    assert result["rank"].tolist() == [6, 1, 3, 2, 4, 5]


# Ten accounts ranked by SCORES; sizes 2/3/5 put the boundaries at positions
# 0.2 and 0.5 (shares of accounts ranked above). A margin of 0.15 means moving
# up from tier 2 needs position < 0.05 and moving down from tier 1 needs >= 0.35.
SCORES = [100.0, 88.0, 83.0, 70.0, 60.0, 52.0, 40.0, 30.0, 20.0, 10.0]


@pytest.mark.parametrize(
    ("account", "previous", "expected"),
    [
        (2, 1, 1),  # position 0.2 is within the margin of 0.2: stays in tier 1
        (1, 2, 2),  # position 0.1 is not above 0.05: stays in tier 2
        (0, 2, 1),  # position 0 clears 0.05: moves up
        (4, 1, 2),  # position 0.4 passes 0.35 but not 0.65: one tier down
        (7, 1, 3),  # position 0.7 passes both 0.35 and 0.65: two tiers down
        (0, 3, 1),  # position 0 clears 0.35 and 0.05: two tiers up
        (5, 2, 2),  # position 0.5 is within the margin of 0.5: stays in tier 2
        (4, 3, 3),  # position 0.4 does not clear 0.35: stays in tier 3
        (3, 3, 2),  # position 0.3 clears 0.35 but not 0.05: tier 2
    ],
    ids=[
        "down-within",
        "up-within",
        "up-beyond",
        "down-beyond",
        "two-down",
        "two-up",
        "down-within-lower",
        "up-within-lower",
        "up-one-of-two",
    ],
)
def test_hysteresis(account, previous, expected):
    scores, ids = _ranked(SCORES)
    prior = pd.Series(np.nan, index=scores.index)
    prior[account] = previous

    result = assign_tiers(
        scores, ids, TierSizes(2, 3, 5, "shares"), previous=prior, margin_share=0.15
    )

    assert result.loc[account, "tier"] == expected


def test_zero_margin_follows_this_run():
    scores, ids = _ranked(SCORES)
    prior = pd.Series([3.0] * 10)

    result = assign_tiers(
        scores, ids, TierSizes(2, 3, 5, "shares"), previous=prior, margin_share=0.0
    )

    assert (result["tier"] == result["raw_tier"]).all()


def test_rank_follows_tier_after_hysteresis():
    scores, ids = _ranked(SCORES)
    prior = pd.Series(np.nan, index=scores.index)
    prior[2] = 1  # position 0.2 is tier 2, kept in tier 1 by the margin

    result = assign_tiers(
        scores, ids, TierSizes(2, 3, 5, "shares"), previous=prior, margin_share=0.15
    )

    assert result.loc[2, "raw_tier"] == 2
    assert result.loc[2, "tier"] == 1
    ordered = result.sort_values("rank")["tier"].tolist()
    assert ordered == sorted(ordered)


def test_outlier_score_does_not_freeze_tiers():
    # One huge account makes the score range 100 times the other scores; the
    # margin is on ranks, so a former tier 3 account at the top still moves up.
    scores, ids = _ranked([1e6, *[float(s) for s in range(100, 0, -1)]])
    prior = pd.Series(np.nan, index=scores.index)
    prior[1] = 3

    result = assign_tiers(
        scores,
        ids,
        sizes_by_shares(101, [0.1, 0.3, 0.6]),
        previous=prior,
        margin_share=0.05,
    )

    assert result.loc[1, "tier"] == 1
