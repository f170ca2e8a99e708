"""Writing the audit trail. Call these inside the transaction of the change they describe.

Every record joins the hash chain (see `chain.py`): it takes the next sequence number and the
hash of the record before it. Writers take their place in the chain one at a time, so that two
transactions never both extend the same record; the unique sequence is the last guard.
"""

import getpass
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from rogatory.core.bulk import insert_rows

from .chain import CHAINED_FIELDS, GENESIS_HASH, record_hash, stored_json
from .context import client_address
from .models import AuditChainHead, AuditRecord

SYSTEM_ACTOR_LABEL = "system"

# Any constant will do, as long as nothing else in the database takes an advisory lock with it.
_CHAIN_LOCK = 0x726F_6761_7564  # "rogaud"

_BULK_COLUMNS = (
    "at",
    "actor_id",
    "actor_label",
    "client_address",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
    "request_id",
    "sequence",
    "previous_hash",
    "hash",
)


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
    head = _ChainHead.take()
    record = AuditRecord(
        at=timezone.now(),
        actor=actor,
        actor_label=actor_label(actor),
        client_address=client_address(),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=stored_json(before),
        after=stored_json(after),
    )
    record.request_id = _request_of(
        record.object_type, record.object_id, record.before, record.after
    )
    record.sequence, record.previous_hash = head.sequence + 1, head.hash
    record.hash = record_hash(**{name: getattr(record, name) for name in CHAINED_FIELDS})
    record.save()
    head.advance(record.sequence, record.hash)
    return record


def audit_record_many(*, actor: AbstractBaseUser | None, entries: Iterable[AuditEntry]) -> None:
    """Write many audit records at once, for bulk changes such as a register import.

    The records are chained in the order of `entries`, in Python, and inserted in one go.
    """
    _require_transaction()
    head = _ChainHead.take()
    now = timezone.now()
    label = actor_label(actor)
    actor_id = actor.pk if actor is not None else None
    address = client_address()
    chained = _Chained(sequence=head.sequence, hash=head.hash)

    def rows() -> Iterator[tuple[Any, ...]]:
        for entry in entries:
            object_id = str(entry.object_id)
            before, after = stored_json(entry.before), stored_json(entry.after)
            sequence = chained.sequence + 1
            digest = record_hash(
                sequence=sequence,
                at=now,
                actor_id=actor_id,
                actor_label=label,
                client_address=address,
                action=entry.action,
                object_type=entry.object_type,
                object_id=object_id,
                before=before,
                after=after,
                previous_hash=chained.hash,
            )
            yield (
                now,
                actor_id,
                label,
                address,
                entry.action,
                entry.object_type,
                object_id,
                before,
                after,
                _request_of(entry.object_type, object_id, before, after),
                sequence,
                chained.hash,
                digest,
            )
            chained.sequence, chained.hash = sequence, digest

    insert_rows(AuditRecord, _BULK_COLUMNS, rows())
    if chained.sequence != head.sequence:
        head.advance(chained.sequence, chained.hash)


def audit_view(
    *,
    actor: AbstractBaseUser | None,
    object_type: str,
    object_id: Any,
    what: dict[str, Any] | None = None,
) -> AuditRecord:
    """Record that `actor` was shown personal data, such as a person sought.

    `what` says what was shown; give it a "request" key to file the view under that request.
    Showing data is a read, so this opens its own transaction.
    """
    with transaction.atomic():
        return audit_record(
            actor=actor,
            action=f"{object_type}_view",
            object_type=object_type,
            object_id=object_id,
            after=what,
        )


@dataclass
class _Chained:
    sequence: int
    hash: str


@dataclass
class _ChainHead:
    """The end of the chain, held by this transaction until it commits."""

    sequence: int
    hash: str
    stored: bool

    @classmethod
    def take(cls) -> "_ChainHead":
        """Wait until no other transaction is extending the chain, then return its end.

        The end comes from `AuditChainHead` rather than from the newest record, so that a
        record deleted from the end is not quietly replaced by the next one written.
        """
        _chain_lock()
        head = (
            AuditChainHead.objects.filter(pk=AuditChainHead.ONLY)
            .values_list("sequence", "hash")
            .first()
        )
        if head is not None:
            return cls(sequence=head[0], hash=head[1], stored=True)
        newest = AuditRecord.objects.order_by("-sequence").values_list("sequence", "hash").first()
        sequence, digest = newest if newest is not None else (0, GENESIS_HASH)
        return cls(sequence=sequence, hash=digest, stored=False)

    def advance(self, sequence: int, digest: str) -> None:
        """Move the head to the record just written."""
        if self.stored:
            AuditChainHead.objects.filter(pk=AuditChainHead.ONLY).update(
                sequence=sequence, hash=digest
            )
        else:
            AuditChainHead.objects.create(pk=AuditChainHead.ONLY, sequence=sequence, hash=digest)
            self.stored = True
        self.sequence, self.hash = sequence, digest


def audit_chain_reserve() -> None:
    """Take the audit chain's lock now, before the change locks any rows of its own.

    Every change ends by extending the chain, so it waits for this lock then anyway. Taking it
    first puts every writer's locks in one order (the chain, then rows), so that an import
    holding the chain cannot wait for a request row that a clerk's change holds while that
    change waits for the chain: a deadlock, which PostgreSQL would end by failing one of them.
    """
    _require_transaction()
    _chain_lock()


def _chain_lock() -> None:
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        # Held until commit or rollback, and taken again at no cost. A row lock on the head
        # would not do: before the first record there is no row to lock.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
    # SQLite needs nothing: the project begins its transactions IMMEDIATE, so a writer
    # already holds the database's only write lock.


def _request_of(object_type: str, object_id: str, before: Any, after: Any) -> int | None:
    """Return the id of the request a record is about, directly or through one of its parts."""
    if object_type == "request":
        return _as_id(object_id)
    for values in (after, before):
        if isinstance(values, dict) and "request" in values:
            return _as_id(values["request"])
    return None


def _as_id(value: Any) -> int | None:
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63:
        return value
    return None


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Audit records must be written inside the transaction of the change.")
