"""Health checks for operators and load balancers; they need no sign-in and show no data."""

import sys

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .middleware import DATABASE_UNAVAILABLE, RETRY_AFTER_SECONDS, service_unavailable_page


@never_cache
@require_GET
def health_live(request: HttpRequest) -> JsonResponse:
    """Answer 200 while the process serves requests; the database is not asked."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def health_ready(request: HttpRequest) -> JsonResponse:
    """Answer 200 when the database answers `SELECT 1`, else 503 with Retry-After."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DATABASE_UNAVAILABLE:
        response = JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return JsonResponse({"status": "ok", "database": "ok"})


def server_error(request: HttpRequest) -> HttpResponse:
    """Answer an error no view caught: 503 when the database is out of reach, else the 500 page.

    Errors raised outside views (saving a session, a middleware's own query) never reach
    `DatabaseUnavailableMiddleware.process_exception`; Django hands them to this handler.
    """
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_UNAVAILABLE):
        return service_unavailable_page()
    return defaults.server_error(request, template_name="500.html")
