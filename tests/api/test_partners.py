"""Tests for the partner endpoints: a year's profiles, a country's history, as-of and errors."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from rogatory.accounts.models import Role
from rogatory.register.models import Direction, Event, Kind, Outcome
from tests.register.factories import make_request

from .conftest import API, ROLES, assert_error

pytestmark = pytest.mark.django_db

FIELDS = {
    "country",
    "name",
    "year",
    "direction",
    "kind",
    "requests",
    "decided",
    "refused",
    "refused_political",
    "refusal_rate",
    "interval",
    "grounds",
    "median_days",
    "previous_rate",
    "p_value",
    "changed",
}


@pytest.fixture
def swiss(own_unit):
    """Switzerland: six executed in 2022; in 2023 six refused (the last recorded late), one not."""
    for day in range(1, 7):
        make_request(
            unit=own_unit,
            opened_on=date(2022, 1, day),
            outcome=Outcome.EXECUTED,
            decided_on=date(2022, 1, day + 10),
        )
    refusals = [
        make_request(
            unit=own_unit,
            opened_on=date(2023, 1, day),
            outcome=Outcome.REFUSED,
            decided_on=date(2023, 1, day + 20),
            grounds=("political_offence",),
        )
        for day in range(1, 7)
    ]
    make_request(
        unit=own_unit,
        opened_on=date(2023, 2, 1),
        outcome=Outcome.EXECUTED,
        decided_on=date(2023, 3, 3),
    )
    make_request(
        unit=own_unit,
        direction=Direction.INCOMING,
        kind=Kind.EXTRADITION,
        country="LV",
        outcome=Outcome.GRANTED,
        decided_on=date(2023, 4, 1),
    )
    return refusals


def test_partners_of_a_year(clerk_client, swiss):
    response = clerk_client.get(f"{API}/partners", {"year": 2023})

    assert response.status_code == 200, response.content
    [line] = response.json()
    assert set(line) == FIELDS
    assert (line["country"], line["name"], line["kind"], line["direction"]) == (
        "CH",
        "Switzerland",
        "mla",
        "outgoing",
    )
    assert (line["requests"], line["decided"], line["refused"], line["refused_political"]) == (
        7,
        7,
        6,
        6,
    )
    assert line["refusal_rate"] == pytest.approx(6 / 7)
    assert line["interval"] == {
        "low": pytest.approx(0.4869, abs=1e-4),
        "high": pytest.approx(0.9743, abs=1e-4),
    }
    assert line["grounds"] == [
        {
            "code": "political_offence",
            "name": "Political offence or offence connected with a political offence",
            "refused": 6,
        }
    ]
    assert line["median_days"] == 20
    assert (line["previous_rate"], line["changed"]) == (0.0, True)
    assert line["p_value"] == pytest.approx(0.00466, abs=1e-5)


def test_partners_of_a_direction_in_russian(clerk_client, swiss):
    response = clerk_client.get(
        f"{API}/partners", {"year": 2023, "direction": "incoming"}, HTTP_ACCEPT_LANGUAGE="ru"
    )

    assert response.status_code == 200, response.content
    [line] = response.json()
    assert (line["country"], line["name"], line["kind"]) == ("LV", "Латвия", "extradition")
    assert (line["decided"], line["refusal_rate"]) == (1, 0.0)
    assert round(line["interval"]["high"], 4) == 0.7935


def test_partners_as_of_a_moment_leave_out_what_was_recorded_later(clerk_client, swiss):
    moment = timezone.localtime() - timedelta(minutes=10)
    Event.objects.update(recorded_at=moment - timedelta(hours=1))
    Event.objects.filter(request=swiss[-1], type=Event.Type.DECIDED).update(
        recorded_at=moment + timedelta(minutes=5)
    )

    for as_of in (moment.isoformat(), moment.replace(tzinfo=None).isoformat()):
        response = clerk_client.get(f"{API}/partners", {"year": 2023, "as_of": as_of})
        assert response.status_code == 200, response.content
        [line] = response.json()
        assert (line["decided"], line["refused"]) == (6, 5), as_of
    [now] = clerk_client.get(f"{API}/partners", {"year": 2023}).json()
    assert now["refused"] == 6


def test_partners_of_a_quiet_year_are_an_empty_list(clerk_client, swiss):
    response = clerk_client.get(f"{API}/partners", {"year": 1990})

    assert response.status_code == 200
    assert response.json() == []


def test_partner_history_of_a_country(clerk_client, swiss):
    response = clerk_client.get(f"{API}/partners/ch")

    assert response.status_code == 200, response.content
    lines = response.json()
    assert [(line["year"], line["kind"], line["decided"]) for line in lines] == [
        (2022, "mla", 6),
        (2023, "mla", 7),
    ]
    assert lines[0]["previous_rate"] is None and lines[0]["p_value"] is None
    assert lines[1]["changed"] is True


def test_partner_history_as_of_before_anything_is_empty(clerk_client, swiss):
    response = clerk_client.get(f"{API}/partners/CH", {"as_of": "2000-01-01T00:00:00+00:00"})

    assert response.status_code == 200, response.content
    assert response.json() == []


@pytest.mark.parametrize(
    "params, field",
    [
        ({}, "year"),
        ({"year": 0}, "year"),
        ({"year": 10000}, "year"),
        ({"year": "twenty"}, "year"),
        ({"year": 2023, "direction": "both"}, "direction"),
        ({"year": 2023, "as_of": "yesterday"}, "as_of"),
        ({"year": 2023, "as_of": "2023-13-01T00:00:00"}, "as_of"),
        ({"year": 2023, "as_of": "9999-12-31T23:59:59-12:00"}, "as_of"),
    ],
)
def test_partners_refuse_wrong_input_naming_the_parameter(clerk_client, params, field):
    assert_error(clerk_client.get(f"{API}/partners", params), 422, field=field)


@pytest.mark.parametrize("code", ["XX", "CHE", "1", "%00%00"])
def test_partner_history_of_an_unknown_country_is_not_found(clerk_client, code):
    assert_error(clerk_client.get(f"{API}/partners/{code}"), 404)


def test_partner_history_refuses_a_wrong_direction(clerk_client):
    assert_error(clerk_client.get(f"{API}/partners/CH", {"direction": "x"}), 422, field="direction")


@pytest.mark.parametrize("role", ROLES)
def test_partners_are_readable_by_every_role(client_as, role, swiss):
    assert client_as(role).get(f"{API}/partners", {"year": 2023}).status_code == 200
    assert client_as(role).get(f"{API}/partners/CH").status_code == 200


@pytest.mark.parametrize("url", ["/partners?year=2023", "/partners/CH"])
def test_partners_need_authentication(url):
    assert_error(Client().get(f"{API}{url}"), 401)


def test_partners_counts_are_office_wide_for_a_clerk_of_another_unit(client_as, other_unit, swiss):
    response = client_as(Role.CLERK, [other_unit]).get(f"{API}/partners", {"year": 2023})

    assert [line["refused"] for line in response.json()] == [6]
