"""Analytics and intake pages: register import, period report, country profiles, audit trail.

The import runs in two steps. The first stores the upload in a private directory (see
`rogatory.intake.uploads`) and checks it with a dry run; the session remembers its token and
digest, never a path. The second imports the same bytes for real, or shows what went wrong.
"""

import json
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.http import urlencode
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rogatory.accounts.models import Unit
from rogatory.accounts.permissions import Action
from rogatory.accounts.services import unit_by_code
from rogatory.audit.selectors import AuditPage, audit_records, audit_records_for_request
from rogatory.core.exceptions import ApplicationError, NotFoundError
from rogatory.intake.services import ImportRejected, ImportResult, register_import
from rogatory.intake.uploads import StoredUpload, upload_delete, upload_get, upload_store
from rogatory.publication.documents import ReportDocument, fatf_document, report_document
from rogatory.register.selectors import request_get
from rogatory.statistics.fatf import fatf_tables
from rogatory.statistics.pdf import report_context
from rogatory.statistics.profiles import (
    country_profile,
    country_summaries,
    report_default_year,
    report_years,
)
from rogatory.statistics.publication import Publication, publication_build

from ..access import action_required
from ..forms.analytics import (
    AuditFilterForm,
    CountrySearchForm,
    ImportConfirmForm,
    RegisterUploadForm,
    ReportForm,
)

_PENDING_IMPORT = "rogatory_pending_import"
AUDIT_PAGE_SIZE = 50
# Actions and object types the audit filters suggest; any other text is accepted too.
AUDIT_ACTIONS = (
    "register_import",
    "request_import",
    "request_register",
    "request_update",
    "request_record_sent",
    "request_record_received",
    "request_record_acknowledged",
    "request_record_supplementary_requested",
    "request_record_supplementary_provided",
    "request_record_provisional_arrest",
    "request_record_hearing",
    "request_record_decision",
    "request_record_surrender",
    "request_reopen",
    "request_correct_opening",
    "person_add",
    "request_persons_view",
    "document_attach",
    "document_view",
    "user_create",
    "user_update",
    "user_set_password",
    "user_two_factor_enable",
    "user_two_factor_disable",
    "unit_create",
    "token_create",
    "token_revoke",
    "refusal_ground_update",
    "treaty_create",
    "treaty_update",
    "reference_load",
)
AUDIT_OBJECT_TYPES = (
    "request",
    "request_persons",
    "person",
    "document",
    "register",
    "user",
    "unit",
    "api_token",
    "refusal_ground",
    "treaty",
    "reference",
)


# --- Import ---------------------------------------------------------------------------------


@action_required(Action.IMPORT)
def register_import_page(request: HttpRequest) -> HttpResponse:
    """Show the upload form; on upload, check the file and show what importing it would do."""
    form = RegisterUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        _pending_discard(request)
        unit = form.cleaned_data["unit"]
        try:
            stored = upload_store(
                chunks=form.cleaned_data["file"].chunks(),
                original_name=form.original_name,
                max_bytes=settings.ROGATORY_MAX_UPLOAD_BYTES,
            )
            result = _checked(request, stored, unit)
        except ImportRejected as rejected:
            return _import_rejected(request, rejected, name=form.original_name)
        except ApplicationError as error:
            form.add_error("file", error.message)
        else:
            request.session[_PENDING_IMPORT] = _pending(stored, form.original_name, unit, result)
            return redirect("web:import")
    pending = request.session.get(_PENDING_IMPORT)
    return render(
        request,
        "web/imports/import.html",
        {
            "active": "imports",
            "form": form,
            "pending": pending,
            "max_megabytes": settings.ROGATORY_MAX_UPLOAD_BYTES // (1024 * 1024),
        },
    )


def _checked(request: HttpRequest, stored: StoredUpload, unit: Unit) -> ImportResult:
    """Dry-run the stored upload; delete it again unless it is fit to confirm."""
    try:
        return register_import(actor=request.user, path=stored.path, dry_run=True, unit=unit)
    except ApplicationError:
        upload_delete(token=stored.token)
        raise


def _pending(stored: StoredUpload, name: str, unit: Unit, result: ImportResult) -> dict[str, Any]:
    return {
        "token": stored.token,
        "sha256": stored.sha256,
        "name": name,
        "size": stored.size,
        "unit": unit.code,
        "unit_name": unit.name,
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }


def _pending_discard(request: HttpRequest) -> None:
    pending = request.session.pop(_PENDING_IMPORT, None)
    if pending:
        upload_delete(token=pending.get("token", ""))


def _import_rejected(
    request: HttpRequest, rejected: ImportRejected, *, name: str, confirming: bool = False
) -> HttpResponse:
    return render(
        request,
        "web/imports/rejected.html",
        {
            "active": "imports",
            "name": name,
            "summary": rejected.message,
            "errors": rejected.errors,
            "confirming": confirming,
        },
    )


