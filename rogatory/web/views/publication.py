"""The public statement page, and the example a request may give it.

The request page includes a placeholder that loads the example's section from here (htmx),
so that the register's views need not know about publication; without JavaScript the
placeholder links to the section's own page.
"""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, get_supported_language_variant
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rogatory.accounts.permissions import Action, user_can
from rogatory.core.exceptions import (
    ConflictError,
    ValidationError,
)
from rogatory.publication import services
from rogatory.publication.models import Example
from rogatory.publication.selectors import example_for_request, example_list
from rogatory.publication.statement import (
    statement_build,
    statement_render_html,
    statement_render_text,
)
from rogatory.register.models import Outcome, Request
from rogatory.register.selectors import request_get
from rogatory.web.access import action_required, service_errors_as_http
from rogatory.web.forms.publication import ExampleApproveForm, ExampleForm, StatementForm
from rogatory.web.forms.requests import service_error

_REFUSED = (ValidationError, ConflictError)


# --- The statement -----------------------------------------------------------------------------


@action_required(Action.READ)
@require_GET
@service_errors_as_http
def statement(request: HttpRequest) -> HttpResponse:
    """Show the statement of a year in the current language, and examples awaiting approval."""
    form = _statement_form(request)
    context: dict[str, Any] = {"form": form, "active": "statement"}
    if form.is_valid():
        built = statement_build(year=form.cleaned_data["year"], as_of=form.cleaned_data["as_of"])
        context["statement_html"] = statement_render_html(built, language=_language())
        context["query"] = urlencode(
            {name: form.data.get(name, "") for name in ("year", "as_of") if form.data.get(name)}
        )
    if user_can(request.user, services.APPROVE_ACTION):
        context["awaiting"] = example_list(user=request.user, approved=False)
    return render(request, "web/publication/statement.html", context)


