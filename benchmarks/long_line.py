"""Write an invoice CSV whose third data row contains one huge ``account_id``.

The file is for measuring how much memory ``cartera inspect`` and ``cartera
prioritize`` take on a file that cannot be a ledger. Every other row is a
normal invoice. The script only writes the file; measure a command on it with
``/usr/bin/time -v``::

    PYTHONPATH=src python benchmarks/long_line.py /tmp/huge.csv \\
        --size-mb 300 --line-mb 250
    /usr/bin/time -v env PYTHONPATH=src python -m cartera.cli.main \\
        inspect /tmp/huge.csv --table invoices

Delete the file afterwards: it is as large as ``--size-mb``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import BinaryIO

_HEADER = b"invoice_id,account_id,issue_date,due_date,amount\n"
_MIB = 1 << 20


def _write_rows(file: BinaryIO, first: int, count: int) -> None:
    for number in range(first, first + count):
        file.write(b"F%08d,C%05d,2025-01-02,2025-02-01,100.50\n" % (number, number))


def write_file(path: Path, size_mb: int, line_mb: int) -> int:
    """Write the file and return its size in bytes (1 MB is 10**6 bytes)."""
    with path.open("wb") as file:
        file.write(_HEADER)
        _write_rows(file, 1, 2)
        file.write(b"F-LONG,")
        for _ in range(line_mb):
            file.write(b"A" * _MIB)
        file.write(b",2025-01-02,2025-02-01,10.00\n")
        number = 3
        while file.tell() < size_mb * 10**6:
            _write_rows(file, number, 10_000)
            number += 10_000
        return file.tell()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="CSV file to write.")
    parser.add_argument("--size-mb", type=int, default=300, help="File size, MB.")
    parser.add_argument(
        "--line-mb", type=int, default=250, help="Size of the long cell, MiB."
    )
    args = parser.parse_args()
    size = write_file(args.path, args.size_mb, args.line_mb)
    print(f"wrote {args.path}: {size:,} bytes")


if __name__ == "__main__":
    main()
