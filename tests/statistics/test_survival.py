"""Time to decision (Kaplan–Meier) and the backlog by age, through their public functions."""

from datetime import UTC, date, datetime, timedelta

import pytest

from rogatory.core.exceptions import ValidationError
from rogatory.intake.services import register_import
from rogatory.register.models import Direction, Event, Kind, Outcome
from rogatory.statistics.selectors import report_build
from rogatory.statistics.survival import (
    TIMELINE_POINTS,
    Quantile,
    backlog_by_age,
    time_to_decision,
)
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

FROM, TO = date(2023, 1, 1), date(2023, 12, 31)
NOT_REACHED = Quantile(days=None, lower=None, upper=None)


def analyse(direction: str | None = Direction.OUTGOING, **changes):
    arguments = {"period_from": FROM, "period_to": TO, "language": "en", **changes}
    return time_to_decision(direction=direction, **arguments)


def decided_after(
    days: int, *, opened_on: date = date(2023, 2, 1), outcome: str = Outcome.EXECUTED, **changes
):
    return make_request(
        opened_on=opened_on, outcome=outcome, decided_on=opened_on + timedelta(days=days), **changes
    )


def pending_at_end_for(days: int, **changes):
    """Register a request still pending at the end of the period, opened `days` before it."""
    return make_request(opened_on=TO - timedelta(days=days), **changes)


@pytest.fixture
def seed(shared_dir):
    register_import(actor=None, path=shared_dir / "data" / "seed-2023.csv")


# Kaplan–Meier


def test_time_to_decision_median_and_p90_match_a_hand_kaplan_meier():
    for days in (20, 20, 20, 35, 55, 60, 60, 75, 80, 90):
        decided_after(days)
    decided_after(25, outcome=Outcome.WITHDRAWN)
    pending_at_end_for(95)
    # day  at risk  decided  share still undecided S
    #  20     12       3     1 × 9/12          = 0.75
    #  25     the withdrawal: censored, 8 left at risk
    #  35      8       1     0.75 × 7/8        = 0.65625
    #  55      7       1     0.65625 × 6/7     = 0.5625
    #  60      6       2     0.5625 × 4/6      = 0.375     first S ≤ 0.5: median 60
    #  75      4       1     0.375 × 3/4       = 0.28125
    #  80      3       1     0.28125 × 2/3     = 0.1875
    #  90      2       1     0.1875 × 1/2      = 0.09375   first S ≤ 0.1: p90 90
    #  95     the pending request: censored
    # (The median of the ten decisions alone, Report v1's, would be (55 + 60) / 2 = 57.5.)
    # 95% band, exponential Greenwood: G = Σ d / (n (n − d)), V = G / (ln S)², bands
    # S ** exp(±1.96 √V). Day 20: G = 3/108, V = 0.33564, lower 0.75 ** 3.1127 = 0.4084 ≤ 0.5,
    # so the median's lower bound is 20. Upper band: day 75, G = 0.23611, V = 0.14673,
    # 0.28125 ** 0.47201 = 0.5495; day 80, G = 0.40278, V = 0.14374, 0.1875 ** 0.47566 =
    # 0.4510 ≤ 0.5: upper bound 80. Lower band ≤ 0.1 first on day 75 (0.28125 ** 2.1186 =
    # 0.0680; day 60 gives 0.1174); the upper band ends at 0.3403 and never reaches 0.1.
    curve = analyse().by_kind[0]
    assert (curve.key, curve.label) == ("mla", "Legal assistance")
    assert (curve.requests, curve.decided, curve.pending) == (12, 10, 2)
    assert curve.median == Quantile(days=60.0, lower=20.0, upper=80.0)
    assert curve.p90 == Quantile(days=90.0, lower=75.0, upper=None)
    assert curve.timeline == (
        (0.0, 1.0),
        (20.0, 0.75),
        (35.0, 0.65625),
        (55.0, 0.5625),
        (60.0, 0.375),
        (75.0, 0.28125),
        (80.0, 0.1875),
        (90.0, 0.09375),
        (95.0, 0.09375),
    )
    assert all(type(value) is float for value in (curve.median.days, curve.median.lower))


def test_time_to_decision_median_reached_exactly_at_one_half():
    # 4 requests, one decided each day: S = 3/4, 2/4, 1/4, 0; the median is the first day
    # S ≤ 0.5, day 2, even though S is computed through logarithms.
    for days in (1, 2, 3, 4):
        decided_after(days)
    curve = analyse().by_kind[0]
    assert curve.median.days == 2.0
    assert curve.p90.days == 4.0


