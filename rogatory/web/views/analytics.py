"""Analytics and intake pages: register import, period report, country profiles, audit trail.

The import runs in two steps, each a job of the background worker (see `rogatory.intake.jobs`).
The first stores the upload in a private directory (see `rogatory.intake.uploads`) and checks
it with a dry run; the second, once the user confirms, imports the same bytes for real. The
job's page shows each step's progress, then its counts or every wrong row.
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
from django.utils.http import urlencode
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rogatory.accounts.permissions import Action
from rogatory.audit.selectors import AuditPage, audit_records, audit_records_for_request
from rogatory.core.exceptions import ApplicationError, NotFoundError
from rogatory.core.replica import reads_from_replica
from rogatory.intake.jobs import (
    register_job_cancel,
    register_job_check,
    register_job_import,
    register_job_row_errors,
)
from rogatory.intake.models import RegisterJob
from rogatory.intake.selectors import register_job_get, register_jobs_recent
from rogatory.intake.services import ImportResult
from rogatory.intake.uploads import upload_delete, upload_store
from rogatory.publication.documents import ReportDocument, fatf_document, report_document
from rogatory.register.selectors import request_get
from rogatory.statistics.cache import figures_cached
from rogatory.statistics.fatf import fatf_tables
from rogatory.statistics.pdf import report_context
from rogatory.statistics.profiles import (
    country_profile,
    country_summaries,
    report_default_year,
    report_years,
)
from rogatory.statistics.publication import Publication, publication_build

from ..access import action_required, service_errors_as_http
from ..forms.analytics import (
    AuditFilterForm,
    CountrySearchForm,
    RegisterUploadForm,
    ReportForm,
)

AUDIT_PAGE_SIZE = 50
# Actions and object types the audit filters suggest; any other text is accepted too.
AUDIT_ACTIONS = (
    "register_import",
    "register_job_request",
    "register_export_download",
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
    "person_update",
    "link_add",
    "link_remove",
    "assurance_request",
    "assurance_record_given",
    "assurance_follow_up_add",
    "assurance_monitoring_close",
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
    "engagement_create",
    "engagement_update",
    "engagement_withdraw",
    "engagement_link_request",
    "engagement_unlink_request",
    "engagement_document_attach",
    "engagement_view",
)
AUDIT_OBJECT_TYPES = (
    "request",
    "request_persons",
    "person",
    "request_link",
    "assurance",
    "assurance_follow_up",
    "document",
    "register",
    "register_job",
    "user",
    "unit",
    "api_token",
    "refusal_ground",
    "treaty",
    "reference",
    "engagement",
)


# --- Import ---------------------------------------------------------------------------------

_IMPORT_KINDS = (RegisterJob.Kind.IMPORT_CHECK, RegisterJob.Kind.IMPORT)


@action_required(Action.IMPORT)
def register_import_page(request: HttpRequest) -> HttpResponse:
    """Show the upload form and the user's recent imports; on upload, queue the file's check."""
    form = RegisterUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            job = _check_queue(request, form)
        except ApplicationError as error:
            form.add_error("file", error.message)
        else:
            return redirect("web:import_job", job_id=job.pk)
    return render(
        request,
        "web/imports/import.html",
        {
            "active": "imports",
            "form": form,
            "jobs": register_jobs_recent(user=request.user, kinds=_IMPORT_KINDS),
            "max_megabytes": settings.ROGATORY_MAX_UPLOAD_BYTES // (1024 * 1024),
        },
    )


def _check_queue(request: HttpRequest, form: RegisterUploadForm) -> RegisterJob:
    """Keep the upload for its check and the import after it, and queue the check."""
    stored = upload_store(
        chunks=form.cleaned_data["file"].chunks(),
        original_name=form.original_name,
        max_bytes=settings.ROGATORY_MAX_UPLOAD_BYTES,
    )
    try:
        return register_job_check(
            actor=request.user,
            upload=stored,
            name=form.original_name,
            unit=form.cleaned_data["unit"],
            language=get_language(),
        )
    except ApplicationError:
        upload_delete(token=stored.token)
        raise


@action_required(Action.IMPORT)
@service_errors_as_http
def register_import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """Show a check or an import: "checking…" while it waits or runs, then what came of it.

    While the job is unfinished the page asks again every two seconds (htmx) for its part.
    """
    job = register_job_get(user=request.user, job_id=job_id, kinds=_IMPORT_KINDS)
    context: dict[str, Any] = {"active": "imports", "job": job, "name": job.parameters["name"]}
    if job.status == RegisterJob.Status.FAILED and job.result:
        context["errors"] = register_job_row_errors(job)
        context["error_count"] = job.result["error_count"]
    elif job.status == RegisterJob.Status.DONE and job.kind == RegisterJob.Kind.IMPORT:
        context["summary"] = _import_summary(job.parameters["name"], ImportResult(**job.result))
    template = "web/imports/_job.html" if request.htmx else "web/imports/job.html"
    return render(request, template, context)


@require_POST
@action_required(Action.IMPORT)
def register_import_confirm(request: HttpRequest, job_id: int) -> HttpResponse:
    """Queue the import of a checked file, all rows or none."""
    try:
        job = register_job_import(actor=request.user, check_id=job_id, language=get_language())
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("web:import")
    return redirect("web:import_job", job_id=job.pk)


@require_POST
@action_required(Action.IMPORT)
def register_import_cancel(request: HttpRequest, job_id: int) -> HttpResponse:
    """Forget a checked file without importing it."""
    try:
        register_job_cancel(actor=request.user, check_id=job_id)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
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


def _report(form: ReportForm) -> dict[str, Any] | None:
    """Return what the report page shows of the form's period, or None with the form's error.

    A million requests take seconds to count and chart; the result is kept until the register
    changes (`figures_cached`), for everyone who asks for the same period in the same language.
    """
    period = _report_period(form)
    language = get_language()
    try:
        return figures_cached(
            "report_page",
            key=(language, *period.items()),
            compute=lambda: _report_shown(publication_build(language=language, **period)),
        )
    except ApplicationError as error:
        form.add_error(None, error.message)
        return None


def _report_shown(publication: Publication) -> dict[str, Any]:
    return {
        **report_context(publication),
        "figures": publication.figures,
        "countries": publication.countries,
        "grounds": publication.grounds,
        "narrative": publication.narrative,
    }


@action_required(Action.READ)
@reads_from_replica
def report_page(request: HttpRequest) -> HttpResponse:
    """Show the report of a period and direction: figures, tables, charts and the narrative."""
    form = _report_form(request)
    context: dict[str, Any] = {"active": "reports", "form": form}
    shown = _report(form) if form.is_valid() else None
    if shown is not None:
        context.update(shown, query=urlencode(form.query()))
        if form.cleaned_data["year"]:
            context.update(_fatf_context(form.cleaned_data["year"], form.cleaned_data["as_of"]))
    return render(request, "web/reports/report.html", context)


def _fatf_context(year: int, as_of: datetime | None) -> dict[str, Any]:
    # The FATF tables of our requests and those we received, for the report's year; the page
    # shows the offence lines that have requests, the workbook every line.
    language = get_language()
    tables = figures_cached(
        "fatf_tables",
        key=(year, as_of, language),
        compute=lambda: fatf_tables(year=year, as_of=as_of, language=language),
    )
    offences = [
        row
        for row in tables.offences
        if row.opened or row.granted or row.refused or row.pending_at_end
    ]
    return {"fatf": tables, "fatf_offences": offences}


_DOWNLOADS = ("pdf", "xlsx", "csv", "json", "statement")


@action_required(Action.READ)
@reads_from_replica
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
@reads_from_replica
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
@reads_from_replica
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
@reads_from_replica
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
    path("import/jobs/<int:job_id>/", register_import_job, name="import_job"),
    path("import/jobs/<int:job_id>/confirm/", register_import_confirm, name="import_confirm"),
    path("import/jobs/<int:job_id>/cancel/", register_import_cancel, name="import_cancel"),
    path("reports/", report_page, name="report"),
    path("reports/fatf/", report_fatf_download, name="report_fatf"),
    path("reports/download/<str:format>/", report_download, name="report_download"),
    path("countries/", country_list, name="country_list"),
    path("countries/<str:code>/", country_detail, name="country_detail"),
    path("audit/", audit_trail, name="audit"),
    path("requests/<int:request_id>/audit/", request_audit, name="request_audit"),
]
