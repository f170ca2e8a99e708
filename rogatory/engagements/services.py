"""Changes to engagements. Every change is one transaction with its audit record inside it.

Who may change what:
- any clerk (or more) records a new engagement, for one of their own units;
- the fields, the documents and the withdrawal of an engagement belong to the unit that recorded
  it: its clerks and every supervisor may change them;
- a link between an engagement and a request belongs to the request: a clerk who may work on
  the request may link it to any engagement, or remove that link.

An engagement is never deleted. One entered by mistake is withdrawn, with a reason: it leaves
the lists and the country timelines, but its page, its documents and its audit trail stay, so
that nothing a request or the audit trail points at disappears.

Every audit record about an engagement has object type "engagement" and the engagement's id, so
that its whole history is one lookup; records of a link also name the request, which files them
in that request's history too.
"""

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

from rogatory.accounts.models import Unit
from rogatory.accounts.permissions import (
    Action,
    authorize,
    user_may_access_unit,
    user_unit_ids,
)
from rogatory.accounts.services import unit_default_ensure
from rogatory.audit.services import audit_chain_reserve, audit_record, audit_view
from rogatory.core.exceptions import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from rogatory.reference.models import Country
from rogatory.register.models import Request
from rogatory.register.storage import document_stored, stored_file_open

from .models import Engagement, EngagementDocument, EngagementRequest
from .selectors import engagement_document

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | None

EDITABLE_FIELDS = (
    "kind",
    "title",
    "held_on",
    "countries",
    "our_authority",
    "their_authority",
    "participants",
    "topics",
    "outcomes",
    "follow_up",
)
_TEXT_FIELDS = ("participants", "topics", "outcomes", "follow_up")
_LINE_FIELDS = {"title": 300, "our_authority": 300, "their_authority": 300}


def engagement_snapshot(engagement: Engagement) -> dict[str, Any]:
    """Return the engagement's fields as the audit trail records them."""
    return {
        "kind": engagement.kind,
        "title": engagement.title,
        "held_on": engagement.held_on.isoformat() if engagement.held_on else None,
        "countries": sorted(engagement.countries.values_list("code", flat=True)),
        "our_authority": engagement.our_authority,
        "their_authority": engagement.their_authority,
        "participants": engagement.participants,
        "topics": engagement.topics,
        "outcomes": engagement.outcomes,
        "follow_up": engagement.follow_up,
        "unit": engagement.unit_id,
        "version": engagement.version,
        "withdrawn": engagement.withdrawn,
        "withdrawal_reason": engagement.withdrawal_reason,
    }


def engagement_fields_check(values: dict[str, Any]) -> dict[str, Any]:
    """Return the engagement fields in `values` cleaned, or raise ValidationError naming one.

    `values` holds some or all of EDITABLE_FIELDS; only those present are checked.
    """
    cleaned = dict(values)
    if "kind" in cleaned and cleaned["kind"] not in Engagement.Kind.values:
        raise ValidationError(
            _(
                "The kind of engagement must be one of %(kinds)s, not “%(value)s”.",
            )
            % {"kinds": ", ".join(Engagement.Kind.values), "value": cleaned["kind"]},
            extra={"field": "kind"},
        )
    for name, limit in _LINE_FIELDS.items():
        if name not in cleaned:
            continue
        text = " ".join(str(cleaned[name] or "").split())
        if len(text) > limit:
            raise ValidationError(
                _("The %(field)s may have at most %(limit)d characters; it has %(length)d.")
                % {"field": _field_label(name), "limit": limit, "length": len(text)},
                extra={"field": name},
            )
        cleaned[name] = text
    if "title" in cleaned and not cleaned["title"]:
        raise ValidationError(
            _("Give the engagement a subject, such as “Meeting with the Anti-Corruption Agency”."),
            extra={"field": "title"},
        )
    for name in _TEXT_FIELDS:
        if name in cleaned:
            cleaned[name] = str(cleaned[name] or "").strip()
    if "held_on" in cleaned and not isinstance(cleaned["held_on"], date):
        raise ValidationError(
            _("An engagement needs the date it took place."), extra={"field": "held_on"}
        )
    if "countries" in cleaned:
        countries = list(dict.fromkeys(cleaned["countries"] or ()))
        if not countries:
            raise ValidationError(
                _("Name at least one state the engagement was with."), extra={"field": "countries"}
            )
        if not all(isinstance(country, Country) for country in countries):
            raise ValidationError(
                _("The states of an engagement must be countries of the reference data."),
                extra={"field": "countries"},
            )
        cleaned["countries"] = countries
    return cleaned


