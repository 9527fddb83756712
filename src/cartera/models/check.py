"""Calibration/holdout check of the purchase models.

Each model is fitted on the purchases up to the calibration end and forecasts the
holdout period that follows, up to the holdout end. Two comparisons are
reported, as in Fader, Hardie and Lee (2005):

1. Holdout purchases: the sum over accounts of each account's conditional
   forecast ``E[Y(t) | x, t_x, T]`` against the repeat occasions the accounts
   made in the holdout period. The per-account mean absolute error of the same
   forecasts is reported too.
2. Cumulative repeat purchases at the holdout end: the sum of the unconditional
   ``E[X(T + t)]`` over accounts, each at its age at the holdout end, against all
   repeat occasions up to the holdout end.

Only accounts with a purchase by the calibration end take part. The best model
is the one with the smaller per-account mean absolute error, because the
forecasts are used to rank accounts. Errors within 0.5 % of the smallest count as
a tie, which goes to the first model listed (BG/NBD by default). When both models
fit no dropout at all, they differ only in rounding, and BG/NBD is the faster and
steadier of the two.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from cartera.errors import InputError, ModelError
from cartera.models._purchase import PurchaseModel
from cartera.models.bgnbd import BetaGeoModel
from cartera.models.pareto import ParetoNBDModel
from cartera.models.summary import Unit, days_per_unit, purchase_summary

logger = logging.getLogger(__name__)

PURCHASE_MODELS: dict[str, type[PurchaseModel]] = {
    "bgnbd": BetaGeoModel,
    "pareto": ParetoNBDModel,
}

# Relative difference in mean absolute error below which two models tie.
TIE_TOLERANCE = 0.005

CHECK_COLUMNS = (
    "model",
    "log_likelihood",
    "holdout_actual",
    "holdout_forecast",
    "holdout_error",
    "mean_absolute_error",
    "cumulative_actual",
    "cumulative_forecast",
    "cumulative_error",
)


@dataclass
class HoldoutCheck:
    """Outcome of :func:`holdout_check`.

    Attributes
    ----------
    table
        One row per model with :data:`CHECK_COLUMNS`. Errors are relative
        (``forecast / actual - 1``, negative when the forecast is low), except
        ``mean_absolute_error``, which is in purchases per account.
    best
        Key of the model with the smaller mean absolute error.
    accounts
        Accounts in the check.
    params
        Each model's estimates on the calibration period, by model key.
    holdout_length
        Length of the holdout period, in ``unit``.
    """

    table: pd.DataFrame
    best: str
    accounts: int
    params: dict[str, dict[str, float]]
    holdout_length: float
    calibration_end: date
    holdout_end: date
    unit: str


def holdout_check(
    transactions: pd.DataFrame,
    calibration_end: date,
    holdout_end: date,
    unit: Unit = "weeks",
    models: tuple[str, ...] = ("bgnbd", "pareto"),
) -> HoldoutCheck:
    """Fit each model on the calibration period and compare it with the holdout.

    Parameters
    ----------
    transactions
        ``account_id``, ``date`` and ``amount`` per order or return.
    calibration_end, holdout_end
        Last day of the calibration period and of the holdout period.
    unit
        Time unit of the models: ``"weeks"`` or ``"days"``.
    models
        Keys of :data:`PURCHASE_MODELS` to check.

    Raises
    ------
    InputError
        The holdout end is not after the calibration end, or a model key is
        unknown.
    ModelError
        A model cannot be fitted.
    """
    if holdout_end <= calibration_end:
        raise InputError(
            f"holdout end {holdout_end} is not after calibration end {calibration_end}",
            hint="give a holdout end later than the calibration end",
        )
    unknown = [key for key in models if key not in PURCHASE_MODELS]
    if unknown:
        raise InputError(
            f"model {', '.join(unknown)} is unknown",
            hint=f"use {', '.join(PURCHASE_MODELS)}",
        )
    calibration = purchase_summary(transactions, calibration_end, unit)
    full = purchase_summary(transactions, holdout_end, unit).reindex(calibration.index)
    holdout_actual = (full["frequency"] - calibration["frequency"]).to_numpy()
    length = (holdout_end - calibration_end).days / days_per_unit(unit)

    rows = []
    params = {}
    failures: list[str] = []
    for key in models:
        try:
            model = PURCHASE_MODELS[key]().fit(calibration)
            forecast = model.expected_purchases(calibration, length)
            cumulative = model.expected_purchases_new(
                calibration["T"].to_numpy() + length
            )
        except ModelError as exc:
            # One model failing on these data leaves the others to compare.
            failures.append(exc.message)
            logger.warning("holdout check: %s", exc.message)
            continue
        params[key] = model.params_
        rows.append(
            {
                "model": key,
                "log_likelihood": model.log_likelihood_,
                "holdout_actual": float(holdout_actual.sum()),
                "holdout_forecast": float(forecast.sum()),
                "mean_absolute_error": float(np.abs(forecast - holdout_actual).mean()),
                "cumulative_actual": float(full["frequency"].sum()),
                "cumulative_forecast": float(cumulative.sum()),
            }
        )
    if not rows:
        raise ModelError(
            "no purchase model could be fitted: " + "; ".join(failures),
            hint="check the transactions: the history may be too short or uniform",
        )
    table = pd.DataFrame(rows)
    table["holdout_error"] = _relative_error(
        table["holdout_forecast"], table["holdout_actual"]
    )
    table["cumulative_error"] = _relative_error(
        table["cumulative_forecast"], table["cumulative_actual"]
    )
    table = table[list(CHECK_COLUMNS)]
    best = choose_best(table)
    logger.info("holdout check on %d accounts: best model %s", len(calibration), best)
    return HoldoutCheck(
        table,
        best,
        len(calibration),
        params,
        length,
        calibration_end,
        holdout_end,
        unit,
    )


def choose_best(table: pd.DataFrame) -> str:
    """Return the model with the smallest ``mean_absolute_error``, ties to the first.

    Errors within :data:`TIE_TOLERANCE` of the smallest count as a tie.
    """
    errors = table["mean_absolute_error"]
    tied = errors <= errors.min() * (1 + TIE_TOLERANCE)
    return str(table.loc[tied, "model"].iloc[0])


def _relative_error(forecast: pd.Series, actual: pd.Series) -> pd.Series:
    return (forecast / actual.where(actual > 0)) - 1.0
