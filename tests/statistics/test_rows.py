"""The data sheet's requests: filtered by their flags, they give back every figure of the report."""

import statistics
from collections import Counter
from datetime import date, timedelta

import pytest
from django.utils import timezone

from rogatory.core.exceptions import ValidationError
from rogatory.intake.services import register_import
from rogatory.reference.models import RefusalGround
from rogatory.register import services
from rogatory.register.models import Event, Kind, Outcome, Request
from rogatory.statistics.figures import Report
from rogatory.statistics.rows import (
    RequestRow,
    report_request_rows,
    report_request_rows_limited,
)
from rogatory.statistics.selectors import report_build
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

FROM, TO = date(2023, 1, 1), date(2023, 12, 31)
PERIOD = {"period_from": FROM, "period_to": TO}


def rows(direction: str = "outgoing", **kwargs) -> list[RequestRow]:
    return list(report_request_rows(direction=direction, **PERIOD, **kwargs))


def by_reference(found: list[RequestRow]) -> dict[str, RequestRow]:
    return {row.reference: row for row in found}


def figures_from_rows(found: list[RequestRow], kind: str) -> dict:
    """Count Report v1's figures of `kind` from the rows, as an analyst filtering them would."""
    mine = [row for row in found if row.kind == kind]
    decided = [row for row in mine if row.decided_in_period]
    refused = [row for row in decided if row.outcome == Outcome.REFUSED]
    political = [row for row in refused if row.political]
    days = [row.days_to_decision for row in decided if row.outcome != Outcome.WITHDRAWN]
    figures = {
        "sent": sum(row.opened_in_period for row in mine),
        "refused": len(refused),
        "withdrawn": sum(row.outcome == Outcome.WITHDRAWN for row in decided),
        "refused_political": len(political),
        "refused_by_country": dict(Counter(row.country_code for row in refused)),
        "refused_political_by_country": dict(Counter(row.country_code for row in political)),
        "refused_by_ground": dict(
            Counter(code for row in refused for code in row.refusal_grounds.split(";"))
        ),
        "pending_at_end": sum(row.pending_at_end for row in mine),
        "median_days_to_decision": statistics.median(days) if days else None,
    }
    outcomes = (
        (Outcome.EXECUTED, Outcome.PARTIALLY_EXECUTED) if kind == Kind.MLA else (Outcome.GRANTED,)
    )
    for outcome in outcomes:
        figures[outcome] = sum(row.outcome == outcome for row in decided)
    if kind == Kind.EXTRADITION:
        figures["granted_persons"] = sum(
            row.persons_sought for row in decided if row.outcome == Outcome.GRANTED
        )
        figures["refused_persons"] = sum(row.persons_sought for row in refused)
    return figures


def assert_rows_give_report(found: list[RequestRow], report: Report) -> None:
    for kind, figures in ((Kind.MLA, report.mla), (Kind.EXTRADITION, report.extradition)):
        expected = {key: value for key, value in figures.as_dict().items() if key != "fulfilled"}
        assert figures_from_rows(found, kind) == expected, kind


@pytest.mark.parametrize("direction", ["outgoing", "incoming"])
def test_rows_of_the_seed_register_give_back_every_figure(shared_dir, direction):
    register_import(actor=None, path=shared_dir / "data" / "seed-2023.csv")
    found = rows(direction)
    report = report_build(direction=direction, **PERIOD)
    assert_rows_give_report(found, report)
    assert len({row.reference for row in found}) == len(found)


def test_rows_leave_out_requests_no_figure_counts():
    counted = make_request(opened_on=date(2023, 5, 1), reference="IN")
    make_request(
        reference="BEFORE",
        opened_on=date(2022, 1, 1),
        outcome=Outcome.EXECUTED,
        decided_on=date(2022, 12, 31),
    )
    make_request(reference="AFTER", opened_on=date(2024, 1, 1))
    make_request(reference="DRAFT", opened_on=None)
    make_request(reference="INCOMING", direction="incoming", opened_on=date(2023, 5, 1))
    assert [row.reference for row in rows()] == [counted.reference]


def test_rows_flag_the_figures_each_request_counts_in_on_both_boundaries():
    make_request(reference="OPENED-FIRST-DAY", opened_on=FROM)
    make_request(
        reference="DECIDED-LAST-DAY",
        opened_on=date(2022, 6, 1),
        outcome=Outcome.EXECUTED,
        decided_on=TO,
    )
    make_request(
        reference="DECIDED-AFTER",
        opened_on=TO,
        outcome=Outcome.EXECUTED,
        decided_on=date(2024, 1, 1),
    )
    make_request(reference="PENDING-SINCE-BEFORE", opened_on=date(2022, 12, 31))
    found = by_reference(rows())
    flags = {
        reference: (row.opened_in_period, row.decided_in_period, row.pending_at_end)
        for reference, row in found.items()
    }
    assert flags == {
        "OPENED-FIRST-DAY": (True, False, True),
        "DECIDED-LAST-DAY": (False, True, False),
        "DECIDED-AFTER": (True, False, True),
        "PENDING-SINCE-BEFORE": (False, False, True),
    }
    assert found["DECIDED-LAST-DAY"].days_to_decision == (TO - date(2022, 6, 1)).days
    assert found["OPENED-FIRST-DAY"].days_to_decision is None
    assert found["OPENED-FIRST-DAY"].decided_on is None


