"""Partner profiles: counts, Wilson intervals, the change test, grounds, medians and as-of."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from rogatory.core.exceptions import NotFoundError, ValidationError
from rogatory.reference.models import RefusalGround
from rogatory.register import services
from rogatory.register.models import Direction, Event, Kind, Outcome
from rogatory.statistics.partners import (
    Interval,
    partner_history,
    partner_policy_changes,
    partner_profiles,
    refusal_change,
    refusal_interval,
)
from rogatory.statistics.projection import OUTCOME, report_ground_counts, report_requests
from rogatory.statistics.selectors import report_build
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db


def _decided(country="CH", outcome=Outcome.EXECUTED, year=2023, **kwargs):
    kwargs.setdefault("opened_on", date(year, 2, 1))
    kwargs.setdefault("decided_on", date(year, 6, 1))
    return make_request(country=country, outcome=outcome, **kwargs)


def _line(lines, country="CH", kind=Kind.MLA, year=None):
    found = [
        line
        for line in lines
        if line.country == country and line.kind == kind and year in (None, line.year)
    ]
    assert len(found) == 1, lines
    return found[0]


# --- Wilson intervals -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "refused, decided, low, high",
    [
        (3, 10, 0.1078, 0.6032),
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (1, 8, 0.0224, 0.4709),
    ],
)
def test_refusal_interval_is_wilsons(refused, decided, low, high):
    interval = refusal_interval(refused=refused, decided=decided)
    assert (round(interval.low, 4), round(interval.high, 4)) == (low, high)
    assert type(interval.low) is float and type(interval.high) is float


def test_refusal_interval_without_decisions_is_none():
    assert refusal_interval(refused=0, decided=0) is None


# --- The change test --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "this_year, last_year, p_value, changed",
    [
        # Large samples: the pooled z-test.
        ((20, 40), (2, 40), 0.0000066, True),
        ((6, 40), (5, 40), 0.7454, False),
        ((2, 40), (20, 40), 0.0000066, True),
        # Fewer than 5 expected refusals under the pooled rate: Fisher's exact test.
        ((5, 10), (0, 10), 0.0325, True),
        ((0, 10), (0, 10), 1.0, False),
        # Significant but fewer than 5 decisions in a year: never flagged.
        ((4, 4), (0, 4), 0.0286, False),
        ((4, 4), (0, 40), 0.0000, False),
    ],
)
def test_refusal_change_known_cases(this_year, last_year, p_value, changed):
    p, flagged = refusal_change(
        refused=this_year[0],
        decided=this_year[1],
        previous_refused=last_year[0],
        previous_decided=last_year[1],
    )
    assert type(p) is float
    assert p == pytest.approx(p_value, abs=5e-5)
    assert flagged is changed


def test_refusal_change_uses_fishers_test_when_the_normal_approximation_fails():
    # 5 of 10 against 0 of 10: the z-test would give p = 0.0098; Fisher's exact test 0.0325.
    p, _ = refusal_change(refused=5, decided=10, previous_refused=0, previous_decided=10)
    assert round(p, 4) == 0.0325


def test_refusal_change_without_decisions_in_a_year_is_not_tested():
    assert refusal_change(refused=5, decided=10, previous_refused=0, previous_decided=0) == (
        None,
        False,
    )
    assert refusal_change(refused=0, decided=0, previous_refused=3, previous_decided=9) == (
        None,
        False,
    )


# --- Profiles ---------------------------------------------------------------------------------


@pytest.fixture
def swiss():
    """Switzerland: 2022 six executed; 2023 six refused (two political), one executed."""
    for day in range(1, 7):
        _decided(year=2022, opened_on=date(2022, 1, day), decided_on=date(2022, 3, day))
    _decided(
        outcome=Outcome.REFUSED,
        opened_on=date(2023, 1, 1),
        decided_on=date(2023, 1, 11),  # 10 days
        grounds=("political_offence",),
    )
    _decided(
        outcome=Outcome.REFUSED,
        opened_on=date(2023, 1, 1),
        decided_on=date(2023, 1, 21),  # 20 days
        grounds=("political_offence", "dual_criminality"),
    )
    for day in (1, 2, 3, 4):
        _decided(
            outcome=Outcome.REFUSED,
            opened_on=date(2022, 12, day),
            decided_on=date(2023, 3, day),  # 90 days, opened last year
            grounds=("dual_criminality",),
        )
    _decided(opened_on=date(2023, 1, 1), decided_on=date(2023, 2, 10))  # 40 days
    # Not decisions: a withdrawal and a pending request, both opened in 2023.
    _decided(outcome=Outcome.WITHDRAWN, opened_on=date(2023, 1, 1), decided_on=date(2023, 1, 2))
    make_request(country="CH", opened_on=date(2023, 5, 1))
    # An incoming request and another country, which the Swiss outgoing line must not count.
    _decided(direction=Direction.INCOMING, outcome=Outcome.REFUSED)
    _decided(country="DE", outcome=Outcome.REFUSED, kind=Kind.EXTRADITION)


def test_partner_profiles_count_a_countrys_year(swiss):
    lines = partner_profiles(year=2023, direction=Direction.OUTGOING, language="en")
    line = _line(lines)
    assert (line.name, line.year, line.direction) == ("Switzerland", 2023, "outgoing")
    # Opened in 2023: two refused, one executed, one withdrawn, one pending.
    assert line.requests == 5
    assert (line.decided, line.refused, line.refused_political) == (7, 6, 2)
    assert line.refusal_rate == 6 / 7
    assert line.interval == refusal_interval(refused=6, decided=7)
    assert line.previous_rate == 0.0
    assert line.changed is True
    assert [(line.country, line.kind) for line in lines] == [("DE", "extradition"), ("CH", "mla")]


def test_partner_profiles_grounds_most_cited_first(swiss):
    line = _line(partner_profiles(year=2023, direction=Direction.OUTGOING, language="en"))
    assert line.grounds == (
        ("dual_criminality", "Act is not an offence under the law of the requested state", 5),
        ("political_offence", "Political offence or offence connected with a political offence", 2),
    )


def test_partner_profiles_names_in_russian(swiss):
    line = _line(partner_profiles(year=2023, direction=Direction.OUTGOING, language="ru"))
    assert line.name == "Швейцария"
    assert line.grounds[0][1] == RefusalGround.objects.get(code="dual_criminality").label_ru


def test_partner_profiles_median_days_leave_withdrawals_out(swiss):
    line = _line(partner_profiles(year=2023, direction=Direction.OUTGOING, language="en"))
    # 10, 20, 40, 90, 90, 90, 90: the withdrawal after one day is not a decision.
    assert line.median_days == 90
    report = report_build(
        period_from=date(2023, 1, 1), period_to=date(2023, 12, 31), direction="outgoing"
    )
    assert line.median_days == report.mla.median_days_to_decision


def test_partner_profiles_median_halfway_between_two_days():
    _decided(opened_on=date(2023, 1, 1), decided_on=date(2023, 1, 11))
    _decided(opened_on=date(2023, 1, 1), decided_on=date(2023, 1, 14))
    line = _line(partner_profiles(year=2023, direction=Direction.OUTGOING, language="en"))
    assert line.median_days == 11.5


def test_partner_profiles_agree_with_the_report(swiss):
    report = report_build(
        period_from=date(2023, 1, 1), period_to=date(2023, 12, 31), direction="outgoing"
    )
    lines = partner_profiles(year=2023, direction=Direction.OUTGOING, language="en")
    for kind in Kind.values:
        figures = getattr(report, kind)
        of_kind = [line for line in lines if line.kind == kind]
        assert sum(line.requests for line in of_kind) == figures.sent
        assert {line.country: line.refused for line in of_kind if line.refused} == dict(
            figures.refused_by_country
        )
        assert sum(line.refused_political for line in of_kind) == figures.refused_political
        grounds: dict[str, int] = {}
        for line in of_kind:
            for code, _name, count in line.grounds:
                grounds[code] = grounds.get(code, 0) + count
        assert grounds == dict(figures.refused_by_ground)


def test_partner_profiles_of_one_country(swiss):
    lines = partner_profiles(year=2023, direction=Direction.OUTGOING, language="en", country="de")
    assert [(line.country, line.kind, line.refused) for line in lines] == [("DE", "extradition", 1)]


def test_partner_profiles_of_a_quiet_year_are_empty(swiss):
    assert partner_profiles(year=2030, direction=Direction.OUTGOING, language="en") == []


def test_partner_profiles_of_an_empty_register():
    assert partner_profiles(year=2023, direction=Direction.INCOMING, language="en") == []
    assert partner_history(country="CH", direction=Direction.OUTGOING, language="en") == []


def test_partner_profiles_year_without_decisions_has_no_rate():
    make_request(opened_on=date(2023, 4, 1))
    line = _line(partner_profiles(year=2023, direction=Direction.OUTGOING, language="en"))
    assert (line.requests, line.decided) == (1, 0)
    assert (line.refusal_rate, line.interval, line.median_days, line.p_value) == (
        None,
        None,
        None,
        None,
    )
    assert line.changed is False


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"direction": "sideways"}, ValidationError),
        ({"year": 0}, ValidationError),
        ({"year": 10000}, ValidationError),
        ({"country": "XX"}, NotFoundError),
        ({"country": "Switzerland"}, NotFoundError),
        ({"country": "\x00\x00"}, NotFoundError),
    ],
)
def test_partner_profiles_refuse_wrong_input(kwargs, error):
    arguments = {"year": 2023, "direction": "outgoing", "language": "en"} | kwargs
    with pytest.raises(error):
        partner_profiles(**arguments)


# --- As known at a moment ---------------------------------------------------------------------


def _recorded_later(request, moment: datetime) -> None:
    """Move the request's decision events to after `moment`, as if recorded then."""
    Event.objects.filter(request=request, type=Event.Type.DECIDED).update(
        recorded_at=moment + timedelta(hours=1)
    )


