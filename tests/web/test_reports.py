"""The report page: figures, tables by country and ground, the narrative, and downloads."""

import csv
import io
import json
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from rogatory.accounts.models import Role
from rogatory.register.models import Direction, Kind, Outcome
from rogatory.statistics.narrative import report_narrative
from rogatory.statistics.selectors import report_build
from rogatory.statistics.xlsx import XLSX_CONTENT_TYPE
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

REPORT = reverse("web:report")
YEAR = {"year": "2023", "direction": "outgoing"}


def _download(format: str) -> str:
    return reverse("web:report_download", args=[format])


@pytest.fixture
def register():
    """A small register: five outgoing decisions in 2023, one incoming, one in 2022."""
    other = UnitFactory(code="other")
    make_request(
        country="CH",
        opened_on=date(2023, 1, 10),
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 3, 1),
        grounds=("political_offence",),
        political=True,
        political_reason="Test",
        reference="OM-1",
    )
    make_request(
        country="CH",
        opened_on=date(2023, 2, 1),
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 6, 1),
        grounds=("dual_criminality", "statute_of_limitations"),
        reference="OM-2",
        unit=other,
    )
    make_request(
        country="DE",
        opened_on=date(2022, 11, 1),
        outcome=Outcome.EXECUTED,
        decided_on=date(2023, 2, 1),
        reference="OM-3",
    )
    make_request(
        kind=Kind.EXTRADITION,
        country="LV",
        opened_on=date(2023, 4, 1),
        outcome=Outcome.GRANTED,
        decided_on=date(2023, 9, 1),
        persons_count=2,
        reference="OE-1",
    )
    make_request(
        kind=Kind.EXTRADITION,
        country="LV",
        opened_on=date(2023, 5, 1),
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 10, 1),
        grounds=("own_national",),
        reference="OE-2",
    )
    make_request(opened_on=date(2023, 7, 1), reference="OM-4")
    make_request(
        direction=Direction.INCOMING,
        country="BY",
        opened_on=date(2023, 5, 5),
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 8, 1),
        reference="IM-1",
    )
    make_request(country="FR", opened_on=date(2022, 3, 1), reference="OM-OLD")


def _login(client, role=Role.VIEWER, **kwargs):
    user = UserFactory(role=role, **kwargs)
    client.force_login(user)
    return user


def _figure(html: str, key: str) -> str:
    marker = f'data-figure="{key}">'
    start = html.index(marker) + len(marker)
    return html[start : html.index("</td>", start)].strip()


# --- Who may see reports ----------------------------------------------------------------------


@pytest.mark.parametrize("url", [REPORT, _download("json"), _download("csv"), _download("xlsx")])
def test_report_anonymous_is_sent_to_sign_in(client, url):
    response = client.get(url, YEAR)
    assert response.status_code == 302
    assert response.url.startswith(reverse("web:login"))


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CLERK, Role.SUPERVISOR, Role.ADMINISTRATOR])
@pytest.mark.parametrize("url", [REPORT, _download("json"), _download("csv"), _download("xlsx")])
def test_report_every_role_may_see_and_download(client, role, url):
    _login(client, role)
    response = client.get(url, YEAR)
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CLERK])
def test_report_counts_other_units_requests_too(client, register, role):
    # Reports are office-wide statistics without personal data: a unit's own staff see them whole.
    _login(client, role, units=[UnitFactory(code="elsewhere")])
    response = client.get(REPORT, YEAR)
    assert response.context["report"].mla.refused == 2


# --- Figures ----------------------------------------------------------------------------------


def test_report_page_shows_exact_figures(client, register):
    _login(client)
    response = client.get(REPORT, YEAR)
    assert response.status_code == 200, response.content
    report = response.context["report"]
    assert (report.mla.sent, report.mla.executed, report.mla.refused) == (3, 1, 2)
    assert report.mla.refused_political == 1
    assert report.mla.pending_at_end == 2  # OM-4 and OM-OLD
    assert (report.extradition.sent, report.extradition.granted) == (2, 1)
    assert (report.extradition.granted_persons, report.extradition.refused) == (2, 1)
    html = response.content.decode()
    expected = {
        "mla.sent": "3",
        "mla.executed": "1",
        "mla.fulfilled": "1",
        "mla.refused": "2",
        "mla.refused_political": "1",
        "mla.pending_at_end": "2",
        "extradition.granted_persons": "2",
        "extradition.refused": "1",
        "extradition.refused_persons": "1",
    }
    for key, value in expected.items():
        assert _figure(html, key) == value, key
    # The figure a kind does not have is marked, not shown as zero.
    assert "Not applicable" in _figure(html, "mla.granted")


