"""Linked requests: requests that serve the same domestic case, parallel requests to several
states, and an extradition with the legal assistance requests that go with it.

A link is stored once, from the request it was made on to the other one, and read from both
ends. Whoever makes or removes a link must be able to see and change both requests; whoever
reads a request sees its links, and a linked request they may not see is shown only as "a
request of another unit", never with its reference or any other of its data.
"""

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from rogatory.accounts.permissions import Action, authorize, user_can, user_may_access_unit
from rogatory.audit.services import audit_chain_reserve, audit_record
from rogatory.core.exceptions import NotFoundError, ValidationError

from .models import Kind, Request, RequestLink
from .selectors import requests_visible_to

Actor = Any

# A note on a link says why the requests belong together; it is kept short enough to read.
NOTE_MAX_LENGTH = 2000


# --- Changes -----------------------------------------------------------------------------------


@transaction.atomic
def link_add(
    *, actor: Actor, source: Request, target: Request, type: str, note: str = ""
) -> RequestLink:
    """Link two requests, from `source` (the request the user is on) to `target`.

    Refused when the actor cannot change both requests, when a request would be linked to
    itself, when the two are already linked (either way round), when an extradition-and-legal-
    assistance link does not join one extradition with one legal assistance request, when
    parallel requests do not go to (or come from) different states in the same direction, and
    when a same-case link joins requests that name different domestic cases.
    """
    audit_chain_reserve()
    if type not in RequestLink.Type.values:
        raise ValidationError(
            _("The link must be one of %(types)s, not “%(value)s”.")
            % {"types": ", ".join(RequestLink.Type.values), "value": type},
            extra={"field": "type"},
        )
    if source.pk == target.pk:
        raise ValidationError(
            _("A request cannot be linked to itself."), extra={"field": "reference"}
        )
    # Both requests are locked in the order of their ids, so two clerks linking the same pair
    # from its two ends at the same moment queue up and the second is told it exists.
    locked = {
        request.pk: request
        for request in Request.objects.select_for_update()
        .filter(pk__in=[source.pk, target.pk])
        .order_by("pk")
    }
    if len(locked) != 2:
        raise NotFoundError(_("One of the two requests no longer exists."))
    source, target = locked[source.pk], locked[target.pk]
    authorize(actor, Action.RECORD_EVENT, unit_id=source.unit_id)
    authorize(actor, Action.RECORD_EVENT, unit_id=target.unit_id)
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            _("The note is %(length)d characters long; keep it within %(limit)d.")
            % {"length": len(note), "limit": NOTE_MAX_LENGTH},
            extra={"field": "note"},
        )
    existing = link_between(first=source, second=target)
    if existing is not None:
        raise ValidationError(
            _("%(source)s and %(target)s are already linked (%(type)s).")
            % {
                "source": source.reference,
                "target": target.reference,
                "type": existing.get_type_display(),
            },
            extra={"field": "reference"},
        )
    link_type_check(source=source, target=target, type=type)
    try:
        with transaction.atomic():
            link = RequestLink.objects.create(
                source=source, target=target, type=type, note=note, created_by=actor
            )
    except IntegrityError:
        raise ValidationError(
            _("%(source)s and %(target)s are already linked.")
            % {"source": source.reference, "target": target.reference},
            extra={"field": "reference"},
        ) from None
    _audit(actor=actor, action="link_add", link=link, before=None, after=link_snapshot(link))
    return link


@transaction.atomic
def link_remove(*, actor: Actor, link: RequestLink) -> None:
    """Remove a link between two requests; the actor must be able to change both."""
    audit_chain_reserve()
    found = (
        RequestLink.objects.select_for_update()
        .select_related("source", "target")
        .filter(pk=link.pk)
        .first()
    )
    if found is None:
        raise NotFoundError(_("The link no longer exists; someone may have removed it."))
    authorize(actor, Action.RECORD_EVENT, unit_id=found.source.unit_id)
    authorize(actor, Action.RECORD_EVENT, unit_id=found.target.unit_id)
    snapshot = link_snapshot(found)
    link_id = found.pk
    found.delete()
    found.pk = link_id
    _audit(actor=actor, action="link_remove", link=found, before=snapshot, after=None)


