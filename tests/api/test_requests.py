"""Tests for the request endpoints: the register list, registering, and retrieving a request."""

from datetime import date

import pytest

from rogatory.accounts.models import Role
from rogatory.audit.models import AuditRecord
from rogatory.register.models import Direction, Kind, Outcome, Request
from tests.register.factories import make_request

from .conftest import API, add_person, assert_error, attach_document

pytestmark = pytest.mark.django_db

VALID = {"direction": "outgoing", "kind": "mla", "reference": "2023/MLA/1", "country": "CH"}


# --- List ------------------------------------------------------------------------------------


def test_list_returns_the_users_requests_with_their_fields(clerk_client, own_request):
    response = clerk_client.get(f"{API}/requests")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["next_cursor"] is None and body["previous_cursor"] is None
    (item,) = body["items"]
    assert item["id"] == own_request.pk
    assert item["reference"] == "OWN-1"
    assert item["unit"] == "central"
    assert item["country"] == "CH"
    assert item["status"] == "sent"
    assert item["opened_on"] == "2023-03-01"
    assert item["version"] == own_request.version


def test_list_leaves_out_another_units_requests_for_a_clerk(
    clerk_client, own_request, other_request
):
    body = clerk_client.get(f"{API}/requests").json()

    assert [item["reference"] for item in body["items"]] == ["OWN-1"]


def test_list_pages_with_cursors_both_ways(clerk_client, own_unit):
    for number in range(5):
        make_request(unit=own_unit, reference=f"R-{number}")

    first = clerk_client.get(f"{API}/requests", {"limit": 2, "sort": "reference"}).json()
    second = clerk_client.get(
        f"{API}/requests", {"limit": 2, "sort": "reference", "cursor": first["next_cursor"]}
    ).json()
    back = clerk_client.get(
        f"{API}/requests", {"limit": 2, "sort": "reference", "cursor": second["previous_cursor"]}
    ).json()

    assert [item["reference"] for item in first["items"]] == ["R-0", "R-1"]
    assert [item["reference"] for item in second["items"]] == ["R-2", "R-3"]
    assert back == first


def test_list_applies_the_filters(clerk_client, own_unit):
    make_request(unit=own_unit, reference="MLA-CH")
    make_request(unit=own_unit, reference="EXT-LV", kind=Kind.EXTRADITION, country="LV")
    make_request(
        unit=own_unit,
        reference="IN-REF",
        direction=Direction.INCOMING,
        outcome=Outcome.REFUSED,
        grounds=("political_offence",),
    )

    def references(**params) -> list[str]:
        response = clerk_client.get(f"{API}/requests", params)
        assert response.status_code == 200, response.content
        return [item["reference"] for item in response.json()["items"]]

    assert references(kind="extradition") == ["EXT-LV"]
    assert references(country="lv") == ["EXT-LV"]
    assert references(direction="incoming", status="refused") == ["IN-REF"]
    assert references(ground="political_offence", political="true") == ["IN-REF"]
    assert references(search="ext-") == ["EXT-LV"]
    assert references(opened_from="2023-03-01", opened_to="2023-03-01", sort="reference") == [
        "EXT-LV",
        "IN-REF",
        "MLA-CH",
    ]
    assert references(unit="north") == []


@pytest.mark.parametrize(
    "params, field",
    [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"limit": 10**30}, "limit"),
        ({"direction": "sideways"}, "direction"),
        ({"status": "lost"}, "status"),
        ({"sort": "country"}, "sort"),
        ({"opened_from": "2023-02-30"}, "opened_from"),
        ({"opened_to": "yesterday"}, "opened_to"),
        ({"political": "perhaps"}, "political"),
        ({"country": "CHE"}, "country"),
        ({"search": "x" * 201}, "search"),
        ({"search": "a\x00b"}, "search"),
        ({"cursor": "c" * 2000}, "cursor"),
    ],
)
def test_list_refuses_bad_parameters_naming_them(clerk_client, params, field):
    assert_error(clerk_client.get(f"{API}/requests", params), 422, field=field)


