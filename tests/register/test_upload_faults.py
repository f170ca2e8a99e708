"""A full disk or a failed write while a document is stored: a clear error, and nothing kept.

The faults are real ones of the storage's own write: `FailingStorage` writes the file as
Django's FileSystemStorage does and then fails with the errno a full disk (ENOSPC) or a broken
one (EIO) gives, leaving a partial file behind, as the disk would. Other tests make the local
spool fail, the database fail after the file was stored, and the clean-up fail too. After each:
no Document row, no file in the storage, the audit trail unchanged, and (web) the form keeps
what the user typed, or (API) 507 for a full disk and 503 for a failed write.

Why 507 and 503: 507 Insufficient Storage (RFC 4918) says exactly that the server cannot store
what it was sent, and that sending it again will not help until space is freed; 503 says the
failure is the server's and passing, so the same upload may be tried again. Neither is the
client's fault, so neither is 4xx, and 413 would wrongly blame the file's size.
"""

import errno
import html
import logging
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from rogatory.accounts.models import Role
from rogatory.audit.models import AuditRecord
from rogatory.core.exceptions import StorageError, StorageFullError
from rogatory.register import services, storage
from rogatory.register.models import Document
from tests.accounts.factories import UnitFactory, UserFactory
from tests.api.conftest import assert_error, bearer_client

from .factories import make_request

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" + b"%% padding\n" * 20_000 + b"%%EOF\n"
# The storage fails after this many bytes of the file are on disk.
FAIL_AFTER = 64 * 1024


class FailingStorage(FileSystemStorage):
    """A file system storage whose writes fail after FAIL_AFTER bytes with `fail_errno`."""

    fail_errno = errno.ENOSPC

    def _save(self, name: str, content) -> str:
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        written = 0
        with path.open("xb") as stream:
            for chunk in content.chunks():
                room = FAIL_AFTER - written
                stream.write(chunk[:room])
                written += min(len(chunk), room)
                if len(chunk) > room:
                    raise OSError(self.fail_errno, "injected: " + errno.errorcode[self.fail_errno])
        return name


class BrokenDiskStorage(FailingStorage):
    fail_errno = errno.EIO


class UndeletableStorage(FileSystemStorage):
    """A storage that stores, but whose deletion fails."""

    def delete(self, name: str) -> None:
        raise OSError(errno.EIO, "injected: the deletion fails")


def _use(settings, tmp_path: Path, backend: type) -> Path:
    location = tmp_path / "documents-storage"
    location.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": f"{backend.__module__}.{backend.__qualname__}",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location


def _files(location: Path) -> list[Path]:
    return [path for path in location.rglob("*") if path.is_file()]


@pytest.fixture
def unit():
    return UnitFactory(code="central", name="Central authority")


@pytest.fixture
def clerk(unit):
    return UserFactory(role=Role.CLERK, units=[unit])


def _attach(clerk, request, content: bytes = PDF, name: str = "reply.pdf") -> Document:
    return services.document_attach(
        actor=clerk,
        request=request,
        kind="reply",
        title="Reply of the Swiss FOJ",
        original_name=name,
        content=SimpleUploadedFile(name, content),
    )


# --- The service ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("backend", "error", "words"),
    [
        (FailingStorage, StorageFullError, "no space left"),
        (BrokenDiskStorage, StorageError, "writing it failed"),
    ],
)
def test_failed_write_names_the_file_and_keeps_nothing(
    settings, tmp_path, clerk, unit, backend, error, words
):
    location = _use(settings, tmp_path, backend)
    request = make_request(unit=unit)
    audited = AuditRecord.objects.count()

    with pytest.raises(error) as raised:
        _attach(clerk, request)

    assert type(raised.value) is error
    assert "reply.pdf" in raised.value.message and words in raised.value.message
    assert not Document.objects.exists()
    assert _files(location) == []  # the partial file the disk took is gone
    assert AuditRecord.objects.count() == audited


