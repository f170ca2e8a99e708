"""Tell the audit trail which client address each web or API request comes from."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import client_address_set


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # REMOTE_ADDR is the proxy in production; the proxy must pass the client's address
        # through (gunicorn's --forwarded-allow-ips sets REMOTE_ADDR from X-Forwarded-For).
        with client_address_set(request.META.get("REMOTE_ADDR", "")[:45]):
            return self.get_response(request)
