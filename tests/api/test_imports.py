"""Tests for importing a register file by upload: dry run, import, every row error, limits."""

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from rogatory.accounts.models import Role
from rogatory.audit.models import AuditRecord
from rogatory.register.models import Request

from .conftest import API, assert_error

pytestmark = pytest.mark.django_db

HEADER = "reference,direction,kind,country,sent_on,status,decided_on,refusal_grounds\n"
GOOD_CSV = (
    HEADER
    + "IMP-1,outgoing,mla,CH,2023-03-01,pending,,\n"
    + "IMP-2,outgoing,mla,Latvia,2023-03-02,refused,2023-05-01,political_offence\n"
).encode()


def _upload(client, content: bytes, name: str = "register.csv", **fields):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(f"{API}/imports", {"file": upload, **fields})


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def test_import_is_a_dry_run_by_default(clerk_client):
    response = _upload(clerk_client, GOOD_CSV)

    assert response.status_code == 200, response.content
    assert response.json() == {
        "rows": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "dry_run": True,
    }
    assert not Request.objects.exists()


def test_import_for_real_writes_the_requests_to_the_named_unit(supervisor_client, other_unit):
    response = _upload(supervisor_client, GOOD_CSV, dry_run="false", unit="north")

    assert response.status_code == 200, response.content
    assert response.json()["created"] == 2 and response.json()["dry_run"] is False
    assert set(Request.objects.values_list("reference", "unit__code")) == {
        ("IMP-1", "north"),
        ("IMP-2", "north"),
    }


def test_import_again_changes_nothing(clerk_client):
    _upload(clerk_client, GOOD_CSV, dry_run="false")

    response = _upload(clerk_client, GOOD_CSV, dry_run="false")

    assert response.json()["unchanged"] == 2
    assert Request.objects.count() == 2


def test_import_of_an_xlsx_workbook(clerk_client):
    content = _xlsx(
        [
            ["reference", "direction", "kind", "country", "sent_on", "status"],
            ["X-1", "outgoing", "mla", "CH", "2023-03-01", "pending"],
        ]
    )

    response = _upload(clerk_client, content, name="register.xlsx", dry_run="false")

    assert response.status_code == 200, response.content
    assert Request.objects.get().reference == "X-1"


def test_import_with_wrong_rows_reports_every_one_and_writes_nothing(clerk_client):
    content = (
        HEADER
        + "BAD-1,outgoing,mla,Atlantis,2023-03-01,pending,,\n"
        + "OK-1,outgoing,mla,CH,2023-03-01,pending,,\n"
        + "BAD-2,sideways,mla,CH,2023-03-01,pending,,\n"
    ).encode()

    response = _upload(clerk_client, content, dry_run="false")

    body = assert_error(response, 422)
    assert [(error["row"], error["column"]) for error in body["errors"]] == [
        (2, "country"),
        (4, "direction"),
    ]
    assert all(error["field"] == error["column"] and error["message"] for error in body["errors"])
    assert "nothing was imported" in body["detail"]
    assert not Request.objects.exists()


@pytest.mark.parametrize(
    "content, name",
    [
        (b"reference,direction\n\xff\xfe broken\n", "register.csv"),
        (b"", "register.csv"),
        (b"not a workbook at all", "register.xlsx"),
        (b"PK\x03\x04 but no zip after all", "register.xlsx"),
        (b"PK\x03\x04 a zip header in a csv", "register.csv"),
        (b"\xd0\xcf\x11\xe0 old excel", "register.xls"),
        (b'reference,"unterminated\n', "register.csv"),
        (b"\x00\x00\x00", "register.csv"),
    ],
)
def test_import_of_a_file_that_cannot_be_read_is_refused(clerk_client, content, name):
    assert_error(_upload(clerk_client, content, name=name), 422)


def test_import_of_an_xlsx_zip_that_is_not_a_workbook_is_refused(clerk_client):
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")

    assert_error(_upload(clerk_client, stream.getvalue(), name="register.xlsx"), 422)


@pytest.mark.parametrize("name", ["../../etc/passwd", "nul\x00.csv", "", "....", "名册.csv"])
def test_import_copes_with_any_file_name(clerk_client, name):
    response = _upload(clerk_client, GOOD_CSV, name=name or "x")

    assert response.status_code == 200, response.content


def test_import_leaves_no_temporary_file(clerk_client, tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))

    _upload(clerk_client, GOOD_CSV)
    _upload(clerk_client, b"\xff")

    assert list(tmp_path.iterdir()) == []


def test_import_larger_than_the_limit_is_refused(clerk_client, settings):
    settings.ROGATORY_MAX_UPLOAD_BYTES = len(GOOD_CSV) - 1

    body = assert_error(_upload(clerk_client, GOOD_CSV), 413, field="file")

    assert "MB" in body["detail"]


def test_import_whose_body_is_announced_too_large_is_refused_before_reading(clerk_client, settings):
    settings.ROGATORY_MAX_UPLOAD_BYTES = 1024

    response = clerk_client.generic(
        "POST",
        f"{API}/imports",
        b"x" * 10,
        content_type="multipart/form-data; boundary=b",
        CONTENT_LENGTH=str(10 * 1024 * 1024),
    )

    assert_error(response, 413)


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"unit": "nowhere"}, "unit"),
        ({"unit": "x" * 41}, "unit"),
        ({"dry_run": "sometimes"}, "dry_run"),
    ],
)
def test_import_refuses_wrong_options_naming_them(clerk_client, fields, field):
    assert_error(_upload(clerk_client, GOOD_CSV, **fields), 422, field=field)


def test_import_without_a_file_is_refused(clerk_client):
    response = clerk_client.post(f"{API}/imports", {"dry_run": "true"})

    assert_error(response, 422, field="file")


def test_import_sent_as_json_is_refused(clerk_client):
    response = clerk_client.post(f"{API}/imports", {"file": "x"}, content_type="application/json")

    assert response.status_code in (400, 422), response.content
    assert_error(response, response.status_code)


def test_import_by_a_viewer_is_forbidden(client_as):
    assert_error(_upload(client_as(Role.VIEWER), GOOD_CSV), 403)


def test_import_by_a_clerk_into_another_unit_is_forbidden(clerk_client, other_unit):
    assert_error(_upload(clerk_client, GOOD_CSV, unit="north"), 403)


def test_import_without_authentication_is_refused(client):
    assert_error(_upload(client, GOOD_CSV), 401)


def test_import_records_the_file_name_without_its_path(clerk_client):
    _upload(clerk_client, GOOD_CSV, name="../secret/register 2023.csv", dry_run="false")

    record = AuditRecord.objects.get(action="register_import")
    assert record.after["file"] == "register 2023.csv"
    assert Path(record.after["file"]).name == record.after["file"]
