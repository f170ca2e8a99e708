"""Errors raised by services; each interface turns them into its own kind of error."""

import errno

from django.utils.translation import gettext as _


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


class StorageError(ApplicationError):
    """A file could not be written (the storage failed); nothing of it was kept."""

    @staticmethod
    def of(error: OSError, *, name: str) -> "StorageError":
        """Return the error to report for `error`, met while storing the file `name`."""
        if error.errno in _FULL:
            return StorageFullError(
                _(
                    "The file %(name)s could not be stored: the server has no space left. "
                    "Nothing of it was kept; tell an administrator."
                )
                % {"name": name},
                extra={"field": "file"},
            )
        return StorageError(
            _(
                "The file %(name)s could not be stored: writing it failed. Nothing of it was "
                "kept; try again in a moment."
            )
            % {"name": name},
            extra={"field": "file"},
        )


class StorageFullError(StorageError):
    """A file could not be written because the disk or the quota is full."""


# Disk full, quota exceeded, file too large for the file system.
_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
