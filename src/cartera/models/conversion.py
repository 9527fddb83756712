"""Conversion: the chance that a prospect (a lead) becomes a customer.

Rules:

1. ``Select`` (the default option of a web form) and blank text are missing
   values. Text is stripped of surrounding spaces.
2. Identifier columns (one distinct value per row) and constant columns carry no
   signal and are not features.
3. Every other column goes through the leakage guard
   (:mod:`cartera.models.leakage`) before training. The guard finds a status tag
   entered after follow-up and the fields filled in with it. A follow-up field
   that is tied to no such tag looks like an honest column, so the caller passes
   it in ``exclude``.
4. The model is gradient boosting with native categorical splits, calibrated by
   isotonic regression over cross-validation folds.
5. A name in ``exclude`` is a column of the leads table or the file's own
   header of that column. Any other name is an error, because a misspelt name
   would leave the follow-up field among the features.
"""

from __future__ import annotations

import difflib
import logging
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from cartera.errors import CarteraWarning, InputError, LeakageWarning, ModelError
from cartera.models._columns import is_text, parse_numeric_text
from cartera.models._threads import single_thread
from cartera.models.base import Estimator
from cartera.models.leakage import (
    MAX_RETAINED_SHARE,
    MIN_PROXY_AUC,
    LeakageReport,
    screen_columns,
)

logger = logging.getLogger(__name__)

MISSING_MARKERS = ("Select", "")
# Levels kept per categorical column, the most frequent first. Rarer levels
# become missing values.
MAX_CATEGORIES = 100
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f"}

_BOOSTING: dict[str, Any] = {
    "max_iter": 150,
    "learning_rate": 0.06,
    "max_leaf_nodes": 15,
    "l2_regularization": 1.0,
    "categorical_features": "from_dtype",
}
_CALIBRATION_FOLDS = 5


def clean_leads(leads: pd.DataFrame) -> pd.DataFrame:
    """Apply rule 1 and read text columns that hold numbers as numbers."""
    out = leads.copy()
    for column in out.columns:
        values = out[column]
        if is_text(values):
            text = values.astype("string").str.strip()
            out[column] = parse_numeric_text(text.mask(text.isin(MISSING_MARKERS)))
    return out


def binary_target(values: pd.Series) -> pd.Series:
    """Read a 0/1, true/false or yes/no column as 0/1 integers.

    Raises
    ------
    InputError
        A value is blank or outside those spellings.
    """
    if pd.api.types.is_bool_dtype(values):
        return values.astype("int64")
    text = values.astype("string").str.strip().str.lower()
    text = text.str.replace(r"\.0$", "", regex=True)
    known = text.isin(_TRUE | _FALSE)
    if not known.all():
        bad = values[~known.fillna(False).astype(bool)]
        raise InputError(
            f"target column {values.name!r} has {len(bad)} rows that are not "
            f"0/1 or yes/no, the first {bad.iloc[0]!r} at row {bad.index[0]}",
            hint="fill the outcome of every historical lead, or drop those rows",
        )
    return text.isin(_TRUE).astype("int64")


# Columns of the leads table that are never features, and what each is.
_NEVER_FEATURES = {"converted": "the outcome", "lead_id": "the lead's id"}


def check_exclude(
    columns: Iterable[str],
    exclude: Iterable[str],
    *,
    table: str = "the leads table",
    setting: str = "exclude",
    headers: Mapping[str, str] | None = None,
) -> list[str]:
    """Translate the names in ``exclude`` to columns, raising on an unknown name.

    Parameters
    ----------
    columns
        Column names of the leads table.
    exclude
        Names the caller declared as recorded after the outcome: columns of the
        table, or the file's header names in ``headers``.
    table
        The table as the message names it, such as its file path.
    setting
        Where the names were given, as the hint names it, such as ``--exclude``.
    headers
        File header name -> column of the table, for the columns that were
        renamed to a canonical name when read, such as
        ``{"Prospect ID": "lead_id"}``.

    Returns
    -------
    list[str]
        The names of ``exclude`` as columns of the table, in the same order.

    Raises
    ------
    InputError
        A name is neither a column nor a header name. The message lists the
        close matches (compared without regard to case) and every column of
        the table under the file's header name.
    """
    names = list(columns)
    known = {name: name for name in names}
    for header, column in (headers or {}).items():
        if column in known:
            known.setdefault(header, column)
    translated = []
    for name in exclude:
        if name in known:
            translated.append(known[name])
            if known[name] in _NEVER_FEATURES:
                role = _NEVER_FEATURES[known[name]]
                warnings.warn(
                    f"{name!r} in {setting} is {role}, which is never a feature, "
                    "so excluding it changes nothing",
                    CarteraWarning,
                    stacklevel=2,
                )
            continue
        by_folded = {key.casefold(): key for key in known}
        close = difflib.get_close_matches(name.casefold(), list(by_folded), n=3)
        suggestion = (
            f"; close matches: {', '.join(repr(by_folded[c]) for c in close)}"
            if close
            else ""
        )
        shown = {column: header for header, column in (headers or {}).items()}
        listed = [
            repr(name) if name not in shown else f"{shown[name]!r} (read as {name})"
            for name in names
        ]
        raise InputError(
            f"excluded column {name!r} is not a column of {table}{suggestion}. "
            f"Its columns are: {', '.join(listed)}",
            hint=f"correct the name in {setting}: it must match a column header "
            "exactly, in the same case",
        )
    return translated


