"""Reads of the register: the history of requests and the state it adds up to."""

import base64
import binascii
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import DateField, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from rogatory.accounts.models import User
from rogatory.accounts.permissions import Action, user_can, user_sees_all_units, user_unit_ids
from rogatory.core.exceptions import NotFoundError, ValidationError
from rogatory.deadlines.priority import priority_annotate

from . import lifecycle
from .models import EARLIEST_DATE, Document, Event, Person, Request, RequestGround


def request_changes(
    *, request_ids: Iterable[int], recorded_until: datetime | None = None
) -> dict[int, list[lifecycle.Change]]:
    """Return each request's events as the lifecycle sees them, in the order they were recorded.

    Two queries whatever the number of requests; `recorded_until` keeps only the events known
    at that moment.
    """
    ids = list(request_ids)
    events = Event.objects.filter(request_id__in=ids)
    if recorded_until is not None:
        events = events.filter(recorded_at__lte=recorded_until)
    grounds: dict[int, list[str]] = defaultdict(list)
    for event_id, code in (
        Event.grounds.through.objects.filter(event__in=events)
        .order_by()
        .values_list("event_id", "refusalground_id")
    ):
        grounds[event_id].append(code)
    changes: dict[int, list[lifecycle.Change]] = defaultdict(list)
    for event_id, request_id, type, occurred_on, outcome, political in events.order_by(
        "request_id", "recorded_at", "id"
    ).values_list("id", "request_id", "type", "occurred_on", "outcome", "political"):
        changes[request_id].append(
            lifecycle.Change(
                type=type,
                occurred_on=occurred_on,
                outcome=outcome,
                political=political,
                ground_codes=tuple(sorted(grounds.get(event_id, ()))),
            )
        )
    return changes


def request_state(*, request: Request, recorded_until: datetime | None = None) -> lifecycle.State:
    """Return the state the request's events add up to, as known at `recorded_until`."""
    changes = request_changes(request_ids=[request.pk], recorded_until=recorded_until)
    return lifecycle.fold(request.direction, request.kind, changes.get(request.pk, []))


# --- Finding requests ---------------------------------------------------------------------

_SORTS = {
    "registered": ("id",),
    "reference": ("reference", "id"),
    "opened": ("opened_on", "id"),
    "decided": ("decided_on", "id"),
    # The effective priority (rogatory.deadlines.priority): 0 urgent, 1 high, 2 normal.
    "priority": ("priority_rank", "id"),
}
PAGE_SIZE = 50
# Longer than any cursor `request_page` makes (a 100-character reference, JSON-escaped).
CURSOR_MAX_LENGTH = 1024


def requests_visible_to(user: User | None) -> QuerySet[Request]:
    """Return the requests `user` may see: their units' requests, or all for supervisors."""
    requests = Request.objects.all()
    if user_sees_all_units(user):
        return requests
    if user is None or not user_can(user, Action.READ):
        return requests.none()
    return requests.filter(unit_id__in=user_unit_ids(user))


