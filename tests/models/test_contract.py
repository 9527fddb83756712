"""The estimator contract, run over every model."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from cartera.errors import NotFittedError
from cartera.models.base import Estimator
from cartera.models.bgnbd import BetaGeoModel
from cartera.models.gammagamma import GammaGammaModel
from cartera.models.pareto import ParetoNBDModel
from cartera.models.simulate import simulate_bgnbd, simulate_spend

# Each entry: the settings given to the constructor, and a prediction to call.
MODELS: list[tuple[type[Estimator], dict[str, object], Callable[..., object]]] = [
    (
        BetaGeoModel,
        {"initial_params": {"r": 0.5}, "max_iter": 500, "tol": 1e-8},
        lambda model, summary: model.p_alive(summary),
    ),
    (
        ParetoNBDModel,
        {"initial_params": None, "max_iter": 500, "tol": 1e-8},
        lambda model, summary: model.expected_purchases(summary, 10.0),
    ),
    (
        GammaGammaModel,
        {"max_iter": 500, "tol": 1e-8},
        lambda model, summary: model.expected_spend(summary),
    ),
]
IDS = [cls.__name__ for cls, _, _ in MODELS]


@pytest.fixture(scope="module")
def summary() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    T = rng.integers(20, 40, size=400).astype(float)
    params = {"r": 0.5, "alpha": 5.0, "a": 0.8, "b": 2.5}
    frame = simulate_bgnbd(params, T, rng)
    spend = {"p": 6.0, "q": 4.0, "gamma": 15.0}
    frame["monetary_value"] = simulate_spend(spend, frame["frequency"], rng)
    frame.index = frame.index.map(lambda i: f"acc{i}")
    return frame


@pytest.mark.parametrize(("cls", "settings", "predict"), MODELS, ids=IDS)
def test_constructor_stores_settings(
    cls: type[Estimator], settings: dict[str, object], predict: Callable[..., object]
) -> None:
    model = cls(**settings)
    assert model.get_params() == settings


@pytest.mark.parametrize(("cls", "settings", "predict"), MODELS, ids=IDS)
def test_predict_before_fit_raises(
    cls: type[Estimator],
    settings: dict[str, object],
    predict: Callable[..., object],
    summary: pd.DataFrame,
) -> None:
    model = cls(**settings)
    assert not model.is_fitted()
    with pytest.raises(NotFittedError, match="not fitted"):
        predict(model, summary)


@pytest.mark.parametrize(("cls", "settings", "predict"), MODELS, ids=IDS)
def test_fit_returns_self_with_learned_values(
    cls: type[Estimator],
    settings: dict[str, object],
    predict: Callable[..., object],
    summary: pd.DataFrame,
) -> None:
    model = cls(**settings)
    learned_before = [name for name in vars(model) if name.endswith("_")]
    fitted = model.fit(summary)  # type: ignore[attr-defined]
    learned_after = [name for name in vars(model) if name.endswith("_")]

    assert fitted is model
    assert learned_before == []
    assert "params_" in learned_after
    assert model.get_params() == settings
    values = np.asarray(predict(model, summary))
    assert values.shape == (len(summary),)
    assert np.isfinite(values).all()