def test_time_to_decision_request_opened_before_the_period_enters_late():
    decided_after(100, opened_on=FROM)
    make_request(opened_on=FROM)
    make_request(opened_on=FROM)
    # Opened 184 days before the period, decided in it after 243 days: it counts, but is at
    # risk only from day 184.
    make_request(opened_on=date(2022, 7, 1), outcome=Outcome.EXECUTED, decided_on=date(2023, 3, 1))
    # Decided before the period: not in it at all.
    make_request(
        opened_on=date(2022, 3, 1), outcome=Outcome.EXECUTED, decided_on=date(2022, 12, 31)
    )
    # day 100: at risk the three opened on 1 January (not the late one) → S = 2/3
    # day 243: at risk the two pending and the late one              → S = 2/3 × 2/3 = 4/9
    # day 364: the two pending, censored at the end of the period
    curve = analyse().by_kind[0]
    assert (curve.requests, curve.decided, curve.pending) == (4, 2, 2)
    assert curve.median.days == 243.0
    # S stays at 4/9: no p90, though the lower confidence band falls below 0.1.
    assert (curve.p90.days, curve.p90.upper) == (None, None)
    assert curve.timeline == ((0.0, 1.0), (100.0, 0.666667), (243.0, 0.444444), (364.0, 0.444444))


def test_time_to_decision_decision_on_the_first_day_of_the_period_counts_at_risk():
    # Opened ten days before the period and decided on its first day, at the age of 10 days,
    # the same day as one opened on 1 January is decided after 10 days.
    make_request(opened_on=date(2022, 12, 22), outcome=Outcome.REFUSED, decided_on=FROM)
    decided_after(10, opened_on=FROM)
    make_request(opened_on=FROM)
    # day 10: all three at risk, 2 decided → S = 1/3
    curve = analyse().by_kind[0]
    assert (curve.requests, curve.decided, curve.pending) == (3, 2, 1)
    assert curve.timeline == ((0.0, 1.0), (10.0, 0.333333), (364.0, 0.333333))
    assert curve.median.days == 10.0


def test_time_to_decision_only_late_entrants_start_the_curve_at_day_0():
    make_request(opened_on=date(2022, 12, 1), outcome=Outcome.REFUSED, decided_on=date(2023, 1, 11))
    make_request(opened_on=date(2022, 12, 1))
    # Both enter on day 31; one is decided on day 41 (S = 1/2), the other waits 395 days.
    curve = analyse().by_kind[0]
    assert curve.timeline == ((0.0, 1.0), (41.0, 0.5), (395.0, 0.5))
    assert curve.median.days == 41.0


def test_time_to_decision_censors_a_withdrawal_instead_of_counting_it_decided():
    decided_after(5, outcome=Outcome.WITHDRAWN)
    decided_after(10)
    # Withdrawn on day 5: leaves the risk set; day 10: 1 at risk, 1 decided → S = 0.
    # Counted as a decision it would make S = 1/2 on day 5 and the median 5.
    curve = analyse().by_kind[0]
    assert (curve.requests, curve.decided, curve.pending) == (2, 1, 1)
    assert curve.median.days == 10.0


def test_time_to_decision_censors_requests_pending_at_the_end_of_the_period():
    decided_after(10)
    decided_after(30, outcome=Outcome.REFUSED)
    pending_at_end_for(100)
    # Decided only after the period: pending at its end, censored at 20 days.
    make_request(
        opened_on=date(2023, 12, 11), outcome=Outcome.EXECUTED, decided_on=date(2024, 1, 5)
    )
    # day 10: 4 at risk → 3/4; day 20: censored; day 30: 2 at risk → 3/4 × 1/2 = 3/8;
    # day 100: censored, so S never falls to 0.1.
    curve = analyse().by_kind[0]
    assert (curve.requests, curve.decided, curve.pending) == (4, 2, 2)
    assert curve.median.days == 30.0
    assert (curve.p90.days, curve.p90.upper) == (None, None)
    assert curve.timeline[-1] == (100.0, 0.375)


