"""Writing the audit trail. Call these inside the transaction of the change they describe."""

import getpass
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from rogatory.core.bulk import insert_rows

from .models import AuditRecord

SYSTEM_ACTOR_LABEL = "system"


@dataclass(frozen=True)
class AuditEntry:
    """An audit record not yet written, for changes recorded in bulk."""

    action: str
    object_type: str
    object_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def actor_label(actor: AbstractBaseUser | None) -> str:
    """Return how the audit trail names `actor`.

    Changes without a user come from the command line; the operating-system account that ran
    the command is then the best answer to "who".
    """
    if actor is not None:
        return actor.get_username()
    return f"{SYSTEM_ACTOR_LABEL} ({_os_account()})"


def _os_account() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name and no password-file entry
        return f"uid {os.getuid()}"


def audit_record(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    object_type: str,
    object_id: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditRecord:
    """Write one audit record; it must run inside the change's own transaction."""
    _require_transaction()
    return AuditRecord.objects.create(
        actor=actor,
        actor_label=actor_label(actor),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before,
        after=after,
    )


def audit_record_many(*, actor: AbstractBaseUser | None, entries: Iterable[AuditEntry]) -> None:
    """Write many audit records at once, for bulk changes such as a register import."""
    _require_transaction()
    now = timezone.now()
    label = actor_label(actor)
    actor_id = actor.pk if actor is not None else None
    insert_rows(
        AuditRecord,
        ("at", "actor_id", "actor_label", "action", "object_type", "object_id", "before", "after"),
        (
            (
                now,
                actor_id,
                label,
                entry.action,
                entry.object_type,
                entry.object_id,
                entry.before,
                entry.after,
            )
            for entry in entries
        ),
    )


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Audit records must be written inside the transaction of the change.")