@transaction.atomic
def engagement_create(
    *,
    actor: Actor,
    kind: str,
    title: str,
    held_on: date,
    countries: Iterable[Country],
    our_authority: str = "",
    their_authority: str = "",
    participants: str = "",
    topics: str = "",
    outcomes: str = "",
    follow_up: str = "",
    unit: Unit | None = None,
) -> Engagement:
    """Record an engagement with the authorities of one or more states, for `unit`.

    Without `unit` it goes to the actor's only unit (or the default unit for the command line).
    """
    unit = unit or _unit_of(actor)
    authorize(actor, Action.REGISTER)
    if not user_may_access_unit(actor, unit.pk):
        raise PermissionDeniedError(
            _("You cannot record engagements for %(unit)s, a unit you do not work in.")
            % {"unit": unit.name}
        )
    audit_chain_reserve()
    cleaned = engagement_fields_check(
        {
            "kind": kind,
            "title": title,
            "held_on": held_on,
            "countries": list(countries),
            "our_authority": our_authority,
            "their_authority": their_authority,
            "participants": participants,
            "topics": topics,
            "outcomes": outcomes,
            "follow_up": follow_up,
        }
    )
    chosen = cleaned.pop("countries")
    engagement = Engagement.objects.create(unit=unit, created_by=actor, **cleaned)
    engagement.countries.set(chosen)
    audit_record(
        actor=actor,
        action="engagement_create",
        object_type="engagement",
        object_id=engagement.pk,
        after=engagement_snapshot(engagement),
    )
    return engagement


@transaction.atomic
def engagement_update(
    *,
    actor: Actor,
    engagement: Engagement,
    expected_version: int | None = None,
    **changes: Any,
) -> Engagement:
    """Change the fields of an engagement.

    With `expected_version`, refuse the change if someone changed the engagement since the user
    read that version, so that one of two simultaneous edits cannot silently undo the other.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    engagement = _lock(engagement)
    _authorize_change(actor, engagement)
    _check_version(engagement, expected_version)
    _check_not_withdrawn(engagement)
    cleaned = engagement_fields_check(changes)
    before = engagement_snapshot(engagement)
    chosen = cleaned.pop("countries", None)
    for field, value in cleaned.items():
        setattr(engagement, field, value)
    after = {**engagement_snapshot(engagement)}
    if chosen is not None:
        after["countries"] = sorted(country.pk for country in chosen)
    if after == before:
        return engagement
    engagement.version += 1
    engagement.save()
    if chosen is not None:
        engagement.countries.set(chosen)
    audit_record(
        actor=actor,
        action="engagement_update",
        object_type="engagement",
        object_id=engagement.pk,
        before=before,
        after=engagement_snapshot(engagement),
    )
    return engagement


@transaction.atomic
def engagement_withdraw(
    *,
    actor: Actor,
    engagement: Engagement,
    reason: str,
    expected_version: int | None = None,
) -> Engagement:
    """Withdraw an engagement entered by mistake: it leaves the lists but is kept, with why."""
    engagement = _lock(engagement)
    _authorize_change(actor, engagement)
    _check_version(engagement, expected_version)
    _check_not_withdrawn(engagement)
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            _("Say why the engagement is withdrawn, such as “entered twice”."),
            extra={"field": "reason"},
        )
    before = engagement_snapshot(engagement)
    engagement.withdrawn_at = timezone.now()
    engagement.withdrawn_by = actor
    engagement.withdrawal_reason = reason
    engagement.version += 1
    engagement.save()
    audit_record(
        actor=actor,
        action="engagement_withdraw",
        object_type="engagement",
        object_id=engagement.pk,
        before=before,
        after=engagement_snapshot(engagement),
    )
    return engagement


@transaction.atomic
def engagement_link_request(
    *, actor: Actor, engagement: Engagement, request: Request, note: str = ""
) -> EngagementRequest:
    """Record that an engagement concerns a request the actor may work on."""
    authorize(actor, Action.RECORD_EVENT, unit_id=request.unit_id)
    engagement = _lock(engagement)
    _check_not_withdrawn(engagement)
    note = " ".join(note.split())
    if len(note) > 300:
        raise ValidationError(
            _("The note may have at most 300 characters; it has %(length)d.")
            % {"length": len(note)},
            extra={"field": "note"},
        )
    already = ValidationError(
        _("Request %(reference)s is already linked to this engagement.")
        % {"reference": request.reference},
        extra={"field": "reference"},
    )
    if EngagementRequest.objects.filter(engagement=engagement, request=request).exists():
        raise already
    try:
        with transaction.atomic():
            link = EngagementRequest.objects.create(
                engagement=engagement, request=request, note=note, created_by=actor
            )
    except IntegrityError:
        raise already from None
    audit_record(
        actor=actor,
        action="engagement_link_request",
        object_type="engagement",
        object_id=engagement.pk,
        after={"engagement": engagement.pk, "request": request.pk, "note": note},
    )
    return link


@transaction.atomic
def engagement_unlink_request(*, actor: Actor, engagement: Engagement, request: Request) -> None:
    """Remove the link between an engagement and a request the actor may work on."""
    authorize(actor, Action.RECORD_EVENT, unit_id=request.unit_id)
    engagement = _lock(engagement)
    link = EngagementRequest.objects.filter(engagement=engagement, request=request).first()
    if link is None:
        raise NotFoundError(
            _("Request %(reference)s is not linked to this engagement.")
            % {"reference": request.reference}
        )
    link.delete()
    audit_record(
        actor=actor,
        action="engagement_unlink_request",
        object_type="engagement",
        object_id=engagement.pk,
        before={"engagement": engagement.pk, "request": request.pk, "note": link.note},
    )


def engagement_document_attach(
    *,
    actor: Actor,
    engagement: Engagement,
    title: str,
    original_name: str,
    content: IO[bytes],
) -> EngagementDocument:
    """Keep a file with an engagement under a generated name, with its size, type and SHA-256.

    The same checks as for a request's documents apply (see `rogatory.register.documents`): a
    file larger than ROGATORY_MAX_UPLOAD_BYTES, of a type Rogatory does not keep, or whose
    content is not what its name says is refused and nothing is stored.
    """
    authorize(actor, Action.RECORD_EVENT)
    _authorize_change(actor, engagement)
    _check_not_withdrawn(engagement)
    with (
        document_stored(
            folder="engagements", original_name=original_name, content=content
        ) as stored,
        transaction.atomic(),
    ):
        engagement = _lock(engagement)
        _check_not_withdrawn(engagement)
        document = EngagementDocument.objects.create(
            engagement=engagement,
            title=" ".join(title.split())[:300] or stored.name[:300],
            original_name=stored.name,
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            storage_name=stored.storage_name,
            uploaded_by=actor,
        )
        audit_record(
            actor=actor,
            action="engagement_document_attach",
            object_type="engagement",
            object_id=engagement.pk,
            after={
                "document": document.pk,
                "title": document.title,
                "file_name": stored.name,
                "content_type": document.content_type,
                "size": stored.size,
                "sha256": document.sha256,
            },
        )
    return document


@dataclass(frozen=True)
class EngagementFile:
    """An engagement document's stored file, open for sending, with its type and file name."""

    document: EngagementDocument
    file: File
    content_type: str
    filename: str


