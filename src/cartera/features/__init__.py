"""Per-account and per-invoice features of a ledger as of a date.

Layers: :mod:`~cartera.features.inputs` cuts the canonical tables at the as-of
date, :mod:`~cartera.features.currency` keys and converts currencies,
:mod:`~cartera.features.ledger` allocates payments and ages invoices, and
:mod:`~cartera.features.accounts` aggregates per account.
"""

from cartera.features.compute import (
    Features,
    account_features_expr,
    compute_features,
    open_items_expr,
    settlements_expr,
)

__all__ = [
    "Features",
    "account_features_expr",
    "compute_features",
    "open_items_expr",
    "settlements_expr",
]
