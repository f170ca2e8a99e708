"""One test per rule of register format v1: a wrong cell and the exact message it gets."""

from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl.utils import get_column_letter

from rogatory.intake.rows import COLUMNS
from rogatory.intake.services import ImportRejected, register_import
from rogatory.register.models import Request

pytestmark = pytest.mark.django_db

REFUSED = {"status": "refused", "decided_on": "2023-06-01", "refusal_grounds": "dual_criminality"}
EXTRADITION = {"kind": "extradition"}
INCOMING = {"direction": "incoming", "sent_on": "", "received_on": "2023-03-01"}


def _errors(path) -> list[str]:
    with pytest.raises(ImportRejected) as rejected:
        register_import(actor=None, path=path)
    return [str(error) for error in rejected.value.errors]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            {"reference": ""}, "row 2, column reference: the reference is required", id="reference"
        ),
        pytest.param(
            {"reference": "R" * 101},
            "row 2, column reference: longer than 100 characters",
            id="reference-length",
        ),
        pytest.param(
            {"reference": "R\x00-1"},
            "row 2, column reference: contains a control character, which a register cannot hold",
            id="reference-nul",
        ),
        pytest.param(
            {"notes": "line one\x1bline two"},
            "row 2, column notes: contains a control character, which a register cannot hold",
            id="notes-escape",
        ),
        pytest.param(
            {"direction": "sideways"},
            "row 2, column direction: “sideways” is not a valid direction; use outgoing or incoming",
            id="direction",
        ),
        pytest.param(
            {"kind": "letter"},
            "row 2, column kind: “letter” is not a valid kind; use mla or extradition",
            id="kind",
        ),
        pytest.param(
            {"country": "Atlantis"},
            "row 2, column country: “Atlantis” is not a country: use an ISO 3166-1 alpha-2 code "
            "or an English name",
            id="country",
        ),
        pytest.param(
            {"legal_basis": "HAGUE-1899"},
            "row 2, column legal_basis: “HAGUE-1899” is not a known legal basis; use one of "
            "ECE-1957, ECMA-1959, EIO-2014, MINSK-1993, RECIPROCITY, UNCAC, UNTOC",
            id="legal-basis",
        ),
        pytest.param(
            {"offence_category": "12"},
            "row 2, column offence_category: “12” is not an ICCS offence category; use a code "
            "from 01 to 11",
            id="offence-category",
        ),
        pytest.param(
            {"sent_on": "01/03/2023"},
            "row 2, column sent_on: “01/03/2023” is not a date (YYYY-MM-DD)",
            id="date-format",
        ),
        pytest.param(
            {"sent_on": "2023-02-30"},
            "row 2, column sent_on: “2023-02-30” is not a date (YYYY-MM-DD)",
            id="date-impossible",
        ),
        pytest.param(
            {"sent_on": ""},
            "row 2, column sent_on: an outgoing request needs the date it was sent",
            id="outgoing-without-sent-on",
        ),
        pytest.param(
            {"received_on": "2023-02-01"},
            "row 2, column received_on: the requested state cannot have received the request "
            "(2023-02-01) before it was sent (2023-03-01)",
            id="received-before-sent",
        ),
        pytest.param(
            {**INCOMING, "sent_on": "2023-02-01"},
            "row 2, column sent_on: an incoming request has no sent_on: we keep only the date we "
            "received it (received_on); leave sent_on empty",
            id="incoming-with-sent-on",
        ),
        pytest.param(
            {**INCOMING, "received_on": ""},
            "row 2, column received_on: an incoming request needs the date it was received",
            id="incoming-without-received-on",
        ),
        pytest.param({"status": ""}, "row 2, column status: the status is required", id="status"),
        pytest.param(
            {"status": "granted", "decided_on": "2023-06-01"},
            "row 2, column status: “granted” is not a status of an MLA request; use pending, "
            "executed, partially_executed, refused, withdrawn",
            id="status-of-mla",
        ),
        pytest.param(
            {**EXTRADITION, "status": "executed", "decided_on": "2023-06-01"},
            "row 2, column status: “executed” is not a status of an extradition request; use "
            "pending, granted, refused, withdrawn",
            id="status-of-extradition",
        ),
        pytest.param(
            {"decided_on": "2023-06-01"},
            "row 2, column decided_on: a pending request has no decision date; leave it empty or "
            "give the status",
            id="pending-with-decision-date",
        ),
        pytest.param(
            {"status": "executed"},
            "row 2, column decided_on: a request with status “executed” needs the date of the "
            "decision",
            id="decision-without-date",
        ),
        pytest.param(
            {"status": "executed", "decided_on": "2023-02-01"},
            "row 2, column decided_on: the decision (2023-02-01) cannot be before the request was "
            "sent (2023-03-01)",
            id="decided-before-sent",
        ),
        pytest.param(
            {**INCOMING, "status": "executed", "decided_on": "2023-02-01"},
            "row 2, column decided_on: the decision (2023-02-01) cannot be before the request was "
            "received (2023-03-01)",
            id="decided-before-received",
        ),
        pytest.param(
            {**REFUSED, "refusal_grounds": ""},
            "row 2, column refusal_grounds: a refused request needs at least one refusal ground",
            id="refused-without-grounds",
        ),
        pytest.param(
            {**REFUSED, "refusal_grounds": "dual_criminality; whim ;mood"},
            "row 2, column refusal_grounds: unknown refusal grounds “whim”, “mood”",
            id="unknown-grounds",
        ),
        pytest.param(
            {"status": "executed", "decided_on": "2023-06-01", "refusal_grounds": "immunity"},
            "row 2, column refusal_grounds: refusal grounds are allowed only on refused rows",
            id="grounds-not-refused",
        ),
        pytest.param(
            {"status": "executed", "decided_on": "2023-06-01", "political": "no"},
            "row 2, column political: political is allowed only on refused rows",
            id="political-not-refused",
        ),
        pytest.param(
            {**REFUSED, "political": "maybe"},
            "row 2, column political: “maybe” is not yes or no",
            id="political-value",
        ),
        pytest.param(
            {"purpose": "sentence"},
            "row 2, column purpose: only extradition rows have a purpose",
            id="purpose-on-mla",
        ),
        pytest.param(
            {"persons": "1"},
            "row 2, column persons: only extradition rows have persons sought",
            id="persons-on-mla",
        ),
        pytest.param(
            {**EXTRADITION, "purpose": "revenge"},
            "row 2, column purpose: “revenge” is not a purpose; use prosecution or sentence",
            id="purpose",
        ),
        pytest.param(
            {**EXTRADITION, "persons": "0"},
            "row 2, column persons: “0” is not a whole number of at least 1",
            id="persons-zero",
        ),
        pytest.param(
            {**EXTRADITION, "persons": "1.5"},
            "row 2, column persons: “1.5” is not a whole number of at least 1",
            id="persons-fraction",
        ),
    ],
)
def test_row_rule(register_csv, change, message):
    assert _errors(register_csv(change)) == [message]


