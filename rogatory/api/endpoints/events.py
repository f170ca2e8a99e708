"""Recording an event on a request: one endpoint, dispatched by type to the register's services."""

from collections.abc import Callable
from datetime import date

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from rogatory.accounts.models import User
from rogatory.core.exceptions import ValidationError
from rogatory.register import services
from rogatory.register.models import Event, Request
from rogatory.register.selectors import request_get

from ..errors import VersionConflictError
from ..lookups import grounds_by_code
from ..schemas import (
    ERRORS,
    LONG_TEXT,
    MAX_ID,
    ErrorOut,
    EventOut,
    EventType,
    Id,
    OutcomeValue,
    RequestOut,
    text,
)

router = Router(tags=["requests"])


class EventRecordIn(Schema):
    """An event: its type and date, and the fields that type takes.

    `decided` takes `outcome`, `grounds` (refusals), `political` and `political_reason`;
    `reopened` and `opening_corrected` take a `reason`; the others take a `note`.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"type": "sent", "occurred_on": "2023-03-01", "note": "By diplomatic post"},
                {
                    "type": "decided",
                    "occurred_on": "2023-06-01",
                    "outcome": "refused",
                    "grounds": ["political_offence"],
                },
            ]
        }
    )

    type: EventType
    occurred_on: date
    outcome: OutcomeValue | None = None
    grounds: list[text(60)] = Field(default_factory=list, max_length=50)
    political: bool | None = Field(None, description="Overrides the grounds' default.")
    political_reason: text(LONG_TEXT) = ""
    reason: text(LONG_TEXT) = ""
    note: text(LONG_TEXT) = ""
    version: int | None = Field(
        None, ge=1, le=MAX_ID, description="The request's version as last read; 409 if changed."
    )


class EventRecordOut(Schema):
    """The event recorded, and the request as it now stands."""

    event: EventOut
    request: RequestOut


Recorder = Callable[[User, Request, EventRecordIn], Event]


def _dated(service: Callable[..., Event], date_argument: str) -> Recorder:
    def record(actor: User, request: Request, payload: EventRecordIn) -> Event:
        return service(
            actor=actor, request=request, note=payload.note, **{date_argument: payload.occurred_on}
        )

    return record


def _decision(actor: User, request: Request, payload: EventRecordIn) -> Event:
    return services.request_record_decision(
        actor=actor,
        request=request,
        outcome=payload.outcome or "",
        decided_on=payload.occurred_on,
        grounds=grounds_by_code(payload.grounds),
        political=payload.political,
        political_reason=payload.political_reason,
        note=payload.note,
    )


def _reopening(actor: User, request: Request, payload: EventRecordIn) -> Event:
    return services.request_reopen(
        actor=actor, request=request, reopened_on=payload.occurred_on, reason=payload.reason
    )


def _opening_correction(actor: User, request: Request, payload: EventRecordIn) -> Event:
    return services.request_correct_opening(
        actor=actor, request=request, opened_on=payload.occurred_on, reason=payload.reason
    )


_RECORDERS: dict[str, Recorder] = {
    "sent": _dated(services.request_record_sent, "sent_on"),
    "received": _dated(services.request_record_received, "received_on"),
    "acknowledged": _dated(services.request_record_acknowledged, "acknowledged_on"),
    "supplementary_requested": _dated(
        services.request_record_supplementary_requested, "requested_on"
    ),
    "supplementary_provided": _dated(services.request_record_supplementary_provided, "provided_on"),
    "provisional_arrest": _dated(services.request_record_provisional_arrest, "arrested_on"),
    "hearing": _dated(services.request_record_hearing, "held_on"),
    "decided": _decision,
    "surrendered": _dated(services.request_record_surrender, "surrendered_on"),
    "reopened": _reopening,
    "opening_corrected": _opening_correction,
}
# The optional fields each type takes; any other given is an error rather than ignored.
_FIELDS: dict[str, frozenset[str]] = {
    "decided": frozenset({"outcome", "grounds", "political", "political_reason", "note"}),
    "reopened": frozenset({"reason"}),
    "opening_corrected": frozenset({"reason"}),
}
_NOTE_ONLY = frozenset({"note"})
_OPTIONAL = ("outcome", "grounds", "political", "political_reason", "reason", "note")


def _check_fields(payload: EventRecordIn) -> None:
    if payload.type == "decided" and payload.outcome is None:
        raise ValidationError(_("A decision needs its outcome."), extra={"field": "outcome"})
    allowed = _FIELDS.get(payload.type, _NOTE_ONLY)
    for name in _OPTIONAL:
        value = getattr(payload, name)
        if name not in allowed and value not in (None, "", []):
            raise ValidationError(
                _("An event of type “%(type)s” does not take “%(field)s”.")
                % {"type": payload.type, "field": name},
                extra={"field": name},
            )


def _check_version(request: Request, version: int | None) -> None:
    if version is None:
        return
    current = (
        Request.objects.select_for_update()
        .filter(pk=request.pk)
        .values_list("version", flat=True)
        .get()
    )
    if current != version:
        raise VersionConflictError(
            _(
                "The request has changed since version %(version)d (it is at %(current)d); read it again."
            )
            % {"version": version, "current": current},
            extra={"field": "version"},
        )


@router.post(
    "/requests/{request_id}/events",
    response={201: EventRecordOut, **ERRORS, 409: ErrorOut},
    operation_id="request_event_record",
    summary="Record an event",
)
def request_event_record(request: HttpRequest, request_id: Id, payload: EventRecordIn) -> Status:
    """Record what happened to a request; `reopened` needs a supervisor."""
    found = request_get(user=request.auth, request_id=request_id)
    _check_fields(payload)
    with transaction.atomic():
        # The version is checked under the row lock the service then takes again, so that no
        # other change can slip in between.
        _check_version(found, payload.version)
        event = _RECORDERS[payload.type](request.auth, found, payload)
    found.refresh_from_db()
    return Status(201, {"event": event, "request": found})
