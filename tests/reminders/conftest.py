"""A prepared register: units, clerks, supervisors, and deadlines in every state on one day."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from rogatory.accounts.models import Role, User
from rogatory.deadlines.models import Deadline, DeadlineRule
from rogatory.register.models import Request
from rogatory.register.services import request_update
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

# The day of the first run. Every date below is counted from it.
TODAY = date(2026, 3, 10)


@dataclass
class Register:
    """The people and requests of the prepared register, by what the tests call them."""

    users: dict[str, User]
    requests: dict[str, Request]
    follow_up: DeadlineRule
    limitation: DeadlineRule


def _deadline(request: Request, rule: DeadlineRule, *, due: int, warn: int, met: int | None = None):
    """Give `request` a deadline due `due` days after TODAY, warned of from `warn` days after."""
    return Deadline.objects.create(
        request=request,
        rule=rule,
        started_on=TODAY - timedelta(days=60),
        due_on=TODAY + timedelta(days=due),
        warn_on=TODAY + timedelta(days=warn),
        met_on=None if met is None else TODAY + timedelta(days=met),
    )


@pytest.fixture
def register(db, settings) -> Register:
    """Three units: A and B with their own supervisors, C with none (the office-wide one).

    Requests, all with deadlines of the prepared rules only:
      A-NOT-YET  due in 8 days, warnings from tomorrow         nothing today; due soon tomorrow
      A-ENTERS   due in 7 days, warnings from today            due soon (7 days left)
      A-TODAY    due today                                     due soon (due today)
      A-OVERDUE  due 3 days ago                                overdue (3 days)
      A-MET      due 3 days ago, met 5 days ago                nothing
      A-RETIRED  overdue, under a rule no longer in use        nothing
      A-NOMAIL   due in 2 days, its clerk has no e-mail        due soon, supervisor only
      B-OVERDUE  due 1 day ago, in unit B                      overdue (1 day)
      C-SOON     due in 5 days, in unit C, nobody responsible  due soon, office-wide supervisor
      C-LIMIT    limitation date in 4 days, unit C             due soon, two rules on one request
    """
    settings.ROGATORY_BASE_URL = "https://rogatory.example"
    settings.ROGATORY_REMINDER_LANGUAGE = "en"
    unit_a = UnitFactory(code="unit-a", name="Unit A")
    unit_b = UnitFactory(code="unit-b", name="Unit B")
    unit_c = UnitFactory(code="unit-c", name="Unit C")
    users = {
        "clerk_a": UserFactory(username="anna.clerk", role=Role.CLERK, units=[unit_a]),
        "clerk_a2": UserFactory(username="alex.clerk", role=Role.CLERK, units=[unit_a]),
        "clerk_nomail": UserFactory(
            username="nina.clerk", role=Role.CLERK, units=[unit_a], email=""
        ),
        "clerk_b": UserFactory(username="boris.clerk", role=Role.CLERK, units=[unit_b]),
        "sup_a": UserFactory(username="sofia.supervisor", role=Role.SUPERVISOR, units=[unit_a]),
        "sup_b": UserFactory(username="bella.supervisor", role=Role.SUPERVISOR, units=[unit_b]),
        "sup_all": UserFactory(username="oleg.supervisor", role=Role.SUPERVISOR, units=[]),
        "sup_gone": UserFactory(
            username="gone.supervisor", role=Role.SUPERVISOR, units=[unit_a], is_active=False
        ),
        "viewer_a": UserFactory(username="vera.viewer", role=Role.VIEWER, units=[unit_a]),
        "admin": UserFactory(username="adam.admin", role=Role.ADMINISTRATOR, units=[]),
    }
    plan = {
        "A-NOT-YET": (unit_a, "clerk_a", "CH"),
        "A-ENTERS": (unit_a, "clerk_a", "DE"),
        "A-TODAY": (unit_a, "clerk_a", "CH"),
        "A-OVERDUE": (unit_a, "clerk_a", "LV"),
        "A-MET": (unit_a, "clerk_a", "CH"),
        "A-RETIRED": (unit_a, "clerk_a", "CH"),
        "A-NOMAIL": (unit_a, "clerk_nomail", "CH"),
        "B-OVERDUE": (unit_b, "clerk_b", "US"),
        "C-SOON": (unit_c, None, "CH"),
        "C-LIMIT": (unit_c, None, "CH"),
    }
    requests = {}
    for reference, (unit, clerk, country) in plan.items():
        request = make_request(reference=reference, unit=unit, country=country)
        if clerk is not None:
            request = request_update(actor=None, request=request, responsible=users[clerk])
        requests[reference] = request
    # Only the deadlines below: none the shipped rules may have given these requests.
    Deadline.objects.all().delete()
    follow_up = DeadlineRule.objects.create(
        code="test-follow-up",
        basis="internal",
        starts="sent",
        stops="answer",
        period_days=60,
        warn_days=7,
        name_en="Follow-up of an unanswered request",
        name_ru="Напоминание о запросе без ответа",
        source="Internal target: follow up after 60 days without an answer",
    )
    limitation = DeadlineRule.objects.create(
        code="test-limitation",
        basis="limitation",
        starts="limitation",
        stops="decision",
        warn_days=30,
        name_en="Limitation period runs out",
        name_ru="Истечение срока давности",
        source="Criminal Code, art. 78",
    )
    retired = DeadlineRule.objects.create(
        code="test-retired",
        basis="internal",
        starts="sent",
        stops="answer",
        period_days=30,
        warn_days=7,
        name_en="A rule no longer in use",
        name_ru="Правило, которое больше не применяется",
        source="Old internal target",
        active=False,
    )
    _deadline(requests["A-NOT-YET"], follow_up, due=8, warn=1)
    _deadline(requests["A-ENTERS"], follow_up, due=7, warn=0)
    _deadline(requests["A-TODAY"], follow_up, due=0, warn=-7)
    _deadline(requests["A-OVERDUE"], follow_up, due=-3, warn=-10)
    _deadline(requests["A-MET"], follow_up, due=-3, warn=-10, met=-5)
    _deadline(requests["A-RETIRED"], retired, due=-3, warn=-10)
    _deadline(requests["A-NOMAIL"], follow_up, due=2, warn=-5)
    _deadline(requests["B-OVERDUE"], follow_up, due=-1, warn=-8)
    _deadline(requests["C-SOON"], follow_up, due=5, warn=-2)
    _deadline(requests["C-LIMIT"], follow_up, due=4, warn=-3)
    _deadline(requests["C-LIMIT"], limitation, due=4, warn=-26)
    return Register(users=users, requests=requests, follow_up=follow_up, limitation=limitation)
