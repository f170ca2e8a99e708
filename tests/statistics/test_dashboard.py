"""The dashboard's figures: key figures as Report v1 defines them, awaiting work, activity."""

from dataclasses import fields
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rogatory.accounts.models import Role
from rogatory.register import services
from rogatory.register.models import Direction, Event, Kind, Outcome, Status
from rogatory.statistics.dashboard import (
    KeyFigures,
    Period,
    dashboard_awaiting,
    dashboard_key_figures,
    dashboard_periods,
    dashboard_recent_events,
    dashboard_refusals_by_country,
)
from rogatory.statistics.selectors import report_build
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

# A fixed "today" in the past, so that every date of the register can be recorded.
TODAY = date(2026, 6, 30)


@pytest.fixture
def register():
    """A small register over 2024-2026 whose key figures are counted by hand in each test."""
    out, inc = Direction.OUTGOING, Direction.INCOMING
    # This year, to TODAY.
    make_request(opened_on=date(2026, 2, 1), outcome=Outcome.EXECUTED, decided_on=date(2026, 5, 1))
    make_request(
        opened_on=date(2026, 3, 1),
        outcome=Outcome.REFUSED,
        decided_on=date(2026, 4, 1),
        grounds=("political_offence",),
        political=True,
    )
    # Opened in 2024, refused this year on a ground that is not political.
    make_request(
        opened_on=date(2024, 12, 1),
        outcome=Outcome.REFUSED,
        decided_on=date(2026, 1, 10),
        political=False,
    )
    make_request(
        kind=Kind.EXTRADITION,
        country="LV",
        opened_on=date(2026, 1, 5),
        outcome=Outcome.GRANTED,
        decided_on=date(2026, 3, 1),
        persons_count=2,
    )
    make_request(
        kind=Kind.EXTRADITION,
        country="LV",
        opened_on=date(2026, 1, 6),
        outcome=Outcome.REFUSED,
        decided_on=date(2026, 5, 1),
        grounds=("political_offence",),
        political=True,
    )
    # After TODAY: outside every period.
    make_request(opened_on=date(2026, 7, 15))
    # Last year, within the same period (to 30 June) and after it.
    make_request(
        opened_on=date(2025, 3, 1),
        outcome=Outcome.PARTIALLY_EXECUTED,
        decided_on=date(2025, 6, 1),
    )
    make_request(
        opened_on=date(2025, 9, 1),
        outcome=Outcome.REFUSED,
        decided_on=date(2025, 10, 1),
        country="US",
        political=False,
    )
    make_request(
        kind=Kind.EXTRADITION,
        opened_on=date(2025, 2, 1),
        outcome=Outcome.REFUSED,
        decided_on=date(2025, 5, 1),
        grounds=("political_offence",),
        political=True,
    )
    # Incoming.
    make_request(direction=inc, opened_on=date(2026, 4, 1))
    make_request(
        direction=inc,
        opened_on=date(2025, 1, 15),
        outcome=Outcome.EXECUTED,
        decided_on=date(2025, 12, 1),
    )
    return out


def test_dashboard_periods_compare_to_the_same_days_of_last_year():
    current, same_period, last_year = dashboard_periods(today=TODAY)
    assert current == Period(date(2026, 1, 1), TODAY)
    assert same_period == Period(date(2025, 1, 1), date(2025, 6, 30))
    assert last_year == Period(date(2025, 1, 1), date(2025, 12, 31))


def test_dashboard_periods_on_29_february_end_last_year_on_the_28th():
    _, same_period, _ = dashboard_periods(today=date(2028, 2, 29))
    assert same_period.end == date(2027, 2, 28)


def test_dashboard_key_figures_this_year(register):
    figures = dashboard_key_figures(today=TODAY)
    mla = figures.outgoing_mla.current
    assert (mla.opened, mla.fulfilled, mla.refused, mla.refused_political) == (2, 1, 2, 1)
    extradition = figures.outgoing_extradition.current
    assert (extradition.opened, extradition.granted, extradition.granted_persons) == (2, 1, 2)
    assert (extradition.refused, extradition.refused_political) == (1, 1)
    assert figures.incoming_mla.current.opened == 1
    assert figures.outgoing.current.refused == 3