@require_POST
@action_required(Action.IMPORT)
def register_import_confirm(request: HttpRequest) -> HttpResponse:
    """Import the checked file for real, all rows or none."""
    form = ImportConfirmForm(request.POST)
    pending = request.session.get(_PENDING_IMPORT)
    if not (
        form.is_valid()
        and pending
        and constant_time_compare(form.cleaned_data["token"], pending["token"])
    ):
        messages.error(request, _("There is no checked file to import; upload it again."))
        return redirect("web:import")
    # Whatever happens next, this upload has had its one confirmation.
    del request.session[_PENDING_IMPORT]
    try:
        stored = upload_get(token=pending["token"], sha256=pending["sha256"])
        unit = unit_by_code(pending["unit"])
        result = register_import(actor=request.user, path=stored.path, unit=unit)
    except ImportRejected as rejected:
        return _import_rejected(request, rejected, name=pending["name"], confirming=True)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("web:import")
    finally:
        upload_delete(token=pending["token"])
    messages.success(request, _import_summary(pending["name"], result))
    return redirect("web:import")


@require_POST
@action_required(Action.IMPORT)
def register_import_cancel(request: HttpRequest) -> HttpResponse:
    """Forget the checked file without importing it."""
    _pending_discard(request)
    messages.info(request, _("The import was cancelled; nothing was written."))
    return redirect("web:import")


def _import_summary(name: str, result: ImportResult) -> str:
    rows = ngettext("%(count)d row", "%(count)d rows", result.rows) % {"count": result.rows}
    return _(
        "Imported %(file)s: %(rows)s, %(created)d created, %(updated)d updated, "
        "%(unchanged)d unchanged."
    ) % {
        "file": name,
        "rows": rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }


# --- Report ---------------------------------------------------------------------------------


def _report_form(request: HttpRequest) -> ReportForm:
    default_year = report_default_year(today=timezone.localdate())
    data = request.GET if request.GET else {"year": default_year}
    return ReportForm(data, years=report_years(), default_year=default_year)


def _report_period(form: ReportForm) -> dict[str, Any]:
    cleaned = form.cleaned_data
    return {
        "period_from": cleaned["period_from"],
        "period_to": cleaned["period_to"],
        "direction": cleaned["direction"],
        "as_of": cleaned["as_of"],
    }


def _report(form: ReportForm) -> Publication | None:
    """Return the form's publication, or None with the reason added to the form's errors."""
    try:
        return publication_build(language=get_language(), **_report_period(form))
    except ApplicationError as error:
        form.add_error(None, error.message)
        return None


@action_required(Action.READ)
def report_page(request: HttpRequest) -> HttpResponse:
    """Show the report of a period and direction: figures, tables, charts and the narrative."""
    form = _report_form(request)
    context: dict[str, Any] = {"active": "reports", "form": form}
    publication = _report(form) if form.is_valid() else None
    if publication is not None:
        context.update(
            report_context(publication),
            query=urlencode(form.query()),
            figures=publication.figures,
            countries=publication.countries,
            grounds=publication.grounds,
            narrative=publication.narrative,
        )
        if form.cleaned_data["year"]:
            context.update(_fatf_context(form.cleaned_data["year"], form.cleaned_data["as_of"]))
    return render(request, "web/reports/report.html", context)


def _fatf_context(year: int, as_of: datetime | None) -> dict[str, Any]:
    # The FATF tables of our requests and those we received, for the report's year; the page
    # shows the offence lines that have requests, the workbook every line.
    tables = fatf_tables(year=year, as_of=as_of, language=get_language())
    offences = [
        row
        for row in tables.offences
        if row.opened or row.granted or row.refused or row.pending_at_end
    ]
    return {"fatf": tables, "fatf_offences": offences}


_DOWNLOADS = ("pdf", "xlsx", "csv", "json", "statement")


