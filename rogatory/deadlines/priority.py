"""A request's effective priority: the priority a person chose, raised to urgent by rules.

Three rules make a request urgent whatever priority was chosen:

- **custody**: a person sought is in custody (`Person.in_custody`) and the request is not
  closed (surrendered, refused or withdrawn);
- **provisional arrest running**: a provisional arrest has been recorded on the request, no
  refusal, withdrawal or surrender has been recorded after it (in recording order), and the
  request is not now surrendered, refused or withdrawn. A request re-opened after a refusal
  counts the arrest as running again only when a new provisional arrest is recorded;
- **limitation**: the request is undecided and its limitation date (`Request.limitation_on`)
  falls on or before the same day `LIMITATION_URGENT_MONTHS` months from today. A limitation
  date already passed counts too: the request still needs someone to act on it.

Everything is computed by the database, so that lists sort and page by it: `priority_annotate`
adds the rank (0 urgent, 1 high, 2 normal) and one flag per rule to a queryset of requests, and
`priority_expressions` gives the same expressions for a queryset that reaches requests through
a foreign key (deadlines). `priority_of` explains one request's priority for its page.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils.translation import gettext as _

from rogatory.register.models import Event, Outcome, Person, Priority, Request, Status

# A limitation date this many months ahead, or nearer, makes a request urgent.
LIMITATION_URGENT_MONTHS = 6

# The ranks lists sort by, most urgent first.
RANKS = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2}
PRIORITY_OF_RANK = {rank: priority for priority, rank in RANKS.items()}

# Statuses after which a person sought is no longer held for us: custody and arrest end.
_CUSTODY_ENDED = (Status.SURRENDERED, Status.REFUSED, Status.WITHDRAWN)


def months_after(day: date, months: int) -> date:
    """Return the same day `months` months after `day`, or the month's last day if it is shorter.

    31 August plus 6 months is 28 February (29 in a leap year).
    """
    return day + relativedelta(months=months)


def limitation_urgent_until(today: date) -> date:
    """Return the last limitation date that makes a request urgent as of `today`."""
    return months_after(today, LIMITATION_URGENT_MONTHS)


def priority_expressions(*, today: date, prefix: str = "") -> dict[str, Any]:
    """Return the annotations of the effective priority, for requests reached through `prefix`.

    With `prefix=""` the queryset is of requests; with `prefix="request__"` it is of rows with a
    foreign key `request` (such as deadlines). The annotations are `urgent_custody`,
    `urgent_arrest`, `urgent_limitation` (booleans) and `priority_rank` (0, 1 or 2).
    """
    request_id = OuterRef(prefix.removesuffix("__") + "_id" if prefix else "pk")
    status = f"{prefix}status"
    ended = Event.objects.filter(request_id=OuterRef("request_id")).filter(
        Q(type=Event.Type.SURRENDERED)
        | Q(type=Event.Type.DECIDED, outcome__in=(Outcome.REFUSED, Outcome.WITHDRAWN)),
        id__gt=OuterRef("id"),
    )
    arrests = Event.objects.filter(
        request_id=request_id, type=Event.Type.PROVISIONAL_ARREST
    ).filter(~Exists(ended))
    custody = Person.objects.filter(request_id=request_id, in_custody=True)
    open_custody = ~Q(**{f"{status}__in": _CUSTODY_ENDED})
    custody_rule = Q(Exists(custody)) & open_custody
    arrest_rule = Q(Exists(arrests)) & open_custody
    limitation_rule = Q(
        **{
            f"{prefix}decided_on__isnull": True,
            f"{prefix}limitation_on__lte": limitation_urgent_until(today),
        }
    )
    return {
        "urgent_custody": _flag(custody_rule),
        "urgent_arrest": _flag(arrest_rule),
        "urgent_limitation": _flag(limitation_rule),
        "priority_rank": Case(
            When(custody_rule | arrest_rule | limitation_rule, then=Value(0)),
            When(**{f"{prefix}priority": Priority.URGENT}, then=Value(0)),
            When(**{f"{prefix}priority": Priority.HIGH}, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
    }


def _flag(condition: Q) -> Case:
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def priority_annotate(requests: QuerySet[Request], *, today: date) -> QuerySet[Request]:
    """Return `requests` with their effective priority as of `today` (see the module's words)."""
    return requests.annotate(**priority_expressions(today=today))


@dataclass(frozen=True)
class EffectivePriority:
    """A request's priority as lists sort it, and why."""

    priority: str  # urgent, high or normal: the higher of the chosen one and the rules'
    chosen: str  # the priority a person chose
    chosen_reason: str  # why they chose it
    rules: tuple[str, ...]  # what makes the request urgent by rule, in words

    @property
    def label(self) -> str:
        return str(Priority(self.priority).label)

    @property
    def by_rule(self) -> bool:
        return bool(self.rules)

    @property
    def rank(self) -> int:
        return RANKS[Priority(self.priority)]


def priority_reasons(row: Any) -> tuple[str, ...]:
    """Return, in words, the rules that make an annotated request (or deadline row) urgent.

    `row` carries the flags `priority_expressions` adds, and a `limitation_on` for the words
    of the limitation rule (on a deadline row, `request.limitation_on`).
    """
    reasons = []
    if getattr(row, "urgent_custody", False):
        reasons.append(_("a person sought is in custody"))
    if getattr(row, "urgent_arrest", False):
        reasons.append(_("a provisional arrest is running"))
    if getattr(row, "urgent_limitation", False):
        limitation_on = getattr(row, "limitation_on", None)
        if limitation_on is None and hasattr(row, "request"):
            limitation_on = row.request.limitation_on
        reasons.append(
            _("the limitation period runs out on %(date)s, within %(months)d months")
            % {
                "date": limitation_on.isoformat() if limitation_on else "—",
                "months": LIMITATION_URGENT_MONTHS,
            }
        )
    return tuple(reasons)


def priority_of(*, request: Request, today: date) -> EffectivePriority:
    """Return one request's effective priority as of `today`, with the rules that set it."""
    row = priority_annotate(Request.objects.filter(pk=request.pk), today=today).values(
        "priority_rank", "urgent_custody", "urgent_arrest", "urgent_limitation", "limitation_on"
    )[0]
    flags = _Row(**row)
    return EffectivePriority(
        priority=PRIORITY_OF_RANK[row["priority_rank"]],
        chosen=request.priority,
        chosen_reason=request.priority_reason,
        rules=priority_reasons(flags),
    )


class _Row:
    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)
