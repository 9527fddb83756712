"""Three segmentations, each account in one segment of each, and their profiles.

Business rules:

1. *Attribute segments* combine the account attributes named in
   ``[segments] attributes``. A numeric attribute is cut at the edges given in
   ``[segments] bins``, or else at up to four quantiles, into ranges such as
   ``people 3-4``. A missing value is ``unknown``. With no attribute named,
   every account is in one segment.
2. *RFM segments* are the named groups of :mod:`cartera.policy.rfm`.
3. *Behaviour clusters* run k-means on standardised features: value (CLV, else
   expected or past spend), frequency, risk (``p_late``, else the share of
   invoices paid late) and conversion (``p_alive``, else ``p_convert``). Money
   and counts are log-transformed first, so a few large accounts do not make
   a cluster of their own. The number of clusters, from 2 to ``max_clusters``,
   is the one with the best silhouette score.
4. Clusters are numbered by the mean value of their members, highest first, and
   ties are broken by size and then by centroid coordinates. A cluster's name
   therefore depends on the data alone, never on the label k-means gave it.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cartera.errors import InputError, ModelError
from cartera.policy._text import TEXT, format_money, format_share, text

logger = logging.getLogger(__name__)

SEGMENT_KINDS = ("attribute", "rfm", "cluster")
SEGMENT_COLUMNS = {
    "attribute": "attribute_segment",
    "rfm": "rfm_segment",
    "cluster": "cluster_segment",
}

# Accounts sampled to compute a silhouette score: the score costs O(n^2).
SILHOUETTE_SAMPLE = 2000
RANDOM_STATE = 0

PotentialFn = Callable[[pd.Series], pd.DataFrame]


def _readable(value: float) -> str:
    """Format a bin edge without trailing zeros: 3.0 -> '3', 2.5 -> '2.5'."""
    return f"{value:g}"


def _range_labels(edges: list[float], name: str, whole: bool) -> list[str]:
    """Label the ranges ``(-inf, e1), [e1, e2), ..., [ek, inf)``.

    Whole-number attributes get inclusive integer ranges (``people 3-4``, with
    edges 3 and 5); other attributes get interval notation (``area [2.5, 4)``).
    """
    bounds = [-np.inf, *edges, np.inf]
    labels = []
    for low, high in itertools.pairwise(bounds):
        if whole and np.isneginf(low):
            labels.append(f"{name} <= {math.ceil(high) - 1}")
        elif whole and np.isposinf(high):
            labels.append(f"{name} >= {math.ceil(low)}")
        elif whole:
            first, last = math.ceil(low), math.ceil(high) - 1
            if first >= last:
                labels.append(f"{name} {first}")
            else:
                labels.append(f"{name} {first}-{last}")
        elif np.isneginf(low):
            labels.append(f"{name} < {_readable(high)}")
        elif np.isposinf(high):
            labels.append(f"{name} >= {_readable(low)}")
        else:
            labels.append(f"{name} [{_readable(low)}, {_readable(high)})")
    return labels


def bin_numeric(
    values: pd.Series, edges: Sequence[float] | None, name: str
) -> pd.Series:
    """Cut a numeric attribute into labelled ranges such as ``people 3-4``.

    Parameters
    ----------
    values
        The attribute, one value per account.
    edges
        Increasing bin edges; each range includes its lower edge. ``None`` cuts
        at the quartiles of the data, dropping repeated edges.
    name
        Attribute name written before each range.

    Returns
    -------
    pandas.Series
        A label per account, missing where the value is missing.
    """
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    present = numbers.dropna()
    if present.empty:
        return pd.Series(np.nan, index=values.index, dtype="object")
    whole = bool(np.all(np.mod(present, 1) == 0))
    if edges is None:
        quantiles = np.quantile(present, [0.25, 0.5, 0.75])
        if whole:
            quantiles = np.ceil(quantiles)
        edges = [float(q) for q in quantiles if present.min() < q <= present.max()]
    edges = sorted(set(edges))
    if not edges:
        low, high = present.min(), present.max()
        single = (
            _readable(low) if low == high else f"{_readable(low)}-{_readable(high)}"
        )
        label = f"{name} {single}"
        return pd.Series(label, index=values.index, dtype="object").where(
            numbers.notna()
        )
    labels = _range_labels(edges, name, whole)
    cut = pd.cut(numbers, [-np.inf, *edges, np.inf], right=False, labels=labels)
    return cut.astype("object").where(numbers.notna())


def attribute_segments(
    accounts: pd.DataFrame,
    attributes: Sequence[str],
    bins: dict[str, list[float]],
    lang: str = "en",
) -> pd.Series:
    """Label each account with the combination of its attribute values (rule 1).

    Raises
    ------
    InputError
        A named attribute is not a column of ``accounts``.
    """
    if not attributes:
        return pd.Series(text(lang, "attr_all"), index=accounts.index, dtype="str")
    missing = [a for a in attributes if a not in accounts.columns]
    if missing:
        raise InputError(
            f"segment attributes {', '.join(missing)} are not account columns",
            hint="name columns of the accounts file in [segments] attributes",
        )

    parts = []
    for attribute in attributes:
        column = accounts[attribute]
        numeric = pd.api.types.is_numeric_dtype(
            column
        ) and not pd.api.types.is_bool_dtype(column)
        if numeric or attribute in bins:
            label = bin_numeric(column, bins.get(attribute), attribute)
        else:
            label = attribute + "=" + column.astype("object").astype(str)
            label = label.where(column.notna())
        parts.append(label.fillna(f"{attribute}={text(lang, 'unknown')}").astype(str))
    combined = parts[0]
    for part in parts[1:]:
        combined = combined + " · " + part
    return combined.astype("str")


@dataclass
class ClusterResult:
    """Behaviour clusters of a set of accounts.

    Attributes
    ----------
    labels
        Cluster number per account, 1 = highest mean value.
    names
        Cluster name per account, e.g. ``value band 1 of 4``.
    k
        Number of clusters chosen.
    features
        Columns the clustering used.
    silhouette
        Silhouette score of the chosen ``k``, or NaN when clustering was skipped.
    centroids
        Per cluster number: mean of each feature in its original units.
    """

    labels: pd.Series
    names: pd.Series
    k: int
    features: list[str]
    silhouette: float
    centroids: pd.DataFrame


def cluster_features(accounts: pd.DataFrame) -> pd.DataFrame:
    """Pick the value, frequency, risk and conversion features present (rule 3)."""
    choices = {
        "value": ["clv", "expected_spend", "monetary"],
        "frequency": ["frequency", "expected_purchases", "n_invoices"],
        "risk": ["p_late", "share_paid_late"],
        "conversion": ["p_alive", "p_convert"],
    }
    chosen = {}
    for role, candidates in choices.items():
        for column in candidates:
            if column in accounts.columns and accounts[column].notna().any():
                chosen[role] = column
                break
    return pd.DataFrame(
        {col: pd.to_numeric(accounts[col], errors="coerce") for col in chosen.values()},
        index=accounts.index,
    )


def _transform(features: pd.DataFrame) -> np.ndarray:
    """Log-transform money and counts, fill gaps with the median, standardise."""
    from sklearn.preprocessing import StandardScaler

    frame = features.astype(float).copy()
    for col in frame.columns:
        if not col.startswith("p_") and not col.startswith("share_"):
            frame[col] = np.log1p(frame[col].clip(lower=0))
        median = frame[col].median()
        frame[col] = frame[col].fillna(0.0 if np.isnan(median) else median)
    return np.asarray(StandardScaler().fit_transform(frame.to_numpy()))


def _single_cluster(
    features: pd.DataFrame, index: pd.Index, lang: str
) -> ClusterResult:
    labels = pd.Series(1, index=index, dtype="int64")
    names = pd.Series(text(lang, "cluster_name", i=1, k=1), index=index, dtype="str")
    centroids = features.mean().to_frame().T
    centroids.index = pd.Index([1], name="cluster")
    return ClusterResult(
        labels, names, 1, list(features.columns), float("nan"), centroids
    )


def behaviour_clusters(
    accounts: pd.DataFrame, *, max_clusters: int = 6, lang: str = "en"
) -> ClusterResult:
    """Cluster accounts on standardised behaviour and name clusters by value.

    Parameters
    ----------
    accounts
        One row per account with any of the columns of rule 3.
    max_clusters
        Largest number of clusters tried.
    lang
        Language of the cluster names.

    Raises
    ------
    ModelError
        scikit-learn failed to cluster the features.
    """
    features = cluster_features(accounts)
    if features.empty or len(accounts) < 3:
        logger.info("too few accounts or features to cluster: one cluster")
        return _single_cluster(features, accounts.index, lang)
    matrix = _transform(features)
    distinct = len(np.unique(matrix.round(9), axis=0))
    upper = min(max_clusters, distinct - 1, len(accounts) - 1)
    if upper < 2:
        return _single_cluster(features, accounts.index, lang)

    try:
        best = _best_kmeans(matrix, upper)
    except ValueError as exc:
        raise ModelError(
            f"behaviour clustering failed on features {list(features.columns)}: {exc}",
            hint="check those columns for infinite values",
        ) from exc
    if best is None:
        return _single_cluster(features, accounts.index, lang)

    silhouette, k, raw = best
    labels = _order_by_value(features, raw)
    names = labels.map(lambda i: text(lang, "cluster_name", i=i, k=k)).astype("str")
    centroids = features.groupby(labels.to_numpy()).mean()
    centroids.index.name = "cluster"
    logger.info("chose %d behaviour clusters (silhouette %.3f)", k, silhouette)
    return ClusterResult(
        labels, names, k, list(features.columns), silhouette, centroids
    )


def _best_kmeans(
    matrix: np.ndarray, upper: int
) -> tuple[float, int, np.ndarray] | None:
    """Fit k-means for k = 2..upper; return (silhouette, k, labels) of the best k."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from threadpoolctl import threadpool_limits

    best: tuple[float, int, np.ndarray] | None = None
    sample = min(SILHOUETTE_SAMPLE, len(matrix))
    # One BLAS/OpenMP thread: on four features, starting threads costs more than
    # the arithmetic (about 15 times slower for 23,000 accounts on 2 cores).
    with threadpool_limits(limits=1):
        for k in range(2, upper + 1):
            model = KMeans(n_clusters=k, n_init=10, random_state=RANDOM_STATE)
            raw = model.fit_predict(matrix)
            if len(np.unique(raw)) < 2:
                continue
            score = float(
                silhouette_score(
                    matrix, raw, sample_size=sample, random_state=RANDOM_STATE
                )
            )
            # Strictly better only, so the smallest k wins a tie.
            if best is None or score > best[0] + 1e-12:
                best = (score, k, raw)
    return best


