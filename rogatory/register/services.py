"""Changes to the register. Every change is one transaction with its audit record inside it."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rogatory.accounts.models import Unit
from rogatory.accounts.permissions import (
    Action,
    authorize,
    user_can,
    user_may_access_unit,
    user_unit_ids,
)
from rogatory.accounts.services import unit_default_ensure
from rogatory.audit.services import audit_chain_reserve, audit_record, audit_view
from rogatory.core.exceptions import (
    ConflictError,
    ValidationError,
)
from rogatory.deadlines.services import deadlines_refresh
from rogatory.reference.models import Country, OffenceCategory, RefusalGround, Treaty

from . import lifecycle
from .models import (
    Direction,
    Document,
    Event,
    Kind,
    Outcome,
    Person,
    Priority,
    Purpose,
    Request,
    RequestGround,
)
from .selectors import request_document, request_state
from .storage import document_stored, stored_file_open

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | None


_EDITABLE_FIELDS = (
    "counterpart_reference",
    "country",
    "counterpart_authority",
    "legal_basis",
    "domestic_case",
    "offence_category",
    "offence_description",
    "purpose",
    "persons_count",
    "notes",
    "priority",
    "priority_reason",
    "limitation_on",
    "responsible",
    "interpol_notice",
)


def request_snapshot(request: Request) -> dict[str, Any]:
    """Return the request's fields and projection as the audit trail records them."""
    return {
        "unit": request.unit_id,
        "direction": request.direction,
        "kind": request.kind,
        "reference": request.reference,
        "counterpart_reference": request.counterpart_reference,
        "country": request.country_id,
        "counterpart_authority": request.counterpart_authority,
        "legal_basis": request.legal_basis_id,
        "domestic_case": request.domestic_case,
        "offence_category": request.offence_category_id,
        "offence_description": request.offence_description,
        "money_laundering": request.money_laundering,
        "terrorist_financing": request.terrorist_financing,
        "purpose": request.purpose,
        "persons_count": request.persons_count,
        "notes": request.notes,
        "priority": request.priority,
        "priority_reason": request.priority_reason,
        "limitation_on": request.limitation_on.isoformat() if request.limitation_on else None,
        "responsible": request.responsible_id,
        "interpol_notice": request.interpol_notice,
        "status": request.status,
        "outcome": request.outcome,
        "opened_on": request.opened_on.isoformat() if request.opened_on else None,
        "decided_on": request.decided_on.isoformat() if request.decided_on else None,
        "political": request.political,
        "version": request.version,
    }


def request_attributes_check(
    *,
    kind: str,
    purpose: str,
    persons_count: int | None,
    money_laundering: object = False,
    terrorist_financing: object = False,
) -> tuple[str, int]:
    """Return the purpose and persons count a request of `kind` gets, or raise ValidationError.

    The FATF flags must be true or false: a None or a string is a caller's mistake that would
    otherwise be stored as whatever the database makes of it.
    """
    for name, flag in (
        ("money_laundering", money_laundering),
        ("terrorist_financing", terrorist_financing),
    ):
        if not isinstance(flag, bool):
            raise ValidationError(
                _("The flag %(field)s must be true or false, not “%(value)s”.")
                % {"field": name, "value": flag},
                extra={"field": name},
            )
    if kind == Kind.EXTRADITION:
        purpose = purpose or Purpose.PROSECUTION
        if purpose not in Purpose.values:
            raise ValidationError(
                _("The purpose must be prosecution or sentence, not “%(value)s”.")
                % {"value": purpose}
            )
        persons_count = 1 if persons_count is None else persons_count
        if persons_count < 1:
            raise ValidationError(_("An extradition request seeks at least one person."))
        return purpose, persons_count
    if purpose:
        raise ValidationError(_("Only extradition requests have a purpose."))
    if persons_count:
        raise ValidationError(_("Only extradition requests seek persons."))
    return "", 0