@action_required(Action.READ)
def report_download(request: HttpRequest, format: str) -> HttpResponse:
    """Send the report as a file: the same bytes as `rogatory report --format FORMAT`."""
    if format not in _DOWNLOADS:
        raise Http404
    form = _report_form(request)
    if not form.is_valid():
        return redirect(f"{reverse('web:report')}?{request.GET.urlencode()}")
    try:
        document = report_document(
            format=format, language=get_language(), user=request.user, **_report_period(form)
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(f"{reverse('web:report')}?{request.GET.urlencode()}")
    return _attachment(document, _report_filename(form, document.extension))


@action_required(Action.READ)
def report_fatf_download(request: HttpRequest) -> HttpResponse:
    """Send the FATF tables of the report's year as a workbook."""
    form = _report_form(request)
    if not form.is_valid() or not form.cleaned_data["year"]:
        messages.error(request, _("The FATF tables cover a calendar year: choose a year."))
        return redirect(f"{reverse('web:report')}?{request.GET.urlencode()}")
    year = form.cleaned_data["year"]
    document = fatf_document(
        format="xlsx", year=year, language=get_language(), as_of=form.cleaned_data["as_of"]
    )
    return _attachment(document, f"rogatory-fatf-{year}.xlsx")


def _attachment(document: ReportDocument, filename: str) -> HttpResponse:
    response = HttpResponse(document.content, content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _report_filename(form: ReportForm, format: str) -> str:
    cleaned = form.cleaned_data
    if cleaned["year"]:
        period = str(cleaned["year"])
    else:
        period = f"{cleaned['period_from'].isoformat()}-{cleaned['period_to'].isoformat()}"
    as_of = ""
    if cleaned.get("as_of"):
        as_of = "-as-of-" + timezone.localtime(cleaned["as_of"]).strftime("%Y%m%dT%H%M")
    return f"rogatory-report-{period}-{cleaned['direction']}{as_of}.{format}"


# --- Countries ------------------------------------------------------------------------------


@action_required(Action.READ)
def country_list(request: HttpRequest) -> HttpResponse:
    """List countries with their request counts, narrowed by a search."""
    form = CountrySearchForm(request.GET)
    form.is_valid()
    search = form.cleaned_data.get("q", "")
    countries = country_summaries(
        language=get_language(),
        search=search,
        with_requests_only=not form.cleaned_data.get("all"),
    )
    return render(
        request,
        "web/countries/list.html",
        {"active": "countries", "form": form, "countries": countries, "search": search},
    )


@action_required(Action.READ)
def country_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Show a country's treaties with us, requests by year, refusal rates and grounds."""
    try:
        profile = country_profile(code=code, language=get_language())
    except NotFoundError as error:
        raise Http404(error.message) from None
    if profile.country.code != code:
        return redirect("web:country_detail", code=profile.country.code)
    return render(request, "web/countries/detail.html", {"active": "countries", "profile": profile})


# --- Audit trail ----------------------------------------------------------------------------


@action_required(Action.VIEW_AUDIT)
def audit_trail(request: HttpRequest) -> HttpResponse:
    """Show the audit trail, newest first, narrowed by action, user, object type and day."""
    form = AuditFilterForm(request.GET)
    page = AuditPage(records=[], next_before_sequence=None)
    if form.is_valid():
        cleaned = form.cleaned_data
        page = audit_records(
            action=cleaned["action"] or None,
            actor_id=cleaned["user"].pk if cleaned["user"] else None,
            object_type=cleaned["object_type"] or None,
            day=cleaned["day"],
            before_sequence=cleaned["before"],
            limit=AUDIT_PAGE_SIZE,
        )
    return _audit_render(request, form=form, page=page, subject=None)


@action_required(Action.VIEW_AUDIT)
def request_audit(request: HttpRequest, request_id: int) -> HttpResponse:
    """Show the audit records about one request and its persons and documents."""
    try:
        subject = request_get(user=request.user, request_id=request_id)
    except NotFoundError as error:
        raise Http404(error.message) from None
    form = AuditFilterForm(request.GET)
    before = form.cleaned_data["before"] if form.is_valid() else None
    page = audit_records_for_request(request_id, AUDIT_PAGE_SIZE, before_sequence=before)
    return _audit_render(request, form=form, page=page, subject=subject)


def _audit_render(
    request: HttpRequest, *, form: AuditFilterForm, page: AuditPage, subject: Any
) -> HttpResponse:
    older = None
    if page.next_before_sequence is not None and form.is_valid():
        older = urlencode(form.query(before=page.next_before_sequence))
    return render(
        request,
        "web/audit/trail.html",
        {
            "active": "audit",
            "form": form,
            "subject": subject,
            "records": [(record, audit_changes(record)) for record in page.records],
            "older": older,
            "paged": bool(form.is_valid() and form.cleaned_data["before"]),
            "newest": urlencode({**form.query(before=None)}) if form.is_valid() else "",
            "actions": AUDIT_ACTIONS,
            "object_types": AUDIT_OBJECT_TYPES,
        },
    )


def audit_changes(record: Any) -> list[dict[str, Any]]:
    """Return the fields an audit record changed, each with its value before and after."""
    before = record.before if isinstance(record.before, dict) else {}
    after = record.after if isinstance(record.after, dict) else {}
    changes = []
    for key in [*after, *(key for key in before if key not in after)]:
        was, now = before.get(key), after.get(key)
        # A field that appears or disappears empty changed nothing a reader cares about.
        if was == now or (_is_empty(was) and _is_empty(now)):
            continue
        changes.append(
            {
                "field": key,
                "before": None if key not in before else _shown(was),
                "after": None if key not in after else _shown(now),
            }
        )
    return changes


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(_shown(item) for item in value) or "—"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


urlpatterns = [
    path("import/", register_import_page, name="import"),
    path("import/confirm/", register_import_confirm, name="import_confirm"),
    path("import/cancel/", register_import_cancel, name="import_cancel"),
    path("reports/", report_page, name="report"),
    path("reports/fatf/", report_fatf_download, name="report_fatf"),
    path("reports/download/<str:format>/", report_download, name="report_download"),
    path("countries/", country_list, name="country_list"),
    path("countries/<str:code>/", country_detail, name="country_detail"),
    path("audit/", audit_trail, name="audit"),
    path("requests/<int:request_id>/audit/", request_audit, name="request_audit"),
]