def test_partner_profiles_as_of_leave_out_decisions_recorded_later():
    make_request(opened_on=date(2023, 1, 1), outcome=Outcome.EXECUTED, decided_on=date(2023, 2, 1))
    late = make_request(
        opened_on=date(2023, 1, 1), outcome=Outcome.REFUSED, decided_on=date(2023, 3, 1)
    )
    moment = timezone.now() + timedelta(minutes=1)
    _recorded_later(late, moment)
    now = _line(partner_profiles(year=2023, direction="outgoing", language="en"))
    then = _line(partner_profiles(year=2023, direction="outgoing", language="en", as_of=moment))
    assert (now.decided, now.refused, now.grounds[0][0]) == (2, 1, "dual_criminality")
    assert (then.requests, then.decided, then.refused, then.grounds) == (2, 1, 0, ())
    assert then.median_days == 31


def test_partner_profiles_as_of_cite_the_grounds_then_known():
    request = make_request(
        opened_on=date(2023, 1, 1),
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 3, 1),
        grounds=("political_offence",),
    )
    moment = timezone.now() + timedelta(minutes=1)
    services.request_reopen(
        actor=None, request=request, reopened_on=date(2023, 4, 1), reason="Appeal"
    )
    request.refresh_from_db()
    services.request_record_decision(
        actor=None,
        request=request,
        outcome=Outcome.REFUSED,
        decided_on=date(2024, 5, 1),
        grounds=RefusalGround.objects.filter(code="dual_criminality"),
    )
    Event.objects.filter(request=request, type__in=["reopened", "decided"]).exclude(
        occurred_on=date(2023, 3, 1)
    ).update(recorded_at=moment + timedelta(hours=1))

    then = _line(partner_profiles(year=2023, direction="outgoing", language="en", as_of=moment))
    assert (then.refused, then.refused_political) == (1, 1)
    assert [code for code, _name, _count in then.grounds] == ["political_offence"]
    now = _line(partner_profiles(year=2024, direction="outgoing", language="en"))
    assert [code for code, _name, _count in now.grounds] == ["dual_criminality"]
    assert partner_profiles(year=2023, direction="outgoing", language="en")[0].refused == 0
    # The grounds agree with the projection's own counts, then and now.
    for as_of in (moment, None):
        refused = report_requests(as_of=as_of).filter(**{OUTCOME: Outcome.REFUSED})
        expected = {
            row["ground_code"] for row in report_ground_counts(refused=refused, as_of=as_of)
        }
        year = 2023 if as_of else 2024
        line = _line(partner_profiles(year=year, direction="outgoing", language="en", as_of=as_of))
        assert {code for code, _name, _count in line.grounds} == expected