def request_priority_check(*, priority: str, priority_reason: str) -> str:
    """Return the reason for `priority` cleaned, or raise ValidationError.

    Urgent and high priorities jump the queue, so they must say why; a normal one needs no reason.
    """
    if priority not in Priority.values:
        raise ValidationError(
            _("The priority must be urgent, high or normal, not “%(value)s”.")
            % {"value": priority},
            extra={"field": "priority"},
        )
    priority_reason = priority_reason.strip()
    if priority != Priority.NORMAL and not priority_reason:
        raise ValidationError(
            _("Say why the request’s priority is %(priority)s.")
            % {"priority": Priority(priority).label},
            extra={"field": "priority_reason"},
        )
    return priority_reason


def request_responsible_check(*, responsible: Any, unit_id: int) -> None:
    """Raise ValidationError unless `responsible` is an active clerk or more of the unit."""
    if responsible is None:
        return
    if not (
        user_can(responsible, Action.RECORD_EVENT) and user_may_access_unit(responsible, unit_id)
    ):
        raise ValidationError(
            _("%(user)s cannot work on this unit's requests, so cannot be responsible for one.")
            % {"user": responsible.get_username()},
            extra={"field": "responsible"},
        )


@transaction.atomic
def request_register(
    *,
    actor: Actor,
    direction: str,
    kind: str,
    reference: str,
    country: Country,
    counterpart_reference: str = "",
    counterpart_authority: str = "",
    legal_basis: Treaty | None = None,
    domestic_case: str = "",
    offence_category: OffenceCategory | None = None,
    offence_description: str = "",
    purpose: str = "",
    persons_count: int | None = None,
    notes: str = "",
    registered_on: date | None = None,
    unit: Unit | None = None,
    money_laundering: bool = False,
    terrorist_financing: bool = False,
    priority: str = Priority.NORMAL,
    priority_reason: str = "",
    limitation_on: date | None = None,
    responsible: Any = None,
    interpol_notice: str = "",
) -> Request:
    """Enter a new request in the register as a draft, in `unit` or the actor's own unit.

    `money_laundering` and `terrorist_financing` flag what the ICCS category cannot tell apart,
    for the FATF statistics.
    """
    unit = unit or _unit_of(actor)
    authorize(actor, Action.REGISTER, unit_id=unit.pk)
    audit_chain_reserve()
    if direction not in Direction.values:
        raise ValidationError(
            _("The direction must be outgoing or incoming, not “%(value)s”.") % {"value": direction}
        )
    if kind not in Kind.values:
        raise ValidationError(
            _("The kind must be mla or extradition, not “%(value)s”.") % {"value": kind}
        )
    reference = reference.strip()
    if not reference:
        raise ValidationError(_("A request needs our reference."))
    duplicate = ValidationError(
        _("An %(direction)s request with reference “%(reference)s” is already registered.")
        % {"direction": Direction(direction).label, "reference": reference}
    )
    if Request.objects.filter(direction=direction, reference=reference).exists():
        raise duplicate
    purpose, persons_count = request_attributes_check(
        kind=kind,
        purpose=purpose,
        persons_count=persons_count,
        money_laundering=money_laundering,
        terrorist_financing=terrorist_financing,
    )
    priority_reason = request_priority_check(priority=priority, priority_reason=priority_reason)
    request_responsible_check(responsible=responsible, unit_id=unit.pk)
    registered_on = registered_on or timezone.localdate()
    _check_not_future(registered_on)
    try:
        # A savepoint, so that a clerk registering the same reference at the same moment gets
        # the message above rather than a broken transaction.
        with transaction.atomic():
            request = Request.objects.create(
                unit=unit,
                direction=direction,
                kind=kind,
                reference=reference,
                country=country,
                counterpart_reference=counterpart_reference,
                counterpart_authority=counterpart_authority,
                legal_basis=legal_basis,
                domestic_case=domestic_case,
                offence_category=offence_category,
                offence_description=offence_description,
                money_laundering=money_laundering,
                terrorist_financing=terrorist_financing,
                purpose=purpose,
                persons_count=persons_count,
                notes=notes,
                priority=priority,
                priority_reason=priority_reason,
                limitation_on=limitation_on,
                responsible=responsible,
                interpol_notice=interpol_notice.strip(),
            )
    except IntegrityError:
        raise duplicate from None
    Event.objects.create(
        request=request,
        type=Event.Type.REGISTERED,
        occurred_on=registered_on,
        recorded_by=actor,
    )
    deadlines_refresh(requests=[request])
    audit_record(
        actor=actor,
        action="request_register",
        object_type="request",
        object_id=request.pk,
        after=request_snapshot(request),
    )
    return request


