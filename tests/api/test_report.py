"""Tests for the report endpoint: DESIGN's JSON for a year or a period, and its errors."""

from datetime import date

import pytest

from rogatory.register.models import Direction, Kind, Outcome
from rogatory.statistics.selectors import report_build
from tests.register.factories import make_request

from .conftest import API, assert_error

pytestmark = pytest.mark.django_db

KIND_KEYS = {
    "sent",
    "refused",
    "withdrawn",
    "refused_political",
    "refused_by_country",
    "refused_political_by_country",
    "refused_by_ground",
    "pending_at_end",
    "median_days_to_decision",
}


@pytest.fixture
def decided(own_unit, other_unit):
    make_request(unit=own_unit, outcome=Outcome.REFUSED, decided_on=date(2023, 6, 1))
    make_request(unit=other_unit, outcome=Outcome.EXECUTED, decided_on=date(2023, 6, 2))
    make_request(
        unit=own_unit,
        kind=Kind.EXTRADITION,
        direction=Direction.INCOMING,
        outcome=Outcome.GRANTED,
        decided_on=date(2023, 7, 1),
        persons_count=2,
    )


def test_report_for_a_year_is_the_report_of_the_command_line(clerk_client, decided):
    response = clerk_client.get(f"{API}/report", {"year": 2023})

    assert response.status_code == 200, response.content
    expected = report_build(
        period_from=date(2023, 1, 1), period_to=date(2023, 12, 31), direction="outgoing"
    ).as_dict()
    assert response.json() == expected
    assert response.json()["mla"]["refused_by_country"] == {"CH": 1}


def test_report_has_exactly_designs_keys(clerk_client, decided):
    body = clerk_client.get(f"{API}/report", {"year": 2023}).json()

    assert set(body) == {"period", "direction", "mla", "extradition"}
    assert body["period"] == {"from": "2023-01-01", "to": "2023-12-31"}
    assert set(body["mla"]) == KIND_KEYS | {"executed", "partially_executed", "fulfilled"}
    assert set(body["extradition"]) == KIND_KEYS | {"granted", "granted_persons", "refused_persons"}


def test_report_for_a_period_and_direction(clerk_client, decided):
    response = clerk_client.get(
        f"{API}/report", {"from": "2023-07-01", "to": "2023-07-31", "direction": "incoming"}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["direction"] == "incoming"
    assert body["extradition"]["granted"] == 1
    assert body["extradition"]["granted_persons"] == 2
    assert body["extradition"]["median_days_to_decision"] == 122


@pytest.mark.parametrize(
    "params, field",
    [
        ({}, "from"),
        ({"from": "2023-01-01"}, "to"),
        ({"year": 2023, "from": "2023-01-01"}, "year"),
        ({"year": 0}, "year"),
        ({"year": 10000}, "year"),
        ({"year": "twenty"}, "year"),
        ({"from": "2023-02-30", "to": "2023-03-01"}, "from"),
        ({"year": 2023, "direction": "both"}, "direction"),
    ],
)
def test_report_refuses_a_wrong_period_naming_the_parameter(clerk_client, params, field):
    assert_error(clerk_client.get(f"{API}/report", params), 422, field=field)


def test_report_refuses_a_period_that_ends_before_it_starts(clerk_client):
    response = clerk_client.get(f"{API}/report", {"from": "2023-12-31", "to": "2023-01-01"})

    assert_error(response, 422)


@pytest.mark.parametrize("year", [1, 9999])
def test_report_for_the_first_and_last_years_there_are(clerk_client, year):
    assert clerk_client.get(f"{API}/report", {"year": year}).status_code == 200
