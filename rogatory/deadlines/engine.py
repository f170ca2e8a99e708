"""The deadline engine: which rules apply to a request, and when each of its clocks ends.

Everything here is pure: given a request's facts and the rules, it returns due dates, without
reading or writing the database, so the same function serves a clerk's event, an import of
100,000 rows and a rule a supervisor has just changed.

How a period is counted
-----------------------
Treaties say "within 18 days after the arrest" or "within one month". The day the clock starts
(the day of the arrest, of sending, of the decision) does not count: day 1 is the next day, and
the period ends at the end of its last day. So

    due_on = started_on + N days            (18 days after 10 February 2024: 28 February 2024)
    due_on = started_on + N calendar months (a day missing in the last month is its last day:
                                             31 January + 1 month = 28 or 29 February)

The request is on time on `due_on` itself and overdue from the day after. Warnings start on
`warn_on = due_on - warn_days` (never before the clock started: a warning period longer
than the period itself warns from the start). A limitation rule has no period: its clock ends on the
limitation date entered on the request.

When a clock starts
-------------------
- `opened`: the day the request was sent (outgoing) or received (incoming), as last corrected;
- `sent` / `received`: the same, only for outgoing / incoming requests;
- `provisional_arrest`: the latest provisional arrest. A person released and arrested again
  (ECE 1957 Art. 16(5)) starts a new clock, and the earlier one no longer matters;
- `supplementary_requested`: the earliest request for supplementary information still
  unanswered (answers settle requests in the order they were made); when every one is
  answered, the latest request, met on the day of the answer that settled it;
- `granted`: the decision granting extradition;
- `limitation`: the request's limitation date is the end; the clock is shown as running from
  the day the request was registered.

A rule whose start has not happened yields nothing.

When a clock stops (is met)
---------------------------
Only events dated on or after the start count, and the earliest of them is `met_on`:

- `answer`: the counterpart acknowledged the request, asked for supplementary information, or
  decided;
- `decision`: any decision;
- `formal_request`: the extradition request sent or received (the request's opening, or a
  corrected opening date) on or after the start, supplementary information provided on or after
  it (the documents that complete the request), or a decision. A provisional arrest may be
  recorded before the request is opened (an urgent arrest ahead of the request, ECE 1957
  Art. 16(1)); when the request was opened on or before the arrest, it was already with the
  requested state, so the clock is met on the day of the arrest;
- `supplementary_provided`: the supplementary information asked for was provided;
- `surrender`: the person was surrendered, or a refusal or withdrawal ended the case.

Any decision closes a request, so it meets every clock that was running, except a clock that
the decision itself starts (after a grant, the surrender clock runs until the surrender).

A re-opened request starts afresh: events before the latest re-opening no longer start or stop
anything, and clocks that run from the opening run from the re-opening instead.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from dateutil.relativedelta import relativedelta

OUTGOING = "outgoing"
INCOMING = "incoming"
GRANTED = "granted"
REFUSED = "refused"
WITHDRAWN = "withdrawn"

# Decisions that end an extradition case without a surrender.
_ENDING_WITHOUT_SURRENDER = frozenset({REFUSED, WITHDRAWN})


class EventFacts(Protocol):
    """An event as the engine needs it (a `lifecycle.Change` or an import's new event)."""

    type: str
    occurred_on: date
    outcome: str


class RuleFacts(Protocol):
    """A rule as the engine needs it (a `DeadlineRule` or anything shaped like one)."""

    code: str
    direction: str
    kind: str
    treaty_id: str | None
    starts: str
    stops: str
    period_days: int | None
    period_months: int | None
    warn_days: int


@dataclass(frozen=True)
class RequestFacts:
    """What the engine reads of a request: who it is between, its basis and its history."""

    direction: str
    kind: str
    legal_basis: str | None
    limitation_on: date | None
    events: Sequence[EventFacts]

    @classmethod
    def of(cls, request: Any, events: Sequence[EventFacts]) -> "RequestFacts":
        """Return the facts of a request row (a model instance) with its events in order."""
        return cls(
            direction=request.direction,
            kind=request.kind,
            legal_basis=request.legal_basis_id,
            limitation_on=request.limitation_on,
            events=events,
        )


@dataclass(frozen=True)
class DueDate:
    """One rule applied to one request."""

    rule: str
    started_on: date
    due_on: date
    warn_on: date
    met_on: date | None

    @property
    def is_open(self) -> bool:
        return self.met_on is None


def rule_applies(rule: RuleFacts, facts: RequestFacts) -> bool:
    """Return whether `rule` is about requests like this one (direction, kind, treaty)."""
    if rule.direction and rule.direction != facts.direction:
        return False
    if rule.kind and rule.kind != facts.kind:
        return False
    return not rule.treaty_id or rule.treaty_id == facts.legal_basis


def period_end(started_on: date, *, days: int | None, months: int | None) -> date:
    """Return the last day of a period of `days` or calendar `months` after `started_on`.

    The start day does not count and the last day does: 10 Feb 2024 + 18 days is 28 Feb 2024,
    and 31 Jan 2023 + 1 month is 28 Feb 2023 (29 Feb in 2024).
    """
    if months is not None:
        return started_on + relativedelta(months=months)
    return started_on + timedelta(days=days or 0)


def deadlines_compute(facts: RequestFacts, rules: Iterable[RuleFacts]) -> list[DueDate]:
    """Return the due date of every rule that applies to the request and has started."""
    history = _History(facts)
    results = []
    for rule in rules:
        if not rule_applies(rule, facts):
            continue
        due = _apply(rule, facts, history)
        if due is not None:
            results.append(due)
    return results


# An event of the current round of a request: its position in the history, date and outcome.
_Dated = tuple[int, date, str]


class _History:
    """A request's events since its latest re-opening, grouped by type, in recorded order."""

    __slots__ = ("by_type", "opened_on", "registered_on")

    def __init__(self, facts: RequestFacts) -> None:
        by_type: dict[str, list[_Dated]] = {}
        registered_on = opened_on = None
        for index, event in enumerate(facts.events):
            type = event.type
            if type == "reopened":
                # A re-opened request starts afresh: what came before starts and stops nothing.
                by_type = {}
                opened_on = event.occurred_on
                continue
            if type in ("sent", "received", "opening_corrected"):
                opened_on = event.occurred_on
            elif type == "registered" and registered_on is None:
                registered_on = event.occurred_on
            by_type.setdefault(type, []).append((index, event.occurred_on, event.outcome or ""))
        self.by_type = by_type
        self.registered_on: date | None = registered_on
        self.opened_on: date | None = opened_on  # the opening (as corrected), or the re-opening

    def latest(self, type: str, outcome: str = "") -> _Dated | None:
        for event in reversed(self.by_type.get(type, ())):
            if not outcome or event[2] == outcome:
                return event
        return None

    def first_on_or_after(
        self, on: date, types: Iterable[str], *, after: int = -1, outcomes=None
    ) -> date | None:
        """Return the earliest date on or after `on` of an event of `types` recorded after
        the event at position `after` (the start event itself never stops its own clock)."""
        found = None
        for type in types:
            for index, occurred_on, outcome in self.by_type.get(type, ()):
                if (
                    occurred_on >= on
                    and index > after
                    and (outcomes is None or outcome in outcomes)
                    and (found is None or occurred_on < found)
                ):
                    found = occurred_on
        return found

    def decisions_on_or_after(self, on: date, *, after: int, outcomes=None) -> date | None:
        return self.first_on_or_after(on, ("decided",), after=after, outcomes=outcomes)


def _apply(rule: RuleFacts, facts: RequestFacts, history: _History) -> DueDate | None:
    start = _start(rule, facts, history)
    if start is None:
        return None
    started_on, start_index, settled_on = start
    if rule.starts == "limitation":
        due_on = facts.limitation_on
        # The limitation date can come before the registration (an old case entered late).
        started_on = min(started_on, due_on)
    else:
        due_on = period_end(started_on, days=rule.period_days, months=rule.period_months)
    met_on = _stop(rule, history, started_on, start_index)
    if settled_on is not None:
        met_on = settled_on if met_on is None else min(met_on, settled_on)
    warn_on = due_on - timedelta(days=rule.warn_days or 0)
    return DueDate(
        rule=rule.code,
        started_on=started_on,
        due_on=due_on,
        warn_on=max(warn_on, started_on),
        met_on=met_on,
    )


def _start(
    rule: RuleFacts, facts: RequestFacts, history: _History
) -> tuple[date, int, date | None] | None:
    """Return the start date, the position of the event that started the clock (-1 when
    no single event did) and, for supplementary information, the day it was settled."""
    starts = rule.starts
    if starts in ("opened", "sent", "received"):
        if starts == "sent" and facts.direction != OUTGOING:
            return None
        if starts == "received" and facts.direction != INCOMING:
            return None
        if history.opened_on is None:
            return None
        return history.opened_on, -1, None
    if starts == "provisional_arrest":
        arrest = history.latest("provisional_arrest")
        return (arrest[1], arrest[0], None) if arrest else None
    if starts == "granted":
        grant = history.latest("decided", GRANTED)
        return (grant[1], grant[0], None) if grant else None
    if starts == "supplementary_requested":
        return _supplementary_start(history)
    if starts == "limitation":
        if facts.limitation_on is None:
            return None
        started_on = history.registered_on or history.opened_on or facts.limitation_on
        return started_on, -1, None
    return None


def _supplementary_start(history: _History) -> tuple[date, int, date | None] | None:
    """The earliest unanswered request for supplementary information, else the latest one
    with the day its answer came."""
    requested = history.by_type.get("supplementary_requested")
    if not requested:
        return None
    events = sorted(
        [(event, True) for event in requested]
        + [(event, False) for event in history.by_type.get("supplementary_provided", ())]
    )
    outstanding: list[_Dated] = []
    latest: _Dated | None = None
    answered_on: date | None = None
    for event, is_request in events:
        if is_request:
            outstanding.append(event)
            latest, answered_on = event, None
        elif outstanding:
            answered = outstanding.pop(0)
            if answered is latest:
                answered_on = event[1]
    if outstanding:
        first = outstanding[0]
        return first[1], first[0], None
    return latest[1], latest[0], answered_on


def _stop(rule: RuleFacts, history: _History, started_on: date, start_index: int) -> date | None:
    stops = rule.stops
    on, after = started_on, start_index
    if stops == "answer":
        return history.first_on_or_after(
            on, ("acknowledged", "supplementary_requested", "decided"), after=after
        )
    if stops == "decision":
        return history.decisions_on_or_after(on, after=after)
    if stops == "formal_request":
        if history.opened_on is not None and history.opened_on <= on:
            # The request was already with the other state when the person was arrested: the
            # periods for sending it after an urgent arrest do not apply.
            return on
        candidates = [
            history.first_on_or_after(
                on, ("sent", "received", "opening_corrected", "supplementary_provided"), after=-1
            ),
            history.decisions_on_or_after(on, after=after),
        ]
        dated = [value for value in candidates if value is not None]
        return min(dated) if dated else None
    if stops == "supplementary_provided":
        if rule.starts == "supplementary_requested":
            # The matching answer is worked out with the start; only a decision is left.
            return history.decisions_on_or_after(on, after=after)
        candidates = [
            history.first_on_or_after(on, ("supplementary_provided",), after=after),
            history.decisions_on_or_after(on, after=after),
        ]
        dated = [value for value in candidates if value is not None]
        return min(dated) if dated else None
    if stops == "surrender":
        candidates = [
            history.first_on_or_after(on, ("surrendered",), after=after),
            history.decisions_on_or_after(on, after=after, outcomes=_ENDING_WITHOUT_SURRENDER),
        ]
        dated = [value for value in candidates if value is not None]
        return min(dated) if dated else None
    return None