def request_get(*, user: User | None, request_id: int) -> Request:
    """Return one request `user` may see, or raise NotFoundError.

    A request of another unit is "not found" too, so that its existence is not disclosed.
    """
    request = (
        requests_visible_to(user)
        .select_related("country", "legal_basis", "offence_category", "unit", "responsible")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise NotFoundError(_("There is no request %(id)s.") % {"id": request_id})
    return request


@dataclass(frozen=True)
class RequestFilters:
    """What a register list is narrowed to; every field is optional."""

    direction: str = ""
    kind: str = ""
    country: str = ""
    status: str = ""
    opened_from: date | None = None
    opened_to: date | None = None
    ground: str = ""
    political: bool | None = None
    unit: str = ""
    search: str = ""
    sort: str = "-registered"


@dataclass(frozen=True)
class RequestPage:
    """One page of a register list with the cursors of its neighbours (None at either end)."""

    requests: list[Request]
    next_cursor: str | None
    previous_cursor: str | None


def request_page(
    *,
    user: User | None,
    filters: RequestFilters,
    cursor: str = "",
    limit: int = PAGE_SIZE,
) -> RequestPage:
    """Return a page of the requests `user` may see that match `filters`.

    Pages are found by keyset (the sort key of the row the cursor points at), so every page
    costs the same however deep it is and the list never counts the whole register.
    """
    field, descending = _sort(filters.sort)
    requests = _filtered(requests_visible_to(user), filters).select_related(
        "country", "unit", "responsible"
    )
    today = timezone.localdate()
    if field == "priority_rank":
        requests = priority_annotate(requests, today=today)
    requests = requests.annotate(_key=_sort_key(field))
    backwards, position = _cursor_decode(cursor, field)
    forward_descending = descending != backwards
    if position is not None:
        key, pk = position
        after = Q(_key__lt=key) | Q(_key=key, pk__lt=pk)
        before = Q(_key__gt=key) | Q(_key=key, pk__gt=pk)
        requests = requests.filter(after if forward_descending else before)
    order = ("-_key", "-pk") if forward_descending else ("_key", "pk")
    rows = list(requests.order_by(*order)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
    if field != "priority_rank":
        _priority_ranks_add(rows, today=today)
    has_next = more if not backwards else position is not None
    has_previous = (position is not None) if not backwards else more
    return RequestPage(
        requests=rows,
        next_cursor=_cursor_encode(rows[-1], field, backwards=False) if rows and has_next else None,
        previous_cursor=(
            _cursor_encode(rows[0], field, backwards=True) if rows and has_previous else None
        ),
    )


def _priority_ranks_add(rows: list[Request], *, today: date) -> None:
    """Give each request of a page its effective priority rank, in one query for the page.

    Computed apart from the page's query so that a list sorted otherwise never computes the
    priority of rows beyond the page.
    """
    if not rows:
        return
    ranks = dict(
        priority_annotate(Request.objects.filter(pk__in=[row.pk for row in rows]), today=today)
        .order_by()
        .values_list("pk", "priority_rank")
    )
    for row in rows:
        row.priority_rank = ranks.get(row.pk, 2)


def _sort(sort: str) -> tuple[str, bool]:
    descending = sort.startswith("-")
    name = sort.removeprefix("-")
    if name not in _SORTS:
        raise ValidationError(
            _("Cannot sort by “%(sort)s”; use one of: %(sorts)s.")
            % {"sort": sort, "sorts": ", ".join(_SORTS)}
        )
    return _SORTS[name][0], descending


def _sort_key(field: str) -> Any:
    if field in ("opened_on", "decided_on"):
        # Drafts and pending requests have no date; they sort as the earliest.
        return Coalesce(F(field), Value(EARLIEST_DATE), output_field=DateField())
    return F(field)


def _filtered(requests: QuerySet[Request], filters: RequestFilters) -> QuerySet[Request]:
    texts = [value for value in vars(filters).values() if isinstance(value, str)]
    if not all(_storable(text) for text in texts):
        # No stored value holds a NUL or a lone surrogate, and PostgreSQL refuses to compare
        # with one, so such a filter matches nothing.
        return requests.none()
    conditions = Q()
    for name in ("direction", "kind", "status"):
        if value := getattr(filters, name):
            conditions &= Q(**{name: value})
    if filters.country:
        conditions &= Q(country_id=filters.country.upper())
    if filters.unit:
        conditions &= Q(unit__code=filters.unit)
    if filters.opened_from:
        conditions &= Q(opened_on__gte=filters.opened_from)
    if filters.opened_to:
        conditions &= Q(opened_on__lte=filters.opened_to)
    if filters.political is not None:
        conditions &= Q(political=filters.political)
    if filters.ground:
        conditions &= Q(
            pk__in=RequestGround.objects.filter(ground_id=filters.ground).values("request_id")
        )
    if search := filters.search.strip()[:200]:
        conditions &= (
            Q(reference__icontains=search)
            | Q(counterpart_reference__icontains=search)
            | Q(domestic_case__icontains=search)
            | Q(offence_description__icontains=search)
            | Q(counterpart_authority__icontains=search)
        )
    return requests.filter(conditions)


def _cursor_encode(request: Request, field: str, *, backwards: bool) -> str:
    key = request._key
    value = key.isoformat() if isinstance(key, date) else key
    raw = json.dumps(["b" if backwards else "a", value, request.pk], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _cursor_decode(cursor: str, field: str) -> tuple[bool, tuple[Any, int] | None]:
    """Return whether the cursor pages backwards and the (key, id) it points at."""
    if not cursor:
        return False, None
    invalid = ValidationError(_("The page cursor is not valid; start again from the first page."))
    if len(cursor) > CURSOR_MAX_LENGTH:
        raise invalid
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        way, value, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if way not in ("a", "b") or not _is_id(pk):
            raise invalid
        if field in ("opened_on", "decided_on"):
            value = date.fromisoformat(value)
        elif field == "id":
            if not _is_id(value):
                raise invalid
        elif field == "priority_rank":
            if value not in (0, 1, 2) or isinstance(value, bool):
                raise invalid
        elif not isinstance(value, str) or not _storable(value):
            raise invalid
    except (ValueError, TypeError, binascii.Error, RecursionError):
        raise invalid from None
    return way == "b", (value, pk)


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def _storable(text: str) -> bool:
    """Return whether `text` could be stored in (and compared by) every database we support."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


# --- A request's parts ----------------------------------------------------------------------


def request_events(*, request: Request) -> QuerySet[Event]:
    """Return a request's events in the order they were recorded, with who and which grounds."""
    return (
        request.events.select_related("recorded_by")
        .prefetch_related("grounds")
        .order_by("recorded_at", "id")
    )


def request_persons(*, request: Request) -> list[Person]:
    """Return the persons a request seeks, in the order they were named."""
    return list(request.persons.select_related("nationality").order_by("id"))


def request_documents(*, request: Request) -> QuerySet[Document]:
    """Return the documents filed with a request, oldest first."""
    return request.documents.select_related("uploaded_by").order_by("id")


def request_document(*, request: Request, document_id: int) -> Document:
    """Return one document of a request, or raise NotFoundError."""
    document = request.documents.filter(pk=document_id).first()
    if document is None:
        raise NotFoundError(_("The request has no document %(id)s.") % {"id": document_id})
    return document
