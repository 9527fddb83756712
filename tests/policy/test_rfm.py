"""RFM scoring: ties never crash, collapsed scales are reported, groups are named."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from cartera.errors import DataQualityWarning, InputError
from cartera.policy.rfm import name_groups, quantile_scores, score_rfm


def _customers(frequency: list[int], recency: list[float], monetary: list[float]):
    return pd.DataFrame(
        {
            "account_id": [f"C{i:02d}" for i in range(len(frequency))],
            "frequency": frequency,
            "recency_days": recency,
            "monetary": monetary,
        }
    )


def test_sixteen_customers_with_one_and_five_purchases():
    # Case from the field: 13 customers with one purchase, 3 with five.
    frequency = [1] * 13 + [5] * 3
    accounts = _customers(
        frequency, list(range(16)), [10.0 * (i + 1) for i in range(16)]
    )

    with pytest.warns(DataQualityWarning, match="frequency uses 2 of 5"):
        result = score_rfm(accounts)

    f = result.scores["f_score"]
    assert f.notna().all()
    assert f.iloc[:13].nunique() == 1
    assert f.iloc[13:].nunique() == 1
    assert f.iloc[13] > f.iloc[0]
    assert result.collapsed == {"frequency": 2}


def test_all_ties_collapse_to_one_score():
    accounts = _customers([2] * 5, [10.0] * 5, [50.0] * 5)

    with pytest.warns(DataQualityWarning):
        result = score_rfm(accounts)

    assert result.scores["r_score"].tolist() == [1] * 5
    assert result.collapsed == {"recency_days": 1, "frequency": 1, "monetary": 1}


def test_distinct_values_use_every_score_without_warning():
    accounts = _customers(list(range(1, 11)), list(range(10)), list(range(10, 20)))

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = score_rfm(accounts)

    assert sorted(result.scores["f_score"].unique()) == [1, 2, 3, 4, 5]
    assert result.collapsed == {}


@pytest.mark.parametrize(
    ("values", "higher_is_better", "expected"),
    [
        ([1, 1, 1, 5], True, [1, 1, 1, 4]),
        ([10, 20, 30, 40, 50], True, [1, 2, 3, 4, 5]),
        ([10, 20, 30, 40, 50], False, [5, 4, 3, 2, 1]),
        ([3, np.nan, 3], True, [1, None, 1]),
    ],
    ids=["ties-share-a-score", "spread", "recency-reversed", "missing-stays-missing"],
)
def test_quantile_scores(values, higher_is_better, expected):
    scores = quantile_scores(
        pd.Series(values, dtype=float), 5, higher_is_better=higher_is_better
    )

    assert [None if pd.isna(s) else int(s) for s in scores] == expected


@pytest.mark.parametrize(
    ("r", "f", "m", "group"),
    [
        (5, 5, 5, "champions"),
        (5, 1, 2, "new"),
        (3, 4, 3, "loyal"),
        (3, 1, 2, "promising"),
        (1, 5, 4, "at_risk"),
        (1, 1, 2, "hibernating"),
    ],
    ids=["champions", "new", "loyal", "promising", "at-risk", "hibernating"],
)
def test_name_groups(r, f, m, group):
    named = name_groups(
        pd.Series([r], dtype="Int64"),
        pd.Series([f], dtype="Int64"),
        pd.Series([m], dtype="Int64"),
        5,
    )

    assert named.iloc[0] == group


def test_accounts_without_purchases_are_not_scored():
    accounts = _customers([1, 3, 0], [5.0, 40.0, np.nan], [20.0, 90.0, 0.0])

    result = score_rfm(accounts)

    assert pd.isna(result.scores["r_score"].iloc[2])
    assert result.scores["rfm_segment"].iloc[2] == "no_purchases"
    assert result.scores["rfm_score"].iloc[2] == ""


def test_missing_column_is_an_input_error():
    accounts = pd.DataFrame({"account_id": ["A"], "frequency": [1]})

    with pytest.raises(InputError, match="recency_days"):
        score_rfm(accounts)


def test_fewer_accounts_than_bins_is_no_collapse():
    accounts = _customers([1, 2, 3], [30.0, 20.0, 10.0], [5.0, 6.0, 7.0])

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = score_rfm(accounts)

    assert result.collapsed == {}
    assert result.scores["f_score"].nunique() == 3
