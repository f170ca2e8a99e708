"""The dashboard page: key figures, work awaiting action, recent activity, refusals chart."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rogatory.accounts.models import Role
from rogatory.register.models import Direction, Kind, Outcome
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("web:dashboard")


@pytest.fixture
def units():
    return UnitFactory(code="central", name="Central authority"), UnitFactory(code="north")


@pytest.fixture
def register(units):
    """Requests on 1 January of this year and last year, so that any "today" includes them."""
    central, north = units
    this_year = date(timezone.localdate().year, 1, 1)
    last_year = date(this_year.year - 1, 1, 1)
    make_request(opened_on=this_year, unit=central, reference="C-SENT")
    make_request(
        opened_on=this_year,
        outcome=Outcome.REFUSED,
        decided_on=this_year,
        grounds=("political_offence",),
        unit=central,
        reference="C-REFUSED",
    )
    make_request(
        kind=Kind.EXTRADITION,
        country="LV",
        opened_on=this_year,
        outcome=Outcome.REFUSED,
        decided_on=this_year,
        unit=north,
        reference="N-REFUSED",
    )
    make_request(opened_on=last_year, outcome=Outcome.EXECUTED, unit=central, reference="C-OLD")
    make_request(direction=Direction.INCOMING, opened_on=this_year, unit=north, reference="N-IN")
    make_request(opened_on=None, unit=north, reference="N-DRAFT")


def _stats(response) -> list[str]:
    return re.findall(r'class="stat-value">([^<]+)<', response.content.decode())


def test_dashboard_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response.url.startswith(reverse("web:login"))


@pytest.mark.parametrize("role", list(Role))
def test_dashboard_opens_for_every_role(client, role, register):
    client.force_login(UserFactory(role=role))
    response = client.get(DASHBOARD)
    assert response.status_code == 200, response.content


def test_dashboard_shows_this_years_key_figures_beside_last_years(client, register):
    client.force_login(UserFactory(role=Role.SUPERVISOR))
    response = client.get(DASHBOARD)
    figures = response.context["figures"]
    assert figures.outgoing_mla.current.opened == 2
    assert figures.outgoing_mla.current.refused == 1
    assert figures.outgoing_mla.current.refused_political == 1
    assert figures.outgoing_extradition.current.refused == 1
    assert figures.outgoing_mla.last_year.opened == 1
    assert figures.outgoing_mla.last_year.fulfilled == 1
    assert figures.incoming_mla.current.opened == 1
    # Sent, received, refused (both kinds), awaiting action (all units for a supervisor).
    assert _stats(response) == ["3", "1", "2", "3"]
    assert "1 for political reasons" in response.content.decode()


def test_dashboard_key_figures_are_the_whole_offices_for_a_clerk_too(client, register, units):
    _, north = units
    client.force_login(UserFactory(role=Role.CLERK, units=[north]))
    figures = client.get(DASHBOARD).context["figures"]
    assert figures.outgoing.current.opened == 3


def test_dashboard_awaiting_and_activity_show_only_the_clerks_units(client, register, units):
    _, north = units
    client.force_login(UserFactory(role=Role.CLERK, units=[north]))
    response = client.get(DASHBOARD)
    content = response.content.decode()
    assert response.context["awaiting"].total == 2  # N-IN received, N-DRAFT
    assert "N-DRAFT" in content and "N-IN" in content
    assert "C-SENT" not in content and "C-REFUSED" not in content


def test_dashboard_shows_nothing_of_other_units_to_a_clerk_without_requests(client, register):
    client.force_login(UserFactory(role=Role.CLERK, units=[UnitFactory(code="south")]))
    response = client.get(DASHBOARD)
    content = response.content.decode()
    assert response.context["awaiting"].total == 0
    assert response.context["activity"] == []
    for reference in ("C-SENT", "C-REFUSED", "N-REFUSED", "N-IN", "N-DRAFT"):
        assert reference not in content


def test_dashboard_activity_links_to_the_request(client, register):
    client.force_login(UserFactory(role=Role.SUPERVISOR))
    content = client.get(DASHBOARD).content.decode()
    draft = re.search(r'href="([^"]+)">N-DRAFT<', content)
    assert draft is not None
    assert client.get(draft.group(1)).status_code == 200


def test_dashboard_awaiting_links_to_the_filtered_register(client, register):
    client.force_login(UserFactory(role=Role.SUPERVISOR))
    content = client.get(DASHBOARD).content.decode()
    assert f"{reverse('web:request_list')}?status=draft" in content
    assert f"{reverse('web:request_list')}?status=sent" in content


def test_dashboard_draws_refusals_by_country_with_a_table(client, register):
    client.force_login(UserFactory(role=Role.VIEWER))
    content = client.get(DASHBOARD).content.decode()
    # The chart is an SVG image, named for screen readers by its alt text.
    assert re.search(
        r'<img class="chart-image" src="data:image/svg\+xml;base64,[^"]+" '
        r'alt="Refusals of our requests by country, [^"]+"',
        content,
    )
    table = content[content.index('class="chart-table"') :]
    assert re.search(
        r"Switzerland</th>\s*<td class=\"num\">1</td>\s*<td class=\"num\">1</td>", table
    )
    assert re.search(r"Latvia</th>\s*<td class=\"num\">1</td>\s*<td class=\"num\">0</td>", table)


def test_dashboard_without_refusals_says_so(client):
    client.force_login(UserFactory(role=Role.VIEWER))
    content = client.get(DASHBOARD).content.decode()
    assert "chart-image" not in content
    assert "No refusals of our requests have been recorded" in content


def test_dashboard_queries_do_not_grow_with_the_register(client, units):
    central, _ = units
    user = UserFactory(role=Role.CLERK, units=[central])
    client.force_login(user)
    this_year = date(timezone.localdate().year, 1, 1)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(DASHBOARD).status_code == 200
        return len(queries)

    make_request(opened_on=this_year, outcome=Outcome.REFUSED, unit=central)
    few = count_queries()
    for country in ("DE", "FR", "LV", "US", "BG"):
        for outcome in (Outcome.REFUSED, ""):
            make_request(opened_on=this_year, outcome=outcome, country=country, unit=central)
    assert count_queries() == few


def _decisions(country: str, year: int, refused: int, decided: int) -> None:
    for number in range(decided):
        make_request(
            country=country,
            opened_on=date(year, 1, 1),
            outcome=Outcome.REFUSED if number < refused else Outcome.EXECUTED,
            decided_on=date(year, 1, 1),
        )


def test_dashboard_shows_partners_whose_refusal_rate_changed(client):
    this_year = timezone.localdate().year
    _decisions("CH", this_year - 1, refused=0, decided=6)
    _decisions("CH", this_year, refused=6, decided=6)
    # Latvia refused less often, but with too few decisions to say so.
    _decisions("LV", this_year - 1, refused=4, decided=4)
    _decisions("LV", this_year, refused=0, decided=4)
    client.force_login(UserFactory(role=Role.VIEWER))
    response = client.get(DASHBOARD)
    changes = response.context["policy_changes"]
    assert [(line.country, line.kind) for line in changes] == [("CH", "mla")]
    content = response.content.decode()
    widget = content[content.index('class="card policy-changes"') :]
    widget = widget[: widget.index("</section>")]
    link = reverse("web:country_detail", args=["CH"])
    assert f'<a href="{link}">Switzerland</a>' in widget
    assert "trend-up" in widget and "↑" in widget
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", widget))
    assert "0.0% → 100.0% (61.0–100.0%)" in text
    assert "Latvia" not in widget
    assert client.get(link).status_code == 200


def test_dashboard_shows_a_fall_in_refusals_with_a_down_arrow(client):
    this_year = timezone.localdate().year
    _decisions("DE", this_year - 1, refused=6, decided=6)
    _decisions("DE", this_year, refused=0, decided=6)
    client.force_login(UserFactory(role=Role.VIEWER))
    content = client.get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    widget = content[content.index('class="card policy-changes"') :]
    assert "trend-down" in widget and "↓" in widget
    assert "Германия" in widget


def test_dashboard_without_policy_changes_says_so(client, register):
    client.force_login(UserFactory(role=Role.VIEWER))
    response = client.get(DASHBOARD)
    assert response.context["policy_changes"] == []
    assert "No state’s refusal rate of our requests has changed significantly" in (
        response.content.decode()
    )


def test_dashboard_shows_a_refusal_recorded_after_it_was_last_shown(client, figures_cache):
    client.force_login(UserFactory(role=Role.SUPERVISOR))
    this_year = date(timezone.localdate().year, 1, 1)
    make_request(opened_on=this_year, outcome=Outcome.REFUSED, decided_on=this_year, country="LV")
    first = _stats(client.get(DASHBOARD))
    assert _stats(client.get(DASHBOARD)) == first
    make_request(opened_on=this_year, outcome=Outcome.REFUSED, decided_on=this_year, country="CH")
    assert _stats(client.get(DASHBOARD)) != first
