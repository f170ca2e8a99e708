"""Tests for the register list: filters, search, sorting, paging, htmx partials, bad input."""

import re
from datetime import date
from functools import partial
from urllib.parse import parse_qs

import pytest
from django.urls import reverse

from rogatory.accounts.models import Role
from rogatory.register import selectors
from rogatory.register.models import Direction, Kind, Outcome, Status
from rogatory.web.views import requests as views
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

LIST = reverse("web:request_list")


@pytest.fixture
def viewer(client, central):
    user = UserFactory(role=Role.VIEWER, units=[central])
    client.force_login(user)
    return user


def _references(response) -> list[str]:
    """Return the references in the register table, in the order shown."""
    html = response.content.decode()
    return re.findall(r'<td class="reference"><a href="[^"]+">([^<]+)</a>', html)


def _get(client, **params):
    response = client.get(LIST, params)
    assert response.status_code == 200, response.content
    return response


def test_request_list_shows_columns_and_links(client, viewer, central):
    request = make_request(reference="OM-1", country="CH", unit=central)
    response = _get(client)
    html = response.content.decode()
    assert _references(response) == ["OM-1"]
    assert reverse("web:request_detail", args=[request.pk]) in html
    assert "Switzerland" in html
    assert "2023-03-01" in html
    assert "Sent" in html  # the status badge
    assert 'aria-current="page"' in html  # the navigation highlights the register


def test_request_list_shows_country_names_in_russian(client, viewer, central):
    make_request(reference="OM-1", country="CH", unit=central)
    response = client.get(LIST, HTTP_ACCEPT_LANGUAGE="ru")
    assert "Швейцария" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"direction": "incoming"}, ["IN-MLA"]),
        ({"kind": "extradition"}, ["OUT-EXT"]),
        ({"country": "LV"}, ["OUT-REF-LV"]),
        ({"status": "refused"}, ["OUT-REF-LV", "OUT-REF-CH"]),
        ({"opened_from": "2023-06-01"}, ["OUT-REF-LV", "OUT-EXT"]),
        ({"opened_to": "2023-02-28"}, ["IN-MLA"]),
        ({"opened_from": "2023-03-01", "opened_to": "2023-03-31"}, ["OUT-REF-CH"]),
        ({"ground": "fiscal_offence"}, ["OUT-REF-LV"]),
        ({"political": "yes"}, ["OUT-REF-CH"]),
        ({"political": "no"}, ["OUT-REF-LV"]),
        ({"search": "ref-lv"}, ["OUT-REF-LV"]),
        ({"direction": "outgoing", "kind": "mla"}, ["OUT-REF-LV", "OUT-REF-CH"]),
    ],
)
def test_request_list_filter_narrows(client, viewer, central, params, expected):
    make_request(reference="IN-MLA", direction=Direction.INCOMING, opened_on=date(2023, 2, 1))
    make_request(
        reference="OUT-REF-CH",
        opened_on=date(2023, 3, 10),
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 4, 1),
        grounds=("political_offence",),
    )
    make_request(reference="OUT-EXT", kind=Kind.EXTRADITION, opened_on=date(2023, 6, 1))
    make_request(
        reference="OUT-REF-LV",
        country="LV",
        opened_on=date(2023, 7, 1),
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 8, 1),
        grounds=("fiscal_offence",),
    )
    assert _references(_get(client, **params)) == expected


def test_request_list_search_finds_descriptions(client, viewer, central):
    from rogatory.register.services import request_update

    found = make_request(reference="A-1")
    make_request(reference="A-2")
    request_update(actor=None, request=found, offence_description="Laundering through shells")
    assert _references(_get(client, search="laundering")) == ["A-1"]


def test_request_list_unit_filter_for_users_of_several_units(client, central):
    north = UnitFactory(code="north")
    user = UserFactory(role=Role.SUPERVISOR, units=[central])
    client.force_login(user)
    make_request(reference="C-1", unit=central)
    make_request(reference="N-1", unit=north)
    response = _get(client, unit="north")
    assert _references(response) == ["N-1"]
    assert 'name="unit"' in response.content.decode()


def test_request_list_hides_unit_filter_for_one_unit(client, viewer):
    assert 'name="unit"' not in _get(client).content.decode()


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["R-B", "R-C", "R-A"]),  # newest registered first
        ("registered", ["R-A", "R-C", "R-B"]),
        ("reference", ["R-A", "R-B", "R-C"]),
        ("-reference", ["R-C", "R-B", "R-A"]),
        ("opened", ["R-B", "R-A", "R-C"]),
        ("-opened", ["R-C", "R-A", "R-B"]),
        ("decided", ["R-A", "R-B", "R-C"]),
        ("-decided", ["R-C", "R-B", "R-A"]),
    ],
)
def test_request_list_sorts(client, viewer, sort, expected):
    make_request(reference="R-A", opened_on=date(2023, 2, 1))
    make_request(
        reference="R-C",
        opened_on=date(2023, 3, 1),
        outcome=Outcome.EXECUTED,
        decided_on=date(2023, 9, 1),
    )
    make_request(
        reference="R-B",
        opened_on=date(2023, 1, 1),
        outcome=Outcome.EXECUTED,
        decided_on=date(2023, 5, 1),
    )
    assert _references(_get(client, sort=sort)) == expected


