"""The register export: format v1 files that import back as the same requests."""

import csv
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from rogatory.core.exceptions import ValidationError
from rogatory.intake.export import register_export
from rogatory.intake.rows import COLUMNS
from rogatory.intake.services import register_import
from rogatory.register import services as register_services
from rogatory.register.models import Outcome, Request
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db


def _register() -> None:
    make_request(reference="MLA-OPEN")
    make_request(
        reference="MLA-REFUSED",
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 6, 1),
        grounds=("political_offence", "immunity"),
    )
    make_request(
        reference="MLA-OVERRIDDEN",
        country="LV",
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 6, 2),
        grounds=("dual_criminality",),
        political=True,
        political_reason="The note names the opposition leader",
    )
    acknowledged = make_request(
        reference="MLA-ACK", outcome=Outcome.EXECUTED, decided_on=date(2023, 7, 1)
    )
    register_services.request_reopen(
        actor=None, request=acknowledged, reopened_on=date(2023, 7, 2), reason="Appeal"
    )
    register_services.request_record_acknowledged(
        actor=None, request=acknowledged, acknowledged_on=date(2023, 3, 9)
    )
    granted = make_request(
        reference="EXT-1",
        kind="extradition",
        persons_count=2,
        outcome=Outcome.GRANTED,
        decided_on=date(2023, 8, 1),
    )
    register_services.request_record_surrender(
        actor=None, request=granted, surrendered_on=date(2023, 8, 20)
    )
    make_request(reference="IN-1", direction="incoming", kind="extradition", country="US")
    register_services.request_register(
        actor=None,
        direction="outgoing",
        kind="mla",
        reference="DRAFT",
        country=make_request(reference="X").country,
    )


def _projections() -> dict[tuple[str, str], tuple]:
    return {
        (r.direction, r.reference): (
            r.kind,
            r.country_id,
            r.purpose,
            r.persons_count,
            r.outcome,
            r.opened_on,
            r.decided_on,
            r.political,
            tuple(sorted(r.grounds.values_list("code", flat=True))),
        )
        for r in Request.objects.exclude(opened_on=None)
    }


def _csv(path):
    with path.open(encoding="utf-8", newline="") as stream:
        return {row["reference"]: row for row in csv.DictReader(stream)}


def test_export_csv_columns_and_values(tmp_path):
    _register()
    path = tmp_path / "register.csv"
    assert register_export(path=path) == 7
    rows = _csv(path)
    assert list(next(iter(rows.values()))) == list(COLUMNS)
    assert "DRAFT" not in rows
    assert rows["MLA-REFUSED"]["refusal_grounds"] == "immunity;political_offence"
    assert rows["MLA-REFUSED"]["political"] == "yes"
    assert rows["MLA-OVERRIDDEN"]["political"] == "yes"
    assert rows["MLA-OPEN"]["status"] == "pending"
    assert rows["MLA-OPEN"]["political"] == rows["MLA-OPEN"]["purpose"] == ""
    assert rows["MLA-ACK"]["received_on"] == "2023-03-09"
    assert rows["MLA-ACK"]["status"] == "pending"
    assert (rows["EXT-1"]["status"], rows["EXT-1"]["persons"], rows["EXT-1"]["purpose"]) == (
        "granted",
        "2",
        "prosecution",
    )
    assert (rows["IN-1"]["sent_on"], rows["IN-1"]["received_on"]) == ("", "2023-03-01")


def test_export_direction(tmp_path):
    _register()
    path = tmp_path / "incoming.csv"
    assert register_export(path=path, direction="incoming") == 1
    assert list(_csv(path)) == ["IN-1"]


def test_export_xlsx_has_real_date_cells(tmp_path):
    _register()
    path = tmp_path / "register.xlsx"
    register_export(path=path)
    sheet = load_workbook(path, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == COLUMNS
    by_reference = {row[0]: dict(zip(COLUMNS, row, strict=False)) for row in rows[1:]}
    assert by_reference["MLA-REFUSED"]["sent_on"] == datetime(2023, 3, 1)
    assert by_reference["EXT-1"]["persons"] == 2


def test_export_unknown_format(tmp_path):
    with pytest.raises(ValidationError):
        register_export(path=tmp_path / "register.ods")


@pytest.mark.parametrize("name", ["register.csv", "register.xlsx"])
def test_export_then_import_into_an_empty_register_gives_the_same_requests(tmp_path, name):
    _register()
    expected = _projections()
    path = tmp_path / name
    register_export(path=path)
    Request.objects.all().delete()
    result = register_import(actor=None, path=path)
    assert result.created == len(expected)
    assert _projections() == expected
    assert register_import(actor=None, path=path).unchanged == len(expected)


def test_export_of_text_that_looks_like_a_formula_stays_text(tmp_path):
    request = make_request(reference="R-1")
    register_services.request_update(actor=None, request=request, notes="=1+1")
    path = tmp_path / "register.xlsx"
    register_export(path=path)
    Request.objects.all().delete()
    register_import(actor=None, path=path)
    assert Request.objects.get(reference="R-1").notes == "=1+1"
