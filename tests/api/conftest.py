"""Users of every role in two units, and clients that call the API as them."""

import io
import sys
from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client

from rogatory.accounts.models import Role, Unit, User
from rogatory.accounts.services import token_create
from rogatory.register.models import Document, Person, Request
from rogatory.register.services import document_attach, person_add
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

API = "/api/v1"
VALID_REQUEST = {"direction": "outgoing", "kind": "mla", "reference": "2023/MLA/1", "country": "CH"}
ROLES = [Role.VIEWER, Role.CLERK, Role.SUPERVISOR, Role.ADMINISTRATOR]


def bearer_client(user: User) -> Client:
    """Return a test client that sends a new API token of `user` with every request."""
    secret = token_create(actor=None, user=user, name="tests").secret
    return Client(headers={"authorization": f"Bearer {secret}"})


def assert_error(response, status: int, *, field: str | None = None) -> dict:
    """Assert that `response` is the API's error shape with `status`; return its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], list)
    for error in body["errors"]:
        assert {"field", "message"} <= set(error)
    if field is not None:
        assert field in [error["field"] for error in body["errors"]], body
    return body


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path) -> None:
    # Production redirects plain HTTP to HTTPS (the TLS proxy's job); the test client speaks HTTP.
    settings.SECURE_SSL_REDIRECT = False
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def own_unit(db) -> Unit:
    return UnitFactory(code="central", name="Central authority")


@pytest.fixture
def other_unit(db) -> Unit:
    return UnitFactory(code="north", name="Northern department")


@pytest.fixture
def user_of(own_unit) -> Callable[..., User]:
    """Return a function that makes a user of `role` in the own unit (or in `units`)."""

    def make(role: str, units: list[Unit] | None = None) -> User:
        return UserFactory(role=role, units=[own_unit] if units is None else units)

    return make


@pytest.fixture
def client_as(user_of) -> Callable[..., Client]:
    """Return a function that makes a token client for a new user of `role`."""

    def make(role: str, units: list[Unit] | None = None) -> Client:
        return bearer_client(user_of(role, units))

    return make


@pytest.fixture
def clerk_client(client_as) -> Client:
    return client_as(Role.CLERK)


@pytest.fixture
def supervisor_client(client_as) -> Client:
    return client_as(Role.SUPERVISOR)


@pytest.fixture
def own_request(own_unit) -> Request:
    """A pending outgoing MLA request of the own unit, sent on 1 March 2023."""
    return make_request(unit=own_unit, reference="OWN-1")


@pytest.fixture
def other_request(other_unit) -> Request:
    """A pending outgoing MLA request of another unit."""
    return make_request(unit=other_unit, reference="OTHER-1")


def attach_document(request: Request, content: bytes = b"%PDF-1.7 letter") -> Document:
    """Attach a file to `request`, as the command line would."""
    return document_attach(
        actor=None,
        request=request,
        kind=Document.Kind.REQUEST,
        title="Letter of request",
        original_name="letter.pdf",
        content_type="application/pdf",
        content=io.BytesIO(content),
    )


def add_person(request: Request, name: str = "Ivan Petrov") -> Person:
    """Name a person sought in an extradition request."""
    return person_add(actor=None, request=request, full_name=name, born_on=date(1980, 1, 2))


def pytest_terminal_summary(terminalreporter) -> None:
    """Print what the schemathesis run did, when it ran."""
    run = sys.modules.get("tests.api.test_schemathesis")
    if run is None or not run.SUMMARY["examples"]:
        return
    statuses = ", ".join(
        f"{status}: {count}"
        for status, count in sorted(run.SUMMARY.items(), key=str)
        if isinstance(status, int)
    )
    terminalreporter.write_sep("-", "schemathesis")
    terminalreporter.write_line(
        f"{len(run.OPERATIONS)} operations, {run.SUMMARY['examples']} examples, "
        f"{run.SUMMARY['failures']} failures (seed {run.SEED}); responses by status: {statuses}"
    )
