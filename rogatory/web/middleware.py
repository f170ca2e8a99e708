"""Middleware of the web pages: the browser features they may use, and when a session ends."""

import time
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.translation import ngettext
from django_htmx.http import HttpResponseClientRedirect

# When the session signed in, and when it last made a request, in seconds since the epoch.
SIGNED_IN_AT = "rogatory_signed_in_at"
LAST_SEEN_AT = "rogatory_last_seen_at"
# A request refreshes the last-seen mark at most this often, so that reading pages does not
# write the session on every request.
_SEEN_RESOLUTION_SECONDS = 30


def _now() -> float:
    return time.time()


@receiver(user_logged_in, dispatch_uid="rogatory_session_clock_start")
def _session_clock_start(sender, request: HttpRequest | None, **kwargs) -> None:
    """Start both clocks of a session when its user signs in."""
    if request is not None and hasattr(request, "session"):
        now = _now()
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN_AT] = now


class PermissionsPolicyMiddleware:
    """Send the Permissions-Policy header of PERMISSIONS_POLICY with every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = getattr(settings, "PERMISSIONS_POLICY", "")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Permissions-Policy", self.policy)
        return response


class SessionTimeoutMiddleware:
    """Sign out a session idle for ROGATORY_SESSION_IDLE_SECONDS or older than SESSION_COOKIE_AGE.

    The sign-in page then says which of the two happened. API calls with a token carry no
    session and are not affected; API calls with a session are, like the pages.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        signed_out = user is not None and user.is_authenticated and self._signed_out(request)
        if signed_out and request.headers.get("HX-Request") == "true":
            # A part of a page asked (a filter, a job's progress): the whole page goes to the
            # sign-in page, instead of the sign-in form landing inside that part.
            return HttpResponseClientRedirect(_sign_in_address(request))
        return self.get_response(request)

    def _signed_out(self, request: HttpRequest) -> bool:
        """Sign the session out if it is idle or too old; return whether it was."""
        session = request.session
        now = _now()
        signed_in_at = session.get(SIGNED_IN_AT)
        last_seen_at = session.get(LAST_SEEN_AT)
        if signed_in_at is None or last_seen_at is None:
            # The first request of a session signed in just now (or before this check existed).
            session[SIGNED_IN_AT] = signed_in_at or now
            session[LAST_SEEN_AT] = now
            return False
        idle = settings.ROGATORY_SESSION_IDLE_SECONDS
        if now - signed_in_at > settings.SESSION_COOKIE_AGE:
            hours = settings.SESSION_COOKIE_AGE / 3600
            reason = ngettext(
                "You were signed out because you had been signed in for %(hours)g hour. "
                "Sign in again to go on.",
                "You were signed out because you had been signed in for %(hours)g hours. "
                "Sign in again to go on.",
                max(1, round(hours)),
            ) % {"hours": hours}
        elif idle and now - last_seen_at > idle:
            minutes = idle / 60
            reason = ngettext(
                "You were signed out after %(minutes)g minute without activity. "
                "Sign in again to go on.",
                "You were signed out after %(minutes)g minutes without activity. "
                "Sign in again to go on.",
                max(1, round(minutes)),
            ) % {"minutes": minutes}
        else:
            if now - last_seen_at >= _SEEN_RESOLUTION_SECONDS:
                session[LAST_SEEN_AT] = now
            return False
        logout(request)
        if not request.path.startswith("/api/"):
            messages.info(request, reason)
        return True


def _sign_in_address(request: HttpRequest) -> str:
    """Return the sign-in page's address, to come back to the page htmx asked from."""
    page = urlsplit(request.headers.get("HX-Current-URL", ""))
    back = urlunsplit(("", "", page.path, page.query, "")) or request.path
    return f"{resolve_url(settings.LOGIN_URL)}?{urlencode({REDIRECT_FIELD_NAME: back})}"
