"""Answer 503 Service Unavailable, not 500, while the database cannot be reached.

A database that is restarting, failing over or out of connections is a passing state: the
client should try again in a moment, and an operator's monitoring should see "unavailable",
not "bug". The page says so in plain words, and it is built without the database, the session
or the signed-in user, any of which may be what failed. The API answers the same in its own
JSON shape (rogatory/api/errors.py).
"""

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

# Errors that say the database is out of reach, not that the query was wrong.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
# Seconds a client is asked to wait; long enough for a restart, short enough to come back soon.
RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    """Turn a view's "database unreachable" error into a plain 503 page with Retry-After."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_UNAVAILABLE):
            return None
        return database_unavailable_response(request, exception)


def database_unavailable_response(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Log one line (no query, no values) and return the 503 page."""
    # The exception's text may quote a query's parameters; its class and the path are enough.
    logger.error(
        "Database unavailable (%s) for %s %s",
        type(exception).__name__,
        request.method,
        request.path,
    )
    return service_unavailable_page()


def service_unavailable_page() -> HttpResponse:
    """Return the 503 page, rendered without the request so that no context processor runs."""
    response = HttpResponse(render_to_string("web/503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
