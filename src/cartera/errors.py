"""The one error tree of cartera.

::

    CarteraError                 base; the CLI prints it and exits with its exit code
    ├── InputError               a file or value the user gave is invalid (exit 2)
    │   └── MixedCurrencyError   several currencies and no FX rates to convert them
    ├── ConfigError              cartera.toml or an option is invalid (exit 2)
    └── ModelError               a model could not be fitted or used (exit 3)

Warnings for statistical doubts have their own categories below, so a caller can
filter them. Third-party exceptions are translated into this tree where they enter,
with ``raise ... from``.
"""

from __future__ import annotations


class CarteraError(Exception):
    """Base class of every error cartera raises on purpose.

    Parameters
    ----------
    message
        What failed, on which value.
    hint
        What the user can do about it, printed on its own line by the CLI.
    """

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  fix: {self.hint}"
        return self.message


class InputError(CarteraError):
    """A file, column or value given by the user is invalid."""

    exit_code = 2


class MixedCurrencyError(InputError):
    """Amounts in several currencies with no rates to convert them."""


class ConfigError(CarteraError):
    """The configuration file or a command-line option is invalid."""

    exit_code = 2


class ModelError(CarteraError):
    """A model failed to fit, or its parameters cannot be used to predict."""

    exit_code = 3


class NotFittedError(ModelError):
    """A model was asked to predict before ``fit`` was called."""


class CarteraWarning(UserWarning):
    """Base class of cartera's warnings."""


class ConvergenceWarning(CarteraWarning):
    """An optimiser stopped without meeting its tolerance."""


class LeakageWarning(CarteraWarning):
    """A column was dropped because it leaks the outcome into the features."""


class DataQualityWarning(CarteraWarning):
    """Input data is usable but suspicious (for example a collapsed RFM scale)."""
