"""User administration, for administrators: users, their roles and units, and the units."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from rogatory.accounts import selectors
from rogatory.accounts.models import User
from rogatory.accounts.permissions import Action
from rogatory.accounts.services import unit_create, user_create, user_set_password, user_update
from rogatory.accounts.two_factor import two_factor_reset
from rogatory.core.exceptions import ApplicationError

from ..access import action_required
from ..forms import service_error_add
from ..forms.users import UnitCreateForm, UserCreateForm, UserEditForm, UserPasswordForm


@action_required(Action.MANAGE_USERS)
def user_list(request: HttpRequest) -> HttpResponse:
    """List the users and the units."""
    return _user_list_page(request, unit_form=UnitCreateForm())


@action_required(Action.MANAGE_USERS)
@sensitive_post_parameters("password")
def user_new(request: HttpRequest) -> HttpResponse:
    """Create a user who can sign in."""
    form = UserCreateForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            user = user_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            service_error_add(form, error)
        else:
            messages.success(request, _("User “%(name)s” created.") % {"name": user.username})
            return redirect("web:user_list")
    return render(request, "web/users/user_form.html", {"active": "users", "form": form})


@action_required(Action.MANAGE_USERS)
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    """Change a user's role, units, e-mail, or whether they may sign in."""
    user = get_object_or_404(User, pk=user_id)
    form = UserEditForm.for_user(user, request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            user_update(actor=request.user, user=user, **form.cleaned_data)
        except ApplicationError as error:
            service_error_add(form, error)
        else:
            messages.success(request, _("User “%(name)s” saved.") % {"name": user.username})
            return redirect("web:user_list")
    return _user_edit_page(request, user, form=form)


@action_required(Action.MANAGE_USERS)
@require_POST
@sensitive_post_parameters("password")
def user_password(request: HttpRequest, user_id: int) -> HttpResponse:
    """Set a new password for a user who has forgotten theirs."""
    user = get_object_or_404(User, pk=user_id)
    form = UserPasswordForm(request.POST, user=user)
    if form.is_valid():
        try:
            user_set_password(actor=request.user, user=user, password=form.cleaned_data["password"])
        except ApplicationError as error:
            service_error_add(form, error, field="password")
        else:
            messages.success(
                request, _("A new password is set for “%(name)s”.") % {"name": user.username}
            )
            return redirect("web:user_edit", user_id=user.pk)
    return _user_edit_page(request, user, password_form=form)


@action_required(Action.MANAGE_USERS)
@require_POST
def user_two_factor_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    """Turn off two-factor sign-in for a user who has lost their authenticator."""
    user = get_object_or_404(User, pk=user_id)
    two_factor_reset(actor=request.user, user=user)
    messages.success(
        request,
        _("Two-factor sign-in is off for “%(name)s”; they sign in with their password.")
        % {"name": user.username},
    )
    return redirect("web:user_edit", user_id=user.pk)


@action_required(Action.MANAGE_USERS)
@require_POST
def unit_new(request: HttpRequest) -> HttpResponse:
    """Create a unit."""
    form = UnitCreateForm(request.POST)
    if form.is_valid():
        try:
            unit = unit_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            service_error_add(form, error, field="code")
        else:
            messages.success(request, _("Unit “%(name)s” created.") % {"name": unit.name})
            return redirect("web:user_list")
    return _user_list_page(request, unit_form=form)


def _user_list_page(request: HttpRequest, *, unit_form: UnitCreateForm) -> HttpResponse:
    return render(
        request,
        "web/users/user_list.html",
        {
            "active": "users",
            "users": selectors.user_list(),
            "units": selectors.unit_list(),
            "unit_form": unit_form,
        },
    )


def _user_edit_page(
    request: HttpRequest,
    user: User,
    *,
    form: UserEditForm | None = None,
    password_form: UserPasswordForm | None = None,
) -> HttpResponse:
    return render(
        request,
        "web/users/user_form.html",
        {
            "active": "users",
            "edited": user,
            "is_self": user.pk == request.user.pk,
            "two_factor_on": selectors.user_has_two_factor(user),
            "form": form or UserEditForm.for_user(user),
            "password_form": password_form or UserPasswordForm(user=user),
        },
    )


urlpatterns = [
    path("users/", user_list, name="user_list"),
    path("users/new/", user_new, name="user_create"),
    path("users/<int:user_id>/", user_edit, name="user_edit"),
    path("users/<int:user_id>/password/", user_password, name="user_password"),
    path(
        "users/<int:user_id>/two-factor/off/",
        user_two_factor_reset,
        name="user_two_factor_reset",
    ),
    path("users/units/", unit_new, name="unit_create"),
]