def test_report_page_labels_each_figure(client, register):
    _login(client)
    html = client.get(REPORT, YEAR).content.decode()
    for label in (
        "Sent",
        "Executed",
        "Fulfilled (executed in full or in part)",
        "Refused for political reasons",
        "Pending at the end of the period",
        "Median days to decision",
    ):
        assert label in html


def test_report_page_tables_by_country_and_ground(client, register):
    _login(client)
    response = client.get(REPORT, YEAR)
    countries = {line.code: line for line in response.context["countries"]}
    assert set(countries) == {"CH", "LV"}
    assert (countries["CH"].mla_refused, countries["CH"].mla_political) == (2, 1)
    assert countries["LV"].extradition_refused == 1
    assert [line.code for line in response.context["countries"]] == ["CH", "LV"]
    grounds = {line.code: (line.mla, line.extradition) for line in response.context["grounds"]}
    assert grounds == {
        "political_offence": (1, 0),
        "dual_criminality": (1, 0),
        "statute_of_limitations": (1, 0),
        "own_national": (0, 1),
    }
    html = response.content.decode()
    assert "Switzerland" in html
    assert "Latvia" in html
    # Each refusal count leads to those requests in the register.
    assert (
        f"{reverse('web:request_list')}?country=CH&amp;direction=outgoing&amp;kind=mla"
        "&amp;status=refused" in html
    )


def test_report_page_incoming_direction(client, register):
    _login(client)
    response = client.get(REPORT, {"year": "2023", "direction": "incoming"})
    report = response.context["report"]
    assert report.direction == "incoming"
    assert (report.mla.sent, report.mla.refused) == (1, 1)
    assert "Incoming requests" in response.content.decode()


def test_report_page_period_from_to(client, register):
    _login(client)
    response = client.get(
        REPORT, {"period_from": "2023-01-01", "period_to": "2023-03-31", "direction": "outgoing"}
    )
    report = response.context["report"]
    assert (report.period_from, report.period_to) == (date(2023, 1, 1), date(2023, 3, 31))
    assert (report.mla.refused, report.mla.executed) == (1, 1)


def test_report_page_dates_take_the_place_of_the_year(client, register):
    _login(client)
    response = client.get(
        REPORT, {"year": "2022", "period_from": "2023-06-01", "period_to": "2023-06-30"}
    )
    assert response.context["report"].period_from == date(2023, 6, 1)


@pytest.mark.parametrize(
    "params",
    [
        {"period_from": "2023-06-01"},
        {"period_from": "2023-06-30", "period_to": "2023-06-01"},
        {"period_from": "yesterday", "period_to": "2023-06-01"},
        {"year": "12"},
        {"direction": "sideways"},
    ],
)
def test_report_page_wrong_period_is_explained(client, params):
    _login(client)
    response = client.get(REPORT, params)
    assert response.status_code == 200
    assert "report" not in response.context
    assert 'class="form-errors"' in response.content.decode()


def test_report_page_opens_on_the_last_whole_year_with_requests(client, register):
    _login(client)
    response = client.get(REPORT)
    assert response.context["report"].period_from == date(2023, 1, 1)
    assert response.context["report"].direction == "outgoing"


def test_report_page_of_an_empty_register(client):
    _login(client)
    response = client.get(REPORT, YEAR)
    assert response.status_code == 200
    assert "No refusals in this period." in response.content.decode()


# --- The narrative ----------------------------------------------------------------------------


