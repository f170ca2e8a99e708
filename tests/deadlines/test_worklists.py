"""The work list, "my requests" and the dashboard's counts, on fixed dates."""

from datetime import date, timedelta

import pytest

from rogatory.accounts.models import Role
from rogatory.deadlines.models import Deadline, DeadlineRule
from rogatory.deadlines.selectors import (
    WorkFilters,
    deadline_state,
    my_requests,
    next_deadlines,
    page_of,
    request_deadlines,
    timeliness_counts,
    worklist,
)
from rogatory.register import services
from rogatory.register.models import Direction, Kind, Outcome, Request
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 10)


@pytest.fixture
def rule():
    return DeadlineRule.objects.create(
        code="test-follow-up",
        name_en="Follow-up on an unanswered request",
        name_ru="Напоминание о запросе без ответа",
        basis=DeadlineRule.Basis.INTERNAL,
        starts=DeadlineRule.Start.SENT,
        stops=DeadlineRule.Stop.ANSWER,
        period_days=60,
        warn_days=10,
        source="Internal order No. 7, para. 3",
        # Not in use, so that the deadline engine leaves these tests' requests to them.
        active=False,
    )


@pytest.fixture
def other_rule():
    return DeadlineRule.objects.create(
        code="test-execution",
        name_en="Execution target",
        name_ru="Срок исполнения",
        basis=DeadlineRule.Basis.INTERNAL,
        starts=DeadlineRule.Start.RECEIVED,
        stops=DeadlineRule.Stop.DECISION,
        period_days=90,
        warn_days=14,
        source="Internal order No. 7, para. 4",
        active=False,
    )


@pytest.fixture
def units():
    return UnitFactory(code="alpha"), UnitFactory(code="bravo")


def _due(request: Request, rule: DeadlineRule, due_on: date, *, warn_days: int = 10, met_on=None):
    """Give `request` a deadline of `rule` due on `due_on`, replacing any the engine made."""
    Deadline.objects.filter(request=request, rule=rule).delete()
    return Deadline.objects.create(
        request=request,
        rule=rule,
        started_on=due_on - timedelta(days=60),
        due_on=due_on,
        warn_on=due_on - timedelta(days=warn_days),
        met_on=met_on,
    )


def _mine_only(queryset):
    """Keep the deadlines of this test's rules, whatever the deadline engine adds by default."""
    return [row for row in queryset if row.rule_id.startswith("test-")]


def _engine_defaults_removed() -> None:
    """Remove the deadlines the engine's shipped rules gave the requests: count only ours."""
    Deadline.objects.exclude(rule__code__startswith="test-").delete()


def test_the_work_list_holds_exactly_the_overdue_and_due_soon_in_order(units, rule, other_rule):
    alpha, _bravo = units
    clerk = UserFactory(username="alice", role=Role.CLERK, units=[alpha])
    overdue_normal = make_request(unit=alpha, reference="A-OVERDUE-NORMAL")
    overdue_urgent = make_request(unit=alpha, reference="A-OVERDUE-URGENT")
    Request.objects.filter(pk=overdue_urgent.pk).update(limitation_on=date(2026, 8, 1))
    soon_high = make_request(unit=alpha, reference="A-SOON-HIGH")
    services.request_update(
        actor=None, request=soon_high, priority="high", priority_reason="Asked by the minister"
    )
    soon_normal = make_request(unit=alpha, reference="A-SOON-NORMAL")
    due_today = make_request(unit=alpha, reference="A-TODAY")
    not_yet = make_request(unit=alpha, reference="A-NOT-YET")
    met = make_request(unit=alpha, reference="A-MET")

    _due(overdue_normal, rule, date(2026, 6, 1))  # 9 days overdue
    _due(overdue_urgent, rule, date(2026, 6, 9))  # 1 day overdue, urgent by limitation
    _due(soon_normal, rule, date(2026, 6, 12))  # warnings from 2 June
    _due(soon_high, rule, date(2026, 6, 15))  # warnings from 5 June
    _due(due_today, other_rule, TODAY)
    _due(not_yet, rule, date(2026, 6, 21))  # warnings from 11 June: tomorrow
    _due(met, rule, date(2026, 6, 1), met_on=date(2026, 5, 30))

    rows = _mine_only(worklist(user=clerk, today=TODAY))
    assert [row.request.reference for row in rows] == [
        "A-OVERDUE-URGENT",
        "A-OVERDUE-NORMAL",
        "A-SOON-HIGH",
        "A-TODAY",
        "A-SOON-NORMAL",
    ]
    assert [row.is_overdue for row in rows] == [True, True, False, False, False]
    assert [row.priority_rank for row in rows] == [0, 2, 1, 2, 2]
    assert [deadline_state(deadline=row, today=TODAY) for row in rows] == [
        {"state": "overdue", "days": 1},
        {"state": "overdue", "days": 9},
        {"state": "due_soon", "days": 5},
        {"state": "due_soon", "days": 0},
        {"state": "due_soon", "days": 2},
    ]
    overdue = _mine_only(worklist(user=clerk, today=TODAY, filters=WorkFilters(state="overdue")))
    assert [row.request.reference for row in overdue] == ["A-OVERDUE-URGENT", "A-OVERDUE-NORMAL"]
    soon = _mine_only(worklist(user=clerk, today=TODAY, filters=WorkFilters(state="due_soon")))
    assert len(soon) == 3
    # The next day the last one's warnings start.
    tomorrow = _mine_only(worklist(user=clerk, today=TODAY + timedelta(days=1)))
    assert "A-NOT-YET" in [row.request.reference for row in tomorrow]