def test_time_to_decision_as_of_does_not_see_a_decision_recorded_later():
    request = decided_after(30, opened_on=date(2023, 2, 1))
    events = Event.objects.filter(request=request)
    events.exclude(type=Event.Type.DECIDED).update(recorded_at=datetime(2023, 2, 1, 12, tzinfo=UTC))
    events.filter(type=Event.Type.DECIDED).update(recorded_at=datetime(2023, 4, 1, 12, tzinfo=UTC))
    as_of = datetime(2023, 3, 15, 12, tzinfo=UTC)

    then = analyse(as_of=as_of)
    assert then.at == date(2023, 3, 15)
    curve = then.by_kind[0]
    assert (curve.requests, curve.decided, curve.pending) == (1, 0, 1)
    assert curve.median == NOT_REACHED
    assert curve.timeline == ((0.0, 1.0), (42.0, 1.0))

    now = analyse().by_kind[0]
    assert (now.decided, now.median.days) == (1, 30.0)


def test_time_to_decision_groups_by_kind_direction_and_busiest_countries():
    for _ in range(2):
        decided_after(10, kind=Kind.EXTRADITION, country="LV", outcome=Outcome.GRANTED)
    decided_after(20, direction=Direction.INCOMING, country="DE")
    decided_after(30, country="CH")
    decided_after(40, country="CH")
    decided_after(50, country="CH")
    for code in ("SE", "NO", "FI", "DK", "EE", "LT", "PL", "CZ", "AT"):
        decided_after(5, country=code)

    result = analyse(language="ru")
    assert [(c.key, c.label, c.requests) for c in result.by_kind] == [
        ("mla", "Правовая помощь", 12),
        ("extradition", "Выдача", 2),
    ]
    assert [(c.key, c.label, c.requests) for c in result.by_direction] == [
        ("outgoing", "Исходящие", 14),
        ("incoming", "Входящие", 1),
    ]
    # Outgoing only; most requests first, ties by code; the eleventh country (SE) left out.
    assert [(c.key, c.requests) for c in result.by_country] == [
        ("CH", 3),
        ("LV", 2),
        ("AT", 1),
        ("CZ", 1),
        ("DK", 1),
        ("EE", 1),
        ("FI", 1),
        ("LT", 1),
        ("NO", 1),
        ("PL", 1),
    ]
    assert result.by_country[0].label == "Швейцария"
    assert result.by_country[0].median.days == 40.0


def test_time_to_decision_both_directions_in_the_curves_by_kind():
    decided_after(10)
    decided_after(20, direction=Direction.INCOMING)
    result = analyse(direction=None)
    assert result.direction is None
    assert result.by_kind[0].requests == 2
    assert [c.requests for c in result.by_direction] == [1, 1]


def test_time_to_decision_on_an_empty_register():
    result = analyse()
    assert result.at == TO
    assert len(result.by_kind) == len(result.by_direction) == 2
    for curve in result.by_kind + result.by_direction:
        assert (curve.requests, curve.decided, curve.pending) == (0, 0, 0)
        assert curve.median == curve.p90 == NOT_REACHED
        assert curve.timeline == ()
    assert result.by_country == ()


def test_time_to_decision_leaves_a_curve_unestimated_when_the_risk_set_runs_out():
    # Day 10: the only request at risk is decided, which would make the share undecided 0
    # for good although the other request, at risk from day 184, is pending on day 548.
    decided_after(10, opened_on=FROM)
    make_request(opened_on=date(2022, 7, 1))
    curve = analyse().by_kind[0]
    assert (curve.requests, curve.decided, curve.pending) == (2, 1, 1)
    assert curve.median == curve.p90 == NOT_REACHED
    assert curve.timeline == ()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"direction": "sideways"}, "The direction must be outgoing or incoming"),
        ({"period_from": TO, "period_to": FROM}, "The period cannot start on 2023-12-31"),
        (
            {"as_of": datetime(2022, 6, 1, tzinfo=UTC)},
            "Nothing of a period starting on 2023-01-01 is known on 2022-06-01.",
        ),
    ],
)
def test_time_to_decision_rejects_bad_input(changes, message):
    with pytest.raises(ValidationError, match=message):
        analyse(**changes)


def test_time_to_decision_on_the_seed_register_agrees_with_report_v1(seed):
    for direction in Direction.values:
        result = analyse(direction=direction)
        report = report_build(period_from=FROM, period_to=TO, direction=direction)
        for curve, figures in zip(result.by_kind, (report.mla, report.extradition), strict=True):
            decisions = figures.refused + (
                figures.fulfilled if curve.key == Kind.MLA else figures.granted
            )
            assert curve.decided == decisions, (direction, curve.key)
            assert curve.pending == figures.pending_at_end + figures.withdrawn
            assert curve.median.days is not None
        curves = result.by_kind + result.by_direction + result.by_country
        for curve in curves:
            days = [day for day, _share in curve.timeline]
            shares = [share for _day, share in curve.timeline]
            assert 0 < len(curve.timeline) <= TIMELINE_POINTS
            assert days[0] == 0 and days == sorted(days)
            assert shares == sorted(shares, reverse=True)
        assert (
            sum(c.requests for c in result.by_kind)
            == result.by_direction[Direction.values.index(direction)].requests
        )


