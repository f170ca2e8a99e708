"""Tests for recording events: each type reaches its service, and what each refuses."""

from datetime import date

import pytest

from rogatory.accounts.models import Role
from rogatory.register.models import Direction, Event, Kind, Outcome, Request
from tests.register.factories import make_request

from .conftest import API, assert_error

pytestmark = pytest.mark.django_db


def _post(client, request: Request, **payload):
    return client.post(
        f"{API}/requests/{request.pk}/events", payload, content_type="application/json"
    )


def _steps(request: Request) -> list[str]:
    return list(request.events.values_list("type", flat=True))


@pytest.fixture
def draft(own_unit) -> Request:
    return make_request(unit=own_unit, opened_on=None)


@pytest.fixture
def extradition(own_unit) -> Request:
    return make_request(unit=own_unit, kind=Kind.EXTRADITION, direction=Direction.INCOMING)


def test_sent_opens_a_draft_and_returns_the_event_and_request(clerk_client, draft):
    response = _post(clerk_client, draft, type="sent", occurred_on="2023-02-01", note="By post")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["event"]["type"] == "sent"
    assert body["event"]["note"] == "By post"
    assert body["event"]["recorded_by"].startswith("user")
    assert body["request"]["status"] == "sent"
    assert body["request"]["opened_on"] == "2023-02-01"
    assert body["request"]["version"] == draft.version + 1


def test_received_opens_an_incoming_draft(clerk_client, own_unit):
    draft = make_request(unit=own_unit, direction=Direction.INCOMING, opened_on=None)

    response = _post(clerk_client, draft, type="received", occurred_on="2023-02-01")

    assert response.status_code == 201, response.content
    assert response.json()["request"]["status"] == "received"


@pytest.mark.parametrize(
    "steps, status",
    [
        (["acknowledged"], "acknowledged"),
        (["supplementary_requested"], "supplementary_requested"),
        (["supplementary_requested", "supplementary_provided"], "supplementary_provided"),
        (["provisional_arrest"], "provisional_arrest"),
        (["hearing"], "hearing"),
    ],
)
def test_steps_of_an_open_request(clerk_client, extradition, steps, status):
    for step in steps:
        response = _post(clerk_client, extradition, type=step, occurred_on="2023-04-01")
        assert response.status_code == 201, response.content

    assert response.json()["request"]["status"] == status
    assert _steps(extradition)[-len(steps) :] == steps


def test_decided_refused_with_grounds_counts_as_political_by_default(clerk_client, own_request):
    response = _post(
        clerk_client,
        own_request,
        type="decided",
        occurred_on="2023-05-01",
        outcome="refused",
        grounds=["political_offence", "dual_criminality", "political_offence"],
        note="Note verbale",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["event"]["grounds"] == ["dual_criminality", "political_offence"]
    assert body["request"]["political"] is True
    assert body["request"]["decided_on"] == "2023-05-01"


def test_decided_refusal_override_of_political_needs_and_keeps_a_reason(clerk_client, own_request):
    refused = {
        "type": "decided",
        "occurred_on": "2023-05-01",
        "outcome": "refused",
        "grounds": ["political_offence"],
        "political": False,
    }

    assert_error(_post(clerk_client, own_request, **refused), 422)
    response = _post(clerk_client, own_request, **refused, political_reason="Ordinary fraud")

    assert response.status_code == 201, response.content
    event = response.json()["event"]
    assert (event["political"], event["political_overridden"]) == (False, True)
    assert event["reason"] == "Ordinary fraud"


def test_decided_executed(clerk_client, own_request):
    response = _post(
        clerk_client, own_request, type="decided", occurred_on="2023-05-01", outcome="executed"
    )

    assert response.status_code == 201, response.content
    assert response.json()["request"]["status"] == "executed"


def test_surrendered_after_extradition_is_granted(clerk_client, extradition):
    _post(clerk_client, extradition, type="decided", occurred_on="2023-05-01", outcome="granted")

    response = _post(clerk_client, extradition, type="surrendered", occurred_on="2023-06-01")

    assert response.status_code == 201, response.content
    assert response.json()["request"]["status"] == "surrendered"


def test_reopened_by_a_supervisor_keeps_the_history(supervisor_client, own_unit):
    decided = make_request(unit=own_unit, outcome=Outcome.EXECUTED, decided_on=date(2023, 5, 1))

    response = _post(
        supervisor_client, decided, type="reopened", occurred_on="2023-06-01", reason="Appeal"
    )

    assert response.status_code == 201, response.content
    assert response.json()["request"]["status"] == "reopened"
    assert response.json()["event"]["reason"] == "Appeal"
    assert _steps(decided) == ["registered", "sent", "decided", "reopened"]


def test_reopened_by_a_clerk_is_forbidden(clerk_client, own_unit):
    decided = make_request(unit=own_unit, outcome=Outcome.EXECUTED, decided_on=date(2023, 5, 1))

    response = _post(
        clerk_client, decided, type="reopened", occurred_on="2023-06-01", reason="Appeal"
    )

    assert_error(response, 403)
    assert _steps(decided)[-1] == "decided"


def test_opening_corrected_needs_a_reason(clerk_client, own_request):
    assert_error(
        _post(clerk_client, own_request, type="opening_corrected", occurred_on="2023-02-01"), 422
    )

    response = _post(
        clerk_client, own_request, type="opening_corrected", occurred_on="2023-02-01", reason="Typo"
    )

    assert response.status_code == 201, response.content
    assert response.json()["request"]["opened_on"] == "2023-02-01"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"type": "acknowledged", "outcome": "executed"}, "outcome"),
        ({"type": "acknowledged", "grounds": ["immunity"]}, "grounds"),
        ({"type": "acknowledged", "reason": "why"}, "reason"),
        ({"type": "acknowledged", "political": True}, "political"),
        ({"type": "decided"}, "outcome"),
        ({"type": "opening_corrected", "reason": "x", "note": "n"}, "note"),
    ],
)
def test_a_field_the_type_does_not_take_is_refused(clerk_client, own_request, payload, field):
    response = _post(clerk_client, own_request, occurred_on="2023-04-01", **payload)

    assert_error(response, 422, field=field)
    assert _steps(own_request) == ["registered", "sent"]


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"type": "registered"}, "type"),
        ({"type": "lost"}, "type"),
        ({"occurred_on": "2023-02-30"}, "occurred_on"),
        ({"occurred_on": None}, "occurred_on"),
        ({"outcome": "maybe"}, "outcome"),
        ({"grounds": "immunity"}, "grounds"),
        ({"grounds": ["x" * 61]}, "grounds.0"),
        ({"grounds": ["immunity"] * 51}, "grounds"),
        ({"note": "\x00"}, "note"),
        ({"version": 0}, "version"),
        ({"version": 2**63}, "version"),
    ],
)
def test_wrong_input_is_refused_naming_the_field(clerk_client, own_request, payload, field):
    response = _post(
        clerk_client, own_request, **{"type": "decided", "occurred_on": "2023-05-01", **payload}
    )

    assert_error(response, 422, field=field)


