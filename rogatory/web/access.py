"""Access checks for web pages: who is signed in, and what their role lets them do."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from rogatory.accounts.permissions import Action, user_can
from rogatory.core.exceptions import NotFoundError, PermissionDeniedError


def action_required(action: Action) -> Callable:
    """Let a view run only for a signed-in user whose role allows `action`; else 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not user_can(request.user, action):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def service_errors_as_http(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn a service's "not found" into 404 and its "not allowed" into 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFoundError as error:
            raise Http404(error.message) from None
        except PermissionDeniedError as error:
            raise PermissionDenied(error.message) from None

    return wrapped
