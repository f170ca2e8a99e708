"""The FATF flags in register format v1: money_laundering and terrorist_financing, both ways."""

import csv

import pytest
from openpyxl import Workbook

from rogatory.audit.models import AuditRecord
from rogatory.intake.export import register_export
from rogatory.intake.rows import COLUMNS
from rogatory.intake.services import ImportRejected, register_import
from rogatory.register.models import Request
from tests.register.factories import make_request

from .conftest import VALID_ROW, write_csv

pytestmark = pytest.mark.django_db

WITHOUT_FLAGS = tuple(c for c in COLUMNS if c not in ("money_laundering", "terrorist_financing"))


def _flags(reference: str) -> tuple[bool, bool]:
    return tuple(
        Request.objects.filter(reference=reference)
        .values_list("money_laundering", "terrorist_financing")
        .get()
    )


@pytest.mark.parametrize(
    ("money_laundering", "terrorist_financing", "expected"),
    [
        ("yes", "no", (True, False)),
        ("YES", "Yes", (True, True)),
        ("No", "", (False, False)),
        ("", "yes", (False, True)),
    ],
)
def test_import_reads_flags_in_any_case_and_empty_as_no(
    register_csv, money_laundering, terrorist_financing, expected
):
    register_import(
        actor=None,
        path=register_csv(
            {"money_laundering": money_laundering, "terrorist_financing": terrorist_financing}
        ),
    )
    assert _flags("R-1") == expected


def test_import_without_flag_columns_registers_unflagged_requests(register_csv):
    register_import(actor=None, path=register_csv({}, columns=WITHOUT_FLAGS))
    assert _flags("R-1") == (False, False)


def test_import_reports_bad_flag_values_with_row_and_column(register_csv):
    path = register_csv(
        {"money_laundering": "yes"},
        {"reference": "R-2", "money_laundering": "1"},
        {"reference": "R-3", "terrorist_financing": "maybe"},
    )
    with pytest.raises(ImportRejected) as rejected:
        register_import(actor=None, path=path)
    assert [str(error) for error in rejected.value.errors] == [
        "row 3, column money_laundering: “1” is not yes or no",
        "row 4, column terrorist_financing: “maybe” is not yes or no",
    ]
    assert not Request.objects.exists()


def test_import_reads_xlsx_boolean_cells(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    header = [*VALID_ROW, "money_laundering", "terrorist_financing"]
    sheet.append(header)
    sheet.append([*VALID_ROW.values(), True, False])
    path = tmp_path / "register.xlsx"
    workbook.save(path)
    register_import(actor=None, path=path)
    assert _flags("R-1") == (True, False)


def test_import_again_changes_flags_and_audits_the_change(register_csv):
    register_import(actor=None, path=register_csv({}))
    register_import(actor=None, path=register_csv({"money_laundering": "yes"}))
    assert _flags("R-1") == (True, False)
    record = AuditRecord.objects.filter(action="request_import").order_by("-id").first()
    assert (record.before["money_laundering"], record.after["money_laundering"]) == (False, True)
    assert record.after["terrorist_financing"] is False


def test_import_without_flag_columns_keeps_the_flags_of_a_registered_request(register_csv):
    register_import(actor=None, path=register_csv({"terrorist_financing": "yes"}))
    result = register_import(
        actor=None, path=register_csv({"notes": "Chased"}, columns=WITHOUT_FLAGS)
    )
    assert result.updated == 1
    assert _flags("R-1") == (False, True)


def test_import_of_the_same_flags_again_changes_nothing(register_csv):
    path = register_csv({"money_laundering": "yes", "terrorist_financing": "yes"})
    register_import(actor=None, path=path)
    again = register_import(actor=None, path=path)
    assert (again.updated, again.unchanged) == (0, 1)


def _exported(tmp_path, reference: str) -> dict[str, str]:
    path = tmp_path / "export.csv"
    register_export(path=path)
    with path.open(encoding="utf-8", newline="") as stream:
        return next(row for row in csv.DictReader(stream) if row["reference"] == reference)


def test_export_writes_the_flags_as_yes_and_no(tmp_path):
    flagged = make_request(reference="ML-1")
    Request.objects.filter(pk=flagged.pk).update(money_laundering=True)
    make_request(reference="PLAIN-1")
    assert _exported(tmp_path, "ML-1")["money_laundering"] == "yes"
    assert _exported(tmp_path, "ML-1")["terrorist_financing"] == "no"
    assert _exported(tmp_path, "PLAIN-1")["money_laundering"] == "no"


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_export_then_import_into_empty_register_keeps_the_flags(tmp_path, suffix):
    rows = [
        {**VALID_ROW, "reference": "BOTH", "money_laundering": "yes", "terrorist_financing": "yes"},
        {**VALID_ROW, "reference": "ML", "money_laundering": "yes"},
        {**VALID_ROW, "reference": "TF", "terrorist_financing": "yes"},
        {**VALID_ROW, "reference": "NONE"},
    ]
    register_import(actor=None, path=write_csv(tmp_path / "in.csv", rows))
    before = (
        dict(Request.objects.values_list("reference", "money_laundering").order_by("reference")),
        dict(Request.objects.values_list("reference", "terrorist_financing")),
    )
    exported = tmp_path / f"out.{suffix}"
    assert register_export(path=exported) == 4
    Request.objects.all().delete()
    register_import(actor=None, path=exported)
    after = (
        dict(Request.objects.values_list("reference", "money_laundering").order_by("reference")),
        dict(Request.objects.values_list("reference", "terrorist_financing")),
    )
    assert after == before
    assert before[0] == {"BOTH": True, "ML": True, "NONE": False, "TF": False}
    assert before[1] == {"BOTH": True, "ML": False, "NONE": False, "TF": True}
