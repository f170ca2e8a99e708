"""The document form of a request's page: a refused file is named, and what the user typed stays."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rogatory.accounts.models import Role
from rogatory.register.models import Document
from tests.accounts.factories import UserFactory
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def clerk_in(client, central):
    user = UserFactory(role=Role.CLERK, units=[central])
    client.force_login(user)
    return user


def _stored(media) -> list:
    return [path for path in media.rglob("*") if path.is_file()]


def _upload(client, request, content: bytes, name: str, **headers):
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(
        reverse("web:document_upload", args=[request.pk]),
        {
            "document-file": upload,
            "document-kind": "reply",
            "document-title": "Reply of the Swiss FOJ",
        },
        headers=headers,
    )


def _form_values(page: str) -> tuple[str, str]:
    title = page.split('name="document-title"', 1)[1].split(">", 1)[0]
    kind = page.split('name="document-kind"', 1)[1].split("</select>", 1)[0]
    return html.unescape(title), kind


@pytest.mark.parametrize("htmx", [False, True])
def test_a_refused_upload_names_the_file_and_keeps_title_and_kind(
    client, clerk_in, central, media, htmx
):
    request = make_request(unit=central)
    headers = {"HX-Request": "true"} if htmx else {}

    response = _upload(
        client, request, b"<html><script>alert(1)</script></html>", "reply.pdf", **headers
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_document-file_error"' in page
    assert "The file reply.pdf is not a kind of file Rogatory keeps" in html.unescape(page)
    title, kind = _form_values(page)
    assert 'value="Reply of the Swiss FOJ"' in title
    assert '<option value="reply" selected>' in kind
    assert not Document.objects.exists()
    assert _stored(media) == []


def test_a_file_contradicting_its_name_is_refused(client, clerk_in, central, media):
    request = make_request(unit=central)

    response = _upload(client, request, PDF, "minutes.docx")

    assert "The file minutes.docx is not what its name says: its content is a PDF document." in (
        html.unescape(response.content.decode())
    )
    assert not Document.objects.exists()


def test_a_file_over_the_limit_is_refused_with_the_limit(
    client, clerk_in, central, media, settings
):
    settings.ROGATORY_MAX_UPLOAD_BYTES = 1024 * 1024
    request = make_request(unit=central)

    response = _upload(client, request, b"%PDF" + b"\0" * (1024 * 1024), "scan.pdf")

    page = html.unescape(response.content.decode())
    assert "files of up to 1.0 MB can be attached" in page
    assert not Document.objects.exists()
    assert _stored(media) == []


def test_an_accepted_upload_keeps_the_type_found_and_a_clean_name(client, clerk_in, central, media):
    request = make_request(unit=central)

    response = _upload(client, request, PDF, "..\\..\\C:\\reply\x00.pdf")

    assert response.status_code == 302, response.content
    document = Document.objects.get()
    assert (document.original_name, document.content_type) == ("reply.pdf", "application/pdf")
    (stored,) = _stored(media)
    assert stored.name == document.storage_name.rsplit("/", 1)[-1]


def test_the_download_names_the_file_safely(client, clerk_in, central, media):
    request = make_request(unit=central)
    _upload(client, request, PDF, 'say "hi".pdf')
    document = Document.objects.get()

    download = client.get(reverse("web:document_download", args=[request.pk, document.pk]))

    assert download["Content-Disposition"] == 'attachment; filename="say \\"hi\\".pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"


def test_the_file_chooser_offers_only_the_kinds_of_file_kept(client, clerk_in, central):
    request = make_request(unit=central)

    page = client.get(reverse("web:request_detail", args=[request.pk])).content.decode()

    accept = page.split('name="document-file"', 1)[1].split(">", 1)[0]
    assert 'accept=".csv,.doc,.docx,' in accept
    assert ".html" not in accept and ".svg" not in accept
