"""The draft page of an outgoing request: its letter, what the letter lacks, and its files.

Every view finds the request through `request_get`, so a request of another unit is "not
found"; the services check roles and units again.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rogatory.accounts.permissions import Action, user_can
from rogatory.audit.services import audit_view
from rogatory.core.exceptions import ConflictError, StorageError, ValidationError
from rogatory.drafting import services
from rogatory.drafting.selectors import (
    country_requirements,
    draft_applies,
    draft_check,
    draft_of,
)
from rogatory.register.models import Kind, Request
from rogatory.register.selectors import request_get, request_persons
from rogatory.web.access import action_required, service_errors_as_http
from rogatory.web.forms.drafting import DraftForm, LetterChoiceForm
from rogatory.web.forms.requests import service_error


def _outgoing(request: HttpRequest, request_id: int) -> Request:
    found = request_get(user=request.user, request_id=request_id)
    if not draft_applies(request=found):
        raise Http404(_("Only outgoing requests have a letter to draft."))
    return found


def missing_links(found: Request, missing: list) -> list[dict[str, str]]:
    """Return each missing element with the address of the field that fills it in."""
    links = []
    for element in missing:
        if element.place == "draft":
            url = f"#id_{element.field}"
        elif element.place == "request":
            url = reverse("web:request_edit", args=[found.pk]) + f"#id_{element.field}"
        else:
            url = reverse("web:request_detail", args=[found.pk]) + "#persons"
        links.append({"label": element.label, "url": url})
    return links


def _page(
    request: HttpRequest,
    found: Request,
    *,
    form: DraftForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    draft = draft_of(request=found)
    missing = draft_check(request=found, draft=draft)
    persons = request_persons(request=found) if found.kind == Kind.EXTRADITION else []
    if persons:
        audit_view(
            actor=request.user,
            object_type="request_persons",
            object_id=found.pk,
            what={"request": found.pk, "persons": [person.pk for person in persons]},
        )
    context: dict[str, Any] = {
        "req": found,
        "active": "requests",
        "draft": draft,
        "form": form or DraftForm(request=found, draft=draft),
        "missing": missing_links(found, missing),
        "requirements": country_requirements(request=found),
        "persons": persons,
        "can_change": user_can(request.user, Action.RECORD_EVENT),
        "letters": [
            {"format": fmt, "language": lang, "label": f"{fmt.upper()} · {lang.upper()}"}
            for fmt in ("docx", "pdf")
            for lang in ("en", "ru")
        ],
        "error": error,
    }
    return render(request, "web/drafting/draft.html", context, status=status)


@action_required(Action.READ)
@require_http_methods(["GET", "POST"])
@service_errors_as_http
def draft_page(request: HttpRequest, request_id: int) -> HttpResponse:
    """Show the letter of an outgoing request, and save it."""
    if request.method == "POST" and not user_can(request.user, Action.RECORD_EVENT):
        raise PermissionDenied
    found = _outgoing(request, request_id)
    if request.method == "GET":
        return _page(request, found)
    form = DraftForm(request.POST, request=found, draft=draft_of(request=found))
    if form.is_valid():
        try:
            services.draft_save(
                actor=request.user,
                request=found,
                expected_version=form.cleaned_data["version"],
                **form.changes(),
            )
        except ConflictError as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            service_error(form, error)
        else:
            messages.success(request, _("The letter was saved."))
            return redirect("web:draft", request_id=found.pk)
    return _page(request, found, form=form, status=400)


@action_required(Action.READ)
@require_GET
@service_errors_as_http
def draft_download(
    request: HttpRequest, request_id: int, format: str, language: str
) -> HttpResponse:
    """Send the letter as DOCX or PDF in English or Russian, if it is complete."""
    found = _outgoing(request, request_id)
    choice = LetterChoiceForm({"format": format, "language": language})
    if not choice.is_valid():
        raise Http404(_("There is no such file of the letter."))
    try:
        letter = services.draft_render(
            actor=request.user, request=found, format=format, language=language
        )
    except ValidationError as error:
        return _page(request, found, error=error.message, status=400)
    response = HttpResponse(letter.content, content_type=letter.content_type)
    response["Content-Disposition"] = content_disposition_header(True, letter.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@action_required(Action.RECORD_EVENT)
@require_POST
@service_errors_as_http
def draft_attach(request: HttpRequest, request_id: int) -> HttpResponse:
    """Generate the letter and keep it among the request's documents."""
    found = _outgoing(request, request_id)
    choice = LetterChoiceForm(request.POST)
    if not choice.is_valid():
        return _page(request, found, error=_("Choose the format and language of the letter."))
    try:
        document = services.draft_attach(
            actor=request.user,
            request=found,
            format=choice.cleaned_data["format"],
            language=choice.cleaned_data["language"],
        )
    except (ValidationError, StorageError) as error:
        return _page(request, found, error=error.message, status=400)
    messages.success(request, _("%(title)s attached to the request.") % {"title": document.title})
    return redirect(reverse("web:request_detail", args=[found.pk]) + "#documents")


urlpatterns = [
    path("requests/<int:request_id>/draft/", draft_page, name="draft"),
    path("requests/<int:request_id>/draft/attach/", draft_attach, name="draft_attach"),
    path(
        "requests/<int:request_id>/draft/<slug:format>/<slug:language>/",
        draft_download,
        name="draft_download",
    ),
]
