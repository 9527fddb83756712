"""Collections worklist: one line per invoice, dunning levels, order and weeks."""

from __future__ import annotations

import pandas as pd
import pytest

from cartera.config import DunningConfig, PriorityConfig
from cartera.errors import CarteraWarning
from cartera.policy.score import collection_value
from cartera.policy.worklist import assign_weeks, build_worklist, dunning_level


def _items(rows: list[tuple[str, str, float, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["invoice_id", "account_id", "open_amount", "days_past_due"]
    ).assign(currency="EUR")


def _worklist(items: pd.DataFrame, accounts: pd.DataFrame | None = None, **dunning):
    accounts = (
        accounts
        if accounts is not None
        else pd.DataFrame({"account_id": items["account_id"].unique()})
    )
    _, cash = collection_value(
        accounts, items, PriorityConfig().collection_half_life_days
    )
    return build_worklist(items, cash, DunningConfig(**dunning))


def test_two_invoices_keep_their_own_amounts():
    # Case from the field: 100.00 at 20 days and 250.00 at 10 days, one account.
    items = _items([("F1", "A", 100.00, 20), ("F2", "A", 250.00, 10)])

    lines = _worklist(items)

    assert len(lines) == 2
    assert sorted(lines["open_amount"].tolist()) == [100.00, 250.00]
    assert lines["open_amount"].sum() == pytest.approx(350.00)
    assert lines.set_index("invoice_id").loc["F1", "open_amount"] == 100.00
    assert lines.set_index("invoice_id").loc["F2", "open_amount"] == 250.00


@pytest.mark.parametrize(
    ("days", "level"),
    [(-5, 0), (0, 0), (1, 1), (30, 1), (31, 2), (60, 2), (61, 3), (91, 4), (400, 4)],
    ids=["not-due", "due-today", "first-day", "30", "31", "60", "61", "91", "400"],
)
def test_dunning_level_from_days_past_due(days, level):
    assert dunning_level(pd.Series([days]), DunningConfig()).iloc[0] == level


def test_action_and_channel_follow_the_level():
    items = _items(
        [("F1", "A", 50.0, 5), ("F2", "B", 50.0, 45), ("F3", "C", 50.0, 120)]
    )

    lines = _worklist(items).set_index("invoice_id")

    assert lines.loc["F1", "channel"] == "email"
    assert lines.loc["F2", "channel"] == "phone"
    assert lines.loc["F3", "channel"] == "escalation"
    assert lines.loc["F3", "action"] == "escalate"


def test_current_and_credit_items_get_no_line():
    items = _items(
        [("F1", "A", 80.0, -3), ("CN1", "A", -40.0, 50), ("F2", "A", 0.0, 50)]
    )

    assert _worklist(items).empty


LEVEL_40 = [{"min_days_past_due": 40, "action": "call", "channel": "phone"}]


def test_below_first_level_warns_with_count():
    # Two invoices are 11 and 19 days past due and one is 45. A current invoice
    # and a credit note past the level are not counted.
    items = _items(
        [
            ("F1", "A", 100.0, 11),
            ("F2", "B", 50.0, 19),
            ("F3", "C", 70.0, 45),
            ("F4", "C", 30.0, -2),
            ("CN1", "A", -20.0, 15),
        ]
    )

    with pytest.warns(CarteraWarning, match="first dunning level") as caught:
        lines = _worklist(items, levels=LEVEL_40)

    assert lines["invoice_id"].tolist() == ["F3"]
    assert len(caught) == 1
    message = str(caught[0].message)
    assert message.startswith("2 past-due invoice(s) have no worklist line")
    assert "min_days_past_due = 40" in message


def test_every_past_due_listed_no_warning():
    items = _items([("F1", "A", 100.0, 1), ("F2", "B", 50.0, 0)])

    # Warnings are errors in the test run, so a warning here fails the test.
    lines = _worklist(items)

    assert lines["invoice_id"].tolist() == ["F1"]


def test_lines_ordered_by_expected_cash():
    items = _items(
        [("F1", "A", 100.0, 200), ("F2", "B", 300.0, 10), ("F3", "C", 200.0, 10)]
    )

    lines = _worklist(items)

    assert lines["invoice_id"].tolist() == ["F2", "F3", "F1"]
    assert lines["expected_cash"].is_monotonic_decreasing
    assert lines["position"].tolist() == [1, 2, 3]


def test_expected_cash_halves_at_the_half_life():
    items = _items([("F1", "A", 100.0, 90)])

    lines = _worklist(items)

    # Overdue, so p = 1; 90 days is one half-life of the default 90 days.
    assert lines["expected_cash"].iloc[0] == pytest.approx(50.0)


def test_weeks_follow_capacity():
    items = _items([(f"F{i}", "A", 100.0 - i, 45) for i in range(5)])

    lines = _worklist(items, weekly_minutes=25.0)

    # Phone calls of 10 minutes: two fit in a 25-minute week.
    assert lines["week"].tolist() == [1, 1, 2, 2, 3]


@pytest.mark.parametrize(
    ("minutes", "weekly", "expected"),
    [
        ([5, 5, 5], 10, [1, 1, 2]),
        ([30, 5], 10, [1, 2]),
        ([2, 30, 2], 10, [1, 2, 3]),
    ],
    ids=["fill", "longer-than-a-week", "long-in-middle"],
)
def test_assign_weeks(minutes, weekly, expected):
    assert assign_weeks(pd.Series(minutes, dtype=float), weekly).tolist() == expected


def test_custom_levels_and_minutes():
    items = _items([("F1", "A", 100.0, 10), ("F2", "A", 100.0, 20)])

    lines = _worklist(
        items,
        levels=[
            {"min_days_past_due": 1, "action": "friendly email", "channel": "email"},
            {
                "min_days_past_due": 15,
                "action": "call the buyer",
                "channel": "phone",
                "minutes": 20,
            },
        ],
    ).set_index("invoice_id")

    assert lines.loc["F1", "action"] == "friendly email"
    assert lines.loc["F1", "minutes"] == 2.0
    assert lines.loc["F2", "minutes"] == 20.0


def test_unordered_levels_are_rejected():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="strictly increasing"):
        DunningConfig(
            levels=[
                {"min_days_past_due": 30, "action": "call", "channel": "phone"},
                {"min_days_past_due": 1, "action": "email", "channel": "email"},
            ]
        )


def test_expected_cash_in_reporting_currency():
    # 100,000 JPY at 0.006 is 600 EUR: the EUR 1,000 invoice comes first, and
    # each line shows both amounts.
    items = _items([("J1", "JP", 100000.00, 1), ("E1", "EU", 1000.00, 1)])
    items["currency"] = ["JPY", "EUR"]
    items["reporting_open_amount"] = [600.00, 1000.00]

    lines = _worklist(items).set_index("invoice_id")

    assert lines.index.tolist() == ["E1", "J1"]
    assert lines.loc["J1", "currency"] == "JPY"
    assert lines.loc["J1", "open_amount"] == 100000.00
    assert lines.loc["J1", "reporting_open_amount"] == 600.00
    assert lines.loc["J1", "expected_cash"] == pytest.approx(600.0 * 0.5 ** (1 / 90))
