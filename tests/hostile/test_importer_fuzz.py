"""Hostile register files: every one ends in a clear rejection or a correct import.

The register import (`rogatory.intake.services.register_import`, which the command line, the
API and the web pages all call) is given random bytes, damaged CSV, wrong encodings, huge
cells, a header of a million columns, rows with cells missing or extra, valid registers with
one cell changed, and XLSX files that are damaged zips or zips of something else. Whatever it
gets, it either imports correctly or raises an `ApplicationError` whose message says what is
wrong and where, having written nothing: no request, event, person, ground or audit record.
Any other exception fails the test.

Hypothesis runs derandomised (the same examples on every run), so CI is reproducible.
"""

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from rogatory.audit.models import AuditRecord
from rogatory.core.exceptions import ApplicationError
from rogatory.intake.reader import RegisterFileError
from rogatory.intake.rows import COLUMNS
from rogatory.intake.services import ImportRejected, ImportResult, register_import
from rogatory.register.models import Event, Person, Request, RequestGround

from .tally import tally

pytestmark = pytest.mark.django_db

MODULE = "importer fuzz"
FUZZ = settings(
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
# A wrong row is reported as "row N, column C: what is wrong".
ROW_ERROR = re.compile(r"^row \d+, column .+: .+", re.DOTALL)

VALID_ROWS: list[dict[str, Any]] = [
    {
        "reference": "FZ-1",
        "direction": "outgoing",
        "kind": "mla",
        "country": "CH",
        "sent_on": "2023-03-01",
        "status": "pending",
        "notes": "Банковские выписки",
    },
    {
        "reference": "FZ-2",
        "direction": "incoming",
        "kind": "extradition",
        "country": "Germany",
        "counterpart_authority": "Bundesamt für Justiz",
        "legal_basis": "ECE-1957",
        "purpose": "sentence",
        "persons": "2",
        "offence_category": "3",
        "offence_description": "Мошенничество",
        "received_on": "2023-04-02",
        "status": "refused",
        "decided_on": "2023-09-30",
        "refusal_grounds": "political_offence;dual_criminality",
        "political": "yes",
    },
    {
        "reference": "FZ-3",
        "direction": "outgoing",
        "kind": "mla",
        "country": "us",
        "sent_on": "2022-12-01",
        "received_on": "2022-12-20",
        "status": "executed",
        "decided_on": "2023-05-05",
        "money_laundering": "yes",
    },
]
TEXT_COLUMNS = ("reference", "counterpart_authority", "offence_description", "notes")

# Values that have broken parsers before: dates that are not, numbers that overflow, blanks.
AWKWARD_VALUES = [
    "",
    " ",
    "0",
    "-1",
    "1e30",
    "1e400",
    "nan",
    "inf",
    "-0",
    "2147483648",
    "99999999999999999999",
    "0.5",
    "2023-02-30",
    "0000-01-01",
    "9999-12-31",
    "2023-13-01",
    "23-03-01",
    "2023-03-01T00:00",
    "yes",
    "YES",
    "no ",
    "true",
    "pending",
    "refused",
    "REFUSED",
    "outgoing",
    "extradition",
    "CH",
    "ch",
    "XX",
    "United States",
    "dual_criminality;;",
    ";",
    "١٢",
    "²",
    "'; DROP TABLE register_request; --",
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "line\nbreak",
    "line\rbreak",
    "\u2028",
    "\ufeff",
    "\ud7ff\ue000",
    '=HYPERLINK("http://x")',
    "x" * 101,
    "x" * 301,
    "я" * 100,
    "😀" * 100,
]


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (Request, Event, Person, RequestGround, AuditRecord)
    )


