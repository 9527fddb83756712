"""Checks of the invoice that a payment or a credit note names.

A payment names an invoice in its ``invoice_id`` and a credit note in its
``applies_to``. Every such document dated on or before the as-of date is
checked against the invoices of the ledger, on any date. No document is
rejected or dropped for a bad reference, because its money must still count.
What is done with it follows the allocation rules of
:mod:`cartera.features.ledger`, and one :class:`~cartera.errors.DataQualityWarning`
per kind of problem names the documents and states what was done:

1. ``unknown``: no invoice has that id. The document is unallocated, so it
   settles its own account's open invoices oldest first.
2. ``account``: the invoice belongs to another account. The document is
   unallocated credit of its own account, and the named invoice stays open.
3. ``currency``: the invoice is in another currency. The document is
   unallocated in its own currency, and the named invoice stays open.
4. ``early``: the document is dated before the invoice's issue date. It goes to
   that invoice once the invoice is issued, as a prepayment, and until then it
   is unallocated. The invoice is never settled before its issue date.

5. ``refund``: a refund (a negative payment) names an invoice that fits one of
   the cases above. Refunds follow their own rule in
   :mod:`cartera.features.ledger`: they reverse payments made to the named
   invoice, then take from the account's unallocated money, and any remainder
   becomes an open debit item.

A document is reported for the first of these that applies, and a refund as
``refund`` whatever its case.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

import ibis

from cartera.errors import DataQualityWarning

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

    from cartera.features.inputs import LedgerInputs

# Maximum number of documents named in one warning. The rest are counted.
MAX_NAMED = 5

_KIND_NAMES = {0: "credit note", 1: "payment"}

# Problem -> what is wrong (one document, several), what was done. ``{its}`` is
# "its" for one document and "their" for several.
_WHAT_WAS_DONE = {
    "unknown": (
        "names no invoice of the ledger",
        "name no invoice of the ledger",
        "applied to the oldest open invoices of {its} own account",
    ),
    "account": (
        "names an invoice of another account",
        "name an invoice of another account",
        "applied to the oldest open invoices of {its} own account, and the named "
        "invoice stays open",
    ),
    "currency": (
        "names an invoice in another currency",
        "name an invoice in another currency",
        "applied to the oldest open invoices of {its} own account in {its} own "
        "currency, and the named invoice stays open",
    ),
    "early": (
        "is dated before the issue date of the invoice it names",
        "are dated before the issue date of the invoice they name",
        "applied to that invoice as a prepayment from its issue date, and before "
        "that to the oldest open invoices of {its} own account",
    ),
    "refund": (
        "is a refund naming an invoice that is missing, of another account or "
        "currency, or issued later",
        "are refunds naming an invoice that is missing, of another account or "
        "currency, or issued later",
        "handled by the refund rule: {its} amount reversed payments to the named "
        "invoice of {its} own account, then came out of unallocated money, and any "
        "remainder is an open debit item",
    ),
}


def reference_problems_expr(inputs: LedgerInputs) -> ir.Table:
    """Return the payments and credit notes whose named invoice does not fit.

    Returns
    -------
    ibis.Table
        One row per such document: ``doc_id, kind`` (0 credit note, 1 payment),
        ``account_id, currency, doc_date, target`` (the invoice named),
        ``invoice_account, invoice_currency, invoice_issue_date`` (null when no
        invoice has that id) and ``problem``, one of the keys of the module
        docstring.
    """
    applications = inputs.applications
    directed = applications.filter(applications.target.notnull())
    keys = inputs.invoice_keys
    named = keys.select(
        target=keys.invoice_id,
        invoice_account=keys.account_id,
        invoice_currency=keys.currency,
        invoice_issue_date=keys.issue_date,
    )
    joined = directed.left_join(named, "target").drop("target_right")
    problem = ibis.cases(
        (joined.invoice_account.isnull(), "unknown"),
        (joined.invoice_account != joined.account_id, "account"),
        (joined.invoice_currency != joined.currency, "currency"),
        (joined.doc_date < joined.invoice_issue_date, "early"),
        else_=ibis.null("string"),
    )
    refund = (joined.kind == 1) & (joined.value < 0)
    joined = joined.mutate(
        problem=ibis.cases(
            (problem.notnull() & refund, ibis.literal("refund")), else_=problem
        )
    )
    return joined.filter(joined.problem.notnull()).drop("value")


def reference_problems(inputs: LedgerInputs) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run :func:`reference_problems_expr` as a count and a few examples per problem.

    Returns
    -------
    counts, examples
        ``problem, documents`` with the number of documents per problem, and
        the first :data:`MAX_NAMED` documents of each problem by date and id.
    """
    problems = reference_problems_expr(inputs)
    counts = problems.group_by("problem").agg(documents=problems.count())
    order = ibis.window(group_by="problem", order_by=["doc_date", "doc_id"])
    ranked = problems.mutate(rank=ibis.row_number().over(order))
    examples = ranked.filter(ranked.rank < MAX_NAMED).order_by(
        "problem", "doc_date", "doc_id"
    )
    return counts.to_pandas(), examples.drop("rank").to_pandas()


def warn_reference_problems(inputs: LedgerInputs) -> None:
    """Issue one DataQualityWarning per kind of bad invoice reference.

    Warns
    -----
    DataQualityWarning
        Names up to :data:`MAX_NAMED` documents, the invoice each names, and
        what the allocation did with them.
    """
    counts, examples = reference_problems(inputs)
    for problem, count in zip(counts["problem"], counts["documents"], strict=True):
        rows = examples[examples["problem"] == problem]
        warnings.warn(
            _message(str(problem), int(count), rows),
            DataQualityWarning,
            stacklevel=2,
        )


def _message(problem: str, count: int, rows: pd.DataFrame) -> str:
    singular, plural, action = _WHAT_WAS_DONE[problem]
    named = "; ".join(_describe(row, problem) for row in rows.to_dict("records"))
    if count == 1:
        done = action.format(its="its")
        return f"1 payment or credit note {singular}, so it was {done}: {named}"
    more = f", and {count - len(rows)} more" if count > len(rows) else ""
    return (
        f"{count} payments or credit notes {plural}, so they were "
        f"{action.format(its='their')}: {named}{more}"
    )


def _describe(row: dict[Hashable, Any], problem: str) -> str:
    """Describe one document and the invoice it names, for a warning."""
    text = (
        f"{_KIND_NAMES[int(row['kind'])]} {row['doc_id']} of account "
        f"{row['account_id']} dated {row['doc_date']:%Y-%m-%d} names "
        f"invoice {row['target']}"
    )
    if problem == "account":
        text += f" of account {row['invoice_account']}"
    elif problem == "currency":
        text += f" in {row['invoice_currency']}, not {row['currency']}"
    elif problem == "early":
        text += f" issued {row['invoice_issue_date']:%Y-%m-%d}"
    return text