def test_request_list_column_header_toggles_sort(client, viewer):
    make_request(reference="R-A")
    html = _get(client, sort="reference", kind="mla").content.decode()
    header = re.search(
        r'aria-sort="ascending">\s*<a class="sort sort-active" href="\?([^"]+)"', html
    )
    assert header is not None
    assert parse_qs(header.group(1).replace("&amp;", "&")) == {
        "sort": ["-reference"],
        "kind": ["mla"],
    }


def _link(response, rel: str) -> str | None:
    """Return the query string of the pager's `rel` link, or None on the last page."""
    found = re.search(rf'rel="{rel}" href="\?([^"]+)"', response.content.decode())
    return found.group(1).replace("&amp;", "&") if found else None


def test_request_list_pages_through_all_rows_forward_and_back(client, viewer, monkeypatch):
    monkeypatch.setattr(views, "request_page", partial(selectors.request_page, limit=3))
    references = [f"P-{number:03d}" for number in range(7)]
    for reference in references:
        make_request(reference=reference)
    response = _get(client, sort="reference", kind="mla")
    pages = [_references(response)]
    assert _link(response, "prev") is None
    while query := _link(response, "next"):
        assert parse_qs(query)["kind"] == ["mla"]
        assert parse_qs(query)["sort"] == ["reference"]
        response = client.get(f"{LIST}?{query}")
        pages.append(_references(response))
    assert pages == [references[0:3], references[3:6], references[6:7]]
    back = []
    while query := _link(response, "prev"):
        response = client.get(f"{LIST}?{query}")
        back.append(_references(response))
    assert back == [references[3:6], references[0:3]]


def test_request_list_htmx_gets_results_only(client, viewer):
    make_request(reference="H-1")
    response = client.get(LIST, {"kind": "mla"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="results"' in html
    assert "H-1" in html
    assert "HX-Request" in response["Vary"]


def test_request_list_without_htmx_gets_full_page(client, viewer):
    html = _get(client, kind="mla").content.decode()
    assert "<html" in html
    assert 'id="filters"' in html
    assert 'hx-get="/requests/"' in html
    assert 'hx-push-url="true"' in html


@pytest.mark.parametrize(
    ("params", "field_label"),
    [
        ({"direction": "sideways"}, "Direction"),
        ({"status": "lost"}, "Status"),
        ({"country": "XX"}, "Country"),
        ({"opened_from": "not-a-date"}, "Opened from"),
        ({"opened_from": "2023-05-01", "opened_to": "2023-01-01"}, "Opened to"),
        ({"ground": "no_such_ground"}, "Refusal ground"),
        ({"political": "maybe"}, "Political"),
        ({"sort": "colour"}, "Sort by"),
    ],
)
def test_request_list_invalid_filter_is_named(client, viewer, params, field_label):
    make_request(reference="V-1")
    response = _get(client, **params)
    html = response.content.decode()
    assert "These filters cannot be applied" in html
    assert f"<li>{field_label}:" in html
    assert _references(response) == []


def test_request_list_invalid_filter_with_htmx_names_it_out_of_band(client, viewer):
    response = client.get(
        LIST, {"direction": "sideways"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="filter-errors" class="filter-errors" hx-swap-oob="true"' in html
    assert "<li>Direction:" in html


def test_request_list_bad_cursor_is_a_message_not_an_error(client, viewer):
    response = _get(client, cursor="garbage!")
    assert "The page cursor is not valid" in response.content.decode()


def test_request_list_counts_nothing_beyond_the_page(client, viewer, django_assert_max_num_queries):
    for number in range(5):
        make_request(reference=f"Q-{number}")
    # Session, user, units, the filter choices and one page query; never a COUNT(*).
    with django_assert_max_num_queries(12) as queries:
        _get(client, status=Status.SENT)
    assert not any("COUNT(" in query["sql"].upper() for query in queries.captured_queries)


def test_request_list_needs_login(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_request_list_htmx_pushes_the_address_without_empty_filters(client, viewer):
    response = client.get(
        LIST,
        {"search": "", "direction": "incoming", "kind": "", "sort": "-registered"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="results",
    )
    assert response["HX-Push-Url"] == f"{LIST}?direction=incoming&sort=-registered"
