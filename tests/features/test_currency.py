"""Currencies: allocation within one currency and conversion of account money
(cartera.features.currency)."""

from __future__ import annotations

from datetime import date

import pytest

from cartera.config import Config, MoneyConfig
from cartera.errors import InputError, MixedCurrencyError
from cartera.features import compute_features

AS_OF = date(2025, 6, 30)


def invoice(invoice_id: str, amount: float, currency: str | None, account="A") -> dict:
    return {
        "invoice_id": invoice_id,
        "account_id": account,
        "issue_date": "2025-05-01",
        "due_date": "2025-05-31",
        "amount": amount,
        "currency": currency,
    }


def payment(payment_id: str, amount: float, currency: str, target: str | None) -> dict:
    return {
        "payment_id": payment_id,
        "account_id": "A",
        "payment_date": "2025-06-10",
        "amount": amount,
        "currency": currency,
        "invoice_id": target,
    }


def euro_and_dollar_ledger() -> dict[str, list[dict]]:
    # Hand-worked ledger: 1000.00 EUR with 400.00 EUR paid leaves 600.00 EUR;
    # 250.00 USD is untouched.
    return {
        "invoices": [invoice("E1", 1000.00, "EUR"), invoice("U1", 250.00, "USD")],
        "payments": [payment("P1", 400.00, "EUR", "E1")],
    }


def test_open_item_keeps_currency(load_ledger):
    ws = load_ledger(**euro_and_dollar_ledger())
    config = Config(money=MoneyConfig(reporting_currency="USD", rates={"EUR": 1.10}))
    features = compute_features(ws, AS_OF, config)
    items = features.open_items.set_index("invoice_id")

    assert items.loc["E1", "currency"] == "EUR"
    assert items.loc["E1", "open_amount"] == 600.00
    assert items.loc["E1", "amount"] == 1000.00
    assert items.loc["U1", "currency"] == "USD"
    assert items.loc["U1", "open_amount"] == 250.00


def test_mixed_currencies_without_rates(load_ledger):
    ws = load_ledger(**euro_and_dollar_ledger())

    with pytest.raises(MixedCurrencyError) as caught:
        compute_features(ws, AS_OF, Config())

    assert "EUR, USD" in caught.value.message
    assert caught.value.hint is not None
    assert "reporting_currency" in caught.value.hint


def test_missing_rate_is_named(load_ledger):
    ws = load_ledger(**euro_and_dollar_ledger())
    config = Config(money=MoneyConfig(reporting_currency="USD", rates={"GBP": 1.3}))

    with pytest.raises(MixedCurrencyError, match="for EUR"):
        compute_features(ws, AS_OF, config)


@pytest.mark.parametrize(
    ("source", "rate"), [("config", 1.10), ("fx-table", 1.10)], ids=["config", "fx"]
)
def test_rates_convert_account_totals(load_ledger, source, rate):
    # 600.00 EUR at 1.10 USD per EUR is 660.00 USD, plus 250.00 USD.
    tables = euro_and_dollar_ledger()
    money = MoneyConfig(reporting_currency="USD")
    if source == "config":
        money = MoneyConfig(reporting_currency="USD", rates={"EUR": rate})
    else:
        tables["fx"] = [{"currency": "EUR", "rate": rate}]
    ws = load_ledger(**tables)
    features = compute_features(ws, AS_OF, Config(money=money))
    row = features.accounts.set_index("account_id").loc["A"]

    assert features.currency == "USD"
    assert row["open_balance"] == 910.00
    assert row["aging_1_30"] == 910.00
    assert row["monetary"] == 1350.00


def test_payment_other_currency_not_allocated(load_ledger, data_quality_warnings):
    # 100.00 USD paid against a EUR invoice stays USD credit; the invoice stays whole.
    ws = load_ledger(
        invoices=[invoice("E1", 300.00, "EUR")],
        payments=[payment("P1", 100.00, "USD", "E1")],
    )
    config = Config(money=MoneyConfig(reporting_currency="EUR", rates={"USD": 0.9}))
    with data_quality_warnings() as messages:
        features = compute_features(ws, AS_OF, config)
    assert "names invoice E1 in EUR, not USD" in messages[0]
    row = features.accounts.set_index("account_id").loc["A"]

    assert features.open_items["open_amount"].tolist() == [300.00]
    assert row["open_balance"] == 300.00
    assert row["unapplied_credit"] == 90.00


@pytest.mark.parametrize(
    ("currency", "reporting", "expected"),
    [(None, None, None), (None, "MXN", "MXN"), ("eur ", None, "EUR")],
    ids=["unnamed", "unnamed-reporting", "one-named"],
)
def test_single_currency_ledger(load_ledger, currency, reporting, expected):
    rows = [invoice("I1", 100.00, currency), invoice("I2", 50.00, currency)]
    if currency is None:
        for row in rows:
            del row["currency"]
    ws = load_ledger(invoices=rows)
    config = Config(money=MoneyConfig(reporting_currency=reporting))
    features = compute_features(ws, AS_OF, config)

    assert features.currency == expected
    assert features.accounts["open_balance"].tolist() == [150.00]
    assert features.open_items["currency"].isna().all() == (expected is None)


def test_rows_without_currency_among_several(load_ledger):
    ws = load_ledger(
        invoices=[invoice("E1", 10.0, "EUR"), invoice("U1", 10.0, "USD")],
        payments=[
            {
                "payment_id": "P1",
                "account_id": "A",
                "payment_date": "2025-06-01",
                "amount": 5.0,
            }
        ],
    )

    with pytest.raises(MixedCurrencyError, match="payments have no currency"):
        compute_features(ws, AS_OF, Config())


def test_negative_rate_rejected(load_ledger):
    ws = load_ledger(**euro_and_dollar_ledger())
    config = Config(money=MoneyConfig(reporting_currency="USD", rates={"EUR": -1.0}))

    with pytest.raises(InputError, match="must be positive"):
        compute_features(ws, AS_OF, config)