def _import(
    path: Path, what: str, *, then: Callable[[], None] | None = None
) -> ImportResult | ApplicationError:
    """Import `path` and undo it; return the result, or the error after checking it wrote nothing.

    `then` checks what a successful import wrote, before it is undone. Any exception other
    than an `ApplicationError` escapes and fails the test.
    """
    tally(MODULE, what)
    tally(MODULE, "inputs in all")
    before = _counts()
    with transaction.atomic():
        try:
            outcome: ImportResult | ApplicationError = register_import(actor=None, path=path)
        except ApplicationError as error:
            assert error.message.strip(), f"{type(error).__name__} without a message"
            if isinstance(error, ImportRejected):
                assert error.errors
                for line in error.extra["errors"]:
                    assert ROW_ERROR.match(line), line
            else:
                assert isinstance(error, RegisterFileError), repr(error)
                assert path.name in error.message or "header" in error.message, error.message
            assert _counts() == before, "a rejected import wrote something"
            tally(MODULE, "rejected cleanly")
            outcome = error
        else:
            assert _counts() != before or outcome.rows == 0 or outcome.unchanged, outcome
            if then is not None:
                then()
            tally(MODULE, "imported")
        transaction.set_rollback(True)
    return outcome


def _csv_bytes(rows: list[dict[str, Any]], columns: tuple[str, ...] = COLUMNS) -> bytes:
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(column) is None else row.get(column) for column in columns])
    return stream.getvalue().encode("utf-8")


def _xlsx_bytes(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


VALID_CSV = _csv_bytes(VALID_ROWS)
VALID_XLSX = _xlsx_bytes(
    [list(COLUMNS), *([row.get(column) for column in COLUMNS] for row in VALID_ROWS)]
)


def _write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_the_valid_register_imports(tmp_path):
    """The registers the other tests damage are themselves valid, in both formats."""
    for name, content in (("valid.csv", VALID_CSV), ("valid.xlsx", VALID_XLSX)):
        result = _import(_write(tmp_path, name, content), "valid registers")
        assert isinstance(result, ImportResult), result
        assert result.created == len(VALID_ROWS)


# --- Random bytes ------------------------------------------------------------------------------

_SUFFIXES = st.sampled_from(["register.csv", "register.xlsx", "register.xls", "register", "r.txt"])


@settings(FUZZ, max_examples=120)
@given(
    content=st.one_of(
        st.binary(max_size=4000),
        st.binary(max_size=2000).map(lambda tail: b"PK\x03\x04" + tail),
        st.binary(max_size=2000).map(lambda tail: VALID_CSV[:120] + tail),
        st.binary(max_size=2000).map(lambda tail: codecs.BOM_UTF8 + tail),
    ),
    name=_SUFFIXES,
)
def test_random_bytes(tmp_path_factory, content, name):
    result = _import(_write(tmp_path_factory.mktemp("bytes"), name, content), "random bytes")
    assert isinstance(result, ApplicationError | ImportResult)


# --- Damaged CSV -------------------------------------------------------------------------------

_DAMAGE = [
    b'"',
    b'""',
    b"\x00",
    b"\r",
    b"\r\n",
    b"\n",
    b"\n\n\n",
    b",",
    b",,,,,,",
    codecs.BOM_UTF8,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
    b"\xff\xfe",
    b"\xc3",  # the first byte of a two-byte character, alone
    b"\xed\xa0\x80",  # a UTF-16 surrogate written as UTF-8, which UTF-8 forbids
    b"\xf4\x90\x80\x80",  # beyond U+10FFFF
    b"\xc0\xaf",  # an overlong "/"
    b"\x1a",
    b"\\",
    b"\t",
    b"\xe2\x80\xa8",  # U+2028 LINE SEPARATOR
]


@st.composite
def damaged_csv(draw) -> bytes:
    content = bytearray(draw(st.sampled_from([VALID_CSV, VALID_CSV.replace(b"\n", b"\r\n")])))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(content)))
        operation = draw(st.sampled_from(["insert", "delete", "replace", "duplicate line"]))
        if operation == "insert":
            content[position:position] = draw(st.sampled_from(_DAMAGE))
        elif operation == "delete":
            del content[position : position + draw(st.integers(1, 40))]
        elif operation == "replace" and position < len(content):
            content[position] = draw(st.integers(0, 255))
        else:
            lines = bytes(content).split(b"\n")
            line = lines[draw(st.integers(0, len(lines) - 1))]
            lines.insert(draw(st.integers(0, len(lines))), line)
            content = bytearray(b"\n".join(lines))
    return bytes(content)