# Backlog by age


def test_backlog_by_age_buckets_at_their_exact_boundaries():
    at = date(2023, 12, 29)
    for opened_on in (
        at,  # under 3 months
        date(2023, 9, 30),  # under 3 months: opened after 29 September
        date(2023, 9, 29),  # exactly 3 months: 3–6
        date(2023, 6, 30),  # 3–6
        date(2023, 6, 29),  # exactly 6 months: 6–12
        date(2022, 12, 30),  # 6–12
        date(2022, 12, 29),  # exactly a year: 1–2 years
        date(2021, 12, 30),  # 1–2 years
        date(2021, 12, 29),  # exactly two years: over 2 years
    ):
        make_request(opened_on=opened_on)
    make_request(opened_on=date(2023, 1, 1), outcome=Outcome.EXECUTED, decided_on=at)  # decided
    # Decided only after `at`: undecided then, and 6–12 months old.
    make_request(opened_on=date(2023, 1, 1), outcome=Outcome.REFUSED, decided_on=date(2023, 12, 30))
    make_request(opened_on=date(2023, 12, 30))  # opened after `at`
    make_request(opened_on=None)  # a draft, never opened

    backlog = backlog_by_age(at=at)
    row = backlog.rows[0]
    assert (row.direction, row.kind) == ("outgoing", "mla")
    assert (
        row.under_3_months,
        row.months_3_to_6,
        row.months_6_to_12,
        row.years_1_to_2,
        row.over_2_years,
    ) == (2, 2, 3, 2, 1)
    assert row.total == 10


def test_backlog_by_age_clamps_to_the_end_of_a_shorter_month():
    make_request(opened_on=date(2024, 2, 29))
    make_request(opened_on=date(2024, 3, 1))
    # Three months before 31 May 2024 is 29 February 2024.
    row = backlog_by_age(at=date(2024, 5, 31)).rows[0]
    assert (row.under_3_months, row.months_3_to_6) == (1, 1)


def test_backlog_by_age_lists_every_direction_and_kind_with_zeros():
    make_request(direction=Direction.INCOMING, kind=Kind.EXTRADITION, opened_on=date(2023, 5, 1))
    backlog = backlog_by_age(at=TO)
    assert [(row.direction, row.kind, row.total) for row in backlog.rows] == [
        ("outgoing", "mla", 0),
        ("outgoing", "extradition", 0),
        ("incoming", "mla", 0),
        ("incoming", "extradition", 1),
    ]
    assert backlog.rows[3].months_6_to_12 == 1
    assert [name for name, _label in backlog.buckets()] == [
        "under_3_months",
        "months_3_to_6",
        "months_6_to_12",
        "years_1_to_2",
        "over_2_years",
    ]


def test_backlog_by_age_as_of_does_not_see_a_decision_recorded_later():
    request = decided_after(30, opened_on=date(2023, 2, 1))
    events = Event.objects.filter(request=request)
    events.exclude(type=Event.Type.DECIDED).update(recorded_at=datetime(2023, 2, 1, tzinfo=UTC))
    events.filter(type=Event.Type.DECIDED).update(recorded_at=datetime(2023, 6, 1, tzinfo=UTC))
    at = date(2023, 4, 1)
    assert backlog_by_age(at=at).rows[0].total == 0
    assert backlog_by_age(at=at, as_of=datetime(2023, 5, 1, tzinfo=UTC)).rows[0].total == 1


def test_backlog_by_age_on_an_empty_register_is_all_zeros():
    backlog = backlog_by_age(at=TO)
    assert backlog.at == TO
    assert len(backlog.rows) == 4
    assert all(row.total == 0 for row in backlog.rows)


@pytest.mark.parametrize("at", [date(2023, 6, 30), TO])
def test_backlog_by_age_total_equals_report_pending_at_end_on_the_seed(seed, at):
    backlog = backlog_by_age(at=at)
    for direction in Direction.values:
        report = report_build(period_from=FROM, period_to=at, direction=direction)
        rows = {row.kind: row for row in backlog.rows if row.direction == direction}
        assert rows[Kind.MLA].total == report.mla.pending_at_end
        assert rows[Kind.EXTRADITION].total == report.extradition.pending_at_end
    assert sum(row.total for row in backlog.rows) > 0
