"""Leakage guard: drop columns that carry the outcome into the features.

Before a model is trained, every candidate column is screened. A column is
dropped, with a :class:`~cartera.errors.LeakageWarning` naming it and the reason,
when any of these holds:

1. It is a settlement field (paid date, days to pay or settle, days late, paid
   amount, status). Those are known only once the outcome is, so they are never
   features, whatever their score.
2. The caller declared it as recorded after the outcome.
3. It is a date, and for most rows it falls on or after the outcome date.
4. Scored alone, it predicts the outcome almost perfectly: the out-of-fold AUC of
   the column's own target encoding reaches ``max_auc``, over all rows or over
   the rows where the column has a value.
5. It reproduces the group average of the outcome (for example a customer's
   share of late invoices computed over the whole ledger, the invoice itself
   included): its rank correlation with the per-group outcome mean reaches
   ``max_group_correlation``.

Rule 4 cannot tell a strong honest column from a mild leak. A column filled in
during follow-up that predicts no better than honest columns do (on the X
Education leads, ``Total Time Spent on Website`` alone scores an AUC of about
0.77) passes the screen, so callers pass such columns in ``exclude``.

scikit-learn's ``TargetEncoder`` cross-fits the same encoding, but it needs
category-typed input and drops the missing level that rule 4 scores. The
encoding is a few lines of pandas, so it is written here.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from cartera.errors import InputError, LeakageWarning

logger = logging.getLogger(__name__)

# Column names, lower case with non-alphanumerics removed, that name a
# settlement field. Matched as substrings: "SettledDate", "days_to_pay",
# "DaysLate", "payment_status".
_SETTLEMENT_NAME = re.compile(
    r"paid|settle|daystopay|dayslate|cleardate|cleared|paymentdate|paymentamount"
    r"|status|isopen|collected|writeoff|writtenoff"
)

# Quantile bins of a numeric column before it is target-encoded.
NUMERIC_BINS = 20


def is_settlement_field(name: str) -> bool:
    """Return whether a column name names a settlement field (rule 1)."""
    return bool(_SETTLEMENT_NAME.search(re.sub(r"[^a-z0-9]", "", name.lower())))


@dataclass(frozen=True)
class LeakageFinding:
    """A dropped column and the reason, as shown in the warning."""

    column: str
    reason: str


@dataclass
class LeakageReport:
    """Outcome of :func:`screen_columns`.

    Attributes
    ----------
    scores
        One row per screened column: ``column, auc, auc_filled, filled_share,
        group_correlation, dropped, reason``. ``auc`` is the out-of-fold AUC of
        the column alone over all rows (missing values as their own level),
        ``auc_filled`` the same over the rows where it has a value.
    dropped
        The dropped columns with their reasons, in screening order.
    kept
        The columns left for the model, in input order.
    """

    scores: pd.DataFrame
    dropped: list[LeakageFinding] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def screen_columns(
    frame: pd.DataFrame,
    target: pd.Series,
    *,
    exclude: Iterable[str] = (),
    outcome_date: pd.Series | None = None,
    groups: pd.Series | None = None,
    max_auc: float = 0.95,
    max_group_correlation: float = 0.9,
    min_filled: int = 30,
    folds: int = 5,
    random_state: int = 0,
    warn: bool = True,
) -> LeakageReport:
    """Score each column of ``frame`` alone and drop the ones that leak.

    Parameters
    ----------
    frame
        Candidate feature columns, one row per training example.
    target
        Binary outcome (0/1 or bool), aligned on ``frame``'s index.
    exclude
        Columns the caller knows are recorded after the outcome (rule 2).
    outcome_date
        Date each outcome became known (for invoices, the settlement date).
        Without it rule 3 is skipped.
    groups
        Group of each row (for invoices, the account). Without it rule 5 is
        skipped.
    max_auc
        Single-column AUC from which a column counts as near perfect (rule 4).
    max_group_correlation
        Absolute Spearman correlation with the group outcome mean from which a
        column counts as a group average of the outcome (rule 5).
    min_filled
        Filled rows needed before ``auc_filled`` is used.
    folds, random_state
        Cross-fitting of the target encoding.
    warn
        Emit one :class:`LeakageWarning` per dropped column.

    Returns
    -------
    LeakageReport

    Raises
    ------
    InputError
        ``target`` is not aligned with ``frame`` or does not hold two classes.
    """
    y = _binary_target(frame, target)
    declared = set(exclude)
    group_mean = (
        y.groupby(groups.reindex(frame.index)).transform("mean")
        if groups is not None
        else None
    )

    rows = []
    report = LeakageReport(scores=pd.DataFrame())
    for column in frame.columns:
        values = frame[column]
        auc, auc_filled, filled_share = _single_column_auc(
            values, y, min_filled=min_filled, folds=folds, random_state=random_state
        )
        correlation = _group_correlation(values, group_mean)
        reason = _leak_reason(
            column,
            values,
            declared=declared,
            outcome_date=outcome_date,
            scores=(auc, auc_filled, correlation),
            limits=(max_auc, max_group_correlation),
        )
        rows.append(
            {
                "column": column,
                "auc": auc,
                "auc_filled": auc_filled,
                "filled_share": filled_share,
                "group_correlation": correlation,
                "dropped": reason is not None,
                "reason": reason or "",
            }
        )
        if reason is None:
            report.kept.append(column)
            continue
        report.dropped.append(LeakageFinding(column, reason))
        logger.info("leakage guard dropped column %r: %s", column, reason)
        if warn:
            warnings.warn(
                f"column {column!r} dropped from the features: {reason}",
                LeakageWarning,
                stacklevel=2,
            )
    report.scores = pd.DataFrame(
        rows,
        columns=[
            "column",
            "auc",
            "auc_filled",
            "filled_share",
            "group_correlation",
            "dropped",
            "reason",
        ],
    )
    return report


def _binary_target(frame: pd.DataFrame, target: pd.Series) -> pd.Series:
    if not target.index.equals(frame.index):
        raise InputError(
            "the target is not aligned with the feature rows",
            hint="pass the target column of the same frame",
        )
    y = target.astype("float64")
    if y.isna().any() or not set(y.unique()) <= {0.0, 1.0}:
        raise InputError(
            f"target {target.name!r} must be 0/1 or true/false with no blanks",
            hint="fill or drop the rows without an outcome",
        )
    if y.nunique() < 2:
        raise InputError(
            f"target {target.name!r} has one class only ({y.iloc[0]:g})",
            hint="train on a period or sample that holds both outcomes",
        )
    return y


def _leak_reason(
    column: str,
    values: pd.Series,
    *,
    declared: set[str],
    outcome_date: pd.Series | None,
    scores: tuple[float, float, float],
    limits: tuple[float, float],
) -> str | None:
    """Return why ``column`` leaks (rules 1-5), or None when it passes."""
    auc, auc_filled, correlation = scores
    max_auc, max_group_correlation = limits
    if is_settlement_field(column):
        return "settlement field, known only after the outcome"
    if column in declared:
        return "declared as recorded after the outcome"
    if outcome_date is not None and pd.api.types.is_datetime64_any_dtype(values):
        both = values.notna() & outcome_date.notna()
        share = float((values[both] >= outcome_date[both]).mean()) if both.any() else 0
        if share >= 0.5:
            return f"dated on or after the outcome on {share:.0%} of rows"
    best = np.nanmax([auc, auc_filled])
    if best >= max_auc:
        where = "where filled" if auc_filled >= auc else "on all rows"
        return (
            f"predicts the outcome almost perfectly alone "
            f"(AUC {best:.3f} {where}, limit {max_auc:.2f})"
        )
    if correlation >= max_group_correlation:
        return (
            f"reproduces the group average of the outcome "
            f"(rank correlation {correlation:.3f}, limit {max_group_correlation:.2f})"
        )
    return None


def _single_column_auc(
    values: pd.Series, y: pd.Series, *, min_filled: int, folds: int, random_state: int
) -> tuple[float, float, float]:
    """Return out-of-fold AUC on all rows and on filled rows, and the filled share."""
    levels = _levels(values)
    filled = values.notna().to_numpy()
    encoded = _cross_fit_encoding(levels, y, folds=folds, random_state=random_state)
    auc = _auc(y.to_numpy(), encoded)
    auc_filled = np.nan
    if filled.sum() >= min_filled:
        auc_filled = _auc(y.to_numpy()[filled], encoded[filled])
    return auc, auc_filled, float(filled.mean())


def _levels(values: pd.Series) -> pd.Series:
    """Map a column to text levels: numbers and dates by quantile bin, NA as a level."""
    if pd.api.types.is_datetime64_any_dtype(values):
        values = (values - pd.Timestamp(0)).dt.days
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.astype("float64")
        if numbers.nunique() > NUMERIC_BINS:
            ranks = numbers.rank(method="first")
            numbers = pd.qcut(ranks, NUMERIC_BINS, labels=False).astype("float64")
            numbers = numbers.where(values.notna())
        return numbers.map(lambda v: "<NA>" if pd.isna(v) else f"{v:g}")
    return values.astype("string").fillna("<NA>")


def _cross_fit_encoding(
    levels: pd.Series, y: pd.Series, *, folds: int, random_state: int
) -> np.ndarray:
    """Encode each level by the outcome mean of the other folds."""
    splitter = StratifiedKFold(folds, shuffle=True, random_state=random_state)
    encoded = np.empty(len(levels))
    for train, test in splitter.split(levels.to_numpy(), y.to_numpy()):
        means = y.iloc[train].groupby(levels.iloc[train].to_numpy()).mean()
        prior = float(y.iloc[train].mean())
        encoded[test] = levels.iloc[test].map(means).fillna(prior).to_numpy()
    return encoded


def _auc(y: np.ndarray, scores: np.ndarray) -> float:
    if len(np.unique(y)) < 2:
        return np.nan
    auc = float(roc_auc_score(y, scores))
    # The encoding ranks levels by outcome mean, so an AUC below 0.5 is noise.
    return max(auc, 0.5)


def _group_correlation(values: pd.Series, group_mean: pd.Series | None) -> float:
    if group_mean is None:
        return np.nan
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return np.nan
    both = values.notna() & group_mean.notna()
    if both.sum() < 3 or values[both].nunique() < 2 or group_mean[both].nunique() < 2:
        return np.nan
    correlation = values[both].rank().corr(group_mean[both].rank())
    return abs(float(correlation))
