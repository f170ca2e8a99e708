"""Tests for the API as a whole: its OpenAPI document, its docs page, and errors outside operations."""

import pytest

from .conftest import API, assert_error

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("get", "/api/v1/requests"),
    ("post", "/api/v1/requests"),
    ("get", "/api/v1/requests/{request_id}"),
    ("post", "/api/v1/requests/{request_id}/events"),
    ("post", "/api/v1/requests/{request_id}/documents"),
    ("get", "/api/v1/requests/{request_id}/documents/{document_id}"),
    ("get", "/api/v1/report"),
    ("get", "/api/v1/countries"),
    ("get", "/api/v1/refusal-grounds"),
    ("post", "/api/v1/imports"),
    ("patch", "/api/v1/requests/{request_id}"),
    ("get", "/api/v1/report/publication"),
    ("get", "/api/v1/report/file"),
    ("get", "/api/v1/report/fatf"),
    ("get", "/api/v1/partners"),
    ("get", "/api/v1/partners/{code}"),
    ("get", "/api/v1/statement"),
    ("get", "/api/v1/examples"),
    ("post", "/api/v1/requests/{request_id}/example"),
    ("put", "/api/v1/requests/{request_id}/example"),
    ("delete", "/api/v1/requests/{request_id}/example"),
    ("post", "/api/v1/requests/{request_id}/example/approve"),
}


def test_openapi_document_describes_every_operation(client):
    response = client.get(f"{API}/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "Rogatory API"
    assert document["info"]["version"] == "1"
    operations = {(method, path) for path, item in document["paths"].items() for method in item}
    assert operations == OPERATIONS
    schemes = document["components"]["securitySchemes"]
    assert schemes["ApiTokenAuth"] == {"type": "http", "scheme": "bearer"}


def test_openapi_document_gives_every_operation_an_id_and_the_error_shape(client):
    document = client.get(f"{API}/openapi.json").json()

    for item in document["paths"].values():
        for operation in item.values():
            assert operation["operationId"].replace("_", "").isalpha()
            error = operation["responses"]["422"]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/ErrorOut"}


def test_docs_page_is_served(client):
    response = client.get(f"{API}/docs")

    assert response.status_code == 200
    assert b"/api/v1/openapi.json" in response.content


def test_docs_page_loads_its_assets_from_this_server_not_a_cdn(client):
    page = client.get(f"{API}/docs").content.decode()

    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "https://" not in page


def test_an_address_that_is_no_operation_is_a_json_404(client):
    assert_error(client.get(f"{API}/no-such-thing"), 404)
    assert_error(client.get(f"{API}/requests/"), 404)


def test_a_method_an_address_does_not_take_is_a_json_405(clerk_client):
    response = clerk_client.delete(f"{API}/requests")

    assert_error(response, 405)
    assert set(response["Allow"].split(", ")) == {"GET", "POST"}


def test_schema_errors_are_all_reported_with_their_field_paths(clerk_client):
    response = clerk_client.get(
        f"{API}/requests", {"limit": "0", "direction": "up", "opened_from": "soon"}
    )

    body = assert_error(response, 422)
    assert {error["field"] for error in body["errors"]} == {"limit", "direction", "opened_from"}
    assert body["detail"] == "The input is not valid."


def test_error_messages_follow_the_language_asked_for(clerk_client):
    response = clerk_client.get(f"{API}/requests/999", headers={"accept-language": "ru"})

    assert_error(response, 404)
    assert response["Content-Language"] == "ru"


def test_a_body_larger_than_django_accepts_is_too_large(clerk_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100

    response = clerk_client.post(
        f"{API}/requests", {"notes": "x" * 1000}, content_type="application/json"
    )

    assert_error(response, 413)


def test_too_many_form_fields_is_a_bad_request(clerk_client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5

    response = clerk_client.post(f"{API}/imports", {f"f{n}": "x" for n in range(10)})

    assert_error(response, 400)


def test_an_unexpected_error_is_a_json_500_and_is_logged(clerk_client, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("rogatory.api.endpoints.reference.Country.objects.prefetch_related", broken)

    response = clerk_client.get(f"{API}/countries")

    body = assert_error(response, 500)
    assert "a bug" not in body["detail"]
    assert any(record.exc_info and "a bug" in str(record.exc_info[1]) for record in caplog.records)
