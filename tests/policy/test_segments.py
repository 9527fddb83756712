"""Segments: attribute labels, behaviour cluster names and segment profiles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cartera.errors import InputError
from cartera.policy.segments import (
    _order_by_value,
    attribute_segments,
    behaviour_clusters,
    bin_numeric,
    profile_segments,
)


def _behaviour(seed: int = 3, n: int = 150) -> pd.DataFrame:
    """Three clear groups: big frequent buyers, middling ones, small lapsed ones."""
    rng = np.random.default_rng(seed)
    groups = [(5000.0, 20, 0.1, 0.95), (800.0, 6, 0.3, 0.7), (60.0, 1, 0.6, 0.2)]
    rows = []
    for g, (clv, freq, p_late, p_alive) in enumerate(groups):
        for i in range(n // 3):
            rows.append(
                {
                    "account_id": f"G{g}-{i:03d}",
                    "clv": clv * rng.uniform(0.8, 1.2),
                    "frequency": freq + rng.integers(0, 2),
                    "p_late": p_late + rng.uniform(-0.05, 0.05),
                    "p_alive": p_alive + rng.uniform(-0.05, 0.05),
                }
            )
    return pd.DataFrame(rows)


def test_cluster_names_follow_value():
    accounts = _behaviour()

    result = behaviour_clusters(accounts, max_clusters=6)

    assert result.k == 3
    names = result.names.groupby(accounts["account_id"].str[:2]).unique()
    assert list(names["G0"]) == ["value band 1 of 3"]
    assert list(names["G1"]) == ["value band 2 of 3"]
    assert list(names["G2"]) == ["value band 3 of 3"]


def test_cluster_names_do_not_depend_on_row_order():
    accounts = _behaviour()
    shuffled = accounts.sample(frac=1.0, random_state=11).reset_index(drop=True)

    first = behaviour_clusters(accounts).names.set_axis(accounts["account_id"])
    second = behaviour_clusters(shuffled).names.set_axis(shuffled["account_id"])

    pd.testing.assert_series_equal(first.sort_index(), second.sort_index())


@pytest.mark.parametrize(
    "raw",
    [[0, 0, 1, 1, 2, 2], [2, 2, 0, 0, 1, 1], [1, 1, 2, 2, 0, 0]],
    ids=["identity", "rotated", "rotated-back"],
)
def test_cluster_numbers_ignore_algorithm_labels(raw):
    features = pd.DataFrame({"clv": [900.0, 1100.0, 400.0, 600.0, 10.0, 30.0]})

    ordered = _order_by_value(features, np.array(raw))

    assert ordered.tolist() == [1, 1, 2, 2, 3, 3]


def test_too_few_accounts_make_one_cluster():
    accounts = pd.DataFrame({"account_id": ["A", "B"], "clv": [1.0, 2.0]})

    result = behaviour_clusters(accounts)

    assert result.k == 1
    assert result.names.tolist() == ["value band 1 of 1"] * 2


def test_identical_accounts_make_one_cluster():
    accounts = pd.DataFrame({"account_id": list("ABCDE"), "clv": [5.0] * 5})

    assert behaviour_clusters(accounts).k == 1


@pytest.mark.parametrize(
    ("values", "edges", "expected"),
    [
        ([1, 2, 3, 4, 5], [2, 4], ["n <= 1", "n 2-3", "n 2-3", "n >= 4", "n >= 4"]),
        ([1, 2, 3, 6], [2, 3], ["n <= 1", "n 2", "n >= 3", "n >= 3"]),
        ([0.5, 2.5, 9.0], [1.0, 5.0], ["n < 1", "n [1, 5)", "n >= 5"]),
        ([3, 3, 3], None, ["n 3", "n 3", "n 3"]),
    ],
    ids=["whole-ranges", "whole-single", "real-intervals", "constant"],
)
def test_bin_numeric(values, edges, expected):
    assert bin_numeric(pd.Series(values), edges, "n").tolist() == expected


def test_attribute_segments_combine_attributes():
    accounts = pd.DataFrame(
        {
            "account_id": list("ABCD"),
            "household": ["family", "single", None, "family"],
            "people": [4, 1, 2, None],
        }
    )

    labels = attribute_segments(accounts, ["household", "people"], {"people": [2, 4]})

    assert labels.tolist() == [
        "household=family · people >= 4",
        "household=single · people <= 1",
        "household=unknown · people 2-3",
        "household=family · people=unknown",
    ]


def test_no_attributes_put_everyone_in_one_segment():
    accounts = pd.DataFrame({"account_id": list("AB")})

    assert (
        attribute_segments(accounts, [], {}, "es").tolist() == ["todas las cuentas"] * 2
    )


def test_unknown_attribute_is_an_input_error():
    accounts = pd.DataFrame({"account_id": ["A"]})

    with pytest.raises(InputError, match="household"):
        attribute_segments(accounts, ["household"], {})


def _profiled_accounts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": list("ABC"),
            "attribute_segment": ["all accounts"] * 3,
            "rfm_segment": ["champions", "champions", "at_risk"],
            "cluster_segment": ["value band 1 of 1"] * 3,
            "open_balance": [100.0, 50.0, 25.0],
            "clv": [300.0, 100.0, np.nan],
            "p_late": [0.2, 0.4, 0.9],
        }
    )


def test_profile_without_potential_says_so():
    profiles = profile_segments(_profiled_accounts())

    champions = profiles.set_index(["segment_kind", "segment"]).loc[
        ("rfm", "champions")
    ]
    assert champions["accounts"] == 2
    assert champions["share"] == pytest.approx(2 / 3)
    assert champions["open_balance"] == 150.0
    assert champions["mean_clv"] == 200.0
    assert champions["mean_p_late"] == pytest.approx(0.3)
    assert np.isnan(champions["potential_spend"])
    assert "not estimated" in champions["description"]
    assert set(profiles["segment_kind"]) == {"attribute", "rfm", "cluster"}


def test_profile_with_potential():
    seen: list[list[str]] = []

    def potential(labels: pd.Series) -> pd.DataFrame:
        seen.append(list(labels.index))
        counts = labels.value_counts()
        return pd.DataFrame(
            {
                "segment": counts.index,
                "accounts": counts.to_numpy(),
                "potential_spend": 10.0 * counts.to_numpy(),
                "potential_spend_low": 8.0 * counts.to_numpy(),
                "potential_spend_high": 12.0 * counts.to_numpy(),
            }
        )

    profiles = profile_segments(_profiled_accounts(), segment_potential=potential)

    row = profiles.set_index(["segment_kind", "segment"]).loc[("rfm", "at_risk")]
    assert row["potential_spend"] == 10.0
    assert row["potential_spend_low"] == 8.0
    assert row["potential_spend_high"] == 12.0
    assert "not estimated" not in row["description"]
    assert seen[0] == ["A", "B", "C"]
