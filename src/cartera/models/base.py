"""The estimator contract every cartera model follows.

1. The constructor only stores its settings, verbatim, as public attributes.
2. ``fit`` learns from data and returns ``self``.
3. Learned values are attributes whose names end in ``_`` (``params_``).
4. Predicting before ``fit`` raises :class:`cartera.errors.NotFittedError`.
"""

from __future__ import annotations

from typing import Any

from cartera.errors import NotFittedError


class Estimator:
    """Base class of cartera's models.

    Subclasses list the learned attribute that marks a fitted model in
    ``_fitted_attribute``.
    """

    _fitted_attribute = "params_"

    def get_params(self) -> dict[str, Any]:
        """Return the constructor settings, by name."""
        return {
            name: value
            for name, value in vars(self).items()
            if not name.startswith("_") and not name.endswith("_")
        }

    def is_fitted(self) -> bool:
        return hasattr(self, self._fitted_attribute)

    def check_fitted(self) -> None:
        """Raise NotFittedError when ``fit`` has not been called yet."""
        if not self.is_fitted():
            name = type(self).__name__
            raise NotFittedError(
                f"{name} is not fitted yet",
                hint=f"call {name}(...).fit(...) before predicting",
            )

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({settings})"