@settings(FUZZ, max_examples=150)
@given(content=damaged_csv())
def test_damaged_csv(tmp_path_factory, content):
    _import(_write(tmp_path_factory.mktemp("csv"), "register.csv", content), "damaged CSV")


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(VALID_CSV.replace(b"FZ-1", b'"FZ-1'), id="unbalanced-quote"),
        pytest.param(VALID_CSV.replace(b"FZ-1", b'F"Z-1'), id="quote-inside-a-field"),
        pytest.param(VALID_CSV.replace(b"FZ-1", b"FZ\x00-1"), id="nul-in-a-cell"),
        pytest.param(VALID_CSV.replace(b"\n", b"\r", 2), id="mixed-line-endings"),
        pytest.param(VALID_CSV.replace(b"\n", b"\r"), id="old-mac-line-endings"),
        pytest.param(codecs.BOM_UTF8 * 2 + VALID_CSV, id="two-byte-order-marks"),
        pytest.param(VALID_CSV.replace(b"FZ-2", codecs.BOM_UTF8 + b"FZ-2"), id="bom-inside"),
        pytest.param(b"\x00" * 5000, id="only-nuls"),
        pytest.param(b"\n" * 5000, id="only-line-breaks"),
        pytest.param(b'"' * 5000, id="only-quotes"),
        pytest.param(b"reference,direction\n" + b'"' + b"a" * 5000, id="quote-never-closed"),
    ],
)
def test_damaged_csv_examples(tmp_path, content):
    result = _import(_write(tmp_path, "register.csv", content), "damaged CSV")
    if isinstance(result, ImportResult):
        # Only a damage the reader may mend (line endings) can still import.
        assert result.rows == len(VALID_ROWS)


# --- Wrong encodings ---------------------------------------------------------------------------

_ENCODINGS = ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1251", "latin-1", "koi8-r", "cp1252"]


@pytest.mark.parametrize("encoding", _ENCODINGS)
def test_wrong_encoding_is_rejected_naming_the_file(tmp_path, encoding):
    text = VALID_CSV.decode("utf-8")
    content = text.encode(encoding, errors="replace")
    result = _import(_write(tmp_path, "register.csv", content), "wrong encodings")
    assert isinstance(result, ApplicationError), f"{encoding} imported: {result}"


@settings(FUZZ, max_examples=40)
@given(
    encoding=st.sampled_from(_ENCODINGS),
    text=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60),
)
def test_wrong_encoding_of_any_text(tmp_path_factory, encoding, text):
    rows = [{**VALID_ROWS[0], "notes": text}]
    content = _csv_bytes(rows).decode("utf-8").encode(encoding, errors="replace")
    _import(_write(tmp_path_factory.mktemp("enc"), "register.csv", content), "wrong encodings")


# --- Huge inputs -------------------------------------------------------------------------------

_TEN_MB = 10 * 1024 * 1024


@pytest.mark.parametrize("column", ["reference", "notes", "counterpart_authority", "status"])
def test_ten_megabytes_in_one_csv_cell(tmp_path, column):
    rows = [{**VALID_ROWS[0], column: "x" * _TEN_MB}]
    result = _import(_write(tmp_path, "huge.csv", _csv_bytes(rows)), "huge cells")
    assert isinstance(result, ApplicationError)
    assert "row 2" in result.message


def test_ten_megabytes_in_one_xlsx_cell_of_notes_is_stored_whole(tmp_path):
    # Spreadsheet programs stop a cell at 32,767 characters (openpyxl cuts it there when it
    # writes); another program may write more, so the sheet is written by hand here.
    notes = "Ж" * _TEN_MB
    row = {**VALID_ROWS[0], "notes": notes}
    content = _xlsx_with_sheet([list(COLUMNS), [row.get(column) or "" for column in COLUMNS]])
    path = _write(tmp_path, "huge.xlsx", content)
    tally(MODULE, "huge cells")
    tally(MODULE, "inputs in all")
    with transaction.atomic():
        assert register_import(actor=None, path=path).created == 1
        assert Request.objects.get(reference="FZ-1").notes == notes
        transaction.set_rollback(True)


