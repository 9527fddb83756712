"""Lifetime value of each account: the value columns of ``accounts.csv``.

Rules:

1. Purchases are summarised as of the run date in ``config.value.unit``.
2. The purchase model is ``config.value.model``. With ``"best"``, the last
   ``holdout_share`` of the history (from the first transaction to the as-of
   date) is held out and the model with the smaller per-account mean absolute
   error on it wins (see :mod:`cartera.models.check`). When no holdout can be
   cut (the holdout has fewer than ``min_holdout_purchases`` repeat purchases,
   or a model cannot be fitted on the calibration part), BG/NBD is used.
3. The chosen model is refitted on the whole history, and the Gamma-Gamma spend
   model on the accounts with repeat purchases and positive spend.
4. ``clv`` is the margin on expected spend over ``horizon_months``, discounted
   monthly (see :mod:`cartera.models.clv`). ``clv_low`` and ``clv_high`` are the
   quantiles of the CLV over parameter draws from the Laplace approximation of
   both models, widened when needed to contain ``clv``.
5. Accounts whose transactions are all returns have no purchase occasion; they
   get 0 in every column.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from cartera.config import ValueConfig
from cartera.errors import DataQualityWarning, InputError, ModelError
from cartera.models import _mle
from cartera.models._purchase import PurchaseModel
from cartera.models.check import PURCHASE_MODELS, HoldoutCheck, holdout_check
from cartera.models.clv import customer_lifetime_value
from cartera.models.gammagamma import GammaGammaModel
from cartera.models.summary import months_to_units, purchase_summary

logger = logging.getLogger(__name__)

VALUE_COLUMNS = (
    "account_id",
    "clv",
    "clv_low",
    "clv_high",
    "p_alive",
    "expected_purchases",
    "expected_spend",
)

SEGMENT_COLUMNS = (
    "segment",
    "accounts",
    "potential_spend",
    "potential_spend_low",
    "potential_spend_high",
)


@dataclass
class ValueResult:
    """Value columns per account, and the fitted models behind them.

    Attributes
    ----------
    accounts
        :data:`VALUE_COLUMNS`, one row per account: ``clv`` (currency, margin
        over the horizon, discounted), its interval ``clv_low`` and
        ``clv_high``, ``p_alive``, ``expected_purchases`` over the horizon
        (undiscounted) and ``expected_spend`` per purchase (currency).
    model
        Key of the purchase model used: ``"bgnbd"`` or ``"pareto"``.
    purchase_model, spend_model
        The fitted models.
    summary
        The purchase summary the models were fitted on.
    check
        The holdout check behind a ``"best"`` choice, or ``None``.
    config
        The settings used.
    """

    accounts: pd.DataFrame
    model: str
    purchase_model: PurchaseModel
    spend_model: GammaGammaModel
    summary: pd.DataFrame
    check: HoldoutCheck | None
    config: ValueConfig
    _draws: tuple[np.ndarray, np.ndarray] = field(repr=False)

    def segment_potential(self, segment: pd.Series) -> pd.DataFrame:
        """Return the expected spend of each segment over the horizon.

        Parameters
        ----------
        segment
            Segment label per account, indexed by ``account_id``. Accounts
            without a label are left out.

        Returns
        -------
        pandas.DataFrame
            :data:`SEGMENT_COLUMNS`, one row per segment: ``accounts`` (count)
            and ``potential_spend`` (currency, undiscounted expected purchases
            times expected spend, summed), with the interval of
            ``config.interval`` coverage over the parameter draws.
        """
        labels = segment.dropna()
        labels.index = labels.index.astype(str)
        in_summary = labels.index.intersection(self.summary.index)
        codes, names = pd.factorize(labels.loc[in_summary], sort=True)
        rows = self.summary.loc[in_summary]
        horizon = months_to_units(self.config.horizon_months, self.config.unit)

        def potential(purchase: np.ndarray, spend: np.ndarray) -> np.ndarray:
            values = self.purchase_model.expected_purchases(
                rows, horizon, purchase
            ) * self.spend_model.expected_spend(rows, spend)
            return np.bincount(codes, weights=values, minlength=len(names))

        point = potential(
            self.purchase_model.param_vector, self.spend_model.param_vector
        )
        drawn = _over_draws(potential, self._draws).reshape(-1, len(names))
        low, high = _interval(drawn, point, self.config.interval)

        counts = labels.value_counts()
        all_names = pd.Index(sorted(labels.unique()))
        table = pd.DataFrame(
            {
                "segment": all_names,
                "accounts": counts.reindex(all_names).to_numpy(),
                "potential_spend": pd.Series(point, index=names)
                .reindex(all_names, fill_value=0.0)
                .to_numpy(),
                "potential_spend_low": pd.Series(low, index=names)
                .reindex(all_names, fill_value=0.0)
                .to_numpy(),
                "potential_spend_high": pd.Series(high, index=names)
                .reindex(all_names, fill_value=0.0)
                .to_numpy(),
            }
        )
        return table[list(SEGMENT_COLUMNS)]


def fit_value(
    transactions: pd.DataFrame, as_of: date, config: ValueConfig
) -> ValueResult:
    """Fit the value models and predict each account's lifetime value.

    Parameters
    ----------
    transactions
        ``account_id`` (text), ``date`` (datetime64) and ``amount`` (float,
        negative for a return), one row per order or return.
    as_of
        Last day of the history; later transactions are ignored.
    config
        The ``[value]`` section of ``cartera.toml``.

    Raises
    ------
    InputError
        A column or value is missing, or no account has a purchase.
    ModelError
        A model cannot be fitted, or its predictions are not finite.
    """
    summary = purchase_summary(transactions, as_of, config.unit)
    if summary.empty:
        raise InputError(
            f"transactions: no account has a purchase on or before {as_of}",
            hint="check the as-of date and the sign of the amount column",
        )
    check = None
    key: str = config.model
    start = None
    if key == "best":
        check = _choose(transactions, as_of, summary, config)
        key = check.best if check is not None else "bgnbd"
        # The calibration estimates are a close start for the full history.
        start = check.params.get(key) if check is not None else None
    spend_model = GammaGammaModel().fit(summary)
    # The chosen model first, then the others: a model that cannot predict on
    # these data (a fit at its parameter bounds) gives way to the next one.
    candidates = [key, *(other for other in PURCHASE_MODELS if other != key)]
    failures: list[str] = []
    for candidate in candidates:
        try:
            initial = start if candidate == key else None
            purchase_model = PURCHASE_MODELS[candidate](initial_params=initial)
            purchase_model.fit(summary)
            rng = np.random.default_rng(config.seed)
            draws = (
                purchase_model.sample_params(config.draws, rng),
                spend_model.sample_params(config.draws, rng),
            )
            accounts = _account_values(
                summary, purchase_model, spend_model, draws, config
            )
        except ModelError as exc:
            failures.append(exc.message)
            warnings.warn(
                f"{exc.message}; trying the next purchase model",
                DataQualityWarning,
                stacklevel=2,
            )
            continue
        key = candidate
        break
    else:
        raise ModelError(
            "no purchase model could predict: " + "; ".join(failures),
            hint="check the transactions: the history may be too short or uniform",
        )
    logger.info(
        "value models: %s %s, Gamma-Gamma %s",
        key,
        purchase_model.params_,
        spend_model.params_,
    )
    seen = pd.to_datetime(transactions["date"]) <= pd.Timestamp(as_of)
    all_ids = pd.Index(
        transactions.loc[seen, "account_id"].astype(str).unique()
    ).sort_values()
    accounts = accounts.reindex(all_ids, fill_value=0.0)
    accounts.index.name = "account_id"
    return ValueResult(
        accounts.reset_index()[list(VALUE_COLUMNS)],
        key,
        purchase_model,
        spend_model,
        summary,
        check,
        config,
        draws,
    )


def _choose(
    transactions: pd.DataFrame,
    as_of: date,
    summary: pd.DataFrame,
    config: ValueConfig,
) -> HoldoutCheck | None:
    """Run the holdout check on the tail of the history, or return ``None``."""
    first = pd.Timestamp(transactions["date"].min()).date()
    span = (as_of - first).days
    held_out = round(span * config.holdout_share)
    calibration_end = as_of - timedelta(days=held_out)
    if held_out < 1 or calibration_end <= first:
        logger.info("history of %d days is too short for a holdout", span)
        return None
    calibration = purchase_summary(transactions, calibration_end, config.unit)
    in_holdout = (
        summary["frequency"].reindex(calibration.index) - calibration["frequency"]
    )
    if in_holdout.sum() < config.min_holdout_purchases:
        logger.info(
            "holdout from %s has %d repeat purchases, fewer than %d: using BG/NBD",
            calibration_end,
            in_holdout.sum(),
            config.min_holdout_purchases,
        )
        return None
    try:
        return holdout_check(transactions, calibration_end, as_of, config.unit)
    except ModelError as exc:
        warnings.warn(
            f"the holdout check failed, so BG/NBD is used: {exc.message}",
            DataQualityWarning,
            stacklevel=3,
        )
        return None


def _account_values(
    summary: pd.DataFrame,
    purchase_model: PurchaseModel,
    spend_model: GammaGammaModel,
    draws: tuple[np.ndarray, np.ndarray],
    config: ValueConfig,
) -> pd.DataFrame:
    # Accounts with the same (x, t_x, T, spend) have the same values.
    groups = _mle.group_rows(
        summary["frequency"],
        summary["recency"],
        summary["T"],
        summary["monetary_value"],
    )
    # Each distinct row carries its first account's id, so errors name one.
    rows = pd.DataFrame(
        groups.values,
        columns=["frequency", "recency", "T", "monetary_value"],
        index=summary.index[groups.first],
    )
    horizon = months_to_units(config.horizon_months, config.unit)

    def clv(purchase: np.ndarray, spend: np.ndarray) -> np.ndarray:
        return customer_lifetime_value(
            lambda t: purchase_model.expected_purchases(rows, t, purchase),
            spend_model.expected_spend(rows, spend),
            horizon_months=config.horizon_months,
            monthly_discount_rate=config.monthly_discount_rate,
            margin=config.margin,
            unit=config.unit,
        )

    point = clv(purchase_model.param_vector, spend_model.param_vector)
    drawn = _over_draws(clv, draws)
    low, high = _interval(drawn, point, config.interval)
    values = pd.DataFrame(
        {
            "clv": point,
            "clv_low": low,
            "clv_high": high,
            "p_alive": purchase_model.p_alive(rows),
            "expected_purchases": purchase_model.expected_purchases(rows, horizon),
            "expected_spend": spend_model.expected_spend(rows),
        }
    )
    return values.iloc[groups.inverse].set_index(summary.index)


def _over_draws(
    function: Callable[[np.ndarray, np.ndarray], np.ndarray],
    draws: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    """Evaluate ``function`` on each pair of parameter draws, one row per draw.

    A draw whose predictions are not finite is left out with a warning. Draws
    far out on a flat likelihood can reach parameters that the closed forms
    cannot evaluate.

    Raises
    ------
    ModelError
        Fewer than half of the draws give finite predictions.
    """
    rows = []
    for purchase, spend in zip(*draws, strict=True):
        try:
            rows.append(function(purchase, spend))
        except ModelError:
            continue
    total = len(draws[0])
    if len(rows) < total / 2:
        raise ModelError(
            f"only {len(rows)} of {total} parameter draws give finite predictions",
            hint="set value.model to the other purchase model, or use more history",
        )
    if len(rows) < total:
        warnings.warn(
            f"{total - len(rows)} of {total} parameter draws gave non-finite "
            "predictions and were left out of the intervals",
            DataQualityWarning,
            stacklevel=3,
        )
    return np.array(rows)


def _interval(
    drawn: np.ndarray, point: np.ndarray, coverage: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return the central ``coverage`` interval of draws, widened to hold ``point``."""
    tail = (1.0 - coverage) / 2.0
    low = np.quantile(drawn, tail, axis=0)
    high = np.quantile(drawn, 1.0 - tail, axis=0)
    return np.minimum(low, point), np.maximum(high, point)
