"""Console output shared by the commands: verbosity, logging and progress bars."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console

_state: dict[str, bool] = {"quiet": False, "verbose": False}
err = Console(stderr=True)
out = Console()


def configure(*, verbose: bool, quiet: bool) -> None:
    _state["verbose"] = verbose
    _state["quiet"] = quiet
    level = logging.DEBUG if verbose else logging.WARNING
    if quiet:
        level = logging.ERROR
    from rich.logging import RichHandler

    logging.basicConfig(
        level=level, format="%(message)s", handlers=[RichHandler(console=err)]
    )
    logging.getLogger("cartera").setLevel(logging.INFO if verbose else level)


def quiet() -> bool:
    return _state["quiet"]


def info(message: str) -> None:
    if not _state["quiet"]:
        err.print(message, highlight=False)


@contextmanager
def progress(description: str, total: float | None = None) -> Iterator[Any]:
    """Yield a callable ``advance(n)`` that drives a progress bar on stderr."""
    if _state["quiet"]:
        yield lambda n=1: None
        return
    from rich.progress import (
        BarColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)