def test_row_date_in_the_future(register_csv):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert _errors(register_csv({"sent_on": tomorrow})) == [
        f"row 2, column sent_on: {tomorrow} is in the future"
    ]


def test_row_same_reference_twice(register_csv):
    path = register_csv({}, {"reference": "R-2"}, {"country": "DE"})
    assert _errors(path) == ["row 4, column reference: the outgoing request “R-1” is also on row 2"]


def test_row_same_reference_in_both_directions_is_two_requests(register_csv):
    register_import(actor=None, path=register_csv({}, INCOMING))
    assert Request.objects.filter(reference="R-1").count() == 2


def test_row_errors_in_several_cells_are_all_reported(register_csv):
    path = register_csv({"country": "Atlantis", "kind": "letter"})
    assert _errors(path) == [
        "row 2, column kind: “letter” is not a valid kind; use mla or extradition",
        "row 2, column country: “Atlantis” is not a country: use an ISO 3166-1 alpha-2 code or "
        "an English name",
    ]


def test_row_values_are_normalised(register_csv):
    path = register_csv(
        {
            "direction": " Outgoing ",
            "kind": "EXTRADITION",
            "country": "united states",
            "legal_basis": "ece-1957",
            "offence_category": "7",
            "persons": "2.0",
            "status": "Refused",
            "decided_on": "2023-06-01",
            "refusal_grounds": "Dual_Criminality; immunity;dual_criminality",
        }
    )
    register_import(actor=None, path=path)
    request = Request.objects.get(reference="R-1")
    assert (request.direction, request.kind, request.country_id) == (
        "outgoing",
        "extradition",
        "US",
    )
    assert (request.legal_basis_id, request.offence_category_id) == ("ECE-1957", "07")
    assert (request.purpose, request.persons_count) == ("prosecution", 2)
    assert sorted(request.grounds.values_list("code", flat=True)) == [
        "dual_criminality",
        "immunity",
    ]


