"""The register pages: the list of requests, one request with its history, a new request.

Every view finds the request through `request_get`, so that a request of another unit is
"not found" for those who may not see it; the services check roles and units again.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import push_url

from rogatory.accounts.permissions import Action, user_can
from rogatory.audit.services import audit_view
from rogatory.core.exceptions import (
    ConflictError,
    StorageError,
    TransitionError,
    ValidationError,
)
from rogatory.core.replica import reads_from_replica
from rogatory.register import lifecycle, services
from rogatory.register.models import Event, Kind, Request
from rogatory.register.selectors import (
    request_documents,
    request_events,
    request_get,
    request_page,
    request_persons,
    request_state,
)
from rogatory.web.access import action_required, service_errors_as_http
from rogatory.web.forms.requests import (
    EVENT_TYPES,
    DocumentForm,
    EventForm,
    PersonForm,
    RequestFilterForm,
    RequestRegisterForm,
    RequestUpdateForm,
    event_form,
    service_error,
    user_has_several_units,
)

_FORM_ERRORS = (ValidationError, TransitionError)


# --- The register list -------------------------------------------------------------------------


@action_required(Action.READ)
@require_GET
@service_errors_as_http
@reads_from_replica
def request_list(request: HttpRequest) -> HttpResponse:
    """Show a page of the register, narrowed by the filters in the query string."""
    form = RequestFilterForm(request.GET, user=request.user)
    page = None
    if form.is_valid():
        try:
            page = request_page(
                user=request.user, filters=form.filters(), cursor=request.GET.get("cursor", "")
            )
        except ValidationError as error:
            service_error(form, error)
    partial = bool(request.htmx) and request.htmx.target == "results"
    template = "web/requests/_results.html" if partial else "web/requests/list.html"
    context = {"form": form, "page": page, "active": "requests", "partial": partial}
    context["show_unit"] = user_has_several_units(request.user)
    if page is not None:
        context["next_query"] = form.query(cursor=page.next_cursor or "")
        context["previous_query"] = form.query(cursor=page.previous_cursor or "")
    response = render(request, template, context)
    if partial:
        # The address bar gets the filters without the empty fields the form also sends.
        query = form.query(cursor=request.GET.get("cursor", ""))
        push_url(response, f"{request.path}?{query}" if query else request.path)
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- A new request -----------------------------------------------------------------------------


@action_required(Action.REGISTER)
@require_http_methods(["GET", "POST"])
@service_errors_as_http
def request_new(request: HttpRequest) -> HttpResponse:
    """Register a new request and go to its page."""
    data = request.POST if request.method == "POST" else None
    form = RequestRegisterForm(data, user=request.user)
    if form.is_valid():
        try:
            registered = services.request_register(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            # The form has checked every other field; what the service still refuses is
            # a reference that is already taken.
            service_error(form, error, field="reference")
        else:
            messages.success(
                request, _("Request %(reference)s registered.") % {"reference": registered}
            )
            return redirect("web:request_detail", request_id=registered.pk)
    return render(request, "web/requests/new.html", {"form": form, "active": "requests"})


# --- One request -------------------------------------------------------------------------------


@action_required(Action.READ)
@require_GET
@service_errors_as_http
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    """Show a request: its facts, its history, its persons sought and documents."""
    found = request_get(user=request.user, request_id=request_id)
    return render(request, "web/requests/detail.html", _detail_context(request, found))


@action_required(Action.RECORD_EVENT)
@require_http_methods(["GET", "POST"])
@service_errors_as_http
def request_edit(request: HttpRequest, request_id: int) -> HttpResponse:
    """Change the descriptive fields of a request."""
    found = request_get(user=request.user, request_id=request_id)
    data = request.POST if request.method == "POST" else None
    form = RequestUpdateForm(data, request=found)
    if form.is_valid():
        try:
            services.request_update(
                actor=request.user,
                request=found,
                expected_version=form.cleaned_data["version"],
                **form.changes(),
            )
        except ConflictError as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            # Everything else was checked by the form: the service refuses fewer persons
            # sought than the request names.
            service_error(form, error, field="persons_count")
        else:
            messages.success(request, _("The details of the request were saved."))
            return redirect("web:request_detail", request_id=found.pk)
    context = {"form": form, "req": found, "active": "requests"}
    return render(request, "web/requests/edit.html", context)


@action_required(Action.RECORD_EVENT)
@require_POST
@service_errors_as_http
def request_event(request: HttpRequest, request_id: int, event_type: str) -> HttpResponse:
    """Record the next event of a request's lifecycle."""
    if event_type not in EVENT_TYPES:
        raise Http404(event_type)
    if event_type == Event.Type.REOPENED and not user_can(request.user, Action.REOPEN):
        raise PermissionDenied
    found = request_get(user=request.user, request_id=request_id)
    form = event_form(event_type, state=request_state(request=found), data=request.POST)
    if form.is_valid():
        try:
            _event_record(actor=request.user, request=found, form=form)
        except ConflictError as error:
            # Someone recorded first: show the request as it now is, and the form as typed,
            # carrying the current version so that submitting it again records it.
            found = request_get(user=request.user, request_id=request_id)
            form = _event_form_again(form, found, error)
        except _FORM_ERRORS as error:
            service_error(form, error)
        else:
            done = _("Recorded: %(event)s.") % {"event": form.heading}
            return _changed(request, found, part="events", done=done)
    return _part(request, found, part="events", event_form=form)