@action_required(Action.READ)
@require_GET
def statement_text(request: HttpRequest) -> HttpResponse:
    """Send the statement of a year as a plain-text file in the current language."""
    form = _statement_form(request)
    if not form.is_valid():
        errors = " ".join(error for errors in form.errors.values() for error in errors)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    language = _language()
    year = form.cleaned_data["year"]
    built = statement_build(year=year, as_of=form.cleaned_data["as_of"])
    response = HttpResponse(
        statement_render_text(built, language=language), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="statement-{year}-{language}.txt"'
    return response


# --- A request's example -----------------------------------------------------------------------


@action_required(Action.READ)
@require_GET
@service_errors_as_http
def request_example(request: HttpRequest, request_id: int) -> HttpResponse:
    """Show a request's example for the statement, with the forms the user may use."""
    found = request_get(user=request.user, request_id=request_id)
    return _section(request, found)


@action_required(Action.RECORD_EVENT)
@require_POST
@service_errors_as_http
def request_example_save(request: HttpRequest, request_id: int) -> HttpResponse:
    """Propose a request as an example, or change its example (which withdraws any approval)."""
    found = request_get(user=request.user, request_id=request_id)
    form = ExampleForm(request.POST)
    if form.is_valid():
        example = example_for_request(request=found)
        fields = {
            name: form.cleaned_data[name] for name in ("category", "summary_en", "summary_ru")
        }
        try:
            if example is None:
                services.example_propose(actor=request.user, request=found, **fields)
            else:
                services.example_update(
                    actor=request.user,
                    example=example,
                    expected_version=form.cleaned_data["version"],
                    **fields,
                )
        except _REFUSED as error:
            service_error(form, error)
        else:
            return _done(request, found, _("The example was saved; it awaits a supervisor."))
    return _section(request, found, form=form)


@action_required(services.APPROVE_ACTION)
@require_POST
@service_errors_as_http
def request_example_approve(request: HttpRequest, request_id: int) -> HttpResponse:
    """Approve a request's example for the statement."""
    found = request_get(user=request.user, request_id=request_id)
    example = _example_of(found)
    form = ExampleApproveForm(request.POST)
    try:
        if not form.is_valid():
            raise ConflictError(_("Reload the page and approve the example again."))
        services.example_approve(
            actor=request.user, example=example, expected_version=form.cleaned_data["version"]
        )
    except _REFUSED as error:
        return _refused(request, found, error.message)
    return _done(request, found, _("The example is approved for the statement."))


@action_required(Action.RECORD_EVENT)
@require_POST
@service_errors_as_http
def request_example_withdraw(request: HttpRequest, request_id: int) -> HttpResponse:
    """Remove a request's example; an approved one only a supervisor may remove."""
    found = request_get(user=request.user, request_id=request_id)
    try:
        services.example_withdraw(actor=request.user, example=_example_of(found))
    except _REFUSED as error:
        return _refused(request, found, error.message)
    return _done(request, found, _("The example was withdrawn."))


# --- Helpers -----------------------------------------------------------------------------------


def _language() -> str:
    """Return the page's language as one of the statement's languages."""
    return get_supported_language_variant(get_language() or "en")


def _statement_form(request: HttpRequest) -> StatementForm:
    data = request.GET.copy()
    if not data.get("year"):
        data["year"] = str(timezone.localdate().year - 1)
    return StatementForm(data)


def _example_of(found: Request) -> Example:
    example = example_for_request(request=found)
    if example is None:
        raise Http404(_("This request has no example."))
    return example


def _section(
    request: HttpRequest,
    found: Request,
    *,
    form: ExampleForm | None = None,
    done: str = "",
    error: str = "",
) -> HttpResponse:
    """Render the example's section for htmx, or a page with it."""
    example = example_for_request(request=found)
    if form is None and example is not None:
        form = ExampleForm(
            initial={
                "category": example.category,
                "summary_en": example.summary_en,
                "summary_ru": example.summary_ru,
                "version": example.version,
            }
        )
    may_edit = user_can(request.user, Action.RECORD_EVENT)
    may_approve = user_can(request.user, services.APPROVE_ACTION)
    context = {
        "req": found,
        "example": example,
        "form": form or ExampleForm(initial={"category": _suggested_category(found)}),
        "may_edit": may_edit,
        "may_approve": may_approve,
        "may_withdraw": example is not None
        and (may_approve or (may_edit and example.approved_at is None)),
        "done": done,
        "error": error,
        "active": "requests",
    }
    if request.htmx:
        return render(request, "web/publication/_request_example_section.html", context)
    return render(request, "web/publication/request_example.html", context)


def _suggested_category(found: Request) -> str:
    if found.outcome == Outcome.REFUSED:
        return Example.Category.REFUSAL
    return Example.Category.COOPERATION


def _done(request: HttpRequest, found: Request, message: str) -> HttpResponse:
    """Answer a successful change: the fresh section for htmx, else back where the user was."""
    if request.htmx:
        return _section(request, found, done=message)
    messages.success(request, message)
    return _back(request, found)


def _refused(request: HttpRequest, found: Request, message: str) -> HttpResponse:
    """Answer a refused approval or withdrawal: the section with the reason, or back with it."""
    if request.htmx:
        return _section(request, found, error=message)
    messages.error(request, message)
    return _back(request, found)


def _back(request: HttpRequest, found: Request) -> HttpResponse:
    """Redirect to the page the form came from (`next`), or to the request's example."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(reverse("web:request_detail", args=[found.pk]) + "#example")


urlpatterns = [
    path("statement/", statement, name="statement"),
    path("statement/text/", statement_text, name="statement_text"),
    path("requests/<int:request_id>/example/", request_example, name="request_example"),
    path(
        "requests/<int:request_id>/example/save/",
        request_example_save,
        name="request_example_save",
    ),
    path(
        "requests/<int:request_id>/example/approve/",
        request_example_approve,
        name="request_example_approve",
    ),
    path(
        "requests/<int:request_id>/example/withdraw/",
        request_example_withdraw,
        name="request_example_withdraw",
    ),
]
