"""Leakage guard: drop columns that carry the outcome into the features.

Before a model is trained, every candidate column is screened. A column is
dropped, with a :class:`~cartera.errors.LeakageWarning` naming it and the reason,
when any of these holds:

1. It is a settlement field (paid date, days to pay or settle, days late, paid
   amount, status). Those are known only once the outcome is, so they are never
   features, whatever their score.
2. The caller declared it as recorded after the outcome, or its name says it
   holds the latest state of something (``Last Activity``, ``LastContactDate``,
   ``última gestión``; see :func:`is_snapshot_field`). Such a field holds its
   value on the day the file was exported, so for a past outcome it was
   recorded after the outcome.
3. It is a date, and for most rows it falls on or after the outcome date.
4. Scored alone, it predicts the outcome almost perfectly: the out-of-fold AUC of
   the column's own target encoding reaches ``max_auc``, over all rows or over
   the rows where the column has a value.
5. It reproduces the group average of the outcome (for example a customer's
   share of late invoices computed over the whole ledger, the invoice itself
   included): its rank correlation with the per-group outcome mean reaches
   ``max_group_correlation``. The mean is taken over the training rows and,
   when the caller passes ``group_rates``, over every row of the file whose
   outcome is known, later rows included (for invoices, the shares late, more
   than 30 and more than 60 days late, and the mean and median days late, over
   every settled invoice and over those settled after the training cut-off).
   A file exported after the training cut-off contains averages over outcomes
   that came later.
   Against the training rows alone such an average looks noisy, but against the
   mean over the whole file it matches exactly. For a share late over three
   invoices per customer, with 54% to 57% of the invoices in training, the rank
   correlation is 0.73 to 0.77 with the first mean and 1.0 with the second.
   Later outcomes can only make the guard drop a column, never give the model a
   value, so the model stays trained on the past.
6. It is a proxy of a partial leak. A partial leak is a dropped column that is
   near perfect where it is filled but not on all rows (for example a status tag
   that staff enter during follow-up). A proxy is a column with an AUC of at
   least ``min_proxy_auc`` alone whose retained share given the partial leak
   (defined below) is at most ``max_retained_share``. Its information on the
   outcome nearly vanishes once the partial leak is known.

The retained share of column ``X`` given a partial leak ``T`` compares what
``X`` still tells about the outcome ``Y`` once ``T`` is known with what the
outcome itself keeps open::

    retained_share = [I(X; Y | T) / I(X; Y)] / [H(Y | T) / H(Y)]

with mutual information ``I`` and entropy ``H`` computed on the same levels that
rule 4 encodes. A column recorded before the outcome acts on the outcome, so it
keeps roughly as large a share of its information as the outcome keeps of its
uncertainty: a retained share near 1. A column filled in during the same
follow-up as ``T`` reaches the outcome only through that follow-up, so its
information is carried by ``T`` and the share is near 0. On the X Education
leads, ``Tags`` leaves 43% of the outcome's uncertainty open. ``Lead Quality``
and ``Lead Profile`` have a retained share of 0.16 and 0.17, while the honest
columns with an AUC of 0.6 or more alone have 0.7 or more (``Lead Origin``
0.76, ``Total Time Spent on Website`` 1.0). A column whose AUC alone is below
``min_proxy_auc`` is not tested, because the ratio of two near-zero amounts of
information is noise. A leak that is near perfect on all rows leaves nothing
open, so every column would look like its proxy. Rule 6 skips such a leak.

Rules 4 and 6 cannot catch a follow-up field that is not tied to a partial leak.
On the X Education leads, ``Last Activity`` and ``Last Notable Activity`` are
recorded after follow-up, but alone they score an AUC of 0.72 and 0.70, and
their retained shares given ``Tags`` (1.5 and 2.3) are as high as those of the
honest columns (0.76 to 2.0), because they carry information that ``Tags`` does
not. Their names give them away, so rule 2 drops them. A follow-up field with
neither such a name nor a tie to a partial leak passes every rule, and callers
pass it in ``exclude``.

scikit-learn's ``TargetEncoder`` cross-fits the same encoding, but it needs
category-typed input and drops the missing level that rule 4 scores. The
encoding is a few lines of pandas, so it is written here.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import mutual_info_score, roc_auc_score
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

# Words that name the latest state of something. Such a column contains its
# value on the day the file was exported, which for a past outcome is after it.
_SNAPSHOT_WORDS = frozenset({"last", "latest", "ultimo", "ultima"})

# Quantile bins of a numeric column before it is target-encoded.
NUMERIC_BINS = 20
# Rule 6 defaults. On the X Education leads, in each of five training folds, the
# proxies of "Tags" have a retained share of at most 0.21 and the honest columns
# with an AUC of 0.6 or more alone have 0.71 or more.
MAX_RETAINED_SHARE = 0.4
MIN_PROXY_AUC = 0.6


def is_settlement_field(name: str) -> bool:
    """Return whether a column name names a settlement field (rule 1)."""
    return bool(_SETTLEMENT_NAME.search(re.sub(r"[^a-z0-9]", "", name.lower())))


def is_snapshot_field(name: str) -> bool:
    """Return whether a column name names the latest state of something (rule 2).

    The name has the word ``last``, ``latest``, ``último`` or ``última``
    (accents ignored), or the words ``most recent``, as in ``Last Activity``,
    ``LastContactDate`` or ``última gestión``. A surname (``Last Name``,
    ``LastName``) is not a snapshot.
    """
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    # Split camel case, then anything that is not a letter or digit.
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", folded)
    words = [w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w]
    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else ""
        if word in _SNAPSHOT_WORDS and following not in ("name", "names"):
            return True
        if word == "most" and following == "recent":
            return True
    return False


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
        group_correlation, retained_share, proxy_of, dropped, reason``. ``auc``
        is the out-of-fold AUC of the column alone over all rows (missing values
        as their own level), ``auc_filled`` the same over the rows where it has a
        value. ``group_correlation`` is the highest absolute rank correlation
        with a group average of the outcome (rule 5), blank without ``groups``
        or for a column that is not numeric. ``retained_share`` is the lowest
        retained share of the column given a partial leak (rule 6), ``proxy_of``
        that partial leak; both are blank when no column is a partial leak.
    dropped
        The dropped columns with their reasons, in input order.
    kept
        The columns left for the model, in input order.
    """

    scores: pd.DataFrame
    dropped: list[LeakageFinding] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


