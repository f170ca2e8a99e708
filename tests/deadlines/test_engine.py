"""The deadline engine on fixed dates: every shipped rule, periods, boundaries, starts, stops."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from rogatory.deadlines.engine import (
    RequestFacts,
    deadlines_compute,
    period_end,
    rule_applies,
)
from rogatory.deadlines.models import DeadlineRule


@dataclass(frozen=True)
class E:
    type: str
    occurred_on: date
    outcome: str = ""


def rule(**values) -> DeadlineRule:
    defaults = {
        "code": "test-rule",
        "basis": "internal",
        "direction": "",
        "kind": "",
        "treaty_id": None,
        "starts": "opened",
        "stops": "decision",
        "period_days": 30,
        "period_months": None,
        "warn_days": 7,
    }
    return DeadlineRule(**{**defaults, **values})


def facts(events, *, direction="outgoing", kind="mla", basis=None, limitation_on=None):
    return RequestFacts(
        direction=direction,
        kind=kind,
        legal_basis=basis,
        limitation_on=limitation_on,
        events=events,
    )


def opened(on: date, direction: str = "outgoing") -> list[E]:
    return [E("registered", on), E("sent" if direction == "outgoing" else "received", on)]


def arrested_first(registered: date, arrest: date) -> list[E]:
    """An urgent case: the person is arrested before the extradition request is opened."""
    return [E("registered", registered), E("provisional_arrest", arrest)]


def one(request_facts, a_rule):
    results = deadlines_compute(request_facts, [a_rule])
    assert len(results) <= 1
    return results[0] if results else None


def shipped(code: str) -> DeadlineRule:
    return DeadlineRule.objects.get(code=code)


# --- periods and boundaries --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "months", "end"),
    [
        (date(2024, 2, 10), 18, None, date(2024, 2, 28)),  # leap year, ends before 29 Feb
        (date(2024, 2, 12), 18, None, date(2024, 3, 1)),  # runs over 29 Feb 2024
        (date(2023, 2, 12), 18, None, date(2023, 3, 2)),  # no 29 Feb in 2023
        (date(2024, 2, 10), 40, None, date(2024, 3, 21)),
        (date(2023, 1, 31), None, 1, date(2023, 2, 28)),  # month-end clamped, non-leap
        (date(2024, 1, 31), None, 1, date(2024, 2, 29)),  # month-end clamped, leap
        (date(2024, 2, 29), None, 12, date(2025, 2, 28)),  # 29 Feb + 12 months
        (date(2024, 2, 29), None, 48, date(2028, 2, 29)),
        (date(2023, 3, 31), None, 1, date(2023, 4, 30)),
        (date(2023, 12, 20), 15, None, date(2024, 1, 4)),  # over the new year
    ],
)
def test_period_end_counts_from_the_day_after_the_start(start, days, months, end):
    assert period_end(start, days=days, months=months) == end


def test_the_last_day_is_on_time_and_warnings_start_exactly_warn_days_before():
    due = one(facts(opened(date(2024, 1, 1))), rule(period_days=60, warn_days=7))
    assert due.started_on == date(2024, 1, 1)
    assert due.due_on == date(2024, 3, 1)  # 2024 is a leap year: 31 + 29 days
    assert due.warn_on == date(2024, 2, 23)
    # What the work lists and reminders compare: due today is not overdue, tomorrow is.
    today = date(2024, 3, 1)
    assert not today > due.due_on
    assert today + timedelta(days=1) > due.due_on
    assert not date(2024, 2, 22) >= due.warn_on
    assert date(2024, 2, 23) >= due.warn_on


def test_a_warning_longer_than_the_period_warns_from_the_start():
    due = one(facts(opened(date(2024, 1, 1))), rule(period_days=10, warn_days=30))
    assert due.warn_on == date(2024, 1, 1)


def test_zero_warning_days_warns_on_the_day_itself():
    due = one(facts(opened(date(2024, 1, 1))), rule(period_days=10, warn_days=0))
    assert due.warn_on == due.due_on == date(2024, 1, 11)


# --- which rules apply -------------------------------------------------------------------------


def test_rules_apply_by_direction_kind_and_treaty():
    outgoing_ece = facts(opened(date(2024, 1, 1)), kind="extradition", basis="ECE-1957")
    assert rule_applies(rule(), outgoing_ece)
    assert rule_applies(rule(direction="outgoing", kind="extradition"), outgoing_ece)
    assert rule_applies(rule(treaty_id="ECE-1957"), outgoing_ece)
    assert not rule_applies(rule(direction="incoming"), outgoing_ece)
    assert not rule_applies(rule(kind="mla"), outgoing_ece)
    assert not rule_applies(rule(treaty_id="MINSK-1993"), outgoing_ece)
    assert not rule_applies(rule(treaty_id="ECE-1957"), facts(opened(date(2024, 1, 1))))


def test_a_rule_whose_start_has_not_happened_yields_nothing():
    draft = facts([E("registered", date(2024, 1, 1))])
    assert deadlines_compute(draft, [rule()]) == []
    no_arrest = facts(opened(date(2024, 1, 1)), kind="extradition")
    assert deadlines_compute(no_arrest, [rule(starts="provisional_arrest")]) == []
    assert deadlines_compute(no_arrest, [rule(starts="granted", stops="surrender")]) == []
    assert deadlines_compute(no_arrest, [rule(starts="supplementary_requested")]) == []
    no_limitation = facts(opened(date(2024, 1, 1)))
    limitation = rule(starts="limitation", basis="limitation", period_days=None)
    assert deadlines_compute(no_limitation, [limitation]) == []


def test_sent_applies_to_outgoing_and_received_to_incoming_requests_only():
    incoming = facts(opened(date(2024, 1, 1), "incoming"), direction="incoming")
    assert one(incoming, rule(starts="sent")) is None
    assert one(incoming, rule(starts="received")).started_on == date(2024, 1, 1)
    outgoing = facts(opened(date(2024, 1, 1)))
    assert one(outgoing, rule(starts="received")) is None
    assert one(outgoing, rule(starts="sent")).started_on == date(2024, 1, 1)


def test_a_corrected_opening_date_moves_the_clock():
    events = [*opened(date(2024, 1, 10)), E("opening_corrected", date(2024, 1, 5))]
    due = one(facts(events), rule(period_days=60))
    assert due.started_on == date(2024, 1, 5)
    assert due.due_on == date(2024, 3, 5)


# --- stops -------------------------------------------------------------------------------------


def test_answer_is_an_acknowledgement_a_supplementary_request_or_a_decision():
    follow_up = rule(stops="answer", period_days=60)
    start = date(2024, 1, 1)
    assert one(facts(opened(start)), follow_up).met_on is None
    for answer in (
        E("acknowledged", date(2024, 2, 1)),
        E("supplementary_requested", date(2024, 2, 1)),
        E("decided", date(2024, 2, 1), "executed"),
    ):
        assert one(facts([*opened(start), answer]), follow_up).met_on == date(2024, 2, 1)
    # A hearing or supplementary information we provide is no answer from them.
    assert one(facts([*opened(start), E("hearing", date(2024, 2, 1))]), follow_up).met_on is None


def test_the_earliest_stop_is_when_the_clock_was_met():
    events = [
        *opened(date(2024, 1, 1)),
        E("acknowledged", date(2024, 1, 20)),
        E("decided", date(2024, 3, 1), "executed"),
    ]
    assert one(facts(events), rule(stops="answer")).met_on == date(2024, 1, 20)
    assert one(facts(events), rule(stops="decision")).met_on == date(2024, 3, 1)


def test_any_closing_decision_meets_every_running_clock():
    start = date(2024, 1, 1)
    events = [
        *opened(start),
        E("provisional_arrest", date(2024, 1, 2)),
        E("decided", date(2024, 1, 10), "refused"),
    ]
    extradition = facts(events, kind="extradition")
    # (A formal request clock is met by the opening itself: see the formal request tests.)
    for stops in ("answer", "decision", "supplementary_provided"):
        due = one(extradition, rule(kind="extradition", starts="provisional_arrest", stops=stops))
        assert due.met_on == date(2024, 1, 10), stops


def test_after_a_grant_the_surrender_clock_runs_until_the_surrender():
    events = [
        *opened(date(2024, 1, 1)),
        E("decided", date(2024, 3, 1), "granted"),
    ]
    surrender = rule(kind="extradition", starts="granted", stops="surrender", period_days=15)
    due = one(facts(events, kind="extradition"), surrender)
    assert (due.started_on, due.due_on, due.met_on) == (date(2024, 3, 1), date(2024, 3, 16), None)
    surrendered = [*events, E("surrendered", date(2024, 3, 12))]
    assert one(facts(surrendered, kind="extradition"), surrender).met_on == date(2024, 3, 12)


def test_a_refusal_or_withdrawal_ends_a_surrender_clock():
    # A surrender rule that starts at the opening: the case ends without a surrender.
    surrender = rule(kind="extradition", starts="opened", stops="surrender", period_days=300)
    for outcome in ("refused", "withdrawn"):
        events = [*opened(date(2024, 1, 1)), E("decided", date(2024, 2, 1), outcome)]
        assert one(facts(events, kind="extradition"), surrender).met_on == date(2024, 2, 1)


def test_formal_request_stop_is_the_request_opened_after_an_urgent_arrest():
    arrest_rule = rule(kind="extradition", starts="provisional_arrest", stops="formal_request")
    urgent = arrested_first(date(2024, 2, 1), date(2024, 2, 10))
    # Arrested ahead of the request: the clock runs until the request is sent.
    assert one(facts(urgent, kind="extradition"), arrest_rule).met_on is None
    sent = [*urgent, E("sent", date(2024, 2, 20))]
    assert one(facts(sent, kind="extradition"), arrest_rule).met_on == date(2024, 2, 20)
    # An opening corrected to an earlier day after the arrest meets it on that day.
    corrected = [*sent, E("opening_corrected", date(2024, 2, 15))]
    assert one(facts(corrected, kind="extradition"), arrest_rule).met_on == date(2024, 2, 15)
    incoming = [*urgent, E("received", date(2024, 3, 1))]
    request = facts(incoming, direction="incoming", kind="extradition")
    assert one(request, arrest_rule).met_on == date(2024, 3, 1)


def test_formal_request_stop_is_met_at_once_when_the_request_came_before_the_arrest():
    arrest_rule = rule(kind="extradition", starts="provisional_arrest", stops="formal_request")
    arrested = [*opened(date(2024, 2, 1)), E("provisional_arrest", date(2024, 2, 10))]
    due = one(facts(arrested, kind="extradition"), arrest_rule)
    assert (due.started_on, due.met_on) == (date(2024, 2, 10), date(2024, 2, 10))
    same_day = [*opened(date(2024, 2, 10)), E("provisional_arrest", date(2024, 2, 10))]
    assert one(facts(same_day, kind="extradition"), arrest_rule).met_on == date(2024, 2, 10)


# --- provisional arrest, re-arrest, supplementary information, re-opening ----------------------


def test_a_re_arrest_starts_a_new_clock():
    arrest_rule = rule(
        kind="extradition", starts="provisional_arrest", stops="formal_request", period_days=18
    )
    events = [
        *arrested_first(date(2024, 1, 1), date(2024, 1, 5)),
        E("provisional_arrest", date(2024, 2, 10)),
    ]
    due = one(facts(events, kind="extradition"), arrest_rule)
    assert (due.started_on, due.due_on, due.met_on) == (date(2024, 2, 10), date(2024, 2, 28), None)


def test_supplementary_information_clock_follows_the_oldest_unanswered_request():
    answer = rule(starts="supplementary_requested", stops="supplementary_provided", period_days=30)
    base = opened(date(2024, 1, 1))
    first = [*base, E("supplementary_requested", date(2024, 2, 1))]
    due = one(facts(first), answer)
    assert (due.started_on, due.due_on, due.met_on) == (date(2024, 2, 1), date(2024, 3, 2), None)
    two = [*first, E("supplementary_requested", date(2024, 2, 15))]
    assert one(facts(two), answer).started_on == date(2024, 2, 1)
    one_answered = [*two, E("supplementary_provided", date(2024, 2, 20))]
    due = one(facts(one_answered), answer)
    assert (due.started_on, due.met_on) == (date(2024, 2, 15), None)
    all_answered = [*one_answered, E("supplementary_provided", date(2024, 3, 1))]
    due = one(facts(all_answered), answer)
    assert (due.started_on, due.met_on) == (date(2024, 2, 15), date(2024, 3, 1))


def test_a_re_opened_request_starts_afresh():
    execution = rule(direction="incoming", starts="received", stops="decision", period_days=90)
    events = [
        *opened(date(2024, 1, 1), "incoming"),
        E("decided", date(2024, 2, 1), "refused"),
        E("reopened", date(2024, 3, 1)),
    ]
    due = one(facts(events, direction="incoming"), execution)
    assert (due.started_on, due.due_on, due.met_on) == (date(2024, 3, 1), date(2024, 5, 30), None)
    decided_again = [*events, E("decided", date(2024, 4, 1), "executed")]
    assert one(facts(decided_again, direction="incoming"), execution).met_on == date(2024, 4, 1)


def test_a_re_opening_voids_the_surrender_clock_of_the_earlier_grant():
    surrender = rule(kind="extradition", starts="granted", stops="surrender", period_days=15)
    events = [
        *opened(date(2024, 1, 1)),
        E("decided", date(2024, 2, 1), "granted"),
        E("reopened", date(2024, 2, 5)),
    ]
    assert one(facts(events, kind="extradition"), surrender) is None


def test_events_before_a_re_opening_do_not_stop_the_new_clock():
    follow_up = rule(stops="answer", period_days=60)
    events = [
        *opened(date(2024, 1, 1)),
        E("acknowledged", date(2024, 1, 10)),
        E("decided", date(2024, 2, 1), "refused"),
        E("reopened", date(2024, 3, 1)),
    ]
    due = one(facts(events), follow_up)
    assert (due.started_on, due.met_on) == (date(2024, 3, 1), None)


def test_limitation_ends_on_the_limitation_date():
    limitation = rule(
        starts="limitation", basis="limitation", period_days=None, stops="decision", warn_days=180
    )
    due = one(facts(opened(date(2024, 1, 10)), limitation_on=date(2025, 6, 30)), limitation)
    assert (due.started_on, due.due_on, due.warn_on) == (
        date(2024, 1, 10),
        date(2025, 6, 30),
        date(2025, 1, 1),
    )
    # A draft has a limitation clock too: it runs from the registration.
    draft = facts([E("registered", date(2024, 1, 10))], limitation_on=date(2024, 3, 1))
    due = one(draft, limitation)
    assert (due.started_on, due.warn_on) == (date(2024, 1, 10), date(2024, 1, 10))
    # An old case entered after its limitation date: the clock shows as already over.
    late = facts(opened(date(2024, 1, 10)), limitation_on=date(2023, 12, 31))
    due = one(late, limitation)
    assert due.started_on == due.due_on == date(2023, 12, 31)
    decided = [*opened(date(2024, 1, 10)), E("decided", date(2024, 5, 1), "executed")]
    assert one(facts(decided, limitation_on=date(2025, 6, 30)), limitation).met_on == date(
        2024, 5, 1
    )


# --- every shipped rule on fixed dates ---------------------------------------------------------


pytestmark = pytest.mark.django_db


def test_every_shipped_rule_is_tested_here():
    tested = {
        "ece-1957-provisional-arrest-18",
        "ece-1957-provisional-arrest-40",
        "ece-1957-surrender-15",
        "ece-1957-surrender-30",
        "minsk-1993-custody-40",
        "minsk-1993-surrender-15",
        "eio-2014-execution-120",
        "outgoing-follow-up-60",
        "incoming-mla-execution-90",
        "incoming-extradition-decision-180",
        "supplementary-answer-30",
        "limitation-date",
    }
    assert set(DeadlineRule.objects.values_list("code", flat=True)) >= tested
    assert (
        set(DeadlineRule.objects.filter(edited_at__isnull=True).values_list("code", flat=True))
        == tested
    )


@pytest.mark.parametrize(
    ("code", "arrest", "due", "warn"),
    [
        ("ece-1957-provisional-arrest-18", date(2024, 2, 10), date(2024, 2, 28), date(2024, 2, 23)),
        ("ece-1957-provisional-arrest-18", date(2023, 2, 20), date(2023, 3, 10), date(2023, 3, 5)),
        ("ece-1957-provisional-arrest-40", date(2024, 2, 10), date(2024, 3, 21), date(2024, 3, 14)),
        ("ece-1957-provisional-arrest-40", date(2023, 2, 10), date(2023, 3, 22), date(2023, 3, 15)),
    ],
)
def test_ece_provisional_arrest_periods(code, arrest, due, warn):
    events = arrested_first(arrest - timedelta(days=3), arrest)
    result = one(facts(events, kind="extradition", basis="ECE-1957"), shipped(code))
    assert (result.started_on, result.due_on, result.warn_on, result.met_on) == (
        arrest,
        due,
        warn,
        None,
    )
    # The rule is about the European Convention only.
    assert one(facts(events, kind="extradition", basis="MINSK-1993"), shipped(code)) is None
    assert one(facts(events, kind="extradition", basis="UNTOC"), shipped(code)) is None


def test_minsk_custody_is_40_days_from_being_taken_into_custody():
    events = arrested_first(date(2024, 2, 1), date(2024, 2, 10))
    request = facts(events, direction="incoming", kind="extradition", basis="MINSK-1993")
    result = one(request, shipped("minsk-1993-custody-40"))
    assert (result.due_on, result.warn_on) == (date(2024, 3, 21), date(2024, 3, 14))
    assert one(request, shipped("ece-1957-provisional-arrest-40")) is None


@pytest.mark.parametrize(
    ("code", "basis", "due", "warn"),
    [
        ("ece-1957-surrender-15", "ECE-1957", date(2024, 3, 5), date(2024, 2, 29)),
        ("ece-1957-surrender-30", "ECE-1957", date(2024, 3, 20), date(2024, 3, 13)),
        ("minsk-1993-surrender-15", "MINSK-1993", date(2024, 3, 5), date(2024, 2, 29)),
    ],
)
def test_surrender_periods_from_the_grant(code, basis, due, warn):
    events = [*opened(date(2024, 1, 2)), E("decided", date(2024, 2, 19), "granted")]
    request = facts(events, kind="extradition", basis=basis)
    result = one(request, shipped(code))
    assert (result.started_on, result.due_on, result.warn_on, result.met_on) == (
        date(2024, 2, 19),
        due,
        warn,
        None,
    )
    done = facts([*events, E("surrendered", date(2024, 3, 1))], kind="extradition", basis=basis)
    assert one(done, shipped(code)).met_on == date(2024, 3, 1)


def test_eio_execution_is_120_days_from_receipt_for_incoming_orders_only():
    events = opened(date(2023, 11, 1), "incoming")
    incoming = facts(events, direction="incoming", basis="EIO-2014")
    result = one(incoming, shipped("eio-2014-execution-120"))
    assert (result.due_on, result.warn_on) == (date(2024, 2, 29), date(2024, 2, 15))
    outgoing = facts(opened(date(2023, 11, 1)), basis="EIO-2014")
    assert one(outgoing, shipped("eio-2014-execution-120")) is None
    other_basis = facts(events, direction="incoming", basis="ECMA-1959")
    assert one(other_basis, shipped("eio-2014-execution-120")) is None


def test_outgoing_follow_up_after_60_days_without_an_answer():
    code = "outgoing-follow-up-60"
    result = one(facts(opened(date(2023, 12, 31))), shipped(code))
    assert (result.due_on, result.warn_on, result.met_on) == (
        date(2024, 2, 29),
        date(2024, 2, 22),
        None,
    )
    answered = [*opened(date(2023, 12, 31)), E("acknowledged", date(2024, 3, 2))]
    assert one(facts(answered), shipped(code)).met_on == date(2024, 3, 2)
    incoming = facts(opened(date(2023, 12, 31), "incoming"), direction="incoming")
    assert one(incoming, shipped(code)) is None


def test_incoming_execution_and_decision_targets():
    mla = facts(opened(date(2024, 1, 31), "incoming"), direction="incoming")
    result = one(mla, shipped("incoming-mla-execution-90"))
    assert (result.due_on, result.warn_on) == (date(2024, 4, 30), date(2024, 4, 16))
    assert one(mla, shipped("incoming-extradition-decision-180")) is None
    extradition = facts(
        opened(date(2024, 1, 31), "incoming"), direction="incoming", kind="extradition"
    )
    result = one(extradition, shipped("incoming-extradition-decision-180"))
    assert (result.due_on, result.warn_on) == (date(2024, 7, 29), date(2024, 7, 15))
    assert one(extradition, shipped("incoming-mla-execution-90")) is None
    outgoing = facts(opened(date(2024, 1, 31)))
    assert one(outgoing, shipped("incoming-mla-execution-90")) is None


def test_supplementary_information_asked_of_us_is_answered_within_30_days():
    events = [*opened(date(2024, 1, 1)), E("supplementary_requested", date(2024, 1, 30))]
    result = one(facts(events), shipped("supplementary-answer-30"))
    assert (result.due_on, result.warn_on, result.met_on) == (
        date(2024, 2, 29),
        date(2024, 2, 22),
        None,
    )
    answered = [*events, E("supplementary_provided", date(2024, 2, 29))]
    assert one(facts(answered), shipped("supplementary-answer-30")).met_on == date(2024, 2, 29)
    # On an incoming request, supplementary information is what we asked of them.
    incoming = facts(
        [*opened(date(2024, 1, 1), "incoming"), E("supplementary_requested", date(2024, 1, 30))],
        direction="incoming",
    )
    assert one(incoming, shipped("supplementary-answer-30")) is None


def test_limitation_date_warns_180_days_before():
    request = facts(opened(date(2023, 1, 1)), limitation_on=date(2024, 8, 28))
    result = one(request, shipped("limitation-date"))
    assert (result.due_on, result.warn_on) == (date(2024, 8, 28), date(2024, 3, 1))
