"""Reading register files: CSV and XLSX, row numbers, and files that cannot be read."""

from datetime import date, datetime

import pytest
from openpyxl import Workbook

from rogatory.intake.reader import RegisterFileError, register_file_open
from rogatory.intake.rows import COLUMNS
from rogatory.intake.services import ImportRejected, register_import
from rogatory.register.models import Event, Request

HEADER = "reference,direction,kind,country,sent_on,status"


def _rows(path):
    with register_file_open(path) as sheet:
        return sheet.header, list(sheet.rows)


def test_csv_rows_are_numbered_with_the_header_as_row_1_and_empty_rows_skipped(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(f"{HEADER}\nA,outgoing\n\n , ,\nB,incoming\n", encoding="utf-8")
    header, rows = _rows(path)
    assert header == tuple(HEADER.split(","))
    assert rows == [
        (2, ("A", "outgoing")),
        (
            5,
            (
                "B",
                "incoming",
            ),
        ),
    ]


def test_csv_with_byte_order_mark(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(f"{HEADER}\nR-1,outgoing,mla,CH,2023-03-01,pending\n".encode("utf-8-sig"))
    assert _rows(path)[0][0] == "reference"


@pytest.mark.django_db
def test_csv_with_byte_order_mark_imports(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(f"{HEADER}\nR-1,outgoing,mla,CH,2023-03-01,pending\n".encode("utf-8-sig"))
    assert register_import(actor=None, path=path).created == 1


def test_csv_not_utf8(tmp_path):
    path = tmp_path / "cp1251.csv"
    path.write_bytes(f"{HEADER}\nR-1,outgoing,mla,Швейцария,2023-03-01,pending\n".encode("cp1251"))
    with pytest.raises(RegisterFileError, match=r"not UTF-8 text \(row 2\)"):
        _rows(path)


def test_csv_empty(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(RegisterFileError, match="is empty"):
        _rows(path)


def test_csv_first_row_empty(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text(f",,\n{HEADER}\n", encoding="utf-8")
    with pytest.raises(RegisterFileError, match="must be the header row"):
        _rows(path)


@pytest.mark.django_db
def test_file_without_header(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("R-1,outgoing,mla,CH,2023-03-01,pending\n", encoding="utf-8")
    with pytest.raises(RegisterFileError, match="The first row is not a header"):
        register_import(actor=None, path=path)


def test_missing_file(tmp_path):
    with pytest.raises(RegisterFileError, match="does not exist"):
        _rows(tmp_path / "nowhere.csv")


def test_xlsx_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text(HEADER, encoding="utf-8")
    with pytest.raises(RegisterFileError, match="not a valid XLSX workbook"):
        _rows(path)


def test_xlsx_damaged_zip(tmp_path):
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(RegisterFileError, match="not a valid XLSX workbook"):
        _rows(path)


def test_xlsx_empty_sheet(tmp_path):
    path = tmp_path / "empty.xlsx"
    Workbook().save(path)
    with pytest.raises(RegisterFileError):
        _rows(path)


def _workbook(path, rows, *, header=COLUMNS):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append([row.get(column) for column in header])
    workbook.save(path)
    return path


def test_xlsx_rows_keep_cell_types_and_numbers(tmp_path):
    path = _workbook(
        tmp_path / "r.xlsx",
        [{"reference": "A", "sent_on": date(2023, 3, 1)}, {}, {"reference": "B", "persons": 2}],
    )
    _, rows = _rows(path)
    assert [number for number, _values in rows] == [2, 4]
    assert rows[0][1][COLUMNS.index("sent_on")] == datetime(2023, 3, 1)
    assert rows[1][1][COLUMNS.index("persons")] == 2


@pytest.mark.django_db
def test_xlsx_import_with_real_date_cells_and_number_cells(tmp_path):
    path = _workbook(
        tmp_path / "register.xlsx",
        [
            {
                "reference": 1001,
                "direction": "outgoing",
                "kind": "extradition",
                "country": "ch",
                "persons": 2.0,
                "offence_category": 1,
                "sent_on": date(2023, 3, 1),
                "received_on": datetime(2023, 3, 10, 0, 0),
                "status": "refused",
                "decided_on": datetime(2023, 6, 1),
                "refusal_grounds": "political_offence",
            },
            {
                "reference": "R-2",
                "direction": "incoming",
                "kind": "mla",
                "country": "Germany",
                "received_on": date(2023, 4, 2),
                "status": "pending",
            },
        ],
    )
    result = register_import(actor=None, path=path)
    assert (result.rows, result.created) == (2, 2)
    request = Request.objects.get(reference="1001")
    assert (request.opened_on, request.decided_on) == (date(2023, 3, 1), date(2023, 6, 1))
    assert (request.persons_count, request.offence_category_id) == (2, "01")
    assert request.political is True
    assert Event.objects.get(request=request, type="acknowledged").occurred_on == date(2023, 3, 10)
    assert Request.objects.get(reference="R-2").opened_on == date(2023, 4, 2)


@pytest.mark.django_db
def test_xlsx_errors_name_spreadsheet_rows(tmp_path):
    path = _workbook(
        tmp_path / "register.xlsx",
        [
            {
                "reference": "A",
                "direction": "outgoing",
                "kind": "mla",
                "country": "CH",
                "sent_on": date(2023, 3, 1),
                "status": "pending",
            },
            {},
            {
                "reference": "B",
                "direction": "outgoing",
                "kind": "mla",
                "country": "CH",
                "sent_on": 45000,
                "status": "pending",
            },
        ],
    )
    with pytest.raises(ImportRejected) as rejected:
        register_import(actor=None, path=path)
    assert [str(error) for error in rejected.value.errors] == [
        "row 4, column sent_on: “45000” is not a date (YYYY-MM-DD)"
    ]
