"""Pages of the audit trail: newest first, filtered, and a request's whole history."""

import pytest

from rogatory.audit.selectors import audit_records, audit_records_for_request
from rogatory.audit.services import AuditEntry, audit_record, audit_record_many, audit_view
from rogatory.register import services
from rogatory.register.models import Kind
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db


def _write(action: str, object_type: str, object_id, *, actor=None, after=None):
    return audit_record(
        actor=actor, action=action, object_type=object_type, object_id=object_id, after=after
    )


def test_audit_records_pages_newest_first():
    written = [_write("test_page", "test", number) for number in range(5)]

    first = audit_records(action="test_page", limit=2)
    second = audit_records(action="test_page", limit=2, before_sequence=first.next_before_sequence)
    third = audit_records(action="test_page", limit=2, before_sequence=second.next_before_sequence)

    pages = [first, second, third]
    assert [[r.object_id for r in page.records] for page in pages] == [
        ["4", "3"],
        ["2", "1"],
        ["0"],
    ]
    assert first.next_before_sequence == written[3].sequence
    assert third.next_before_sequence is None


def test_audit_records_filters_by_object_actor_and_action(clerk):
    _write("test_filter", "test", 1, actor=clerk)
    _write("test_filter", "test", 2)
    _write("test_other", "test", 1, actor=clerk)

    def found(**filters) -> list[tuple[str, str]]:
        return [(r.action, r.object_id) for r in audit_records(**filters).records]

    assert found(object_type="test", object_id=1) == [("test_other", "1"), ("test_filter", "1")]
    assert found(actor_id=clerk.pk, object_type="test") == [("test_other", "1"), ("test_filter", "1")]  # fmt: skip
    assert found(action="test_filter") == [("test_filter", "2"), ("test_filter", "1")]


def test_audit_records_for_request_includes_its_persons_and_views(clerk):
    request = make_request(kind=Kind.EXTRADITION)
    other = make_request(kind=Kind.EXTRADITION)
    person = services.person_add(actor=clerk, request=request, full_name="Ivan Petrov")
    services.person_add(actor=clerk, request=other, full_name="Anna Smirnova")
    audit_view(actor=clerk, object_type="person", object_id=person.pk, what={"request": request.pk})

    page = audit_records_for_request(request.pk, 10)

    assert [(r.action, r.object_type) for r in page.records] == [
        ("person_view", "person"),
        ("person_add", "person"),
        ("request_record_sent", "request"),
        ("request_register", "request"),
    ]
    assert page.next_before_sequence is None


def test_audit_records_for_request_includes_bulk_records():
    request = make_request()
    audit_record_many(
        actor=None,
        entries=[
            AuditEntry("request_import", "request", str(request.pk), None, {"status": "sent"}),
            AuditEntry("person_import", "person", "77", {"request": request.pk}, None),
            AuditEntry("person_import", "person", "78", None, {"request": request.pk + 1}),
        ],
    )

    page = audit_records_for_request(request_id=request.pk, limit=2)

    assert [(r.action, r.object_id) for r in page.records] == [
        ("person_import", "77"),
        ("request_import", str(request.pk)),
    ]
    assert page.next_before_sequence == page.records[-1].sequence
