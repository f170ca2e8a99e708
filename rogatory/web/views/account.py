"""Signing in and out (with a one-time code when the user has set one up) and the account page."""

import time
from base64 import b32encode

import django_otp
import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from rogatory.accounts.models import ApiToken, User
from rogatory.accounts.permissions import user_sees_all_units
from rogatory.accounts.services import (
    NewToken,
    token_create,
    token_days_allowed,
    token_revoke,
    user_set_password,
)
from rogatory.accounts.two_factor import (
    two_factor_allowed,
    two_factor_confirm,
    two_factor_device,
    two_factor_disable,
    two_factor_pending,
    two_factor_start,
    two_factor_verify,
)
from rogatory.core.exceptions import ApplicationError

from ..forms import service_error_add
from ..forms.account import OneTimeCodeForm, PasswordChangeForm, SignInForm, TokenCreateForm

# After the password, before the code: who is signing in, how, since when, and where to.
_HALF_SIGNED_IN = "rogatory_half_signed_in"
_HALF_SIGNED_IN_SECONDS = 300


# --- Signing in and out ---------------------------------------------------------------------


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    """Check the user name and password; ask for a code next if the user has an authenticator."""
    next_url = _next_url(request)
    if request.user.is_authenticated:
        return redirect(next_url)
    form = SignInForm(request, data=request.POST if request.method == "POST" else None)
    if form.is_valid():
        user = form.get_user()
        if two_factor_device(user) is None:
            login(request, user)
            return redirect(next_url)
        request.session[_HALF_SIGNED_IN] = {
            "user": user.pk,
            "backend": user.backend,
            "since": time.time(),
            "next": next_url,
        }
        return redirect("web:login_code")
    return render(request, "web/account/login.html", {"form": form, "next": next_url})


@sensitive_post_parameters("token")
@csrf_protect
@never_cache
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """Finish signing in with the code of the authenticator; wrong codes count as failures."""
    user, pending = _half_signed_in(request)
    if user is None:
        messages.info(request, _("Sign in again: the code was not entered in time."))
        return redirect("web:login")
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        return get_lockout_response(request, None, credentials)
    form = OneTimeCodeForm(request.POST if request.method == "POST" else None, autofocus=True)
    device = two_factor_device(user)
    if device is None:  # an administrator has turned two-factor sign-in off meanwhile
        return _signed_in(request, user, pending)
    if form.is_valid():
        try:
            two_factor_verify(device=device, token=form.cleaned_data["token"])
        except ApplicationError as error:
            if error.extra.get("wrong_code"):
                # django-axes counts this like a wrong password, and locks out at the same limit.
                user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            service_error_add(form, error)
        else:
            return _signed_in(request, user, pending, device=device)
    return render(request, "web/account/login_code.html", {"form": form, "pending_user": user})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Sign out and return to the sign-in page."""
    logout(request)
    messages.success(request, _("You have signed out."))
    return redirect("web:login")


def _signed_in(
    request: HttpRequest, user: User, pending: dict, *, device: TOTPDevice | None = None
) -> HttpResponse:
    del request.session[_HALF_SIGNED_IN]
    login(request, user, backend=pending["backend"])
    if device is not None:
        django_otp.login(request, device)
    return redirect(pending["next"])


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("web:dashboard")


def _half_signed_in(request: HttpRequest) -> tuple[User | None, dict]:
    pending = request.session.get(_HALF_SIGNED_IN) or {}
    if time.time() - pending.get("since", 0) > _HALF_SIGNED_IN_SECONDS:
        request.session.pop(_HALF_SIGNED_IN, None)
        return None, {}
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    return user, pending


# --- The account page -----------------------------------------------------------------------


@login_required
@never_cache
def account(request: HttpRequest) -> HttpResponse:
    """Show who the user is, their password, two-factor sign-in and API tokens."""
    return _account_page(request)


@login_required
@require_POST
@sensitive_post_parameters("current_password", "new_password", "new_password_again")
def account_password(request: HttpRequest) -> HttpResponse:
    """Change the signed-in user's own password."""
    form = PasswordChangeForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            password = form.cleaned_data["new_password"]
            user_set_password(actor=request.user, user=request.user, password=password)
        except ApplicationError as error:
            service_error_add(form, error, field="new_password")
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("web:account")
    return _account_page(request, password_form=form)


