"""Calibration/holdout check on the CDNOW sample."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from cartera.errors import InputError
from cartera.models.check import CHECK_COLUMNS, choose_best, holdout_check

# Weeks 1-39 of the CDNOW studies calibrate, weeks 40-78 are held out.
CALIBRATION_END = date(1997, 9, 30)
HOLDOUT_END = date(1998, 6, 30)


@pytest.mark.realdata
def test_cdnow_holdout_forecasts(cdnow_transactions: pd.DataFrame) -> None:
    """Weeks 1-39 calibrate, weeks 40-78 are held out.

    Reference figures for the CDNOW sample: 1,882 repeat purchases in weeks
    40-78. In the cumulative tracking comparison of Fader, Hardie and Lee
    (2005), "Counting your customers the easy way", Marketing Science 24(2),
    the BG/NBD is about 4 % low at week 78 and the Pareto/NBD under 2 % low.
    """
    check = holdout_check(cdnow_transactions, CALIBRATION_END, HOLDOUT_END)
    table = check.table.set_index("model")

    assert list(check.table.columns) == list(CHECK_COLUMNS)
    assert check.accounts == 2357
    assert check.holdout_length == pytest.approx(39.0)
    assert (table["holdout_actual"] == 1882).all()
    assert -0.05 < table.loc["bgnbd", "cumulative_error"] < -0.03
    assert -0.02 < table.loc["pareto", "cumulative_error"] < 0.0
    # The conditional per-account forecasts are reported for both models.
    assert (table["holdout_forecast"] < table["holdout_actual"]).all()
    assert np.isfinite(table["mean_absolute_error"]).all()
    smallest = table["mean_absolute_error"].idxmin()
    assert check.best == smallest


def test_holdout_end_before_calibration_end_raises() -> None:
    frame = pd.DataFrame(
        {"account_id": ["A"], "date": pd.to_datetime(["2024-01-01"]), "amount": [1.0]}
    )
    with pytest.raises(InputError, match="is not after calibration end"):
        holdout_check(frame, date(2024, 6, 30), date(2024, 6, 1))


def test_unknown_model_raises() -> None:
    frame = pd.DataFrame(
        {"account_id": ["A"], "date": pd.to_datetime(["2024-01-01"]), "amount": [1.0]}
    )
    with pytest.raises(InputError, match="model ggnbd is unknown"):
        holdout_check(frame, date(2024, 6, 1), date(2024, 6, 30), models=("ggnbd",))


@pytest.mark.parametrize(
    ("errors", "best"),
    [
        pytest.param([0.80, 0.75], "pareto", id="clearly-smaller"),
        pytest.param([0.7510, 0.7500], "bgnbd", id="within-tolerance-is-tie"),
        pytest.param([0.75, 0.75], "bgnbd", id="equal-goes-to-first"),
        pytest.param([0.70, 0.75], "bgnbd", id="first-smaller"),
    ],
)
def test_choose_best_model(errors: list[float], best: str) -> None:
    table = pd.DataFrame({"model": ["bgnbd", "pareto"], "mean_absolute_error": errors})
    assert choose_best(table) == best
