"""Assurances in extradition: that the death penalty will not be imposed, of a fair trial, of
conditions of detention, of the rule of speciality, or others; and their monitoring.

An assurance is requested (or recorded as given straight away), then given by an authority of
the state that gives it, and once the person has been surrendered it is monitored: each
follow-up records what was learned on a date. Monitoring ends when it is closed, with why.

Follow-ups come only after the surrender. Before it the person is still held by the requested
state, and what happens then belongs to the extradition proceedings (hearings, supplementary
information), not to the monitoring of how the assurance is kept; and a follow-up dated before
the surrender would describe a person who was not yet in the requesting state's hands.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import (
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from rogatory.accounts.permissions import Action, authorize
from rogatory.audit.services import audit_chain_reserve, audit_record
from rogatory.core.exceptions import NotFoundError, ValidationError

from .models import Assurance, AssuranceFollowUp, Event, Kind, Request, Status
from .selectors import requests_visible_to

Actor = Any

TEXT_MAX_LENGTH = 5000
AUTHORITY_MAX_LENGTH = 300


def assurance_snapshot(assurance: Assurance) -> dict[str, Any]:
    """Return an assurance as the audit trail records it, filed under its request."""
    return {
        "request": assurance.request_id,
        "type": assurance.type,
        "status": assurance.status,
        "text": assurance.text,
        "authority": assurance.authority,
        "requested_on": _iso(assurance.requested_on),
        "given_on": _iso(assurance.given_on),
        "closed_on": _iso(assurance.closed_on),
        "closing_reason": assurance.closing_reason,
    }


# --- Changes -----------------------------------------------------------------------------------


@transaction.atomic
def assurance_request(
    *,
    actor: Actor,
    request: Request,
    type: str,
    text: str = "",
    requested_on: date | None = None,
    given_on: date | None = None,
    authority: str = "",
    today: date | None = None,
) -> Assurance:
    """Record an assurance of an extradition request: asked for on `requested_on`, or, with
    `given_on`, given (asked for or not) by `authority` on that date.

    At least one of the two dates is needed; an assurance of type "other" must say in `text`
    what it assures.
    """
    today = today or timezone.localdate()
    request = _lock_request(request)
    authorize(actor, Action.RECORD_EVENT, unit_id=request.unit_id)
    if request.kind != Kind.EXTRADITION:
        raise ValidationError(_("Only extradition requests have assurances."))
    if type not in Assurance.Type.values:
        raise ValidationError(
            _("The assurance must be one of %(types)s, not “%(value)s”.")
            % {"types": ", ".join(Assurance.Type.values), "value": type},
            extra={"field": "type"},
        )
    text = _text(text, field="text", limit=TEXT_MAX_LENGTH)
    if type == Assurance.Type.OTHER and not text:
        raise ValidationError(
            _("Say what the assurance is about: its type is “other”."), extra={"field": "text"}
        )
    if requested_on is None and given_on is None:
        raise ValidationError(
            _("Give the date the assurance was requested, or the date it was given."),
            extra={"field": "requested_on"},
        )
    _not_future(requested_on, today=today, field="requested_on")
    assurance = Assurance(
        request=request, type=type, text=text, requested_on=requested_on, authority=""
    )
    if given_on is not None:
        _give(assurance, given_on=given_on, authority=authority, today=today)
    elif authority.strip():
        assurance.authority = _text(authority, field="authority", limit=AUTHORITY_MAX_LENGTH)
    assurance.save()
    audit_record(
        actor=actor,
        action="assurance_request",
        object_type="assurance",
        object_id=assurance.pk,
        after=assurance_snapshot(assurance),
    )
    return assurance


@transaction.atomic
def assurance_record_given(
    *,
    actor: Actor,
    assurance: Assurance,
    given_on: date,
    authority: str,
    text: str | None = None,
    today: date | None = None,
) -> Assurance:
    """Record that a requested assurance was given by `authority` on `given_on`, with its terms
    in `text` when they are now known (None keeps the terms recorded so far)."""
    today = today or timezone.localdate()
    assurance, _request = _lock_assurance(actor, assurance)
    if assurance.status != Assurance.Status.REQUESTED:
        raise ValidationError(
            _("This assurance was already given on %(date)s.")
            % {"date": _iso(assurance.given_on) or "—"}
        )
    before = assurance_snapshot(assurance)
    if text is not None and text.strip():
        assurance.text = _text(text, field="text", limit=TEXT_MAX_LENGTH)
    _give(assurance, given_on=given_on, authority=authority, today=today)
    assurance.save()
    audit_record(
        actor=actor,
        action="assurance_record_given",
        object_type="assurance",
        object_id=assurance.pk,
        before=before,
        after=assurance_snapshot(assurance),
    )
    return assurance


@transaction.atomic
def assurance_follow_up_add(
    *,
    actor: Actor,
    assurance: Assurance,
    occurred_on: date,
    finding: str,
    note: str = "",
    today: date | None = None,
) -> AssuranceFollowUp:
    """Record what was learned on `occurred_on` about how a given assurance is kept.

    Only after the person was surrendered, on or after the day of surrender, and not once the
    monitoring was closed. A concern or a breach must be described in `note`.
    """
    today = today or timezone.localdate()
    assurance, request = _lock_assurance(actor, assurance)
    if assurance.status == Assurance.Status.REQUESTED:
        raise ValidationError(
            _("The assurance has not been given yet; record it as given before following it up.")
        )
    if assurance.status == Assurance.Status.MONITORING_CLOSED:
        raise ValidationError(
            _("Monitoring of this assurance was closed on %(date)s.")
            % {"date": _iso(assurance.closed_on)}
        )
    surrendered_on = _surrendered_on(request)
    if surrendered_on is None:
        raise ValidationError(
            _(
                "Follow-ups start once the person has been surrendered; record the surrender "
                "on the request first."
            )
        )
    if finding not in AssuranceFollowUp.Finding.values:
        raise ValidationError(
            _("The finding must be one of %(findings)s, not “%(value)s”.")
            % {"findings": ", ".join(AssuranceFollowUp.Finding.values), "value": finding},
            extra={"field": "finding"},
        )
    note = _text(note, field="note", limit=TEXT_MAX_LENGTH)
    if finding in (AssuranceFollowUp.Finding.CONCERN, AssuranceFollowUp.Finding.BREACHED) and (
        not note
    ):
        raise ValidationError(
            _("Describe the %(finding)s in the note.")
            % {"finding": AssuranceFollowUp.Finding(finding).label},
            extra={"field": "note"},
        )
    _not_future(occurred_on, today=today, field="occurred_on")
    if occurred_on < surrendered_on:
        raise ValidationError(
            _(
                "The follow-up of %(date)s is before the surrender of %(surrendered)s; "
                "follow-ups come after it."
            )
            % {"date": occurred_on.isoformat(), "surrendered": surrendered_on.isoformat()},
            extra={"field": "occurred_on"},
        )
    follow_up = AssuranceFollowUp.objects.create(
        assurance=assurance,
        occurred_on=occurred_on,
        finding=finding,
        note=note,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="assurance_follow_up_add",
        object_type="assurance_follow_up",
        object_id=follow_up.pk,
        after={
            "request": request.pk,
            "assurance": assurance.pk,
            "occurred_on": occurred_on.isoformat(),
            "finding": finding,
            "note": note,
        },
    )
    return follow_up


@transaction.atomic
def assurance_monitoring_close(
    *,
    actor: Actor,
    assurance: Assurance,
    closed_on: date,
    reason: str,
    today: date | None = None,
) -> Assurance:
    """Close the monitoring of a given assurance on `closed_on`, saying why (the person was
    released, the sentence served, the assurance no longer applies).

    A requested assurance that will never be given is closed the same way.
    """
    today = today or timezone.localdate()
    assurance, _request = _lock_assurance(actor, assurance)
    if assurance.status == Assurance.Status.MONITORING_CLOSED:
        raise ValidationError(
            _("Monitoring of this assurance was already closed on %(date)s.")
            % {"date": _iso(assurance.closed_on)}
        )
    reason = _text(reason, field="reason", limit=TEXT_MAX_LENGTH)
    if not reason:
        raise ValidationError(
            _("Say why monitoring of the assurance ends."), extra={"field": "reason"}
        )
    _not_future(closed_on, today=today, field="closed_on")
    earliest = max(
        (
            day
            for day in (
                assurance.requested_on,
                assurance.given_on,
                assurance.follow_ups.aggregate(last=Max("occurred_on"))["last"],
            )
            if day is not None
        ),
        default=None,
    )
    if earliest is not None and closed_on < earliest:
        raise ValidationError(
            _(
                "Monitoring cannot close on %(date)s, before the last thing recorded about "
                "the assurance on %(earliest)s."
            )
            % {"date": closed_on.isoformat(), "earliest": earliest.isoformat()},
            extra={"field": "closed_on"},
        )
    before = assurance_snapshot(assurance)
    assurance.status = Assurance.Status.MONITORING_CLOSED
    assurance.closed_on = closed_on
    assurance.closing_reason = reason
    assurance.save()
    audit_record(
        actor=actor,
        action="assurance_monitoring_close",
        object_type="assurance",
        object_id=assurance.pk,
        before=before,
        after=assurance_snapshot(assurance),
    )
    return assurance


def _give(assurance: Assurance, *, given_on: date, authority: str, today: date) -> None:
    authority = _text(authority, field="authority", limit=AUTHORITY_MAX_LENGTH)
    if not authority:
        raise ValidationError(
            _("Name the authority that gave the assurance."), extra={"field": "authority"}
        )
    _not_future(given_on, today=today, field="given_on")
    if assurance.requested_on is not None and given_on < assurance.requested_on:
        raise ValidationError(
            _("The assurance cannot be given on %(given)s, before it was requested on %(asked)s.")
            % {"given": given_on.isoformat(), "asked": assurance.requested_on.isoformat()},
            extra={"field": "given_on"},
        )
    assurance.status = Assurance.Status.GIVEN
    assurance.given_on = given_on
    assurance.authority = authority


def _lock_request(request: Request) -> Request:
    audit_chain_reserve()
    return Request.objects.select_for_update().get(pk=request.pk)


def _lock_assurance(actor: Actor, assurance: Assurance) -> tuple[Assurance, Request]:
    request = _lock_request(Request(pk=assurance.request_id))
    authorize(actor, Action.RECORD_EVENT, unit_id=request.unit_id)
    locked = Assurance.objects.select_for_update().filter(pk=assurance.pk, request=request).first()
    if locked is None:
        raise NotFoundError(_("The assurance no longer exists."))
    return locked, request


def _surrendered_on(request: Request) -> date | None:
    """Return the day the person was surrendered, if the request's status says they were."""
    if request.status != Status.SURRENDERED:
        return None
    return (
        Event.objects.filter(request=request, type=Event.Type.SURRENDERED)
        .order_by("-recorded_at", "-id")
        .values_list("occurred_on", flat=True)
        .first()
    )


