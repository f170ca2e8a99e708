"""The work lists: what is overdue or due soon, and the requests a clerk is responsible for.

Both read only the requests the user may see (`requests_visible_to`), so a clerk sees their
units' work and a supervisor everyone's; a supervisor may look at any clerk's requests.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from rogatory.accounts.permissions import Action
from rogatory.core.replica import reads_from_replica
from rogatory.deadlines.priority import PRIORITY_OF_RANK, priority_reasons
from rogatory.deadlines.selectors import (
    deadline_state,
    my_requests,
    next_deadlines,
    page_of,
    worklist,
)
from rogatory.web.access import action_required, service_errors_as_http
from rogatory.web.forms.requests import user_has_several_units
from rogatory.web.forms.worklists import MyRequestsForm, WorkFilterForm


@action_required(Action.READ)
@require_GET
@service_errors_as_http
@reads_from_replica
def worklist_page(request: HttpRequest) -> HttpResponse:
    """Show the open deadlines that are overdue or due soon, most urgent first."""
    today = timezone.localdate()
    form = WorkFilterForm(request.GET, user=request.user)
    page, rows = None, []
    if form.is_valid():
        page = page_of(
            worklist(user=request.user, today=today, filters=form.filters()),
            request.GET.get("page"),
        )
        rows = [_deadline_row(deadline, today) for deadline in page.object_list]
    return render(
        request,
        "web/worklists/worklist.html",
        {
            "active": "worklist",
            "form": form,
            "page": page,
            "rows": rows,
            "today": today,
            "show_unit": user_has_several_units(request.user),
            **_pager(form, page),
        },
    )


@action_required(Action.RECORD_EVENT)
@require_GET
@service_errors_as_http
@reads_from_replica
def my_requests_page(request: HttpRequest) -> HttpResponse:
    """Show the requests the user (or, for a supervisor, the clerk chosen) is responsible for."""
    today = timezone.localdate()
    form = MyRequestsForm(request.GET, user=request.user)
    page, rows, clerk = None, [], request.user
    if form.is_valid():
        clerk = form.cleaned_data.get("clerk") or request.user
        page = page_of(
            my_requests(viewer=request.user, clerk=clerk, today=today, filters=form.filters()),
            request.GET.get("page"),
        )
        nexts = next_deadlines(list(page.object_list))
        rows = [_request_row(found, nexts, today) for found in page.object_list]
    return render(
        request,
        "web/worklists/my_requests.html",
        {
            "active": "my_requests",
            "form": form,
            "page": page,
            "rows": rows,
            "clerk": clerk,
            "is_me": clerk == request.user,
            "today": today,
            "show_unit": user_has_several_units(request.user),
            **_pager(form, page),
        },
    )


def _deadline_row(deadline: Any, today: Any) -> dict[str, Any]:
    return {
        "deadline": deadline,
        "req": deadline.request,
        "priority": PRIORITY_OF_RANK[deadline.priority_rank],
        "reasons": priority_reasons(deadline),
        **deadline_state(deadline=deadline, today=today),
    }


def _request_row(found: Any, nexts: dict, today: Any) -> dict[str, Any]:
    deadline = nexts.get(found.next_deadline_id)
    return {
        "req": found,
        "priority": PRIORITY_OF_RANK[found.priority_rank],
        "reasons": priority_reasons(found),
        "deadline": deadline,
        **(deadline_state(deadline=deadline, today=today) if deadline else {}),
    }


def _pager(form: WorkFilterForm, page: Any) -> dict[str, str]:
    if page is None:
        return {}
    return {
        "next_query": form.query(page=str(page.next_page_number())) if page.has_next() else "",
        "previous_query": (
            form.query(page=str(page.previous_page_number())) if page.has_previous() else ""
        ),
    }


urlpatterns = [
    path("work/", worklist_page, name="worklist"),
    path("work/mine/", my_requests_page, name="my_requests"),
]
