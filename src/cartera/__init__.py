"""cartera: rank customer accounts by what working them is worth.

The package is layered, and imports point one way, from top to bottom:

- ``cartera.io``: read files into the canonical tables, with a reject file.
- ``cartera.engine``: load the tables into DuckDB and hand out Ibis tables.
- ``cartera.features``: per-account and per-invoice features as of a date.
- ``cartera.models``: value, late-payment and conversion models.
- ``cartera.policy``: segments, the priority score, the pyramid and the worklist.
- ``cartera.report``: CSV, workbook and HTML outputs.
- ``cartera.cli``: the command line.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