@transaction.atomic
def request_update(
    *,
    actor: Actor,
    request: Request,
    expected_version: int | None = None,
    money_laundering: bool | None = None,
    terrorist_financing: bool | None = None,
    **changes: Any,
) -> Request:
    """Change the descriptive fields of a request (not its lifecycle, which only events change).

    With `expected_version`, refuse the change if someone changed the request since the user
    read that version, so that one of two simultaneous edits cannot silently undo the other.
    The FATF flags `money_laundering` and `terrorist_financing` stay as they are when None.
    """
    unknown = set(changes) - set(_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    request = _lock(request)
    authorize(actor, Action.RECORD_EVENT, unit_id=request.unit_id)
    if expected_version is not None and request.version != expected_version:
        raise ConflictError(
            _(
                "Someone else changed this request since you opened it (version %(current)d, "
                "you had %(expected)d). Reload it and make your change again."
            )
            % {"current": request.version, "expected": expected_version}
        )
    before = request_snapshot(request)
    for field, value in changes.items():
        setattr(request, field, value)
    if money_laundering is not None:
        request.money_laundering = money_laundering
    if terrorist_financing is not None:
        request.terrorist_financing = terrorist_financing
    request.purpose, request.persons_count = request_attributes_check(
        kind=request.kind,
        purpose=request.purpose,
        persons_count=request.persons_count,
        money_laundering=request.money_laundering,
        terrorist_financing=request.terrorist_financing,
    )
    request.priority_reason = request_priority_check(
        priority=request.priority, priority_reason=request.priority_reason
    )
    request.interpol_notice = request.interpol_notice.strip()
    if "responsible" in changes:
        request_responsible_check(responsible=request.responsible, unit_id=request.unit_id)
    named = request.persons.count()
    if request.persons_count < named:
        raise ValidationError(
            ngettext(
                "The request names %(named)d person; it cannot seek fewer.",
                "The request names %(named)d persons; it cannot seek fewer.",
                named,
            )
            % {"named": named}
        )
    after = request_snapshot(request)
    if after == before:
        return request
    request.version += 1
    request.save()
    deadlines_refresh(requests=[request])
    audit_record(
        actor=actor,
        action="request_update",
        object_type="request",
        object_id=request.pk,
        before=before,
        after=request_snapshot(request),
    )
    return request


def request_record_sent(
    *,
    actor: Actor,
    request: Request,
    sent_on: date,
    note: str = "",
    expected_version: int | None = None,
) -> Event:
    """Record that we sent an outgoing request to the requested state."""
    return _record(
        action="request_record_sent",
        actor=actor,
        request=request,
        type=Event.Type.SENT,
        on=sent_on,
        note=note,
        expected_version=expected_version,
    )


def request_record_received(
    *,
    actor: Actor,
    request: Request,
    received_on: date,
    note: str = "",
    expected_version: int | None = None,
) -> Event:
    """Record that we received an incoming request from the requesting state."""
    return _record(
        action="request_record_received",
        actor=actor,
        request=request,
        type=Event.Type.RECEIVED,
        on=received_on,
        note=note,
        expected_version=expected_version,
    )


def request_record_acknowledged(
    *,
    actor: Actor,
    request: Request,
    acknowledged_on: date,
    note: str = "",
    expected_version: int | None = None,
) -> Event:
    """Record that the receipt of the request was acknowledged."""
    return _record(
        action="request_record_acknowledged",
        actor=actor,
        request=request,
        type=Event.Type.ACKNOWLEDGED,
        on=acknowledged_on,
        note=note,
        expected_version=expected_version,
    )


def request_record_supplementary_requested(
    *,
    actor: Actor,
    request: Request,
    requested_on: date,
    note: str = "",
    expected_version: int | None = None,
) -> Event:
    """Record that the requested state asked for supplementary information."""
    return _record(
        action="request_record_supplementary_requested",
        actor=actor,
        request=request,
        type=Event.Type.SUPPLEMENTARY_REQUESTED,
        on=requested_on,
        note=note,
        expected_version=expected_version,
    )


def request_record_supplementary_provided(
    *,
    actor: Actor,
    request: Request,
    provided_on: date,
    note: str = "",
    expected_version: int | None = None,
) -> Event:
    """Record that the supplementary information asked for was provided."""
    return _record(
        action="request_record_supplementary_provided",
        actor=actor,
        request=request,
        type=Event.Type.SUPPLEMENTARY_PROVIDED,
        on=provided_on,
        note=note,
        expected_version=expected_version,
    )


def request_record_provisional_arrest(
    *,
    actor: Actor,
    request: Request,
    arrested_on: date,
    note: str = "",
    expected_version: int | None = None,
) -> Event:
    """Record the provisional arrest of the person sought in an extradition request."""
    return _record(
        action="request_record_provisional_arrest",
        actor=actor,
        request=request,
        type=Event.Type.PROVISIONAL_ARREST,
        on=arrested_on,
        note=note,
        expected_version=expected_version,
    )


def request_record_hearing(
    *,
    actor: Actor,
    request: Request,
    held_on: date,
    note: str = "",
    expected_version: int | None = None,
) -> Event:
    """Record a court hearing in an extradition case."""
    return _record(
        action="request_record_hearing",
        actor=actor,
        request=request,
        type=Event.Type.HEARING,
        on=held_on,
        note=note,
        expected_version=expected_version,
    )


def request_record_decision(
    *,
    actor: Actor,
    request: Request,
    outcome: str,
    decided_on: date,
    grounds: Iterable[RefusalGround] = (),
    political: bool | None = None,
    political_reason: str = "",
    note: str = "",
    expected_version: int | None = None,
) -> Event:
    """Record the decision on a request: executed, partially executed, granted, refused, withdrawn.

    A refusal counts as political when any of its grounds does by default, unless `political`
    overrides that, which needs a `political_reason`.
    """
    grounds = list(grounds)
    political_flag, overridden = refusal_political(
        outcome=outcome, grounds=grounds, political=political, political_reason=political_reason
    )
    return _record(
        action="request_record_decision",
        actor=actor,
        request=request,
        type=Event.Type.DECIDED,
        on=decided_on,
        note=note,
        outcome=outcome,
        grounds=grounds,
        political=political_flag,
        political_overridden=overridden,
        reason=political_reason.strip() if overridden else "",
        expected_version=expected_version,
    )


def refusal_political(
    *,
    outcome: str,
    grounds: list[RefusalGround],
    political: bool | None,
    political_reason: str = "",
    require_reason: bool = True,
) -> tuple[bool | None, bool]:
    """Return whether a decision counts as political, and whether that overrides its grounds."""
    if outcome != Outcome.REFUSED:
        if political is not None:
            raise ValidationError(_("Only a refusal can be classified as political."))
        return None, False
    default = any(ground.counts_as_political for ground in grounds)
    if political is None or political == default:
        return default, False
    if require_reason and not political_reason.strip():
        raise ValidationError(
            _("Overriding the political classification of the grounds needs a reason.")
        )
    return political, True


def request_record_surrender(
    *,
    actor: Actor,
    request: Request,
    surrendered_on: date,
    note: str = "",
    expected_version: int | None = None,
) -> Event:
    """Record that the person sought was surrendered after extradition was granted."""
    return _record(
        action="request_record_surrender",
        actor=actor,
        request=request,
        type=Event.Type.SURRENDERED,
        on=surrendered_on,
        note=note,
        expected_version=expected_version,
    )


def request_reopen(
    *,
    actor: Actor,
    request: Request,
    reopened_on: date,
    reason: str,
    expected_version: int | None = None,
) -> Event:
    """Re-open a decided request (an appeal, a resubmission), keeping its history."""
    if not reason.strip():
        raise ValidationError(_("Re-opening a decided request needs a reason."))
    return _record(
        action="request_reopen",
        actor=actor,
        request=request,
        type=Event.Type.REOPENED,
        on=reopened_on,
        reason=reason.strip(),
        expected_version=expected_version,
    )


def request_correct_opening(
    *,
    actor: Actor,
    request: Request,
    opened_on: date,
    reason: str,
    expected_version: int | None = None,
) -> Event:
    """Correct the date a request was sent or received, keeping the original in its history."""
    if not reason.strip():
        raise ValidationError(_("Correcting the opening date needs a reason."))
    return _record(
        action="request_correct_opening",
        actor=actor,
        request=request,
        type=Event.Type.OPENING_CORRECTED,
        on=opened_on,
        reason=reason.strip(),
        expected_version=expected_version,
    )


@transaction.atomic
def person_add(
    *,
    actor: Actor,
    request: Request,
    full_name: str,
    born_on: date | None = None,
    nationality: Country | None = None,
    in_custody: bool = False,
    identification: str = "",
    note: str = "",
) -> Person:
    """Name a person sought in an extradition request."""
    request = _lock(request)
    authorize(actor, Action.RECORD_EVENT, unit_id=request.unit_id)
    if request.kind != Kind.EXTRADITION:
        raise ValidationError(_("Only extradition requests seek persons."))
    full_name = full_name.strip()
    if not full_name:
        raise ValidationError(_("A person sought needs a name."))
    if born_on is not None:
        _check_not_future(born_on)
    person = Person.objects.create(
        request=request,
        full_name=full_name,
        born_on=born_on,
        nationality=nationality,
        in_custody=in_custody,
        identification=identification.strip(),
        note=note,
    )
    named = request.persons.count()
    if named > request.persons_count:
        request.persons_count = named
    request.version += 1
    request.save(update_fields=["persons_count", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="person_add",
        object_type="person",
        object_id=person.pk,
        after={
            "request": request.pk,
            "full_name": person.full_name,
            "born_on": born_on.isoformat() if born_on else None,
            "nationality": nationality.pk if nationality else None,
            "in_custody": in_custody,
            "identification": person.identification,
        },
    )
    return person


def document_attach(
    *,
    actor: Actor,
    request: Request,
    kind: str,
    title: str,
    original_name: str,
    content: IO[bytes],
    content_type: str = "",
) -> Document:
    """Store a file with a request under a generated name, with its size, type and SHA-256.

    The file is refused (DocumentRefused, nothing stored) when it is larger than
    ROGATORY_MAX_UPLOAD_BYTES, or when its content is not a type Rogatory keeps or not what
    its name says. The type stored is the one read from the content; `content_type`, the
    type a browser claimed, is not trusted and not used. `original_name` is kept as data only.
    """
    authorize(actor, Action.RECORD_EVENT, unit_id=request.unit_id)
    if kind not in Document.Kind.values:
        raise ValidationError(_("Unknown document kind “%(kind)s”.") % {"kind": kind})
    with (
        document_stored(folder="documents", original_name=original_name, content=content) as stored,
        transaction.atomic(),
    ):
        request = _lock(request)
        document = Document.objects.create(
            request=request,
            kind=kind,
            title=title.strip()[:300] or stored.name[:300],
            original_name=stored.name,
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            storage_name=stored.storage_name,
            uploaded_by=actor,
        )
        audit_record(
            actor=actor,
            action="document_attach",
            object_type="document",
            object_id=document.pk,
            after={
                "request": request.pk,
                "title": document.title,
                "size": stored.size,
                "sha256": document.sha256,
            },
        )
    return document


@dataclass(frozen=True)
class DocumentFile:
    """A document's stored file, open for sending, with the type and file name to send it as."""

    document: Document
    file: File
    content_type: str
    filename: str


def document_fetch(*, actor: Actor, request: Request, document_id: int) -> DocumentFile:
    """Return a document of a request, its file open for download, recording who fetched it.

    `request` must come from `request_get`, which has checked that the actor may see it. The
    caller closes the file (a FileResponse does when it has sent it).
    """
    document = request_document(request=request, document_id=document_id)
    opened = stored_file_open(
        storage_name=document.storage_name,
        content_type=document.content_type,
        original_name=document.original_name,
        what=f"Document {document.pk}",
        record_view=lambda: audit_view(
            actor=actor,
            object_type="document",
            object_id=document.pk,
            what={"request": request.pk, "title": document.title, "sha256": document.sha256},
        ),
    )
    return DocumentFile(
        document=document,
        file=opened.file,
        content_type=opened.content_type,
        filename=opened.filename,
    )


@transaction.atomic
def _record(
    *,
    action: str,
    actor: Actor,
    request: Request,
    type: str,
    on: date,
    note: str = "",
    outcome: str = "",
    grounds: list[RefusalGround] | None = None,
    political: bool | None = None,
    political_overridden: bool = False,
    reason: str = "",
    expected_version: int | None = None,
) -> Event:
    """Record one event, checked against the request's lifecycle and, if given, its version.

    The version is compared under the row lock that `_lock` takes, so that of two clerks who
    read the same version and record at the same moment, the second gets a ConflictError.
    """
    _check_not_future(on)
    request = _lock(request)
    needed = Action.REOPEN if type == Event.Type.REOPENED else Action.RECORD_EVENT
    authorize(actor, needed, unit_id=request.unit_id)
    _check_version(request, expected_version)
    before = request_snapshot(request)
    grounds = grounds or []
    change = lifecycle.Change(
        type=type,
        occurred_on=on,
        outcome=outcome,
        political=political,
        ground_codes=tuple(ground.code for ground in grounds),
    )
    state = lifecycle.apply(request_state(request=request), change)
    event = Event.objects.create(
        request=request,
        type=type,
        occurred_on=on,
        recorded_by=actor,
        outcome=outcome,
        political=political,
        political_overridden=political_overridden,
        reason=reason,
        note=note,
    )
    if grounds:
        event.grounds.set(grounds)
    request_project(request=request, state=state)
    request.version += 1
    request.save()
    deadlines_refresh(requests=[request])
    audit_record(
        actor=actor,
        action=action,
        object_type="request",
        object_id=request.pk,
        before=before,
        after={**request_snapshot(request), "event": event.pk},
    )
    return event


def request_project(*, request: Request, state: lifecycle.State) -> None:
    """Copy a lifecycle state onto the request's projection (grounds are written at once)."""
    request_project_fields(request=request, state=state)
    current = set(RequestGround.objects.filter(request=request).values_list("ground_id", flat=True))
    wanted = set(state.ground_codes)
    if current != wanted:
        RequestGround.objects.filter(request=request).exclude(ground_id__in=wanted).delete()
        RequestGround.objects.bulk_create(
            RequestGround(request=request, ground_id=code) for code in wanted - current
        )


def request_project_fields(*, request: Request, state: lifecycle.State) -> None:
    """Copy a lifecycle state onto the request's projected fields, not yet saved."""
    request.status = state.status
    request.outcome = state.outcome
    request.opened_on = state.opened_on
    request.decided_on = state.decided_on
    request.political = state.political


def _unit_of(actor: Actor) -> Unit:
    """Return the unit a new request of `actor` goes to when they name none."""
    if actor is not None:
        units = user_unit_ids(actor)
        if len(units) == 1:
            return Unit.objects.get(pk=next(iter(units)))
    return unit_default_ensure()


def _lock(request: Request) -> Request:
    """Return the request re-read under a row lock, so concurrent events queue up."""
    audit_chain_reserve()
    return Request.objects.select_for_update().get(pk=request.pk)


def _check_version(request: Request, expected_version: int | None) -> None:
    """Refuse a change made on a version of `request` (locked) that someone has since changed."""
    if expected_version is None or request.version == expected_version:
        return
    latest = (
        Event.objects.filter(request=request)
        .select_related("recorded_by")
        .order_by("-recorded_at", "-id")
        .first()
    )
    message = _(
        "Someone else changed this request since you read it (it is now at version "
        "%(current)d, you had version %(expected)d)."
    ) % {"current": request.version, "expected": expected_version}
    if latest is not None:
        who = latest.recorded_by.get_username() if latest.recorded_by else _("the system")
        message += " " + _(
            "The latest event is “%(event)s” of %(date)s, recorded by %(who)s at %(at)s."
        ) % {
            "event": latest.get_type_display(),
            "date": latest.occurred_on.isoformat(),
            "who": who,
            "at": f"{timezone.localtime(latest.recorded_at):%Y-%m-%d %H:%M}",
        }
    message += " " + _(
        "Check the request's history and record your event again if it still applies."
    )
    raise ConflictError(
        message,
        extra={"field": "version", "version": request.version, "expected": expected_version},
    )


def _check_not_future(on: date) -> None:
    if on > timezone.localdate():
        raise ValidationError(_("The date %(date)s is in the future.") % {"date": on.isoformat()})