def test_dashboard_key_figures_same_period_and_whole_of_last_year(register):
    figures = dashboard_key_figures(today=TODAY)
    same, whole = figures.outgoing_mla.same_period, figures.outgoing_mla.last_year
    assert (same.opened, same.fulfilled, same.refused) == (1, 1, 0)
    assert (whole.opened, whole.fulfilled, whole.refused, whole.refused_political) == (2, 1, 1, 0)
    assert figures.outgoing_extradition.same_period.refused_political == 1
    incoming = figures.incoming_mla
    assert (incoming.same_period.opened, incoming.same_period.fulfilled) == (1, 0)
    assert (incoming.last_year.opened, incoming.last_year.fulfilled) == (1, 1)


def test_dashboard_key_figures_agree_with_the_report(register):
    figures = dashboard_key_figures(today=TODAY)
    for row in figures.rows:
        for period_name in ("current", "same_period", "last_year"):
            period = getattr(figures, period_name)
            report = report_build(
                period_from=period.start, period_to=period.end, direction=row.direction
            )
            expected = getattr(report, row.kind)
            key = getattr(row, period_name)
            assert key.opened == expected.sent
            assert key.refused == expected.refused
            assert key.refused_political == expected.refused_political
            if row.kind == Kind.MLA:
                assert key.fulfilled == expected.fulfilled
            else:
                assert key.granted == expected.granted
                assert key.granted_persons == expected.granted_persons


def test_dashboard_key_figures_of_an_empty_register_are_zeros():
    figures = dashboard_key_figures(today=TODAY)
    assert len(figures.rows) == 4
    for row in figures.rows:
        for period_name in ("current", "same_period", "last_year"):
            key = getattr(row, period_name)
            assert all(getattr(key, f.name) == 0 for f in fields(key))


def test_dashboard_key_figures_are_the_reports_figure_objects(register):
    figures = dashboard_key_figures(today=TODAY)
    report = report_build(
        period_from=date(2025, 1, 1), period_to=date(2025, 12, 31), direction="outgoing"
    )
    assert figures.outgoing_mla.last_year == KeyFigures.from_report(report.mla)
    assert figures.outgoing_extradition.last_year == KeyFigures.from_report(report.extradition)


def test_dashboard_key_figures_as_of_leave_out_decisions_recorded_later(register):
    moment = timezone.now() + timedelta(minutes=1)
    late = make_request(
        opened_on=date(2026, 6, 1), outcome=Outcome.REFUSED, decided_on=date(2026, 6, 2)
    )
    Event.objects.filter(request=late, type=Event.Type.DECIDED).update(
        recorded_at=moment + timedelta(hours=1)
    )
    now = dashboard_key_figures(today=TODAY).outgoing_mla.current
    then = dashboard_key_figures(today=TODAY, as_of=moment).outgoing_mla.current
    assert (now.opened, now.refused) == (3, 3)
    assert (then.opened, then.refused) == (3, 2)
    refusals = dashboard_refusals_by_country(today=TODAY, language="en", as_of=moment)
    assert refusals.total_refused == 3


def test_dashboard_queries_do_not_grow_with_the_register(register):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            dashboard_key_figures(today=TODAY)
            dashboard_refusals_by_country(today=TODAY, language="en")
        return len(queries)

    few = count_queries()
    for country in ("DE", "FR", "US"):
        make_request(
            country=country,
            opened_on=date(2026, 2, 1),
            outcome=Outcome.REFUSED,
            decided_on=date(2026, 3, 1),
        )
    assert count_queries() == few


def test_dashboard_refusals_by_country_counts_this_years_outgoing_refusals(register):
    refusals = dashboard_refusals_by_country(today=TODAY, language="en")
    by_code = {country.code: country for country in refusals.countries}
    assert [country.code for country in refusals.countries] == ["CH", "LV"]
    assert (by_code["CH"].name, by_code["CH"].refused, by_code["CH"].political) == (
        "Switzerland",
        2,
        1,
    )
    assert (by_code["LV"].refused, by_code["LV"].political, by_code["LV"].other) == (1, 1, 0)
    assert (refusals.total_refused, refusals.total_political, refusals.total_countries) == (3, 2, 2)
    assert refusals.other_countries == 0


