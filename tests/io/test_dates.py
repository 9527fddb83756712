"""Date format detection and parsing, column by column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cartera.errors import InputError
from cartera.io.dates import (
    DateColumn,
    date_part_format,
    detect_formats,
    looks_like_dates,
    order,
    parse_dates,
)


def column(cells: list[str], key: str = "issue_date") -> DateColumn:
    series = pd.Series(cells, dtype="str")
    return DateColumn(key, key, series, np.arange(2, len(cells) + 2))


def detect(cells: list[str]) -> str | None:
    formats = detect_formats(Path("f.csv"), "invoices", [column(cells)], [])
    return formats.get("issue_date")


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        pytest.param(["2025-01-31", "2025-02-01"], "%Y-%m-%d", id="iso"),
        pytest.param(["2025/01/31"], "%Y/%m/%d", id="iso-slash"),
        pytest.param(["20250131", "20250201"], "%Y%m%d", id="compact"),
        pytest.param(["31/01/2025", "1/2/2025"], "%d/%m/%Y", id="day-first"),
        pytest.param(["1/31/2025", "2/1/2025"], "%m/%d/%Y", id="month-first"),
        pytest.param(["31-01-2025"], "%d-%m-%Y", id="day-first-dash"),
        pytest.param(["31.01.2025", "1.2.2025"], "%d.%m.%Y", id="dots"),
        pytest.param(["31/01/25"], "%d/%m/%y", id="two-digit-year"),
        pytest.param(["31-Jan-2025"], "%d-%b-%Y", id="month-name"),
        pytest.param(["31-dic-2025", "2-ENE-2026"], "%d-%b-%Y", id="spanish-month"),
        pytest.param(["5 ago 2025"], "%d %b %Y", id="spanish-month-spaces"),
        pytest.param(
            ["2025-01-31 17:45:00", "2025-02-01 08:00"], "%Y-%m-%d", id="time"
        ),
        pytest.param(["1/31/2025 5:45 PM"], "%m/%d/%Y", id="time-am-pm"),
        pytest.param(["2025-01-31T23:30:00+01:00"], "%Y-%m-%d", id="offset"),
        pytest.param(["2025-01-31T23:30:00.123Z"], "%Y-%m-%d", id="utc-z"),
        pytest.param(["2025-01-31", "", "  "], "%Y-%m-%d", id="blanks"),
        pytest.param(["", ""], None, id="all-blank"),
    ],
)
def test_format_detected(cells: list[str], expected: str | None) -> None:
    assert detect(cells) == expected


def test_unparseable_values_do_not_make_mixed() -> None:
    assert detect(["2025-01-31", "n/a", "2025-02-30"]) == "%Y-%m-%d"


def test_no_known_format_raises() -> None:
    with pytest.raises(
        InputError, match=r"no date in a known format.*'soon' on line 2"
    ):
        detect(["soon", "later"])


def test_mixed_day_and_month_first_raises() -> None:
    with pytest.raises(InputError) as caught:
        detect(["1/31/2025", "2/28/2025", "13/1/2025"])
    assert caught.value.message.endswith(
        "'1/31/2025' on line 2 is %m/%d/%Y but '13/1/2025' on line 4 is not"
    )


def test_witness_disagreement_raises() -> None:
    ambiguous = column(["01/02/2025"], key="due_date")
    day_first = column(["31/01/2025"], key="a")
    month_first = column(["01/31/2025"], key="b")
    with pytest.raises(InputError, match="other date columns disagree"):
        detect_formats(Path("f.csv"), "invoices", [ambiguous], [day_first, month_first])


def test_lenient_detection_skips_problems() -> None:
    columns = [column(["01/02/2025"], "a"), column(["2025-01-01", "1/31/2025"], "b")]
    assert detect_formats(Path("f.csv"), "-", columns, [], strict=False) == {}


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        pytest.param("%d/%m/%Y", "day", id="day"),
        pytest.param("%m-%d-%y", "month", id="month"),
        pytest.param("%Y-%m-%d", None, id="year-first"),
        pytest.param("%d-%b-%Y", None, id="month-name"),
    ],
)
def test_order(fmt: str, expected: str | None) -> None:
    assert order(fmt) == expected


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        pytest.param("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d", id="iso-timestamp"),
        pytest.param("%d/%m/%Y %H:%M", "%d/%m/%Y", id="space-time"),
        pytest.param("%d/%m/%Y", "%d/%m/%Y", id="date-only"),
    ],
)
def test_date_part_format(fmt: str, expected: str) -> None:
    assert date_part_format(fmt) == expected


def test_configured_timestamp_format_keeps_written_date() -> None:
    cells = pd.Series(["2025-12-20T23:30:00+01:00", "2025-12-21T00:10:00-08:00"])
    parsed = parse_dates(cells.astype("str"), "%Y-%m-%dT%H:%M:%S%z")
    assert parsed.values.tolist() == list(pd.to_datetime(["2025-12-20", "2025-12-21"]))


def test_far_future_placeholder_fits() -> None:
    parsed = parse_dates(pd.Series(["9999-12-31"], dtype="str"), "%Y-%m-%d")
    assert parsed.values.iloc[0] == pd.Timestamp("9999-12-31")
    assert not parsed.invalid[0]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        pytest.param(["1/2/2013", "12/31/2013"], True, id="slashes"),
        pytest.param(["19970101"], True, id="compact"),
        pytest.param(["2025-01-02 10:00:00"], True, id="timestamp"),
        pytest.param(["0000611365"], False, id="invoice-number"),
        pytest.param(["3.03.001.00514"], False, id="code"),
        pytest.param(["", ""], False, id="empty"),
    ],
)
def test_looks_like_dates(cells: list[str], expected: bool) -> None:
    assert looks_like_dates(pd.Series(cells, dtype="str")) is expected


def test_spanish_month_parsed() -> None:
    parsed = parse_dates(
        pd.Series(["31-dic-2025", "1-Ago-2025"], dtype="str"), "%d-%b-%Y"
    )
    assert parsed.values.tolist() == list(pd.to_datetime(["2025-12-31", "2025-08-01"]))