def engagement_document_fetch(
    *, actor: Actor, engagement: Engagement, document_id: int
) -> EngagementFile:
    """Return a document of an engagement, its file open for download, recording who fetched it.

    `engagement` must come from `engagement_get`, which has checked that the actor may read it.
    The caller closes the file (a FileResponse does when it has sent it).
    """
    document = engagement_document(engagement=engagement, document_id=document_id)
    opened = stored_file_open(
        storage_name=document.storage_name,
        content_type=document.content_type,
        original_name=document.original_name,
        what=f"Engagement document {document.pk}",
        record_view=lambda: audit_view(
            actor=actor,
            object_type="engagement",
            object_id=engagement.pk,
            what={"document": document.pk, "title": document.title, "sha256": document.sha256},
        ),
    )
    return EngagementFile(
        document=document,
        file=opened.file,
        content_type=opened.content_type,
        filename=opened.filename,
    )


def engagement_may_change(user: Actor, engagement: Engagement) -> bool:
    """Return whether `user` may change the fields and documents of `engagement`."""
    try:
        _authorize_change(user, engagement)
    except PermissionDeniedError:
        return False
    return True


# --- Helpers -----------------------------------------------------------------------------------


def _authorize_change(actor: Actor, engagement: Engagement) -> None:
    authorize(actor, Action.RECORD_EVENT)
    if not user_may_access_unit(actor, engagement.unit_id):
        raise PermissionDeniedError(
            _(
                "This engagement was recorded by a unit you do not work in; only that unit or "
                "a supervisor may change it."
            )
        )


def _check_not_withdrawn(engagement: Engagement) -> None:
    if engagement.withdrawn:
        raise ValidationError(
            _("This engagement was withdrawn on %(date)s and can no longer be changed.")
            % {"date": f"{timezone.localtime(engagement.withdrawn_at):%Y-%m-%d}"}
        )


def _check_version(engagement: Engagement, expected_version: int | None) -> None:
    if expected_version is None or engagement.version == expected_version:
        return
    raise ConflictError(
        _(
            "Someone else changed this engagement since you opened it (version %(current)d, "
            "you had %(expected)d). Reload it and make your change again."
        )
        % {"current": engagement.version, "expected": expected_version},
        extra={"field": "version", "version": engagement.version, "expected": expected_version},
    )


def _lock(engagement: Engagement) -> Engagement:
    """Return the engagement re-read under a row lock, so concurrent changes queue up."""
    audit_chain_reserve()
    return Engagement.objects.select_for_update().get(pk=engagement.pk)


def _unit_of(actor: Actor) -> Unit:
    """Return the unit a new engagement of `actor` goes to when they name none."""
    if actor is not None:
        units = user_unit_ids(actor)
        if len(units) == 1:
            return Unit.objects.get(pk=next(iter(units)))
        if units:
            raise ValidationError(
                _("You work in several units: choose the one the engagement is recorded for."),
                extra={"field": "unit"},
            )
    return unit_default_ensure()


def _field_label(name: str) -> str:
    return str(Engagement._meta.get_field(name).verbose_name)
