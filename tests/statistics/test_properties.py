"""Invariants of the period report over generated registers (hypothesis)."""

from dataclasses import fields
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from rogatory.register.models import Direction, Kind, Outcome
from rogatory.statistics.figures import ExtraditionFigures, MlaFigures, Report
from rogatory.statistics.selectors import report_build
from tests.register.factories import make_request

START = date(2022, 1, 1)
DAYS = 3 * 365
OUTCOMES = {
    Kind.MLA: (
        "",
        Outcome.EXECUTED,
        Outcome.PARTIALLY_EXECUTED,
        Outcome.REFUSED,
        Outcome.WITHDRAWN,
    ),
    Kind.EXTRADITION: ("", Outcome.GRANTED, Outcome.REFUSED, Outcome.WITHDRAWN),
}
GROUNDS = ("political_offence", "dual_criminality", "ne_bis_in_idem", "immunity")
FLOWS = (
    "sent",
    "executed",
    "partially_executed",
    "granted",
    "granted_persons",
    "refused",
    "refused_persons",
    "withdrawn",
    "refused_political",
)
MAPS = ("refused_by_country", "refused_political_by_country", "refused_by_ground")


@st.composite
def requests(draw):
    kind = draw(st.sampled_from(Kind.values))
    opened = draw(st.integers(0, DAYS))
    outcome = draw(st.sampled_from(OUTCOMES[kind]))
    refused = outcome == Outcome.REFUSED
    return {
        "direction": draw(st.sampled_from(Direction.values)),
        "kind": kind,
        "country": draw(st.sampled_from(("CH", "LV", "US", "BG"))),
        "opened_on": START + timedelta(days=opened),
        "outcome": outcome,
        "decided_on": START + timedelta(days=draw(st.integers(opened, DAYS))) if outcome else None,
        "grounds": tuple(draw(st.sets(st.sampled_from(GROUNDS), min_size=1, max_size=2)))
        if refused
        else (),
        "political": draw(st.sampled_from((None, True, False))) if refused else None,
        "political_reason": "Classified by the analyst." if refused else "",
        "persons_count": draw(st.integers(1, 3)) if kind == Kind.EXTRADITION else None,
    }


def dates():
    return st.integers(0, DAYS).map(lambda days: START + timedelta(days=days))


def kinds(report: Report) -> tuple[MlaFigures | ExtraditionFigures, ...]:
    return report.mla, report.extradition


def value(figures, name):
    return getattr(figures, name, 0)


class ReportInvariantTests(TestCase):
    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        register=st.lists(requests(), max_size=12),
        bounds=st.lists(dates(), min_size=3, max_size=3).map(sorted),
        direction=st.sampled_from(Direction.values),
    )
    def test_report_invariants(self, register, bounds, direction):
        for spec in register:
            make_request(**spec)
        first, middle, last = bounds
        whole = report_build(period_from=first, period_to=last, direction=direction)
        self.check_consistent(whole)
        if middle == last:
            return
        before = report_build(period_from=first, period_to=middle, direction=direction)
        after = report_build(
            period_from=middle + timedelta(days=1), period_to=last, direction=direction
        )
        for part_before, part_after, union in zip(
            kinds(before), kinds(after), kinds(whole), strict=True
        ):
            for name in FLOWS:
                assert value(part_before, name) + value(part_after, name) == value(union, name)
            for name in MAPS:
                added = dict(getattr(part_before, name))
                for key, count in getattr(part_after, name).items():
                    added[key] = added.get(key, 0) + count
                assert added == getattr(union, name)
            decided = sum(
                value(part_after, name)
                for name in ("executed", "partially_executed", "granted", "refused", "withdrawn")
            )
            assert union.pending_at_end == part_before.pending_at_end + part_after.sent - decided

    def check_consistent(self, report: Report) -> None:
        assert report.mla.fulfilled == report.mla.executed + report.mla.partially_executed
        for figures in kinds(report):
            assert sum(figures.refused_by_country.values()) == figures.refused
            political = sum(figures.refused_political_by_country.values())
            assert political == figures.refused_political <= figures.refused
            assert all(count > 0 for name in MAPS for count in getattr(figures, name).values())
            assert all(count <= figures.refused for count in figures.refused_by_ground.values())
        extradition = report.extradition
        assert extradition.granted <= extradition.granted_persons <= 3 * extradition.granted
        assert {field.name for field in fields(MlaFigures)} | {"fulfilled"} == set(
            report.mla.as_dict()
        )


class MedianTests(TestCase):
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        durations=st.lists(st.tuples(st.sampled_from(Kind.values), st.integers(0, 400)), max_size=9)
    )
    def test_median_matches_the_definition(self, durations):
        opened_on = date(2022, 1, 1)
        for kind, days in durations:
            outcome = Outcome.EXECUTED if kind == Kind.MLA else Outcome.GRANTED
            make_request(
                kind=kind,
                opened_on=opened_on,
                outcome=outcome,
                decided_on=opened_on + timedelta(days=days),
            )
        report = report_build(
            period_from=opened_on, period_to=date(2023, 12, 31), direction=Direction.OUTGOING
        )
        for kind, figures in ((Kind.MLA, report.mla), (Kind.EXTRADITION, report.extradition)):
            values = sorted(days for each, days in durations if each == kind)
            expected = None
            if values:
                middle = values[(len(values) - 1) // 2 : len(values) // 2 + 1]
                expected = sum(middle) / len(middle)
            assert figures.median_days_to_decision == expected
            if expected is not None:
                assert isinstance(figures.median_days_to_decision, int) == expected.is_integer()