_SCORE_COLUMNS = [
    "column",
    "auc",
    "auc_filled",
    "filled_share",
    "group_correlation",
    "retained_share",
    "proxy_of",
    "dropped",
    "reason",
]


def screen_columns(
    frame: pd.DataFrame,
    target: pd.Series,
    *,
    exclude: Iterable[str] = (),
    outcome_date: pd.Series | None = None,
    groups: pd.Series | None = None,
    group_rates: pd.DataFrame | None = None,
    max_auc: float = 0.95,
    max_group_correlation: float = 0.9,
    max_retained_share: float = MAX_RETAINED_SHARE,
    min_proxy_auc: float = MIN_PROXY_AUC,
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
    group_rates
        Outcome averages of each group, indexed by group with one column per
        average, which may cover rows left out of ``frame`` (for invoices, the
        lateness shares and the mean and median days late of each account over
        all its settled invoices, and over those settled after the training
        cut-off). Each column is named as the warning names it, such as ``"the
        share late over every settled invoice"``. Rule 5 compares each
        candidate column with them as well as with the mean of ``target`` over
        ``frame``'s rows.
    max_auc
        Single-column AUC from which a column counts as near perfect (rule 4).
    max_group_correlation
        Absolute Spearman correlation with the group outcome mean from which a
        column counts as a group average of the outcome (rule 5).
    max_retained_share
        Retained share given a partial leak up to which a column counts as its
        proxy (rule 6).
    min_proxy_auc
        Single-column AUC from which a column is tested as a proxy (rule 6).
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
    group_means = _group_means(y, groups, group_rates)

    rows: list[dict[str, Any]] = []
    for column in frame.columns:
        values = frame[column]
        auc, auc_filled, filled_share = _single_column_auc(
            values, y, min_filled=min_filled, folds=folds, random_state=random_state
        )
        correlation, over = _group_correlation(values, group_means)
        reason = _leak_reason(
            column,
            values,
            declared=declared,
            outcome_date=outcome_date,
            scores=(auc, auc_filled, correlation),
            limits=(max_auc, max_group_correlation),
            group_mean_over=over,
        )
        rows.append(
            {
                "column": column,
                "auc": auc,
                "auc_filled": auc_filled,
                "filled_share": filled_share,
                "group_correlation": correlation,
                "retained_share": np.nan,
                "proxy_of": "",
                "dropped": reason is not None,
                "reason": reason or "",
            }
        )
    _screen_proxies(
        frame,
        y,
        rows,
        max_auc=max_auc,
        max_retained_share=max_retained_share,
        min_proxy_auc=min_proxy_auc,
    )

    report = LeakageReport(scores=pd.DataFrame(rows, columns=_SCORE_COLUMNS))
    for row in rows:
        name: str = row["column"]
        reason = str(row["reason"])
        if not row["dropped"]:
            report.kept.append(name)
            continue
        report.dropped.append(LeakageFinding(name, reason))
        logger.info("leakage guard dropped column %r: %s", name, reason)
        if warn:
            warnings.warn(
                f"column {name!r} dropped from the features: {reason}",
                LeakageWarning,
                stacklevel=2,
            )
    return report


def _screen_proxies(
    frame: pd.DataFrame,
    y: pd.Series,
    rows: list[dict[str, Any]],
    *,
    max_auc: float,
    max_retained_share: float,
    min_proxy_auc: float,
) -> None:
    """Score every column against the partial leaks and apply rule 6, in place.

    The retained share is reported for every column that is not itself a partial
    leak, but only kept columns with an AUC of ``min_proxy_auc`` or more alone
    are dropped by it.
    """
    outcome = y.to_numpy()
    leaks = [
        _PartialLeak.of(row["column"], frame[row["column"]], outcome)
        for row in rows
        if row["dropped"] and row["auc_filled"] >= max_auc > row["auc"]
    ]
    if not leaks:
        return

    names = {leak.column for leak in leaks}
    for row in rows:
        if row["column"] in names:
            continue
        codes = _level_codes(frame[row["column"]])
        shares = {leak.column: leak.retained_share(codes, outcome) for leak in leaks}
        shares = {name: share for name, share in shares.items() if not np.isnan(share)}
        if not shares:
            continue
        closest = min(shares, key=shares.__getitem__)
        share = shares[closest]
        row["retained_share"] = share
        row["proxy_of"] = closest
        tested = not row["dropped"] and row["auc"] >= min_proxy_auc
        if tested and share <= max_retained_share:
            row["dropped"] = True
            row["reason"] = (
                f"proxy of {closest!r}, which is near perfect where filled: "
                f"once {closest!r} is known it keeps a share of {share:.2f} of "
                f"its information on the outcome (limit {max_retained_share:.2f})"
            )


@dataclass(frozen=True)
class _PartialLeak:
    """Level codes of a partial leak ``T`` and its information on the outcome."""

    column: str
    codes: np.ndarray
    information: float  # I(T; Y), in nats
    open_share: float  # H(Y | T) / H(Y)

    @classmethod
    def of(cls, column: str, values: pd.Series, y: np.ndarray) -> _PartialLeak:
        codes = _level_codes(values)
        information = float(mutual_info_score(codes, y))
        open_share = 1.0 - information / float(mutual_info_score(y, y))
        return cls(column, codes, information, open_share)

    def retained_share(self, codes: np.ndarray, y: np.ndarray) -> float:
        """Return ``[I(X;Y|T) / I(X;Y)] / [H(Y|T) / H(Y)]`` for X = ``codes``."""
        information = float(mutual_info_score(codes, y))
        if information <= 0 or self.open_share <= 0:
            return np.nan
        # I(X; Y | T) = I((X, T); Y) - I(T; Y), by the chain rule.
        joint = codes.astype(np.int64) * (int(self.codes.max()) + 1) + self.codes
        conditional = float(mutual_info_score(joint, y)) - self.information
        return max(conditional, 0.0) / information / self.open_share


def _level_codes(values: pd.Series) -> np.ndarray:
    """Return integer codes of the levels that rule 4 encodes."""
    return pd.factorize(_levels(values))[0]


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
    group_mean_over: str,
) -> str | None:
    """Return why ``column`` leaks (rules 1-5), or None when it passes."""
    auc, auc_filled, correlation = scores
    max_auc, max_group_correlation = limits
    if is_settlement_field(column):
        return "settlement field, known only after the outcome"
    if column in declared:
        return "declared as recorded after the outcome"
    if is_snapshot_field(column):
        return (
            "named for the latest state, which the file records when it is "
            "exported, after the outcome"
        )
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
            f"reproduces the group average of {group_mean_over} "
            f"(rank correlation {correlation:.3f}, "
            f"limit {max_group_correlation:.2f})"
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


