"""The audit trail: one record per change, in the change's own transaction, with its origin."""

import getpass
import io
import os
from datetime import date

import pytest
from django.http import HttpResponse

from rogatory.audit import services as audit_services
from rogatory.audit.context import client_address, client_address_set
from rogatory.audit.middleware import AuditContextMiddleware
from rogatory.audit.models import AuditRecord
from rogatory.audit.selectors import audit_chain_verify
from rogatory.audit.services import AuditEntry, audit_record, audit_record_many, audit_view
from rogatory.core.exceptions import TransitionError
from rogatory.reference.models import RefusalGround
from rogatory.reference.services import reference_load
from rogatory.register import services
from rogatory.register.models import Direction, Document, Event, Kind, Outcome, Person, Request
from tests.register.factories import make_request

OPENED = date(2023, 3, 1)
DECIDED = date(2023, 5, 1)


@pytest.fixture
def audit_after_setup():
    """Return a function giving the audit records written since it was first called."""
    marks: list[int] = []

    def records() -> list[AuditRecord]:
        if not marks:
            marks.append(
                AuditRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0
            )
            return []
        return list(AuditRecord.objects.filter(id__gt=marks[0]).order_by("id"))

    return records


def _only(records: list[AuditRecord]) -> AuditRecord:
    assert len(records) == 1, [record.action for record in records]
    return records[0]


def _granted_extradition(actor=None) -> Request:
    return make_request(
        kind=Kind.EXTRADITION, outcome=Outcome.GRANTED, decided_on=DECIDED, actor=actor
    )


# --- who, what and the values before and after -----------------------------------------------


@pytest.mark.django_db
def test_request_register_audit_names_user_and_new_request(clerk):
    request = make_request(opened_on=None, actor=clerk, reference="A-1")

    record = AuditRecord.objects.get(action="request_register")
    assert (record.actor, record.actor_label) == (clerk, "clara.clerk")
    assert (record.object_type, record.object_id) == ("request", str(request.pk))
    assert record.before is None
    assert record.after["reference"] == "A-1"
    assert record.after["status"] == "draft"


@pytest.mark.django_db
def test_audit_record_without_user_is_by_system():
    make_request(opened_on=None)

    record = AuditRecord.objects.get(action="request_register")
    assert (record.actor, record.actor_label) == (None, f"system ({getpass.getuser()})")


@pytest.mark.django_db
def test_request_update_writes_one_audit_record(clerk, audit_after_setup):
    request = make_request()
    audit_after_setup()

    services.request_update(actor=clerk, request=request, notes="Urgent")

    record = _only(audit_after_setup())
    assert (record.action, record.actor_label, record.object_id) == (
        "request_update",
        "clara.clerk",
        str(request.pk),
    )
    assert (record.before["notes"], record.after["notes"]) == ("", "Urgent")
    assert record.after["version"] == record.before["version"] + 1


@pytest.mark.django_db
def test_request_update_without_change_writes_no_audit_record(audit_after_setup):
    request = make_request()
    audit_after_setup()

    services.request_update(actor=None, request=request, notes="")

    assert audit_after_setup() == []


@pytest.mark.django_db
def test_request_record_sent_writes_one_audit_record(clerk, audit_after_setup):
    request = make_request(opened_on=None)
    audit_after_setup()

    event = services.request_record_sent(actor=clerk, request=request, sent_on=OPENED)

    record = _only(audit_after_setup())
    assert (record.action, record.actor_label) == ("request_record_sent", "clara.clerk")
    assert (record.object_type, record.object_id) == ("request", str(request.pk))
    assert (record.before["status"], record.before["opened_on"]) == ("draft", None)
    assert (record.after["status"], record.after["opened_on"]) == ("sent", "2023-03-01")
    assert record.after["event"] == event.pk


