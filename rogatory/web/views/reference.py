"""The reference data page: supervisors edit refusal grounds and treaties, and add treaties.

A refusal ground is edited in its own table row with htmx, or on its own page without it;
treaties, with their long list of parties, are edited on their own page.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from rogatory.accounts.permissions import Action
from rogatory.core.exceptions import ApplicationError, NotFoundError
from rogatory.reference.models import Treaty
from rogatory.reference.selectors import (
    refusal_ground_get,
    refusal_ground_list,
    treaty_get,
    treaty_list,
)
from rogatory.reference.services import refusal_ground_update, treaty_create, treaty_update

from ..access import action_required
from ..forms import service_error_add
from ..forms.reference import BilateralTreatyForm, RefusalGroundForm, TreatyForm

_editor_required = action_required(Action.EDIT_REFERENCE)

T = TypeVar("T")


def _found(selector: Callable[..., Any], **kwargs: Any) -> Any:
    try:
        return selector(**kwargs)
    except NotFoundError as error:
        raise Http404(error.message) from None


def _page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    return render(request, f"web/reference/{template}", {"active": "reference", **context})


def _back_to(anchor: str) -> HttpResponse:
    return redirect(f"{reverse('web:reference')}#{anchor}")


def _apply(form: forms.Form, change: Callable[[], T]) -> T | None:
    """Make the change a valid form asks for; None if the form or the service refused it.

    What the service refuses is shown on the form, as the form's own errors are.
    """
    if not form.is_valid():
        return None
    try:
        return change()
    except ApplicationError as error:
        service_error_add(form, error)
        return None


@_editor_required
def reference(request: HttpRequest) -> HttpResponse:
    """List the refusal grounds and the treaties, each with a way to edit it."""
    return _page(
        request,
        "reference.html",
        {"grounds": refusal_ground_list(), "treaties": treaty_list()},
    )


@_editor_required
def ground_row(request: HttpRequest, code: str) -> HttpResponse:
    """Return one refusal ground's table row, to put back in place of its edit form."""
    ground = _found(refusal_ground_get, code=code)
    return render(request, "web/reference/_ground_row.html", {"ground": ground})


@_editor_required
def ground_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Edit a refusal ground's labels and political default, in its row or on its own page."""
    ground = _found(refusal_ground_get, code=code)
    form = RefusalGroundForm.for_ground(ground, request.POST if request.method == "POST" else None)
    saved = _apply(
        form, lambda: refusal_ground_update(actor=request.user, ground=ground, **form.cleaned_data)
    )
    if saved is not None:
        if request.htmx:
            return render(
                request, "web/reference/_ground_row.html", {"ground": ground, "saved": True}
            )
        messages.success(request, _("The refusal ground was saved."))
        return _back_to(f"ground-{ground.code}")
    template = "_ground_form_row.html" if request.htmx else "ground_edit.html"
    return _page(request, template, {"ground": ground, "form": form})


@_editor_required
def treaty_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Edit a treaty's names, what it covers and its parties."""
    treaty = _found(treaty_get, code=code)
    form = TreatyForm.for_treaty(treaty, request.POST if request.method == "POST" else None)
    saved = _apply(
        form, lambda: treaty_update(actor=request.user, treaty=treaty, **form.cleaned_data)
    )
    if saved is not None:
        messages.success(request, _("The treaty %(code)s was saved.") % {"code": treaty.code})
        return _back_to(f"treaty-{treaty.code}")
    return _page(request, "treaty_edit.html", {"treaty": treaty, "form": form})


@_editor_required
def treaty_add(request: HttpRequest) -> HttpResponse:
    """Add a bilateral treaty between our state and one other."""
    form = BilateralTreatyForm(request.POST if request.method == "POST" else None)

    def create() -> Treaty:
        fields = dict(form.cleaned_data)
        country = fields.pop("country")
        return treaty_create(
            actor=request.user, kind=Treaty.Kind.BILATERAL, parties=[country], **fields
        )

    treaty = _apply(form, create)
    if treaty is not None:
        messages.success(request, _("The treaty %(code)s was added.") % {"code": treaty.code})
        return _back_to(f"treaty-{treaty.code}")
    return _page(request, "treaty_add.html", {"form": form})


urlpatterns = [
    path("reference/", reference, name="reference"),
    path("reference/grounds/<str:code>/", ground_row, name="reference_ground"),
    path("reference/grounds/<str:code>/edit/", ground_edit, name="reference_ground_edit"),
    path("reference/treaties/new/", treaty_add, name="reference_treaty_add"),
    path("reference/treaties/<str:code>/edit/", treaty_edit, name="reference_treaty_edit"),
]
