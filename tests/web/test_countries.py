"""The country pages: the list with its counts and search, and each country's profile."""

import re
from datetime import date

import pytest
from django.urls import reverse

from rogatory.accounts.models import Role
from rogatory.register.models import Direction, Kind, Outcome
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

LIST = reverse("web:country_list")


def _detail(code: str) -> str:
    return reverse("web:country_detail", args=[code])


@pytest.fixture
def swiss_register():
    """Requests with Switzerland over two years, and one with Germany."""
    other = UnitFactory(code="other")
    make_request(country="CH", opened_on=date(2022, 3, 1))
    make_request(
        country="CH",
        opened_on=date(2022, 9, 1),
        outcome=Outcome.EXECUTED,
        decided_on=date(2023, 1, 5),
    )
    make_request(
        country="CH",
        opened_on=date(2023, 2, 1),
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 6, 1),
        grounds=("political_offence",),
        unit=other,
    )
    make_request(
        country="CH",
        opened_on=date(2023, 4, 1),
        outcome=Outcome.WITHDRAWN,
        decided_on=date(2023, 5, 1),
    )
    make_request(
        country="CH",
        kind=Kind.EXTRADITION,
        opened_on=date(2023, 5, 1),
        outcome=Outcome.GRANTED,
        decided_on=date(2023, 8, 1),
    )
    make_request(
        country="CH",
        direction=Direction.INCOMING,
        opened_on=date(2023, 6, 1),
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 7, 1),
        grounds=("dual_criminality",),
    )
    make_request(country="CH", opened_on=None)  # a draft: no year yet
    make_request(country="DE", opened_on=date(2023, 1, 1))


def _login(client, role=Role.VIEWER, **kwargs):
    user = UserFactory(role=role, **kwargs)
    client.force_login(user)
    return user


# --- Who may see them -------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LIST, _detail("CH")])
def test_country_pages_anonymous_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("web:login"))


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CLERK, Role.SUPERVISOR, Role.ADMINISTRATOR])
@pytest.mark.parametrize("url", [LIST, _detail("CH")])
def test_country_pages_every_role_may_see(client, role, url):
    _login(client, role)
    response = client.get(url)
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CLERK, Role.SUPERVISOR])
def test_country_profile_counts_are_office_wide_for_every_unit(client, swiss_register, role):
    # Counts carry no personal data, so a user of another unit sees the same aggregate.
    _login(client, role, units=[UnitFactory(code="elsewhere")])
    profile = client.get(_detail("CH")).context["profile"]
    assert profile.totals.total == 6


# --- The profile ------------------------------------------------------------------------------


def test_country_profile_counts_by_year_exact(client, swiss_register):
    _login(client)
    response = client.get(_detail("CH"))
    assert response.status_code == 200, response.content
    years = [
        (
            row.year,
            row.outgoing_mla,
            row.outgoing_extradition,
            row.incoming_mla,
            row.incoming_extradition,
        )
        for row in response.context["profile"].years
    ]
    assert years == [(2022, 2, 0, 0, 0), (2023, 2, 1, 1, 0)]
    html = response.content.decode()
    assert '<th scope="row">2022</th>' in html
    assert '<th scope="row">2023</th>' in html


def test_country_profile_refusal_rates(client, swiss_register):
    _login(client)
    profile = client.get(_detail("CH")).context["profile"]
    rates = {(rate.direction, rate.kind): rate for rate in profile.rates}
    outgoing_mla = rates[("outgoing", "mla")]
    # The withdrawal is no decision: one refused out of two decided.
    assert (outgoing_mla.decided, outgoing_mla.refused, outgoing_mla.percent) == (2, 1, 50.0)
    assert rates[("outgoing", "extradition")].percent == 0.0
    assert rates[("incoming", "mla")].percent == 100.0
    assert rates[("incoming", "extradition")].percent is None


def test_country_profile_refusal_grounds(client, swiss_register):
    _login(client)
    response = client.get(_detail("CH"))
    grounds = {g.code: (g.outgoing, g.incoming) for g in response.context["profile"].grounds}
    assert grounds == {"political_offence": (1, 0), "dual_criminality": (0, 1)}
    assert "Political offence" in response.content.decode()


def test_country_profile_treaties_in_force(client):
    _login(client)
    html = client.get(_detail("CH")).content.decode()
    assert "European Convention on Mutual Assistance in Criminal Matters" in html
    assert "European Convention on Extradition" in html
    assert "ECMA-1959" in html
    assert "Multilateral treaty" in html
    assert "Minsk" not in html.split("Also open to every state")[0]


def test_country_profile_treaties_of_a_cis_state(client):
    _login(client)
    profile = client.get(_detail("BY")).context["profile"]
    assert [treaty.code for treaty in profile.treaties] == ["MINSK-1993"]
    assert {treaty.code for treaty in profile.open_treaties} >= {"UNTOC", "UNCAC"}


def test_country_profile_links_to_the_register_filtered_by_country(client):
    _login(client)
    html = client.get(_detail("CH")).content.decode()
    assert f'href="{reverse("web:request_list")}?country=CH"' in html