@pytest.mark.parametrize("column", ["reference", "counterpart_authority"])
def test_ten_megabytes_in_one_xlsx_cell_of_a_bounded_column(tmp_path, column):
    row = {**VALID_ROWS[0], column: "x" * _TEN_MB}
    content = _xlsx_with_sheet([list(COLUMNS), [row.get(name) or "" for name in COLUMNS]])
    result = _import(_write(tmp_path, "huge.xlsx", content), "huge cells")
    assert isinstance(result, ImportRejected)
    assert result.extra["errors"] == [
        f"row 2, column {column}: longer than {100 if column == 'reference' else 300} characters"
    ]


def test_header_of_a_million_unknown_columns(tmp_path):
    header = ",".join(f"c{number}" for number in range(1_000_000))
    content = f"reference,{header}\nFZ-1\n".encode()
    result = _import(_write(tmp_path, "wide.csv", content), "a million columns")
    assert isinstance(result, ImportRejected)
    # Ten unknown columns named, the rest counted, and the missing required columns.
    assert len(result.errors) == 11 + 4, result.extra["errors"][:20]


def test_header_of_a_million_repeated_columns(tmp_path):
    content = (",".join(["reference"] * 1_000_000) + "\nFZ-1\n").encode()
    result = _import(_write(tmp_path, "wide.csv", content), "a million columns")
    assert isinstance(result, ImportRejected)
    assert len(result.errors) < 100, len(result.errors)


def test_a_million_columns_without_a_header_name(tmp_path):
    columns = ",".join(COLUMNS) + "," * 1_000_000
    row = _csv_bytes([VALID_ROWS[0]]).decode().splitlines()[1] + ",x" * 1_000_000
    content = f"{columns}\n{row}\n".encode()
    result = _import(_write(tmp_path, "wide.csv", content), "a million columns")
    assert isinstance(result, ImportRejected)
    assert len(result.errors) == 1, result.extra["errors"][:5]
    assert "and 999999 more after it" in result.errors[0].message


def test_a_million_rows_of_commas(tmp_path):
    content = ",".join(COLUMNS).encode() + b"\n" + b",,,\n" * 1_000_000
    result = _import(_write(tmp_path, "long.csv", content), "a million rows")
    assert isinstance(result, ImportResult) and result.rows == 0


# --- Rows with cells missing or extra, and valid registers with one cell changed ---------------


@st.composite
def one_cell_changed(draw) -> tuple[list[dict[str, Any]], int, str, str]:
    rows = [dict(row) for row in VALID_ROWS]
    index = draw(st.integers(0, len(rows) - 1))
    column = draw(st.sampled_from(COLUMNS))
    value = draw(
        st.one_of(
            st.sampled_from(AWKWARD_VALUES),
            st.text(max_size=40),
            st.text(alphabet=st.characters(codec="utf-8"), min_size=90, max_size=320),
        )
    )
    rows[index][column] = value
    return rows, index, column, value


@settings(FUZZ, max_examples=200)
@given(changed=one_cell_changed())
def test_valid_csv_with_one_cell_changed(tmp_path_factory, changed):
    rows, index, column, value = changed

    def stored_as_typed() -> None:
        if column in TEXT_COLUMNS:
            reference = rows[index]["reference"].strip()
            stored = Request.objects.get(reference=reference, direction=rows[index]["direction"])
            expected = {value.strip()}
            if value.startswith("'"):
                # A CSV export puts ' before text that starts like a formula; the import
                # takes it off again.
                expected.add(value[1:].strip())
            assert getattr(stored, column) in expected

    path = _write(tmp_path_factory.mktemp("cell"), "register.csv", _csv_bytes(rows))
    result = _import(path, "registers with one cell changed", then=stored_as_typed)
    if isinstance(result, ImportResult):
        assert result.created == len(rows)
    elif isinstance(result, ImportRejected):
        # The changed cell is the one to blame (or, for a reference, the same reference twice).
        assert {error.row for error in result.errors} == {index + 2}, result.extra["errors"]


