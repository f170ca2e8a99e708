"""The audit trail is a hash chain that shows any record changed or deleted after it was written."""

import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, connections, transaction

from rogatory.audit.chain import CHAINED_FIELDS, GENESIS_HASH, record_hash
from rogatory.audit.models import AuditChainHead, AuditRecord, AuditTrailAppendOnlyError
from rogatory.audit.selectors import audit_chain_verify
from rogatory.audit.services import AuditEntry, audit_record, audit_record_many

pytestmark = pytest.mark.django_db


def _write(count: int = 1, **fields) -> list[AuditRecord]:
    """Write `count` audit records about requests 1, 2, …, with `fields` given."""
    return [
        audit_record(
            **{
                "actor": None,
                "action": "request_update",
                "object_type": "request",
                "object_id": number,
                **fields,
            }
        )
        for number in range(1, count + 1)
    ]


def _entries(count: int) -> list[AuditEntry]:
    return [
        AuditEntry(
            action="request_import",
            object_type="request",
            object_id=str(number),
            before=None,
            after={"status": "refused", "n": number},
        )
        for number in range(1, count + 1)
    ]


def _contents_hash(record: AuditRecord) -> str:
    """Return the hash of the record's contents as read back from the database."""
    return record_hash(**{name: getattr(record, name) for name in CHAINED_FIELDS})


def _head() -> tuple[int, str]:
    return AuditChainHead.objects.values_list("sequence", "hash").get()


# --- writing the chain -----------------------------------------------------------------------


def test_first_record_starts_the_chain():
    first = AuditRecord.objects.get(sequence=1)

    assert first.previous_hash == GENESIS_HASH
    assert first.hash == _contents_hash(first)


def test_audit_record_links_each_record_to_the_one_before():
    newest = AuditRecord.objects.order_by("sequence").last()

    first, second = _write(2)

    stored = list(AuditRecord.objects.filter(pk__in=[first.pk, second.pk]).order_by("sequence"))
    assert [record.sequence for record in stored] == [newest.sequence + 1, newest.sequence + 2]
    assert [record.previous_hash for record in stored] == [newest.hash, stored[0].hash]
    assert [record.hash for record in stored] == [_contents_hash(record) for record in stored]
    assert _head() == (second.sequence, second.hash)


def test_audit_record_many_chains_its_records_in_order():
    (single,) = _write()

    audit_record_many(actor=None, entries=_entries(3))

    stored = list(AuditRecord.objects.filter(action="request_import").order_by("sequence"))
    assert [record.sequence for record in stored] == [single.sequence + n for n in (1, 2, 3)]
    assert [record.object_id for record in stored] == ["1", "2", "3"]
    assert [record.previous_hash for record in stored] == [
        single.hash,
        stored[0].hash,
        stored[1].hash,
    ]
    assert [record.hash for record in stored] == [_contents_hash(record) for record in stored]
    assert _head() == (stored[-1].sequence, stored[-1].hash)


def test_audit_record_many_without_entries_leaves_the_head_alone():
    (single,) = _write()

    audit_record_many(actor=None, entries=iter(()))

    assert _head() == (single.sequence, single.hash)


def test_single_record_after_bulk_records_continues_the_chain():
    audit_record_many(actor=None, entries=_entries(2))

    (single,) = _write()

    last_bulk = AuditRecord.objects.filter(action="request_import").order_by("sequence").last()
    assert (single.sequence, single.previous_hash) == (last_bulk.sequence + 1, last_bulk.hash)


def test_hash_survives_the_json_round_trip():
    awkward = {"z": 1, "a": ["é", "ü"], "nested": {"b": (1, 2), "a": None}, 10: "ten", 9: True}

    (record,) = _write(before=awkward, after={"Б": "б"})
    audit_record_many(
        actor=None,
        entries=[AuditEntry("request_import", "request", "1", awkward, {"\u2028": 1.5})],
    )

    stored = AuditRecord.objects.get(pk=record.pk)
    assert stored.before == {"z": 1, "a": ["é", "ü"], "nested": {"b": [1, 2], "a": None}, "10": "ten", "9": True}  # fmt: skip
    assert stored.hash == record.hash == _contents_hash(stored)
    assert audit_chain_verify().intact


