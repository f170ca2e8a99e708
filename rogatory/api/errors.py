"""Every error the API returns, in one shape: `{"detail": ..., "errors": [{"field", "message"}]}`.

Status codes:

- 400: a body that is not JSON, or a request Django refuses (too many fields);
- 401: no valid API token and no signed-in session;
- 403: the role or units of the user do not allow the operation, or a failed CSRF check;
- 404: no such thing, or one of another unit (its existence is not disclosed);
- 409: an event that cannot happen in the request's current state (`TransitionError`), or a
  `version` (or `If-Match`) that is no longer the request's (`ConflictError`: someone changed
  it meanwhile): the input is well-formed but conflicts with the state of the register;
- 413: an upload larger than `ROGATORY_MAX_UPLOAD_BYTES`;
- 422: input that is wrong in itself: schema validation, unknown codes, `ValidationError`,
  and a register file with wrong rows (one error per wrong cell, with `row` and `column`);
- 503: the database cannot be reached (restarting, failing over), with Retry-After; or an
  uploaded file could not be written. Nothing was written; the same request may be sent again;
- 507: an uploaded file could not be stored because the server's disk is full; nothing was kept.
"""

import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError

from rogatory.core.exceptions import (
    ApplicationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    StorageError,
    StorageFullError,
    TransitionError,
    ValidationError,
)
from rogatory.core.middleware import RETRY_AFTER_SECONDS
from rogatory.intake.services import ImportRejected

logger = logging.getLogger(__name__)


class VersionConflictError(ApplicationError):
    """The client changed a request on the strength of a version that is no longer current."""


class UploadTooLargeError(ApplicationError):
    """An upload larger than the server accepts."""


# Where ninja's validation errors come from; the source is not part of a field's name.
_SOURCES = {"body", "query", "path", "form", "file", "header", "cookie"}
# Handlers name their JSON body `payload`; clients know the fields, not the parameter.
_BODY_PARAMETER = "payload"

_STATUS_BY_ERROR: tuple[tuple[type[ApplicationError], int], ...] = (
    (NotFoundError, 404),
    (PermissionDeniedError, 403),
    (TransitionError, 409),
    (VersionConflictError, 409),
    (ConflictError, 409),
    (UploadTooLargeError, 413),
    # The server could not store a file: no space (507 Insufficient Storage, RFC 4918), or a
    # failed write that may pass (503). Neither is the client's fault.
    (StorageFullError, 507),
    (StorageError, 503),
    (ValidationError, 422),
    (ApplicationError, 422),
)


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    *,
    status: int,
    detail: str,
    errors: Iterable[dict[str, Any]] = (),
) -> HttpResponse:
    """Return the JSON error every failure of the API is reported with."""
    return api.create_response(request, {"detail": detail, "errors": list(errors)}, status=status)


def errors_install(api: NinjaAPI) -> None:
    """Register the handlers that turn every exception into the API's error shape."""
    handlers = {
        ImportRejected: _import_rejected,
        ApplicationError: _application_error,
        SchemaValidationError: _schema_invalid,
        AuthenticationError: _unauthenticated,
        HttpError: _http_error,
        Http404: _not_found,
        RequestDataTooBig: _too_large,
        SuspiciousOperation: _suspicious,
        OperationalError: _database_unavailable,
        InterfaceError: _database_unavailable,
        OSError: _os_error,
        Exception: _unexpected,
    }
    for exception, handler in handlers.items():
        api.add_exception_handler(exception, _bound(api, handler))


def _bound(api: NinjaAPI, handler: Any) -> Any:
    def handle(request: HttpRequest, exc: Exception) -> HttpResponse:
        return handler(api, request, exc)

    return handle


