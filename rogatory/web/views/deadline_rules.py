"""The deadline rules: everyone signed in reads them with their sources; supervisors edit them.

The rules are reference data: treaty periods, internal targets and the limitation date, each
naming the legal source it rests on. A change recomputes the due dates of the open requests it
applies to.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from rogatory.accounts.permissions import Action, user_can
from rogatory.core.exceptions import ApplicationError, NotFoundError
from rogatory.deadlines.models import DeadlineRule
from rogatory.deadlines.rule_selectors import deadline_rule_get, deadline_rule_list
from rogatory.deadlines.services import deadline_rule_create, deadline_rule_update

from ..access import action_required
from ..forms import service_error_add
from ..forms.deadline_rules import DeadlineRuleForm, NewDeadlineRuleForm

_reader_required = action_required(Action.READ)
_editor_required = action_required(Action.EDIT_REFERENCE)


def _page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    return render(request, f"web/deadline_rules/{template}", {"active": "reference", **context})


def _rule(code: str) -> DeadlineRule:
    try:
        return deadline_rule_get(code=code)
    except NotFoundError as error:
        raise Http404(error.message) from None


def _back_to(rule: DeadlineRule) -> HttpResponse:
    return redirect(f"{reverse('web:deadline_rules')}#rule-{rule.code}")


@_reader_required
def rule_list(request: HttpRequest) -> HttpResponse:
    """List every deadline rule with its period, warning and legal source."""
    return _page(
        request,
        "list.html",
        {
            "rules": deadline_rule_list(),
            "can_edit": user_can(request.user, Action.EDIT_REFERENCE),
        },
    )


@_editor_required
def rule_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Change a rule; the due dates of the open requests it applies to follow at once."""
    rule = _rule(code)
    form = DeadlineRuleForm.for_rule(rule, request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            deadline_rule_update(actor=request.user, rule=rule, **form.changes())
        except ApplicationError as error:
            service_error_add(form, error)
        else:
            messages.success(
                request,
                _("The rule %(code)s was saved and the due dates of open requests recomputed.")
                % {"code": rule.code},
            )
            return _back_to(rule)
    return _page(request, "edit.html", {"rule": rule, "form": form})


@_editor_required
def rule_add(request: HttpRequest) -> HttpResponse:
    """Add a rule of the office's own, such as a bilateral treaty's period."""
    form = NewDeadlineRuleForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        values = form.changes()
        code = values.pop("code")
        try:
            rule = deadline_rule_create(actor=request.user, code=code, **values)
        except ApplicationError as error:
            service_error_add(form, error)
        else:
            messages.success(request, _("The rule %(code)s was added.") % {"code": rule.code})
            return _back_to(rule)
    return _page(request, "add.html", {"form": form})


urlpatterns = [
    path("reference/deadline-rules/", rule_list, name="deadline_rules"),
    path("reference/deadline-rules/new/", rule_add, name="deadline_rule_add"),
    path("reference/deadline-rules/<str:code>/edit/", rule_edit, name="deadline_rule_edit"),
]
