"""Register files uploaded for import: the size limit holds while they stream, their content
decides whether they are CSV or XLSX, and their names never reach the file system as paths."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from rogatory.core.exceptions import ValidationError
from rogatory.intake.reader import RegisterFileError, register_file_format
from rogatory.intake.services import register_import
from rogatory.intake.uploads import upload_get, upload_store
from rogatory.register.models import Request

HEADER = "reference,direction,kind,country,sent_on,status\n"
ROW = "UP-1,outgoing,mla,CH,2023-03-01,pending\n"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def _png() -> bytes:
    stream = io.BytesIO()
    Image.new("RGB", (2, 2)).save(stream, format="PNG")
    return stream.getvalue()


def _zip(parts: dict[str, bytes]) -> bytes:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        for part, data in parts.items():
            archive.writestr(part, data)
    return stream.getvalue()


def test_upload_store_stops_at_the_limit_while_streaming(media):
    pulled = 0

    def endless():
        nonlocal pulled
        while True:
            pulled += 1
            yield b"x" * 65536

    with pytest.raises(ValidationError) as refused:
        upload_store(chunks=endless(), original_name="big.csv", max_bytes=1024 * 1024)

    assert refused.value.message == (
        "The file big.csv is larger than 1 MB, the most an upload may have."
    )
    assert pulled == 1024 * 1024 // 65536 + 1
    assert _files(media) == []
    assert list((media / "imports").iterdir()) == []


def test_upload_store_takes_a_file_of_exactly_the_limit(media):
    stored = upload_store(chunks=[b"x" * 100], original_name="r.csv", max_bytes=100)

    assert stored.size == 100


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "..\\..\\windows\\win.ini",
        "%2e%2e/%2e%2e/register.csv",
        "/etc/cron.d/register.csv",
        "reg\x00ister.csv",
        "..",
        "",
        "a" * 1000 + ".csv",
        "reg\r\nister.csv",
    ],
)
def test_upload_store_keeps_a_hostile_name_inside_its_own_directory(media, name):
    stored = upload_store(chunks=[b"x"], original_name=name, max_bytes=100)

    root = (media / "imports").resolve()
    assert stored.path.resolve().parent == root / stored.token
    assert len(stored.path.name) <= 120
    assert not set(stored.path.name) & {"/", "\\", "\x00", "\r", "\n"}
    assert _files(media) == [stored.path]
    assert upload_get(token=stored.token, sha256=stored.sha256).path == stored.path


@pytest.mark.parametrize("token", ["../../etc", "..", "a/b", "x" * 43 + "/.."])
def test_upload_get_finds_nothing_for_a_token_that_is_a_path(media, token):
    from rogatory.core.exceptions import NotFoundError

    with pytest.raises(NotFoundError):
        upload_get(token=token, sha256="0" * 64)


NOT_REGISTERS = [
    ("register.csv", PDF, "its content is a PDF document"),
    ("register.xlsx", PDF, "its content is a PDF document"),
    ("register.csv", _png(), "its content is a PNG image"),
    (
        "register.csv",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\0" * 64,
        "its content is",
    ),
    ("register.csv", b"\x7fELF\x02\x01\x01" + b"\0" * 64, "ELF"),
    ("register.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "old Excel format"),
]


@pytest.mark.parametrize(("name", "content", "found"), NOT_REGISTERS)
def test_a_file_that_is_not_csv_or_xlsx_by_content_is_refused_by_name(
    tmp_path, name, content, found
):
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(RegisterFileError) as refused:
        register_file_format(path)

    assert name in refused.value.message
    assert found in refused.value.message


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["register.xlsx", "register.csv", "register.docx"])
def test_a_zip_that_is_not_a_workbook_is_refused_whatever_its_name(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(_zip({"word/document.xml": b"<w/>", "notes.txt": b"x"}))

    with pytest.raises(RegisterFileError) as refused:
        register_import(actor=None, path=path)

    assert refused.value.message == f"The file {name} is not a valid XLSX workbook."
    assert not Request.objects.exists()


@pytest.mark.django_db
def test_a_csv_register_named_xlsx_is_read_as_csv_by_its_content(tmp_path):
    path = tmp_path / "register.txt"
    path.write_text(HEADER + ROW, encoding="utf-8")

    result = register_import(actor=None, path=path)

    assert result.created == 1
    assert Request.objects.get().reference == "UP-1"


@pytest.mark.django_db
def test_the_import_page_refuses_a_pdf_named_csv_with_a_clear_message(
    client, run_tasks, media, settings
):
    from django.urls import reverse

    from rogatory.accounts.models import Role
    from rogatory.intake.models import RegisterJob
    from tests.accounts.factories import UnitFactory, UserFactory

    settings.SECURE_SSL_REDIRECT = False
    unit = UnitFactory()
    client.force_login(UserFactory(role=Role.CLERK, units=[unit]))
    upload = SimpleUploadedFile("../../register.csv", PDF, content_type="text/csv")

    with run_tasks():
        client.post(reverse("web:import"), {"file": upload, "unit": unit.pk})

    job = RegisterJob.objects.get()
    assert job.status == RegisterJob.Status.FAILED
    assert "register.csv is not a register in CSV or XLSX: its content is a PDF document" in (
        job.error
    )
    assert job.parameters["name"] == "register.csv"
    assert _files(media) == []
