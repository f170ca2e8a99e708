"""The request page's assurances card (extradition only) and the list of the assurances
awaiting monitoring.

Every view finds the request through `request_get`, so that a request of another unit is "not
found" for those who may not see it; the services check roles and units again.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rogatory.accounts.permissions import Action, user_can
from rogatory.core.exceptions import ValidationError
from rogatory.register.assurances import (
    assurance_follow_up_add,
    assurance_monitoring_close,
    assurance_record_given,
    assurance_request,
    assurances_awaiting_monitoring,
    request_assurance_get,
    request_assurances,
    request_surrendered_on,
)
from rogatory.register.models import Assurance, Kind, Request
from rogatory.register.selectors import request_get
from rogatory.web.access import action_required, service_errors_as_http
from rogatory.web.forms.assurances import ASSURANCE_FORMS, AssuranceForm, assurance_form
from rogatory.web.forms.requests import service_error

from . import requests as request_pages


def assurances_card_context(
    http_request: HttpRequest,
    req: Request,
    *,
    form: AssuranceForm | None = None,
    failed: tuple[int, str, forms.Form] | None = None,
    done: str = "",
) -> dict[str, Any]:
    """Gather what the assurances card shows, keeping a failed form as the user typed it.

    `failed` is (assurance id, form kind, form) for a form of one assurance.
    """
    may_change = user_can(http_request.user, Action.RECORD_EVENT)
    surrendered_on = request_surrendered_on(request=req)
    rows = []
    for assurance in request_assurances(request=req):
        row: dict[str, Any] = {"assurance": assurance, "forms": {}}
        if may_change:
            kinds = _forms_for(assurance, surrendered=surrendered_on is not None)
            if failed is not None and failed[0] == assurance.pk and failed[1] not in kinds:
                # Shown anyway, so that the user reads why it was refused.
                kinds.insert(0, failed[1])
            for kind in kinds:
                if failed is not None and failed[:2] == (assurance.pk, kind):
                    row["forms"][kind] = failed[2]
                else:
                    row["forms"][kind] = assurance_form(kind, assurance.pk)
        rows.append(row)
    return {
        "req": req,
        "assurance_rows": rows,
        "assurance_form": form or AssuranceForm(),
        "surrendered_on": surrendered_on,
        "may_change": may_change,
        "assurances_done": done,
        "request": http_request,
    }


def _forms_for(assurance: Assurance, *, surrendered: bool) -> list[str]:
    if assurance.status == Assurance.Status.REQUESTED:
        return ["given", "close"]
    if assurance.status == Assurance.Status.GIVEN:
        return ["follow_up", "close"] if surrendered else ["close"]
    return []


def _extradition(request: HttpRequest, request_id: int) -> Request:
    found = request_get(user=request.user, request_id=request_id)
    if found.kind != Kind.EXTRADITION:
        raise Http404(_("Only extradition requests have assurances."))
    return found


@action_required(Action.RECORD_EVENT)
@require_POST
@service_errors_as_http
def assurance_add(request: HttpRequest, request_id: int) -> HttpResponse:
    """Record an assurance asked for, or given, in an extradition request."""
    found = _extradition(request, request_id)
    form = AssuranceForm(request.POST)
    if form.is_valid():
        try:
            assurance = assurance_request(actor=request.user, request=found, **form.cleaned_data)
        except ValidationError as error:
            service_error(form, error)
        else:
            done = _("Assurance recorded: %(type)s.") % {"type": assurance.get_type_display()}
            return _changed(request, found, done=done)
    return _part(request, found, form=form)


@action_required(Action.RECORD_EVENT)
@require_POST
@service_errors_as_http
def assurance_change(
    request: HttpRequest, request_id: int, assurance_id: int, step: str
) -> HttpResponse:
    """Record that an assurance was given, add a follow-up, or close its monitoring."""
    if step not in ASSURANCE_FORMS:
        raise Http404(step)
    found = _extradition(request, request_id)
    assurance = request_assurance_get(request=found, assurance_id=assurance_id)
    form = assurance_form(step, assurance.pk, data=request.POST)
    if form.is_valid():
        try:
            done = _STEPS[step](request.user, assurance, form.cleaned_data)
        except ValidationError as error:
            service_error(form, error)
        else:
            return _changed(request, found, done=done)
    return _part(request, found, failed=(assurance.pk, step, form))


def _given(actor: Any, assurance: Assurance, data: dict[str, Any]) -> str:
    assurance_record_given(
        actor=actor,
        assurance=assurance,
        given_on=data["given_on"],
        authority=data["authority"],
        text=data["text"],
    )
    return _("Recorded: the assurance was given.")


def _follow_up(actor: Any, assurance: Assurance, data: dict[str, Any]) -> str:
    assurance_follow_up_add(actor=actor, assurance=assurance, **data)
    return _("Follow-up recorded.")


def _close(actor: Any, assurance: Assurance, data: dict[str, Any]) -> str:
    assurance_monitoring_close(actor=actor, assurance=assurance, **data)
    return _("Monitoring of the assurance closed.")


_STEPS: dict[str, Callable[[Any, Assurance, dict[str, Any]], str]] = {
    "given": _given,
    "follow_up": _follow_up,
    "close": _close,
}


def _changed(request: HttpRequest, found: Request, *, done: str) -> HttpResponse:
    if request.htmx:
        return _part(request, request_get(user=request.user, request_id=found.pk), done=done)
    messages.success(request, done)
    return redirect(reverse("web:request_detail", args=[found.pk]) + "#assurances")


def _part(
    request: HttpRequest,
    found: Request,
    *,
    form: AssuranceForm | None = None,
    failed: tuple[int, str, forms.Form] | None = None,
    done: str = "",
) -> HttpResponse:
    if request.htmx:
        context = assurances_card_context(request, found, form=form, failed=failed, done=done)
        return render(request, "web/assurances/_card.html", context)
    context = request_pages._detail_context(request, found)
    context["assurance_form"] = form
    context["assurance_failed"] = failed
    return render(request, "web/requests/detail.html", context)


# --- Assurances awaiting monitoring ------------------------------------------------------------


@action_required(Action.READ)
@require_GET
@service_errors_as_http
def assurances_monitoring(request: HttpRequest) -> HttpResponse:
    """List the given assurances on surrendered extraditions whose monitoring is still open."""
    rows = assurances_awaiting_monitoring(user=request.user)
    return render(
        request,
        "web/assurances/monitoring.html",
        {"rows": rows, "active": "assurances"},
    )


urlpatterns = [
    path("assurances/monitoring/", assurances_monitoring, name="assurances_monitoring"),
    path("requests/<int:request_id>/assurances/", assurance_add, name="assurance_add"),
    path(
        "requests/<int:request_id>/assurances/<int:assurance_id>/<slug:step>/",
        assurance_change,
        name="assurance_change",
    ),
]