def test_partner_profiles_take_a_naive_as_of_on_the_servers_clock(settings):
    make_request(opened_on=date(2023, 1, 1), outcome=Outcome.EXECUTED, decided_on=date(2023, 2, 1))
    naive = datetime.now() + timedelta(days=1)
    assert _line(partner_profiles(year=2023, direction="outgoing", language="en", as_of=naive))


# --- History and changes ----------------------------------------------------------------------


def test_partner_history_every_year_with_activity(swiss):
    make_request(country="CH", opened_on=date(2020, 5, 1))
    history = partner_history(country="ch", direction=Direction.OUTGOING, language="en")
    assert [(line.year, line.kind) for line in history] == [
        (2020, "mla"),
        (2022, "mla"),
        (2023, "mla"),
    ]
    years = {line.year: line for line in history}
    assert (years[2022].requests, years[2022].decided, years[2022].refused) == (10, 6, 0)
    assert years[2022].previous_rate is None and years[2022].changed is False
    assert years[2023] == _line(
        partner_profiles(year=2023, direction=Direction.OUTGOING, language="en")
    )


def test_partner_history_of_an_unknown_country_is_not_found():
    with pytest.raises(NotFoundError):
        partner_history(country="QQ", direction="outgoing", language="en")


def test_partner_policy_changes_only_flagged_biggest_first(swiss):
    # Latvia: 1 of 5 refused in 2022, 4 of 5 in 2023: Fisher's p = 0.21, not a change.
    for year, refused in ((2022, 1), (2023, 4)):
        for number in range(5):
            outcome = Outcome.REFUSED if number < refused else Outcome.EXECUTED
            _decided(country="LV", outcome=outcome, year=year)
    # Germany's extradition: 0 of 6 in 2022; with the fixture's refusal, 5 of 7 in 2023.
    for year, refused in ((2022, 0), (2023, 4)):
        for number in range(6):
            outcome = Outcome.REFUSED if number < refused else Outcome.GRANTED
            _decided(country="DE", kind=Kind.EXTRADITION, outcome=outcome, year=year)
    changes = partner_policy_changes(year=2023, direction="outgoing", language="en")
    assert [(line.country, line.kind) for line in changes] == [("CH", "mla"), ("DE", "extradition")]
    assert [round(line.p_value, 4) for line in changes] == [0.0047, 0.021]
    latvia = _line(partner_profiles(year=2023, direction="outgoing", language="en"), country="LV")
    assert (latvia.previous_rate, latvia.refusal_rate, latvia.changed) == (0.2, 0.8, False)


def test_interval_percent_for_pages():
    interval = Interval(low=0.0712, high=0.21)
    assert (round(interval.low_percent, 2), round(interval.high_percent, 2)) == (7.12, 21.0)
