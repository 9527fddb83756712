"""Console output shared by the commands: verbosity, logging, warnings, progress.

Everything meant for the person at the terminal goes to stderr, except the list
of files a command wrote (:func:`outputs`), which goes to stdout so a script can
capture it. ``--quiet`` keeps only errors; ``--verbose`` adds one log line per
step of the library.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console

_state: dict[str, bool] = {"quiet": False, "verbose": False}
_handlers: list[logging.Handler] = []
_original_showwarning = warnings.showwarning
err = Console(stderr=True)
out = Console()


class _DropRepeats(logging.Filter):
    """Pass a record only the first time its level and message are seen.

    A model fitted twice (on a holdout, then on all data) warns twice with the
    same text; the person at the terminal needs it once.
    """

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[tuple[int, str]] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.levelno, record.getMessage())
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


def configure(*, verbose: bool, quiet: bool) -> None:
    """Set the verbosity, send cartera's log to stderr and print warnings plainly.

    Only the ``cartera`` logger gets a handler, so calling this again (as tests of
    the CLI do) replaces it instead of adding a second one. Records still
    propagate to the root logger, which has no handler in the CLI.
    """
    from rich.logging import RichHandler

    _state["verbose"] = verbose
    _state["quiet"] = quiet
    logger = logging.getLogger("cartera")
    for old in _handlers:
        logger.removeHandler(old)
    _handlers.clear()
    new = RichHandler(
        console=err, show_time=verbose, show_path=False, markup=False, show_level=True
    )
    new.addFilter(_DropRepeats())
    logger.addHandler(new)
    _handlers.append(new)
    if quiet:
        logger.setLevel(logging.ERROR)
    else:
        logger.setLevel(logging.INFO if verbose else logging.WARNING)
    capture_warnings()


def reset() -> None:
    """Undo :func:`configure`: remove its handler and restore the warning printer."""
    logger = logging.getLogger("cartera")
    for old in _handlers:
        logger.removeHandler(old)
    _handlers.clear()
    logger.setLevel(logging.NOTSET)
    _state.update(quiet=False, verbose=False)
    restore_warnings()


def handler() -> logging.Handler | None:
    """Return the handler :func:`configure` put on the ``cartera`` logger."""
    return _handlers[0] if _handlers else None


def quiet() -> bool:
    return _state["quiet"]


def info(message: str) -> None:
    """Print ``message`` to stderr unless ``--quiet``."""
    if not _state["quiet"]:
        err.print(message, highlight=False, markup=False)


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    from cartera.errors import CarteraWarning

    if not issubclass(category, CarteraWarning):
        _original_showwarning(message, category, filename, lineno, file, line)
        return
    # A model fitted twice (holdout check, then full history) repeats itself.
    if not _state["quiet"] and str(message) not in _warned:
        _warned.add(str(message))
        err.print(f"warning: {message}", style="yellow", highlight=False, markup=False)


_warned: set[str] = set()


def capture_warnings() -> None:
    """Print cartera's warnings as ``warning: message`` lines, hidden by ``--quiet``.

    Each message is printed once per command. Other warnings keep Python's
    format, with file and line.
    """
    _warned.clear()
    warnings.showwarning = _show_warning


def restore_warnings() -> None:
    """Put back Python's own warning printer."""
    warnings.showwarning = _original_showwarning


def outputs(paths: Mapping[str, Path]) -> None:
    """Print each file a command wrote as ``label  path`` on stdout, unless quiet."""
    if _state["quiet"] or not paths:
        return
    width = max(len(label) for label in paths) + 2
    for label, path in paths.items():
        out.print(
            f"{label:<{width}}{path}", highlight=False, markup=False, soft_wrap=True
        )


@contextmanager
def progress(
    description: str, total: float | None = None
) -> Iterator[Callable[..., None]]:
    """Yield ``advance(n=1)``, which drives a progress bar on stderr.

    Without ``total`` the bar is a spinner with the elapsed time. The bar is
    removed when the block ends; nothing is drawn under ``--quiet``.
    """
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
