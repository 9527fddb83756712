"""Entry point of the ``cartera`` command.

Exit codes: 0 success, 1 unexpected failure, 2 invalid input or configuration,
3 a model could not be fitted or used. Only :class:`cartera.errors.CarteraError`
is caught here and printed as one plain message with its fix.
"""

from __future__ import annotations

import logging
import sys

import typer

app = typer.Typer(
    name="cartera",
    help="Rank customer accounts by what working them is worth.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from cartera import __version__

        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def _main(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log each step."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only errors."),
    version: bool = typer.Option(
        False,
        "--version",
        callback=_print_version,
        is_eager=True,
        help="Print the version and exit.",
    ),
) -> None:
    from cartera.cli import console

    console.configure(verbose=verbose, quiet=quiet)


def _register() -> None:
    # Each command module keeps heavy imports inside its functions.
    from cartera.cli import commands

    commands.register(app)


def run() -> None:
    """Run the CLI, turning cartera errors into a message and an exit code."""
    from cartera.errors import CarteraError

    _register()
    try:
        app(standalone_mode=False)
    except CarteraError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except typer.TyperException as exc:
        # Usage errors (unknown option, missing argument) carry their own message.
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            typer.echo(f"error: {exc}", err=True)
        sys.exit(getattr(exc, "exit_code", 2))
    except Exception:
        logging.getLogger("cartera").exception("unexpected failure")
        raise


if __name__ == "__main__":
    run()