class ConversionModel(Estimator):
    """Calibrated propensity of a lead to convert.

    Parameters
    ----------
    exclude
        Columns recorded after the outcome that the data cannot reveal as such.
    max_auc
        Single-column AUC from which the leakage guard drops a column.
    max_retained_share
        Retained share given a partial leak up to which the guard drops a column
        as its proxy (rule 6 of :mod:`cartera.models.leakage`).
    min_proxy_auc
        Single-column AUC from which the guard tests a column as a proxy.
    random_state
        Seed of the guard's folds, the boosting and the calibration.

    Attributes
    ----------
    target_
        Name of the target column.
    features_
        Feature columns in model order.
    categories_
        Levels kept for each categorical feature.
    dropped_
        Columns dropped before the guard (identifiers, constants), with reason.
    leakage_report_
        Screening of the candidate columns.
    """

    _fitted_attribute = "model_"

    def __init__(
        self,
        exclude: Iterable[str] = (),
        max_auc: float = 0.95,
        max_retained_share: float = MAX_RETAINED_SHARE,
        min_proxy_auc: float = MIN_PROXY_AUC,
        random_state: int = 0,
    ) -> None:
        self.exclude = exclude
        self.max_auc = max_auc
        self.max_retained_share = max_retained_share
        self.min_proxy_auc = min_proxy_auc
        self.random_state = random_state

    def fit(self, leads: pd.DataFrame, target: str = "converted") -> Self:
        """Train on historical leads whose outcome is in ``target``.

        Raises
        ------
        InputError
            ``target`` is missing or not binary, or it contains one class only,
            or a name in ``exclude`` is not a column of ``leads``.
        ModelError
            The classifier failed to fit.
        """
        if target not in leads.columns:
            raise InputError(
                f"leads table has no target column {target!r}",
                hint="name the column that records conversion with --target",
            )
        check_exclude(leads.columns, self.exclude)
        y = binary_target(leads[target])
        frame = clean_leads(leads.drop(columns=target))
        self.target_ = target
        candidates, self.dropped_ = _candidate_columns(frame)
        for column, reason in self.dropped_.items():
            logger.info("lead column %r not used: %s", column, reason)

        self.leakage_report_: LeakageReport = screen_columns(
            frame[candidates],
            y,
            exclude=tuple(self.exclude),
            max_auc=self.max_auc,
            max_retained_share=self.max_retained_share,
            min_proxy_auc=self.min_proxy_auc,
            random_state=self.random_state,
        )
        self.features_ = list(self.leakage_report_.kept)
        self.categories_ = {
            column: _top_levels(frame[column])
            for column in self.features_
            if is_text(frame[column])
        }
        features = self._encode(frame)
        self.model_ = CalibratedClassifierCV(
            HistGradientBoostingClassifier(random_state=self.random_state, **_BOOSTING),
            method="isotonic",
            cv=StratifiedKFold(
                _CALIBRATION_FOLDS, shuffle=True, random_state=self.random_state
            ),
        )
        try:
            with single_thread():
                self.model_.fit(features, y)
        except ValueError as exc:
            raise ModelError(
                f"the conversion model failed to fit: {exc}",
                hint="check the lead columns named above for invalid values",
            ) from exc
        return self

    def predict_proba(self, leads: pd.DataFrame) -> pd.Series:
        """Return each lead's calibrated probability of converting.

        Returns
        -------
        pandas.Series
            Named ``p_convert``, indexed like ``leads``.

        Raises
        ------
        NotFittedError
            ``fit`` was not called.
        InputError
            A feature column of the training leads is missing.
        """
        self.check_fitted()
        missing = [c for c in self.features_ if c not in leads.columns]
        if missing:
            raise InputError(
                f"leads table has no column {', '.join(map(repr, missing))}, "
                "which the model was trained on",
                hint="score leads with the same columns as the training leads",
            )
        features = self._encode(clean_leads(leads[self.features_]))
        with single_thread():
            p = self.model_.predict_proba(features)[:, 1]
        return pd.Series(p, index=leads.index, name="p_convert")

    def _encode(self, frame: pd.DataFrame) -> pd.DataFrame:
        encoded: dict[str, Any] = {}
        for column in self.features_:
            values = frame[column]
            if column in self.categories_:
                encoded[column] = pd.Categorical(
                    values.astype("string"), categories=self.categories_[column]
                )
            elif pd.api.types.is_datetime64_any_dtype(values):
                # Days since 1970, whatever the unit the reader chose.
                encoded[column] = (values - pd.Timestamp(0)).dt.days
            else:
                encoded[column] = pd.to_numeric(values, errors="coerce")
        return pd.DataFrame(encoded, index=frame.index)