@pytest.mark.parametrize("cursor", ["garbage", "W1siYSIsMSwxXQ", "eyJhIjoxfQ"])
def test_list_refuses_a_bad_cursor(clerk_client, own_request, cursor):
    body = assert_error(clerk_client.get(f"{API}/requests", {"cursor": cursor}), 422)

    assert "cursor" in body["detail"]


# --- Register --------------------------------------------------------------------------------


def test_register_creates_a_draft_in_the_clerks_unit(clerk_client):
    payload = {
        **VALID,
        "legal_basis": "ECMA-1959",
        "offence_category": "07",
        "counterpart_authority": "Federal Office of Justice",
        "notes": "Urgent",
    }

    response = clerk_client.post(f"{API}/requests", payload, content_type="application/json")

    assert response.status_code == 201, response.content
    body = response.json()
    request = Request.objects.get(pk=body["id"])
    assert (request.reference, request.unit.code, request.status) == (
        "2023/MLA/1",
        "central",
        "draft",
    )
    assert body["legal_basis"] == "ECMA-1959"
    assert body["offence_category"] == "07"
    assert body["counterpart_authority"] == "Federal Office of Justice"
    assert AuditRecord.objects.filter(action="request_register", object_id=str(request.pk)).exists()


def test_register_an_extradition_request_with_its_purpose_and_persons(clerk_client):
    payload = {**VALID, "kind": "extradition", "purpose": "sentence", "persons_count": 2}

    body = clerk_client.post(f"{API}/requests", payload, content_type="application/json").json()

    assert (body["kind"], body["purpose"], body["persons_count"]) == ("extradition", "sentence", 2)


def test_register_in_a_named_unit_by_a_supervisor(supervisor_client, other_unit):
    payload = {**VALID, "unit": "north", "country": "lv", "registered_on": "2023-01-05"}

    response = supervisor_client.post(f"{API}/requests", payload, content_type="application/json")

    assert response.status_code == 201, response.content
    assert (response.json()["unit"], response.json()["country"]) == ("north", "LV")
    assert Request.objects.get().events.get().occurred_on == date(2023, 1, 5)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"country": "ZZ"}, "country"),
        ({"legal_basis": "NO-TREATY"}, "legal_basis"),
        ({"offence_category": "99"}, "offence_category"),
        ({"unit": "nowhere"}, "unit"),
        ({"direction": "sideways"}, "direction"),
        ({"kind": "letter"}, "kind"),
        ({"reference": ""}, "reference"),
        ({"reference": "x" * 101}, "reference"),
        ({"reference": "nul\x00"}, "reference"),
        ({"counterpart_authority": "a" * 301}, "counterpart_authority"),
        ({"counterpart_reference": "a" * 101}, "counterpart_reference"),
        ({"domestic_case": "a" * 101}, "domestic_case"),
        ({"notes": "a" * 20_001}, "notes"),
        ({"persons_count": -1}, "persons_count"),
        ({"persons_count": 2**64}, "persons_count"),
        ({"registered_on": "2023-13-01"}, "registered_on"),
        ({"purpose": "revenge"}, "purpose"),
        ({"country": None}, "country"),
        ({"reference": 5}, "reference"),
    ],
)
def test_register_refuses_wrong_input_naming_the_field(clerk_client, change, field):
    payload = {**VALID, **change}

    response = clerk_client.post(f"{API}/requests", payload, content_type="application/json")

    assert_error(response, 422, field=field)
    assert not Request.objects.exists()


def test_register_refuses_a_missing_field(clerk_client):
    payload = {key: value for key, value in VALID.items() if key != "reference"}

    response = clerk_client.post(f"{API}/requests", payload, content_type="application/json")

    body = assert_error(response, 422, field="reference")
    assert body["errors"][0]["message"] == "This field is required."


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "mla", "purpose": "sentence"},
        {"kind": "mla", "persons_count": 2},
        {"registered_on": "2999-01-01"},
    ],
)
def test_register_refuses_what_the_service_refuses(clerk_client, change):
    response = clerk_client.post(
        f"{API}/requests", {**VALID, **change}, content_type="application/json"
    )

    assert_error(response, 422)


