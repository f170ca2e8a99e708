"""No personal data in the logs or on error pages: paths, query strings, bodies, error texts."""

import io
import logging
import sys
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import path
from gunicorn.config import Config

from rogatory.api.endpoints import reference as reference_endpoints
from rogatory.core.logging import (
    UNKNOWN_PATH,
    WITHHELD,
    AccessLogger,
    PersonalDataFilter,
    safe_path,
)
from rogatory.urls import urlpatterns as rogatory_urlpatterns
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

# A person sought, as a user would type them into a search, a form or an address.
NAME = "Ivanov Ivan Ivanovich"
SLUG = "IVANOV-Ivan"


def _failing_view(request: HttpRequest, value: str):
    # Exceptions quote the values they failed on, as a database's duplicate-key error does.
    try:
        raise KeyError(f"lookup of {NAME}")
    except KeyError as error:
        raise ValueError(f"duplicate key (surname)=({NAME})") from error


# The application's addresses, and one view that fails with personal data in its error.
urlpatterns = [path("failing/<str:value>/", _failing_view), *rogatory_urlpatterns]
handler500 = "rogatory.core.views.server_error"


@pytest.fixture
def log_output():
    """Return what the configured console handler writes while the test runs."""
    handler = next(
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(item, PersonalDataFilter) for item in handler.filters)
    )
    buffer = io.StringIO()
    # Not setStream: it flushes the stream it replaces, which may be the output of an earlier
    # test that pytest has since closed.
    previous, handler.stream = handler.stream, buffer
    yield buffer
    handler.stream = previous


@pytest.fixture
def failing_urls(settings):
    settings.ROOT_URLCONF = __name__
    settings.SECURE_SSL_REDIRECT = False


def _assert_no_personal_data(*texts: str) -> None:
    for text in texts:
        for secret in (NAME, "Ivanov", "IVANOV"):
            assert secret not in text


def test_a_web_500_logs_and_shows_nothing_of_the_request_or_the_error(
    failing_urls, caplog, log_output
):
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())

    response = client.post(f"/failing/{SLUG}/?q={NAME}", {"surname": NAME, "note": NAME})

    assert response.status_code == 500
    _assert_no_personal_data(response.content.decode(), caplog.text, log_output.getvalue())
    # What an operator needs is still there: the route, the error's class, where it happened.
    logged = log_output.getvalue()
    assert "Internal Server Error: /failing/<str:value>/" in logged
    assert "builtins.ValueError: " + WITHHELD in logged
    assert "builtins.KeyError: " + WITHHELD in logged
    assert "in _failing_view" in logged


def test_a_web_404_logs_no_address_a_user_typed(failing_urls, caplog, log_output):
    client = Client()
    client.force_login(UserFactory())

    response = client.get(f"/people/{SLUG}/?q={NAME}")

    assert response.status_code == 404
    _assert_no_personal_data(response.content.decode(), caplog.text, log_output.getvalue())
    assert f"Not Found: {UNKNOWN_PATH}" in log_output.getvalue()


def test_a_404_of_a_known_route_logs_the_route(failing_urls, caplog, log_output):
    client = Client()
    client.force_login(UserFactory())

    response = client.get("/requests/987654/?q=" + NAME)

    assert response.status_code == 404
    _assert_no_personal_data(caplog.text, log_output.getvalue())
    assert "Not Found: /requests/<int:" in log_output.getvalue()


def test_an_api_500_logs_and_answers_nothing_of_the_error(
    failing_urls, caplog, log_output, monkeypatch, api_client
):
    class _Failing:
        class objects:  # stands in for a model manager
            @staticmethod
            def prefetch_related(*args):
                raise ValueError(f"country of {NAME}")

    monkeypatch.setattr(reference_endpoints, "Country", _Failing)

    response = api_client.get(f"/api/v1/countries?q={NAME}")

    assert response.status_code == 500
    _assert_no_personal_data(response.content.decode(), caplog.text, log_output.getvalue())
    assert "builtins.ValueError: " + WITHHELD in log_output.getvalue()


def test_an_api_404_logs_no_address_a_user_typed(failing_urls, caplog, log_output, api_client):
    response = api_client.get(f"/api/v1/people/{SLUG}?q={NAME}")

    assert response.status_code == 404
    _assert_no_personal_data(response.content.decode(), caplog.text, log_output.getvalue())


@pytest.fixture
def api_client(user_of_viewer_token) -> Client:
    return Client(
        headers={"authorization": f"Bearer {user_of_viewer_token}"}, raise_request_exception=False
    )


@pytest.fixture
def user_of_viewer_token() -> str:
    from rogatory.accounts.services import token_create

    return token_create(actor=None, user=UserFactory(), name="tests").secret


def test_the_development_server_log_loses_the_query_string(failing_urls, caplog):
    logger = logging.getLogger("django.server")
    record = logger.makeRecord(
        "django.server",
        logging.WARNING,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET /requests/?q={NAME} HTTP/1.1", "404", "10"),
        None,
        extra={"request": object(), "server_time": "now", "status_code": 404},
    )
    PersonalDataFilter().filter(record)
    assert record.getMessage() == '"GET /requests/ HTTP/1.1" 404 10'
    assert not hasattr(record, "request")


def test_a_record_is_cleaned_once_and_stays_clean():
    try:
        raise ValueError(NAME)
    except ValueError:
        record = logging.getLogger("rogatory").makeRecord(
            "rogatory", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    clean = PersonalDataFilter()
    assert clean.filter(record) and clean.filter(record)
    formatted = logging.Formatter().format(record)
    assert NAME not in formatted
    assert WITHHELD in formatted


def test_safe_path_names_routes_and_keeps_static_files(failing_urls):
    assert safe_path("/requests/12/") == "/requests/<int:request_id>/"
    assert safe_path(f"/failing/{SLUG}/") == "/failing/<str:value>/"
    assert safe_path(f"/requests/?q={NAME}") == "/requests/"
    assert safe_path(f"/{SLUG}/") == UNKNOWN_PATH
    assert safe_path("/static/web/rogatory.css") == "/static/web/rogatory.css"


def test_gunicorn_access_log_has_no_query_string_referrer_cookie_or_token(failing_urls):
    logger = AccessLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/requests/?q={NAME}",
        "PATH_INFO": "/requests/",
        "QUERY_STRING": f"q={NAME}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.1",
        "HTTP_REFERER": f"https://rogatory.example/requests/?q={NAME}",
        "HTTP_COOKIE": "sessionid=secret-session",
    }
    request = SimpleNamespace(
        headers=[("COOKIE", "sessionid=secret-session"), ("AUTHORIZATION", "Bearer rgt_secret")]
    )
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])

    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=5))

    line = logger.cfg.access_log_format % atoms
    assert '"GET /requests/ HTTP/1.1" 200 10' in line
    for secret in (NAME, "secret-session", "rgt_secret"):
        assert secret not in str(atoms)
