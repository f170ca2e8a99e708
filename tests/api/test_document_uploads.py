"""Attaching a document through the API: checked by content, limited in size, safely named."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rogatory.accounts.models import Role
from rogatory.register.models import Document

from .conftest import API, assert_error, attach_document

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def _url(request) -> str:
    return f"{API}/requests/{request.pk}/documents"


def _post(client, request, content: bytes, name: str, **fields):
    upload = SimpleUploadedFile(name, content, content_type=fields.pop("claimed", "text/html"))
    return client.post(_url(request), {"file": upload, **fields})


def _stored(settings) -> list:
    media = settings.MEDIA_ROOT
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


def test_upload_stores_the_type_read_from_the_content(clerk_client, own_request):
    response = _post(clerk_client, own_request, PDF, "letter.pdf", kind="request", title="")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["title"], body["original_name"]) == ("letter.pdf", "letter.pdf")
    assert (body["kind"], body["content_type"], body["size"]) == (
        "request",
        "application/pdf",
        len(PDF),
    )
    download = clerk_client.get(body["download_url"])
    assert b"".join(download.streaming_content) == PDF


def test_upload_of_html_named_pdf_is_refused_with_the_file_named(
    clerk_client, own_request, settings
):
    response = _post(
        clerk_client, own_request, b"<html><script>alert(1)</script></html>", "report.pdf"
    )

    body = assert_error(response, 422, field="file")
    assert "report.pdf" in body["detail"]
    assert "HTML" in body["detail"]
    assert not Document.objects.exists()
    assert _stored(settings) == []


def test_upload_of_a_zip_bomb_named_docx_is_refused(clerk_client, own_request, settings):
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"\0" * (20 * 1024 * 1024))

    response = _post(clerk_client, own_request, stream.getvalue(), "contract.docx")

    body = assert_error(response, 422, field="file")
    assert "contract.docx would unpack to 20 MB" in body["detail"]
    assert _stored(settings) == []


def test_upload_over_the_limit_is_413_naming_the_limit(clerk_client, own_request, settings):
    settings.ROGATORY_MAX_UPLOAD_BYTES = 1024 * 1024

    response = _post(clerk_client, own_request, b"%PDF" + b"\0" * (1024 * 1024), "big.pdf")

    body = assert_error(response, 413)
    assert "1 MB" in body["detail"]
    assert not Document.objects.exists()
    assert _stored(settings) == []


def test_upload_body_over_the_limit_is_refused_before_it_is_read(
    clerk_client, own_request, settings
):
    settings.ROGATORY_MAX_UPLOAD_BYTES = 1024
    response = _post(clerk_client, own_request, b"%PDF" + b"\0" * 200_000, "big.pdf")

    assert_error(response, 413)
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("%2e%2e/%2e%2e/x.pdf", "x.pdf"),
        ("a\x00b.pdf", "ab.pdf"),
        ("a" * 1000 + ".pdf", "a" * 251 + ".pdf"),
    ],
)
def test_upload_keeps_only_a_cleaned_name_as_data(clerk_client, own_request, settings, given, kept):
    response = _post(clerk_client, own_request, PDF, given)

    assert response.status_code == 201, response.content
    assert response.json()["original_name"] == kept
    (stored,) = _stored(settings)
    assert stored.name.isalnum() and len(stored.name) == 32
    assert stored.resolve().is_relative_to(settings.MEDIA_ROOT.resolve())


def test_upload_to_a_request_of_another_unit_is_404(clerk_client, other_request, settings):
    response = _post(clerk_client, other_request, PDF, "letter.pdf")

    assert_error(response, 404)
    assert _stored(settings) == []


def test_upload_by_a_viewer_is_403(client_as, own_request, settings):
    response = _post(client_as(Role.VIEWER), own_request, PDF, "letter.pdf")

    assert_error(response, 403)
    assert _stored(settings) == []


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ('say "hi".pdf', 'attachment; filename="say \\"hi\\".pdf"'),
        ("a\\b.pdf", 'attachment; filename="b.pdf"'),
        ("line\r\nSet-Cookie: x=1.pdf", 'attachment; filename="lineSet-Cookie: x=1.pdf"'),
        ("запрос.pdf", "attachment; filename*=utf-8''%D0%B7%D0%B0%D0%BF%D1%80%D0%BE%D1%81.pdf"),
    ],
)
def test_download_sends_a_safe_content_disposition(clerk_client, own_request, name, header):
    document = attach_document(own_request, PDF)
    # A name as it could have been stored before names were cleaned on the way in.
    Document.objects.filter(pk=document.pk).update(original_name=name)

    response = clerk_client.get(f"{API}/requests/{own_request.pk}/documents/{document.pk}")

    assert response.status_code == 200
    assert response["Content-Disposition"] == header
    assert not any("\r" in value or "\n" in value for value in response.headers.values())
    assert "x=1" not in response.cookies