def link_type_check(*, source: Request, target: Request, type: str) -> None:
    """Raise ValidationError unless two requests may be joined by a link of `type`."""
    if type == RequestLink.Type.EXTRADITION_MLA:
        if {source.kind, target.kind} != {Kind.EXTRADITION, Kind.MLA}:
            raise ValidationError(
                _(
                    "An extradition-and-legal-assistance link joins one extradition request "
                    "with one request for legal assistance; %(source)s and %(target)s are both "
                    "%(kind)s requests."
                )
                % {
                    "source": source.reference,
                    "target": target.reference,
                    "kind": Kind(source.kind).label,
                },
                extra={"field": "type"},
            )
    elif type == RequestLink.Type.PARALLEL:
        if source.direction != target.direction:
            raise ValidationError(
                _(
                    "Parallel requests all go out, or all come in: %(source)s is %(one)s and "
                    "%(target)s is %(other)s."
                )
                % {
                    "source": source.reference,
                    "target": target.reference,
                    "one": source.get_direction_display(),
                    "other": target.get_direction_display(),
                },
                extra={"field": "type"},
            )
        if source.country_id == target.country_id:
            raise ValidationError(
                _(
                    "Parallel requests go to different states; %(source)s and %(target)s are "
                    "both with %(country)s. Link them as the same domestic case instead."
                )
                % {
                    "source": source.reference,
                    "target": target.reference,
                    "country": source.country.name,
                },
                extra={"field": "type"},
            )
    elif type == RequestLink.Type.SAME_CASE:
        one, other = _case_key(source.domestic_case), _case_key(target.domestic_case)
        if one and other and one != other:
            raise ValidationError(
                _(
                    "%(source)s serves domestic case %(one)s and %(target)s serves %(other)s. "
                    "Correct the domestic case of one of them first, or choose another kind "
                    "of link."
                )
                % {
                    "source": source.reference,
                    "target": target.reference,
                    "one": source.domestic_case.strip(),
                    "other": target.domestic_case.strip(),
                },
                extra={"field": "type"},
            )


def link_snapshot(link: RequestLink) -> dict[str, Any]:
    """Return a link as the audit trail records it."""
    return {
        "source": link.source_id,
        "target": link.target_id,
        "type": link.type,
        "note": link.note,
    }


