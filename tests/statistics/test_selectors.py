"""The figures of Report v1, one definition at a time, through `report_build`."""

from datetime import date

import pytest

from rogatory.core.exceptions import ValidationError
from rogatory.register.models import Direction, Kind, Outcome
from rogatory.statistics.selectors import (
    report_build,
    report_country_names,
    report_totals_build,
)
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

FROM, TO = date(2023, 1, 1), date(2023, 12, 31)


def build(direction: str = Direction.OUTGOING, period_from: date = FROM, period_to: date = TO):
    return report_build(period_from=period_from, period_to=period_to, direction=direction)


def test_report_build_empty_register_gives_zeros_and_no_median():
    report = build()
    assert report.mla.sent == 0
    assert report.mla.refused_by_country == {}
    assert report.mla.median_days_to_decision is None
    assert report.extradition.granted_persons == 0
    assert report.extradition.median_days_to_decision is None


def test_report_build_sent_counts_openings_on_both_boundaries():
    for opened_on in (date(2022, 12, 31), FROM, date(2023, 6, 1), TO):
        make_request(opened_on=opened_on)
    make_request(kind=Kind.EXTRADITION, opened_on=FROM)
    report = build()
    assert report.mla.sent == 3
    assert report.extradition.sent == 1


def test_report_build_decisions_on_both_boundaries_are_inside():
    opened = date(2022, 6, 1)
    make_request(opened_on=opened, outcome=Outcome.EXECUTED, decided_on=date(2022, 12, 31))
    make_request(opened_on=opened, outcome=Outcome.EXECUTED, decided_on=FROM)
    make_request(opened_on=opened, outcome=Outcome.EXECUTED, decided_on=TO)
    report = build()
    assert report.mla.executed == 2


def test_report_build_counts_each_outcome_and_fulfilled():
    for outcome, times in (
        (Outcome.EXECUTED, 3),
        (Outcome.PARTIALLY_EXECUTED, 2),
        (Outcome.REFUSED, 1),
        (Outcome.WITHDRAWN, 4),
    ):
        for _ in range(times):
            make_request(outcome=outcome, decided_on=date(2023, 5, 1))
    make_request(kind=Kind.EXTRADITION, outcome=Outcome.GRANTED, decided_on=date(2023, 5, 1))
    make_request(kind=Kind.EXTRADITION, outcome=Outcome.WITHDRAWN, decided_on=date(2023, 5, 1))
    report = build()
    assert (report.mla.executed, report.mla.partially_executed) == (3, 2)
    assert report.mla.fulfilled == 5
    assert (report.mla.refused, report.mla.withdrawn) == (1, 4)
    assert (report.extradition.granted, report.extradition.withdrawn) == (1, 1)
    assert report.extradition.refused == 0


def test_report_build_sums_persons_of_granted_and_refused_extraditions():
    decided_on = date(2023, 5, 1)
    make_request(
        kind=Kind.EXTRADITION, outcome=Outcome.GRANTED, persons_count=2, decided_on=decided_on
    )
    make_request(
        kind=Kind.EXTRADITION, outcome=Outcome.GRANTED, persons_count=1, decided_on=decided_on
    )
    make_request(
        kind=Kind.EXTRADITION, outcome=Outcome.REFUSED, persons_count=3, decided_on=decided_on
    )
    make_request(
        kind=Kind.EXTRADITION, outcome=Outcome.WITHDRAWN, persons_count=5, decided_on=decided_on
    )
    report = build()
    assert (report.extradition.granted, report.extradition.granted_persons) == (2, 3)
    assert (report.extradition.refused, report.extradition.refused_persons) == (1, 3)


def test_report_build_refused_political_follows_the_grounds_and_their_override():
    decided_on = date(2023, 5, 1)
    make_request(outcome=Outcome.REFUSED, grounds=("political_offence",), decided_on=decided_on)
    make_request(
        outcome=Outcome.REFUSED,
        grounds=("dual_criminality",),
        political=True,
        political_reason="The refusal cites the special military operation.",
        decided_on=decided_on,
    )
    make_request(
        outcome=Outcome.REFUSED,
        grounds=("sovereignty_security_ordre_public",),
        political=False,
        political_reason="An ordinary public order objection.",
        decided_on=decided_on,
    )
    make_request(outcome=Outcome.REFUSED, grounds=("dual_criminality",), decided_on=decided_on)
    report = build()
    assert report.mla.refused == 4
    assert report.mla.refused_political == 2