def test_spool_that_fails_keeps_nothing(settings, tmp_path, clerk, unit, monkeypatch):
    location = _use(settings, tmp_path, FileSystemStorage)
    request = make_request(unit=unit)
    audited = AuditRecord.objects.count()
    real_spool = storage.tempfile.SpooledTemporaryFile

    class FullSpool(real_spool):
        def write(self, data: bytes) -> int:
            if self.tell() + len(data) > FAIL_AFTER:
                raise OSError(errno.ENOSPC, "injected: no space for the spool")
            return super().write(data)

    monkeypatch.setattr(storage.tempfile, "SpooledTemporaryFile", FullSpool)

    with pytest.raises(StorageFullError, match=r"reply\.pdf"):
        _attach(clerk, request)

    assert not Document.objects.exists()
    assert _files(location) == []
    assert AuditRecord.objects.count() == audited


def test_database_that_fails_after_the_file_was_stored_leaves_no_file(
    settings, tmp_path, clerk, unit, monkeypatch
):
    location = _use(settings, tmp_path, FileSystemStorage)
    request = make_request(unit=unit)
    audited = AuditRecord.objects.count()

    def unreachable(**kwargs):
        raise OperationalError("injected: the database went away")

    monkeypatch.setattr(services, "audit_record", unreachable)

    with pytest.raises(OperationalError):
        _attach(clerk, request)

    assert not Document.objects.exists()
    assert _files(location) == []
    assert AuditRecord.objects.count() == audited


def test_deletion_that_fails_too_is_logged_and_the_first_error_reported(
    settings, tmp_path, clerk, unit, monkeypatch, caplog
):
    _use(settings, tmp_path, UndeletableStorage)
    request = make_request(unit=unit)

    def unreachable(**kwargs):
        raise OperationalError("injected: the database went away")

    monkeypatch.setattr(services, "audit_record", unreachable)

    with caplog.at_level(logging.ERROR), pytest.raises(OperationalError):
        _attach(clerk, request)

    assert not Document.objects.exists()
    (record,) = [r for r in caplog.records if "which no document names" in r.getMessage()]
    assert record.getMessage().startswith("Could not delete documents/")


# --- The web form and the API ---------------------------------------------------------------


def test_web_form_names_the_file_and_keeps_what_was_typed(settings, tmp_path, clerk, unit):
    settings.SECURE_SSL_REDIRECT = False
    location = _use(settings, tmp_path, FailingStorage)
    request = make_request(unit=unit)
    client = Client()
    client.force_login(clerk)

    response = client.post(
        reverse("web:document_upload", args=[request.pk]),
        {
            "document-file": SimpleUploadedFile("reply.pdf", PDF, content_type="application/pdf"),
            "document-kind": "reply",
            "document-title": "Reply of the Swiss FOJ",
        },
    )

    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert 'id="id_document-file_error"' in page
    assert "The file reply.pdf could not be stored: the server has no space left" in page
    assert 'value="Reply of the Swiss FOJ"' in page
    assert '<option value="reply" selected>' in page
    assert not Document.objects.exists()
    assert _files(location) == []


@pytest.mark.parametrize(("backend", "status"), [(FailingStorage, 507), (BrokenDiskStorage, 503)])
def test_api_answers_507_for_a_full_disk_and_503_for_a_failed_write(
    settings, tmp_path, clerk, unit, backend, status
):
    settings.SECURE_SSL_REDIRECT = False
    location = _use(settings, tmp_path, backend)
    request = make_request(unit=unit)

    response = bearer_client(clerk).post(
        f"/api/v1/requests/{request.pk}/documents",
        {"file": SimpleUploadedFile("reply.pdf", PDF), "kind": "reply"},
    )

    body = assert_error(response, status, field="file")
    assert "reply.pdf" in body["detail"]
    assert not Document.objects.exists()
    assert _files(location) == []
