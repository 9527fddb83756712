"""Time ``cartera.io.read_table`` on a generated invoice CSV of one million rows.

Two files are written to a temporary folder from the same seeded rows:

- ``iso``: comma-separated UTF-8, ISO dates, decimal point;
- ``european``: ``;``-separated cp1252, ``dd/mm/yyyy`` dates, decimal comma,
  thousands separators and accented names, as Excel saves it in Spain.

Each is read with no configuration (everything detected), best of ``--repeat``
runs, next to ``pandas.read_csv(dtype=str)`` alone, which is the floor: the
reader parses every cell as text first. Peak memory is the process's maximum
resident set size after all runs.

Run::

    PYTHONPATH=src python benchmarks/read_csv.py --rows 1000000 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from cartera.io import read_table


def generate(rows: int, seed: int = 7) -> pd.DataFrame:
    """Return ``rows`` invoices over 50,000 accounts with random dates and amounts."""
    rng = np.random.default_rng(seed)
    issue = pd.Timestamp("2023-01-01") + pd.to_timedelta(
        rng.integers(0, 1000, rows), unit="D"
    )
    due = issue + pd.to_timedelta(rng.choice([30, 45, 60], rows), unit="D")
    names = np.array(["Façade SARL", "Peña y Núñez SL", "Acme Ltd", "Müller GmbH"])
    return pd.DataFrame(
        {
            "invoice_id": [f"F{i:08d}" for i in range(rows)],
            "account_id": [f"{a:06d}" for a in rng.integers(0, 50_000, rows)],
            "issue_date": issue,
            "due_date": due,
            "amount": np.round(rng.lognormal(6, 1.2, rows), 2),
            "region": names[rng.integers(0, len(names), rows)],
        }
    )


def write_iso(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, date_format="%Y-%m-%d")


def write_european(frame: pd.DataFrame, path: Path) -> None:
    european = frame.copy()
    for column in ("issue_date", "due_date"):
        european[column] = european[column].dt.strftime("%d/%m/%Y")
    amount = european["amount"].map("{:,.2f}".format)
    european["amount"] = amount.str.replace(",", " ").str.replace(".", ",")
    european["amount"] = european["amount"].str.replace(" ", ".")
    european.to_csv(path, index=False, sep=";", encoding="cp1252")


def machine() -> str:
    """Describe the CPU count, CPU model and RAM of this machine."""
    model = platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} CPUs ({model}), {ram:.0f} GiB RAM"


def best_of(repeat: int, action: Callable[[], object]) -> float:
    """Return the fastest of ``repeat`` runs of ``action``, in seconds."""
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    frame = generate(args.rows)
    print(f"machine: {machine()}")
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    print(f"rows: {args.rows:,}")
    print("| file | size (MB) | pandas read_csv(dtype=str) (s) | read_table (s) |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for name, write, options in (
            ("iso", write_iso, {"encoding": "utf-8"}),
            ("european", write_european, {"encoding": "cp1252", "sep": ";"}),
        ):
            path = Path(folder) / f"{name}.csv"
            write(frame, path)
            floor = best_of(
                args.repeat, partial(pd.read_csv, path, dtype=str, **options)
            )
            result = read_table(path, "invoices")
            assert len(result.frame) == args.rows, result.rejects.head()
            seconds = best_of(args.repeat, partial(read_table, path, "invoices"))
            size = path.stat().st_size / 1e6
            print(f"| {name} | {size:.0f} | {floor:.2f} | {seconds:.2f} |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