@login_required
@require_POST
@never_cache
def account_token_create(request: HttpRequest) -> HttpResponse:
    """Create an API token and show its secret, this once."""
    form = _token_form(request, data=request.POST)
    if form.is_valid():
        try:
            new = token_create(
                actor=request.user,
                user=request.user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
            )
        except ApplicationError as error:
            service_error_add(form, error, field="name")
        else:
            return _account_page(request, new_token=new)
    return _account_page(request, token_form=form)


@login_required
@require_POST
def account_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of the signed-in user's API tokens."""
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("web:account")


@login_required
@require_POST
def account_two_factor_start(request: HttpRequest) -> HttpResponse:
    """Prepare an authenticator to scan; it works once a code from it is confirmed."""
    try:
        two_factor_start(actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("web:account")
    return redirect("web:account_two_factor")


@login_required
@never_cache
@sensitive_post_parameters("token")
def account_two_factor(request: HttpRequest) -> HttpResponse:
    """Show the authenticator's QR code and secret, and turn it on with a code from it."""
    device = two_factor_pending(request.user)
    if device is None or not two_factor_allowed(request.user):
        return redirect("web:account")
    form = OneTimeCodeForm(request.POST if request.method == "POST" else None, autofocus=True)
    if form.is_valid():
        try:
            two_factor_confirm(actor=request.user, device=device, token=form.cleaned_data["token"])
        except ApplicationError as error:
            service_error_add(form, error)
        else:
            django_otp.login(request, device)
            messages.success(request, _("Two-factor sign-in is on."))
            return redirect("web:account")
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "web/account/two_factor.html",
        {
            "form": form,
            "qr_svg": segno.make(device.config_url).svg_inline(scale=4),
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        },
    )


@login_required
@require_POST
@sensitive_post_parameters("token")
def account_two_factor_disable(request: HttpRequest) -> HttpResponse:
    """Turn two-factor sign-in off, given a current code."""
    form = OneTimeCodeForm(request.POST)
    if form.is_valid():
        try:
            two_factor_disable(actor=request.user, token=form.cleaned_data["token"])
        except ApplicationError as error:
            service_error_add(form, error)
        else:
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("web:account")
    return _account_page(request, disable_form=form)


def _token_form(request: HttpRequest, data: dict | None = None) -> TokenCreateForm:
    longest = token_days_allowed(actor=request.user, user=request.user)
    return TokenCreateForm(data, longest_days=longest)


def _account_page(
    request: HttpRequest,
    *,
    password_form: PasswordChangeForm | None = None,
    token_form: TokenCreateForm | None = None,
    disable_form: OneTimeCodeForm | None = None,
    new_token: NewToken | None = None,
) -> HttpResponse:
    user = request.user
    return render(
        request,
        "web/account/account.html",
        {
            "units": user.units.order_by("name"),
            "sees_all_units": user_sees_all_units(user),
            "tokens": user.api_tokens.order_by("-created_at"),
            "two_factor_allowed": two_factor_allowed(user),
            "two_factor_on": two_factor_device(user) is not None,
            "password_form": password_form or PasswordChangeForm(user=user),
            "token_form": token_form or _token_form(request),
            "now": timezone.now(),
            "disable_form": disable_form or OneTimeCodeForm(auto_id="disable_%s"),
            "new_token": new_token,
        },
    )


urlpatterns = [
    path("login/", sign_in, name="login"),
    path("login/code/", sign_in_code, name="login_code"),
    path("logout/", sign_out, name="logout"),
    path("account/", account, name="account"),
    path("account/password/", account_password, name="account_password"),
    path("account/tokens/", account_token_create, name="account_token_create"),
    path(
        "account/tokens/<int:token_id>/revoke/",
        account_token_revoke,
        name="account_token_revoke",
    ),
    path("account/two-factor/", account_two_factor, name="account_two_factor"),
    path("account/two-factor/start/", account_two_factor_start, name="account_two_factor_start"),
    path("account/two-factor/off/", account_two_factor_disable, name="account_two_factor_disable"),
]
