"""Settlement, allocation and ageing of invoices as of a date.

Rules:

1. As of a date, invoices issued after it and payments and credit notes dated
   after it do not count. An invoice is open when it was issued on or before the
   as-of date and is not fully settled by then.
2. A ``paid_date`` on or before the as-of date settles the whole invoice (for
   ledgers without a payments table).
3. A payment with an ``invoice_id`` goes to that invoice first, and a credit note
   (negative amount or ``doc_type = credit_note``) with ``applies_to`` reduces
   that invoice. The invoice must belong to the same account and currency and be
   issued by the as-of date, or the document is unallocated. What exceeds the
   invoice's amount joins the unallocated pool. A reference that does not fit
   is reported by :mod:`cartera.features.references`.
4. Unallocated payments and credit notes form one pool per account and currency,
   which settles that account's open invoices of that currency oldest first (by
   due date, then issue date, then invoice id). What is left of the pool is
   unapplied credit, reported per account and never netted into the buckets.
5. A negative payment is a refund or a reversal of money the account paid.
   Naming an invoice, it first reverses the documents directed at that invoice,
   which reopens it (rule 3 nets them). What it cannot reverse there, or all of
   it when it names no invoice, joins the pool of rule 4 and reduces what the
   pool settles. When the pool of an account and currency is negative, more was
   refunded than the account paid, and that amount is a debit the account owes:
   an open item named after the account's latest negative payment, issued and
   due on that payment's date, so it counts in the open balance and ageing.
6. Days past due are ``as_of - due_date`` in calendar days. An invoice due on the
   as-of date is 0 days past due and ``current``, not overdue. The overdue
   buckets have the upper bounds of ``ageing.bounds`` and the last is open-ended.

Every amount here is an exact ``DECIMAL``, so an account's buckets add up to its
open balance to the cent.

The settlement date of an invoice is its ``paid_date`` when rule 2 applies.
Otherwise it is the first date on which the documents allocated to it cover its
amount: the pool counts as covering an invoice on the first date its running
total reaches the invoice's place in the oldest-first queue. It is never earlier
than the issue date, because a prepayment cannot settle an invoice before the
invoice exists.

NOTE: a refund debit takes the payment's id as its ``invoice_id``, so a payment id
that is also an invoice id appears twice among the open items.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis
import ibis.expr.datatypes as dt

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from cartera.config import AgeingConfig
    from cartera.features.inputs import LedgerInputs

POOL_KEYS = ("account_id", "currency")


def pool_events_expr(
    inputs: LedgerInputs, directed: ir.Table | None = None
) -> ir.Table:
    """Return the unallocated documents: ``account_id, currency, event_date, value``.

    These are payments and credit notes without a matching invoice, and the excess
    of the documents directed at an invoice over its amount (dated on the last of
    those documents). ``directed`` is the result of :func:`directed_totals_expr`
    when the caller has materialized it.
    """
    money = dt.Decimal(18, inputs.minor_units)
    applications = inputs.applications
    undirected = applications.anti_join(_invoice_keys(inputs), _DIRECTED_KEYS)
    if directed is None:
        directed = directed_totals_expr(inputs)
    excess = directed.filter(directed.excess != 0)
    return undirected.select(
        *POOL_KEYS, event_date=undirected.doc_date, value=undirected.value.cast(money)
    ).union(
        excess.select(
            *POOL_KEYS, event_date=excess.directed_last_date, value=excess.excess
        )
    )


def allocation_expr(
    inputs: LedgerInputs,
    ageing: AgeingConfig,
    events: ir.Table | None = None,
    directed: ir.Table | None = None,
) -> ir.Table:
    """Allocate payments and credit notes to every invoice issued by ``as_of``.

    Parameters
    ----------
    inputs
        The ledger as of the date.
    ageing
        Bucket bounds in days past due.
    events
        The result of :func:`pool_events_expr`, when the caller has materialized it.
    directed
        The result of :func:`directed_totals_expr`, likewise.

    Returns
    -------
    ibis.Table
        One row per invoice: ``invoice_id, account_id, currency, issue_date,
        due_date, amount, disputed, directed_applied, pool_applied, open_amount``
        (money in the invoice's currency), ``settled_date`` (null while open),
        ``days_past_due`` (days) and ``bucket``.
    """
    money = dt.Decimal(18, inputs.minor_units)
    as_of = ibis.literal(inputs.as_of, type="date")
    zero = ibis.literal(0, type=money)
    if directed is None:
        directed = directed_totals_expr(inputs)
    if events is None:
        events = pool_events_expr(inputs, directed)

    # Rules 2 and 3: documents aimed at the invoice, then the paid date.
    directed = directed.drop("account_id", "currency", "excess")
    items = inputs.invoices.left_join(directed, "invoice_id").drop("invoice_id_right")
    items = items.mutate(
        directed_applied=items.directed_applied.fill_null(zero),
        settled_by_date=(items.paid_date <= as_of).fill_null(False),
    )
    remaining = items.amount - items.directed_applied
    queued = ibis.ifelse(~items.settled_by_date & (remaining > 0), remaining, zero)
    queue = ibis.cumulative_window(
        group_by=POOL_KEYS, order_by=["due_date", "issue_date", "invoice_id"]
    )
    items = items.mutate(remaining=remaining, queued=queued)
    items = items.mutate(queue_end=items.queued.sum().over(queue))

    # Rule 4: the pool fills the queue from its start.
    pools = events.group_by(POOL_KEYS).agg(pool=events.value.sum())
    items = items.left_join(pools, list(POOL_KEYS)).drop(
        "account_id_right", "currency_right"
    )
    pool = items.pool.fill_null(zero)
    queue_start = items.queue_end - items.queued
    pool_applied = ibis.least(ibis.greatest(pool - queue_start, zero), items.queued)
    items = items.mutate(pool_applied=pool_applied.cast(money))
    open_amount = ibis.ifelse(
        items.settled_by_date, zero, items.remaining - items.pool_applied
    )
    items = items.mutate(open_amount=open_amount.cast(money))

    items = _with_pool_dates(items, events)
    days = as_of.delta(items.due_date, unit="day")
    allocated = items.select(
        "invoice_id",
        "account_id",
        "currency",
        "issue_date",
        "due_date",
        "amount",
        "disputed",
        "directed_applied",
        "pool_applied",
        "open_amount",
        settled_date=_settled_date(items),
        days_past_due=days,
        bucket=bucket_expr(days, ageing),
    )

    # Rule 5: refunds above the pool are debits, open from the refund's date.
    debits = refund_debits_expr(inputs, events)
    debit_days = as_of.delta(debits.doc_date, unit="day")
    debit_items = debits.select(
        invoice_id=debits.doc_id,
        account_id=debits.account_id,
        currency=debits.currency,
        issue_date=debits.doc_date,
        due_date=debits.doc_date,
        amount=debits.debit,
        disputed=ibis.null(allocated.disputed.type()),
        directed_applied=zero,
        pool_applied=zero,
        open_amount=debits.debit,
        settled_date=ibis.null("date"),
        days_past_due=debit_days.cast(allocated.days_past_due.type()),
        bucket=bucket_expr(debit_days, ageing),
    )
    return allocated.union(debit_items)


def refund_debits_expr(inputs: LedgerInputs, events: ir.Table) -> ir.Table:
    """Return the debits that refunds above the pool leave (rule 5).

    Returns
    -------
    ibis.Table
        One row per account and currency whose pool is negative: ``account_id,
        currency``, ``doc_id`` and ``doc_date`` of its latest negative payment,
        ``refunds`` (the ids of all its negative payments, joined with ``", "``)
        and ``debit``, the amount owed, in that currency.
    """
    money = dt.Decimal(18, inputs.minor_units)
    pools = events.group_by(POOL_KEYS).agg(pool=events.value.sum())
    short = pools.filter(pools.pool < 0)
    applications = inputs.applications
    refunds = applications.filter((applications.kind == 1) & (applications.value < 0))
    latest_first = ibis.window(
        group_by=POOL_KEYS,
        order_by=[ibis.desc(refunds.doc_date), ibis.desc(refunds.doc_id)],
    )
    refunds = refunds.mutate(
        position=ibis.row_number().over(latest_first),
        refunds=refunds.doc_id.group_concat(", ").over(ibis.window(group_by=POOL_KEYS)),
    )
    latest = refunds.filter(refunds.position == 0)
    joined = short.join(latest, list(POOL_KEYS))
    return joined.select(
        *POOL_KEYS,
        doc_id=joined.doc_id,
        doc_date=joined.doc_date,
        refunds=joined.refunds,
        debit=(-joined.pool).cast(money),
    )


def unapplied_credit_expr(events: ir.Table, allocation: ir.Table) -> ir.Table:
    """Return ``account_id, currency, unapplied_credit``: pool left after rule 4."""
    pools = events.group_by(POOL_KEYS).agg(pool=events.value.sum())
    used = allocation.group_by(POOL_KEYS).agg(used=allocation.pool_applied.sum())
    joined = pools.left_join(used, list(POOL_KEYS))
    left = joined.pool - joined.used.fill_null(0)
    money = pools.pool.type()
    return joined.select(
        *POOL_KEYS,
        unapplied_credit=ibis.greatest(left, ibis.literal(0, type=money)).cast(money),
    )


def bucket_expr(days: ir.IntegerValue, ageing: AgeingConfig) -> ir.StringValue:
    """Return the ageing bucket name of ``days`` past due (rule 6)."""
    names = ageing.bucket_names()
    branches = [(days <= 0, names[0])]
    branches += [
        (days <= upper, name)
        for upper, name in zip(ageing.bounds, names[1:-1], strict=True)
    ]
    return ibis.cases(*branches, else_=names[-1])


_DIRECTED_KEYS = ("target", "account_id", "currency")


def _invoice_keys(inputs: LedgerInputs) -> ir.Table:
    invoices = inputs.invoices
    return invoices.select(
        target=invoices.invoice_id,
        account_id=invoices.account_id,
        currency=invoices.currency,
        invoice_amount=invoices.amount,
    )


def directed_totals_expr(inputs: LedgerInputs) -> ir.Table:
    """Sum the payments and credit notes aimed at each invoice (rule 3).

    Returns
    -------
    ibis.Table
        One row per invoice with such documents: ``invoice_id, account_id,
        currency, directed_applied`` (at most the invoice amount), ``excess`` (the
        rest, for the pool), ``directed_full_date`` (when they first covered the
        invoice) and ``directed_last_date``.
    """
    money = dt.Decimal(18, inputs.minor_units)
    zero = ibis.literal(0, type=money)
    applications = inputs.applications
    directed = applications.join(_invoice_keys(inputs), list(_DIRECTED_KEYS))
    running = ibis.cumulative_window(
        group_by="target", order_by=["doc_date", "kind", "doc_id"]
    )
    directed = directed.mutate(running=directed.value.sum().over(running))
    totals = directed.group_by(*_DIRECTED_KEYS).agg(
        total=directed.value.sum(),
        invoice_amount=directed.invoice_amount.max(),
        directed_full_date=directed.doc_date.min(
            where=directed.running >= directed.invoice_amount
        ),
        directed_last_date=directed.doc_date.max(),
    )
    applied = ibis.least(ibis.greatest(totals.total, zero), totals.invoice_amount)
    return totals.select(
        invoice_id=totals.target,
        account_id=totals.account_id,
        currency=totals.currency,
        directed_applied=applied.cast(money),
        excess=(totals.total - applied).cast(money),
        directed_full_date=totals.directed_full_date,
        directed_last_date=totals.directed_last_date,
    )


def _with_pool_dates(items: ir.Table, events: ir.Table) -> ir.Table:
    """Add ``pool_date``: when the pool's running total reached the invoice's
    place in the queue, for invoices the pool settled.

    Events and invoices are merged into one stream per account and currency,
    ordered by running total (invoices before events on a tie), and each invoice
    takes the earliest event date at or after it. This needs no as-of join, so it
    runs on any SQL backend.
    """
    running = ibis.cumulative_window(group_by=POOL_KEYS, order_by="event_date")
    marks = events.select(
        *POOL_KEYS,
        invoice_id=ibis.null("string"),
        position=events.value.sum().over(running),
        kind=ibis.literal(1, type="int8"),
        event_date=events.event_date,
    )
    needs = items.filter((items.pool_applied > 0) & (items.open_amount == 0))
    needs = needs.select(
        *POOL_KEYS,
        invoice_id=needs.invoice_id,
        position=needs.queue_end.cast(marks.position.type()),
        kind=ibis.literal(0, type="int8"),
        event_date=ibis.null("date"),
    )
    stream = marks.union(needs)
    ahead = ibis.window(
        group_by=POOL_KEYS, order_by=["position", "kind"], rows=(0, None)
    )
    stream = stream.mutate(pool_date=stream.event_date.min().over(ahead))
    dates = stream.filter(stream.kind == 0).select(
        *POOL_KEYS, "invoice_id", "pool_date"
    )
    keys = ["invoice_id", *POOL_KEYS]
    return items.left_join(dates, keys).drop(*(f"{k}_right" for k in keys))


def _settled_date(items: ir.Table) -> ir.DateValue:
    """Return the settlement date of a settled invoice, null for an open one."""
    by_documents = ibis.ifelse(
        items.directed_applied == items.amount,
        items.directed_full_date,
        ibis.greatest(
            items.directed_last_date.fill_null(items.pool_date), items.pool_date
        ),
    )
    settled = ibis.cases(
        (items.settled_by_date, items.paid_date),
        (
            (items.open_amount == 0) & (items.amount > 0),
            ibis.greatest(by_documents, items.issue_date),
        ),
        else_=ibis.null("date"),
    )
    return settled
