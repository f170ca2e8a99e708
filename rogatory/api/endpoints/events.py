"""Recording an event on a request: one endpoint, dispatched by type to the register's services.

A client says which version of the request it read, in the body's `version` or in an `If-Match`
header; the service refuses the event with 409 if the request has changed since, so that of two
clerks recording on the same request at the same moment, one succeeds and the other is told.
"""

import re
from collections.abc import Callable
from datetime import date

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Header, Router, Schema, Status
from pydantic import ConfigDict

from rogatory.accounts.models import User
from rogatory.core.exceptions import ValidationError
from rogatory.register import services
from rogatory.register.models import Event, Request
from rogatory.register.selectors import request_get

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
from .requests import request_etag

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
        None,
        ge=1,
        le=MAX_ID,
        description=(
            "The request's version as last read (its `version`, or the `ETag` of a read). "
            "Optional, but clients should send it (here or as `If-Match`): the event is then "
            "refused with 409 if someone changed the request since, instead of being recorded "
            "on a state the client has not seen."
        ),
    )


class EventRecordOut(Schema):
    """The event recorded, and the request as it now stands."""

    event: EventOut
    request: RequestOut


Recorder = Callable[[User, Request, EventRecordIn, int | None], Event]


def _dated(service: Callable[..., Event], date_argument: str) -> Recorder:
    def record(actor: User, request: Request, payload: EventRecordIn, version: int | None) -> Event:
        return service(
            actor=actor,
            request=request,
            note=payload.note,
            expected_version=version,
            **{date_argument: payload.occurred_on},
        )

    return record


def _decision(actor: User, request: Request, payload: EventRecordIn, version: int | None) -> Event:
    return services.request_record_decision(
        actor=actor,
        request=request,
        outcome=payload.outcome or "",
        decided_on=payload.occurred_on,
        grounds=grounds_by_code(payload.grounds),
        political=payload.political,
        political_reason=payload.political_reason,
        note=payload.note,
        expected_version=version,
    )


def _reopening(actor: User, request: Request, payload: EventRecordIn, version: int | None) -> Event:
    return services.request_reopen(
        actor=actor,
        request=request,
        reopened_on=payload.occurred_on,
        reason=payload.reason,
        expected_version=version,
    )


def _opening_correction(
    actor: User, request: Request, payload: EventRecordIn, version: int | None
) -> Event:
    return services.request_correct_opening(
        actor=actor,
        request=request,
        opened_on=payload.occurred_on,
        reason=payload.reason,
        expected_version=version,
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


# An entity tag as `request_etag` writes it, "7", also weak (W/"7") or bare (7) from lenient clients.
_ETAG = re.compile(r'^\s*(?:W/)?"?([0-9]{1,18})"?\s*$')


def _expected_version(payload: EventRecordIn, if_match: str | None) -> int | None:
    """Return the version the client read, from the body or the If-Match header, or None."""
    if if_match is None or if_match.strip() == "*":
        return payload.version
    match = _ETAG.match(if_match)
    if match is None:
        raise ValidationError(
            _(
                "If-Match must carry one version of the request, as its ETag gives it "
                '(such as "3"), not “%(value)s”.'
            )
            % {"value": if_match[:100]},
            extra={"field": "If-Match"},
        )
    version = int(match.group(1))
    if payload.version is not None and payload.version != version:
        raise ValidationError(
            _("The version in the body (%(body)d) and in If-Match (%(header)d) differ.")
            % {"body": payload.version, "header": version},
            extra={"field": "version"},
        )
    return version


@router.post(
    "/requests/{request_id}/events",
    response={201: EventRecordOut, **ERRORS, 409: ErrorOut},
    operation_id="request_event_record",
    summary="Record an event",
)
def request_event_record(
    request: HttpRequest,
    response: HttpResponse,
    request_id: Id,
    payload: EventRecordIn,
    if_match: str | None = Header(
        None,
        alias="If-Match",
        max_length=200,
        description=(
            'The request\'s version as last read, as its `ETag` gives it (such as `"3"`); '
            "the same as `version` in the body."
        ),
    ),
) -> Status:
    """Record what happened to a request; `reopened` needs a supervisor.

    Send the version of the request you read, as `version` in the body or as an `If-Match`
    header (the `ETag` of `GET /requests/{id}`). If someone changed the request since, nothing
    is recorded and the answer is 409, naming the latest event: read the request again and
    decide whether your event still applies. Without a version the event is recorded on the
    request as it stands. The answer's `ETag` is the request's new version.
    """
    found = request_get(user=request.auth, request_id=request_id)
    _check_fields(payload)
    version = _expected_version(payload, if_match)
    event = _RECORDERS[payload.type](request.auth, found, payload, version)
    found.refresh_from_db()
    response["ETag"] = request_etag(found)
    return Status(201, {"event": event, "request": found})
