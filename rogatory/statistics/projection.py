"""The requests that figures count, as the register stands now or as it was known at a moment.

Every figure reads the lifecycle's projection (opening date, decision, decision date, political
flag, surrender) through the aliases below, never the request's own columns. Today those
aliases are the projected columns themselves. "As known at" a moment, they are recomputed by
the database from the events recorded up to that moment, following the same rules as
`rogatory.register.lifecycle.apply`:

- the opening date is the date of the last `sent`, `received` or `opening_corrected` event;
- the decision is the last `decided` event, unless a `reopened` event was recorded after it;
- a request is surrendered once a `surrendered` event is recorded (it cannot be re-opened then).

`tests/statistics/test_projection.py` folds random histories through the lifecycle and checks
that both agree at every moment. A request's own details (country, kind, persons sought,
offence) are not events: they count as they are now.
"""

from datetime import UTC, date, datetime, time
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    Field,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from rogatory.core.exceptions import ValidationError
from rogatory.register.models import Event, Request, RequestGround, Status

# The names figures read the projection by.
OPENED_ON = "p_opened_on"
DECIDED_ON = "p_decided_on"
OUTCOME = "p_outcome"
POLITICAL = "p_political"
SURRENDERED = "p_surrendered"

_OPENING_EVENTS = (Event.Type.SENT, Event.Type.RECEIVED, Event.Type.OPENING_CORRECTED)
_DECISION_EVENTS = (Event.Type.DECIDED, Event.Type.REOPENED)


def as_of_parse(value: str | None, *, field: str = "as_of") -> datetime | None:
    """Return the moment `value` names: an ISO date-time, or a date meaning the end of that day.

    Nothing given (None or blank) means now: None.
    A moment without a time zone is in the server's. A moment in the future is refused: the
    figures it would give could still change.
    """
    text = (value or "").strip()
    if not text:
        return None
    moment: datetime | None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        try:
            moment = parse_datetime(text)
        except ValueError:
            moment = None
    else:
        # Today's end is still to come: as known at the end of today means as known now.
        moment = timezone.now() if day == timezone.localdate() else datetime.combine(day, time.max)
    if moment is None:
        raise ValidationError(
            _("“%(value)s” is not a date and time such as 2024-03-31T18:00 or a date.")
            % {"value": text[:40]},
            extra={"field": field},
        )
    return as_of_check(moment, field=field)


def as_of_check(moment: datetime, *, field: str = "as_of") -> datetime:
    """Return `moment` in the server's time zone when naive; refuse a moment in the future."""
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValidationError(
            _("The moment %(value)s is out of range.") % {"value": moment.isoformat()},
            extra={"field": field},
        ) from None
    if moment > timezone.now():
        raise ValidationError(
            _("Figures as known at %(moment)s cannot be given: that moment is in the future.")
            % {"moment": timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")},
            extra={"field": field},
        )
    return moment


def report_requests(*, as_of: datetime | None = None) -> QuerySet[Request]:
    """Return all requests with the projection aliases, now or as known at `as_of`."""
    today = _projection_now()
    if as_of is None:
        return Request.objects.alias(**today)
    # Only a request with an event recorded after the moment can differ from its projection;
    # for the others the stored projection is the fold of the same events. The set of those
    # requests is one uncorrelated subquery, so the database reads it once, and recomputes
    # the projection from the events for those requests alone.
    changed = Event.objects.filter(recorded_at__gt=as_of).values("request_id")
    known = Event.objects.filter(request=OuterRef("pk"), recorded_at__lte=as_of)
    last_opening = known.filter(type__in=_OPENING_EVENTS).order_by("-recorded_at", "-id")
    last_decision = known.filter(type__in=_DECISION_EVENTS).order_by("-recorded_at", "-id")

    def decided(field: str, output_field: Field) -> Subquery:
        # The last decision event's value when it is a decision; NULL when it re-opened.
        value = Case(
            When(type=Event.Type.DECIDED, then=F(field)),
            default=Value(None),
            output_field=output_field,
        )
        return Subquery(last_decision.annotate(value=value).values("value")[:1])

    then = {
        OPENED_ON: (Subquery(last_opening.values("occurred_on")[:1]), DateField()),
        DECIDED_ON: (decided("occurred_on", DateField()), DateField()),
        OUTCOME: (Coalesce(decided("outcome", CharField()), Value("")), CharField()),
        POLITICAL: (decided("political", BooleanField()), BooleanField()),
        SURRENDERED: (Exists(known.filter(type=Event.Type.SURRENDERED)), BooleanField()),
    }
    return Request.objects.alias(
        **{
            name: Case(
                When(pk__in=changed, then=expression),
                default=today[name],
                output_field=output_field,
            )
            for name, (expression, output_field) in then.items()
        }
    )


def _projection_now() -> dict[str, Any]:
    return {
        OPENED_ON: F("opened_on"),
        DECIDED_ON: F("decided_on"),
        OUTCOME: F("outcome"),
        POLITICAL: F("political"),
        SURRENDERED: Case(
            When(status=Status.SURRENDERED, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    }


def decision_event_at(as_of: datetime) -> Subquery:
    """Return, for the request of the outer query, its last decision or re-opening at `as_of`."""
    return Subquery(
        Event.objects.filter(
            request=OuterRef("pk"), recorded_at__lte=as_of, type__in=_DECISION_EVENTS
        )
        .order_by("-recorded_at", "-id")
        .values("pk")[:1],
        output_field=IntegerField(),
    )


def report_ground_rows(
    *, refused: QuerySet[Request], as_of: datetime | None = None
) -> tuple[QuerySet, str, str]:
    """Return the refusal-ground rows of `refused`, the path to their request, and the code.

    `refused` must be refused requests from `report_requests` with the same `as_of`. Today
    the grounds are the projection's; as known at a moment they are those of the decision
    event that was then the last one. Group the rows with `<path>__<field>` of the request.
    """
    if as_of is None:
        rows = RequestGround.objects.filter(request__in=refused.values("pk"))
        return rows, "request", "ground_id"
    decision_events = refused.annotate(decision_event=decision_event_at(as_of)).values(
        "decision_event"
    )
    rows = Event.grounds.through.objects.filter(event_id__in=decision_events)
    return rows, "event__request", "refusalground_id"


def report_ground_counts(*, refused: QuerySet[Request], as_of: datetime | None = None) -> QuerySet:
    """Return rows of `kind`, `ground_code` and `refused`: how many of `refused` cite each ground."""
    rows, request, ground = report_ground_rows(refused=refused, as_of=as_of)
    return (
        rows.values(kind=F(f"{request}__kind"), ground_code=F(ground))
        .order_by()
        .annotate(refused=Count("pk"))
    )
