"""A full disk or a failed write while a register file is uploaded: a clear error, nothing kept.

The faults are injected into the file writes themselves: the file opened for the upload takes
FAIL_AFTER bytes and then fails with ENOSPC (a full disk) or EIO (a broken one), leaving a
partial file, as a real disk would. Afterwards no upload and no job may be left, and the page
keeps what the user chose. The API answers 507 for a full disk (see
tests/register/test_upload_faults.py for why 507 and 503).
"""

import errno
import html
import tempfile
from pathlib import Path, PosixPath

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from rogatory.accounts.models import Role
from rogatory.audit.models import AuditRecord
from rogatory.core.exceptions import StorageError, StorageFullError
from rogatory.intake import uploads
from rogatory.intake.models import RegisterJob
from rogatory.intake.uploads import upload_store
from rogatory.register.models import Request
from tests.accounts.factories import UnitFactory, UserFactory
from tests.api.conftest import assert_error, bearer_client

pytestmark = pytest.mark.django_db

ROW = "reference,direction,kind,country,sent_on,status\n"
CONTENT = (
    ROW + "".join(f"F-{n},outgoing,mla,CH,2024-02-01,pending\n" for n in range(5000))
).encode()
FAIL_AFTER = 16 * 1024


class _FailingWrites:
    """A binary file that takes FAIL_AFTER bytes, then fails every write with `code`."""

    def __init__(self, stream, code: int) -> None:
        self._stream = stream
        self._code = code
        self._written = 0

    def write(self, data: bytes) -> int:
        room = FAIL_AFTER - self._written
        self._stream.write(data[:room])
        self._written += min(len(data), room)
        if len(data) > room:
            raise OSError(self._code, "injected: " + errno.errorcode[self._code])
        return len(data)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self._stream.close()


def _failing_path(code: int) -> type:
    class FailingPath(PosixPath):
        def open(self, mode="r", *args, **kwargs):
            stream = super().open(mode, *args, **kwargs)
            return _FailingWrites(stream, code) if "b" in mode and "r" not in mode else stream

    return FailingPath


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SECURE_SSL_REDIRECT = False
    return settings.MEDIA_ROOT


def _left(media: Path) -> list[Path]:
    return [path for path in (media / "imports").rglob("*")] if (media / "imports").exists() else []


# --- The upload store -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "error", "words"),
    [
        (errno.ENOSPC, StorageFullError, "no space left"),
        (errno.EDQUOT, StorageFullError, "no space left"),
        (errno.EIO, StorageError, "writing it failed"),
    ],
)
def test_failed_write_names_the_file_and_keeps_nothing(media, monkeypatch, code, error, words):
    monkeypatch.setattr(uploads, "Path", _failing_path(code))

    with pytest.raises(error) as raised:
        upload_store(chunks=[CONTENT], original_name="register 2024.csv", max_bytes=1 << 30)

    assert type(raised.value) is error
    assert "register_2024.csv" in raised.value.message and words in raised.value.message
    assert raised.value.extra == {"field": "file"}
    assert _left(media) == []


def test_directory_that_cannot_be_made_keeps_nothing(media, monkeypatch):
    class FullPath(PosixPath):
        def mkdir(self, *args, **kwargs):
            raise OSError(errno.ENOSPC, "injected: no space for a directory")

    monkeypatch.setattr(uploads, "Path", FullPath)

    with pytest.raises(StorageFullError, match="no space left"):
        upload_store(chunks=[CONTENT], original_name="register.csv", max_bytes=1 << 30)

    assert not media.exists() or _left(media) == []


# --- The import page and the API -------------------------------------------------------------


def test_import_page_names_the_file_and_keeps_the_unit_chosen(media, monkeypatch):
    UnitFactory(code="central", name="Central authority")
    north = UnitFactory(code="north", name="Northern department")
    supervisor = UserFactory(role=Role.SUPERVISOR)
    client = Client()
    client.force_login(supervisor)
    audited = AuditRecord.objects.count()
    monkeypatch.setattr(uploads, "Path", _failing_path(errno.ENOSPC))

    response = client.post(
        reverse("web:import"),
        {"file": SimpleUploadedFile("register.csv", CONTENT), "unit": north.pk},
    )

    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "The file register.csv could not be stored: the server has no space left" in page
    assert f'<option value="{north.pk}" selected>' in page
    assert not RegisterJob.objects.exists()
    assert AuditRecord.objects.count() == audited
    assert _left(media) == []


def test_api_import_answers_507_when_the_disk_is_full(media, monkeypatch, tmp_path):
    from rogatory.api.endpoints import imports

    clerk = UserFactory(role=Role.CLERK)
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    monkeypatch.setattr(imports, "Path", _failing_path(errno.ENOSPC))

    response = bearer_client(clerk).post(
        "/api/v1/imports",
        {"file": SimpleUploadedFile("register.csv", CONTENT), "dry_run": "false"},
    )

    body = assert_error(response, 507)
    assert "no space left" in body["detail"]
    assert not Request.objects.exists()
    assert list(spool.iterdir()) == []
