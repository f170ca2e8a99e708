"""Tests for the statement endpoint and the examples endpoints."""

from datetime import date

import pytest

from rogatory.accounts.models import Role
from rogatory.audit.models import AuditRecord
from rogatory.publication.models import Example
from rogatory.publication.services import example_approve, example_propose
from rogatory.register.models import Kind, Outcome
from tests.register.factories import make_request

from .conftest import API, add_person, assert_error

pytestmark = pytest.mark.django_db

SUMMARY = "Bulgaria refused because execution “could harm the sovereignty of Bulgaria”"


@pytest.fixture
def refused(own_unit):
    return make_request(
        unit=own_unit,
        country="BG",
        reference="OM-2023-17",
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 10, 12),
    )


@pytest.fixture
def proposed(refused):
    return example_propose(
        actor=None, request=refused, category="refusal", summary_en=SUMMARY, summary_ru=""
    )


def _example_url(request) -> str:
    return f"{API}/requests/{request.pk}/example"


# --- The statement -----------------------------------------------------------------------------


def test_statement_in_english(clerk_client, refused):
    response = clerk_client.get(f"{API}/statement", {"year": 2023})

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"year", "language", "text"}
    assert (body["year"], body["language"]) == (2023, "en")
    assert body["text"].startswith("In 2023 foreign states refused 1 request for legal assistance.")
    assert "OM-2023-17" not in body["text"]


def test_statement_in_russian_with_approved_example(clerk_client, proposed):
    example_approve(actor=None, example=proposed)

    body = clerk_client.get(f"{API}/statement", {"year": 2023, "lang": "ru"}).json()

    assert body["language"] == "ru"
    assert body["text"].startswith(
        "В 2023 году иностранные государства отказали в исполнении 1 запроса о правовой помощи."
    )
    # The example has no Russian summary, so the Russian statement leaves it out.
    assert "Bulgaria" not in body["text"]


def test_statement_as_known_before_the_decision(clerk_client, refused):
    body = clerk_client.get(f"{API}/statement", {"year": 2023, "as_of": "2023-01-01"}).json()

    assert body["text"] == "In 2023 foreign states took no decisions on our requests.\n"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"year": 2023, "lang": "de"}, "lang"),
        ({"year": 1066}, "year"),
        ({}, "year"),
        ({"year": 2023, "as_of": "tomorrow"}, "as_of"),
    ],
)
def test_statement_refuses_wrong_input(clerk_client, params, field):
    assert_error(clerk_client.get(f"{API}/statement", params), 422, field=field)


def test_statement_needs_authentication(client):
    assert_error(client.get(f"{API}/statement", {"year": 2023}), 401)


# --- Examples ----------------------------------------------------------------------------------


def test_example_propose(clerk_client, refused):
    response = clerk_client.post(
        _example_url(refused),
        {"category": "refusal", "summary_en": SUMMARY},
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["month"] == "2023-10-01"
    assert body["approved_at"] is None
    assert body["summary_en"] == SUMMARY
    assert AuditRecord.objects.filter(action="example_propose").count() == 1


def test_example_propose_refuses_the_name_of_the_person_sought(clerk_client, own_unit):
    request = make_request(
        unit=own_unit, kind=Kind.EXTRADITION, outcome=Outcome.GRANTED, decided_on=date(2023, 3, 1)
    )
    add_person(request, "Ivan Petrov")

    response = clerk_client.post(
        _example_url(request),
        {"category": "cooperation", "summary_ru": "Выдан Иван Петров; ivan petrov"},
        content_type="application/json",
    )

    body = assert_error(response, 422, field="summary_ru")
    assert "names a person sought" in body["detail"]
    assert not Example.objects.exists()


def test_example_of_another_units_request_is_not_found(client_as, other_unit, own_unit):
    other = make_request(unit=other_unit, outcome=Outcome.REFUSED, decided_on=date(2023, 5, 1))

    response = client_as(Role.CLERK).post(
        _example_url(other),
        {"category": "refusal", "summary_en": "Refused"},
        content_type="application/json",
    )

    assert_error(response, 404)


def test_example_approve_needs_a_supervisor(clerk_client, supervisor_client, proposed):
    url = f"{_example_url(proposed.request)}/approve"

    assert_error(clerk_client.post(url, {}, content_type="application/json"), 403)
    response = supervisor_client.post(url, {"version": 1}, content_type="application/json")

    assert response.status_code == 200, response.content
    assert response.json()["approved_at"] is not None
    assert response.json()["approved_by"]


def test_example_approve_of_a_changed_version_is_a_conflict(supervisor_client, proposed):
    response = supervisor_client.post(
        f"{_example_url(proposed.request)}/approve", {"version": 5}, content_type="application/json"
    )

    assert_error(response, 409, field="version")


def test_example_update_withdraws_the_approval(clerk_client, proposed):
    example_approve(actor=None, example=proposed)

    response = clerk_client.put(
        _example_url(proposed.request),
        {"category": "refusal", "summary_en": f"{SUMMARY}, it said", "version": 2},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["approved_at"] is None
    assert response.json()["version"] == 3


def test_example_list_by_status(clerk_client, proposed, own_unit):
    other = make_request(unit=own_unit, outcome=Outcome.EXECUTED, decided_on=date(2023, 4, 1))
    approved = example_propose(
        actor=None,
        request=other,
        category="cooperation",
        summary_en="Latvia executed",
        summary_ru="",
    )
    example_approve(actor=None, example=approved)

    def ids(status: str) -> list[int]:
        response = clerk_client.get(f"{API}/examples", {"status": status})
        assert response.status_code == 200, response.content
        return [example["request_id"] for example in response.json()]

    assert ids("awaiting") == [proposed.request_id]
    assert ids("approved") == [other.pk]
    assert ids("") == [other.pk, proposed.request_id]


def test_example_withdraw(clerk_client, proposed):
    response = clerk_client.delete(_example_url(proposed.request))

    assert response.status_code == 204
    assert not Example.objects.exists()
    assert_error(clerk_client.delete(_example_url(proposed.request)), 404)
