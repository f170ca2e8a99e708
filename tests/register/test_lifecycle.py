"""Tests for the lifecycle fold, and that the stored projection always agrees with it."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from rogatory.core.exceptions import TransitionError
from rogatory.reference.models import Country, RefusalGround
from rogatory.register import lifecycle, services
from rogatory.register.lifecycle import Change, State, allowed_events, fold
from rogatory.register.models import Direction, Event, Kind, Outcome, Request, Status
from rogatory.register.selectors import request_state

from .factories import make_request

OPENED = date(2023, 3, 1)
DECIDED = date(2023, 5, 1)


def _state(*changes: Change, direction: str = Direction.OUTGOING, kind: str = Kind.MLA) -> State:
    return fold(direction, kind, [Change(type="registered", occurred_on=OPENED), *changes])


def _sent() -> Change:
    return Change(type="sent", occurred_on=OPENED)


def _decided(outcome: str, *grounds: str) -> Change:
    return Change(type="decided", occurred_on=DECIDED, outcome=outcome, ground_codes=grounds)


# --- allowed_events --------------------------------------------------------------------------


def test_allowed_events_unregistered_request_allows_nothing():
    assert allowed_events(State(direction=Direction.OUTGOING, kind=Kind.MLA)) == []


def test_allowed_events_outgoing_draft_allows_sending():
    assert allowed_events(_state()) == ["sent"]


def test_allowed_events_incoming_draft_allows_receiving():
    assert allowed_events(_state(direction=Direction.INCOMING)) == ["received"]


def test_allowed_events_extradition_draft_allows_an_urgent_provisional_arrest():
    draft = _state(kind=Kind.EXTRADITION)
    assert allowed_events(draft) == ["sent", "provisional_arrest"]
    arrested = fold(
        Direction.OUTGOING,
        Kind.EXTRADITION,
        [
            Change(type="registered", occurred_on=OPENED),
            Change(type="provisional_arrest", occurred_on=OPENED),
        ],
    )
    assert (arrested.status, arrested.opened_on) == (Status.PROVISIONAL_ARREST, None)
    # Then the extradition request itself is sent, after the arrest; nothing else comes first.
    assert allowed_events(arrested) == ["sent", "provisional_arrest"]
    sent = lifecycle.apply(arrested, Change(type="sent", occurred_on=OPENED + timedelta(days=9)))
    assert (sent.status, sent.opened_on) == (Status.SENT, OPENED + timedelta(days=9))
    with pytest.raises(TransitionError, match="already been opened"):
        lifecycle.apply(sent, Change(type="sent", occurred_on=OPENED + timedelta(days=10)))


def test_an_mla_draft_allows_no_provisional_arrest():
    with pytest.raises(TransitionError, match="only to extradition"):
        _state(Change(type="provisional_arrest", occurred_on=OPENED))


def test_allowed_events_open_mla():
    assert allowed_events(_state(_sent())) == [
        "acknowledged",
        "supplementary_requested",
        "decided",
        "opening_corrected",
    ]


def test_allowed_events_open_mla_with_supplementary_information_outstanding():
    state = _state(_sent(), Change(type="supplementary_requested", occurred_on=OPENED))

    assert allowed_events(state) == [
        "acknowledged",
        "supplementary_requested",
        "supplementary_provided",
        "decided",
        "opening_corrected",
    ]


def test_allowed_events_open_extradition():
    assert allowed_events(_state(_sent(), kind=Kind.EXTRADITION)) == [
        "acknowledged",
        "supplementary_requested",
        "provisional_arrest",
        "hearing",
        "decided",
        "opening_corrected",
    ]


def test_allowed_events_decided_mla():
    state = _state(_sent(), _decided(Outcome.EXECUTED))

    assert allowed_events(state) == ["reopened", "opening_corrected"]


def test_allowed_events_refused_extradition():
    state = _state(_sent(), _decided(Outcome.REFUSED, "own_national"), kind=Kind.EXTRADITION)

    assert allowed_events(state) == ["reopened", "opening_corrected"]


def test_allowed_events_granted_extradition():
    state = _state(_sent(), _decided(Outcome.GRANTED), kind=Kind.EXTRADITION)

    assert allowed_events(state) == ["surrendered", "reopened", "opening_corrected"]


def test_allowed_events_surrendered_extradition():
    state = _state(
        _sent(),
        _decided(Outcome.GRANTED),
        Change(type="surrendered", occurred_on=DECIDED),
        kind=Kind.EXTRADITION,
    )

    assert allowed_events(state) == ["opening_corrected"]


def test_allowed_events_reopened_mla():
    state = _state(
        _sent(), _decided(Outcome.WITHDRAWN), Change(type="reopened", occurred_on=DECIDED)
    )

    assert allowed_events(state) == [
        "acknowledged",
        "supplementary_requested",
        "decided",
        "opening_corrected",
    ]


# --- fold ------------------------------------------------------------------------------------


def test_fold_refusal_sorts_and_deduplicates_grounds():
    state = _state(
        _sent(),
        Change(
            type="decided",
            occurred_on=DECIDED,
            outcome=Outcome.REFUSED,
            political=True,
            ground_codes=("own_national", "dual_criminality", "own_national"),
        ),
    )

    assert (state.status, state.outcome, state.opened_on, state.decided_on) == (
        Status.REFUSED,
        Outcome.REFUSED,
        OPENED,
        DECIDED,
    )
    assert (state.political, state.ground_codes) == (True, ("dual_criminality", "own_national"))


def test_fold_opening_correction_moves_opening_only():
    state = _state(_sent(), Change(type="opening_corrected", occurred_on=date(2023, 2, 1)))

    assert (state.status, state.opened_on) == (Status.SENT, date(2023, 2, 1))


def test_fold_rejects_event_before_registration():
    with pytest.raises(TransitionError):
        fold(Direction.OUTGOING, Kind.MLA, [_sent()])


def test_fold_rejects_unknown_event():
    with pytest.raises(TransitionError):
        _state(_sent(), Change(type="lost_in_the_post", occurred_on=OPENED))


# --- request_state ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_request_state_recorded_until_ignores_events_recorded_later():
    request = make_request(
        outcome=Outcome.REFUSED, decided_on=DECIDED, grounds=("political_offence",)
    )
    start = datetime(2023, 3, 1, 9, tzinfo=UTC)
    decision = datetime(2023, 5, 1, 9, tzinfo=UTC)
    request.events.exclude(type=Event.Type.DECIDED).update(recorded_at=start)
    request.events.filter(type=Event.Type.DECIDED).update(recorded_at=decision)

    before = request_state(request=request, recorded_until=decision - timedelta(seconds=1))
    after = request_state(request=request, recorded_until=decision)

    assert (before.status, before.outcome, before.decided_on, before.political) == (
        Status.SENT,
        "",
        None,
        None,
    )
    assert before.opened_on == OPENED
    assert (after.status, after.decided_on, after.political) == (Status.REFUSED, DECIDED, True)
    assert after.ground_codes == ("political_offence",)


@pytest.mark.django_db
def test_request_state_without_moment_folds_every_event():
    request = make_request(outcome=Outcome.EXECUTED, decided_on=DECIDED)

    state = request_state(request=request)

    assert (state.status, state.opened_on, state.decided_on) == (Status.EXECUTED, OPENED, DECIDED)


# --- the projection agrees with the fold -----------------------------------------------------

_GROUND_CODES = [
    "political_offence",
    "sovereignty_security_ordre_public",
    "dual_criminality",
    "own_national",
    "fiscal_offence",
]
_START = date(2020, 1, 1)


def _record(request: Request, event_type: str, on: date, data: st.DataObject) -> None:
    """Record `event_type` on `request` through its service, with drawn details."""
    if event_type == "decided":
        outcome = data.draw(st.sampled_from(sorted(lifecycle.OUTCOMES_BY_KIND[request.kind])))
        codes, political = [], None
        if outcome == Outcome.REFUSED:
            codes = data.draw(
                st.lists(st.sampled_from(_GROUND_CODES), min_size=1, max_size=3, unique=True)
            )
            political = data.draw(st.none() | st.booleans())
        services.request_record_decision(
            actor=None,
            request=request,
            outcome=outcome,
            decided_on=on,
            grounds=RefusalGround.objects.filter(code__in=codes),
            political=political,
            political_reason="Stated in the reply." if political is not None else "",
        )
    elif event_type == "opening_corrected":
        services.request_correct_opening(actor=None, request=request, opened_on=on, reason="Typo.")
    elif event_type == "reopened":
        services.request_reopen(actor=None, request=request, reopened_on=on, reason="Appeal.")
    else:
        recorders = {
            "sent": (services.request_record_sent, "sent_on"),
            "received": (services.request_record_received, "received_on"),
            "acknowledged": (services.request_record_acknowledged, "acknowledged_on"),
            "supplementary_requested": (
                services.request_record_supplementary_requested,
                "requested_on",
            ),
            "supplementary_provided": (
                services.request_record_supplementary_provided,
                "provided_on",
            ),
            "provisional_arrest": (services.request_record_provisional_arrest, "arrested_on"),
            "hearing": (services.request_record_hearing, "held_on"),
            "surrendered": (services.request_record_surrender, "surrendered_on"),
        }
        recorder, date_argument = recorders[event_type]
        recorder(actor=None, request=request, **{date_argument: on})


def _assert_projection_matches_fold(request: Request) -> None:
    request.refresh_from_db()
    state = request_state(request=request)
    stored = (
        request.status,
        request.outcome,
        request.opened_on,
        request.decided_on,
        request.political,
        sorted(request.grounds.values_list("code", flat=True)),
    )
    folded = (
        state.status,
        state.outcome,
        state.opened_on,
        state.decided_on,
        state.political,
        sorted(state.ground_codes),
    )
    assert stored == folded


class TestProjection(TestCase):
    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        direction=st.sampled_from(Direction.values),
        kind=st.sampled_from(Kind.values),
        steps=st.integers(min_value=1, max_value=12),
        data=st.data(),
    )
    def test_projection_equals_fold_after_random_service_calls(self, direction, kind, steps, data):
        request = services.request_register(
            actor=None,
            direction=direction,
            kind=kind,
            reference="P-1",
            country=Country.objects.get(code="CH"),
            registered_on=_START,
        )
        last = _START
        for _step in range(steps):
            state = request_state(request=request)
            allowed = lifecycle.allowed_events(state)
            if not allowed:
                break
            event_type = data.draw(st.sampled_from(allowed))
            if event_type == "opening_corrected":
                on = state.opened_on - timedelta(days=data.draw(st.integers(0, 10)))
            else:
                last += timedelta(days=data.draw(st.integers(0, 30)))
                on = last
            _record(request, event_type, on, data)
            _assert_projection_matches_fold(request)
