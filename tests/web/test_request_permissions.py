"""Who may do what on the register pages: every role × every action × own and other unit.

Each case asserts the answer (200/302 allowed; 403 refused by role; 404 for a request of a unit
the user does not work in) and that the change happened exactly when it was allowed.
"""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rogatory.accounts.models import Role
from rogatory.register.models import Document, Event, Outcome, Person, Request, Status
from rogatory.register.services import document_attach
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

ROLES = [Role.VIEWER, Role.CLERK, Role.SUPERVISOR, Role.ADMINISTRATOR]
OWN, OTHER = "own", "other"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def units():
    return {
        OWN: UnitFactory(code="central", name="Central authority"),
        OTHER: UnitFactory(code="north", name="North"),
    }


def _login(client, role, units):
    user = UserFactory(role=role, units=[units[OWN]])
    client.force_login(user)
    return user


# --- What each action does; each returns (status code, whether the change happened) -----------


def _list(client, units, unit):
    request = make_request(reference="LISTED", unit=units[unit])
    response = client.get(reverse("web:request_list"))
    return response.status_code, request.reference.encode() in response.content


def _detail(client, units, unit):
    request = make_request(unit=units[unit])
    response = client.get(reverse("web:request_detail", args=[request.pk]))
    return response.status_code, request.reference.encode() in response.content


def _new(client, units, unit):
    response = client.post(
        reverse("web:request_new"),
        {
            "direction": "outgoing",
            "kind": "mla",
            "reference": "NEW-1",
            "registered_on": "2024-01-10",
            "country": "CH",
            "unit": units[unit].pk,
        },
    )
    created = Request.objects.filter(reference="NEW-1", unit=units[unit]).exists()
    return response.status_code, created


def _edit(client, units, unit):
    request = make_request(unit=units[unit])
    response = client.post(
        reverse("web:request_edit", args=[request.pk]),
        {"country": "CH", "notes": "Edited", "version": request.version},
    )
    request.refresh_from_db()
    return response.status_code, request.notes == "Edited"


def _record_event(client, units, unit):
    request = make_request(opened_on=None, unit=units[unit])
    response = client.post(
        reverse("web:request_event", args=[request.pk, "sent"]),
        {"sent-occurred_on": "2023-03-05"},
    )
    request.refresh_from_db()
    return response.status_code, request.status == Status.SENT


def _reopen(client, units, unit):
    request = make_request(outcome=Outcome.EXECUTED, decided_on=date(2023, 4, 1), unit=units[unit])
    response = client.post(
        reverse("web:request_event", args=[request.pk, "reopened"]),
        {"reopened-occurred_on": "2023-05-01", "reopened-reason": "Appeal"},
    )
    return response.status_code, request.events.filter(type=Event.Type.REOPENED).exists()


def _person_add(client, units, unit):
    request = make_request(kind="extradition", unit=units[unit])
    response = client.post(
        reverse("web:person_add", args=[request.pk]), {"person-full_name": "Ivan Petrov"}
    )
    return response.status_code, Person.objects.filter(request=request).exists()


def _upload(client, units, unit):
    request = make_request(unit=units[unit])
    response = client.post(
        reverse("web:document_upload", args=[request.pk]),
        {
            "document-file": SimpleUploadedFile("a.txt", b"hello", content_type="text/plain"),
            "document-kind": "other",
        },
    )
    return response.status_code, Document.objects.filter(request=request).exists()


def _download(client, units, unit):
    request = make_request(unit=units[unit])
    document = document_attach(
        actor=None,
        request=request,
        kind="other",
        title="A",
        original_name="a.txt",
        content_type="text/plain",
        content=io.BytesIO(b"hello"),
    )
    response = client.get(reverse("web:document_download", args=[request.pk, document.pk]))
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response.status_code, body == b"hello"


ACTIONS = {
    "list": _list,
    "detail": _detail,
    "new": _new,
    "edit": _edit,
    "record_event": _record_event,
    "reopen": _reopen,
    "person_add": _person_add,
    "upload": _upload,
    "download": _download,
}

