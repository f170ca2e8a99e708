"""Changes to a person sought once named: custody, identification and the rest.

Naming a person is `rogatory.register.services.person_add`; this module changes what is known
about them afterwards. Custody matters beyond the person: a person in custody makes the request
urgent (see `rogatory.deadlines`), so the request's due dates are recomputed with the change.
"""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rogatory.accounts.permissions import Action, authorize
from rogatory.audit.services import audit_record
from rogatory.core.exceptions import NotFoundError, ValidationError
from rogatory.deadlines.services import deadlines_refresh
from rogatory.reference.models import Country

from .models import Person, Request
from .services import _lock

Actor = Any


class _Unchanged:
    """The value of an argument the caller did not give: the field keeps what it holds."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Any = _Unchanged()


def person_snapshot(person: Person) -> dict[str, Any]:
    """Return a person sought as the audit trail records them, filed under their request."""
    return {
        "request": person.request_id,
        "full_name": person.full_name,
        "born_on": person.born_on.isoformat() if person.born_on else None,
        "nationality": person.nationality_id,
        "in_custody": person.in_custody,
        "identification": person.identification,
        "note": person.note,
    }


@transaction.atomic
def person_update(
    *,
    actor: Actor,
    person: Person,
    in_custody: bool = UNCHANGED,
    identification: str = UNCHANGED,
    note: str = UNCHANGED,
    full_name: str = UNCHANGED,
    born_on: date | None = UNCHANGED,
    nationality: Country | None = UNCHANGED,
) -> Person:
    """Change what is recorded about a person sought; arguments not given stay as they are.

    The change is audited under the person's request, and bumps the request's version, so that
    an event form opened before a custody change is recorded against what it now is.
    """
    request = _lock(Request(pk=person.request_id))
    authorize(actor, Action.RECORD_EVENT, unit_id=request.unit_id)
    current = Person.objects.select_for_update().filter(pk=person.pk, request=request).first()
    if current is None:
        raise NotFoundError(_("The person sought no longer exists."))
    before = person_snapshot(current)
    if in_custody is not UNCHANGED:
        if not isinstance(in_custody, bool):
            raise ValidationError(
                _("Whether the person is in custody must be yes or no."),
                extra={"field": "in_custody"},
            )
        current.in_custody = in_custody
    if full_name is not UNCHANGED:
        full_name = full_name.strip()
        if not full_name:
            raise ValidationError(_("A person sought needs a name."), extra={"field": "full_name"})
        current.full_name = full_name
    if born_on is not UNCHANGED:
        if born_on is not None and born_on > timezone.localdate():
            raise ValidationError(
                _("The date %(date)s is in the future.") % {"date": born_on.isoformat()},
                extra={"field": "born_on"},
            )
        current.born_on = born_on
    if nationality is not UNCHANGED:
        current.nationality = nationality
    if identification is not UNCHANGED:
        current.identification = identification.strip()
    if note is not UNCHANGED:
        current.note = note.strip()
    after = person_snapshot(current)
    if after == before:
        return current
    current.save()
    request.version += 1
    request.save(update_fields=["version", "updated_at"])
    if after["in_custody"] != before["in_custody"]:
        deadlines_refresh(requests=[request])
    audit_record(
        actor=actor,
        action="person_update",
        object_type="person",
        object_id=current.pk,
        before=before,
        after=after,
    )
    return current


def request_person_get(*, request: Request, person_id: int) -> Person:
    """Return a person sought of `request`, or raise NotFoundError."""
    person = request.persons.select_related("nationality").filter(pk=person_id).first()
    if person is None:
        raise NotFoundError(_("The request names no person %(id)s.") % {"id": person_id})
    return person
