"""Tests for downloading a document: the file streams to those who may see its request."""

from pathlib import Path

import pytest
from django.conf import settings

from rogatory.accounts.models import Role
from rogatory.audit.models import AuditRecord
from rogatory.register.models import Document
from tests.register.factories import make_request

from .conftest import API, assert_error, attach_document

pytestmark = pytest.mark.django_db


def _url(document) -> str:
    return f"{API}/requests/{document.request_id}/documents/{document.pk}"


def test_download_streams_the_file_as_an_attachment(clerk_client, own_request):
    document = attach_document(own_request, b"%PDF-1.7 the letter")

    response = clerk_client.get(_url(document))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7 the letter"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="letter.pdf"'


def test_download_of_a_type_a_browser_could_run_is_sent_as_opaque_bytes(clerk_client, own_request):
    # Uploads are checked by content now; a page could only come from before the checks.
    document = attach_document(own_request)
    Document.objects.filter(pk=document.pk).update(content_type="text/html")

    response = clerk_client.get(_url(document))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_download_is_audited(client_as, own_request):
    document = attach_document(own_request)

    client_as(Role.VIEWER).get(_url(document))

    view = AuditRecord.objects.get(action="document_view")
    assert view.object_id == str(document.pk)
    assert view.request_id == own_request.pk
    assert view.actor.role == Role.VIEWER


def test_download_of_another_units_document_is_not_found(clerk_client, other_request):
    document = attach_document(other_request)

    assert_error(clerk_client.get(_url(document)), 404)
    assert not AuditRecord.objects.filter(action="document_view").exists()


def test_download_of_a_document_under_another_request_is_not_found(
    clerk_client, own_request, own_unit
):
    document = attach_document(make_request(unit=own_unit))

    response = clerk_client.get(f"{API}/requests/{own_request.pk}/documents/{document.pk}")

    assert_error(response, 404)


@pytest.mark.parametrize("document_id", ["424242", "0", "x", str(2**70)])
def test_download_of_a_document_that_does_not_exist(clerk_client, own_request, document_id):
    response = clerk_client.get(f"{API}/requests/{own_request.pk}/documents/{document_id}")

    assert response.status_code in (404, 422), response.content
    assert_error(response, response.status_code)


def test_download_of_a_document_whose_file_is_gone_is_not_found(clerk_client, own_request):
    document = attach_document(own_request)
    (Path(settings.MEDIA_ROOT) / document.storage_name).unlink()

    body = assert_error(clerk_client.get(_url(document)), 404)

    assert "missing" in body["detail"]


def test_download_without_authentication_is_refused(client, own_request):
    document = attach_document(own_request)

    assert_error(client.get(_url(document)), 401)