def _group_means(
    y: pd.Series, groups: pd.Series | None, group_rates: pd.DataFrame | None
) -> dict[str, pd.Series]:
    """Return the per-group outcome averages of rule 5, keyed by what they cover."""
    if groups is None:
        return {}
    aligned = groups.reindex(y.index)
    means = {"the outcome over the training rows": y.groupby(aligned).transform("mean")}
    if group_rates is not None:
        for measure in group_rates.columns:
            means[str(measure)] = aligned.map(group_rates[measure]).astype("float64")
    return means


def _group_correlation(
    values: pd.Series, group_means: dict[str, pd.Series]
) -> tuple[float, str]:
    """Return the highest rank correlation with a group mean, and that mean's rows."""
    best, over = np.nan, ""
    for rows, group_mean in group_means.items():
        correlation = _rank_correlation(values, group_mean)
        if not np.isnan(correlation) and not correlation <= best:
            best, over = correlation, rows
    return best, over


def _rank_correlation(values: pd.Series, group_mean: pd.Series) -> float:
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return np.nan
    both = values.notna() & group_mean.notna()
    if both.sum() < 3 or values[both].nunique() < 2 or group_mean[both].nunique() < 2:
        return np.nan
    correlation = values[both].rank().corr(group_mean[both].rank())
    return abs(float(correlation))
