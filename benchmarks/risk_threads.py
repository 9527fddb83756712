"""Time the late-payment evaluation and the lead cross-validation, by thread count.

The models run scikit-learn's OpenMP loops on one thread
(:func:`cartera.models._threads.single_thread`). This script times both
evaluations as shipped and with that limit lifted, so OpenMP uses every core.

Run from the repository root::

    CARTERA_DATA=/path/to/data PYTHONPATH=src python benchmarks/risk_threads.py

``CARTERA_DATA`` is the folder holding ``ar_invoices/`` and
``leads_x_education/``. Each case runs ``--repeats`` times and prints the
minimum and median wall-clock seconds, and the load average before the run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import time
import warnings
from collections.abc import Callable
from datetime import date
from pathlib import Path

from cartera.errors import LeakageWarning
from cartera.io import read_table
from cartera.models import conversion, risk

FOLLOW_UP_COLUMNS = [
    "Lead Quality",
    "Lead Profile",
    "Last Activity",
    "Last Notable Activity",
]


def timed(run: Callable[[], object], repeats: int) -> list[float]:
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - start)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--case",
        choices=["risk", "conversion", "both"],
        default="both",
        help="Evaluation to time.",
    )
    args = parser.parse_args()
    data = Path(os.environ["CARTERA_DATA"])
    invoices = read_table(
        data / "ar_invoices" / "WA_Fn-UseC_-Accounts-Receivable.csv", "invoices"
    ).frame
    leads = read_table(data / "leads_x_education" / "Leads.csv", "leads").frame
    warnings.simplefilter("ignore", LeakageWarning)

    cases: dict[str, Callable[[], object]] = {}
    if args.case in ("risk", "both"):
        cases["late payment, AR ledger"] = lambda: risk.evaluate_late_payment(
            invoices, date(2013, 5, 6)
        )
    if args.case in ("conversion", "both"):
        cases["conversion, 5-fold CV"] = lambda: conversion.cross_validate_conversion(
            leads, folds=5, exclude=FOLLOW_UP_COLUMNS
        )
    shipped = (risk.single_thread, conversion.single_thread)
    for threads in ("1 (shipped)", "all cores"):
        if threads == "all cores":
            risk.single_thread = contextlib.nullcontext  # type: ignore[assignment]
            conversion.single_thread = contextlib.nullcontext  # type: ignore[assignment]
        for name, run in cases.items():
            load = os.getloadavg()[0]
            seconds = timed(run, args.repeats)
            print(
                f"{name:<26} threads {threads:<12} load {load:4.1f}  "
                f"min {min(seconds):6.2f} s  median {statistics.median(seconds):6.2f} s"
            )
    risk.single_thread, conversion.single_thread = shipped


if __name__ == "__main__":
    main()