def test_report_page_narrative_in_english(client, register):
    _login(client)
    response = client.get(REPORT, YEAR, HTTP_ACCEPT_LANGUAGE="en")
    report = report_build(
        period_from=date(2023, 1, 1), period_to=date(2023, 12, 31), direction="outgoing"
    )
    narrative = report_narrative(report, language="en")
    assert narrative.startswith("In 2023 foreign states refused 2 requests for legal assistance")
    html = response.content.decode()
    assert f'<div class="narrative" lang="en">{narrative}</div>' in html


def test_report_page_narrative_in_russian(client, register):
    _login(client)
    response = client.get(REPORT, YEAR, HTTP_ACCEPT_LANGUAGE="ru")
    report = report_build(
        period_from=date(2023, 1, 1), period_to=date(2023, 12, 31), direction="outgoing"
    )
    narrative = report_narrative(report, language="ru")
    assert narrative.startswith("В 2023 году")
    html = response.content.decode()
    assert f'<div class="narrative" lang="ru">{narrative}</div>' in html
    assert "Швейцария" in html


def test_report_page_narrative_follows_the_language_cookie(client, register, settings):
    _login(client)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    html = client.get(REPORT, YEAR).content.decode()
    assert '<div class="narrative" lang="ru">В 2023 году' in html


# --- Downloads --------------------------------------------------------------------------------


def test_report_download_json(client, register):
    _login(client)
    response = client.get(_download("json"), YEAR)
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == (
        'attachment; filename="rogatory-report-2023-outgoing.json"'
    )
    document = json.loads(response.content)
    assert document["period"] == {"from": "2023-01-01", "to": "2023-12-31"}
    assert document["mla"]["refused_by_country"] == {"CH": 2}
    assert document["extradition"]["granted_persons"] == 2


def test_report_download_csv(client, register):
    _login(client)
    response = client.get(_download("csv"), YEAR)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="rogatory-report-2023-outgoing.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    refused = [row for row in rows if row["kind"] == "mla" and row["figure"] == "refused"]
    assert refused[0]["value"] == "2"


def test_report_download_xlsx(client, register):
    _login(client)
    response = client.get(_download("xlsx"), YEAR)
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == (
        'attachment; filename="rogatory-report-2023-outgoing.xlsx"'
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Summary", "Refusals by country", "Refusals by ground"]
    summary = {
        row[3]: row[1:3]
        for row in workbook["Summary"].iter_rows(values_only=True)
        if row and len(row) > 3
    }
    assert summary["refused"] == (2, 1)
    assert summary["refused_political"] == (1, 0)
    countries = list(workbook["Refusals by country"].iter_rows(values_only=True))
    assert countries[1][:3] == ("Switzerland", "CH", 2)
    grounds = [
        row[1] for row in workbook["Refusals by ground"].iter_rows(min_row=2, values_only=True)
    ]
    assert set(grounds) == {
        "political_offence",
        "dual_criminality",
        "statute_of_limitations",
        "own_national",
    }


def test_report_download_xlsx_in_russian_names_countries_in_russian(client, register):
    _login(client)
    response = client.get(_download("xlsx"), YEAR, HTTP_ACCEPT_LANGUAGE="ru")
    workbook = load_workbook(io.BytesIO(response.content))
    countries = list(workbook.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert countries[0][0] == "Швейцария"


def test_report_download_of_a_period_names_both_dates(client, register):
    _login(client)
    response = client.get(
        _download("csv"),
        {"period_from": "2023-01-01", "period_to": "2023-06-30", "direction": "incoming"},
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="rogatory-report-2023-01-01-2023-06-30-incoming.csv"'
    )


def test_report_download_unknown_format_is_not_found(client):
    _login(client)
    assert client.get(_download("pdf"), YEAR).status_code == 404


def test_report_download_wrong_period_goes_back_to_the_page(client):
    _login(client)
    response = client.get(_download("csv"), {"period_from": "2023-06-01"})
    assert response.status_code == 302
    assert response.url.startswith(REPORT)


def test_report_page_links_to_downloads_of_the_same_report(client, register):
    _login(client)
    html = client.get(REPORT, {"year": "2023", "direction": "incoming"}).content.decode()
    assert f"{_download('xlsx')}?year=2023&amp;direction=incoming" in html
