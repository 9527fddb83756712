"""Thread limits for scikit-learn's OpenMP loops on small tables."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import threadpool_limits


@contextmanager
def single_thread() -> Iterator[None]:
    """Run scikit-learn's OpenMP loops on one thread.

    On tables of a few thousand rows each boosting split is tiny, so starting
    and synchronising threads costs more than the split itself. On a shared
    two-core machine the late-payment evaluation of the AR sample ledger took
    2.3 s on one thread and 40 s on all cores (``benchmarks/risk_threads.py``,
    results in ``docs/benchmarks.md``). ``threadpoolctl`` ships with
    scikit-learn.
    """
    with threadpool_limits(limits=1, user_api="openmp"):
        yield
