"""The report page: figures, tables by country and ground, the narrative, and downloads."""

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from rogatory.accounts.models import Role
from rogatory.register.models import Direction, Event, Kind, Outcome
from rogatory.statistics.fatf import fatf_tables
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


def _row_cells(html: str, key: str) -> list[str]:
    """Return the text of the cells of a key figure's row: this period, previous, change."""
    row = html[html.index(f'data-row="{key}"') :]
    row = row[: row.index("</tr>")]
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]


def _figure(html: str, key: str) -> str:
    marker = f'data-figure="{key}">'
    start = html.index(marker) + len(marker)
    return html[start : html.index("</td>", start)].strip()


# --- Who may see reports ----------------------------------------------------------------------


DOWNLOADS = [_download("pdf"), _download("json"), _download("csv"), _download("xlsx")]


@pytest.mark.parametrize("url", [REPORT, *DOWNLOADS])
def test_report_anonymous_is_sent_to_sign_in(client, url):
    response = client.get(url, YEAR)
    assert response.status_code == 302
    assert response.url.startswith(reverse("web:login"))


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CLERK, Role.SUPERVISOR, Role.ADMINISTRATOR])
@pytest.mark.parametrize("url", [REPORT, *DOWNLOADS])
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
    assert workbook.sheetnames[0] == "Summary"
    assert {"Refusals by country", "Refusals by ground", "Requests"} <= set(workbook.sheetnames)
    summary = {
        row[5]: (row[1], row[3])
        for row in workbook["Summary"].iter_rows(values_only=True)
        if row and len(row) > 5
    }
    assert summary["refused"] == (2, 1)
    assert summary["refused_political"] == (1, 0)
    countries = list(workbook["Refusals by country"].iter_rows(values_only=True))
    assert countries[1][:3] == ("Switzerland", "CH", 2)
    grounds = [row[1] for row in workbook["Refusals by ground"].iter_rows(values_only=True)]
    assert set(grounds) - {None, "Code"} == {
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
    assert client.get(_download("docx"), YEAR).status_code == 404


def test_report_download_wrong_period_goes_back_to_the_page(client):
    _login(client)
    response = client.get(_download("csv"), {"period_from": "2023-06-01"})
    assert response.status_code == 302
    assert response.url.startswith(REPORT)


def test_report_page_links_to_downloads_of_the_same_report(client, register):
    _login(client)
    html = client.get(REPORT, {"year": "2023", "direction": "incoming"}).content.decode()
    assert f"{_download('xlsx')}?year=2023&amp;direction=incoming" in html


# --- The published report's sections ---------------------------------------------------------


def test_report_page_shows_every_section_of_the_published_report(client, register):
    _login(client)
    response = client.get(REPORT, YEAR)
    html = response.content.decode()
    for section in (
        'id="figures"',
        'id="persons"',
        'id="countries"',
        'id="grounds"',
        'id="offences"',
        'id="months"',
        'id="time-to-decision"',
        'id="backlog"',
        'id="partners"',
        'id="charts"',
    ):
        assert section in html, section
    # Sections come in the order the PDF has them.
    positions = [html.index(f'id="{name}"') for name in ("figures", "persons", "countries")]
    assert positions == sorted(positions)
    # Charts are SVG images (data: URLs) with an accessible name: no inline SVG styles to
    # exempt from the Content Security Policy.
    assert html.count('<img class="chart-image" src="data:image/svg+xml;base64,') >= 3
    assert 'alt="Refusals by country: legal assistance and extradition"' in html
    assert "<svg role" not in html


def test_report_page_shows_each_figure_beside_the_previous_period(client, register):
    _login(client)
    html = client.get(REPORT, YEAR).content.decode()
    # Pending at the end: OM-4 and OM-OLD in 2023; OM-OLD and OM-3 (decided in 2023) in 2022.
    assert _row_cells(html, "pending_at_end")[:3] == ["2", "2", "0"]
    # Refused: OM-1 and OM-2 in 2023, none in 2022.
    assert _row_cells(html, "refused")[:3] == ["2", "0", "+2"]
    assert _row_cells(html, "refused")[3:] == ["1", "0", "+1"]
    figures = html[html.index('id="figures"') :]
    assert '<th scope="col" class="num previous">2022</th>' in figures


def test_report_page_shows_persons_and_treaty_articles(client, register):
    _login(client)
    html = client.get(REPORT, YEAR).content.decode()
    assert _figure(html, "persons.granted") == "2"
    assert _figure(html, "persons.refused") == "1"
    grounds = html[html.index('id="grounds"') : html.index('id="offences"')]
    assert "ECMA-1959" in grounds


def test_report_page_links_to_the_pdf_of_the_same_report(client, register):
    _login(client)
    html = client.get(REPORT, {"year": "2023", "direction": "incoming"}).content.decode()
    assert f"{_download('pdf')}?year=2023&amp;direction=incoming" in html
    assert "Download PDF" in html


# --- As known at a moment ---------------------------------------------------------------------


@pytest.fixture
def late_decision(register):
    """Every event recorded an hour ago, but one refusal recorded a moment after `moment`."""
    moment = timezone.now().replace(microsecond=0) - timedelta(minutes=5)
    Event.objects.update(recorded_at=moment - timedelta(hours=1))
    late = make_request(
        country="TR", opened_on=date(2023, 3, 1), outcome=Outcome.REFUSED, reference="OM-LATE"
    )
    Event.objects.filter(request=late).exclude(type="decided").update(
        recorded_at=moment - timedelta(minutes=1)
    )
    Event.objects.filter(request=late, type="decided").update(
        recorded_at=moment + timedelta(seconds=1)
    )
    return moment


def _moment_text(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M:%S")


def test_report_page_as_known_at_a_moment(client, late_decision):
    _login(client)
    now = client.get(REPORT, YEAR)
    assert now.context["report"].mla.refused == 3
    then = client.get(REPORT, {**YEAR, "as_of": _moment_text(late_decision)})
    assert then.status_code == 200, then.content
    assert then.context["report"].as_of == late_decision
    assert then.context["report"].mla.refused == 2
    html = then.content.decode()
    assert _figure(html, "mla.refused") == "2"
    assert 'class="report-as-of"' in html
    assert "Figures as known at" in html
    assert "Figures as known at" not in now.content.decode()
    # Downloads and links keep the moment.
    assert f"as_of={_moment_text(late_decision).replace(':', '%3A')}" in html


def test_report_as_of_without_a_time_zone_is_in_the_servers(client, register, settings):
    settings.TIME_ZONE = "Europe/Moscow"  # UTC+3 all year
    _login(client)
    response = client.get(REPORT, {**YEAR, "as_of": "2024-01-15T12:00"})
    assert response.status_code == 200, response.content
    assert response.context["report"].as_of == datetime(2024, 1, 15, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("typed", ["2999-01-01T09:30", "the day before", "2023-02-30T10:00"])
def test_report_as_of_in_the_future_or_wrong_is_an_error_that_keeps_the_input(client, typed):
    _login(client)
    response = client.get(REPORT, {**YEAR, "as_of": typed})
    assert response.status_code == 200
    assert "report" not in response.context
    assert "as_of" in response.context["form"].errors
    html = response.content.decode()
    assert 'class="form-errors"' in html
    assert f'value="{typed}"' in html


def test_report_as_of_future_message_says_why(client):
    _login(client)
    response = client.get(REPORT, {**YEAR, "as_of": "2999-01-01T09:30"})
    assert "in the future" in response.context["form"].errors["as_of"][0]


def test_report_as_of_before_the_period_is_explained(client, register):
    _login(client)
    response = client.get(REPORT, {**YEAR, "as_of": "2022-06-01T00:00"})
    assert response.status_code == 200
    assert "report" not in response.context
    assert 'class="form-errors"' in response.content.decode()


# --- PDF download -----------------------------------------------------------------------------


def _pdf_text(content: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split()
    )


def test_report_download_pdf(client, register):
    _login(client)
    response = client.get(_download("pdf"), YEAR)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="rogatory-report-2023-outgoing.pdf"'
    )
    assert response.content.startswith(b"%PDF-")
    text = _pdf_text(response.content)
    assert "Outgoing requests: 2023" in text
    assert "Switzerland" in text


def test_report_download_pdf_in_russian(client, register):
    _login(client)
    response = client.get(_download("pdf"), YEAR, HTTP_ACCEPT_LANGUAGE="ru")
    text = _pdf_text(response.content)
    assert "Исходящие запросы: 2023" in text
    assert "Швейцария" in text


def test_report_download_pdf_as_known_at_a_moment(client, late_decision):
    _login(client)
    moment = _moment_text(late_decision)
    response = client.get(_download("pdf"), {**YEAR, "as_of": moment})
    assert response["Content-Type"] == "application/pdf"
    stamp = timezone.localtime(late_decision).strftime("%Y%m%dT%H%M")
    assert response["Content-Disposition"] == (
        f'attachment; filename="rogatory-report-2023-outgoing-as-of-{stamp}.pdf"'
    )
    assert "Figures as known at" in _pdf_text(response.content)


def test_report_download_pdf_of_a_future_moment_goes_back_to_the_page(client):
    _login(client)
    response = client.get(_download("pdf"), {**YEAR, "as_of": "2999-01-01T00:00"})
    assert response.status_code == 302
    assert response.url.startswith(REPORT)


def _fatf_cells(html: str, key: str) -> list[str]:
    row = re.search(rf'data-fatf="{re.escape(key)}">(.*?)</tr>', html, re.DOTALL)
    assert row, key
    return re.findall(r'<td class="num">([^<]*)</td>', row.group(1))


def test_report_page_of_a_year_shows_the_fatf_tables(client, register):
    _login(client)
    html = client.get(REPORT, YEAR).content.decode()
    tables = fatf_tables(year=2023, language="en")
    for row in tables.rows:
        median = row.median_execution_days
        assert _fatf_cells(html, f"{row.direction}.{row.kind}") == [
            str(row.opened),
            str(row.granted),
            str(row.refused),
            str(row.withdrawn),
            str(row.pending_at_end),
            "—" if median is None else f"{median:g}",
        ]
    outgoing_mla = next(
        row for row in tables.rows if row.direction == "outgoing" and row.kind == "mla"
    )
    assert (outgoing_mla.refused, outgoing_mla.granted) == (2, 1)
    assert 'data-fatf-offence="outgoing.mla.none"' in html
    assert reverse("web:report_fatf") in html


def test_report_page_of_a_period_leaves_the_fatf_tables_out(client, register):
    _login(client)
    response = client.get(
        REPORT, {"period_from": "2023-01-01", "period_to": "2023-06-30", "direction": "outgoing"}
    )
    assert response.status_code == 200
    assert b'id="fatf"' not in response.content


def test_fatf_download_is_the_workbook_of_the_year(client, register):
    _login(client)
    response = client.get(reverse("web:report_fatf"), YEAR)
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="rogatory-fatf-2023.xlsx"'
    assert load_workbook(io.BytesIO(response.content)).sheetnames


def test_fatf_download_of_a_period_asks_for_a_year(client, register):
    _login(client)
    query = {"period_from": "2023-01-01", "period_to": "2023-06-30", "direction": "outgoing"}
    response = client.get(reverse("web:report_fatf"), query, follow=True)
    assert response.redirect_chain[-1][0].startswith(REPORT)
    assert "choose a year" in response.content.decode()


def test_fatf_download_needs_a_signed_in_user(client, register):
    response = client.get(reverse("web:report_fatf"), YEAR)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_report_page_is_counted_once_until_the_register_changes(client, register, figures_cache):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(UserFactory(role=Role.VIEWER))

    def page() -> str:
        # Every response carries a fresh CSRF token.
        return re.sub(r"[A-Za-z0-9]{64}", "", client.get(REPORT, YEAR).content.decode())

    with CaptureQueriesContext(connection) as counted:
        first = page()
    with CaptureQueriesContext(connection) as cached:
        assert page() == first
    assert len(cached) < len(counted) / 2
    # Not even the years the form offers are counted again: on a million requests, a scan.
    assert not [query for query in cached if "register_request" in query["sql"]]
    make_request(
        country="EE",
        opened_on=date(2023, 4, 1),
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 5, 1),
        grounds=("dual_criminality",),
    )
    assert "Estonia" not in first
    assert "Estonia" in page()