def _audit(
    *,
    actor: Actor,
    action: str,
    link: RequestLink,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    # An audit record is filed under one request, and a link belongs to two: one record is
    # written for each end, so that the audit trail of both requests shows the change.
    for request_id in (link.source_id, link.target_id):
        audit_record(
            actor=actor,
            action=action,
            object_type="request_link",
            object_id=link.pk,
            before={**before, "request": request_id} if before is not None else None,
            after={**after, "request": request_id} if after is not None else None,
        )


def _case_key(domestic_case: str) -> str:
    """Return a domestic case number as compared: without spaces around it, in any case."""
    return domestic_case.strip().casefold()


# --- Reads -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkView:
    """A link as seen from one of its requests.

    `other` is the request at the other end, or None when the viewer may not see it: the page
    then says "a request of another unit" and shows nothing of it, not even the note.
    `removable` says whether the viewer may remove the link (they can change both requests).
    """

    link: RequestLink
    other: Request | None
    outgoing: bool
    removable: bool

    @property
    def note(self) -> str:
        return self.link.note if self.other is not None else ""


@dataclass(frozen=True)
class LinkSuggestion:
    """A request the viewer may see that looks like it belongs with the one they are on."""

    request: Request
    reason: str
    type: str

    @property
    def type_label(self) -> str:
        return RequestLink.Type(self.type).label


def link_between(*, first: Request, second: Request) -> RequestLink | None:
    """Return the link between two requests, made from either end, or None."""
    return (
        RequestLink.objects.filter(Q(source=first, target=second) | Q(source=second, target=first))
        .order_by("id")
        .first()
    )


def request_links(*, user: Any, request: Request) -> list[LinkView]:
    """Return the links of `request` from both ends, oldest first, as `user` may see them.

    `request` must come from `request_get`, which checked that the user may see it.
    """
    visible = set(
        requests_visible_to(user)
        .filter(Q(links_from__target=request) | Q(links_to__source=request))
        .values_list("pk", flat=True)
    )
    links = (
        RequestLink.objects.filter(Q(source=request) | Q(target=request))
        .select_related("source__country", "target__country", "source__unit", "target__unit")
        .order_by("id")
    )
    may_change = user_can(user, Action.RECORD_EVENT)
    views = []
    for link in links:
        outgoing = link.source_id == request.pk
        other = link.target if outgoing else link.source
        shown = other if other.pk in visible else None
        views.append(
            LinkView(
                link=link,
                other=shown,
                outgoing=outgoing,
                removable=may_change
                and shown is not None
                and user_may_access_unit(user, request.unit_id)
                and user_may_access_unit(user, other.unit_id),
            )
        )
    return views


def request_link_get(*, request: Request, link_id: int) -> RequestLink:
    """Return a link of `request` (made from either end), or raise NotFoundError."""
    link = (
        RequestLink.objects.filter(Q(source=request) | Q(target=request))
        .select_related("source", "target")
        .filter(pk=link_id)
        .first()
    )
    if link is None:
        raise NotFoundError(_("The request has no link %(id)s.") % {"id": link_id})
    return link


def link_target_find(*, user: Any, reference: str, direction: str = "") -> Request:
    """Return the request `user` may see with our reference `reference`, or raise.

    A request of a unit the user does not work in is "not found", exactly like a reference
    nobody registered, so that typing references cannot tell whether one exists. A reference
    used by both an outgoing and an incoming request needs `direction` to choose.
    """
    reference = reference.strip()
    if not reference:
        raise ValidationError(
            _("Give the reference of the request to link."), extra={"field": "reference"}
        )
    found = requests_visible_to(user).select_related("country", "unit").filter(reference=reference)
    if direction:
        found = found.filter(direction=direction)
    matches = list(found.order_by("direction")[:2])
    if not matches:
        raise ValidationError(
            _("No request you can see has the reference “%(reference)s”.")
            % {"reference": reference},
            extra={"field": "reference"},
        )
    if len(matches) > 1:
        raise ValidationError(
            _(
                "Both an outgoing and an incoming request have the reference “%(reference)s”; "
                "choose the direction."
            )
            % {"reference": reference},
            extra={"field": "direction"},
        )
    return matches[0]


def link_suggestions(*, user: Any, request: Request, limit: int = 10) -> list[LinkSuggestion]:
    """Return requests `user` may see that share this request's domestic case or Interpol
    notice and are not linked to it yet, each with why it is suggested and the link it fits.
    """
    case = request.domestic_case.strip()
    notice = request.interpol_notice.strip()
    if not case and not notice:
        return []
    same = Q()
    if case:
        same |= Q(domestic_case__iexact=case)
    if notice:
        same |= Q(interpol_notice__iexact=notice)
    linked = RequestLink.objects.filter(Q(source=request) | Q(target=request))
    candidates: QuerySet[Request] = (
        requests_visible_to(user)
        .filter(same)
        .exclude(pk=request.pk)
        .exclude(pk__in=linked.values("target_id"))
        .exclude(pk__in=linked.values("source_id"))
        .select_related("country")
        .order_by("-id")[:limit]
    )
    suggestions = []
    for other in candidates:
        same_case = bool(case) and _case_key(other.domestic_case) == _case_key(case)
        reason = (
            _("same domestic case %(case)s") % {"case": case}
            if same_case
            else _("same Interpol notice %(notice)s") % {"notice": notice}
        )
        suggestions.append(
            LinkSuggestion(request=other, reason=reason, type=_suggested_type(request, other))
        )
    return suggestions


def _suggested_type(request: Request, other: Request) -> str:
    """Return the kind of link that most likely joins two related requests."""
    if {request.kind, other.kind} == {Kind.EXTRADITION, Kind.MLA}:
        return RequestLink.Type.EXTRADITION_MLA
    if request.direction == other.direction and request.country_id != other.country_id:
        return RequestLink.Type.PARALLEL
    return RequestLink.Type.SAME_CASE
