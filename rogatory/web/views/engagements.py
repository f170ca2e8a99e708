"""The engagement pages: the list, a new engagement, one engagement with its requests and documents.

Every signed-in reader may read every engagement (see `rogatory.engagements.selectors`); the
views find it through `engagement_get`, and the services check who may change what.
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rogatory.accounts.permissions import Action, user_can
from rogatory.audit.selectors import audit_records
from rogatory.core.exceptions import ConflictError, StorageError, ValidationError
from rogatory.engagements import services
from rogatory.engagements.models import Engagement
from rogatory.engagements.selectors import (
    engagement_documents,
    engagement_get,
    engagement_list,
    engagement_requests,
    engagement_years,
)
from rogatory.register.models import Request
from rogatory.register.selectors import request_get, requests_visible_to
from rogatory.web.access import action_required, service_errors_as_http
from rogatory.web.forms.engagements import (
    EngagementDocumentForm,
    EngagementFilterForm,
    EngagementForm,
    LinkRequestForm,
    WithdrawForm,
)
from rogatory.web.forms.requests import service_error

PAGE_SIZE = 50


@action_required(Action.READ)
@require_GET
@service_errors_as_http
def engagement_list_view(request: HttpRequest) -> HttpResponse:
    """List engagements, newest first, narrowed by the filters in the query string."""
    form = EngagementFilterForm(request.GET, years=engagement_years(user=request.user))
    page = None
    if form.is_valid():
        found = engagement_list(user=request.user, filters=form.filters())
        page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "active": "engagements",
    }
    return render(request, "web/engagements/list.html", context)


@action_required(Action.REGISTER)
@require_http_methods(["GET", "POST"])
@service_errors_as_http
def engagement_new(request: HttpRequest) -> HttpResponse:
    """Record a new engagement and go to its page."""
    data = request.POST if request.method == "POST" else None
    initial = {}
    if country := request.GET.get("country", "").upper():
        initial["countries"] = [country]
    form = EngagementForm(data, user=request.user, initial=initial)
    if form.is_valid():
        try:
            engagement = services.engagement_create(actor=request.user, **form.values())
        except ValidationError as error:
            service_error(form, error)
        else:
            messages.success(
                request, _("Engagement “%(title)s” recorded.") % {"title": engagement.title}
            )
            return redirect("web:engagement_detail", engagement_id=engagement.pk)
    return render(
        request,
        "web/engagements/form.html",
        {"form": form, "engagement": None, "active": "engagements"},
    )


@action_required(Action.READ)
@require_GET
@service_errors_as_http
def engagement_detail(request: HttpRequest, engagement_id: int) -> HttpResponse:
    """Show an engagement with the requests it concerns and its documents."""
    engagement = engagement_get(user=request.user, engagement_id=engagement_id)
    return render(request, "web/engagements/detail.html", _detail_context(request, engagement))


@action_required(Action.RECORD_EVENT)
@require_http_methods(["GET", "POST"])
@service_errors_as_http
def engagement_edit(request: HttpRequest, engagement_id: int) -> HttpResponse:
    """Change the fields of an engagement."""
    engagement = _changeable(request, engagement_id)
    data = request.POST if request.method == "POST" else None
    form = EngagementForm(data, user=request.user, engagement=engagement)
    if form.is_valid():
        try:
            services.engagement_update(
                actor=request.user,
                engagement=engagement,
                expected_version=form.cleaned_data["version"],
                **form.values(),
            )
        except ConflictError as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            service_error(form, error)
        else:
            messages.success(request, _("The engagement was saved."))
            return redirect("web:engagement_detail", engagement_id=engagement.pk)
    return render(
        request,
        "web/engagements/form.html",
        {"form": form, "engagement": engagement, "active": "engagements"},
    )


@action_required(Action.RECORD_EVENT)
@require_POST
@service_errors_as_http
def engagement_withdraw(request: HttpRequest, engagement_id: int) -> HttpResponse:
    """Withdraw an engagement entered by mistake."""
    engagement = _changeable(request, engagement_id)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.engagement_withdraw(
                actor=request.user,
                engagement=engagement,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except (ValidationError, ConflictError) as error:
            service_error(form, error)
        else:
            messages.success(request, _("The engagement was withdrawn."))
            return redirect("web:engagement_detail", engagement_id=engagement.pk)
    context = _detail_context(request, engagement, withdraw_form=form)
    return render(request, "web/engagements/detail.html", context)


@action_required(Action.RECORD_EVENT)
@require_POST
@service_errors_as_http
def engagement_link(request: HttpRequest, engagement_id: int) -> HttpResponse:
    """Link a request the user may work on to an engagement, found by our reference."""
    engagement = engagement_get(user=request.user, engagement_id=engagement_id)
    form = LinkRequestForm(request.POST)
    if form.is_valid():
        found = _request_by_reference(request, form)
        if found is not None:
            try:
                services.engagement_link_request(
                    actor=request.user,
                    engagement=engagement,
                    request=found,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                service_error(form, error)
            else:
                messages.success(
                    request,
                    _("Request %(reference)s linked to the engagement.")
                    % {"reference": found.reference},
                )
                return redirect(
                    reverse("web:engagement_detail", args=[engagement.pk]) + "#requests"
                )
    context = _detail_context(request, engagement, link_form=form)
    return render(request, "web/engagements/detail.html", context)


@action_required(Action.RECORD_EVENT)
@require_POST
@service_errors_as_http
def engagement_unlink(request: HttpRequest, engagement_id: int, request_id: int) -> HttpResponse:
    """Remove the link between an engagement and a request the user may work on."""
    engagement = engagement_get(user=request.user, engagement_id=engagement_id)
    found = request_get(user=request.user, request_id=request_id)
    services.engagement_unlink_request(actor=request.user, engagement=engagement, request=found)
    messages.success(
        request,
        _("Request %(reference)s is no longer linked to the engagement.")
        % {"reference": found.reference},
    )
    return redirect(reverse("web:engagement_detail", args=[engagement.pk]) + "#requests")


@action_required(Action.RECORD_EVENT)
@require_POST
@service_errors_as_http
def engagement_document_upload(request: HttpRequest, engagement_id: int) -> HttpResponse:
    """Keep a file with an engagement."""
    engagement = _changeable(request, engagement_id)
    form = EngagementDocumentForm(
        request.POST, request.FILES, max_bytes=settings.ROGATORY_MAX_UPLOAD_BYTES
    )
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            document = services.engagement_document_attach(
                actor=request.user,
                engagement=engagement,
                title=form.cleaned_data["title"],
                original_name=upload.name,
                content=upload,
            )
        except (ValidationError, StorageError) as error:
            service_error(form, error)
        else:
            messages.success(request, _("%(title)s attached.") % {"title": document.title})
            return redirect(reverse("web:engagement_detail", args=[engagement.pk]) + "#documents")
    context = _detail_context(request, engagement, document_form=form)
    return render(request, "web/engagements/detail.html", context)


@action_required(Action.READ)
@require_GET
@service_errors_as_http
def engagement_document_download(
    request: HttpRequest, engagement_id: int, document_id: int
) -> FileResponse:
    """Send a document of an engagement as a download, and record who fetched it."""
    engagement = engagement_get(user=request.user, engagement_id=engagement_id)
    fetched = services.engagement_document_fetch(
        actor=request.user, engagement=engagement, document_id=document_id
    )
    response = FileResponse(
        fetched.file,
        as_attachment=True,
        filename=fetched.filename,
        content_type=fetched.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Helpers -----------------------------------------------------------------------------------


def _changeable(request: HttpRequest, engagement_id: int) -> Engagement:
    """Return the engagement if the user may change it; 403 if they may only read it."""
    engagement = engagement_get(user=request.user, engagement_id=engagement_id)
    if not services.engagement_may_change(request.user, engagement):
        raise PermissionDenied(
            _(
                "This engagement was recorded by a unit you do not work in; only that unit or "
                "a supervisor may change it."
            )
        )
    return engagement


def _request_by_reference(request: HttpRequest, form: LinkRequestForm) -> Request | None:
    """Return the request the link form names among those the user sees, or name the problem."""
    reference = form.cleaned_data["reference"]
    direction = form.cleaned_data["direction"]
    candidates = requests_visible_to(request.user).filter(reference=reference)
    if direction:
        candidates = candidates.filter(direction=direction)
    found = list(candidates[:2])
    if not found:
        # Said the same way whether the request does not exist or belongs to another unit, so
        # that the form cannot be used to learn which references exist.
        form.add_error(
            "reference",
            _("You have no request with reference “%(reference)s” to link.")
            % {"reference": reference},
        )
        return None
    if len(found) > 1:
        form.add_error(
            "direction",
            _(
                "Both an outgoing and an incoming request have reference “%(reference)s”: "
                "choose the direction."
            )
            % {"reference": reference},
        )
        return None
    return found[0]


def _detail_context(
    request: HttpRequest,
    engagement: Engagement,
    *,
    link_form: LinkRequestForm | None = None,
    document_form: EngagementDocumentForm | None = None,
    withdraw_form: WithdrawForm | None = None,
) -> dict[str, Any]:
    """Gather what the engagement page shows, with any form that failed in place of a blank one."""
    linked = engagement_requests(user=request.user, engagement=engagement)
    return {
        "engagement": engagement,
        "active": "engagements",
        "linked": [item for item in linked if item.visible],
        "hidden_count": sum(1 for item in linked if not item.visible),
        "may_change": services.engagement_may_change(request.user, engagement),
        "may_link": user_can(request.user, Action.RECORD_EVENT) and not engagement.withdrawn,
        "documents": engagement_documents(engagement=engagement),
        "link_form": link_form or LinkRequestForm(),
        "document_form": document_form
        or EngagementDocumentForm(max_bytes=settings.ROGATORY_MAX_UPLOAD_BYTES),
        "withdraw_form": withdraw_form or WithdrawForm(initial={"version": engagement.version}),
        "max_upload_bytes": settings.ROGATORY_MAX_UPLOAD_BYTES,
        # Supervisors see who changed the engagement; the whole trail is on the audit pages.
        "history": (
            audit_records(object_type="engagement", object_id=engagement.pk, limit=20).records
            if user_can(request.user, Action.VIEW_AUDIT)
            else None
        ),
    }


urlpatterns = [
    path("engagements/", engagement_list_view, name="engagement_list"),
    path("engagements/new/", engagement_new, name="engagement_new"),
    path("engagements/<int:engagement_id>/", engagement_detail, name="engagement_detail"),
    path("engagements/<int:engagement_id>/edit/", engagement_edit, name="engagement_edit"),
    path(
        "engagements/<int:engagement_id>/withdraw/",
        engagement_withdraw,
        name="engagement_withdraw",
    ),
    path("engagements/<int:engagement_id>/requests/", engagement_link, name="engagement_link"),
    path(
        "engagements/<int:engagement_id>/requests/<int:request_id>/unlink/",
        engagement_unlink,
        name="engagement_unlink",
    ),
    path(
        "engagements/<int:engagement_id>/documents/",
        engagement_document_upload,
        name="engagement_document_upload",
    ),
    path(
        "engagements/<int:engagement_id>/documents/<int:document_id>/",
        engagement_document_download,
        name="engagement_document_download",
    ),
]
