"""Tests for the FATF flags through the request endpoints, and for changing a request's details."""

import pytest

from rogatory.accounts.models import Role
from rogatory.audit.models import AuditRecord
from rogatory.register.models import Kind, Request
from tests.register.factories import make_request

from .conftest import API, assert_error

pytestmark = pytest.mark.django_db

VALID = {"direction": "outgoing", "kind": "mla", "reference": "2023/MLA/1", "country": "CH"}


def _patch(client, request: Request, payload: dict):
    return client.patch(f"{API}/requests/{request.pk}", payload, content_type="application/json")


def test_register_keeps_the_fatf_flags_and_shows_them(clerk_client):
    payload = {**VALID, "money_laundering": True, "terrorist_financing": True}

    response = clerk_client.post(f"{API}/requests", payload, content_type="application/json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["money_laundering"], body["terrorist_financing"]) == (True, True)
    request = Request.objects.get(pk=body["id"])
    assert (request.money_laundering, request.terrorist_financing) == (True, True)
    record = AuditRecord.objects.get(action="request_register", object_id=str(request.pk))
    assert record.after["money_laundering"] is True


def test_register_without_flags_registers_an_unflagged_request(clerk_client):
    body = clerk_client.post(f"{API}/requests", VALID, content_type="application/json").json()

    assert (body["money_laundering"], body["terrorist_financing"]) == (False, False)


def test_register_refuses_a_flag_that_is_not_a_boolean(clerk_client):
    payload = {**VALID, "money_laundering": "perhaps"}

    response = clerk_client.post(f"{API}/requests", payload, content_type="application/json")

    assert_error(response, 422, field="money_laundering")
    assert not Request.objects.exists()


def test_retrieve_and_list_show_the_flags(clerk_client, own_request):
    Request.objects.filter(pk=own_request.pk).update(terrorist_financing=True)

    detail = clerk_client.get(f"{API}/requests/{own_request.pk}").json()
    (item,) = clerk_client.get(f"{API}/requests").json()["items"]

    assert (detail["money_laundering"], detail["terrorist_financing"]) == (False, True)
    assert (item["money_laundering"], item["terrorist_financing"]) == (False, True)


def test_update_sets_a_flag_audits_it_and_leaves_the_rest(clerk_client, own_request):
    response = _patch(clerk_client, own_request, {"money_laundering": True})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["money_laundering"], body["terrorist_financing"]) == (True, False)
    assert body["version"] == own_request.version + 1
    assert body["country"] == "CH"
    record = AuditRecord.objects.get(action="request_update", object_id=str(own_request.pk))
    assert (record.before["money_laundering"], record.after["money_laundering"]) == (False, True)
    assert record.before["terrorist_financing"] is record.after["terrorist_financing"] is False


def test_update_clears_a_flag(clerk_client, own_request):
    Request.objects.filter(pk=own_request.pk).update(money_laundering=True)

    body = _patch(clerk_client, own_request, {"money_laundering": False}).json()

    assert body["money_laundering"] is False
    own_request.refresh_from_db()
    assert own_request.money_laundering is False


def test_update_changes_details_by_code_and_clears_the_category(clerk_client, own_request):
    _patch(clerk_client, own_request, {"offence_category": "07", "legal_basis": "ECMA-1959"})

    body = _patch(clerk_client, own_request, {"offence_category": "", "country": "lv"}).json()

    assert (body["offence_category"], body["legal_basis"], body["country"]) == (
        None,
        "ECMA-1959",
        "LV",
    )


def test_update_with_nothing_to_change_keeps_the_version(clerk_client, own_request):
    body = _patch(clerk_client, own_request, {"notes": None}).json()

    assert body["version"] == own_request.version
    assert not AuditRecord.objects.filter(action="request_update").exists()