@st.composite
def ragged_rows(draw) -> bytes:
    lines = _csv_bytes(VALID_ROWS).decode("utf-8").splitlines()
    cells = [next(csv.reader([line])) for line in lines]
    for row in cells[1:]:
        change = draw(st.integers(-len(COLUMNS), 5))
        if change < 0:
            del row[change:]
        else:
            row.extend(draw(st.sampled_from(["", " ", "x", "extra"])) for _ in range(change))
    stream = io.StringIO()
    csv.writer(stream).writerows(cells)
    return stream.getvalue().encode("utf-8")


@settings(FUZZ, max_examples=60)
@given(content=ragged_rows())
def test_rows_with_too_many_or_too_few_cells(tmp_path_factory, content):
    _import(_write(tmp_path_factory.mktemp("ragged"), "register.csv", content), "ragged rows")


# A workbook cannot hold control characters at all (openpyxl refuses to write them).
_CELL_VALUES = st.one_of(
    st.none(),
    st.sampled_from([value for value in AWKWARD_VALUES if not ILLEGAL_CHARACTERS_RE.search(value)]),
    st.text(alphabet=st.characters(exclude_categories=["Cs", "Cc"]), max_size=30),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 12, 31)),
)


@settings(FUZZ, max_examples=80)
@given(
    index=st.integers(0, len(VALID_ROWS) - 1),
    column=st.sampled_from(COLUMNS),
    value=_CELL_VALUES,
)
def test_valid_xlsx_with_one_cell_of_any_type(tmp_path_factory, index, column, value):
    rows = [[row.get(name) for name in COLUMNS] for row in VALID_ROWS]
    rows[index][COLUMNS.index(column)] = value
    content = _xlsx_bytes([list(COLUMNS), *rows])
    path = _write(tmp_path_factory.mktemp("xlsx"), "register.xlsx", content)
    result = _import(path, "XLSX with one cell changed")
    if isinstance(result, ImportRejected):
        assert {error.row for error in result.errors} == {index + 2}, result.extra["errors"]


# --- XLSX that are damaged zips or zips of something else --------------------------------------


@settings(FUZZ, max_examples=80)
@given(
    cut=st.integers(0, len(VALID_XLSX)),
    flips=st.lists(st.tuples(st.integers(0, len(VALID_XLSX) - 1), st.integers(0, 255)), max_size=4),
)
def test_damaged_xlsx(tmp_path_factory, cut, flips):
    content = bytearray(VALID_XLSX)
    for position, byte in flips:
        content[position] = byte
    path = _write(tmp_path_factory.mktemp("zip"), "register.xlsx", bytes(content[:cut] or b"PK"))
    _import(path, "damaged XLSX")


def _zip(members: dict[str, bytes]) -> bytes:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return stream.getvalue()


def _xlsx_members() -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(VALID_XLSX)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


_SHEET = "xl/worksheets/sheet1.xml"
_BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'.encode()
        for n in range(1, 10)
    )
    + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    + b"</sheetData></worksheet>"
)
_EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>reference</t></is></c></row>'
    b'<row r="2"><c r="A2" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
    b"</sheetData></worksheet>"
)


def _xlsx_with_sheet(rows: list[list[str]]) -> bytes:
    """Return the valid workbook with its sheet replaced by `rows`, as inline strings."""
    cells = "".join(
        "<row>"
        + "".join(f'<c t="inlineStr"><is><t>{escape(value)}</t></is></c>' for value in row)
        + "</row>"
        for row in rows
    )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet '
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{cells}</sheetData></worksheet>"
    )
    return _xlsx_with(**{"xl__worksheets__sheet1_dot_xml": sheet.encode()})