@dataclass
class ConversionEvaluation:
    """Cross-validated evaluation of :class:`ConversionModel`.

    Attributes
    ----------
    auc
        ROC AUC of the out-of-fold probabilities.
    fold_auc
        AUC of each fold.
    report
        Leakage screening of the whole table, as a model fitted on all of it
        screens it.
    dropped
        Identifier and constant columns left out, with reason.
    """

    auc: float
    fold_auc: list[float]
    report: LeakageReport
    dropped: dict[str, str]


def cross_validate_conversion(
    leads: pd.DataFrame,
    target: str = "converted",
    *,
    folds: int = 5,
    exclude: Iterable[str] = (),
    max_retained_share: float = MAX_RETAINED_SHARE,
    min_proxy_auc: float = MIN_PROXY_AUC,
    random_state: int = 0,
) -> ConversionEvaluation:
    """Return the out-of-fold AUC of :class:`ConversionModel`.

    The leakage guard runs inside each fold on its training rows, so the columns
    it drops are chosen without the held-out fold's outcomes.
    ``max_retained_share`` and ``min_proxy_auc`` set its proxy rule, as in
    :class:`ConversionModel`.

    Raises
    ------
    InputError
        ``folds`` is below 2 or above the rows of the rarer class, or a name in
        ``exclude`` is not a column of ``leads``.
    """
    if target not in leads.columns:
        raise InputError(
            f"leads table has no target column {target!r}",
            hint="name the column that records conversion with --target",
        )
    exclude = tuple(exclude)
    check_exclude(leads.columns, exclude)
    y = binary_target(leads[target])
    if folds < 2 or folds > y.value_counts().min():
        raise InputError(
            f"cannot split {len(y)} leads into {folds} folds",
            hint="use --folds between 2 and the count of the rarer outcome",
        )
    splitter = StratifiedKFold(folds, shuffle=True, random_state=random_state)
    out_of_fold = np.empty(len(leads))
    fold_auc = []
    for train, test in splitter.split(leads, y):
        model = ConversionModel(
            exclude=exclude,
            max_retained_share=max_retained_share,
            min_proxy_auc=min_proxy_auc,
            random_state=random_state,
        )
        # Each fold repeats the guard, so its warnings are given once, after the folds.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LeakageWarning)
            model.fit(leads.iloc[train], target)
        p = model.predict_proba(leads.iloc[test]).to_numpy()
        out_of_fold[test] = p
        fold_auc.append(float(roc_auc_score(y.iloc[test], p)))

    frame = clean_leads(leads.drop(columns=target))
    candidates, dropped = _candidate_columns(frame)
    report = screen_columns(
        frame[candidates],
        y,
        exclude=exclude,
        max_retained_share=max_retained_share,
        min_proxy_auc=min_proxy_auc,
        random_state=random_state,
    )
    return ConversionEvaluation(
        auc=float(roc_auc_score(y, out_of_fold)),
        fold_auc=fold_auc,
        report=report,
        dropped=dropped,
    )


def _candidate_columns(frame: pd.DataFrame) -> tuple[list[str], dict[str, str]]:
    """Split columns into guard candidates and the uninformative ones (rule 2)."""
    candidates = []
    dropped = {}
    for column in frame.columns:
        reason = _uninformative(frame[column])
        if reason:
            dropped[column] = reason
        else:
            candidates.append(column)
    return candidates, dropped


def _uninformative(values: pd.Series) -> str | None:
    filled = values.dropna()
    if filled.nunique() <= 1:
        return "constant"
    if filled.nunique() == len(values):
        return "identifier (one value per row)"
    return None


def _top_levels(values: pd.Series) -> list[str]:
    counts = values.dropna().astype("string").value_counts()
    return sorted(counts.index[:MAX_CATEGORIES])
