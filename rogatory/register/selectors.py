"""Reads of the register: single requests, their history, and the state it adds up to."""

from datetime import datetime

from django.db.models import Prefetch, QuerySet

from rogatory.core.exceptions import NotFoundError

from . import lifecycle
from .models import Event, Request


def request_get(*, direction: str, reference: str) -> Request:
    """Return the request with our `reference` in `direction`, or raise NotFoundError."""
    try:
        return Request.objects.select_related("country").get(
            direction=direction, reference=reference
        )
    except Request.DoesNotExist:
        raise NotFoundError(
            f"There is no {direction} request with reference “{reference}”."
        ) from None


def request_events(*, request: Request, recorded_until: datetime | None = None) -> QuerySet[Event]:
    """Return the request's events in the order they were recorded."""
    events = Event.objects.filter(request=request)
    if recorded_until is not None:
        events = events.filter(recorded_at__lte=recorded_until)
    return events.order_by("recorded_at", "id").prefetch_related(
        Prefetch("grounds", to_attr="ground_list")
    )


def event_change(event: Event) -> lifecycle.Change:
    """Return the lifecycle's view of a stored event."""
    grounds = getattr(event, "ground_list", None)
    if grounds is None:
        grounds = list(event.grounds.all())
    return lifecycle.Change(
        type=event.type,
        occurred_on=event.occurred_on,
        outcome=event.outcome,
        political=event.political,
        ground_codes=tuple(ground.code for ground in grounds),
    )


def request_state(*, request: Request, recorded_until: datetime | None = None) -> lifecycle.State:
    """Return the state the request's events add up to, as known at `recorded_until`."""
    changes = [
        event_change(event)
        for event in request_events(request=request, recorded_until=recorded_until)
    ]
    return lifecycle.fold(request.direction, request.kind, changes)
