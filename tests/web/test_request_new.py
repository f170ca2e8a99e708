"""Tests for the new-request form."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from rogatory.accounts.models import Role
from rogatory.register.models import Direction, Event, Kind, Purpose, Request, Status
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

NEW = reverse("web:request_new")


@pytest.fixture
def clerk_in(client, central):
    user = UserFactory(role=Role.CLERK, units=[central])
    client.force_login(user)
    return user


def _data(**changes) -> dict:
    return {
        "direction": "outgoing",
        "kind": "mla",
        "reference": "OM-2024-001",
        "registered_on": "2024-01-10",
        "country": "CH",
        "counterpart_reference": "CH-77",
        "counterpart_authority": "Federal Office of Justice",
        "legal_basis": "ECMA-1959",
        "domestic_case": "12-345",
        "offence_category": "07",
        "offence_description": "Fraud",
        "purpose": "prosecution",
        "persons_count": "1",
        "notes": "",
    } | changes


def _error_of(html: str, field: str) -> str | None:
    found = re.search(rf'id="id_{field}_error"[^>]*>\s*<li>([^<]+)</li>', html)
    return found.group(1) if found else None


def test_request_new_form_renders_with_labelled_fields(client, clerk_in):
    response = client.get(NEW)
    html = response.content.decode()
    assert response.status_code == 200, html
    for field, label in [
        ("reference", "Our reference"),
        ("country", "Counterpart state"),
        ("legal_basis", "Legal basis"),
        ("registered_on", "Registered on"),
    ]:
        assert re.search(rf'<label for="id_{field}">{label}', html), field
    assert 'value="outgoing"' in html and 'value="extradition"' in html
    assert "Register request</button>" in html
    assert 'name="unit"' not in html  # a clerk of one unit registers in that unit
    # Countries are listed by name in the active language.
    assert '<option value="CH">Switzerland</option>' in html


def test_request_new_lists_countries_in_russian(client, clerk_in):
    html = client.get(NEW, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert '<option value="CH">Швейцария</option>' in html
    names = re.findall(
        r'<option value="[A-Z]{2}">([^<]+)</option>', html.split('id="id_country"')[1]
    )
    assert names[:3] == sorted(names[:3])


def test_request_new_registers_mla_and_redirects(client, clerk_in, central):
    response = client.post(NEW, _data())
    assert response.status_code == 302, response.content
    request = Request.objects.get(reference="OM-2024-001")
    assert response["Location"] == reverse("web:request_detail", args=[request.pk])
    assert request.direction == Direction.OUTGOING
    assert request.kind == Kind.MLA
    assert request.unit == central
    assert request.status == Status.DRAFT
    assert request.legal_basis_id == "ECMA-1959"
    assert request.offence_category_id == "07"
    assert (request.purpose, request.persons_count) == ("", 0)  # not for legal assistance
    registered = request.events.get(type=Event.Type.REGISTERED)
    assert registered.recorded_by == clerk_in
    assert registered.occurred_on.isoformat() == "2024-01-10"
    page = client.get(response["Location"]).content.decode()
    assert "Request OM-2024-001 registered." in page


def test_request_new_registers_extradition_with_persons(client, clerk_in):
    response = client.post(
        NEW, _data(kind="extradition", reference="OE-1", purpose="sentence", persons_count="3")
    )
    assert response.status_code == 302, response.content
    request = Request.objects.get(reference="OE-1")
    assert (request.purpose, request.persons_count) == (Purpose.SENTENCE, 3)


def test_request_new_duplicate_reference_names_the_field(client, clerk_in):
    make_request(reference="OM-2024-001")
    response = client.post(NEW, _data(notes="keep me"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "already registered" in _error_of(html, "reference")
    assert "keep me" in html
    assert 'value="CH-77"' in html


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reference": "  "}, "reference"),
        ({"country": ""}, "country"),
        ({"country": "XX"}, "country"),
        ({"direction": "sideways"}, "direction"),
        ({"kind": ""}, "kind"),
        ({"registered_on": "2024-13-01"}, "registered_on"),
        ({"legal_basis": "NO-SUCH-TREATY"}, "legal_basis"),
        ({"kind": "extradition", "persons_count": "0"}, "persons_count"),
    ],
)
def test_request_new_wrong_field_is_named(client, clerk_in, changes, field):
    response = client.post(NEW, _data(**changes))
    assert response.status_code == 200
    assert _error_of(response.content.decode(), field), field
    assert not Request.objects.exists()


def test_request_new_future_registration_date_is_named(client, clerk_in):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(NEW, _data(registered_on=tomorrow))
    assert "in the future" in _error_of(response.content.decode(), "registered_on")


def test_request_new_lets_users_of_several_units_choose(client, central):
    north = UnitFactory(code="north", name="North")
    user = UserFactory(role=Role.CLERK, units=[central, north])
    client.force_login(user)
    assert 'name="unit"' in client.get(NEW).content.decode()
    response = client.post(NEW, _data(unit=north.pk))
    assert response.status_code == 302, response.content
    assert Request.objects.get().unit == north


def test_request_new_refuses_a_unit_the_user_does_not_work_in(client, central):
    north = UnitFactory(code="north")
    south = UnitFactory(code="south")
    client.force_login(UserFactory(role=Role.CLERK, units=[central, north]))
    response = client.post(NEW, _data(unit=south.pk))
    assert response.status_code == 200
    assert _error_of(response.content.decode(), "unit")


def test_request_new_is_refused_to_viewers(client, central):
    client.force_login(UserFactory(role=Role.VIEWER, units=[central]))
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, _data()).status_code == 403
    assert not Request.objects.exists()
