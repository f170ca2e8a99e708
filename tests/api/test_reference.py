"""Tests for the reference endpoints: countries and refusal grounds, in English and Russian."""

import pytest

from rogatory.reference.models import Country, RefusalGround

from .conftest import API, assert_error

pytestmark = pytest.mark.django_db


def test_countries_lists_every_country_with_names_groups_and_treaties(clerk_client):
    response = clerk_client.get(f"{API}/countries")

    assert response.status_code == 200, response.content
    countries = {country["code"]: country for country in response.json()}
    assert len(countries) == Country.objects.count()
    switzerland = countries["CH"]
    assert switzerland["alpha_3"] == "CHE"
    assert switzerland["name_en"] == "Switzerland"
    assert switzerland["name_ru"] == "Швейцария"
    assert "COE" in switzerland["groups"]
    assert "ECMA-1959" in switzerland["treaties"]


def test_refusal_grounds_list_names_the_political_default_and_the_articles(clerk_client):
    response = clerk_client.get(f"{API}/refusal-grounds")

    assert response.status_code == 200, response.content
    grounds = {ground["code"]: ground for ground in response.json()}
    assert list(grounds) == list(RefusalGround.objects.values_list("code", flat=True))
    political = grounds["political_offence"]
    assert political["counts_as_political"] is True
    assert political["name_ru"].startswith("Политическое")
    assert {"treaty": "ECMA-1959", "article": "2(a)"} in political["articles"]
    assert grounds["dual_criminality"]["counts_as_political"] is False


@pytest.mark.parametrize("path", ["countries", "refusal-grounds"])
def test_reference_data_needs_authentication(client, path):
    assert_error(client.get(f"{API}/{path}"), 401)