def test_update_with_a_stale_version_is_a_conflict(clerk_client, own_request):
    response = _patch(
        clerk_client, own_request, {"money_laundering": True, "version": own_request.version - 1}
    )

    assert_error(response, 409, field="version")
    own_request.refresh_from_db()
    assert own_request.money_laundering is False


@pytest.mark.parametrize(
    "change, field",
    [
        ({"terrorist_financing": "maybe"}, "terrorist_financing"),
        ({"country": "ZZ"}, "country"),
        ({"offence_category": "99"}, "offence_category"),
        ({"notes": "a\x00b"}, "notes"),
        ({"version": 0}, "version"),
    ],
)
def test_update_refuses_wrong_input_naming_the_field(clerk_client, own_request, change, field):
    assert_error(_patch(clerk_client, own_request, change), 422, field=field)


def test_update_refuses_persons_sought_on_legal_assistance(clerk_client, own_request):
    assert_error(_patch(clerk_client, own_request, {"persons_count": 2}), 422)


def test_update_changes_persons_sought_of_an_extradition_request(clerk_client, own_unit):
    extradition = make_request(unit=own_unit, kind=Kind.EXTRADITION)

    body = _patch(clerk_client, extradition, {"persons_count": 3}).json()

    assert body["persons_count"] == 3


def test_update_by_a_viewer_is_forbidden(client_as, own_request):
    assert_error(_patch(client_as(Role.VIEWER), own_request, {"money_laundering": True}), 403)


def test_update_of_another_units_request_is_not_found(clerk_client, other_request):
    assert_error(_patch(clerk_client, other_request, {"money_laundering": True}), 404)


# --- Priority, limitation date, responsible clerk, Interpol notice -----------------------------


def test_register_takes_the_priority_and_follow_up_fields(clerk_client, user_of, own_unit):
    colleague = user_of(Role.CLERK, [own_unit])
    payload = {
        **VALID,
        "priority": "high",
        "priority_reason": "The suspect is about to leave the country.",
        "limitation_on": "2027-03-01",
        "responsible": colleague.username,
        "interpol_notice": "A-1234/5-2026",
    }

    response = clerk_client.post(f"{API}/requests", payload, content_type="application/json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert {name: body[name] for name in payload if name not in VALID} == {
        name: value for name, value in payload.items() if name not in VALID
    }
    request = Request.objects.get(pk=body["id"])
    assert (request.priority, request.responsible) == ("high", colleague)


def test_register_refuses_a_high_priority_without_a_reason(clerk_client):
    payload = {**VALID, "priority": "high"}

    response = clerk_client.post(f"{API}/requests", payload, content_type="application/json")

    assert_error(response, 422, field="priority_reason")
    assert not Request.objects.exists()


def test_register_refuses_an_unknown_responsible_clerk(clerk_client):
    payload = {**VALID, "responsible": "nobody.here"}

    response = clerk_client.post(f"{API}/requests", payload, content_type="application/json")

    assert_error(response, 422, field="responsible")


def test_update_clears_the_limitation_date_with_null_and_leaves_other_nulls_alone(
    clerk_client, own_request
):
    Request.objects.filter(pk=own_request.pk).update(
        limitation_on="2027-03-01", interpol_notice="A-1/2026"
    )

    response = _patch(clerk_client, own_request, {"limitation_on": None, "interpol_notice": None})

    assert response.status_code == 200, response.content
    own_request.refresh_from_db()
    assert (own_request.limitation_on, own_request.interpol_notice) == (None, "A-1/2026")
    assert response.json()["limitation_on"] is None


def test_the_list_sorts_urgent_requests_first(clerk_client, own_unit):
    normal = make_request(unit=own_unit, reference="NORMAL-1")
    urgent = make_request(unit=own_unit, reference="URGENT-1")
    Request.objects.filter(pk=urgent.pk).update(priority="urgent", priority_reason="Custody.")

    body = clerk_client.get(f"{API}/requests", {"sort": "priority"}).json()

    assert [item["reference"] for item in body["items"]] == [urgent.reference, normal.reference]