def _xlsx_with(**changes: bytes | None) -> bytes:
    members = _xlsx_members()
    for name, content in changes.items():
        name = name.replace("__", "/").replace("_dot_", ".")
        if content is None:
            members.pop(name, None)
        else:
            members[name] = content
    return _zip(members)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(_zip({"hello.txt": b"hello"}), id="zip-of-text"),
        pytest.param(_zip({}), id="empty-zip"),
        pytest.param(_zip({"register.xlsx": VALID_XLSX}), id="zip-of-a-workbook"),
        pytest.param(_zip({"[Content_Types].xml": b"<Types/>"}), id="content-types-only"),
        pytest.param(_zip({"word/document.xml": b"<w:document/>"}), id="a-word-document"),
        pytest.param(_zip({"../../etc/passwd": b"x"}), id="zip-slip-name"),
        pytest.param(_xlsx_with(**{"xl__workbook_dot_xml": None}), id="no-workbook-part"),
        pytest.param(_xlsx_with(**{"xl__worksheets__sheet1_dot_xml": None}), id="no-sheet-part"),
        pytest.param(
            _xlsx_with(**{"xl__worksheets__sheet1_dot_xml": b"not xml at all"}), id="sheet-not-xml"
        ),
        pytest.param(
            _xlsx_with(**{"xl__worksheets__sheet1_dot_xml": b"\x00" * 10_000_000}),
            id="sheet-of-ten-million-nuls",
        ),
        pytest.param(
            _xlsx_with(**{"xl__worksheets__sheet1_dot_xml": _BILLION_LAUGHS}),
            id="billion-laughs",
        ),
        pytest.param(
            _xlsx_with(**{"xl__worksheets__sheet1_dot_xml": _EXTERNAL_ENTITY}),
            id="external-entity",
        ),
        pytest.param(
            _xlsx_with(**{"xl__workbook_dot_xml": b"<workbook><sheets></sheets></workbook>"}),
            id="workbook-without-sheets",
        ),
    ],
)
def test_zip_that_is_no_register(tmp_path, content):
    result = _import(_write(tmp_path, "register.xlsx", content), "zips of something else")
    assert isinstance(result, ApplicationError), result
    assert "/etc/passwd" not in result.message and "root:" not in result.message


def test_xlsx_renamed_csv_and_csv_renamed_xlsx(tmp_path):
    """The content decides the format, not the file name."""
    as_xlsx = _import(_write(tmp_path, "register.csv", VALID_XLSX), "mislabelled files")
    assert isinstance(as_xlsx, ImportResult) and as_xlsx.created == len(VALID_ROWS)
    as_csv = _import(_write(tmp_path, "register.xlsx", VALID_CSV), "mislabelled files")
    assert isinstance(as_csv, RegisterFileError)


# --- What the fuzzing found, kept as plain examples --------------------------------------------


@pytest.mark.parametrize("persons", ["10001", "2147483648", "1e30", "99999999999999999999"])
def test_more_persons_than_a_request_may_seek_is_a_row_error(tmp_path, persons):
    # Was an OverflowError on SQLite and NumericValueOutOfRange on PostgreSQL.
    row = {**VALID_ROWS[1], "persons": persons}
    result = _import(_write(tmp_path, "register.csv", _csv_bytes([row])), "found by fuzzing")
    assert isinstance(result, ImportRejected)
    assert result.extra["errors"] == [
        f"row 2, column persons: “{persons}” is more persons than one request can seek "
        "(at most 10000)"
    ]


def test_a_column_repeated_three_times_is_one_error(tmp_path):
    content = _csv_bytes([VALID_ROWS[0]], columns=(*COLUMNS, "notes", "NOTES"))
    result = _import(_write(tmp_path, "register.csv", content), "found by fuzzing")
    assert isinstance(result, ImportRejected)
    assert result.extra["errors"] == [
        "row 1, column notes: the column appears 3 times (first in columns S and T)"
    ]


def test_a_value_beyond_the_last_lettered_column_is_named_by_number(tmp_path):
    # Was a ValueError from openpyxl, which names columns only up to ZZZ (18,278).
    row = _csv_bytes([VALID_ROWS[0]]).decode().splitlines()[1]
    content = f"{','.join(COLUMNS)}\n{row}{',' * (20_000 - len(COLUMNS))}x\n".encode()
    result = _import(_write(tmp_path, "register.csv", content), "found by fuzzing")
    assert isinstance(result, ImportRejected)
    assert result.extra["errors"] == ["row 2, column 20000: a value in a column without a header"]