def _order_by_value(features: pd.DataFrame, raw: np.ndarray) -> pd.Series:
    """Renumber raw k-means labels 1..k by mean value, highest first (rule 4)."""
    frame = features.astype(float).fillna(features.median(numeric_only=True))
    frame = frame.fillna(0.0)
    frame["_raw"] = raw
    summary = frame.groupby("_raw").mean()
    summary["_size"] = frame.groupby("_raw").size()
    keys = [summary.columns[0], "_size", *summary.columns[1:-1]]
    ordered = summary.sort_values(keys, ascending=False, kind="mergesort").index
    mapping = {raw_label: number for number, raw_label in enumerate(ordered, start=1)}
    return pd.Series([mapping[r] for r in raw], index=features.index, dtype="int64")


def _cluster_description(centroid: pd.Series, lang: str) -> str:
    traits = []
    for column, value in centroid.items():
        if pd.isna(value):
            continue
        name = str(column)
        shown = (
            format_share(value, lang)
            if name.startswith(("p_", "share_"))
            else format_money(value, lang)
        )
        label = TEXT[lang].get(f"trait_{name}", name)
        traits.append(f"{label} {shown}")
    return text(lang, "cluster_desc", traits=", ".join(traits))


def profile_segments(
    accounts: pd.DataFrame,
    *,
    lang: str = "en",
    segment_potential: PotentialFn | None = None,
    clusters: ClusterResult | None = None,
) -> pd.DataFrame:
    """Profile every segment of every kind: size, money, risk and potential.

    Parameters
    ----------
    accounts
        Accounts with the segment columns of :data:`SEGMENT_COLUMNS` and any of
        ``open_balance, clv, p_late``.
    lang
        Language of names and descriptions.
    segment_potential
        Function from segment labels indexed by ``account_id`` to ``segment,
        accounts, potential_spend, potential_spend_low, potential_spend_high``;
        without it the potential columns are empty and the description notes it.
    clusters
        The clustering behind ``cluster_segment``, for its descriptions.

    Returns
    -------
    pandas.DataFrame
        ``segment_kind, segment, name, accounts, share, open_balance, mean_clv,
        mean_p_late, potential_spend, potential_spend_low,
        potential_spend_high, description``, one row per segment.
    """
    rows: list[pd.DataFrame] = []
    total = max(len(accounts), 1)
    for kind, column in SEGMENT_COLUMNS.items():
        if column not in accounts.columns:
            continue
        labels = accounts[column].astype(str)
        grouped = accounts.groupby(labels, sort=True)
        frame = pd.DataFrame({"accounts": grouped.size()})
        frame["share"] = frame["accounts"] / total
        frame["open_balance"] = _group_sum(accounts, labels, "open_balance")
        frame["mean_clv"] = _group_mean(accounts, labels, "clv")
        frame["mean_p_late"] = _group_mean(accounts, labels, "p_late")
        by_account = pd.Series(
            labels.to_numpy(), index=accounts["account_id"].astype(str).to_numpy()
        )
        frame = frame.join(_potential(by_account, segment_potential), how="left")
        frame.index.name = "segment"
        frame = frame.reset_index()
        frame.insert(0, "segment_kind", kind)
        frame.insert(
            2, "name", [_segment_name(kind, s, lang) for s in frame["segment"]]
        )
        frame["description"] = [
            _segment_description(
                kind, str(segment), lang, clusters, segment_potential is None
            )
            for segment in frame["segment"]
        ]
        rows.append(frame)
    if not rows:
        return pd.DataFrame(columns=list(PROFILE_COLUMNS))
    return pd.concat(rows, ignore_index=True)[list(PROFILE_COLUMNS)]