def test_report_build_maps_refusals_by_country_and_leaves_zeros_out():
    decided_on = date(2023, 5, 1)
    make_request(
        country="CH", outcome=Outcome.REFUSED, grounds=("political_offence",), decided_on=decided_on
    )
    make_request(
        country="CH", outcome=Outcome.REFUSED, grounds=("political_offence",), decided_on=decided_on
    )
    make_request(
        country="LV", outcome=Outcome.REFUSED, grounds=("dual_criminality",), decided_on=decided_on
    )
    make_request(country="DE", outcome=Outcome.EXECUTED, decided_on=decided_on)
    report = build()
    assert report.mla.refused_by_country == {"CH": 2, "LV": 1}
    assert report.mla.refused_political_by_country == {"CH": 2}


def test_report_build_counts_a_request_under_each_of_its_grounds():
    make_request(
        outcome=Outcome.REFUSED,
        grounds=("political_offence", "ne_bis_in_idem"),
        decided_on=date(2023, 5, 1),
    )
    make_request(outcome=Outcome.REFUSED, grounds=("ne_bis_in_idem",), decided_on=date(2023, 5, 1))
    make_request(outcome=Outcome.REFUSED, grounds=("immunity",), decided_on=date(2024, 1, 1))
    report = build()
    assert report.mla.refused == 2
    assert report.mla.refused_by_ground == {"ne_bis_in_idem": 2, "political_offence": 1}


def test_report_build_pending_at_end_includes_decisions_after_the_period():
    make_request(opened_on=date(2023, 3, 1))
    make_request(opened_on=date(2023, 3, 1), outcome=Outcome.EXECUTED, decided_on=date(2024, 1, 1))
    make_request(opened_on=date(2022, 3, 1))
    make_request(opened_on=TO)
    make_request(opened_on=date(2023, 3, 1), outcome=Outcome.EXECUTED, decided_on=TO)
    make_request(opened_on=date(2024, 1, 1))
    make_request(opened_on=None)
    assert build().mla.pending_at_end == 4


def test_report_build_pending_at_end_includes_reopened_requests():
    from rogatory.register.services import request_reopen

    request = make_request(
        opened_on=date(2023, 2, 1), outcome=Outcome.REFUSED, decided_on=date(2023, 3, 1)
    )
    request_reopen(actor=None, request=request, reopened_on=date(2023, 4, 1), reason="Appeal.")
    report = build()
    assert report.mla.pending_at_end == 1
    assert report.mla.refused == 0


def test_report_build_median_of_odd_count_is_the_middle_whole_day():
    for days in (10, 30, 200):
        make_request(
            opened_on=date(2023, 1, 1),
            outcome=Outcome.EXECUTED,
            decided_on=date.fromordinal(date(2023, 1, 1).toordinal() + days),
        )
    median = build().mla.median_days_to_decision
    assert median == 30
    assert isinstance(median, int)


def test_report_build_median_of_even_count_is_the_mean_of_the_middle_two():
    opened_on = date(2023, 1, 1)
    for days in (5, 10, 21, 300):
        make_request(
            opened_on=opened_on,
            outcome=Outcome.REFUSED,
            decided_on=date.fromordinal(opened_on.toordinal() + days),
        )
    assert build().mla.median_days_to_decision == 15.5


def test_report_build_median_of_even_count_stays_whole_when_it_can():
    opened_on = date(2023, 1, 1)
    make_request(
        kind=Kind.EXTRADITION,
        opened_on=opened_on,
        outcome=Outcome.GRANTED,
        decided_on=date(2023, 1, 11),
    )
    make_request(
        kind=Kind.EXTRADITION,
        opened_on=opened_on,
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 1, 31),
    )
    median = build().extradition.median_days_to_decision
    assert median == 20
    assert isinstance(median, int)


def test_report_build_median_leaves_withdrawals_out():
    opened_on = date(2023, 1, 1)
    make_request(opened_on=opened_on, outcome=Outcome.EXECUTED, decided_on=date(2023, 1, 11))
    make_request(opened_on=opened_on, outcome=Outcome.WITHDRAWN, decided_on=date(2023, 12, 1))
    make_request(opened_on=opened_on, outcome=Outcome.WITHDRAWN, decided_on=date(2023, 12, 2))
    assert build().mla.median_days_to_decision == 10


def test_report_build_median_counts_only_decisions_in_the_period():
    make_request(opened_on=date(2022, 1, 1), outcome=Outcome.EXECUTED, decided_on=date(2022, 2, 1))
    make_request(opened_on=date(2023, 1, 1), outcome=Outcome.EXECUTED, decided_on=date(2023, 1, 3))
    report = build()
    assert report.mla.median_days_to_decision == 2


def test_report_build_median_without_decisions_is_none():
    make_request(opened_on=date(2023, 1, 1))
    make_request(opened_on=date(2023, 1, 1), outcome=Outcome.WITHDRAWN, decided_on=date(2023, 2, 1))
    assert build().mla.median_days_to_decision is None