@action_required(Action.RECORD_EVENT)
@require_POST
@service_errors_as_http
def person_add(request: HttpRequest, request_id: int) -> HttpResponse:
    """Name a person sought in an extradition request."""
    found = request_get(user=request.user, request_id=request_id)
    form = PersonForm(request.POST)

    def add() -> str:
        person = services.person_add(actor=request.user, request=found, **form.cleaned_data)
        return _("%(name)s added to the persons sought.") % {"name": person.full_name}

    return _card_change(request, found, form, part="persons", form_name="person_form", save=add)


@action_required(Action.RECORD_EVENT)
@require_POST
@service_errors_as_http
def document_upload(request: HttpRequest, request_id: int) -> HttpResponse:
    """Attach a file to a request."""
    found = request_get(user=request.user, request_id=request_id)
    form = DocumentForm(request.POST, request.FILES, max_bytes=settings.ROGATORY_MAX_UPLOAD_BYTES)

    def attach() -> str:
        upload = form.cleaned_data["file"]
        document = services.document_attach(
            actor=request.user,
            request=found,
            kind=form.cleaned_data["kind"],
            title=form.cleaned_data["title"],
            original_name=upload.name,
            content=upload,
        )
        return _("%(title)s attached.") % {"title": document.title}

    return _card_change(
        request,
        found,
        form,
        part="documents",
        form_name="document_form",
        save=attach,
        errors=(ValidationError, StorageError),
    )


