"""The register export: a form, a job of the background worker, then a link to the file.

The file holds the requests its reader may see, in register format v1, and only the user who
asked for it may download it; it is deleted a day later (see `rogatory.intake.jobs`).
"""

from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import get_language

from rogatory.accounts.permissions import Action
from rogatory.core.exceptions import ApplicationError, NotFoundError
from rogatory.intake.jobs import register_job_export, register_job_export_open
from rogatory.intake.models import RegisterJob
from rogatory.intake.selectors import register_job_get, register_jobs_recent

from ..access import action_required, service_errors_as_http
from ..forms.exports import RegisterExportForm

_EXPORT_KINDS = (RegisterJob.Kind.EXPORT,)


@action_required(Action.READ)
def register_export_page(request: HttpRequest) -> HttpResponse:
    """Show the export form and the user's recent exports; on submit, queue the export."""
    form = RegisterExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = register_job_export(
                actor=request.user,
                format=form.cleaned_data["format"],
                direction=form.cleaned_data["direction"],
                language=get_language(),
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return redirect("web:export_job", job_id=job.pk)
    context: dict[str, Any] = {
        "active": "requests",
        "form": form,
        "jobs": register_jobs_recent(user=request.user, kinds=_EXPORT_KINDS),
    }
    return render(request, "web/exports/export.html", context)


@action_required(Action.READ)
@service_errors_as_http
def register_export_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """Show an export: "exporting…" while it waits or runs (htmx asks again), then its file."""
    job = register_job_get(user=request.user, job_id=job_id, kinds=_EXPORT_KINDS)
    template = "web/exports/_job.html" if request.htmx else "web/exports/job.html"
    return render(request, template, {"active": "requests", "job": job})


@action_required(Action.READ)
@service_errors_as_http
def register_export_download(request: HttpRequest, job_id: int) -> HttpResponse:
    """Send the file an export wrote, to the user who asked for it."""
    job = register_job_get(user=request.user, job_id=job_id, kinds=_EXPORT_KINDS)
    try:
        stream, name = register_job_export_open(actor=request.user, job_id=job.pk)
    except NotFoundError as error:
        messages.error(request, error.message)
        return redirect("web:export_job", job_id=job.pk)
    return FileResponse(stream, as_attachment=True, filename=name)


urlpatterns = [
    path("exports/", register_export_page, name="export"),
    path("exports/<int:job_id>/", register_export_job, name="export_job"),
    path("exports/<int:job_id>/download/", register_export_download, name="export_download"),
]
