"""The published report through the API: figures as known at a moment, every table, files."""

import io
from datetime import date, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from rogatory.register import services
from rogatory.register.models import Event, Kind, Outcome
from rogatory.statistics.fatf import fatf_tables
from rogatory.statistics.publication import publication_as_dict, publication_build
from rogatory.statistics.selectors import report_build
from tests.register.factories import make_request

from .conftest import API, assert_error

pytestmark = pytest.mark.django_db

YEAR = {"period_from": date(2023, 1, 1), "period_to": date(2023, 12, 31)}


@pytest.fixture
def register(own_unit):
    refused = make_request(
        unit=own_unit,
        country="CH",
        opened_on=date(2023, 2, 1),
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 5, 1),
        grounds=("political_offence",),
    )
    make_request(
        unit=own_unit,
        kind=Kind.EXTRADITION,
        country="LV",
        opened_on=date(2023, 3, 1),
        outcome=Outcome.GRANTED,
        decided_on=date(2023, 8, 1),
        persons_count=2,
    )
    return refused


def test_report_as_of_a_moment_gives_the_figure_published_then(clerk_client, register):
    published = timezone.now() - timedelta(minutes=10)
    Event.objects.update(recorded_at=published - timedelta(hours=1))
    services.request_reopen(
        actor=None, request=register, reopened_on=date(2023, 6, 1), reason="Appeal."
    )
    services.request_record_decision(
        actor=None, request=register, outcome=Outcome.EXECUTED, decided_on=date(2023, 7, 1)
    )

    then = clerk_client.get(f"{API}/report", {"year": 2023, "as_of": published.isoformat()})
    now = clerk_client.get(f"{API}/report", {"year": 2023})

    assert then.status_code == 200, then.content
    assert (then.json()["mla"]["refused"], now.json()["mla"]["refused"]) == (1, 0)
    # JSON gives the moment to the millisecond.
    moment = datetime.fromisoformat(then.json()["as_of"].replace("Z", "+00:00"))
    assert abs(moment - published) < timedelta(milliseconds=1)
    assert "as_of" not in now.json()


@pytest.mark.parametrize("as_of", ["yesterday", "2999-01-01", "2023-02-30"])
def test_report_refuses_a_moment_that_is_wrong_or_to_come(clerk_client, register, as_of):
    response = clerk_client.get(f"{API}/report", {"year": 2023, "as_of": as_of})
    assert_error(response, 422, field="as_of")


def test_report_publication_is_every_figure_of_the_report_page(clerk_client, register):
    response = clerk_client.get(f"{API}/report/publication", {"year": 2023, "lang": "ru"})

    assert response.status_code == 200, response.content
    body = response.json()
    expected = publication_as_dict(publication_build(**YEAR, direction="outgoing", language="ru"))
    assert body == expected
    assert body["report"] == report_build(**YEAR, direction="outgoing").as_dict()
    assert body["previous"]["period"] == {"from": "2022-01-01", "to": "2022-12-31"}
    assert body["persons"]["persons_granted"] == 2
    assert [curve["key"] for curve in body["time_to_decision"]["by_kind"]] == [
        "mla",
        "extradition",
    ]
    assert body["countries"][0]["name"] == "Швейцария"


def test_report_publication_refuses_a_period_before_1900(clerk_client, register):
    response = clerk_client.get(f"{API}/report/publication", {"year": 1})
    assert_error(response, 422, field="from")


@pytest.mark.parametrize(
    ("format", "content_type"),
    [
        ("pdf", "application/pdf"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("csv", "text/csv; charset=utf-8"),
        ("statement", "text/plain; charset=utf-8"),
    ],
)
def test_report_file_in_each_format(clerk_client, register, format, content_type):
    response = clerk_client.get(f"{API}/report/file", {"year": 2023, "format": format})

    assert response.status_code == 200, response.content
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith(
        'attachment; filename="rogatory-report-2023-01-01-2023-12-31-outgoing.'
    )


def test_report_file_pdf_is_the_report_in_the_language_asked(clerk_client, register):
    response = clerk_client.get(f"{API}/report/file", {"year": 2023, "lang": "ru"})
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Швейцария" in text


def test_report_file_statement_needs_a_calendar_year(clerk_client, register):
    response = clerk_client.get(
        f"{API}/report/file", {"from": "2023-01-01", "to": "2023-06-30", "format": "statement"}
    )
    assert_error(response, 422, field="year")


def test_report_file_refuses_an_unknown_format(clerk_client, register):
    response = clerk_client.get(f"{API}/report/file", {"year": 2023, "format": "docx"})
    assert_error(response, 422)


def test_report_fatf_as_json_equals_the_tables(clerk_client, register):
    response = clerk_client.get(f"{API}/report/fatf", {"year": 2023})

    assert response.status_code == 200, response.content
    tables = fatf_tables(year=2023, language="en")
    rows = {(row["direction"], row["kind"]): row for row in response.json()["rows"]}
    for row in tables.rows:
        assert rows[(row.direction, row.kind)]["refused"] == row.refused
        assert rows[(row.direction, row.kind)]["granted"] == row.granted
    assert rows[("outgoing", "mla")]["refused"] == 1


def test_report_fatf_as_a_workbook(clerk_client, register):
    response = clerk_client.get(f"{API}/report/fatf", {"year": 2023, "format": "xlsx"})
    assert response["Content-Disposition"] == 'attachment; filename="rogatory-fatf-2023.xlsx"'
    assert load_workbook(io.BytesIO(response.content)).sheetnames


@pytest.mark.parametrize("path", ["report/publication", "report/file", "report/fatf"])
def test_report_endpoints_need_a_token_or_a_session(register, path):
    response = Client().get(f"{API}/{path}", {"year": 2023})
    assert_error(response, 401)
