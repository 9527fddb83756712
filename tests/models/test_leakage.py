"""Leakage guard: each rule drops its column with a warning naming it."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from cartera.errors import InputError, LeakageWarning
from cartera.models.leakage import (
    is_settlement_field,
    is_snapshot_field,
    screen_columns,
)

N = 600


@pytest.fixture
def examples() -> tuple[pd.DataFrame, pd.Series]:
    """Honest columns with a moderate signal, and a binary target."""
    rng = np.random.default_rng(11)
    signal = rng.normal(size=N)
    y = pd.Series((signal + rng.normal(size=N) > 0).astype(int), name="late")
    frame = pd.DataFrame(
        {
            "score": signal + rng.normal(scale=1.0, size=N),
            "channel": rng.choice(["paper", "electronic"], size=N),
            "noise": rng.normal(size=N),
        }
    )
    return frame, y


def screen_quietly(
    frame: pd.DataFrame, y: pd.Series, **options: object
) -> tuple[list[str], list[str]]:
    """Return dropped columns and warning messages of one screening."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = screen_columns(frame, y, **options)  # type: ignore[arg-type]
    messages = [str(w.message) for w in caught if w.category is LeakageWarning]
    return [finding.column for finding in report.dropped], messages


def test_honest_columns_kept(examples: tuple[pd.DataFrame, pd.Series]) -> None:
    frame, y = examples
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = screen_columns(frame, y)
    assert report.kept == ["score", "channel", "noise"]
    assert report.dropped == []
    assert 0.6 < report.scores.set_index("column").loc["score", "auc"] < 0.9


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("paid_date", True),
        ("SettledDate", True),
        ("DaysToSettle", True),
        ("days_to_pay", True),
        ("DaysLate", True),
        ("payment_status", True),
        ("amount_paid", True),
        ("countryCode", False),
        ("PaperlessBill", False),
        ("due_date", False),
        ("Total Time Spent on Website", False),
    ],
    ids=lambda value: str(value),
)
def test_settlement_field_names(name: str, expected: bool) -> None:
    assert is_settlement_field(name) is expected


def test_settlement_field_dropped_whatever_score(
    examples: tuple[pd.DataFrame, pd.Series],
) -> None:
    frame, y = examples
    frame = frame.assign(status=np.random.default_rng(1).choice(["a", "b"], N))
    dropped, messages = screen_quietly(frame, y)
    assert dropped == ["status"]
    assert "'status'" in messages[0]
    assert "settlement field" in messages[0]


def test_near_perfect_column_dropped(examples: tuple[pd.DataFrame, pd.Series]) -> None:
    frame, y = examples
    # A renamed outcome: its name gives nothing away, its score does.
    flip = np.random.default_rng(2).random(N) < 0.01
    frame = frame.assign(x7=np.where(flip, 1 - y, y) * 3.0 + 5.0)
    dropped, messages = screen_quietly(frame, y)
    assert dropped == ["x7"]
    assert "almost perfectly" in messages[0]


def test_column_perfect_where_filled_dropped(
    examples: tuple[pd.DataFrame, pd.Series],
) -> None:
    frame, y = examples
    # Filled in for a third of the rows only, but decisive there: the shape of
    # a status tag entered by staff after follow-up.
    filled = np.random.default_rng(3).random(N) < 0.35
    tag = np.where(y == 1, "closed won", "lost")
    frame = frame.assign(tag=pd.Series(tag).where(filled))
    dropped, messages = screen_quietly(frame, y)
    assert dropped == ["tag"]
    assert "where filled" in messages[0]


def test_date_after_outcome_dropped(examples: tuple[pd.DataFrame, pd.Series]) -> None:
    frame, y = examples
    outcome = pd.Series(pd.date_range("2024-01-01", periods=N, freq="D"))
    frame = frame.assign(
        closed_on=outcome + pd.Timedelta(days=2),
        opened_on=(outcome - pd.Timedelta(days=40)).where(frame.index % 7 > 0),
    )
    dropped, messages = screen_quietly(frame, y, outcome_date=outcome)
    assert dropped == ["closed_on"]
    assert "dated on or after the outcome on 100% of rows" in messages[0]


def test_group_average_of_outcome_dropped(
    examples: tuple[pd.DataFrame, pd.Series],
) -> None:
    frame, y = examples
    groups = pd.Series(np.arange(N) % 40)
    frame = frame.assign(customer_late_share=y.groupby(groups).transform("mean"))
    dropped, messages = screen_quietly(frame, y, groups=groups)
    assert dropped == ["customer_late_share"]
    assert "group average of the outcome" in messages[0]


