"""The lifecycle of a request: which events may follow which, and the state they lead to.

A request's status, dates, decision and refusal grounds are never typed in: they are the fold
of its events through `apply`. Services apply one new event to the stored projection; "as known
on" figures fold the events recorded up to a moment. Both go through this one function, so they
cannot disagree.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from django.utils.translation import gettext as _

from rogatory.core.exceptions import TransitionError

from .models import Direction, Kind, Outcome, Status

EventType = str  # a value of `Event.Type`

OUTCOMES_BY_KIND: dict[str, frozenset[str]] = {
    Kind.MLA: frozenset(
        {Outcome.EXECUTED, Outcome.PARTIALLY_EXECUTED, Outcome.REFUSED, Outcome.WITHDRAWN}
    ),
    Kind.EXTRADITION: frozenset({Outcome.GRANTED, Outcome.REFUSED, Outcome.WITHDRAWN}),
}

# Events that happen while a request is open and leave it open, with the status they show.
_STEPS: dict[EventType, str] = {
    "acknowledged": Status.ACKNOWLEDGED,
    "supplementary_requested": Status.SUPPLEMENTARY_REQUESTED,
    "supplementary_provided": Status.SUPPLEMENTARY_PROVIDED,
    "provisional_arrest": Status.PROVISIONAL_ARREST,
    "hearing": Status.HEARING,
}
_EXTRADITION_ONLY = frozenset({"provisional_arrest", "hearing", "surrendered"})


@dataclass(frozen=True)
class State:
    """What the events of a request add up to."""

    direction: str
    kind: str
    registered: bool = False
    status: str = Status.DRAFT
    outcome: str = ""
    opened_on: date | None = None
    decided_on: date | None = None
    political: bool | None = None
    ground_codes: tuple[str, ...] = ()
    supplementary_outstanding: int = 0

    @property
    def is_decided(self) -> bool:
        return bool(self.outcome)


@dataclass(frozen=True)
class Change:
    """One event as the lifecycle sees it: its type, its legal date and what it decided."""

    type: EventType
    occurred_on: date
    outcome: str = ""
    political: bool | None = None
    ground_codes: tuple[str, ...] = ()


def allowed_events(state: State) -> list[EventType]:
    """Return the events that may be recorded next on a request in `state`."""
    candidates = [
        "sent",
        "received",
        "acknowledged",
        "supplementary_requested",
        "supplementary_provided",
        "provisional_arrest",
        "hearing",
        "decided",
        "surrendered",
        "reopened",
        "opening_corrected",
    ]
    allowed = []
    for event_type in candidates:
        # A date and a decision that are always acceptable, so only the state decides.
        on = state.opened_on if event_type == "opening_corrected" and state.opened_on else date.max
        try:
            _check(state, Change(type=event_type, occurred_on=on, outcome=Outcome.WITHDRAWN))
        except TransitionError:
            continue
        allowed.append(event_type)
    return allowed


def apply(state: State, change: Change) -> State:
    """Return the state after `change`, or raise TransitionError if it cannot happen now."""
    _check(state, change)
    if change.type == "registered":
        return replace(state, registered=True)
    if change.type in ("sent", "received"):
        return replace(
            state,
            status=Status.SENT if change.type == "sent" else Status.RECEIVED,
            opened_on=change.occurred_on,
        )
    if change.type in _STEPS:
        outstanding = state.supplementary_outstanding
        if change.type == "supplementary_requested":
            outstanding += 1
        elif change.type == "supplementary_provided":
            outstanding -= 1
        return replace(state, status=_STEPS[change.type], supplementary_outstanding=outstanding)
    if change.type == "decided":
        refused = change.outcome == Outcome.REFUSED
        return replace(
            state,
            status=change.outcome,
            outcome=change.outcome,
            decided_on=change.occurred_on,
            political=bool(change.political) if refused else None,
            ground_codes=tuple(sorted(set(change.ground_codes))) if refused else (),
        )
    if change.type == "surrendered":
        return replace(state, status=Status.SURRENDERED)
    if change.type == "reopened":
        return replace(
            state,
            status=Status.REOPENED,
            outcome="",
            decided_on=None,
            political=None,
            ground_codes=(),
        )
    if change.type == "opening_corrected":
        return replace(state, opened_on=change.occurred_on)
    raise TransitionError(_("Unknown event type “%(type)s”.") % {"type": change.type})


def fold(direction: str, kind: str, changes: Iterable[Change]) -> State:
    """Return the state that `changes`, in the order they were recorded, lead to."""
    state = State(direction=direction, kind=kind)
    for change in changes:
        state = apply(state, change)
    return state


def _check(state: State, change: Change) -> None:
    if change.type == "registered":
        if state.registered:
            raise TransitionError(_("The request is already registered."))
        return
    if not state.registered:
        raise TransitionError(_("The request must be registered before anything else happens."))
    if change.type in _EXTRADITION_ONLY and state.kind != Kind.EXTRADITION:
        raise TransitionError(
            _("“%(event)s” applies only to extradition requests.") % {"event": _label(change.type)}
        )
    if change.type in ("sent", "received"):
        expected = "sent" if state.direction == Direction.OUTGOING else "received"
        if change.type != expected:
            raise TransitionError(
                _("An outgoing request is sent, not received.")
                if state.direction == Direction.OUTGOING
                else _("An incoming request is received, not sent.")
            )
        if state.opened_on is not None or state.is_decided:
            raise TransitionError(_("The request has already been opened."))
        return
    if change.type == "provisional_arrest" and state.opened_on is None:
        # In urgent cases the person is arrested before the extradition request itself is sent
        # or received (ECE 1957 Art. 16, Minsk 1993 Art. 61); the treaty clocks run from here.
        return
    if state.opened_on is None:
        raise TransitionError(
            _("The request has not been sent or received yet, so “%(event)s” cannot be recorded.")
            % {"event": _label(change.type)}
        )
    if change.occurred_on < state.opened_on and change.type != "opening_corrected":
        raise TransitionError(
            _("“%(event)s” cannot be dated %(date)s, before the request was opened on %(opened)s.")
            % {
                "event": _label(change.type),
                "date": change.occurred_on.isoformat(),
                "opened": state.opened_on.isoformat(),
            }
        )
    if (change.type in _STEPS or change.type == "decided") and state.is_decided:
        raise TransitionError(
            _("The request was decided (%(outcome)s); re-open it before recording “%(event)s”.")
            % {"outcome": _label(state.outcome), "event": _label(change.type)}
        )
    if change.type == "supplementary_provided" and state.supplementary_outstanding <= 0:
        raise TransitionError(_("No supplementary information was requested."))
    if change.type == "decided":
        _check_decision(state, change)
    elif change.type == "surrendered":
        if state.status != Status.GRANTED:
            raise TransitionError(
                _("A person can be surrendered only after extradition is granted.")
            )
        _check_not_before_decision(state, change)
    elif change.type == "reopened":
        if not state.is_decided:
            raise TransitionError(_("Only a decided request can be re-opened."))
        if state.status == Status.SURRENDERED:
            raise TransitionError(
                _("The person has been surrendered; the request cannot be re-opened.")
            )
        _check_not_before_decision(state, change)
    elif (
        change.type == "opening_corrected"
        and state.decided_on is not None
        and change.occurred_on > state.decided_on
    ):
        raise TransitionError(
            _("The request cannot be opened on %(date)s, after its decision on %(decided)s.")
            % {
                "date": change.occurred_on.isoformat(),
                "decided": state.decided_on.isoformat(),
            }
        )


def _check_decision(state: State, change: Change) -> None:
    if change.outcome not in OUTCOMES_BY_KIND[state.kind]:
        kind_label = _("an MLA request") if state.kind == Kind.MLA else _("an extradition request")
        raise TransitionError(
            _("“%(outcome)s” is not a decision on %(kind)s.")
            % {"outcome": _label(change.outcome) if change.outcome else "—", "kind": kind_label}
        )
    if change.outcome == Outcome.REFUSED and not change.ground_codes:
        raise TransitionError(_("A refusal needs at least one refusal ground."))
    if change.outcome != Outcome.REFUSED and change.ground_codes:
        raise TransitionError(_("Refusal grounds apply only to a refusal."))


def _check_not_before_decision(state: State, change: Change) -> None:
    if state.decided_on is not None and change.occurred_on < state.decided_on:
        raise TransitionError(
            _("“%(event)s” cannot be dated %(date)s, before the decision of %(decided)s.")
            % {
                "event": _label(change.type),
                "date": change.occurred_on.isoformat(),
                "decided": state.decided_on.isoformat(),
            }
        )


def _label(value: str) -> str:
    from .models import Event

    # Event labels win: "hearing" names the event, "hearing held" the status it leads to.
    labels = {**dict(Status.choices), **dict(Direction.choices), **dict(Event.Type.choices)}
    return str(labels.get(value, value))
