"""Reads of the register: the history of requests and the state it adds up to."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from . import lifecycle
from .models import Event, Request


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