def test_report_build_medians_are_per_kind():
    opened_on = date(2023, 1, 1)
    make_request(opened_on=opened_on, outcome=Outcome.EXECUTED, decided_on=date(2023, 1, 5))
    make_request(
        kind=Kind.EXTRADITION,
        opened_on=opened_on,
        outcome=Outcome.GRANTED,
        decided_on=date(2023, 3, 1),
    )
    report = build()
    assert report.mla.median_days_to_decision == 4
    assert report.extradition.median_days_to_decision == 59


def test_report_build_keeps_incoming_and_outgoing_apart():
    decided_on = date(2023, 5, 1)
    make_request(direction=Direction.OUTGOING, outcome=Outcome.REFUSED, decided_on=decided_on)
    make_request(
        direction=Direction.INCOMING, country="AM", outcome=Outcome.EXECUTED, decided_on=decided_on
    )
    make_request(
        direction=Direction.INCOMING, country="AM", outcome=Outcome.REFUSED, decided_on=decided_on
    )
    make_request(direction=Direction.INCOMING, country="BY", kind=Kind.EXTRADITION)
    outgoing, incoming = build(Direction.OUTGOING), build(Direction.INCOMING)
    assert (outgoing.mla.sent, outgoing.mla.refused, outgoing.mla.executed) == (1, 1, 0)
    assert outgoing.extradition.sent == 0
    assert (incoming.mla.sent, incoming.mla.refused, incoming.mla.executed) == (2, 1, 1)
    assert incoming.mla.refused_by_country == {"AM": 1}
    assert (incoming.extradition.sent, incoming.extradition.pending_at_end) == (1, 1)
    assert incoming.direction == Direction.INCOMING


@pytest.mark.parametrize("size", [1, 25])
def test_report_build_runs_a_fixed_number_of_queries(size, django_assert_num_queries):
    for number in range(size):
        make_request(
            kind=(Kind.MLA, Kind.EXTRADITION)[number % 2],
            country=("CH", "LV", "US")[number % 3],
            outcome=Outcome.REFUSED,
            grounds=("political_offence", "ne_bis_in_idem"),
            decided_on=date(2023, 5, number % 28 + 1),
        )
    with django_assert_num_queries(4):
        build()


def test_report_build_rejects_an_unknown_direction():
    with pytest.raises(ValidationError, match="outgoing or incoming"):
        build(direction="sideways")


def test_report_build_rejects_a_period_that_ends_before_it_starts():
    with pytest.raises(ValidationError, match="cannot start on 2023-12-31"):
        build(period_from=TO, period_to=FROM)


def test_report_build_accepts_a_one_day_period():
    make_request(opened_on=date(2023, 5, 1), outcome=Outcome.EXECUTED, decided_on=date(2023, 5, 1))
    report = build(period_from=date(2023, 5, 1), period_to=date(2023, 5, 1))
    assert (report.mla.sent, report.mla.executed, report.mla.median_days_to_decision) == (1, 1, 0)


def test_report_country_names_looks_names_up_in_one_query(django_assert_num_queries):
    make_request(country="US", outcome=Outcome.REFUSED, decided_on=date(2023, 5, 1))
    make_request(
        country="CH", kind=Kind.EXTRADITION, outcome=Outcome.REFUSED, decided_on=date(2023, 5, 1)
    )
    report = build()
    with django_assert_num_queries(1):
        names = report_country_names(report=report, language="ru")
    assert names == {"US": "США", "CH": "Швейцария"}
    assert report_country_names(report=report, language="en")["US"] == "United States"


def test_report_totals_of_several_periods_are_the_reports_counts():
    make_request(
        country="CH",
        opened_on=date(2022, 11, 1),
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 5, 1),
        grounds=("political_offence",),
    )
    make_request(opened_on=date(2023, 3, 1), outcome=Outcome.EXECUTED, decided_on=date(2024, 2, 1))
    make_request(direction=Direction.INCOMING, kind=Kind.EXTRADITION, opened_on=date(2023, 4, 1))
    periods = [
        (date(2023, 1, 1), date(2023, 12, 31)),
        (date(2022, 1, 1), date(2022, 12, 31)),
        (date(2024, 1, 1), date(2024, 3, 31)),
    ]
    totals = report_totals_build(periods=periods)
    counts = ("sent", "refused", "executed", "refused_political", "pending_at_end", "withdrawn")
    for direction in Direction.values:
        for index, (period_from, period_to) in enumerate(periods):
            full = report_build(period_from=period_from, period_to=period_to, direction=direction)
            built = totals[(direction, index)]
            for name in counts:
                assert getattr(built.mla, name) == getattr(full.mla, name), (direction, name)
            assert built.extradition.sent == full.extradition.sent
            assert built.extradition.pending_at_end == full.extradition.pending_at_end
            assert built.mla.refused_by_country == {}
    assert totals[("outgoing", 0)].mla.pending_at_end == 1
    assert totals[("outgoing", 1)].mla.sent == 1