def test_rolled_back_records_leave_no_gap():
    before = _head()
    with pytest.raises(RuntimeError), transaction.atomic():
        _write(2)
        raise RuntimeError("the change failed")
    assert _head() == before

    (record,) = _write()

    assert record.sequence == before[0] + 1
    assert audit_chain_verify().intact


def test_concurrent_writers_do_not_fork_the_chain():
    if connection.vendor == "sqlite":
        # SQLite has one write lock, which the project's transactions take when they begin,
        # so a writer cannot read the head while another is extending the chain.
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        return
    # PostgreSQL: writers on their own connections, committing, so the advisory lock is what
    # keeps them in line. What they commit is removed at the end.
    head = _head()
    writers, each = 4, 10
    start = threading.Barrier(writers)
    failures: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            start.wait()
            for number in range(each):
                with transaction.atomic():
                    audit_record(
                        actor=None,
                        action="concurrency_test",
                        object_type="test",
                        object_id=f"{writer}-{number}",
                    )
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    try:
        threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert failures == []
        assert _head()[0] == head[0] + writers * each
        report = audit_chain_verify()
        assert report.intact, report.problem
        assert report.records_checked == head[0] + writers * each
    finally:
        _run_in_own_connection(lambda: _remove_committed("concurrency_test", head))


def _run_in_own_connection(work) -> None:
    failures: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert failures == []


def _remove_committed(action: str, head: tuple[int, str]) -> None:
    # Dropping the triggers would wait for the test's own transaction, which has read the
    # table; switching them off for this transaction needs no lock on it.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("DELETE FROM audit_auditrecord WHERE action = %s", [action])
        cursor.execute(
            "UPDATE audit_auditchainhead SET sequence = %s, hash = %s", [head[0], head[1]]
        )


# --- verifying it ----------------------------------------------------------------------------


def test_verify_passes_an_intact_trail():
    _write(3)
    audit_record_many(actor=None, entries=_entries(3))

    report = audit_chain_verify()

    assert report.intact
    assert report.records_checked == AuditRecord.objects.count()
    assert report.head_hash == AuditRecord.objects.order_by("sequence").last().hash == _head()[1]


def test_verify_names_a_record_whose_contents_were_changed(tamper):
    first, second, _ = _write(3)

    with connection.cursor() as cursor:
        cursor.execute(
            'UPDATE audit_auditrecord SET "after" = %s WHERE id = %s',
            ['{"status": "granted"}', second.pk],
        )

    report = audit_chain_verify()
    assert (report.broken_at, report.problem) == (
        second.sequence,
        "hash does not match its contents",
    )
    assert (report.record_id, report.record_action) == (second.pk, "request_update")
    assert report.records_checked == second.sequence - 1
    assert report.head_hash == first.hash


def test_verify_names_the_record_after_one_whose_hash_was_recomputed(tamper):
    _, second, third = _write(3)
    second.after = {"status": "granted"}

    tamper.filter(pk=second.pk).update(after=second.after, hash=_contents_hash(second))

    report = audit_chain_verify()
    assert (report.broken_at, report.problem) == (
        third.sequence,
        f"previous_hash does not match record {second.sequence}",
    )


def test_verify_names_a_record_deleted_from_the_middle(tamper):
    _, second, third = _write(3)

    tamper.filter(pk=second.pk).delete()

    report = audit_chain_verify()
    assert (report.broken_at, report.problem) == (
        third.sequence,
        f"record {second.sequence} is missing (sequence gap)",
    )