def test_an_unknown_ground_is_refused_naming_its_position(clerk_client, own_request):
    response = _post(
        clerk_client,
        own_request,
        type="decided",
        occurred_on="2023-05-01",
        outcome="refused",
        grounds=["immunity", "bad_weather"],
    )

    body = assert_error(response, 422, field="grounds.1")
    assert "bad_weather" in body["detail"]


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "sent", "occurred_on": "2023-04-01"},
        {"type": "received", "occurred_on": "2023-04-01"},
        {"type": "supplementary_provided", "occurred_on": "2023-04-01"},
        {"type": "hearing", "occurred_on": "2023-04-01"},
        {"type": "surrendered", "occurred_on": "2023-04-01"},
        {"type": "reopened", "occurred_on": "2023-04-01", "reason": "x"},
        {"type": "acknowledged", "occurred_on": "2023-01-01"},
        {"type": "decided", "occurred_on": "2023-04-01", "outcome": "granted"},
        {"type": "decided", "occurred_on": "2023-04-01", "outcome": "refused"},
    ],
)
def test_an_event_that_cannot_happen_now_is_a_conflict(supervisor_client, own_request, payload):
    response = _post(supervisor_client, own_request, **payload)

    assert_error(response, 409)
    assert _steps(own_request) == ["registered", "sent"]


def test_an_event_dated_in_the_future_is_refused(clerk_client, own_request):
    response = _post(clerk_client, own_request, type="acknowledged", occurred_on="2999-01-01")

    assert_error(response, 422)


def test_the_current_version_is_accepted(clerk_client, own_request):
    response = _post(
        clerk_client,
        own_request,
        type="acknowledged",
        occurred_on="2023-04-01",
        version=own_request.version,
    )

    assert response.status_code == 201, response.content


def test_a_stale_version_is_a_conflict_and_records_nothing(clerk_client, own_request):
    stale = own_request.version
    _post(clerk_client, own_request, type="acknowledged", occurred_on="2023-04-01")

    response = _post(
        clerk_client,
        own_request,
        type="supplementary_requested",
        occurred_on="2023-04-02",
        version=stale,
    )

    assert_error(response, 409, field="version")
    assert _steps(own_request)[-1] == "acknowledged"


def test_an_event_on_another_units_request_is_not_found(clerk_client, other_request):
    response = _post(clerk_client, other_request, type="acknowledged", occurred_on="2023-04-01")

    assert_error(response, 404)
    assert not Event.objects.filter(request=other_request, type="acknowledged").exists()


def test_an_event_by_a_viewer_is_forbidden(client_as, own_request):
    response = _post(
        client_as(Role.VIEWER), own_request, type="acknowledged", occurred_on="2023-04-01"
    )

    assert_error(response, 403)


def test_an_event_on_a_request_that_does_not_exist_is_not_found(clerk_client, db):
    response = clerk_client.post(
        f"{API}/requests/987654/events",
        {"type": "acknowledged", "occurred_on": "2023-04-01"},
        content_type="application/json",
    )

    assert_error(response, 404)
