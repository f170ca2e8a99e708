"""Errors raised by services; each interface turns them into its own kind of error."""


class ApplicationError(Exception):
    """A request the application refuses, with a message fit to show the user."""

    def __init__(self, message: str, *, extra: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class NotFoundError(ApplicationError):
    """The thing asked for does not exist."""


class ValidationError(ApplicationError):
    """Input that is wrong in itself: a bad value, a missing field."""


class TransitionError(ApplicationError):
    """An event that cannot happen to a request in its current state."""


class PermissionDeniedError(ApplicationError):
    """The user's role or units do not allow what they asked for."""


class ConflictError(ApplicationError):
    """Someone else changed the thing since the user read it."""
