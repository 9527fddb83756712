"""The embedded database: canonical tables in DuckDB, read through Ibis.

Feature code is written as Ibis expressions against the tables registered here,
so the same code can run on any backend Ibis supports. DuckDB is the default,
in memory unless a workspace file is given, in which case the tier history kept
by the policy layer persists between runs. Each run replaces the canonical
tables with its own inputs (:meth:`Workspace.drop_canonical_except`).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from cartera.errors import ConfigError
from cartera.schema import MONEY_PRECISION, TABLES

if TYPE_CHECKING:
    import ibis
    import pandas as pd
    from ibis.backends.duckdb import Backend

logger = logging.getLogger(__name__)

# Suffixes of temporary table names, unique within the process.
_TEMP_NAMES = itertools.count()


class Workspace:
    """A DuckDB database holding one run's canonical tables.

    Parameters
    ----------
    path
        DuckDB file to keep between runs; ``None`` for an in-memory database.
    minor_units
        Decimal places of money columns (2 for most currencies).
    memory_limit
        DuckDB ``memory_limit``, such as ``"3GB"``. Above it DuckDB spills to a
        temporary directory. ``None`` keeps DuckDB's default (80 % of RAM).
    """

    def __init__(
        self,
        path: Path | None = None,
        *,
        minor_units: int = 2,
        memory_limit: str | None = None,
    ) -> None:
        import ibis

        self.path = path
        self.minor_units = minor_units
        import duckdb

        config = {"memory_limit": memory_limit} if memory_limit else {}
        try:
            self.con: Backend = ibis.duckdb.connect(
                str(path) if path else ":memory:", **config
            )
        except duckdb.Error as exc:
            raise ConfigError(
                f"cannot open the workspace {path or 'in memory'}: {exc}",
                hint="check the workspace path and a memory limit such as 3GB",
            ) from exc

    def load(self, name: str, frame: pd.DataFrame) -> ibis.Table:
        """Store ``frame`` as table ``name``, casting money columns to DECIMAL.

        The cast is done in DuckDB so sums, splits and allocations are exact.
        """
        import ibis

        spec = TABLES.get(name)
        money = [c.name for c in spec.columns if c.type == "money"] if spec else []
        table = self.con.create_table(f"_raw_{name}", obj=frame, overwrite=True)
        decimal = ibis.expr.datatypes.Decimal(MONEY_PRECISION, self.minor_units)
        casts = {
            col: table[col].round(self.minor_units).cast(decimal)
            for col in money
            if col in frame.columns
        }
        expr = table.mutate(**casts) if casts else table
        result = self.con.create_table(name, obj=expr, overwrite=True)
        self.con.drop_table(f"_raw_{name}")
        logger.info("loaded table %s: %d rows", name, len(frame))
        return result

    @contextmanager
    def materialized(self, expr: ibis.Table) -> Iterator[ibis.Table]:
        """Run ``expr`` into a temporary table that lives for the ``with`` block.

        Unlike ``ibis.Table.cache``, the table name is unique per call, so two
        workspaces computing equal expressions never share a cached table.
        """
        name = f"_tmp_{next(_TEMP_NAMES)}"
        table = self.con.create_table(name, obj=expr, temp=True)
        try:
            yield table
        finally:
            self.con.drop_table(name, force=True)

    def table(self, name: str) -> ibis.Table:
        return self.con.table(name)

    def canonical_tables(self) -> dict[str, ibis.Table]:
        """Return the loaded canonical tables by name, listing the database once."""
        return {
            name: self.con.table(name)
            for name in self.con.list_tables()
            if name in TABLES
        }

    def drop_canonical_except(self, keep: Collection[str]) -> list[str]:
        """Drop the canonical tables not named in ``keep`` and return their names.

        A workspace file keeps the tables of earlier runs. A run drops those it
        does not give, so it ranks only its own inputs. Other tables, such as
        the tier history, stay.
        """
        dropped = sorted(set(self.canonical_tables()) - set(keep))
        for name in dropped:
            self.con.drop_table(name)
            logger.info("dropped table %s of an earlier run", name)
        return dropped

    def has_table(self, name: str) -> bool:
        return name in self.con.list_tables()

    def close(self) -> None:
        self.con.disconnect()