@pytest.mark.django_db
def test_request_record_received_writes_one_audit_record(audit_after_setup):
    request = make_request(direction=Direction.INCOMING, opened_on=None)
    audit_after_setup()

    services.request_record_received(actor=None, request=request, received_on=OPENED)

    record = _only(audit_after_setup())
    assert record.action == "request_record_received"
    assert (record.before["status"], record.after["status"]) == ("draft", "received")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("service", "date_argument", "kind", "status"),
    [
        ("request_record_acknowledged", "acknowledged_on", Kind.MLA, "acknowledged"),
        (
            "request_record_supplementary_requested",
            "requested_on",
            Kind.MLA,
            "supplementary_requested",
        ),
        (
            "request_record_provisional_arrest",
            "arrested_on",
            Kind.EXTRADITION,
            "provisional_arrest",
        ),
        ("request_record_hearing", "held_on", Kind.EXTRADITION, "hearing"),
    ],
)
def test_request_step_writes_one_audit_record(
    clerk, audit_after_setup, service, date_argument, kind, status
):
    request = make_request(kind=kind)
    audit_after_setup()

    getattr(services, service)(actor=clerk, request=request, **{date_argument: date(2023, 3, 2)})

    record = _only(audit_after_setup())
    assert (record.action, record.actor_label) == (service, "clara.clerk")
    assert (record.before["status"], record.after["status"]) == ("sent", status)


@pytest.mark.django_db
def test_request_record_supplementary_provided_writes_one_audit_record(audit_after_setup):
    request = make_request()
    services.request_record_supplementary_requested(
        actor=None, request=request, requested_on=date(2023, 3, 2)
    )
    audit_after_setup()

    services.request_record_supplementary_provided(
        actor=None, request=request, provided_on=date(2023, 3, 3)
    )

    record = _only(audit_after_setup())
    assert record.action == "request_record_supplementary_provided"
    assert record.after["status"] == "supplementary_provided"


@pytest.mark.django_db
def test_request_record_decision_writes_one_audit_record(clerk, audit_after_setup):
    request = make_request()
    audit_after_setup()

    services.request_record_decision(
        actor=clerk,
        request=request,
        outcome=Outcome.REFUSED,
        decided_on=DECIDED,
        grounds=RefusalGround.objects.filter(code="political_offence"),
    )

    record = _only(audit_after_setup())
    assert (record.action, record.actor_label) == ("request_record_decision", "clara.clerk")
    assert (record.before["outcome"], record.before["political"]) == ("", None)
    assert (record.after["outcome"], record.after["decided_on"]) == ("refused", "2023-05-01")
    assert record.after["political"] is True


@pytest.mark.django_db
def test_request_record_surrender_writes_one_audit_record(audit_after_setup):
    request = _granted_extradition()
    audit_after_setup()

    services.request_record_surrender(actor=None, request=request, surrendered_on=date(2023, 6, 1))

    record = _only(audit_after_setup())
    assert record.action == "request_record_surrender"
    assert (record.before["status"], record.after["status"]) == ("granted", "surrendered")


@pytest.mark.django_db
def test_request_reopen_writes_one_audit_record(audit_after_setup):
    request = _granted_extradition()
    audit_after_setup()

    services.request_reopen(
        actor=None, request=request, reopened_on=date(2023, 6, 1), reason="Appeal."
    )

    record = _only(audit_after_setup())
    assert record.action == "request_reopen"
    assert (record.before["outcome"], record.after["outcome"]) == ("granted", "")
    assert (record.before["status"], record.after["status"]) == ("granted", "reopened")


@pytest.mark.django_db
def test_request_correct_opening_writes_one_audit_record(audit_after_setup):
    request = make_request()
    audit_after_setup()

    services.request_correct_opening(
        actor=None, request=request, opened_on=date(2023, 2, 1), reason="Typo."
    )

    record = _only(audit_after_setup())
    assert record.action == "request_correct_opening"
    assert (record.before["opened_on"], record.after["opened_on"]) == ("2023-03-01", "2023-02-01")


