"""Registers every command on the app. Add one line per command module."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    from cartera.cli import (
        backtest_commands,
        evaluate_commands,
        inspect_command,
        run_commands,
        value_commands,
    )

    run_commands.register(app)
    inspect_command.register(app)
    value_commands.register(app)
    backtest_commands.register(app)
    evaluate_commands.register(app)
