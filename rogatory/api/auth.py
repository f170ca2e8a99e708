"""Who is calling the API: a program with an API token, or a browser with a signed-in session."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp import user_has_device
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from rogatory.accounts.models import User
from rogatory.accounts.services import token_authenticate


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer TOKEN`, with a token from the user's page or `rogatory token`."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return token_authenticate(token)


class BrowserSessionAuth(APIKeyCookie):
    """The session of a user signed in to the web pages; unsafe methods need the CSRF token.

    A user with a second factor counts as signed in only once the session has verified it, so
    that a half-finished sign-in cannot reach the API.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # ninja checks CSRF here even for anonymous callers, which would answer a missing token
        # with 403 instead of 401; `authenticate` checks it once a session user is found.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not user.is_authenticated or not user.is_active:
            return None
        if user_has_device(user) and not _otp_verified(user):
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, _("The CSRF check failed: reload the page and try again."))
        return user


def _otp_verified(user: Any) -> bool:
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())
