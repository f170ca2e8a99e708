"""Reads of due dates: the work list, a clerk's requests, the dashboard's counts, one request's.

Everything is counted, sorted and paged by the database; only the rows of the page shown are
read. "Open" deadlines are those not met (`met_on` is empty); as of a day, an open deadline is
**overdue** when its due date is before that day, and **due soon** when warnings have started
(`warn_on` on or before the day) and the due date is that day or later.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from rogatory.accounts.models import User
from rogatory.register.models import Request, Status
from rogatory.register.selectors import requests_visible_to

from .models import Deadline
from .priority import priority_annotate, priority_expressions, priority_reasons

PAGE_SIZE = 50

# A request in one of these statuses needs nothing more from us: it is not counted as urgent.
CLOSED_STATUSES = (
    Status.EXECUTED,
    Status.PARTIALLY_EXECUTED,
    Status.REFUSED,
    Status.WITHDRAWN,
    Status.SURRENDERED,
)


@dataclass(frozen=True)
class WorkFilters:
    """What a work list is narrowed to; every field is optional."""

    unit: str = ""  # unit code
    direction: str = ""
    kind: str = ""
    state: str = ""  # "", "overdue" or "due_soon"


def _open(today: date) -> Q:
    """Open deadlines that are overdue or due soon as of `today`."""
    return Q(met_on__isnull=True) & (Q(warn_on__lte=today) | Q(due_on__lt=today))


def _narrowed(queryset: QuerySet, filters: WorkFilters, *, prefix: str = "") -> QuerySet:
    conditions = Q()
    if filters.unit:
        conditions &= Q(**{f"{prefix}unit__code": filters.unit})
    if filters.direction:
        conditions &= Q(**{f"{prefix}direction": filters.direction})
    if filters.kind:
        conditions &= Q(**{f"{prefix}kind": filters.kind})
    return queryset.filter(conditions)


def worklist(
    *, user: User | None, today: date, filters: WorkFilters = WorkFilters()
) -> QuerySet[Deadline]:
    """Return the open deadlines, overdue or due soon as of `today`, of requests `user` sees.

    Sorted by urgency: overdue first, then by the request's effective priority (urgent first),
    then by due date. Each row carries `is_overdue`, `priority_rank` and the rule flags of
    `rogatory.deadlines.priority`.
    """
    deadlines = Deadline.objects.filter(_open(today), request__in=requests_visible_to(user))
    if filters.state == "overdue":
        deadlines = deadlines.filter(due_on__lt=today)
    elif filters.state == "due_soon":
        deadlines = deadlines.filter(due_on__gte=today)
    deadlines = _narrowed(deadlines, filters, prefix="request__")
    return (
        deadlines.select_related(
            "rule", "request", "request__country", "request__responsible", "request__unit"
        )
        .annotate(
            is_overdue=Case(
                When(due_on__lt=today, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            **priority_expressions(today=today, prefix="request__"),
        )
        .order_by("-is_overdue", "priority_rank", "due_on", "request__reference", "pk")
    )


def my_requests(
    *,
    viewer: User | None,
    clerk: User,
    today: date,
    filters: WorkFilters = WorkFilters(),
) -> QuerySet[Request]:
    """Return the requests `clerk` is responsible for, as far as `viewer` may see them.

    Undecided requests first, then by effective priority (urgent first), then by the next due
    date of an open deadline (requests without one last). Each request carries
    `next_due_on` and `next_deadline_id` (its earliest open deadline) and its priority flags.
    """
    next_open = Deadline.objects.filter(request_id=OuterRef("pk"), met_on__isnull=True).order_by(
        "due_on", "pk"
    )
    requests = _narrowed(requests_visible_to(viewer).filter(responsible=clerk), filters)
    requests = priority_annotate(requests, today=today).annotate(
        next_due_on=Subquery(next_open.values("due_on")[:1]),
        next_deadline_id=Subquery(next_open.values("pk")[:1]),
        undecided=Case(
            When(decided_on__isnull=True, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )
    return requests.select_related("country", "unit").order_by(
        "-undecided",
        "priority_rank",
        F("next_due_on").asc(nulls_last=True),
        "reference",
        "pk",
    )


def page_of(queryset: QuerySet, number: Any, *, size: int = PAGE_SIZE) -> Page:
    """Return page `number` of `queryset` (the last page for a number past the end)."""
    return Paginator(queryset, size).get_page(number)


def next_deadlines(requests: list[Request]) -> dict[int, Deadline]:
    """Return, by id, the next open deadline of each request of a page of `my_requests`."""
    ids = [request.next_deadline_id for request in requests if request.next_deadline_id]
    return Deadline.objects.select_related("rule").in_bulk(ids)


@dataclass(frozen=True)
class Timeliness:
    """The dashboard's counts of what needs doing, over the requests a user sees."""

    overdue: int  # open deadlines past their due date
    due_soon: int  # open deadlines whose warnings have started, not yet due
    urgent: int  # requests not closed whose effective priority is urgent
    mine: int  # undecided requests the user is responsible for


def timeliness_counts(*, user: User | None, today: date) -> Timeliness:
    """Return the dashboard's counts for `user` as of `today`, in three queries."""
    visible = requests_visible_to(user)
    deadlines = Deadline.objects.filter(_open(today), request__in=visible).aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        due_soon=Count("pk", filter=Q(due_on__gte=today)),
    )
    urgent = (
        priority_annotate(visible.exclude(status__in=CLOSED_STATUSES), today=today)
        .filter(priority_rank=0)
        .count()
    )
    mine = (
        visible.filter(responsible=user, decided_on__isnull=True).count() if user is not None else 0
    )
    return Timeliness(
        overdue=deadlines["overdue"], due_soon=deadlines["due_soon"], urgent=urgent, mine=mine
    )


@dataclass(frozen=True)
class RequestDeadline:
    """One deadline of a request as its page shows it."""

    deadline: Deadline
    state: str  # "met", "overdue", "due_soon" or "running"
    days: int  # days overdue, or days left (0 on the due date); 0 when met


def request_deadlines(*, request: Request, today: date) -> list[RequestDeadline]:
    """Return a request's deadlines, open ones first by due date, then the met ones."""
    rows = []
    for deadline in (
        Deadline.objects.filter(request=request)
        .select_related("rule")
        .order_by(F("met_on").asc(nulls_first=True), "due_on", "pk")
    ):
        rows.append(
            RequestDeadline(deadline=deadline, **deadline_state(deadline=deadline, today=today))
        )
    return rows


def deadline_state(*, deadline: Deadline, today: date) -> dict[str, Any]:
    """Return where a deadline stands as of `today`: its state and days overdue or left."""
    if deadline.met_on is not None:
        return {"state": "met", "days": 0}
    if deadline.due_on < today:
        return {"state": "overdue", "days": (today - deadline.due_on).days}
    left = (deadline.due_on - today).days
    return {"state": "due_soon" if deadline.warn_on <= today else "running", "days": left}


__all__ = [
    "CLOSED_STATUSES",
    "PAGE_SIZE",
    "RequestDeadline",
    "Timeliness",
    "WorkFilters",
    "deadline_state",
    "my_requests",
    "next_deadlines",
    "page_of",
    "priority_reasons",
    "request_deadlines",
    "timeliness_counts",
    "worklist",
]
