"""Who should be told what about deadlines falling due, on a given day.

An open deadline (not met) whose warnings have started is due soon until its due date, and
overdue after it. It is news for a person once per due date and stage: someone told that a
deadline is due soon is told again when it becomes overdue, and again if its due date moves.

Who is told, for each request:
- the responsible clerk (`Request.responsible`), while active and still working in the request's
  unit;
- the supervisors of the request's unit: active users with the role supervisor whose units
  include it. A unit no supervisor has is watched by the supervisors who have no unit at all
  (supervisors of the whole office), or, when there are none of those either, by every
  supervisor (each of them may see every unit), so that no deadline goes unwatched while the
  office has a supervisor. Items nobody is told about are counted, so that the run can say so.

Someone without an e-mail address cannot be told; they are counted, with their items, and told
on a later run once they have an address (if the items are still due).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from rogatory.accounts.models import Role, User
from rogatory.accounts.permissions import Action, user_can, user_may_access_unit
from rogatory.deadlines.models import Deadline, DeadlineRule
from rogatory.register.models import Request

from .models import Reminder


@dataclass(frozen=True)
class ReminderItem:
    """One deadline of one request, due soon or overdue on the day of the run."""

    request: Request
    rule: DeadlineRule
    due_on: date
    stage: str
    # Days overdue for an overdue item; days left (0 on the due date) for one due soon.
    days: int

    @property
    def key(self) -> tuple[int, str, date, str]:
        """What the reminder records, with the recipient, to send this item only once."""
        return (self.request.pk, self.rule.pk, self.due_on, self.stage)

    @property
    def overdue(self) -> bool:
        return self.stage == Reminder.Stage.OVERDUE


@dataclass(frozen=True)
class Digest:
    """What one person is to be told: overdue items first, then those due soon."""

    recipient: User
    items: tuple[ReminderItem, ...]

    @property
    def overdue(self) -> tuple[ReminderItem, ...]:
        return tuple(item for item in self.items if item.overdue)

    @property
    def due_soon(self) -> tuple[ReminderItem, ...]:
        return tuple(item for item in self.items if not item.overdue)


@dataclass(frozen=True)
class ReminderPlan:
    """Everything a reminder run on `today` would send, and whom it could not reach."""

    today: date
    digests: tuple[Digest, ...]
    # People who should be told but have no e-mail address, with what they would be told.
    without_email: tuple[Digest, ...] = ()
    # Items that nobody is there to be told about: no responsible clerk, no supervisor.
    unattended: tuple[ReminderItem, ...] = field(default=())


def deadlines_falling_due(*, today: date) -> list[ReminderItem]:
    """Return the open deadlines that are due soon or overdue on `today`, most pressing first."""
    deadlines = (
        Deadline.objects.filter(met_on__isnull=True, rule__active=True, warn_on__lte=today)
        .select_related("request__country", "request__unit", "rule")
        .order_by("due_on", "request__reference", "rule__position", "rule__code")
    )
    items = []
    for deadline in deadlines:
        if deadline.due_on < today:
            stage, days = Reminder.Stage.OVERDUE, (today - deadline.due_on).days
        else:
            stage, days = Reminder.Stage.DUE_SOON, (deadline.due_on - today).days
        items.append(
            ReminderItem(
                request=deadline.request,
                rule=deadline.rule,
                due_on=deadline.due_on,
                stage=stage,
                days=days,
            )
        )
    # Overdue before due soon; within each, the earliest due date first (the most overdue,
    # then the nearest).
    items.sort(key=lambda item: (not item.overdue, item.due_on))
    return items


def reminders_due(*, today: date) -> ReminderPlan:
    """Return who is to be told what on `today`, leaving out what each was already told."""
    items = deadlines_falling_due(today=today)
    if not items:
        return ReminderPlan(today=today, digests=())
    request_ids = {item.request.pk for item in items}
    told = set(
        Reminder.objects.filter(request_id__in=request_ids).values_list(
            "request_id", "rule_id", "due_on", "stage", "recipient_id"
        )
    )
    recipients_of = _recipients(requests={item.request.pk: item.request for item in items}.values())

    by_user: dict[int, list[ReminderItem]] = defaultdict(list)
    users: dict[int, User] = {}
    unattended = []
    for item in items:
        recipients = recipients_of.get(item.request.pk, [])
        if not recipients:
            unattended.append(item)
        for user in recipients:
            if (*item.key, user.pk) in told:
                continue
            users[user.pk] = user
            by_user[user.pk].append(item)

    digests, without_email = [], []
    for user_id in sorted(by_user, key=lambda pk: users[pk].username):
        digest = Digest(recipient=users[user_id], items=tuple(by_user[user_id]))
        (digests if users[user_id].email.strip() else without_email).append(digest)
    return ReminderPlan(
        today=today,
        digests=tuple(digests),
        without_email=tuple(without_email),
        unattended=tuple(unattended),
    )


def _recipients(*, requests) -> dict[int, list[User]]:
    """Return, by request id, the people to tell about each request's deadlines."""
    requests = list(requests)
    unit_ids = {request.unit_id for request in requests}
    # An office has a handful of supervisors: read them all, with their units, at once.
    supervisors = (
        User.objects.filter(is_active=True, role=Role.SUPERVISOR)
        .order_by("username")
        .prefetch_related("units")
    )
    by_unit: dict[int, list[User]] = defaultdict(list)
    office_wide, every_supervisor = [], []
    for supervisor in supervisors:
        every_supervisor.append(supervisor)
        own_units = {unit.pk for unit in supervisor.units.all()}
        if not own_units:
            office_wide.append(supervisor)
        for unit_id in own_units & unit_ids:
            by_unit[unit_id].append(supervisor)

    responsible_ids = {request.responsible_id for request in requests if request.responsible_id}
    responsible = {user.pk: user for user in User.objects.filter(pk__in=responsible_ids)}

    recipients: dict[int, list[User]] = {}
    for request in requests:
        people: dict[int, User] = {}
        clerk = responsible.get(request.responsible_id)
        # Still allowed to work on the request: active, a clerk or more, in its unit.
        if (
            clerk is not None
            and user_can(clerk, Action.RECORD_EVENT)
            and user_may_access_unit(clerk, request.unit_id)
        ):
            people[clerk.pk] = clerk
        for supervisor in by_unit.get(request.unit_id) or office_wide or every_supervisor:
            people.setdefault(supervisor.pk, supervisor)
        recipients[request.pk] = list(people.values())
    return recipients