PROFILE_COLUMNS = (
    "segment_kind",
    "segment",
    "name",
    "accounts",
    "share",
    "open_balance",
    "mean_clv",
    "mean_p_late",
    "potential_spend",
    "potential_spend_low",
    "potential_spend_high",
    "description",
)
POTENTIAL_COLUMNS = ("potential_spend", "potential_spend_low", "potential_spend_high")


def _group_sum(accounts: pd.DataFrame, labels: pd.Series, column: str) -> pd.Series:
    if column not in accounts.columns:
        return pd.Series(np.nan, index=labels.unique())
    return pd.to_numeric(accounts[column], errors="coerce").groupby(labels).sum()


def _group_mean(accounts: pd.DataFrame, labels: pd.Series, column: str) -> pd.Series:
    if column not in accounts.columns:
        return pd.Series(np.nan, index=labels.unique())
    return pd.to_numeric(accounts[column], errors="coerce").groupby(labels).mean()


def _potential(
    labels: pd.Series, segment_potential: PotentialFn | None
) -> pd.DataFrame:
    empty = pd.DataFrame(
        np.nan, index=pd.Index(labels.unique()), columns=list(POTENTIAL_COLUMNS)
    )
    if segment_potential is None:
        return empty
    result = segment_potential(labels)
    missing = [c for c in ("segment", *POTENTIAL_COLUMNS) if c not in result.columns]
    if missing:
        raise ModelError(
            f"segment potential returned no columns {', '.join(missing)}",
            hint="return segment, accounts, potential_spend, potential_spend_low "
            "and potential_spend_high",
        )
    frame = result.assign(segment=result["segment"].astype(str)).set_index("segment")
    return frame[list(POTENTIAL_COLUMNS)].astype(float)


def _segment_name(kind: str, segment: str, lang: str) -> str:
    if kind == "rfm":
        return text(lang, f"rfm_{segment}")
    return segment


def _segment_description(
    kind: str,
    segment: str,
    lang: str,
    clusters: ClusterResult | None,
    no_potential: bool,
) -> str:
    if kind == "rfm":
        line = text(lang, f"rfm_desc_{segment}")
    elif kind == "cluster" and clusters is not None:
        number = _cluster_number(segment, clusters)
        if number is not None and number in clusters.centroids.index:
            line = _cluster_description(clusters.centroids.loc[[number]].iloc[0], lang)
        else:
            line = segment
    elif segment == text(lang, "attr_all"):
        line = segment
    else:
        line = text(lang, "attr_desc", label=segment)
    if no_potential:
        line = f"{line}; {text(lang, 'potential_missing')}"
    return line


def _cluster_number(name: str, clusters: ClusterResult) -> int | None:
    matches = clusters.labels[clusters.names == name]
    return int(matches.iloc[0]) if len(matches) else None