def test_register_refuses_a_duplicate_reference(clerk_client, own_request):
    payload = {**VALID, "reference": "OWN-1"}

    response = clerk_client.post(f"{API}/requests", payload, content_type="application/json")

    body = assert_error(response, 422)
    assert "already registered" in body["detail"]


def test_register_with_a_body_that_is_not_json_is_a_bad_request(clerk_client):
    response = clerk_client.post(f"{API}/requests", "{not json", content_type="application/json")

    assert_error(response, 400)


@pytest.mark.parametrize("body", ["[]", '"text"', "null", "1", '{"reference": "\\ud800"}'])
def test_register_with_a_body_of_the_wrong_shape_is_refused(clerk_client, body):
    response = clerk_client.post(f"{API}/requests", body, content_type="application/json")

    assert response.status_code in (400, 422), response.content
    assert_error(response, response.status_code)


def test_register_by_a_viewer_is_forbidden(client_as):
    response = client_as(Role.VIEWER).post(
        f"{API}/requests", VALID, content_type="application/json"
    )

    assert_error(response, 403)
    assert not Request.objects.exists()


def test_register_by_a_clerk_in_another_unit_is_forbidden(clerk_client, other_unit):
    response = clerk_client.post(
        f"{API}/requests", {**VALID, "unit": "north"}, content_type="application/json"
    )

    assert_error(response, 403)


# --- Retrieve --------------------------------------------------------------------------------


def test_retrieve_returns_the_request_with_its_history(clerk_client, own_unit):
    request = make_request(
        unit=own_unit,
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 6, 1),
        grounds=("political_offence", "dual_criminality"),
    )

    response = clerk_client.get(f"{API}/requests/{request.pk}")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "refused"
    assert body["grounds"] == ["dual_criminality", "political_offence"]
    assert body["political"] is True
    assert [event["type"] for event in body["events"]] == ["registered", "sent", "decided"]
    decided = body["events"][-1]
    assert decided["grounds"] == ["dual_criminality", "political_offence"]
    assert decided["occurred_on"] == "2023-06-01"
    assert body["allowed_events"] == ["reopened", "opening_corrected"]
    assert body["persons"] == [] and body["documents"] == []


def test_retrieve_shows_persons_and_audits_each_view(clerk_client, own_unit):
    request = make_request(unit=own_unit, kind=Kind.EXTRADITION, persons_count=2)
    first, second = add_person(request, "Ivan Petrov"), add_person(request, "Anna Sidorova")

    body = clerk_client.get(f"{API}/requests/{request.pk}").json()

    assert [person["full_name"] for person in body["persons"]] == ["Ivan Petrov", "Anna Sidorova"]
    assert body["persons"][0]["born_on"] == "1980-01-02"
    view = AuditRecord.objects.get(action="request_persons_view")
    assert view.after == {"request": request.pk, "persons": [first.pk, second.pk]}
    assert (view.actor.role, view.request_id) == (Role.CLERK, request.pk)
    assert "Ivan" not in str(view.after)


def test_retrieve_without_persons_audits_no_view(clerk_client, own_request):
    clerk_client.get(f"{API}/requests/{own_request.pk}")

    assert not AuditRecord.objects.filter(action="request_persons_view").exists()


def test_retrieve_lists_documents_with_their_download_address(clerk_client, own_request):
    document = attach_document(own_request)

    body = clerk_client.get(f"{API}/requests/{own_request.pk}").json()

    (listed,) = body["documents"]
    assert listed["id"] == document.pk
    assert listed["original_name"] == "letter.pdf"
    assert listed["size"] == len(b"%PDF-1.7 letter")
    assert listed["download_url"] == f"{API}/requests/{own_request.pk}/documents/{document.pk}"


def test_retrieve_another_units_request_is_not_found(clerk_client, other_request):
    body = assert_error(clerk_client.get(f"{API}/requests/{other_request.pk}"), 404)

    assert "OTHER" not in body["detail"]


@pytest.mark.parametrize("request_id", ["999999", "0", "-1", "abc", "1.5", str(2**64)])
def test_retrieve_a_request_id_that_names_nothing(clerk_client, own_request, request_id):
    response = clerk_client.get(f"{API}/requests/{request_id}")

    assert response.status_code in (404, 422), response.content
    assert_error(response, response.status_code)