def test_the_work_list_filters_by_direction_kind_and_unit(units, rule):
    alpha, bravo = units
    supervisor = UserFactory(username="sam", role=Role.SUPERVISOR, units=[alpha])
    outgoing = make_request(unit=alpha, reference="OUT-MLA")
    incoming = make_request(unit=bravo, direction=Direction.INCOMING, reference="IN-MLA")
    extradition = make_request(
        unit=bravo, kind=Kind.EXTRADITION, persons_count=1, reference="OUT-EXT"
    )
    for request in (outgoing, incoming, extradition):
        _due(request, rule, date(2026, 6, 1))

    def references(**filters):
        rows = worklist(user=supervisor, today=TODAY, filters=WorkFilters(**filters))
        return sorted(row.request.reference for row in _mine_only(rows))

    assert references() == ["IN-MLA", "OUT-EXT", "OUT-MLA"]
    assert references(direction="incoming") == ["IN-MLA"]
    assert references(kind="extradition") == ["OUT-EXT"]
    assert references(unit="bravo") == ["IN-MLA", "OUT-EXT"]


def test_a_clerk_does_not_see_other_units_deadlines(units, rule):
    alpha, bravo = units
    alice = UserFactory(username="alice", role=Role.CLERK, units=[alpha])
    viewer = UserFactory(username="vera", role=Role.VIEWER, units=[bravo])
    supervisor = UserFactory(username="sam", role=Role.SUPERVISOR, units=[bravo])
    _due(make_request(unit=alpha, reference="ALPHA-1"), rule, date(2026, 6, 1))
    _due(make_request(unit=bravo, reference="BRAVO-1"), rule, date(2026, 6, 1))

    def seen(user):
        return sorted(r.request.reference for r in _mine_only(worklist(user=user, today=TODAY)))

    assert seen(alice) == ["ALPHA-1"]
    assert seen(viewer) == ["BRAVO-1"]
    assert seen(supervisor) == ["ALPHA-1", "BRAVO-1"]
    assert seen(UserFactory(username="idle", role=Role.CLERK, is_active=False)) == []