@action_required(Action.READ)
@require_GET
@service_errors_as_http
def document_download(request: HttpRequest, request_id: int, document_id: int) -> FileResponse:
    """Send a document's file as a download, and record who fetched it."""
    found = request_get(user=request.user, request_id=request_id)
    fetched = services.document_fetch(actor=request.user, request=found, document_id=document_id)
    response = FileResponse(
        fetched.file,
        as_attachment=True,
        filename=fetched.filename,
        content_type=fetched.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Helpers -----------------------------------------------------------------------------------

_DATED_SERVICES: dict[str, tuple[Callable[..., Event], str]] = {
    "sent": (services.request_record_sent, "sent_on"),
    "received": (services.request_record_received, "received_on"),
    "acknowledged": (services.request_record_acknowledged, "acknowledged_on"),
    "supplementary_requested": (services.request_record_supplementary_requested, "requested_on"),
    "supplementary_provided": (services.request_record_supplementary_provided, "provided_on"),
    "provisional_arrest": (services.request_record_provisional_arrest, "arrested_on"),
    "hearing": (services.request_record_hearing, "held_on"),
    "surrendered": (services.request_record_surrender, "surrendered_on"),
    "reopened": (services.request_reopen, "reopened_on"),
    "opening_corrected": (services.request_correct_opening, "opened_on"),
}


def _event_record(*, actor: Any, request: Request, form: EventForm) -> Event:
    """Call the service that records the event of a valid event form."""
    data = form.cleaned_data
    if form.event_type == Event.Type.DECIDED:
        return services.request_record_decision(
            actor=actor,
            request=request,
            outcome=data["outcome"],
            decided_on=data["occurred_on"],
            grounds=data["grounds"],
            political=form.political_choice(),
            political_reason=data["political_reason"],
            note=data["note"],
            expected_version=data["version"],
        )
    service, date_argument = _DATED_SERVICES[form.event_type]
    words = {"reason": data["reason"]} if "reason" in data else {"note": data["note"]}
    return service(
        actor=actor,
        request=request,
        expected_version=data["version"],
        **{date_argument: data["occurred_on"]},
        **words,
    )


def _event_form_again(form: EventForm, current: Request, conflict: ConflictError) -> EventForm:
    """Return `form` as the user typed it, on the current version of the request, and why."""
    data = form.data.copy()
    data[form.add_prefix("version")] = str(current.version)
    again = event_form(form.event_type, state=request_state(request=current), data=data)
    again.is_valid()
    again.add_error(
        None,
        conflict.message
        + " "
        + _(
            "The history below shows the request as it is now; what you typed is kept, so "
            "submit again if your event still applies."
        ),
    )
    return again


def _card_change(
    request: HttpRequest,
    found: Request,
    form: EventForm | PersonForm | DocumentForm,
    *,
    part: str,
    form_name: str,
    save: Callable[[], str],
    errors: tuple[type[Exception], ...] = (ValidationError,),
) -> HttpResponse:
    """Make the change of a card's valid form, or show the card again with the form's errors.

    `save` calls the service and returns the message that says what was done; `form_name` is
    the keyword `_detail_context` takes the failed form by.
    """
    if form.is_valid():
        try:
            done = save()
        except errors as error:
            service_error(form, error)
        else:
            return _changed(request, found, part=part, done=done)
    return _part(request, found, part=part, **{form_name: form})


def _changed(request: HttpRequest, changed: Request, *, part: str, done: str) -> HttpResponse:
    """Answer a successful change: the updated part for htmx, else back to the request's page."""
    if request.htmx:
        fresh = request_get(user=request.user, request_id=changed.pk)
        return _part(request, fresh, part=part, done=done)
    messages.success(request, done)
    return redirect(reverse("web:request_detail", args=[changed.pk]) + f"#{part}")


def _part(request: HttpRequest, shown: Request, *, part: str, **forms: Any) -> HttpResponse:
    """Render one card of the request page for htmx, or the whole page with it."""
    context = _detail_context(request, shown, **forms)
    if request.htmx:
        return render(request, f"web/requests/_{part}_response.html", context)
    return render(request, "web/requests/detail.html", context)


def _detail_context(
    request: HttpRequest,
    shown: Request,
    *,
    event_form: EventForm | None = None,
    person_form: PersonForm | None = None,
    document_form: DocumentForm | None = None,
    done: str = "",
) -> dict[str, Any]:
    """Gather what the request page shows, with any form that failed in place of a blank one."""
    state = request_state(request=shown)
    persons = request_persons(request=shown) if shown.kind == Kind.EXTRADITION else []
    if persons:
        audit_view(
            actor=request.user,
            object_type="request_persons",
            object_id=shown.pk,
            what={"request": shown.pk, "persons": [person.pk for person in persons]},
        )
    return {
        "req": shown,
        "active": "requests",
        "state": state,
        "grounds": shown.grounds.order_by("position", "code"),
        "events": request_events(request=shown),
        "event_forms": _event_forms(request, state, version=shown.version, failed=event_form),
        "persons": persons,
        "person_form": person_form or PersonForm(),
        "documents": request_documents(request=shown),
        "document_form": document_form
        or DocumentForm(max_bytes=settings.ROGATORY_MAX_UPLOAD_BYTES),
        "max_upload_bytes": settings.ROGATORY_MAX_UPLOAD_BYTES,
        "done": done,
    }


def _event_forms(
    request: HttpRequest, state: lifecycle.State, *, version: int, failed: EventForm | None
) -> list[EventForm]:
    """Return a form for each event the user may record now, keeping a failed one as typed.

    Each blank form carries `version`, the version of the request the page shows.
    """
    if not user_can(request.user, Action.RECORD_EVENT):
        return []
    allowed = [
        event_type
        for event_type in lifecycle.allowed_events(state)
        if event_type != Event.Type.REOPENED or user_can(request.user, Action.REOPEN)
    ]
    if failed is not None and failed.event_type not in allowed:
        # Shown anyway, so that the user reads why it was refused.
        allowed.insert(0, failed.event_type)
    return [
        failed
        if failed is not None and failed.event_type == event_type
        else event_form(event_type, state=state, version=version)
        for event_type in allowed
    ]


urlpatterns = [
    path("requests/", request_list, name="request_list"),
    path("requests/new/", request_new, name="request_new"),
    path("requests/<int:request_id>/", request_detail, name="request_detail"),
    path("requests/<int:request_id>/edit/", request_edit, name="request_edit"),
    path(
        "requests/<int:request_id>/events/<slug:event_type>/",
        request_event,
        name="request_event",
    ),
    path("requests/<int:request_id>/persons/", person_add, name="person_add"),
    path("requests/<int:request_id>/documents/", document_upload, name="document_upload"),
    path(
        "requests/<int:request_id>/documents/<int:document_id>/",
        document_download,
        name="document_download",
    ),
]