@pytest.mark.django_db
def test_person_add_writes_one_audit_record(clerk, audit_after_setup):
    request = make_request(kind=Kind.EXTRADITION)
    audit_after_setup()

    person = services.person_add(
        actor=clerk, request=request, full_name="Ivan Petrov", born_on=date(1980, 1, 2)
    )

    record = _only(audit_after_setup())
    assert (record.action, record.actor_label) == ("person_add", "clara.clerk")
    assert (record.object_type, record.object_id) == ("person", str(person.pk))
    assert record.before is None
    assert record.after["request"] == request.pk
    assert (record.after["full_name"], record.after["born_on"]) == ("Ivan Petrov", "1980-01-02")


@pytest.mark.django_db
def test_document_attach_writes_one_audit_record(clerk, audit_after_setup, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    request = make_request()
    audit_after_setup()

    document = services.document_attach(
        actor=clerk,
        request=request,
        kind=Document.Kind.REPLY,
        title="Reply",
        original_name="reply.pdf",
        content_type="application/pdf",
        content=io.BytesIO(b"%PDF-1.7 reply"),
    )

    record = _only(audit_after_setup())
    assert (record.action, record.actor_label) == ("document_attach", "clara.clerk")
    assert (record.object_type, record.object_id) == ("document", str(document.pk))
    assert record.after["request"] == request.pk
    assert (record.after["size"], record.after["sha256"]) == (14, document.sha256)


@pytest.mark.django_db
def test_reference_load_writes_one_audit_record(audit_after_setup):
    audit_after_setup()

    reference_load()

    record = _only(audit_after_setup())
    assert (record.action, record.actor_label, record.object_type) == (
        "reference_load",
        f"system ({getpass.getuser()})",
        "reference",
    )
    assert record.after["countries"] == 249


# --- the same transaction --------------------------------------------------------------------


def _fail_after_writing(monkeypatch) -> None:
    """Make the register's audit call write its record and then fail, as a late error would."""

    def write_then_fail(**kwargs):
        audit_record(**kwargs)
        raise RuntimeError("the change failed after its audit record was written")

    monkeypatch.setattr(services, "audit_record", write_then_fail)


@pytest.mark.django_db
def test_failed_register_leaves_no_request_event_or_audit_record(monkeypatch):
    _fail_after_writing(monkeypatch)

    with pytest.raises(RuntimeError):
        make_request(opened_on=None, reference="F-1")

    assert not Request.objects.filter(reference="F-1").exists()
    assert not Event.objects.exists()
    assert not AuditRecord.objects.filter(action="request_register").exists()


@pytest.mark.django_db
def test_failed_event_leaves_no_event_audit_record_or_projection(monkeypatch, audit_after_setup):
    request = make_request(opened_on=None)
    audit_after_setup()
    _fail_after_writing(monkeypatch)

    with pytest.raises(RuntimeError):
        services.request_record_sent(actor=None, request=request, sent_on=OPENED)

    request.refresh_from_db()
    assert (request.status, request.opened_on) == ("draft", None)
    assert list(request.events.values_list("type", flat=True)) == ["registered"]
    assert audit_after_setup() == []


@pytest.mark.django_db
def test_failed_update_leaves_no_change_or_audit_record(monkeypatch, audit_after_setup):
    request = make_request()
    audit_after_setup()
    _fail_after_writing(monkeypatch)

    with pytest.raises(RuntimeError):
        services.request_update(actor=None, request=request, notes="Urgent")

    request.refresh_from_db()
    assert request.notes == ""
    assert audit_after_setup() == []


@pytest.mark.django_db
def test_failed_person_add_leaves_no_person_or_audit_record(monkeypatch, audit_after_setup):
    request = make_request(kind=Kind.EXTRADITION)
    audit_after_setup()
    _fail_after_writing(monkeypatch)

    with pytest.raises(RuntimeError):
        services.person_add(actor=None, request=request, full_name="Ivan Petrov")

    assert not Person.objects.exists()
    assert audit_after_setup() == []


@pytest.mark.django_db
def test_refused_decision_leaves_no_event_or_audit_record(audit_after_setup):
    request = make_request()
    audit_after_setup()

    with pytest.raises(TransitionError):
        services.request_record_decision(
            actor=None, request=request, outcome=Outcome.REFUSED, decided_on=DECIDED
        )

    assert list(request.events.values_list("type", flat=True)) == ["registered", "sent"]
    assert audit_after_setup() == []


def test_audit_record_outside_transaction_raises():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(actor=None, action="request_update", object_type="request", object_id=1)


def test_audit_record_many_outside_transaction_raises():
    entry = AuditEntry(
        action="register_import", object_type="request", object_id="1", before=None, after={}
    )

    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record_many(actor=None, entries=[entry])


@pytest.mark.django_db
def test_audit_record_many_writes_one_record_per_entry(clerk):
    entries = [
        AuditEntry(
            action="register_import",
            object_type="request",
            object_id=str(number),
            before=None,
            after={"n": number},
        )
        for number in (1, 2)
    ]

    audit_record_many(actor=clerk, entries=entries)

    records = AuditRecord.objects.filter(action="register_import").order_by("id")
    assert [(r.object_id, r.actor_label, r.after) for r in records] == [
        ("1", "clara.clerk", {"n": 1}),
        ("2", "clara.clerk", {"n": 2}),
    ]


def test_actor_label_names_system_without_user():
    assert audit_services.actor_label(None) == f"system ({getpass.getuser()})"


def test_actor_label_without_a_login_name_uses_the_user_id(monkeypatch):
    def no_login_name() -> str:
        raise KeyError("getpwuid(): uid not found")

    monkeypatch.setattr(getpass, "getuser", no_login_name)
    assert audit_services.actor_label(None) == f"system (uid {os.getuid()})"


# --- where a change comes from ---------------------------------------------------------------


@pytest.mark.django_db
def test_audit_record_keeps_the_client_address():
    with client_address_set("203.0.113.7"):
        record = audit_record(
            actor=None, action="request_update", object_type="request", object_id=1
        )

    assert AuditRecord.objects.get(pk=record.pk).client_address == "203.0.113.7"


@pytest.mark.django_db
def test_audit_record_many_keeps_the_client_address():
    entry = AuditEntry("request_import", "request", "1", None, {"status": "sent"})

    with client_address_set("2001:db8::1"):
        audit_record_many(actor=None, entries=[entry])

    assert AuditRecord.objects.get(action="request_import").client_address == "2001:db8::1"
    assert audit_chain_verify().intact


@pytest.mark.django_db
def test_audit_record_from_the_command_line_has_no_client_address():
    record = audit_record(actor=None, action="request_update", object_type="request", object_id=1)

    assert record.client_address == ""


def test_middleware_gives_the_request_client_address_to_the_audit_trail(rf):
    seen = []

    def view(request) -> HttpResponse:
        seen.append(client_address())
        return HttpResponse()

    AuditContextMiddleware(view)(rf.get("/", REMOTE_ADDR="198.51.100.4"))

    assert seen == ["198.51.100.4"]
    assert client_address() == ""


# --- the request a record is about -----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("object_type", "object_id", "before", "after", "request_id"),
    [
        ("request", "41", None, {"status": "sent"}, 41),
        ("person", "7", None, {"request": 42}, 42),
        ("document", "8", {"request": 43}, None, 43),
        ("user", "9", None, {"username": "olga"}, None),
        ("register", "seed.csv", None, {"rows": 3}, None),
    ],
)
def test_audit_record_files_records_under_their_request(
    object_type, object_id, before, after, request_id
):
    record = audit_record(
        actor=None,
        action="test",
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
    )

    assert AuditRecord.objects.get(pk=record.pk).request_id == request_id


# --- seeing personal data --------------------------------------------------------------------


@pytest.mark.django_db
def test_audit_view_records_who_saw_what(clerk):
    with client_address_set("203.0.113.8"):
        record = audit_view(
            actor=clerk, object_type="person", object_id=5, what={"request": 3, "shown": "name"}
        )

    stored = AuditRecord.objects.get(pk=record.pk)
    assert (stored.action, stored.actor_label, stored.object_id) == (
        "person_view",
        "clara.clerk",
        "5",
    )
    assert (stored.before, stored.after) == (None, {"request": 3, "shown": "name"})
    assert (stored.request_id, stored.client_address) == (3, "203.0.113.8")
