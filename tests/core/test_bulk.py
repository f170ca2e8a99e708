"""Bulk inserts store exactly what the ORM would store, on SQLite and on PostgreSQL."""

from datetime import date

import pytest
from django.utils import timezone

from rogatory.audit.models import AuditRecord
from rogatory.core.bulk import insert_rows, reserve_ids
from rogatory.register.models import Event
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db


def test_insert_rows_stores_json_dates_and_defaults():
    at = timezone.now()
    # The bulk layer itself, not the audit chain: the chain columns get stand-in values.
    written = insert_rows(
        AuditRecord,
        (
            *("at", "actor_label", "action", "object_type", "object_id", "before", "after"),
            *("sequence", "previous_hash", "hash"),
        ),
        [
            (
                *(at, "system", "test", "request", "7", None),
                {"status": "refused", "grounds": ["x"]},
                *(10**9, "0" * 64, "f" * 64),
            )
        ],
    )

    record = AuditRecord.objects.get(action="test")
    assert written == 1
    assert (record.at, record.actor, record.before) == (at, None, None)
    assert record.after == {"status": "refused", "grounds": ["x"]}


def test_insert_rows_fills_fields_left_out_with_their_defaults():
    request = make_request(opened_on=date(2023, 4, 1))
    insert_rows(
        Event,
        ("request_id", "type", "occurred_on", "recorded_at", "political"),
        [(request.pk, "acknowledged", date(2023, 4, 9), timezone.now(), None)],
    )

    event = Event.objects.get(request=request, type="acknowledged")
    assert (event.occurred_on, event.outcome, event.note, event.political_overridden) == (
        date(2023, 4, 9),
        "",
        "",
        False,
    )


def test_insert_rows_refuses_to_leave_a_required_field_empty():
    with pytest.raises(ValueError, match=r"needs values for \['request_id', 'occurred_on'\]"):
        insert_rows(Event, ("type",), [("acknowledged",)])


def test_reserve_ids_gives_fresh_keys_that_rows_can_be_written_with():
    request = make_request()
    first = Event.objects.order_by("-id").first()
    ids = reserve_ids(Event, 3)
    assert ids == sorted(set(ids)) and ids[0] > first.pk
    insert_rows(
        Event,
        ("id", "request_id", "type", "occurred_on", "recorded_at"),
        [(pk, request.pk, "hearing", date(2023, 3, 2), timezone.now()) for pk in ids],
    )
    assert set(Event.objects.filter(pk__in=ids).values_list("pk", flat=True)) == set(ids)
    # The database's own numbering goes on after the reserved keys.
    later = Event.objects.create(request=request, type="hearing", occurred_on=date(2023, 3, 3))
    assert later.pk > ids[-1]
    assert reserve_ids(Event, 1)[0] > later.pk


def test_reserve_ids_of_nothing_is_nothing():
    assert reserve_ids(Event, 0) == []
