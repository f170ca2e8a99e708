"""The request page's links card (linked requests, suggestions, the Interpol notice) and the
editing of a person sought (custody, identification).

Every view finds the request through `request_get`, so that a request of another unit is "not
found" for those who may not see it; the services check roles and units again, for both ends
of a link.
"""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rogatory.accounts.permissions import Action, user_can
from rogatory.core.exceptions import ValidationError
from rogatory.register.links import (
    link_add,
    link_remove,
    link_suggestions,
    link_target_find,
    request_link_get,
    request_links,
)
from rogatory.register.models import Request
from rogatory.register.persons import person_update, request_person_get
from rogatory.register.selectors import request_get
from rogatory.web.access import action_required, service_errors_as_http
from rogatory.web.forms.links import LinkForm, PersonEditForm
from rogatory.web.forms.requests import service_error

from . import requests as request_pages


def links_card_context(
    http_request: HttpRequest, req: Request, *, form: LinkForm | None = None, done: str = ""
) -> dict[str, Any]:
    """Gather what the links card shows, with a failed form in place of a blank one."""
    user = http_request.user
    may_change = user_can(user, Action.RECORD_EVENT)
    return {
        "req": req,
        "links": request_links(user=user, request=req),
        "suggestions": link_suggestions(user=user, request=req) if may_change else [],
        "link_form": form or LinkForm(),
        "may_change": may_change,
        "links_done": done,
        "request": http_request,
    }


@action_required(Action.RECORD_EVENT)
@require_POST
@service_errors_as_http
def request_link_add(request: HttpRequest, request_id: int) -> HttpResponse:
    """Link the request to another one the user can see, found by our reference."""
    found = request_get(user=request.user, request_id=request_id)
    form = LinkForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            target = link_target_find(
                user=request.user, reference=data["reference"], direction=data["direction"]
            )
            link_add(
                actor=request.user,
                source=found,
                target=target,
                type=data["type"],
                note=data["note"],
            )
        except ValidationError as error:
            service_error(form, error)
        else:
            done = _("Linked to %(reference)s.") % {"reference": target.reference}
            return _links_changed(request, found, done=done)
    return _links_part(request, found, form=form)


@action_required(Action.RECORD_EVENT)
@require_POST
@service_errors_as_http
def request_link_remove(request: HttpRequest, request_id: int, link_id: int) -> HttpResponse:
    """Remove a link of the request (the user must be able to change both requests)."""
    found = request_get(user=request.user, request_id=request_id)
    link = request_link_get(request=found, link_id=link_id)
    other = link.target if link.source_id == found.pk else link.source
    # The other request's reference is named only to those who may see it; the service
    # refuses the others anyway.
    request_get(user=request.user, request_id=other.pk)
    link_remove(actor=request.user, link=link)
    done = _("The link to %(reference)s was removed.") % {"reference": other.reference}
    return _links_changed(request, found, done=done)


def _links_changed(request: HttpRequest, found: Request, *, done: str) -> HttpResponse:
    if request.htmx:
        return _links_part(request, request_get(user=request.user, request_id=found.pk), done=done)
    messages.success(request, done)
    return redirect(reverse("web:request_detail", args=[found.pk]) + "#links")


def _links_part(
    request: HttpRequest, found: Request, *, form: LinkForm | None = None, done: str = ""
) -> HttpResponse:
    if request.htmx:
        return render(
            request,
            "web/links/_card.html",
            links_card_context(request, found, form=form, done=done),
        )
    context = request_pages._detail_context(request, found)
    context["link_form"] = form
    return render(request, "web/requests/detail.html", context)


# --- Persons sought: custody and identification ------------------------------------------------


@action_required(Action.RECORD_EVENT)
@require_POST
@service_errors_as_http
def person_edit(request: HttpRequest, request_id: int, person_id: int) -> HttpResponse:
    """Change what is recorded about a person sought: custody, identification and the rest."""
    found = request_get(user=request.user, request_id=request_id)
    person = request_person_get(request=found, person_id=person_id)
    form = PersonEditForm(request.POST, person=person)
    if form.is_valid():
        try:
            changed = person_update(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as error:
            service_error(form, error)
        else:
            done = _("The details of %(name)s were saved.") % {"name": changed.full_name}
            if request.htmx:
                fresh = request_get(user=request.user, request_id=found.pk)
                return _persons_part(request, fresh, done=done)
            messages.success(request, done)
            return redirect(reverse("web:request_detail", args=[found.pk]) + "#persons")
    return _persons_part(request, found, failed=form)


def _persons_part(
    request: HttpRequest, found: Request, *, failed: PersonEditForm | None = None, done: str = ""
) -> HttpResponse:
    context = request_pages._detail_context(request, found, done=done)
    if failed is not None:
        context["person_edit_form"] = failed
        context["person_edit_id"] = failed.person.pk
    template = "web/requests/_persons_response.html" if request.htmx else "web/requests/detail.html"
    return render(request, template, context)


urlpatterns = [
    path("requests/<int:request_id>/links/", request_link_add, name="link_add"),
    path(
        "requests/<int:request_id>/links/<int:link_id>/remove/",
        request_link_remove,
        name="link_remove",
    ),
    path("requests/<int:request_id>/persons/<int:person_id>/", person_edit, name="person_edit"),
]
