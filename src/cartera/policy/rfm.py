"""RFM scores (recency, frequency, monetary) and their named groups.

Business rules:

1. Each dimension is scored from 1 to ``bins``. An account's score is
   ``1 + floor(bins * s)``, where ``s`` is the share of scored accounts with a
   strictly worse value. Tied values therefore always share a score, the worst
   value always scores 1, and no tie can make a bin edge fail. ``pandas.qcut``
   is not used because it raises on duplicate edges.
2. Recency is better when smaller (days since the last purchase); frequency and
   monetary are better when larger.
3. When a dimension uses fewer distinct scores than ``bins`` (or than the
   number of scored accounts, if smaller) because of ties, its scale has
   collapsed: a :class:`~cartera.errors.DataQualityWarning` reports it and
   the result lists the dimension.
4. Accounts without purchases (no recency) are not scored and fall in the group
   ``no_purchases``.
5. Groups are taken from the first matching rule, with ``fm`` the mean of the
   frequency and monetary scores and ``top = bins - 1``:
   champions (r >= top, fm >= top), new (r >= top, f == 1), loyal
   (r >= bins / 2, fm >= bins / 2), promising (r >= bins / 2), at risk
   (fm >= bins / 2), hibernating (the rest).
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cartera.errors import DataQualityWarning, InputError

logger = logging.getLogger(__name__)

RFM_GROUPS = (
    "champions",
    "loyal",
    "new",
    "promising",
    "at_risk",
    "hibernating",
    "no_purchases",
)

DIMENSIONS = {"r": "recency_days", "f": "frequency", "m": "monetary"}


@dataclass
class RfmResult:
    """RFM scores of a set of accounts.

    Attributes
    ----------
    scores
        Indexed like the input: ``r_score, f_score, m_score`` (integers from 1 to
        ``bins``, missing for accounts without purchases), ``rfm_score`` (the
        three digits as text, e.g. ``"545"``) and ``rfm_segment`` (a group of
        :data:`RFM_GROUPS`).
    collapsed
        Dimension column -> number of distinct scores it uses, for every
        dimension whose scale collapsed (rule 3).
    """

    scores: pd.DataFrame
    collapsed: dict[str, int] = field(default_factory=dict)


def quantile_scores(
    values: pd.Series, bins: int, *, higher_is_better: bool
) -> pd.Series:
    """Score ``values`` from 1 to ``bins`` by the share of strictly worse values.

    Missing values get a missing score. Ties share a score.

    Examples
    --------
    >>> quantile_scores(pd.Series([1, 1, 1, 5]), 5, higher_is_better=True).tolist()
    [1, 1, 1, 4]
    """
    present = values.dropna().astype(float)
    keyed = present if higher_is_better else -present
    # rank(method="min") - 1 counts the values strictly below each value.
    below = keyed.rank(method="min") - 1
    share = below / max(len(keyed), 1)
    score = np.clip(1 + np.floor(bins * share.to_numpy()), 1, bins).astype("int64")
    scored = pd.Series(score, index=keyed.index)
    return scored.reindex(values.index).astype("Int64")


def name_groups(r: pd.Series, f: pd.Series, m: pd.Series, bins: int) -> pd.Series:
    """Return the RFM group of each account from its three scores (rule 5)."""
    fm = (f.astype(float) + m.astype(float)) / 2
    rr = r.astype(float)
    top = bins - 1
    mid = bins / 2
    conditions = [
        rr.isna(),
        (rr >= top) & (fm >= top),
        (rr >= top) & (f.astype(float) == 1),
        (rr >= mid) & (fm >= mid),
        rr >= mid,
        fm >= mid,
    ]
    choices = ["no_purchases", "champions", "new", "loyal", "promising", "at_risk"]
    groups = np.select(
        [c.fillna(False).to_numpy(dtype=bool) for c in conditions],
        choices,
        default="hibernating",
    )
    return pd.Series(groups, index=r.index, dtype="str")


def score_rfm(accounts: pd.DataFrame, *, bins: int = 5) -> RfmResult:
    """Score recency, frequency and monetary value and name each account's group.

    Parameters
    ----------
    accounts
        One row per account with ``recency_days`` (days since the last purchase),
        ``frequency`` (number of purchases) and ``monetary`` (spend, currency).
    bins
        Scores per dimension (5 gives the usual 1-5 scale).

    Returns
    -------
    RfmResult
        Scores and groups, plus the dimensions whose scale collapsed.

    Raises
    ------
    InputError
        A dimension column is missing.

    Warns
    -----
    DataQualityWarning
        A dimension's scale collapsed because of ties (rule 3).
    """
    missing = [col for col in DIMENSIONS.values() if col not in accounts.columns]
    if missing:
        raise InputError(
            f"RFM scoring needs columns {', '.join(missing)}, which are missing",
            hint="give transactions or invoices so purchases can be counted",
        )

    has_purchases = accounts["recency_days"].notna()
    scores = pd.DataFrame(index=accounts.index)
    collapsed: dict[str, int] = {}
    for letter, column in DIMENSIONS.items():
        values = accounts[column].where(has_purchases)
        score = quantile_scores(values, bins, higher_is_better=letter != "r")
        scores[f"{letter}_score"] = score
        used = int(score.nunique())
        # Fewer accounts than bins cannot fill the scale: that is no collapse.
        if used < min(bins, int(has_purchases.sum())):
            collapsed[column] = used

    if collapsed:
        listed = ", ".join(f"{col} uses {n} of {bins}" for col, n in collapsed.items())
        warnings.warn(
            f"RFM scale collapsed by ties: {listed} scores",
            DataQualityWarning,
            stacklevel=2,
        )

    digits = scores[["r_score", "f_score", "m_score"]].astype("string")
    scores["rfm_score"] = (
        digits["r_score"] + digits["f_score"] + digits["m_score"]
    ).astype("str")
    scores.loc[~has_purchases, "rfm_score"] = ""
    scores["rfm_segment"] = name_groups(
        scores["r_score"], scores["f_score"], scores["m_score"], bins
    )
    logger.info("scored RFM for %d accounts", int(has_purchases.sum()))
    return RfmResult(scores=scores, collapsed=collapsed)