def _text(value: str, *, field: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise ValidationError(
            _("This text is %(length)d characters long; keep it within %(limit)d.")
            % {"length": len(value), "limit": limit},
            extra={"field": field},
        )
    return value


def _not_future(day: date | None, *, today: date, field: str) -> None:
    if day is not None and day > today:
        raise ValidationError(
            _("The date %(date)s is in the future.") % {"date": day.isoformat()},
            extra={"field": field},
        )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


# --- Reads -------------------------------------------------------------------------------------


def request_assurances(*, request: Request) -> list[Assurance]:
    """Return the assurances of a request, oldest first, each with its follow-ups."""
    return list(request.assurances.prefetch_related("follow_ups__recorded_by").order_by("id"))


def request_assurance_get(*, request: Request, assurance_id: int) -> Assurance:
    """Return an assurance of `request`, or raise NotFoundError."""
    assurance = request.assurances.filter(pk=assurance_id).first()
    if assurance is None:
        raise NotFoundError(_("The request has no assurance %(id)s.") % {"id": assurance_id})
    return assurance


def request_surrendered_on(*, request: Request) -> date | None:
    """Return the day the person sought in `request` was surrendered, or None."""
    return _surrendered_on(request)


@dataclass(frozen=True)
class AwaitingMonitoring:
    """A given assurance on a surrendered extradition whose monitoring is still open."""

    assurance: Assurance
    surrendered_on: date
    last_follow_up_on: date | None
    days_since: int


def assurances_awaiting_monitoring(
    *, user: Any, today: date | None = None
) -> list[AwaitingMonitoring]:
    """Return the given assurances on surrendered extradition requests `user` may see whose
    monitoring is not closed, with the date of their last follow-up and the days since.

    The days count from the last follow-up, or from the surrender when there was none yet: the
    time the office has gone without news of how the assurance is kept. The longest comes first,
    then the oldest assurance. Everything is computed by the database.
    """
    today = today or timezone.localdate()
    rows = _awaiting_monitoring(user=user, today=today)
    return [
        AwaitingMonitoring(
            assurance=row,
            surrendered_on=row.surrendered_on,
            last_follow_up_on=row.last_follow_up_on,
            days_since=row.days_since.days,
        )
        for row in rows
    ]


def _awaiting_monitoring(*, user: Any, today: date) -> QuerySet[Assurance]:
    surrender = (
        Event.objects.filter(request=OuterRef("request"), type=Event.Type.SURRENDERED)
        .order_by("-recorded_at", "-id")
        .values("occurred_on")[:1]
    )
    return (
        Assurance.objects.filter(
            status=Assurance.Status.GIVEN,
            request__kind=Kind.EXTRADITION,
            request__status=Status.SURRENDERED,
            request__in=requests_visible_to(user),
        )
        .select_related("request__country", "request__unit")
        .annotate(
            surrendered_on=Subquery(surrender, output_field=DateField()),
            last_follow_up_on=Max("follow_ups__occurred_on"),
        )
        .annotate(since=Coalesce(F("last_follow_up_on"), F("surrendered_on")))
        .annotate(
            days_since=ExpressionWrapper(
                Value(today, output_field=DateField()) - F("since"),
                output_field=DurationField(),
            )
        )
        .order_by(F("since").asc(nulls_first=True), "id")
    )
