"""Tests for the register's selectors: histories read in bulk, and states as known at a moment."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from rogatory.register import services
from rogatory.register.lifecycle import Change
from rogatory.register.models import Event, Outcome
from rogatory.register.selectors import request_changes, request_state

from .factories import make_request

pytestmark = pytest.mark.django_db


def test_request_changes_reads_many_histories_in_two_queries(django_assert_num_queries):
    refused = make_request(
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 6, 1),
        grounds=("political_offence", "dual_criminality"),
    )
    pending = make_request(opened_on=date(2023, 4, 1))

    with django_assert_num_queries(2):
        changes = request_changes(request_ids=[refused.pk, pending.pk])

    assert [change.type for change in changes[pending.pk]] == ["registered", "sent"]
    assert changes[refused.pk][-1] == Change(
        type="decided",
        occurred_on=date(2023, 6, 1),
        outcome="refused",
        political=True,
        ground_codes=("dual_criminality", "political_offence"),
    )


def test_request_changes_leaves_out_events_recorded_later():
    request = make_request(opened_on=date(2023, 4, 1))
    moment = timezone.now()
    Event.objects.filter(request=request).update(recorded_at=moment - timedelta(hours=1))
    services.request_record_decision(
        actor=None, request=request, outcome=Outcome.EXECUTED, decided_on=date(2023, 5, 1)
    )

    earlier = request_changes(request_ids=[request.pk], recorded_until=moment)
    now = request_changes(request_ids=[request.pk])

    assert [change.type for change in earlier[request.pk]] == ["registered", "sent"]
    assert [change.type for change in now[request.pk]] == ["registered", "sent", "decided"]


def test_request_state_of_a_request_without_events_is_a_draft():
    request = make_request(opened_on=date(2023, 4, 1))
    Event.objects.filter(request=request).delete()

    state = request_state(request=request)

    assert (state.registered, state.status, state.opened_on) == (False, "draft", None)
