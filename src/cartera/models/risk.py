"""Late payment: the chance that an invoice is paid late, per invoice and account.

Rules:

1. An invoice is late when it is settled after its due date. Its lateness class
   is ``on_time`` (0 days late), ``1_30``, ``31_60`` or ``over_60`` days late.
2. Training uses the invoices settled before the as-of date only, each with the
   features it had on its own issue date (:mod:`cartera.models.history`).
3. Prediction takes features as of each invoice's issue date, except for items
   still open on the as-of date, which take them as of that date.
4. An account with fewer than ``min_history`` settled invoices gets its
   segment's rates in place of its own (segment: the account attributes that
   are constant per account, or the whole ledger when there are none), and its
   rows are marked ``fallback``.
5. Attribute columns go through the leakage guard (:mod:`cartera.models.leakage`)
   before training. Settlement fields are never features.
6. An item still open and already past due on the as-of date is late by rule 1,
   whatever the model predicts: :func:`mark_past_due` sets its ``p_late`` to 1,
   keeps the model's probability in ``p_late_model`` and limits its lateness
   class to the classes its days past due still allow.

``P(late)`` comes from a gradient-boosted classifier calibrated by isotonic
regression over cross-validation folds. The split of a late invoice between the
three late classes comes from a second classifier trained on late invoices only,
so the four class probabilities add up to one and agree with ``p_late``. The
predicted lateness class is ``on_time`` when ``p_late`` is below 0.5, and the
likeliest late class otherwise.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any, Self

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import accuracy_score, brier_score_loss, roc_auc_score

from cartera.errors import InputError, ModelError
from cartera.models._columns import is_number, parse_numeric_text
from cartera.models._threads import single_thread
from cartera.models.base import Estimator
from cartera.models.history import days_late, history_features
from cartera.models.leakage import screen_columns
from cartera.schema import INVOICES

logger = logging.getLogger(__name__)

LATENESS_CLASSES = ("on_time", "1_30", "31_60", "over_60")
# Upper bounds, in days late, of the first three lateness classes.
_CLASS_BOUNDS = (0, 30, 60)

REQUIRED_COLUMNS = tuple(INVOICES.required)
# Canonical invoice columns are read by the model itself (or not used, such as
# the currency). Every other column of the ledger is an attribute.
# NOTE: amounts are used as given, so a ledger in several currencies should be
# converted to one currency before fitting.
_CANONICAL = tuple(INVOICES.names)
# History rates replaced by segment rates for accounts with little history.
_RATE_COLUMNS = (
    "hist_share_late",
    "hist_share_late_amount",
    "hist_mean_days_late",
    "hist_mean_days_to_pay",
    "hist_share_late_disputed",
    "hist_share_late_undisputed",
)
# Categorical attributes with more levels than this are not used.
MAX_CATEGORIES = 50
# Settled invoices needed to fit; fewer cannot fill the calibration folds.
MIN_TRAINING_ROWS = 50

# Shallow trees and a slow learning rate, because a ledger gives a few thousand rows.
_BOOSTING: dict[str, Any] = {
    "max_iter": 150,
    "learning_rate": 0.05,
    "max_depth": 2,
    "categorical_features": "from_dtype",
}
_CALIBRATION_FOLDS = 5


def lateness_class(days: pd.Series) -> pd.Series:
    """Return the lateness class code (index into :data:`LATENESS_CLASSES`)."""
    codes = np.searchsorted(np.asarray(_CLASS_BOUNDS), days.to_numpy(), side="left")
    return pd.Series(codes, index=days.index, dtype="int64")


class LatePaymentModel(Estimator):
    """Calibrated model of late payment for each invoice.

    Parameters
    ----------
    min_history
        Settled invoices of an account below which its history rates are
        replaced by its segment's rates.
    random_state
        Seed of the boosting and the calibration folds.

    Attributes
    ----------
    as_of_
        Training cut-off: invoices settled before it were used.
    features_
        Feature columns in model order.
    attributes_
        Attribute columns kept after the leakage guard.
    segment_columns_
        Attributes that define the fallback segment.
    leakage_report_
        Screening of the attribute columns.
    categories_
        Levels learned for each categorical attribute.
    class_mean_days_
        Mean days late of each lateness class in the training data.
    n_train_
        Invoices used for training.
    """

    _fitted_attribute = "model_"

    def __init__(self, min_history: int = 3, random_state: int = 0) -> None:
        self.min_history = min_history
        self.random_state = random_state

    def fit(self, invoices: pd.DataFrame, as_of: date) -> Self:
        """Train on the invoices settled before ``as_of``.

        Raises
        ------
        InputError
            A required column is missing.
        ModelError
            Too few settled invoices, or only on-time or only late ones.

        Notes
        -----
        Invoices still open on ``as_of`` are left out, so the last weeks before
        it hold more early payers than the ledger will in the end. A late
        invoice is known late only once it is settled.
        """
        _check_columns(invoices, need_paid=True)
        cutoff = pd.Timestamp(as_of)
        train = invoices[invoices["paid_date"] < cutoff]
        if len(train) < MIN_TRAINING_ROWS:
            raise ModelError(
                f"only {len(train)} invoices were settled before {as_of}; "
                f"the late-payment model needs at least {MIN_TRAINING_ROWS}",
                hint="use a later training cut-off (--test-from of evaluate risk, "
                "--as-of of prioritize) or a longer ledger",
            )
        late_days = days_late(train)
        late = (late_days > 0).astype("int64").rename("late")
        if late.nunique() < 2:
            raise ModelError(
                f"the {len(train)} invoices settled before {as_of} are all "
                f"{'late' if late.iloc[0] else 'on time'}",
                hint="move the training cut-off (--test-from of evaluate risk, "
                "--as-of of prioritize) so that both late and on-time invoices "
                "are settled before it",
            )

        self.as_of_ = as_of
        self._select_attributes(train, late, _account_lateness(invoices, cutoff))
        features, _ = self._features(invoices, invoices["issue_date"])
        features = features.loc[train.index]
        # A column with no value in training (no dispute flag in the ledger, no
        # history yet) cannot be binned by the boosting and carries nothing.
        self.features_ = [c for c in features.columns if features[c].notna().any()]
        features = features[self.features_]

        self.model_ = CalibratedClassifierCV(
            HistGradientBoostingClassifier(random_state=self.random_state, **_BOOSTING),
            method="isotonic",
            cv=_CALIBRATION_FOLDS,
        )
        try:
            with single_thread():
                self.model_.fit(features, late)
        except ValueError as exc:
            raise ModelError(
                f"the late-payment model failed to fit: {exc}",
                hint="check the invoice amounts and dates for invalid values",
            ) from exc
        with single_thread():
            self._fit_class_split(features, late_days)
        self.n_train_ = len(train)
        logger.info(
            "late-payment model fitted on %d invoices settled before %s",
            len(train),
            as_of,
        )
        return self

    def predict(
        self, invoices: pd.DataFrame, as_of: date | None = None
    ) -> pd.DataFrame:
        """Score invoices with P(late), the lateness class and expected days late.

        Parameters
        ----------
        invoices
            The whole ledger (history is read from it). Every row is scored.
        as_of
            Items open on this day (issued before it and not settled before it)
            take their features as of this day. Every other invoice takes them
            as of its issue date. ``None`` scores every invoice as of its issue
            date.

        Returns
        -------
        pandas.DataFrame
            Indexed like ``invoices``: ``invoice_id, p_late, lateness_class,
            p_on_time, p_1_30, p_31_60, p_over_60, expected_days_late`` (days)
            and ``fallback`` (True when segment rates replaced the account's).

        Raises
        ------
        NotFittedError
            ``fit`` was not called.
        InputError
            A required column, or an attribute the model was trained on, is
            missing.
        """
        self.check_fitted()
        _check_columns(invoices, need_paid=False)
        feature_dates = _feature_dates(invoices, as_of)
        features, fallback = self._features(invoices, feature_dates)
        features = features[self.features_]

        with single_thread():
            p_late = self.model_.predict_proba(features)[:, 1]
            split = self._late_split(features)
        probabilities = np.column_stack([1.0 - p_late, split * p_late[:, None]])
        expected = probabilities @ self.class_mean_days_
        # The late/on-time call at 0.5 comes first, so the class never
        # contradicts p_late.
        codes = np.where(p_late >= 0.5, 1 + split.argmax(axis=1), 0)
        out = pd.DataFrame(
            {
                "invoice_id": invoices["invoice_id"].to_numpy(),
                "p_late": p_late,
                "lateness_class": np.asarray(LATENESS_CLASSES)[codes],
                "p_on_time": probabilities[:, 0],
                "p_1_30": probabilities[:, 1],
                "p_31_60": probabilities[:, 2],
                "p_over_60": probabilities[:, 3],
                "expected_days_late": expected,
                "fallback": fallback.to_numpy(dtype=bool),
            },
            index=invoices.index,
        )
        return out

    def _select_attributes(
        self, train: pd.DataFrame, late: pd.Series, account_lateness: pd.DataFrame
    ) -> None:
        """Screen attribute columns and learn categories and fallback segments."""
        candidates = [c for c in train.columns if c not in _CANONICAL]
        attributes = train[candidates].apply(parse_numeric_text)
        report = screen_columns(
            attributes,
            late,
            outcome_date=train["paid_date"],
            groups=train["account_id"],
            group_rates=account_lateness,
            random_state=self.random_state,
        )
        self.leakage_report_ = report

        # Date attributes are screened (rule 3) but never features.
        kept = [c for c in report.kept if not _is_date(attributes[c])]
        self.categories_: dict[str, list[Any]] = {}
        self.attributes_ = []
        for column in kept:
            values = attributes[column]
            if is_number(values):
                self.attributes_.append(column)
                continue
            levels = sorted(values.dropna().astype("string").unique())
            if len(levels) > MAX_CATEGORIES:
                logger.info(
                    "attribute %r not used: %d levels, more than %d",
                    column,
                    len(levels),
                    MAX_CATEGORIES,
                )
                continue
            self.categories_[column] = levels
            self.attributes_.append(column)

        per_account = (
            attributes[self.attributes_].groupby(train["account_id"]).nunique()
        )
        self.segment_columns_ = [
            c
            for c in self.attributes_
            if (per_account[c] <= 1).all() and attributes[c].nunique() <= MAX_CATEGORIES
        ]

    def _features(
        self, invoices: pd.DataFrame, feature_dates: pd.Series
    ) -> tuple[pd.DataFrame, pd.Series]:
        """Build the feature frame and the fallback flag of rule 4."""
        features = history_features(invoices, feature_dates)
        segment = _segment_key(invoices, self.segment_columns_)
        segment_rates = history_features(
            invoices.assign(account_id=segment), feature_dates
        )
        fallback = features["hist_count"] < self.min_history
        for column in _RATE_COLUMNS:
            features[column] = features[column].where(~fallback, segment_rates[column])
        features["amount"] = invoices["amount"].astype("float64")
        features["terms_days"] = (
            invoices["due_date"] - invoices["issue_date"]
        ).dt.days.astype("float64")
        if "disputed" in invoices.columns:
            features["disputed"] = invoices["disputed"].fillna(False).astype("float64")
        else:
            features["disputed"] = np.nan
        for column in self.attributes_:
            features[column] = _attribute(invoices, column, self.categories_)
        return features, fallback

    def _fit_class_split(self, features: pd.DataFrame, late_days: pd.Series) -> None:
        """Learn how a late invoice splits between the three late classes."""
        classes = lateness_class(late_days)
        self.class_mean_days_ = (
            late_days.groupby(classes)
            .mean()
            .reindex(range(len(LATENESS_CLASSES)), fill_value=0.0)
            .to_numpy(dtype="float64", copy=True)
        )
        # A class never seen in training is expected at its lower bound.
        for code, lower in enumerate((0, 1, 31, 61)):
            if not (classes == code).any():
                self.class_mean_days_[code] = lower
        is_late = classes > 0
        late_classes = classes[is_late]
        self.split_classes_ = sorted(int(c) for c in late_classes.unique())
        self.split_model_: HistGradientBoostingClassifier | None = None
        if len(self.split_classes_) > 1:
            self.split_model_ = HistGradientBoostingClassifier(
                random_state=self.random_state, **_BOOSTING
            ).fit(features[is_late], late_classes)

    def _late_split(self, features: pd.DataFrame) -> np.ndarray:
        """Return P(class | late) for the three late classes, one row per invoice."""
        split = np.zeros((len(features), len(LATENESS_CLASSES) - 1))
        if self.split_model_ is None:
            split[:, self.split_classes_[0] - 1] = 1.0
            return split
        shares = self.split_model_.predict_proba(features)
        for position, code in enumerate(self.split_model_.classes_):
            split[:, int(code) - 1] = shares[:, position]
        return split


def _check_columns(invoices: pd.DataFrame, *, need_paid: bool) -> None:
    required = list(REQUIRED_COLUMNS) + (["paid_date"] if need_paid else [])
    missing = [c for c in required if c not in invoices.columns]
    if missing:
        raise InputError(
            f"invoices table has no column {', '.join(missing)}",
            hint="map those columns in [input.invoices.columns] of cartera.toml",
        )
    if "disputed" in invoices.columns and not pd.api.types.is_bool_dtype(
        invoices["disputed"]
    ):
        values = set(invoices["disputed"].dropna().unique())
        if not values <= {True, False}:
            raise InputError(
                f"invoices column disputed must be true/false, got "
                f"{sorted(map(str, values))[:5]}",
                hint="read the invoices with cartera.io.read_table, which maps "
                "Yes/No to true/false",
            )
    if "paid_date" not in invoices.columns:
        return
    for column in ("issue_date", "due_date", "paid_date"):
        if not pd.api.types.is_datetime64_any_dtype(invoices[column]):
            raise InputError(
                f"invoices column {column} is not a date column "
                f"(dtype {invoices[column].dtype})",
                hint="read the invoices with cartera.io.read_table",
            )


def _account_lateness(invoices: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    """Return each account's lateness averages over the whole ledger.

    Over every settled invoice, also those settled after the training cut-off:
    the share late, the shares more than 30 and more than 60 days late (the
    lateness classes), and the mean and median days late. Over the invoices
    settled on or after ``cutoff`` alone: the share late and the mean days
    late, because a column computed over a later period only matches those.
    The leakage guard compares attributes with these averages (its rule 5).
    They are never features. Each column is named as the guard's warning
    names it.
    """
    settled = invoices[invoices["paid_date"].notna()]
    late_days = days_late(settled)
    every = " over every settled invoice"
    columns = {"the share late" + every: (late_days > 0).astype("float64")}
    for bound in _CLASS_BOUNDS[1:]:
        share = (late_days > bound).astype("float64")
        columns[f"the share over {bound} days late" + every] = share
    columns["the mean days late" + every] = late_days.astype("float64")
    by_account = pd.DataFrame(columns).groupby(settled["account_id"])
    result = by_account.mean()
    result["the median days late" + every] = (
        late_days.astype("float64").groupby(settled["account_id"]).median()
    )

    after = settled["paid_date"] >= cutoff
    later = " over the invoices settled after the training cut-off"
    later_days = late_days[after].astype("float64")
    later_accounts = settled.loc[after, "account_id"]
    result["the share late" + later] = (
        (later_days > 0).astype("float64").groupby(later_accounts).mean()
    )
    result["the mean days late" + later] = later_days.groupby(later_accounts).mean()
    return result


def _feature_dates(invoices: pd.DataFrame, as_of: date | None) -> pd.Series:
    issue = invoices["issue_date"]
    if as_of is None:
        return issue
    day = pd.Timestamp(as_of)
    paid = invoices.get("paid_date", pd.Series(pd.NaT, index=invoices.index))
    is_open = (issue < day) & ~(paid < day)
    return issue.where(~is_open, day)


def _segment_key(invoices: pd.DataFrame, columns: list[str]) -> pd.Series:
    if not columns:
        return pd.Series("all", index=invoices.index)
    parts = [invoices[c].astype("string").fillna("<NA>") for c in columns]
    key = parts[0]
    for part in parts[1:]:
        key = key + "|" + part
    return key


def _attribute(
    invoices: pd.DataFrame, column: str, categories: dict[str, list[Any]]
) -> pd.Series:
    if column not in invoices.columns:
        raise InputError(
            f"invoices table has no column {column}, which the model was trained on",
            hint="score a ledger with the same columns as the training ledger",
        )
    values = invoices[column]
    if column not in categories:
        return pd.to_numeric(values, errors="coerce").astype("float64")
    return pd.Series(
        pd.Categorical(values.astype("string"), categories=categories[column]),
        index=invoices.index,
    )


def _is_date(values: pd.Series) -> bool:
    return pd.api.types.is_datetime64_any_dtype(values)


def mark_past_due(
    scores: pd.DataFrame, days_past_due: pd.Series, class_mean_days: np.ndarray
) -> pd.DataFrame:
    """Make the scores of open items already past due certain to be late (rule 6).

    Parameters
    ----------
    scores
        Output of :meth:`LatePaymentModel.predict` for open items.
    days_past_due
        Days past due of each item on the as-of date, indexed like ``scores``.
    class_mean_days
        Mean days late of each lateness class
        (:attr:`LatePaymentModel.class_mean_days_`).

    Returns
    -------
    pandas.DataFrame
        A copy of ``scores`` with ``p_late_model``, the model's probability.
        Each item more than 0 days past due gets ``p_late`` 1 and class
        probabilities renormalised over the classes it can still reach (the
        class of its days past due and later ones). The likeliest of these is
        its ``lateness_class``, and its ``expected_days_late`` is at least its
        days past due.
    """
    out = scores.copy()
    position = list(out.columns).index("p_late") + 1
    out.insert(position, "p_late_model", out["p_late"])
    days = pd.to_numeric(days_past_due, errors="coerce").fillna(0.0)
    past_due = (days > 0).to_numpy()
    if not past_due.any():
        return out

    class_columns = ["p_on_time", "p_1_30", "p_31_60", "p_over_60"]
    probabilities = out.loc[past_due, class_columns].to_numpy(dtype="float64")
    first_class = lateness_class(days[past_due]).to_numpy()
    reachable = np.arange(len(LATENESS_CLASSES))[None, :] >= first_class[:, None]
    probabilities = np.where(reachable, probabilities, 0.0)
    totals = probabilities.sum(axis=1)
    # A model sure of an earlier class leaves nothing to renormalise, so the
    # class of the days already past due takes it all.
    no_mass = totals <= 0
    probabilities[no_mass, first_class[no_mass]] = 1.0
    probabilities /= probabilities.sum(axis=1, keepdims=True)

    expected = probabilities @ class_mean_days
    out.loc[past_due, class_columns] = probabilities
    out.loc[past_due, "p_late"] = 1.0
    out.loc[past_due, "lateness_class"] = np.asarray(LATENESS_CLASSES)[
        probabilities.argmax(axis=1)
    ]
    out.loc[past_due, "expected_days_late"] = np.maximum(
        expected, days[past_due].to_numpy()
    )
    return out


def account_risk(scored_open_items: pd.DataFrame) -> pd.DataFrame:
    """Sum scored open items up to one late-payment row per account.

    Parameters
    ----------
    scored_open_items
        Open items with ``account_id, p_late, expected_days_late`` and the open
        amount in ``reporting_open_amount`` (reporting currency), else in
        ``open_amount``, else in ``amount``; the first of these present is used.

    Returns
    -------
    pandas.DataFrame
        ``account_id, p_late, expected_days_late, expected_overdue_exposure``.
        ``p_late`` and ``expected_days_late`` are weighted by open amount;
        credit notes (negative amounts) weigh zero. ``expected_overdue_exposure``
        is the sum of open amount times ``p_late``, in the currency of that amount
        column (the reporting currency for ``reporting_open_amount``).

    Raises
    ------
    InputError
        A required column is missing.
    """
    amount_column = next(
        (
            name
            for name in ("reporting_open_amount", "open_amount")
            if name in scored_open_items.columns
        ),
        "amount",
    )
    required = ["account_id", "p_late", "expected_days_late", amount_column]
    missing = [c for c in required if c not in scored_open_items.columns]
    if missing:
        raise InputError(
            f"scored open items have no column {', '.join(missing)}",
            hint="score the open items with LatePaymentModel.predict and join "
            "account_id and open_amount to the scores",
        )
    weight = scored_open_items[amount_column].astype("float64").clip(lower=0.0)
    # Accounts whose open items are all credit notes fall back to equal weights.
    zero_total = weight.groupby(scored_open_items["account_id"]).transform("sum") <= 0
    weight = weight.where(~zero_total, 1.0)
    frame = pd.DataFrame(
        {
            "account_id": scored_open_items["account_id"],
            "weight": weight,
            "weighted_p": weight * scored_open_items["p_late"],
            "weighted_days": weight * scored_open_items["expected_days_late"],
            "exposure": scored_open_items[amount_column].clip(lower=0.0)
            * scored_open_items["p_late"],
        }
    )
    sums = frame.groupby("account_id", sort=True).sum()
    return pd.DataFrame(
        {
            "account_id": sums.index.to_numpy(),
            "p_late": (sums["weighted_p"] / sums["weight"]).to_numpy(),
            "expected_days_late": (sums["weighted_days"] / sums["weight"]).to_numpy(),
            "expected_overdue_exposure": sums["exposure"].to_numpy(),
        }
    )


@dataclass
class RiskEvaluation:
    """Out-of-time evaluation of the late-payment model.

    Attributes
    ----------
    scores
        ``invoice_id, p_late, lateness_class`` of every invoice issued on or
        after the test date.
    auc, accuracy, class_accuracy, brier
        ROC AUC of ``p_late``; share of invoices whose late/on-time outcome
        matches ``p_late >= 0.5``; share whose lateness class matches; Brier
        score of ``p_late``.
    calibration
        ``bin, count, mean_predicted, observed``: ten equal-width bins of
        ``p_late`` (empty bins left out).
    n_train, n_test
        Invoices trained on and scored.
    """

    scores: pd.DataFrame
    auc: float
    accuracy: float
    class_accuracy: float
    brier: float
    calibration: pd.DataFrame
    n_train: int
    n_test: int


def evaluate_late_payment(
    invoices: pd.DataFrame,
    test_from: date,
    *,
    min_history: int = 3,
    random_state: int = 0,
) -> RiskEvaluation:
    """Train on invoices settled before ``test_from``, test on those issued after.

    Each test invoice is scored with its features as of its own issue date, and
    compared with its settlement. Test invoices not yet settled are scored but
    left out of the metrics.

    Raises
    ------
    InputError
        A required column is missing, or the settled invoices issued on or
        after ``test_from`` are not a mix of late and on-time ones.
    ModelError
        The training invoices cannot fit the model (see
        :meth:`LatePaymentModel.fit`).
    """
    _check_columns(invoices, need_paid=True)
    test = invoices[invoices["issue_date"] >= pd.Timestamp(test_from)]
    settled = test["paid_date"].notna()
    if days_late(test[settled]).gt(0).nunique() < 2:
        raise InputError(
            f"the {int(settled.sum())} settled invoices issued on or after "
            f"{test_from} are not a mix of late and on-time ones, so AUC is undefined",
            hint="choose an earlier --test-from date",
        )
    model = LatePaymentModel(min_history=min_history, random_state=random_state)
    model.fit(invoices, test_from)
    scored = model.predict(invoices).loc[test.index]
    truth_days = days_late(test[settled])
    truth = (truth_days > 0).astype("int64")
    p_late = scored.loc[settled, "p_late"]
    predicted_class = scored.loc[settled, "lateness_class"]
    true_class = np.asarray(LATENESS_CLASSES)[lateness_class(truth_days).to_numpy()]
    return RiskEvaluation(
        scores=scored[["invoice_id", "p_late", "lateness_class"]],
        auc=float(roc_auc_score(truth, p_late)),
        accuracy=float(accuracy_score(truth, (p_late >= 0.5).astype("int64"))),
        class_accuracy=float((predicted_class.to_numpy() == true_class).mean()),
        brier=float(brier_score_loss(truth, p_late)),
        calibration=calibration_table(truth, p_late),
        n_train=model.n_train_,
        n_test=int(settled.sum()),
    )


def calibration_table(truth: pd.Series, p: pd.Series, bins: int = 10) -> pd.DataFrame:
    """Return observed against predicted rates in equal-width bins of ``p``.

    Columns: ``bin`` (``"0.0-0.1"``...), ``count``, ``mean_predicted``,
    ``observed``. Bins with no prediction are left out.
    """
    edges = np.linspace(0.0, 1.0, bins + 1)
    codes = np.clip(np.digitize(p.to_numpy(), edges[1:-1]), 0, bins - 1)
    frame = pd.DataFrame({"code": codes, "p": p.to_numpy(), "y": truth.to_numpy()})
    grouped = frame.groupby("code").agg(
        count=("y", "size"), mean_predicted=("p", "mean"), observed=("y", "mean")
    )
    labels = [f"{edges[c]:.1f}-{edges[c + 1]:.1f}" for c in grouped.index]
    return pd.DataFrame(
        {
            "bin": labels,
            "count": grouped["count"].to_numpy(),
            "mean_predicted": grouped["mean_predicted"].to_numpy(),
            "observed": grouped["observed"].to_numpy(),
        }
    )
