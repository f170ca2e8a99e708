"""Documents kept in an S3-compatible bucket (ROGATORY_S3_BUCKET), against moto's S3 in memory.

The storage is configured exactly as rogatory/settings.py builds it from the environment, so
these tests cover the settings and the service together.
"""

import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from django.urls import reverse
from moto import mock_aws

from rogatory.core.exceptions import NotFoundError
from rogatory.register import services
from rogatory.register.documents import DocumentRefused
from rogatory.register.models import Document
from tests.accounts.factories import UserFactory

from .factories import make_request

pytestmark = pytest.mark.django_db

ROOT = str(Path(__file__).resolve().parents[2])
BUCKET = "rogatory-documents"
PREFIX = "office/documents"
CONTENT = b"%PDF-1.7 letter rogatory " * 100_000  # 2.5 MB: past the local spool, several parts


@pytest.fixture(scope="module")
def s3_storage() -> dict:
    """Return STORAGES["default"] as the settings build it from the ROGATORY_S3_* variables."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, rogatory.settings as s; print(json.dumps(s.STORAGES['default']))",
        ],
        env={
            "PYTHONPATH": ROOT,
            "ROGATORY_S3_BUCKET": BUCKET,
            "ROGATORY_S3_REGION": "eu-central-1",
            "ROGATORY_S3_PREFIX": f"/{PREFIX}/",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


@pytest.fixture
def bucket(settings, s3_storage, monkeypatch):
    """Store documents in a fresh in-memory bucket; yield the S3 client to look inside it."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.client("s3", region_name="eu-central-1")
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"}
        )
        settings.STORAGES = {**settings.STORAGES, "default": s3_storage}
        yield client


def _keys(client) -> list[str]:
    listing = client.list_objects_v2(Bucket=BUCKET)
    return [item["Key"] for item in listing.get("Contents", [])]


def _attach(request, content: bytes = CONTENT) -> Document:
    return services.document_attach(
        actor=None,
        request=request,
        kind=Document.Kind.REQUEST,
        title="Request for assistance",
        original_name="request.pdf",
        content_type="application/pdf",
        content=io.BytesIO(content),
    )


def test_s3_settings_keep_objects_private_and_unsigned(s3_storage):
    assert s3_storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = s3_storage["OPTIONS"]
    assert (options["bucket_name"], options["location"]) == (BUCKET, PREFIX)
    assert (options["default_acl"], options["querystring_auth"]) == ("private", False)


def test_document_attach_puts_the_file_in_the_bucket_under_its_generated_name(bucket):
    document = _attach(make_request())

    assert _keys(bucket) == [f"{PREFIX}/{document.storage_name}"]
    stored = bucket.get_object(Bucket=BUCKET, Key=f"{PREFIX}/{document.storage_name}")
    assert stored["Body"].read() == CONTENT
    assert document.storage_name.startswith("documents/")


def test_document_attach_records_size_and_sha256_of_the_stored_file(bucket):
    document = _attach(make_request())

    document.refresh_from_db()
    assert (document.size, document.sha256) == (len(CONTENT), hashlib.sha256(CONTENT).hexdigest())


def test_document_attach_refuses_an_empty_file_and_leaves_no_object(bucket):
    with pytest.raises(DocumentRefused, match="is empty"):
        _attach(make_request(), content=b"")

    assert _keys(bucket) == []
    assert not Document.objects.exists()


def test_document_attach_leaves_no_object_when_the_database_write_fails(bucket, monkeypatch):
    request = make_request()

    def _fail(**kwargs):
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(services, "audit_record", _fail)

    with pytest.raises(RuntimeError):
        _attach(request)

    assert _keys(bucket) == []
    assert not Document.objects.exists()


def test_document_fetch_reads_the_file_back_from_the_bucket(bucket):
    request = make_request()
    document = _attach(request)

    fetched = services.document_fetch(actor=None, request=request, document_id=document.pk)

    with fetched.file:
        assert fetched.file.read() == CONTENT
    assert fetched.content_type == "application/pdf"


def test_document_fetch_of_an_object_gone_from_the_bucket_is_not_found(bucket):
    request = make_request()
    document = _attach(request)
    bucket.delete_object(Bucket=BUCKET, Key=f"{PREFIX}/{document.storage_name}")

    with pytest.raises(NotFoundError) as error:
        services.document_fetch(actor=None, request=request, document_id=document.pk)

    assert error.value.message == "The file of this document is missing; tell an administrator."


def test_download_page_streams_the_file_from_the_bucket(bucket, client):
    request = make_request()
    document = _attach(request)
    client.force_login(UserFactory())

    response = client.get(
        reverse("web:document_download", args=[request.pk, document.pk]), secure=True
    )

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CONTENT
    assert response["Content-Disposition"] == 'attachment; filename="request.pdf"'