def test_group_average_over_later_rows_dropped(
    examples: tuple[pd.DataFrame, pd.Series],
) -> None:
    # The column averages the outcome of every row of its group, including
    # rows after the training cut-off that the guard does not see: half of
    # the rows here. Over the training rows alone it looks like noise.
    frame, y = examples
    rng = np.random.default_rng(7)
    later = pd.Series((rng.random(N) < 0.5).astype(int), index=range(N, 2 * N))
    groups = pd.Series(np.arange(2 * N) % 200)
    every = pd.concat([y, later])
    name = "the share late over every settled invoice"
    rates = every.groupby(groups).mean().to_frame(name)
    frame = frame.assign(customer_late_share=groups[:N].map(rates[name]))

    training_only, _ = screen_quietly(frame, y, groups=groups[:N])
    dropped, messages = screen_quietly(frame, y, groups=groups[:N], group_rates=rates)
    assert training_only == []
    assert dropped == ["customer_late_share"]
    assert "the share late over every settled invoice" in messages[0]
    assert "rank correlation 1.000" in messages[0]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Last Activity", True),
        ("Last Notable Activity", True),
        ("LastContactDate", True),
        ("latest_stage", True),
        ("Última gestión", True),
        ("fecha_ultima_llamada", True),
        ("most recent channel", True),
        ("Last Name", False),
        ("LastName", False),
        ("What is your current occupation", False),
        ("Lead Source", False),
        ("Total Time Spent on Website", False),
        ("lastly", False),
    ],
    ids=lambda value: str(value),
)
def test_snapshot_field_names(name: str, expected: bool) -> None:
    assert is_snapshot_field(name) is expected


def test_snapshot_field_dropped_whatever_score(
    examples: tuple[pd.DataFrame, pd.Series],
) -> None:
    frame, y = examples
    frame = frame.rename(columns={"channel": "Last Channel"})
    dropped, messages = screen_quietly(frame, y)
    assert dropped == ["Last Channel"]
    assert "named for the latest state" in messages[0]


def test_declared_column_dropped(examples: tuple[pd.DataFrame, pd.Series]) -> None:
    frame, y = examples
    dropped, messages = screen_quietly(frame, y, exclude=["channel"])
    assert dropped == ["channel"]
    assert "declared as recorded after the outcome" in messages[0]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        pytest.param(pd.Series([1] * N), "one class only", id="one-class"),
        pytest.param(pd.Series([0, 1, 2] * (N // 3)), "must be 0/1", id="three-values"),
        pytest.param(
            pd.Series([0, 1] * (N // 2), index=range(1, N + 1)),
            "not aligned",
            id="misaligned",
        ),
    ],
)
def test_invalid_target_rejected(
    examples: tuple[pd.DataFrame, pd.Series], target: pd.Series, message: str
) -> None:
    frame, _ = examples
    with pytest.raises(InputError, match=message):
        screen_columns(frame, target)


def with_follow_up(frame: pd.DataFrame, y: pd.Series) -> pd.DataFrame:
    """Add a status tag, decisive where filled, and a rating entered with it.

    Staff fill both in during follow-up, for half of the rows. The rating agrees
    with the tag three times in four, so it scores well alone but carries no
    information on the outcome once the tag is known.
    """
    rng = np.random.default_rng(4)
    filled = rng.random(N) < 0.5
    tag = np.where(y == 1, "closed won", "lost")
    agrees = rng.random(N) < 0.75
    rating = np.where((y == 1) == agrees, "hot", "cold")
    return frame.assign(
        tag=pd.Series(tag).where(filled), rating=pd.Series(rating).where(filled)
    )


def test_proxy_of_partial_leak_dropped(
    examples: tuple[pd.DataFrame, pd.Series],
) -> None:
    frame = with_follow_up(*examples)
    y = examples[1]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = screen_columns(frame, y)
    messages = [str(w.message) for w in caught if w.category is LeakageWarning]
    scores = report.scores.set_index("column")
    assert [finding.column for finding in report.dropped] == ["tag", "rating"]
    assert messages[1].startswith("column 'rating' dropped")
    assert "proxy of 'tag'" in messages[1]
    assert scores.loc["rating", "auc"] >= 0.6
    assert scores.loc["rating", "auc"] < 0.95
    assert scores.loc["rating", "retained_share"] < 0.1
    assert scores.loc["rating", "proxy_of"] == "tag"


def test_strong_honest_column_not_proxy(
    examples: tuple[pd.DataFrame, pd.Series],
) -> None:
    frame = with_follow_up(*examples)
    y = examples[1]
    report = screen_columns(frame, y, warn=False)
    scores = report.scores.set_index("column")
    # "score" is stronger alone than the rating, but it acts on the outcome on
    # every row, the rows without a tag included.
    assert scores.loc["score", "auc"] > scores.loc["rating", "auc"]
    assert scores.loc["score", "retained_share"] > 0.7
    assert report.kept == ["score", "channel", "noise"]


@pytest.mark.parametrize(
    ("options", "dropped"),
    [
        pytest.param({}, ["tag", "rating"], id="defaults"),
        pytest.param({"min_proxy_auc": 0.99}, ["tag"], id="rating-too-weak"),
        pytest.param({"max_auc": 1.01}, [], id="no-partial-leak"),
        pytest.param({"exclude": ["tag"]}, ["tag", "rating"], id="tag-declared"),
    ],
)
def test_proxy_rule_options(
    examples: tuple[pd.DataFrame, pd.Series],
    options: dict[str, object],
    dropped: list[str],
) -> None:
    frame = with_follow_up(*examples)
    y = examples[1]
    found, _ = screen_quietly(frame, y, **options)
    assert found == dropped


def test_full_leak_has_no_proxies(examples: tuple[pd.DataFrame, pd.Series]) -> None:
    frame, y = examples
    # A copy of the outcome on every row leaves nothing open: once it is known,
    # every column's information on the outcome vanishes, honest or not.
    frame = frame.assign(outcome_copy=y * 2.0 + 1.0)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        report = screen_columns(frame, y)
    assert [finding.column for finding in report.dropped] == ["outcome_copy"]
    assert report.scores["retained_share"].isna().all()
