"""`rogatory report`: the thin command over report_build and the renderers."""

import csv
import io
import json
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command, load_command_class
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from rogatory.register.models import Direction, Event, Kind, Outcome
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def register():
    make_request(
        country="CH",
        opened_on=date(2023, 2, 1),
        outcome=Outcome.REFUSED,
        grounds=("political_offence",),
        decided_on=date(2023, 3, 1),
    )
    make_request(opened_on=date(2023, 2, 1), outcome=Outcome.EXECUTED, decided_on=date(2023, 8, 1))
    make_request(kind=Kind.EXTRADITION, opened_on=date(2023, 5, 1))
    make_request(direction=Direction.INCOMING, country="AM", opened_on=date(2023, 5, 1))


def report(*args: str) -> str:
    out = io.StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def test_report_defaults_to_outgoing_text_in_english(register):
    assert report("--year", "2023") == (
        "In 2023 foreign states refused 1 request for legal assistance, for political reasons: "
        "Switzerland – 1. They fulfilled 1 request for legal assistance.\n"
    )


def test_report_text_in_russian(register):
    assert report("--year", "2023", "--lang", "ru") == (
        "В 2023 году иностранные государства отказали в исполнении 1 запроса о правовой "
        "помощи, по политическим мотивам: Швейцария — 1. Они исполнили 1 запрос о правовой "
        "помощи.\n"
    )


def test_report_json_for_a_period(register):
    document = json.loads(report("--from", "2023-01-01", "--to", "2023-06-30", "--format", "json"))
    assert document["period"] == {"from": "2023-01-01", "to": "2023-06-30"}
    assert document["direction"] == "outgoing"
    assert document["mla"]["refused_by_country"] == {"CH": 1}
    assert document["mla"]["executed"] == 0
    assert document["mla"]["pending_at_end"] == 1
    assert document["extradition"]["sent"] == 1


def test_report_json_incoming(register):
    document = json.loads(report("--year", "2023", "--direction", "incoming", "--format", "json"))
    assert document["direction"] == "incoming"
    assert document["mla"]["sent"] == 1
    assert document["extradition"]["sent"] == 0


def test_report_csv(register):
    rows = list(csv.DictReader(io.StringIO(report("--year", "2023", "--format", "csv"))))
    refused = [row for row in rows if row["kind"] == "mla" and row["figure"] == "refused"]
    assert refused == [
        {
            "direction": "outgoing",
            "period_from": "2023-01-01",
            "period_to": "2023-12-31",
            "kind": "mla",
            "figure": "refused",
            "key": "",
            "value": "1",
        }
    ]


def test_report_writes_the_output_file(register, tmp_path):
    path = tmp_path / "report.json"
    assert report("--year", "2023", "--format", "json", "--output", str(path)) == ""
    assert json.loads(path.read_text(encoding="utf-8"))["mla"]["refused"] == 1


def test_report_writes_russian_text_as_utf8(register, tmp_path):
    path = tmp_path / "report.txt"
    report("--year", "2023", "--lang", "ru", "--output", str(path))
    assert path.read_bytes().startswith("В 2023 году".encode())


def test_report_cannot_write_into_a_missing_folder(tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        report("--year", "2023", "--output", str(tmp_path / "missing" / "report.txt"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Give the period"),
        (("--from", "2023-01-01"), "Give the period"),
        (("--to", "2023-01-01"), "Give the period"),
        (("--year", "2023", "--from", "2023-01-01"), "not both"),
        (("--year", "2023", "--to", "2023-12-31"), "not both"),
        (("--from", "2023-13-01", "--to", "2023-12-31"), "--from must be a date"),
        (("--from", "2023-01-01", "--to", "31.12.2023"), "--to must be a date"),
        (("--from", "2023-12-31", "--to", "2023-01-01"), "cannot start on 2023-12-31"),
        (("--year", "0"), "is not a year"),
        (("--year", "twenty"), "invalid int value"),
        (("--year", "2023", "--format", "docx"), "invalid choice"),
        (("--year", "2023", "--as-of", "yesterday"), "is not a date and time"),
        (("--year", "2023", "--as-of", "2999-01-01"), "in the future"),
        (("--from", "2023-01-01", "--to", "2023-06-30", "--fatf"), "give --year"),
        (("--year", "2023", "--fatf", "--format", "pdf"), "come as xlsx or json"),
        (("--from", "2023-01-01", "--to", "2023-06-30", "--format", "statement"), "calendar year"),
        (("--year", "2023", "--direction", "incoming", "--format", "statement"), "calendar year"),
        (("--year", "2023", "--direction", "sideways"), "invalid choice"),
        (("--year", "2023", "--lang", "de"), "invalid choice"),
    ],
)
def test_report_rejects_bad_arguments(args, message):
    with pytest.raises(CommandError, match=message):
        report(*args)


def test_report_help_lists_only_the_formats_that_exist():
    command = load_command_class("rogatory.statistics", "report")
    text = command.create_parser("rogatory", "report").format_help()
    assert "[--year Y | --from D --to D]" not in text
    assert "--year Y" in text
    assert "{text,json,csv,xlsx,pdf,statement}" in text
    assert "--as-of DATETIME" in text


def test_report_as_of_a_moment_before_the_decision_counts_it_pending(register):
    moment = timezone.now()
    Event.objects.update(recorded_at=moment - timedelta(hours=1))
    late = make_request(
        opened_on=date(2023, 4, 1), outcome=Outcome.EXECUTED, decided_on=date(2023, 9, 1)
    )
    Event.objects.filter(request=late, type="decided").update(
        recorded_at=moment + timedelta(seconds=1)
    )
    Event.objects.filter(request=late).exclude(type="decided").update(
        recorded_at=moment - timedelta(minutes=1)
    )
    then = json.loads(report("--year", "2023", "--format", "json", "--as-of", moment.isoformat()))
    now = json.loads(report("--year", "2023", "--format", "json"))
    assert (then["mla"]["executed"], now["mla"]["executed"]) == (1, 2)
    assert then["as_of"] == moment.isoformat()
    assert "as_of" not in now


def test_report_writes_a_pdf(register, tmp_path):
    path = tmp_path / "report.pdf"
    report("--year", "2023", "--format", "pdf", "--lang", "ru", "--output", str(path))
    content = path.read_bytes()
    assert content.startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "Швейцария" in text


def test_report_writes_a_workbook(register, tmp_path):
    path = tmp_path / "report.xlsx"
    report("--year", "2023", "--format", "xlsx", "--output", str(path))
    workbook = load_workbook(path)
    assert len(workbook.sheetnames) > 3


def test_report_writes_the_fatf_workbook(register, tmp_path):
    path = tmp_path / "fatf.xlsx"
    report("--year", "2023", "--fatf", "--output", str(path))
    assert load_workbook(path).sheetnames


def test_report_prints_the_fatf_tables_as_json(register):
    tables = json.loads(report("--year", "2023", "--fatf", "--format", "json"))
    assert tables["year"] == 2023
    outgoing_mla = next(
        row for row in tables["rows"] if (row["direction"], row["kind"]) == ("outgoing", "mla")
    )
    assert (outgoing_mla["opened"], outgoing_mla["refused"]) == (2, 1)


def test_report_prints_the_statement(register):
    text = report("--year", "2023", "--format", "statement")
    assert "Switzerland" in text
    assert "T-0" not in text  # never a request reference


def test_report_refuses_to_print_a_pdf_on_a_terminal(register, monkeypatch):
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    with pytest.raises(CommandError, match="give --output FILE"):
        report("--year", "2023", "--format", "pdf")
