"""Country profiles and the other reads of the analytics pages, computed by the database."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from rogatory.core.exceptions import NotFoundError
from rogatory.register.models import Direction, Event, Kind, Outcome
from rogatory.statistics.profiles import (
    country_profile,
    country_refusal_grounds,
    country_refusal_rates,
    country_requests_by_year,
    country_summaries,
    report_default_year,
    report_ground_names,
    report_years,
)
from rogatory.statistics.selectors import report_build
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db


def _refused(country="CH", direction=Direction.OUTGOING, kind=Kind.MLA, **kwargs):
    kwargs.setdefault("opened_on", date(2023, 2, 1))
    kwargs.setdefault("decided_on", date(2023, 6, 1))
    return make_request(
        country=country, direction=direction, kind=kind, outcome=Outcome.REFUSED, **kwargs
    )


def test_country_requests_by_year_groups_by_year_direction_and_kind():
    make_request(opened_on=date(2021, 12, 31))
    make_request(opened_on=date(2022, 1, 1))
    make_request(opened_on=date(2022, 12, 31), kind=Kind.EXTRADITION)
    make_request(opened_on=date(2022, 6, 1), direction=Direction.INCOMING)
    make_request(opened_on=date(2022, 6, 1), direction=Direction.INCOMING, kind=Kind.EXTRADITION)
    make_request(opened_on=None)
    make_request(opened_on=date(2022, 6, 1), country="DE")
    years = country_requests_by_year(code="CH")
    assert [
        (y.year, y.outgoing_mla, y.outgoing_extradition, y.incoming_mla, y.incoming_extradition)
        for y in years
    ] == [
        (2021, 1, 0, 0, 0),
        (2022, 1, 1, 1, 1),
    ]
    assert years[1].total == 4


def test_country_requests_by_year_of_a_quiet_country_is_empty():
    assert country_requests_by_year(code="NZ") == []


def test_country_refusal_rates_leave_withdrawals_out():
    _refused(political=True, political_reason="Test")
    _refused(grounds=("political_offence",))
    make_request(outcome=Outcome.EXECUTED, decided_on=date(2023, 5, 1))
    make_request(outcome=Outcome.PARTIALLY_EXECUTED, decided_on=date(2023, 5, 1))
    make_request(outcome=Outcome.WITHDRAWN, decided_on=date(2023, 5, 1))
    make_request()  # pending
    rates = {(rate.direction, rate.kind): rate for rate in country_refusal_rates(code="CH")}
    mla = rates[(Direction.OUTGOING, Kind.MLA)]
    assert (mla.decided, mla.refused, mla.refused_political) == (4, 2, 2)
    assert mla.rate == 0.5
    assert mla.percent == 50.0
    assert rates[(Direction.INCOMING, Kind.EXTRADITION)].rate is None
    assert len(rates) == 4


def test_country_refusal_grounds_count_each_ground_by_direction():
    _refused(grounds=("dual_criminality", "statute_of_limitations"))
    _refused(grounds=("dual_criminality",))
    _refused(grounds=("dual_criminality",), direction=Direction.INCOMING)
    _refused(grounds=("immunity",), country="DE")
    grounds = country_refusal_grounds(code="CH", language="en")
    assert [(g.code, g.outgoing, g.incoming) for g in grounds] == [
        ("dual_criminality", 2, 1),
        ("statute_of_limitations", 1, 0),
    ]
    assert grounds[0].label.startswith("Act is not an offence")
    assert country_refusal_grounds(code="CH", language="ru")[0].label.startswith("Деяние")


def test_country_profile_collects_treaties_and_figures():
    make_request(opened_on=date(2023, 3, 1), country="LV")
    profile = country_profile(code="lv", language="en")
    assert profile.country.code == "LV"
    assert {treaty.code for treaty in profile.treaties} == {"ECMA-1959", "ECE-1957", "EIO-2014"}
    assert {treaty.code for treaty in profile.open_treaties} == {"UNTOC", "UNCAC", "RECIPROCITY"}
    assert "European Union" in profile.group_names
    assert profile.totals.outgoing_mla == 1


@pytest.mark.parametrize("code", ["XX", "", "CHE", "1"])
def test_country_profile_of_an_unknown_code(code):
    with pytest.raises(NotFoundError):
        country_profile(code=code, language="en")


def test_country_summaries_count_each_direction_and_refusals():
    make_request(country="CH")
    make_request(country="CH", direction=Direction.INCOMING)
    _refused(country="CH")
    make_request(country="DE")
    summaries = country_summaries(language="en")
    assert [(s.code, s.outgoing, s.incoming, s.refused) for s in summaries] == [
        ("CH", 2, 1, 1),
        ("DE", 1, 0, 0),
    ]
    assert summaries[0].treaties == 2


def test_country_summaries_search_by_name_in_either_language_or_code():
    assert [s.code for s in country_summaries(language="en", search="latv")] == ["LV"]
    assert [s.code for s in country_summaries(language="ru", search="латв")] == ["LV"]
    assert country_summaries(language="ru", search="lv")[0].code == "LV"
    assert country_summaries(language="ru", search="LV")[0].name == "Латвия"


def test_report_ground_names_name_the_reports_grounds():
    _refused(grounds=("dual_criminality",))
    _refused(kind=Kind.EXTRADITION, grounds=("own_national",))
    report = report_build(
        period_from=date(2023, 1, 1), period_to=date(2023, 12, 31), direction="outgoing"
    )
    names = report_ground_names(report=report, language="en")
    assert set(names) == {"dual_criminality", "own_national"}
    assert report_ground_names(report=report, language="ru")["own_national"].startswith(
        "Разыскиваемое"
    )


def test_report_years_span_openings_and_decisions():
    assert report_years() == []
    make_request(opened_on=date(2021, 6, 1), outcome=Outcome.EXECUTED, decided_on=date(2023, 1, 2))
    assert report_years() == [2023, 2022, 2021]


def test_report_default_year_is_the_last_whole_year_with_openings():
    today = date(2026, 3, 1)
    assert report_default_year(today=today) == 2025
    make_request(opened_on=date(2023, 3, 1), outcome=Outcome.EXECUTED, decided_on=date(2024, 2, 1))
    assert report_default_year(today=today) == 2023
    make_request(opened_on=date(2026, 1, 5))
    assert report_default_year(today=today) == 2025


def test_country_profile_carries_the_partner_history_of_both_directions():
    _refused(opened_on=date(2022, 3, 1), decided_on=date(2022, 4, 1))
    _refused(direction=Direction.INCOMING, kind=Kind.EXTRADITION)
    profile = country_profile(code="CH", language="en")
    assert [(line.year, line.kind, line.refused) for line in profile.outgoing_history] == [
        (2022, "mla", 1)
    ]
    assert [(line.year, line.kind, line.refused) for line in profile.incoming_history] == [
        (2023, "extradition", 1)
    ]


def test_country_profile_as_of_a_moment_counts_what_was_then_known():
    refused = _refused(grounds=("political_offence",))
    moment = timezone.now() + timedelta(minutes=1)
    Event.objects.filter(request=refused, type=Event.Type.DECIDED).update(
        recorded_at=moment + timedelta(hours=1)
    )
    then = country_profile(code="CH", language="en", as_of=moment)
    assert then.refused == 0
    assert then.grounds == []
    assert then.outgoing_history[0].refused == 0
    now = country_profile(code="CH", language="en")
    assert now.refused == 1
    assert [(ground.code, ground.outgoing) for ground in now.grounds] == [("political_offence", 1)]