def test_verify_names_records_deleted_from_the_middle(tamper):
    records = _write(4)

    tamper.filter(pk__in=[records[1].pk, records[2].pk]).delete()

    assert audit_chain_verify().problem == (
        f"records {records[1].sequence} to {records[2].sequence} are missing (sequence gap)"
    )


def test_verify_notices_a_record_deleted_from_the_end(tamper):
    *_, last = _write(3)

    tamper.filter(pk=last.pk).delete()

    report = audit_chain_verify()
    assert (report.broken_at, report.record_id) == (last.sequence, None)
    assert report.problem == f"record {last.sequence} is missing from the end of the trail"


def test_verify_notices_the_first_record_deleted(tamper):
    tamper.filter(sequence=1).delete()

    report = audit_chain_verify()
    assert (report.broken_at, report.problem) == (2, "first record does not start the chain")


def test_verify_notices_a_deleted_chain_head(tamper):
    _write(2)

    AuditChainHead.objects.all().delete()

    assert audit_chain_verify().problem == (
        "the chain head is missing, so records may have been deleted from the end"
    )


# --- append only -----------------------------------------------------------------------------


def test_saving_an_audit_record_again_is_refused():
    (record,) = _write()
    record.action = "forged"

    with pytest.raises(AuditTrailAppendOnlyError, match="cannot be updated"):
        record.save()


def test_deleting_an_audit_record_is_refused():
    (record,) = _write()

    with pytest.raises(AuditTrailAppendOnlyError, match="cannot be deleted"):
        record.delete()


@pytest.mark.parametrize(
    "change",
    [
        lambda records: records.update(action="forged"),
        lambda records: records.delete(),
        lambda records: AuditRecord.objects.bulk_update(list(records), ["action"]),
    ],
    ids=["update", "delete", "bulk_update"],
)
def test_changing_audit_records_through_a_query_is_refused(change):
    _write()

    with pytest.raises(AuditTrailAppendOnlyError):
        change(AuditRecord.objects.all())


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditrecord SET action = 'forged' WHERE sequence = 1",
        "DELETE FROM audit_auditrecord WHERE sequence = 1",
        "UPDATE audit_auditchainhead SET sequence = sequence - 1",
        "DELETE FROM audit_auditchainhead",
    ],
    ids=["update record", "delete record", "rewind head", "delete head"],
)
def test_database_refuses_to_change_the_trail(statement):
    _write()

    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)

    assert AuditRecord.objects.filter(sequence=1).exclude(action="forged").exists()


def test_database_lets_the_head_move_forward():
    (record,) = _write()

    AuditChainHead.objects.update(sequence=record.sequence + 1)

    assert _head()[0] == record.sequence + 1


# --- rogatory audit verify -------------------------------------------------------------------


def test_audit_verify_command_reports_an_intact_trail():
    _write(2)
    out = io.StringIO()

    call_command("audit", "verify", stdout=out)

    count, head = AuditRecord.objects.count(), _head()[1]
    assert out.getvalue() == f"Audit trail intact: {count} records, chain head {head[:16]}…\n"


def test_audit_verify_command_exits_1_naming_the_broken_record(tamper):
    _, second, _ = _write(3)
    tamper.filter(pk=second.pk).update(action="forged")

    with pytest.raises(CommandError) as raised:
        call_command("audit", "verify")

    assert raised.value.returncode == 1
    assert str(raised.value) == (
        f"Audit trail broken at record {second.sequence} "
        f"(id {second.pk}, {second.at.isoformat(timespec='seconds')}, forged): "
        "hash does not match its contents"
    )


def test_audit_verify_command_exits_1_when_the_end_is_missing(tamper):
    *_, last = _write(2)
    tamper.filter(pk=last.pk).delete()

    with pytest.raises(CommandError, match=f"broken at record {last.sequence}: record") as raised:
        call_command("audit", "verify")

    assert raised.value.returncode == 1


def test_audit_command_needs_a_subcommand():
    with pytest.raises(CommandError, match="required: verify"):
        call_command("audit")
