"""Reads of the audit trail: pages of records for the audit pages, and verifying the chain."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .chain import CHAINED_FIELDS, GENESIS_HASH, record_hash
from .models import AuditChainHead, AuditRecord

_VERIFY_CHUNK = 2000
_VERIFIED_FIELDS = ("id", *CHAINED_FIELDS, "hash")


@dataclass(frozen=True)
class AuditPage:
    """Records, newest first, and where the next (older) page starts, if there is one."""

    records: list[AuditRecord]
    next_before_sequence: int | None


@dataclass(frozen=True)
class ChainReport:
    """What verifying the audit trail found: how far it is intact, and the first break."""

    records_checked: int
    # The hash the intact part of the trail ends with; all zeros when it has no records.
    head_hash: str
    # The sequence where the trail stops being trustworthy; None when it is intact.
    broken_at: int | None = None
    problem: str = ""
    # The record found at `broken_at`; None when that record is missing altogether.
    record_id: int | None = None
    record_at: datetime | None = None
    record_action: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def audit_records(
    *,
    object_type: str | None = None,
    object_id: Any = None,
    actor_id: int | None = None,
    action: str | None = None,
    day: date | None = None,
    before_sequence: int | None = None,
    limit: int = 50,
) -> AuditPage:
    """Return a page of audit records, newest first, older than `before_sequence` if given."""
    records = AuditRecord.objects.all()
    if day is not None:
        # A range on the indexed moment, for the day as the office's time zone counts it.
        start = timezone.make_aware(datetime.combine(day, time.min))
        records = records.filter(at__gte=start, at__lt=start + timedelta(days=1))
    if object_type is not None:
        records = records.filter(object_type=object_type)
    if object_id is not None:
        records = records.filter(object_id=str(object_id))
    if actor_id is not None:
        records = records.filter(actor_id=actor_id)
    if action is not None:
        records = records.filter(action=action)
    return _page(records, before_sequence=before_sequence, limit=limit)


def audit_records_for_request(
    request_id: int, limit: int = 50, *, before_sequence: int | None = None
) -> AuditPage:
    """Return a page of the records about a request and its persons and documents, newest first."""
    # The writers file every such record under its request, so one indexed lookup finds them.
    records = AuditRecord.objects.filter(request_id=request_id)
    return _page(records, before_sequence=before_sequence, limit=limit)


def _page(records: QuerySet[AuditRecord], *, before_sequence: int | None, limit: int) -> AuditPage:
    if limit < 1:
        raise ValueError(f"A page holds at least one record, not {limit}.")
    if before_sequence is not None:
        records = records.filter(sequence__lt=before_sequence)
    # One more than asked for tells whether an older page exists.
    found = list(records.order_by("-sequence")[: limit + 1])
    if len(found) > limit:
        return AuditPage(records=found[:limit], next_before_sequence=found[limit - 1].sequence)
    return AuditPage(records=found, next_before_sequence=None)


def audit_chain_verify() -> ChainReport:
    """Check every audit record against its hash, its predecessor and the chain head.

    Reads the records in order of sequence, a chunk at a time, so that memory stays flat however
    long the trail. The head is read first and only records up to it are checked: records
    written while the check runs belong to the next check.

    The chain alone cannot show that records were deleted from its end, since what remains still
    chains correctly; that is what the head, written with every record, is compared for. Someone
    who can drop the database's triggers can still rewrite the end of the trail and its head
    together; a head hash noted down elsewhere (`rogatory audit verify` prints it) shows that.
    """
    head = (
        AuditChainHead.objects.filter(pk=AuditChainHead.ONLY)
        .values_list("sequence", "hash")
        .first()
    )
    records = AuditRecord.objects.order_by("sequence").values_list(*_VERIFIED_FIELDS)
    if head is not None:
        records = records.filter(sequence__lte=head[0])

    checked, previous_sequence, previous_hash = 0, 0, GENESIS_HASH
    last: dict[str, Any] | None = None
    for row in records.iterator(chunk_size=_VERIFY_CHUNK):
        record = dict(zip(_VERIFIED_FIELDS, row, strict=True))
        problem = _link_problem(record, previous_sequence, previous_hash)
        if problem:
            return _broken(checked, previous_hash, record, problem)
        checked += 1
        previous_sequence, previous_hash, last = record["sequence"], record["hash"], record

    if head is None:
        if last is not None:
            return _broken(
                checked,
                previous_hash,
                last,
                _("the chain head is missing, so records may have been deleted from the end"),
            )
        return ChainReport(records_checked=0, head_hash=GENESIS_HASH)
    head_sequence, head_hash = head
    if head_sequence > previous_sequence:
        return ChainReport(
            records_checked=checked,
            head_hash=previous_hash,
            broken_at=previous_sequence + 1,
            problem=_missing_from_end(previous_sequence + 1, head_sequence),
        )
    if last is not None and head_hash != previous_hash:
        return _broken(checked, previous_hash, last, _("hash does not match the chain head"))
    return ChainReport(records_checked=checked, head_hash=previous_hash)


def _link_problem(record: dict[str, Any], previous_sequence: int, previous_hash: str) -> str:
    """Return what is wrong with `record` as the successor of the one before, or ""."""
    sequence = record["sequence"]
    if previous_sequence == 0:
        if sequence != 1 or record["previous_hash"] != GENESIS_HASH:
            return _("first record does not start the chain")
    elif sequence != previous_sequence + 1:
        return _gap(previous_sequence + 1, sequence - 1)
    elif record["previous_hash"] != previous_hash:
        return _("previous_hash does not match record %(sequence)s") % {
            "sequence": previous_sequence
        }
    if record_hash(**{name: record[name] for name in CHAINED_FIELDS}) != record["hash"]:
        return _("hash does not match its contents")
    return ""


def _gap(first: int, last: int) -> str:
    if first == last:
        return _("record %(sequence)s is missing (sequence gap)") % {"sequence": first}
    return _("records %(first)s to %(last)s are missing (sequence gap)") % {
        "first": first,
        "last": last,
    }


def _missing_from_end(first: int, last: int) -> str:
    if first == last:
        return _("record %(sequence)s is missing from the end of the trail") % {"sequence": first}
    return _("records %(first)s to %(last)s are missing from the end of the trail") % {
        "first": first,
        "last": last,
    }


def _broken(checked: int, head_hash: str, record: dict[str, Any], problem: str) -> ChainReport:
    return ChainReport(
        records_checked=checked,
        head_hash=head_hash,
        broken_at=record["sequence"],
        problem=problem,
        record_id=record["id"],
        record_at=record["at"],
        record_action=record["action"],
    )


def audit_data_revision() -> str:
    """Return which audit record last changed data: its sequence and the start of its hash.

    Every change writes its audit record in its own transaction, so this moves whenever the
    register, its reference data or its users change. Records of data shown (`audit_view`
    names them `<object>_view`) change nothing and are passed over. The hash tells apart two
    histories that reached the same sequence, such as a register restored from a backup and
    then changed differently. "0" when nothing has changed data yet.
    """
    newest = (
        AuditRecord.objects.exclude(action__endswith="_view")
        .order_by("-sequence")
        .values_list("sequence", "hash")
        .first()
    )
    return f"{newest[0]}-{newest[1][:16]}" if newest else "0"