def test_country_profile_in_russian(client):
    _login(client)
    html = client.get(_detail("CH"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Швейцария" in html
    assert "Европейская конвенция о выдаче" in html


def test_country_profile_of_a_country_without_requests(client):
    _login(client)
    response = client.get(_detail("NZ"))
    assert response.status_code == 200
    assert response.context["profile"].years == []


@pytest.mark.parametrize("code", ["XX", "ABC", "C", "zz"])
def test_country_profile_unknown_code_is_not_found(client, code):
    _login(client)
    assert client.get(_detail(code)).status_code == 404


def test_country_profile_lower_case_code_redirects(client):
    _login(client)
    response = client.get(_detail("ch"))
    assert response.status_code == 302
    assert response.url == _detail("CH")


# --- The list ---------------------------------------------------------------------------------


def test_country_list_shows_countries_with_requests_and_their_counts(client, swiss_register):
    _login(client)
    response = client.get(LIST)
    assert response.status_code == 200, response.content
    countries = {line.code: line for line in response.context["countries"]}
    assert set(countries) == {"CH", "DE"}
    swiss = countries["CH"]
    # The draft has no date but is a request with Switzerland all the same.
    assert (swiss.outgoing, swiss.incoming, swiss.refused) == (6, 1, 2)
    assert swiss.treaties == 2  # ECMA-1959 and ECE-1957
    assert [line.code for line in response.context["countries"]] == ["CH", "DE"]
    assert _detail("CH") in response.content.decode()


def test_country_list_search_by_name_and_code(client, swiss_register):
    _login(client)
    for search in ("switz", "CH", "ch", "Швейц"):
        countries = client.get(LIST, {"q": search}).context["countries"]
        assert "CH" in [line.code for line in countries], search
    assert [line.code for line in client.get(LIST, {"q": "germ"}).context["countries"]] == ["DE"]


def test_country_list_search_finds_countries_without_requests(client):
    _login(client)
    countries = client.get(LIST, {"q": "new zealand"}).context["countries"]
    assert [line.code for line in countries] == ["NZ"]


def test_country_list_all_includes_countries_without_requests(client, swiss_register):
    _login(client)
    countries = client.get(LIST, {"all": "on"}).context["countries"]
    assert len(countries) > 200
    assert countries[0].code == "CH"


def test_country_list_search_without_match(client):
    _login(client)
    response = client.get(LIST, {"q": "Atlantis"})
    assert "No country matches" in response.content.decode()


# --- Year by year -----------------------------------------------------------------------------


@pytest.fixture
def latvian_register():
    """Latvia: six of our requests executed in 2022; in 2023 one refused of eight decided."""
    for day in range(1, 7):
        make_request(
            country="LV",
            opened_on=date(2022, 1, day),
            outcome=Outcome.EXECUTED,
            decided_on=date(2022, 2, day),
        )
    for day in range(1, 9):
        make_request(
            country="LV",
            opened_on=date(2023, 1, day),
            outcome=Outcome.REFUSED if day == 1 else Outcome.EXECUTED,
            decided_on=date(2023, 1, 2 * day + 10),  # 11 to 18 days
        )
    make_request(
        country="LV",
        direction=Direction.INCOMING,
        kind=Kind.EXTRADITION,
        opened_on=date(2023, 3, 1),
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 4, 1),
    )


def _history_rows(html: str, table_id: str) -> list[list[str]]:
    table = html[html.index(f'aria-labelledby="{table_id}"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)
    return [
        [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        ]
        for row in rows[1:]
    ]


def test_country_profile_history_shows_rates_with_intervals(client, latvian_register):
    _login(client)
    response = client.get(_detail("LV"))
    html = response.content.decode()
    rows = _history_rows(html, "history-outgoing")
    assert rows == [
        ["2022", "legal assistance", "6", "6", "0", "0.0% (0.0–39.0%)", "0", "31", ""],
        ["2023", "legal assistance", "8", "8", "1", "12.5% (2.2–47.1%)", "0", "14.5", ""],
    ]
    incoming = _history_rows(html, "history-incoming")
    assert incoming == [
        ["2023", "extradition", "1", "1", "1", "100.0% (20.7–100.0%)", "0", "31", ""]
    ]


def test_country_profile_history_marks_a_change(client):
    for year, outcome in ((2022, Outcome.EXECUTED), (2023, Outcome.REFUSED)):
        for day in range(1, 7):
            make_request(
                country="LV",
                opened_on=date(year, 1, day),
                outcome=outcome,
                decided_on=date(year, 2, day),
            )
    _login(client)
    html = client.get(_detail("LV")).content.decode()
    rows = _history_rows(html, "history-outgoing")
    assert [row[0] for row in rows] == ["2022", "2023"]
    assert rows[0][-1] == ""
    assert rows[1][-1] == "↑ changed"


def test_country_profile_history_in_russian_formats_numbers(client, latvian_register):
    _login(client)
    html = client.get(_detail("LV"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    rows = _history_rows(html, "history-outgoing")
    assert rows[1][5].startswith("12,5")
    assert "2,2" in rows[1][5] and "47,1" in rows[1][5]
    assert rows[1][7] == "14,5"


def test_country_profile_history_without_requests_says_so(client):
    _login(client)
    html = client.get(_detail("NZ")).content.decode()
    assert "No requests of ours to this state yet." in html
    assert "No requests from this state yet." in html
