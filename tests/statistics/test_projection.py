"""Figures as known at a moment: the SQL projection agrees with the lifecycle's fold."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db.models import F
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from rogatory.core.exceptions import ApplicationError, ValidationError
from rogatory.reference.models import RefusalGround
from rogatory.register import services
from rogatory.register.models import Event, Kind, Outcome, Request
from rogatory.register.selectors import request_state
from rogatory.statistics.projection import (
    DECIDED_ON,
    OPENED_ON,
    OUTCOME,
    POLITICAL,
    SURRENDERED,
    as_of_parse,
    report_ground_counts,
    report_requests,
)
from rogatory.statistics.selectors import report_build
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

START = date(2022, 1, 1)
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
GROUNDS = ("political_offence", "dual_criminality", "immunity")


def _backdate(request: Request) -> None:
    # Events recorded one hour apart, in the order they were recorded.
    for position, event in enumerate(Event.objects.filter(request=request).order_by("id")):
        Event.objects.filter(pk=event.pk).update(recorded_at=EPOCH + timedelta(hours=position))


def _step(request: Request, step: tuple, day: date) -> None:
    """Try one random event; the lifecycle may refuse it, which is part of the history too."""
    kind, argument = step
    try:
        if kind == "decide":
            outcome = argument
            services.request_record_decision(
                actor=None,
                request=request,
                outcome=outcome,
                decided_on=day,
                grounds=RefusalGround.objects.filter(code__in=GROUNDS[: 1 + day.day % 3])
                if outcome == Outcome.REFUSED
                else (),
            )
        elif kind == "reopen":
            services.request_reopen(actor=None, request=request, reopened_on=day, reason="Appeal.")
        elif kind == "correct":
            services.request_correct_opening(
                actor=None,
                request=request,
                opened_on=day - timedelta(days=argument),
                reason="Typo.",
            )
        elif kind == "surrender":
            services.request_record_surrender(actor=None, request=request, surrendered_on=day)
    except ApplicationError:
        pass  # the lifecycle refused the step: it is simply not part of the history


steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("decide"),
            st.sampled_from(
                (Outcome.EXECUTED, Outcome.GRANTED, Outcome.REFUSED, Outcome.WITHDRAWN)
            ),
        ),
        st.tuples(st.just("reopen"), st.none()),
        st.tuples(st.just("correct"), st.integers(0, 20)),
        st.tuples(st.just("surrender"), st.none()),
    ),
    max_size=6,
)


class ProjectionAgreesWithLifecycleTests(TestCase):
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        histories=st.lists(st.tuples(st.sampled_from(Kind.values), steps), min_size=1, max_size=4),
        cutoff_hours=st.lists(st.integers(-1, 9), min_size=1, max_size=4),
    )
    def test_as_of_projection_equals_the_fold_of_known_events(self, histories, cutoff_hours):
        created = []
        for kind, history in histories:
            request = make_request(kind=kind, opened_on=START, persons_count=None)
            for number, step in enumerate(history, start=1):
                _step(request, step, START + timedelta(days=10 * number))
                request.refresh_from_db()
            _backdate(request)
            created.append(request)
        for hours in [*cutoff_hours, None]:
            moment = None if hours is None else EPOCH + timedelta(hours=hours, minutes=30)
            rows = {
                row["pk"]: row
                for row in report_requests(as_of=moment)
                .filter(pk__in=[request.pk for request in created])
                .annotate(
                    opened=F(OPENED_ON),
                    decided=F(DECIDED_ON),
                    decision=F(OUTCOME),
                    flag=F(POLITICAL),
                    handed=F(SURRENDERED),
                )
                .values("pk", "opened", "decided", "decision", "flag", "handed")
            }
            refused = report_requests(as_of=moment).filter(
                pk__in=[request.pk for request in created], **{OUTCOME: Outcome.REFUSED}
            )
            ground_total = sum(
                row["refused"] for row in report_ground_counts(refused=refused, as_of=moment)
            )
            expected_grounds = 0
            for request in created:
                state = request_state(request=request, recorded_until=moment)
                row = rows[request.pk]
                self.assertEqual(row["opened"], state.opened_on)
                self.assertEqual(row["decided"], state.decided_on)
                self.assertEqual(row["decision"], state.outcome)
                self.assertEqual(row["flag"], state.political)
                self.assertEqual(row["handed"], state.status == "surrendered")
                if state.outcome == Outcome.REFUSED:
                    expected_grounds += len(state.ground_codes)
            self.assertEqual(ground_total, expected_grounds)


def test_an_as_of_report_keeps_the_figure_published_before_a_correction():
    request = make_request(
        kind=Kind.MLA,
        country="CH",
        opened_on=date(2023, 2, 1),
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 5, 1),
        grounds=("political_offence",),
    )
    make_request(kind=Kind.MLA, country="LV", opened_on=date(2023, 3, 1))
    published_at = timezone.now()
    first = report_build(
        period_from=date(2023, 1, 1), period_to=date(2023, 12, 31), direction="outgoing"
    )

    # Later the office learns the refusal was an error: it is re-opened and executed.
    Event.objects.update(recorded_at=published_at - timedelta(minutes=5))
    services.request_reopen(
        actor=None, request=request, reopened_on=date(2023, 6, 1), reason="Decided on appeal."
    )
    services.request_record_decision(
        actor=None, request=request, outcome=Outcome.EXECUTED, decided_on=date(2023, 7, 1)
    )
    Event.objects.filter(
        type__in=["reopened", "decided"], occurred_on__gte=date(2023, 6, 1)
    ).update(recorded_at=published_at + timedelta(minutes=5))

    today = report_build(
        period_from=date(2023, 1, 1), period_to=date(2023, 12, 31), direction="outgoing"
    )
    as_published = report_build(
        period_from=date(2023, 1, 1),
        period_to=date(2023, 12, 31),
        direction="outgoing",
        as_of=published_at,
    )
    assert (first.mla.refused, first.mla.executed) == (1, 0)
    assert (today.mla.refused, today.mla.executed) == (0, 1)
    assert as_published.mla == first.mla
    assert as_published.mla.refused_by_ground == {"political_offence": 1}
    assert as_published.mla.refused_political_by_country == {"CH": 1}
    assert as_published.as_dict()["as_of"] == published_at.isoformat()


def test_an_as_of_report_before_any_event_counts_nothing():
    make_request(kind=Kind.MLA, opened_on=date(2023, 2, 1))
    report = report_build(
        period_from=date(2023, 1, 1),
        period_to=date(2023, 12, 31),
        direction="outgoing",
        as_of=timezone.now() - timedelta(days=1),
    )
    assert report.mla.sent == 0
    assert report.mla.pending_at_end == 0


def test_as_of_accepts_a_date_as_the_end_of_that_day():
    moment = as_of_parse("2024-03-31")
    local = timezone.localtime(moment)
    assert (local.date(), local.hour, local.minute) == (date(2024, 3, 31), 23, 59)


def test_as_of_takes_a_naive_moment_in_the_server_time_zone():
    moment = as_of_parse("2024-03-31T18:00")
    assert timezone.localtime(moment).hour == 18


@pytest.mark.parametrize("value", ["yesterday", "2024-13-01", "31.03.2024", "2024-02-30T10:00"])
def test_as_of_refuses_what_is_not_a_moment(value):
    with pytest.raises(ValidationError, match="is not a date and time"):
        as_of_parse(value)


def test_as_of_refuses_the_future():
    tomorrow = (timezone.localdate() + timedelta(days=2)).isoformat()
    with pytest.raises(ValidationError, match="in the future"):
        as_of_parse(tomorrow)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_as_of_nothing_means_now(value):
    assert as_of_parse(value) is None


def test_as_of_refuses_a_moment_out_of_range():
    with pytest.raises(ValidationError, match="out of range"):
        as_of_parse("0001-01-01T00:00+05:00")