def test_row_country_by_english_name(register_csv):
    register_import(actor=None, path=register_csv({"country": "Switzerland"}))
    assert Request.objects.get(reference="R-1").country_id == "CH"


def test_header_unknown_column(register_csv):
    path = register_csv({}, columns=(*COLUMNS, "colour"))
    assert _errors(path) == [
        "row 1, column colour: unknown column; the columns are " + ", ".join(COLUMNS)
    ]


def test_header_with_thousands_of_unknown_columns_names_ten_and_counts_the_rest(register_csv):
    extra = tuple(f"extra{number}" for number in range(5000))
    errors = _errors(register_csv({}, columns=(*COLUMNS, *extra)))

    assert len(errors) == 11
    assert errors[9].startswith("row 1, column extra9: unknown column; the columns are")
    assert errors[10] == "row 1, column extra10: unknown column, and so are 4989 more after it"


def test_header_with_eleven_unknown_columns_names_each(register_csv):
    extra = tuple(f"extra{number}" for number in range(11))
    errors = _errors(register_csv({}, columns=(*COLUMNS, *extra)))

    assert [error.split(":")[0] for error in errors] == [
        f"row 1, column extra{n}" for n in range(11)
    ]


def test_header_repeated_column(register_csv):
    path = register_csv({}, columns=(*COLUMNS, "Country"))
    # Country is the 4th column (D); the repeat comes after all the format's columns.
    last = get_column_letter(len(COLUMNS) + 1)
    assert _errors(path) == [
        f"row 1, column country: the column appears twice (columns D and {last})"
    ]


def test_header_missing_required_column(register_csv):
    columns = tuple(column for column in COLUMNS if column != "kind")
    assert _errors(register_csv({}, columns=columns)) == [
        "row 1, column kind: this required column is missing"
    ]


def test_header_names_match_case_insensitively_and_optional_columns_may_be_left_out(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text(
        " Reference,DIRECTION,Kind,country,sent_on,Status \nR-1,outgoing,mla,CH,2023-03-01,pending\n",
        encoding="utf-8",
    )
    result = register_import(actor=None, path=path)
    assert result.created == 1


def test_row_notes_may_span_lines(register_csv):
    register_import(actor=None, path=register_csv({"notes": "First line.\r\nSecond\tline."}))
    assert Request.objects.get().notes == "First line.\r\nSecond\tline."


def test_row_value_in_a_column_without_a_header(tmp_path):
    path = tmp_path / "register.csv"
    path.write_text(
        "reference,direction,kind,country,sent_on,status\n"
        "R-1,outgoing,mla,CH,2023-03-01,pending,stray\n"
    )
    assert _errors(path) == ["row 2, column G: a value in a column without a header"]


def test_row_values_in_many_columns_without_a_header_are_one_error(tmp_path):
    path = tmp_path / "register.csv"
    path.write_text(
        "reference,direction,kind,country,sent_on,status,,notes\n"
        "R-1,outgoing,mla,CH,2023-03-01,pending,first,,x,y,z\n"
    )
    assert _errors(path) == [
        "row 2, column G: a value in a column without a header, and 3 more after it"
    ]
