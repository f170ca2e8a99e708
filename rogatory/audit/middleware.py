"""Tell the audit trail which client address each web or API request comes from."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from rogatory.core.clients import client_address

from .context import client_address_set


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with client_address_set(client_address(request)):
            return self.get_response(request)