def test_rows_carry_grounds_sorted_and_political_only_on_refusals():
    make_request(
        reference="REFUSED",
        country="LV",
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 6, 1),
        grounds=("political_offence", "dual_criminality"),
    )
    make_request(reference="EXECUTED", outcome=Outcome.EXECUTED, decided_on=date(2023, 6, 1))
    found = by_reference(rows())
    refused, executed = found["REFUSED"], found["EXECUTED"]
    assert refused.refusal_grounds == "dual_criminality;political_offence"
    assert refused.political is True
    assert (refused.country_code, refused.country_name) == ("LV", "Latvia")
    assert (executed.refusal_grounds, executed.political, executed.outcome) == (
        "",
        None,
        "executed",
    )
    assert executed.persons_sought is None


def test_rows_count_persons_sought_of_extraditions():
    make_request(reference="EXT", kind=Kind.EXTRADITION, persons_count=3)
    assert by_reference(rows())["EXT"].persons_sought == 3


def test_rows_name_countries_in_russian():
    make_request(country="CH")
    assert rows(language="ru")[0].country_name == "Швейцария"


def test_rows_show_the_fatf_flags_and_legal_basis_but_no_personal_data():
    request = make_request(reference="ML-1")
    Request.objects.filter(pk=request.pk).update(
        money_laundering=True, notes="Secret informant Ivanov", legal_basis_id="ECMA-1959"
    )
    row = rows()[0]
    assert (row.money_laundering, row.terrorist_financing) == (True, False)
    assert row.legal_basis == "ECMA-1959"
    assert not any("Ivanov" in str(value) for value in row)


def test_rows_as_of_a_moment_show_the_decision_and_grounds_then_known():
    request = make_request(
        reference="APPEALED",
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 5, 1),
        grounds=("political_offence",),
    )
    published_at = timezone.now()
    Event.objects.update(recorded_at=published_at - timedelta(minutes=5))
    services.request_reopen(
        actor=None, request=request, reopened_on=date(2023, 6, 1), reason="Appeal."
    )
    request.refresh_from_db()
    services.request_record_decision(
        actor=None,
        request=request,
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 7, 1),
        grounds=RefusalGround.objects.filter(code="dual_criminality"),
    )
    Event.objects.filter(occurred_on__gte=date(2023, 6, 1)).update(
        recorded_at=published_at + timedelta(minutes=5)
    )
    then, now = rows(as_of=published_at)[0], rows()[0]
    assert (then.decided_on, then.refusal_grounds, then.political) == (
        date(2023, 5, 1),
        "political_offence",
        True,
    )
    assert (now.decided_on, now.refusal_grounds, now.political) == (
        date(2023, 7, 1),
        "dual_criminality",
        False,
    )
    as_published = report_build(direction="outgoing", **PERIOD, as_of=published_at)
    assert_rows_give_report(rows(as_of=published_at), as_published)


def test_rows_as_of_before_the_decision_show_the_request_pending():
    make_request(outcome=Outcome.EXECUTED, decided_on=date(2023, 5, 1))
    moment = timezone.now()
    Event.objects.filter(type=Event.Type.DECIDED).update(recorded_at=moment + timedelta(hours=1))
    row = rows(as_of=moment)[0]
    assert (row.outcome, row.decided_on, row.pending_at_end) == ("", None, True)


def test_rows_for_a_clerk_list_only_their_units_requests():
    mine, other = UnitFactory(code="extradition-unit"), UnitFactory(code="mla-unit")
    clerk = UserFactory(units=[mine])
    supervisor = UserFactory(role="supervisor", units=[other])
    make_request(reference="MINE", unit=mine)
    make_request(reference="OTHER", unit=other)
    assert [row.reference for row in rows(user=clerk)] == ["MINE"]
    assert {row.reference for row in rows(user=supervisor)} == {"MINE", "OTHER"}
    assert report_request_rows_limited(user=clerk)
    assert not report_request_rows_limited(user=supervisor)
    assert not report_request_rows_limited(user=None)


def test_rows_for_a_user_without_units_are_empty():
    make_request()
    assert rows(user=UserFactory(units=[])) == []


def test_rows_of_an_empty_register():
    assert rows() == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"direction": "sideways"}, "direction"),
        ({"period_from": TO, "period_to": FROM}, "cannot start"),
    ],
)
def test_rows_refuse_wrong_input(kwargs, message):
    arguments = {"direction": "outgoing", **PERIOD, **kwargs}
    with pytest.raises(ValidationError, match=message):
        list(report_request_rows(**arguments))
