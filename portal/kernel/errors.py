"""Domain errors that carry what the person must be told; views map them to HTTP answers."""
from __future__ import annotations


class ServiceError(Exception):
    """Base of every error a service raises on purpose; `str()` is a message for the user."""


class ValidationError(ServiceError):
    """Bad input. `errors` maps each field name to its message; nothing was written."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("；".join(f"{msg}" for msg in self.errors.values()))

    def __reduce__(self) -> tuple[type[ValidationError], tuple[dict[str, str]]]:
        # Rebuilt from its errors, not its message: a worker process can hand it back intact.
        return type(self), (self.errors,)


class NotFound(ServiceError):
    """The record asked for does not exist (in this village)."""


class PermissionDenied(ServiceError):
    """The actor may not make this change."""


class LogIntegrityError(ServiceError):
    """The audit log or the live data disagree with what the log proves."""