def test_dashboard_refusals_by_country_agree_with_the_report(register):
    refusals = dashboard_refusals_by_country(today=TODAY, language="en")
    report = report_build(period_from=date(2026, 1, 1), period_to=TODAY, direction="outgoing")
    for country in refusals.countries:
        assert country.refused == report.mla.refused_by_country.get(
            country.code, 0
        ) + report.extradition.refused_by_country.get(country.code, 0)
    assert refusals.total_refused == report.mla.refused + report.extradition.refused
    assert (
        refusals.total_political
        == report.mla.refused_political + report.extradition.refused_political
    )


def test_dashboard_refusals_by_country_of_an_empty_register():
    refusals = dashboard_refusals_by_country(today=TODAY, language="en")
    assert refusals.countries == ()
    assert (refusals.total_refused, refusals.total_political, refusals.total_countries) == (0, 0, 0)


def test_dashboard_refusals_by_country_keeps_the_top_and_counts_the_rest(register):
    refusals = dashboard_refusals_by_country(today=TODAY, language="ru", limit=1)
    assert [(country.code, country.name) for country in refusals.countries] == [("CH", "Швейцария")]
    assert (refusals.other_countries, refusals.other_refused) == (1, 1)


@pytest.fixture
def units():
    return UnitFactory(code="central"), UnitFactory(code="north")


def test_dashboard_awaiting_counts_undecided_requests_by_status_and_age(units):
    central, _ = units
    make_request(opened_on=None, unit=central)
    make_request(opened_on=date(2026, 1, 2), unit=central)  # more than 90 days before TODAY
    make_request(opened_on=date(2026, 6, 1), unit=central)
    asked = make_request(opened_on=date(2026, 1, 2), unit=central)
    services.request_record_supplementary_requested(
        actor=None, request=asked, requested_on=date(2026, 2, 1)
    )
    make_request(opened_on=date(2026, 1, 2), outcome=Outcome.EXECUTED, unit=central)
    awaiting = dashboard_awaiting(user=None, today=TODAY)
    counts = {item.status: (item.count, item.overdue) for item in awaiting.statuses}
    assert counts == {
        Status.DRAFT: (1, 0),
        Status.SENT: (2, 1),
        Status.SUPPLEMENTARY_REQUESTED: (1, 1),
    }
    assert (awaiting.total, awaiting.overdue) == (4, 2)
    assert awaiting.overdue_until == date(2026, 3, 31)
    assert [item.status for item in awaiting.statuses] == [
        Status.DRAFT,
        Status.SENT,
        Status.SUPPLEMENTARY_REQUESTED,
    ]


def test_dashboard_awaiting_shows_a_clerk_only_their_units(units):
    central, north = units
    make_request(opened_on=date(2026, 1, 2), unit=central)
    make_request(opened_on=date(2026, 1, 2), unit=north)
    make_request(direction=Direction.INCOMING, opened_on=date(2026, 1, 2), unit=north)
    clerk = UserFactory(role=Role.CLERK, units=[north])
    supervisor = UserFactory(role=Role.SUPERVISOR, units=[central])
    assert dashboard_awaiting(user=clerk, today=TODAY).total == 2
    assert dashboard_awaiting(user=supervisor, today=TODAY).total == 3


def test_dashboard_recent_events_are_newest_first_and_limited(units):
    central, _ = units
    first = make_request(opened_on=date(2026, 1, 2), unit=central)
    second = make_request(opened_on=date(2026, 1, 3), unit=central)
    events = dashboard_recent_events(user=None, limit=3)
    assert [(event.request_id, event.type) for event in events] == [
        (second.pk, "sent"),
        (second.pk, "registered"),
        (first.pk, "sent"),
    ]


def test_dashboard_recent_events_show_a_clerk_only_their_units(units):
    central, north = units
    make_request(opened_on=date(2026, 1, 2), unit=central, reference="C-1")
    make_request(opened_on=date(2026, 1, 2), unit=north, reference="N-1")
    clerk = UserFactory(role=Role.CLERK, units=[north])
    viewer_elsewhere = UserFactory(role=Role.VIEWER, units=[])
    assert {event.request.reference for event in dashboard_recent_events(user=clerk)} == {"N-1"}
    assert dashboard_recent_events(user=viewer_elsewhere) == []
    supervisor = UserFactory(role=Role.SUPERVISOR, units=[])
    seen = {event.request.reference for event in dashboard_recent_events(user=supervisor)}
    assert seen == {"C-1", "N-1"}