def test_my_requests_are_only_the_users_undecided_first_by_priority_then_next_due(
    units, rule, other_rule
):
    alpha, bravo = units
    alice = UserFactory(username="alice", role=Role.CLERK, units=[alpha])
    bob = UserFactory(username="bob", role=Role.CLERK, units=[alpha])

    def assigned(reference, user=alice, **kwargs):
        request = make_request(unit=alpha, reference=reference, **kwargs)
        services.request_update(actor=None, request=request, responsible=user)
        return Request.objects.get(pk=request.pk)

    decided = assigned("M-DECIDED", outcome=Outcome.EXECUTED, decided_on=date(2026, 5, 1))
    late = assigned("M-LATE")
    early = assigned("M-EARLY")
    no_deadline = assigned("M-NONE")
    urgent = assigned("M-URGENT")
    services.request_update(
        actor=None, request=urgent, priority="urgent", priority_reason="Person about to flee"
    )
    assigned("M-BOBS", user=bob)
    _due(late, rule, date(2026, 9, 1))
    _due(late, other_rule, date(2026, 12, 1))
    _due(early, rule, date(2026, 7, 1))
    _due(urgent, rule, date(2026, 10, 1))
    _due(decided, rule, date(2026, 5, 1), met_on=date(2026, 5, 1))
    # A met deadline is not the next one.
    _due(early, other_rule, date(2026, 6, 1), met_on=date(2026, 5, 20))
    _engine_defaults_removed()

    rows = list(my_requests(viewer=alice, clerk=alice, today=TODAY))
    assert [row.reference for row in rows] == [
        "M-URGENT",
        "M-EARLY",
        "M-LATE",
        "M-NONE",
        "M-DECIDED",
    ]
    nexts = next_deadlines(rows)
    assert {
        row.reference: nexts[row.next_deadline_id].due_on for row in rows if row.next_deadline_id
    } == {
        "M-URGENT": date(2026, 10, 1),
        "M-EARLY": date(2026, 7, 1),
        "M-LATE": date(2026, 9, 1),
    }
    assert no_deadline.pk in [row.pk for row in rows]
    # A supervisor sees Bob's; a clerk of another unit sees none of Alice's.
    supervisor = UserFactory(username="sam", role=Role.SUPERVISOR, units=[bravo])
    assert [r.reference for r in my_requests(viewer=supervisor, clerk=bob, today=TODAY)] == [
        "M-BOBS"
    ]
    stranger = UserFactory(username="stan", role=Role.CLERK, units=[bravo])
    assert list(my_requests(viewer=stranger, clerk=alice, today=TODAY)) == []


def test_lists_page_without_reading_every_row(units, rule):
    alpha, _bravo = units
    alice = UserFactory(username="alice", role=Role.CLERK, units=[alpha])
    for number in range(5):
        _due(make_request(unit=alpha, reference=f"P-{number}"), rule, date(2026, 6, 1 + number))
    queryset = worklist(user=alice, today=TODAY, filters=WorkFilters(state="overdue"))
    first = page_of(queryset.filter(rule=rule), 1, size=2)
    assert [row.request.reference for row in first] == ["P-0", "P-1"]
    assert first.paginator.num_pages == 3
    last = page_of(queryset.filter(rule=rule), 99, size=2)
    assert [row.request.reference for row in last] == ["P-4"]


def test_dashboard_counts_are_right_to_the_unit(units, rule, other_rule):
    alpha, bravo = units
    alice = UserFactory(username="alice", role=Role.CLERK, units=[alpha])
    bruno = UserFactory(username="bruno", role=Role.CLERK, units=[bravo])
    supervisor = UserFactory(username="sam", role=Role.SUPERVISOR, units=[alpha])
    a1 = make_request(unit=alpha, reference="A-1")
    a2 = make_request(unit=alpha, reference="A-2")
    b1 = make_request(unit=bravo, reference="B-1")
    closed = make_request(
        unit=alpha, reference="A-CLOSED", outcome=Outcome.EXECUTED, decided_on=date(2026, 5, 1)
    )
    Request.objects.filter(pk__in=[a1.pk, b1.pk, closed.pk]).update(limitation_on=date(2026, 7, 1))
    services.request_update(actor=None, request=Request.objects.get(pk=a2.pk), responsible=alice)
    services.request_update(
        actor=None, request=Request.objects.get(pk=closed.pk), responsible=alice
    )
    _due(a1, rule, date(2026, 6, 1))  # overdue
    _due(a2, rule, date(2026, 6, 12))  # due soon
    _due(a2, other_rule, date(2026, 6, 5))  # overdue
    _due(b1, rule, date(2026, 6, 14))  # due soon
    _due(b1, other_rule, date(2026, 7, 30))  # not yet

    _engine_defaults_removed()

    def counts(user):
        found = timeliness_counts(user=user, today=TODAY)
        return (found.overdue, found.due_soon, found.urgent, found.mine)

    assert counts(alice) == (2, 1, 1, 1)
    assert counts(bruno) == (0, 1, 1, 0)
    assert counts(supervisor) == (2, 2, 2, 0)


def test_a_requests_deadlines_open_first_then_met(units, rule, other_rule):
    alpha, _bravo = units
    request = make_request(unit=alpha, reference="D-1")
    _due(request, rule, date(2026, 6, 1), met_on=date(2026, 5, 28))
    _due(request, other_rule, date(2026, 6, 20))
    _engine_defaults_removed()
    shown = request_deadlines(request=request, today=TODAY)
    assert [(item.deadline.rule_id, item.state, item.days) for item in shown] == [
        ("test-execution", "due_soon", 10),
        ("test-follow-up", "met", 0),
    ]
