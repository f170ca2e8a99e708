"""The permission matrix: every role × every action × a request of the user's own or another unit.

Viewers read; clerks also register, record events and import; supervisors also re-open
decisions; administrators may do what supervisors may. Viewers and clerks see only their own
units' requests (another unit's request is "not found"); supervisors and administrators see all.
The report's figures are the office's own, counted over every unit.
"""

import io
from datetime import date

import pytest
from django.test import Client

from rogatory.accounts.models import Role, Unit
from rogatory.register.models import Outcome, Request
from tests.register.factories import make_request

from .conftest import API, VALID_REQUEST, assert_error, attach_document, bearer_client

pytestmark = pytest.mark.django_db

VIEWER, CLERK, SUPERVISOR, ADMINISTRATOR = (
    Role.VIEWER,
    Role.CLERK,
    Role.SUPERVISOR,
    Role.ADMINISTRATOR,
)
CSV = b"reference,direction,kind,country,sent_on,status\nM-1,outgoing,mla,CH,2023-03-01,pending\n"


def _list(client: Client, unit: Unit) -> str:
    request = make_request(unit=unit)
    response = client.get(f"{API}/requests")
    assert response.status_code == 200, response.content
    listed = request.pk in [item["id"] for item in response.json()["items"]]
    return "listed" if listed else "absent"


def _retrieve(client: Client, unit: Unit) -> int:
    return _status(client.get(f"{API}/requests/{make_request(unit=unit).pk}"))


def _register(client: Client, unit: Unit) -> int:
    response = client.post(
        f"{API}/requests", {**VALID_REQUEST, "unit": unit.code}, content_type="application/json"
    )
    if response.status_code != 201:
        assert not Request.objects.filter(reference=VALID_REQUEST["reference"]).exists()
    return _status(response)


def _record_event(client: Client, unit: Unit) -> int:
    request = make_request(unit=unit)
    response = client.post(
        f"{API}/requests/{request.pk}/events",
        {"type": "acknowledged", "occurred_on": "2023-04-01"},
        content_type="application/json",
    )
    if response.status_code != 201:
        assert request.events.count() == 2
    return _status(response)


def _reopen(client: Client, unit: Unit) -> int:
    request = make_request(unit=unit, outcome=Outcome.EXECUTED, decided_on=date(2023, 5, 1))
    response = client.post(
        f"{API}/requests/{request.pk}/events",
        {"type": "reopened", "occurred_on": "2023-06-01", "reason": "Appeal"},
        content_type="application/json",
    )
    request.refresh_from_db()
    assert (request.status == "reopened") == (response.status_code == 201)
    return _status(response)


def _import(client: Client, unit: Unit) -> int:
    upload = io.BytesIO(CSV)
    upload.name = "register.csv"
    response = client.post(
        f"{API}/imports", {"file": upload, "unit": unit.code, "dry_run": "false"}
    )
    assert Request.objects.filter(reference="M-1").exists() == (response.status_code == 200)
    return _status(response)


def _download(client: Client, unit: Unit) -> int:
    document = attach_document(make_request(unit=unit))
    return _status(client.get(f"{API}/requests/{document.request_id}/documents/{document.pk}"))


def _report(client: Client, unit: Unit) -> str:
    make_request(unit=unit, opened_on=date(2023, 3, 1))
    response = client.get(f"{API}/report", {"year": 2023})
    assert response.status_code == 200, response.content
    return "counted" if response.json()["mla"]["sent"] == 1 else "not counted"


def _status(response) -> int:
    if response.status_code >= 400:
        assert_error(response, response.status_code)
    return response.status_code


ACTIONS = {
    "list": _list,
    "retrieve": _retrieve,
    "register": _register,
    "record_event": _record_event,
    "reopen": _reopen,
    "import": _import,
    "download": _download,
    "report": _report,
}

# What each role gets for each action, on a request of its own unit and of another unit.
MATRIX = {
    "list": {
        VIEWER: ("listed", "absent"),
        CLERK: ("listed", "absent"),
        SUPERVISOR: ("listed", "listed"),
        ADMINISTRATOR: ("listed", "listed"),
    },
    "retrieve": {
        VIEWER: (200, 404),
        CLERK: (200, 404),
        SUPERVISOR: (200, 200),
        ADMINISTRATOR: (200, 200),
    },
    "register": {
        VIEWER: (403, 403),
        CLERK: (201, 403),
        SUPERVISOR: (201, 201),
        ADMINISTRATOR: (201, 201),
    },
    "record_event": {
        VIEWER: (403, 404),
        CLERK: (201, 404),
        SUPERVISOR: (201, 201),
        ADMINISTRATOR: (201, 201),
    },
    "reopen": {
        VIEWER: (403, 404),
        CLERK: (403, 404),
        SUPERVISOR: (201, 201),
        ADMINISTRATOR: (201, 201),
    },
    "import": {
        VIEWER: (403, 403),
        CLERK: (200, 403),
        SUPERVISOR: (200, 200),
        ADMINISTRATOR: (200, 200),
    },
    "download": {
        VIEWER: (200, 404),
        CLERK: (200, 404),
        SUPERVISOR: (200, 200),
        ADMINISTRATOR: (200, 200),
    },
    "report": {
        VIEWER: ("counted", "counted"),
        CLERK: ("counted", "counted"),
        SUPERVISOR: ("counted", "counted"),
        ADMINISTRATOR: ("counted", "counted"),
    },
}

CASES = [
    pytest.param(action, role, place, expected, id=f"{action}-{role}-{place}")
    for action, by_role in MATRIX.items()
    for role, outcomes in by_role.items()
    for place, expected in zip(("own", "other"), outcomes, strict=True)
]


def test_the_matrix_covers_every_role_and_action():
    assert set(MATRIX) == set(ACTIONS)
    assert all(set(by_role) == set(Role.values) for by_role in MATRIX.values())


@pytest.mark.parametrize("action, role, place, expected", CASES)
def test_permission_with_a_token(user_of, own_unit, other_unit, action, role, place, expected):
    client = bearer_client(user_of(role, [own_unit]))
    unit = own_unit if place == "own" else other_unit

    assert ACTIONS[action](client, unit) == expected


SESSION_CASES = [
    pytest.param(
        action, role, place, MATRIX[action][role][place == "other"], id=f"{action}-{role}-{place}"
    )
    for action in ("retrieve", "register", "record_event", "reopen", "download")
    for role in (VIEWER, CLERK, SUPERVISOR)
    for place in ("own", "other")
]


@pytest.mark.parametrize("action, role, place, expected", SESSION_CASES)
def test_permission_with_a_session(user_of, own_unit, other_unit, action, role, place, expected):
    client = Client()
    client.force_login(user_of(role, [own_unit]))
    unit = own_unit if place == "own" else other_unit

    assert ACTIONS[action](client, unit) == expected
