"""The main job: ``cartera prioritize`` and ``cartera demo``."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    app.command("version")(version)


def version() -> None:
    """Print the installed cartera version."""
    from cartera import __version__

    typer.echo(__version__)
