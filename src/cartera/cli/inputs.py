"""Input paths of the commands: the option when given, else the config's path."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cartera.config import Config, TableName


def input_path(option: Path | None, config: Config, table: TableName) -> Path:
    """Return the file to read as ``table``.

    Raises
    ------
    ConfigError
        Neither the ``--<table>`` option nor ``[input.<table>] path`` names one.
    """
    from cartera.errors import ConfigError

    if option is not None:
        return option
    configured = config.input.source(table).path
    if configured is None:
        raise ConfigError(
            f"no {table} file given",
            hint=f"pass --{table} FILE or set path under [input.{table}] in "
            "cartera.toml",
        )
    return configured