# What each role gets for its own unit's requests and for another unit's: the status code and
# whether the action took effect. Supervisors and administrators work across all units.
_SEES_ALL = {OWN: (200, True), OTHER: (200, True)}
_CHANGES_ALL = {OWN: (302, True), OTHER: (302, True)}
_READS_OWN = {OWN: (200, True), OTHER: (404, False)}
_CHANGES_OWN = {OWN: (302, True), OTHER: (404, False)}
_REFUSED = {OWN: (403, False), OTHER: (403, False)}

EXPECTED = {
    "list": {
        Role.VIEWER: {OWN: (200, True), OTHER: (200, False)},
        Role.CLERK: {OWN: (200, True), OTHER: (200, False)},
        Role.SUPERVISOR: _SEES_ALL,
        Role.ADMINISTRATOR: _SEES_ALL,
    },
    "detail": {
        Role.VIEWER: _READS_OWN,
        Role.CLERK: _READS_OWN,
        Role.SUPERVISOR: _SEES_ALL,
        Role.ADMINISTRATOR: _SEES_ALL,
    },
    "new": {
        Role.VIEWER: _REFUSED,
        # A clerk of one unit is offered no unit to choose: the request goes to their own.
        Role.CLERK: {OWN: (302, True), OTHER: (302, False)},
        Role.SUPERVISOR: _CHANGES_ALL,
        Role.ADMINISTRATOR: _CHANGES_ALL,
    },
    "reopen": {
        Role.VIEWER: _REFUSED,
        Role.CLERK: _REFUSED,
        Role.SUPERVISOR: _CHANGES_ALL,
        Role.ADMINISTRATOR: _CHANGES_ALL,
    },
    "download": {
        Role.VIEWER: _READS_OWN,
        Role.CLERK: _READS_OWN,
        Role.SUPERVISOR: _SEES_ALL,
        Role.ADMINISTRATOR: _SEES_ALL,
    },
}
for _changing in ("edit", "record_event", "person_add", "upload"):
    EXPECTED[_changing] = {
        Role.VIEWER: _REFUSED,
        Role.CLERK: _CHANGES_OWN,
        Role.SUPERVISOR: _CHANGES_ALL,
        Role.ADMINISTRATOR: _CHANGES_ALL,
    }


@pytest.mark.parametrize("unit", [OWN, OTHER])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_permission_matrix(client, units, action, role, unit):
    _login(client, role, units)
    status, took_effect = ACTIONS[action](client, units, unit)
    assert (status, took_effect) == EXPECTED[action][role][unit]


@pytest.mark.parametrize(
    ("name", "args", "method"),
    [
        ("web:request_list", [], "get"),
        ("web:request_new", [], "get"),
        ("web:request_detail", ["id"], "get"),
        ("web:request_edit", ["id"], "get"),
        ("web:request_event", ["id", "sent"], "post"),
        ("web:person_add", ["id"], "post"),
        ("web:document_upload", ["id"], "post"),
        ("web:document_download", ["id", 1], "get"),
    ],
)
def test_anonymous_is_sent_to_login(client, units, name, args, method):
    request = make_request(opened_on=None, unit=units[OWN])
    url = reverse(name, args=[request.pk if arg == "id" else arg for arg in args])
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))
    request.refresh_from_db()
    assert request.status == Status.DRAFT


def test_viewer_cannot_post_events_of_any_type(client, units):
    _login(client, Role.VIEWER, units)
    request = make_request(unit=units[OWN])
    for event_type in ("acknowledged", "decided", "reopened", "opening_corrected"):
        url = reverse("web:request_event", args=[request.pk, event_type])
        assert client.post(url, {f"{event_type}-occurred_on": "2023-04-01"}).status_code == 403
    assert list(request.events.values_list("type", flat=True)) == ["registered", "sent"]
