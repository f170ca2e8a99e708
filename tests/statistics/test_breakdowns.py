"""The published report's tables: by offence, by month, five years of refusals, by persons."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from rogatory.intake.services import register_import
from rogatory.register import services
from rogatory.register.models import Direction, Event, Kind, Outcome
from rogatory.statistics.breakdowns import (
    ground_articles,
    month_lines,
    offence_lines,
    person_figures,
    refusal_trend,
)
from rogatory.statistics.publication import previous_period, publication_build
from rogatory.statistics.selectors import report_build
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

YEAR = {"period_from": date(2023, 1, 1), "period_to": date(2023, 12, 31)}


def test_tables_add_up_to_the_report_on_the_seed_register(shared_dir):
    register_import(actor=None, path=shared_dir / "data" / "seed-2023.csv")
    report = report_build(**YEAR, direction=Direction.OUTGOING)
    offences = offence_lines(**YEAR, direction=Direction.OUTGOING, language="en", as_of=None)
    months = month_lines(**YEAR, direction=Direction.OUTGOING, as_of=None)
    persons = person_figures(**YEAR, direction=Direction.OUTGOING, as_of=None)
    trend = refusal_trend(last_year=2023, direction=Direction.OUTGOING, as_of=None)

    for kind, figures in (("mla", report.mla), ("extradition", report.extradition)):
        fulfilled = figures.fulfilled if kind == "mla" else figures.granted
        for lines in (offences, months):
            assert sum(getattr(line, kind).opened for line in lines) == figures.sent
            assert sum(getattr(line, kind).refused for line in lines) == figures.refused
            assert sum(getattr(line, kind).fulfilled for line in lines) == fulfilled
            assert (
                sum(getattr(line, kind).refused_political for line in lines)
                == figures.refused_political
            )
    assert len(months) == 12
    assert trend[-1].year == 2023
    assert trend[-1].mla_political == report.mla.refused_political == 34
    assert trend[-1].mla_other == report.mla.refused - 34
    assert trend[-1].extradition_political == report.extradition.refused_political
    assert persons.persons_granted == report.extradition.granted_persons == 151
    assert persons.persons_refused == report.extradition.refused_persons
    assert persons.requests_opened == report.extradition.sent
    assert persons.requests_pending == report.extradition.pending_at_end
    assert [line.code for line in offences[:2]] == ["01", "02"]


def test_offences_count_the_category_and_name_it_in_the_language():
    make_request(opened_on=date(2023, 2, 1), outcome=Outcome.REFUSED, decided_on=date(2023, 4, 1))
    lines = offence_lines(**YEAR, direction=Direction.OUTGOING, language="ru", as_of=None)
    unknown = lines[-1]
    assert unknown.code == ""
    assert unknown.name == "Преступление не указано"
    assert (unknown.mla.opened, unknown.mla.refused) == (1, 1)
    assert all(line.mla.opened == 0 for line in lines[:-1])


def test_months_put_openings_and_decisions_in_their_own_month():
    make_request(opened_on=date(2022, 11, 5), outcome=Outcome.EXECUTED, decided_on=date(2023, 2, 9))
    make_request(opened_on=date(2023, 2, 28))
    lines = month_lines(**YEAR, direction=Direction.OUTGOING, as_of=None)
    february = lines[1]
    assert (february.year, february.month) == (2023, 2)
    assert (february.mla.opened, february.mla.fulfilled) == (1, 1)
    assert sum(line.mla.opened for line in lines) == 1


def test_a_short_period_lists_only_its_months():
    lines = month_lines(
        period_from=date(2023, 11, 15),
        period_to=date(2024, 2, 1),
        direction=Direction.OUTGOING,
        as_of=None,
    )
    assert [(line.year, line.month) for line in lines] == [
        (2023, 11),
        (2023, 12),
        (2024, 1),
        (2024, 2),
    ]


def test_refusal_trend_splits_political_from_other_over_five_years():
    make_request(
        opened_on=date(2019, 1, 1),
        outcome=Outcome.REFUSED,
        decided_on=date(2019, 6, 1),
        grounds=("political_offence",),
    )
    make_request(opened_on=date(2021, 1, 1), outcome=Outcome.REFUSED, decided_on=date(2021, 6, 1))
    make_request(
        kind=Kind.EXTRADITION,
        opened_on=date(2023, 1, 1),
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 3, 1),
        grounds=("political_offence",),
    )
    trend = refusal_trend(last_year=2023, direction=Direction.OUTGOING, as_of=None)
    assert [line.year for line in trend] == [2019, 2020, 2021, 2022, 2023]
    assert (trend[0].mla_political, trend[0].mla_other) == (1, 0)
    assert (trend[2].mla_political, trend[2].mla_other) == (0, 1)
    assert (trend[4].extradition_political, trend[4].political, trend[4].other) == (1, 1, 0)


def test_persons_count_requested_granted_surrendered_and_refused():
    granted = make_request(
        kind=Kind.EXTRADITION,
        persons_count=3,
        opened_on=date(2023, 1, 10),
        outcome=Outcome.GRANTED,
        decided_on=date(2023, 3, 1),
    )
    services.request_record_surrender(actor=None, request=granted, surrendered_on=date(2023, 4, 1))
    make_request(
        kind=Kind.EXTRADITION,
        persons_count=2,
        opened_on=date(2023, 2, 1),
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 5, 1),
    )
    make_request(kind=Kind.EXTRADITION, persons_count=4, opened_on=date(2022, 12, 1))
    persons = person_figures(**YEAR, direction=Direction.OUTGOING, as_of=None)
    assert (persons.requests_opened, persons.persons_requested) == (2, 5)
    assert (persons.requests_granted, persons.persons_granted) == (1, 3)
    assert (persons.requests_surrendered, persons.persons_surrendered) == (1, 3)
    assert (persons.requests_refused, persons.persons_refused) == (1, 2)
    assert (persons.requests_pending, persons.persons_pending) == (1, 4)


def test_a_surrender_recorded_after_the_moment_is_not_known_then():
    granted = make_request(
        kind=Kind.EXTRADITION,
        persons_count=2,
        opened_on=date(2023, 1, 10),
        outcome=Outcome.GRANTED,
        decided_on=date(2023, 3, 1),
    )
    moment = timezone.now()
    Event.objects.update(recorded_at=moment - timedelta(minutes=1))
    services.request_record_surrender(actor=None, request=granted, surrendered_on=date(2023, 4, 1))
    then = person_figures(**YEAR, direction=Direction.OUTGOING, as_of=moment)
    now = person_figures(**YEAR, direction=Direction.OUTGOING, as_of=None)
    assert (then.persons_granted, then.persons_surrendered) == (2, 0)
    assert (now.persons_granted, now.persons_surrendered) == (2, 2)


def test_ground_articles_name_the_treaty_articles():
    articles = ground_articles(codes=["political_offence", "no_such_ground"])
    assert articles["no_such_ground"] == []
    assert any(text.startswith("ECMA-1959 ") for text in articles["political_offence"])


@pytest.mark.parametrize(
    ("period", "previous"),
    [
        ((date(2023, 1, 1), date(2023, 12, 31)), (date(2022, 1, 1), date(2022, 12, 31))),
        ((date(2022, 1, 1), date(2023, 12, 31)), (date(2020, 1, 1), date(2021, 12, 31))),
        ((date(2023, 3, 1), date(2023, 3, 31)), (date(2023, 1, 29), date(2023, 2, 28))),
    ],
)
def test_previous_period_has_the_same_length(period, previous):
    assert previous_period(*period) == previous


def test_publication_shows_the_previous_year_beside_this_one():
    make_request(opened_on=date(2022, 5, 1), outcome=Outcome.REFUSED, decided_on=date(2022, 6, 1))
    make_request(opened_on=date(2023, 5, 1))
    publication = publication_build(**YEAR, direction=Direction.OUTGOING, language="en")
    by_key = {figure.line.key: figure for figure in publication.figures}
    assert (by_key["sent"].line.mla, by_key["sent"].previous.mla) == (1, 1)
    assert (by_key["refused"].line.mla, by_key["refused"].previous.mla) == (0, 1)
