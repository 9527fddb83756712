"""Registers every command on the app. Add one line per command module."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    from cartera.cli import run_commands

    run_commands.register(app)

    from cartera.cli import evaluate_commands

    evaluate_commands.register(app)
