"""Schemathesis against the OpenAPI document, in process: no 5xx, and every response as documented.

The app is called through WSGI in this process, so the test needs no network and runs inside
pytest-django's test database, as a supervisor with an API token. Generation covers valid and
invalid input (`mode = all`), with a fixed seed so that CI runs are reproducible, and a limited
number of examples per operation so that it stays quick. A summary is printed at the end of the
pytest run (see `pytest_terminal_summary` in conftest.py).
"""

from collections import Counter
from datetime import date

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from rogatory.accounts.models import Role
from rogatory.accounts.services import token_create
from rogatory.register.models import Direction, Kind, Outcome
from tests.accounts.factories import UserFactory
from tests.register.factories import make_request

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
MAX_EXAMPLES = 25
SEED = 20230101

# What the run did; conftest.py prints it.
SUMMARY: Counter = Counter()
OPERATIONS: set[str] = set()


def _behind_tls_proxy(app):
    """Return the app as production runs it: behind a proxy that terminates TLS."""

    def app_behind_proxy(environ, start_response):
        environ["HTTP_X_FORWARDED_PROTO"] = "https"
        return app(environ, start_response)

    return app_behind_proxy


CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "generation": {"max-examples": MAX_EXAMPLES, "mode": "all", "no-shrink": True},
        "phases": {"stateful": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", _behind_tls_proxy(WSGIHandler()), config=CONFIG
)


@pytest.fixture
def connection_kept():
    """Keep the test's database connection across requests, as Django's test client does.

    A WSGI handler closes "obsolete" connections when a request starts and ends, and the test's
    open transaction makes PostgreSQL's connection look obsolete.
    """
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def register(own_unit) -> None:
    """A few requests, so that some generated ids name one."""
    make_request(unit=own_unit, reference="SCHEMA-1")
    make_request(
        unit=own_unit,
        kind=Kind.EXTRADITION,
        direction=Direction.INCOMING,
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 5, 1),
    )


@pytest.fixture
def supervisor_token(own_unit) -> str:
    supervisor = UserFactory(role=Role.SUPERVISOR, units=[own_unit])
    return token_create(actor=None, user=supervisor, name="schemathesis").secret


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_document(case, connection_kept, register, supervisor_token):
    OPERATIONS.add(case.operation.label)
    SUMMARY["examples"] += 1
    try:
        response = case.call_and_validate(
            headers={"Authorization": f"Bearer {supervisor_token}"}, checks=CHECKS
        )
    except Exception:
        SUMMARY["failures"] += 1
        raise
    SUMMARY[response.status_code] += 1