def _application_error(api: NinjaAPI, request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    status = next(code for kind, code in _STATUS_BY_ERROR if isinstance(exc, kind))
    field = exc.extra.get("field")
    errors = [{"field": field, "message": exc.message}] if field else []
    return error_response(api, request, status=status, detail=exc.message, errors=errors)


def _import_rejected(api: NinjaAPI, request: HttpRequest, exc: ImportRejected) -> HttpResponse:
    errors = [
        {"field": error.column, "message": error.message, "row": error.row, "column": error.column}
        for error in exc.errors
    ]
    return error_response(api, request, status=422, detail=exc.message, errors=errors)


def _schema_invalid(
    api: NinjaAPI, request: HttpRequest, exc: SchemaValidationError
) -> HttpResponse:
    errors = [
        {"field": _field_path(error.get("loc", ())), "message": _message(error)}
        for error in exc.errors
    ]
    return error_response(
        api, request, status=422, detail=_("The input is not valid."), errors=errors
    )


def _unauthenticated(api: NinjaAPI, request: HttpRequest, exc: Exception) -> HttpResponse:
    response = error_response(
        api,
        request,
        status=401,
        detail=_(
            "Authentication required: send an API token as “Authorization: Bearer TOKEN”, "
            "or sign in."
        ),
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


def _http_error(api: NinjaAPI, request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja's own messages, in our words and translated.
    messages = {
        400: _("The request body cannot be read; send JSON."),
        403: _("The CSRF check failed; send the CSRF token with requests made by a browser."),
        429: _("Too many requests; try again later."),
    }
    detail = messages.get(exc.status_code, str(exc))
    return error_response(api, request, status=exc.status_code, detail=detail)


def _not_found(api: NinjaAPI, request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(api, request, status=404, detail=_("Not found."))


def _too_large(api: NinjaAPI, request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(api, request, status=413, detail=_("The request is too large."))


def _suspicious(api: NinjaAPI, request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(api, request, status=400, detail=_("The request cannot be accepted."))


def _database_unavailable(api: NinjaAPI, request: HttpRequest, exc: Exception) -> HttpResponse:
    # The exception's text may quote a query's parameters; its class and the path are enough.
    logger.error(
        "Database unavailable (%s) for %s %s", type(exc).__name__, request.method, request.path
    )
    response = error_response(
        api,
        request,
        status=503,
        detail=_(
            "The database cannot be reached at the moment; nothing was written. "
            "Send the request again in a minute."
        ),
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _os_error(api: NinjaAPI, request: HttpRequest, exc: OSError) -> HttpResponse:
    # A full disk met outside the services (the temporary file of an upload being received).
    if isinstance(StorageError.of(exc, name=""), StorageFullError):
        logger.error("No space left to store an upload for %s %s", request.method, request.path)
        return error_response(
            api,
            request,
            status=507,
            detail=_("The server has no space left to store the upload; nothing was kept."),
        )
    return _unexpected(api, request, exc)


def _unexpected(api: NinjaAPI, request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.error("Unexpected error in %s %s", request.method, request.path, exc_info=exc)
    return error_response(
        api, request, status=500, detail=_("Something went wrong on the server; it is logged.")
    )


def _field_path(loc: Iterable[Any]) -> str:
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        source = parts.pop(0)
        if source == "body" and parts[:1] == [_BODY_PARAMETER]:
            parts.pop(0)
    return ".".join(str(part) for part in parts)


_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "string_pattern_mismatch": gettext_lazy("Control characters are not allowed."),
    "string_type": gettext_lazy("This must be text."),
    "string_unicode": gettext_lazy("This must be text."),
    "int_parsing": gettext_lazy("This must be a whole number."),
    "int_type": gettext_lazy("This must be a whole number."),
    "int_from_float": gettext_lazy("This must be a whole number."),
    "bool_parsing": gettext_lazy("This must be true or false."),
    "bool_type": gettext_lazy("This must be true or false."),
    "date_parsing": gettext_lazy("This must be a date, YYYY-MM-DD."),
    "date_from_datetime_parsing": gettext_lazy("This must be a date, YYYY-MM-DD."),
    "date_from_datetime_inexact": gettext_lazy("This must be a date, YYYY-MM-DD."),
    "date_type": gettext_lazy("This must be a date, YYYY-MM-DD."),
    "list_type": gettext_lazy("This must be a list."),
    "model_attributes_type": gettext_lazy("This must be a JSON object."),
    "dict_type": gettext_lazy("This must be a JSON object."),
}
# Messages with a limit, and the key of pydantic's context that holds it.
_LIMIT_MESSAGES = {
    "string_too_long": (gettext_lazy("Use at most %(limit)s characters."), "max_length"),
    "string_too_short": (gettext_lazy("Use at least %(limit)s characters."), "min_length"),
    "too_long": (gettext_lazy("Give at most %(limit)s items."), "max_length"),
    "greater_than_equal": (gettext_lazy("This must be at least %(limit)s."), "ge"),
    "less_than_equal": (gettext_lazy("This must be at most %(limit)s."), "le"),
    "literal_error": (gettext_lazy("Use one of: %(limit)s."), "expected"),
}


def _message(error: dict[str, Any]) -> str:
    """Return a pydantic error in our words (translated), or pydantic's own for the rare ones."""
    kind = error.get("type", "")
    if kind in _MESSAGES:
        return str(_MESSAGES[kind])
    if kind in _LIMIT_MESSAGES:
        message, key = _LIMIT_MESSAGES[kind]
        return str(message) % {"limit": (error.get("ctx") or {}).get(key)}
    return str(error.get("msg") or _("This value is not valid."))
