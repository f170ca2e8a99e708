"""The effective priority of requests: chosen, or urgent by rule, computed by the database."""

from datetime import date

import pytest

from rogatory.core.exceptions import ValidationError
from rogatory.deadlines.priority import (
    LIMITATION_URGENT_MONTHS,
    limitation_urgent_until,
    months_after,
    priority_annotate,
    priority_of,
)
from rogatory.register import services
from rogatory.register.models import Kind, Outcome, Priority, Request
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 15)


def _rank(request: Request, today: date = TODAY) -> int:
    return priority_annotate(Request.objects.filter(pk=request.pk), today=today).get().priority_rank


def _limited(on: date | None) -> Request:
    request = make_request(opened_on=date(2026, 1, 10))
    Request.objects.filter(pk=request.pk).update(limitation_on=on)
    request.refresh_from_db()
    return request


def test_months_after_keeps_the_day_or_takes_the_last_of_a_shorter_month():
    assert months_after(date(2026, 3, 15), 6) == date(2026, 9, 15)
    assert months_after(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert months_after(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert months_after(date(2026, 9, 30), 6) == date(2027, 3, 30)
    assert LIMITATION_URGENT_MONTHS == 6
    assert limitation_urgent_until(TODAY) == date(2026, 9, 15)


def test_limitation_exactly_six_months_ahead_is_urgent_one_day_more_is_not():
    on_the_day = _limited(date(2026, 9, 15))
    one_day_more = _limited(date(2026, 9, 16))
    passed = _limited(date(2026, 3, 1))
    none = _limited(None)
    assert _rank(on_the_day) == 0
    assert _rank(one_day_more) == 2
    assert _rank(passed) == 0
    assert _rank(none) == 2
    # The day after, the second is within six months too.
    assert _rank(one_day_more, today=date(2026, 3, 16)) == 0
    explained = priority_of(request=on_the_day, today=TODAY)
    assert explained.priority == Priority.URGENT
    assert explained.chosen == Priority.NORMAL
    assert explained.rules == ("the limitation period runs out on 2026-09-15, within 6 months",)
    assert priority_of(request=one_day_more, today=TODAY).rules == ()


def test_a_decided_request_is_not_urgent_for_its_limitation_date():
    request = make_request(
        opened_on=date(2026, 1, 10), outcome=Outcome.EXECUTED, decided_on=date(2026, 2, 1)
    )
    Request.objects.filter(pk=request.pk).update(limitation_on=date(2026, 4, 1))
    assert _rank(request) == 2


def test_a_person_in_custody_makes_an_extradition_urgent_until_surrender():
    request = make_request(kind=Kind.EXTRADITION, persons_count=1, opened_on=date(2026, 1, 10))
    services.person_add(actor=None, request=request, full_name="Free Person")
    assert _rank(request) == 2
    services.person_add(actor=None, request=request, full_name="Held Person", in_custody=True)
    assert _rank(request) == 0
    assert priority_of(request=request, today=TODAY).rules == ("a person sought is in custody",)
    services.request_record_decision(
        actor=None, request=request, outcome=Outcome.GRANTED, decided_on=date(2026, 2, 1)
    )
    # Granted but not yet surrendered: still held for us.
    assert _rank(request) == 0
    services.request_record_surrender(
        actor=None, request=Request.objects.get(pk=request.pk), surrendered_on=date(2026, 3, 1)
    )
    assert _rank(request) == 2


def test_a_provisional_arrest_runs_until_refusal_withdrawal_or_surrender():
    running = make_request(kind=Kind.EXTRADITION, persons_count=1, opened_on=date(2026, 1, 10))
    services.request_record_provisional_arrest(
        actor=None, request=running, arrested_on=date(2026, 1, 12)
    )
    assert _rank(running) == 0
    assert priority_of(request=running, today=TODAY).rules == ("a provisional arrest is running",)

    ended = make_request(kind=Kind.EXTRADITION, persons_count=1, opened_on=date(2026, 1, 10))
    services.request_record_provisional_arrest(
        actor=None, request=ended, arrested_on=date(2026, 1, 12)
    )
    services.request_record_decision(
        actor=None,
        request=Request.objects.get(pk=ended.pk),
        outcome=Outcome.REFUSED,
        decided_on=date(2026, 2, 1),
        grounds=services.RefusalGround.objects.filter(code="dual_criminality"),
    )
    assert _rank(ended) == 2
    # Re-opened after the refusal: the old arrest does not run again by itself ...
    services.request_reopen(
        actor=None,
        request=Request.objects.get(pk=ended.pk),
        reopened_on=date(2026, 2, 10),
        reason="appeal",
    )
    assert _rank(ended) == 2
    # ... a new provisional arrest does.
    services.request_record_provisional_arrest(
        actor=None, request=Request.objects.get(pk=ended.pk), arrested_on=date(2026, 2, 20)
    )
    assert _rank(ended) == 0


def test_the_chosen_priority_counts_when_no_rule_applies():
    high = make_request(opened_on=date(2026, 1, 10))
    services.request_update(
        actor=None, request=high, priority=Priority.HIGH, priority_reason="Minister asked"
    )
    assert _rank(high) == 1
    explained = priority_of(request=Request.objects.get(pk=high.pk), today=TODAY)
    assert (explained.priority, explained.chosen_reason, explained.rules) == (
        Priority.HIGH,
        "Minister asked",
        (),
    )


def test_a_manual_priority_above_normal_needs_a_reason():
    request = make_request(opened_on=date(2026, 1, 10))
    with pytest.raises(ValidationError) as raised:
        services.request_update(actor=None, request=request, priority=Priority.URGENT)
    assert raised.value.extra == {"field": "priority_reason"}


def test_lists_sort_by_effective_priority():
    normal = make_request(opened_on=date(2026, 1, 10))
    high = make_request(opened_on=date(2026, 1, 10))
    services.request_update(actor=None, request=high, priority="high", priority_reason="x")
    by_rule = _limited(date(2026, 5, 1))
    ordered = priority_annotate(
        Request.objects.filter(pk__in=[normal.pk, high.pk, by_rule.pk]), today=TODAY
    ).order_by("priority_rank", "pk")
    assert list(ordered) == [by_rule, Request.objects.get(pk=high.pk), normal]
