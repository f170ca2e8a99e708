"""A stateful schemathesis run against the API: sequences of calls, chained by real ids.

Schemathesis 4 infers links between the API's operations from the OpenAPI document (a
request created by POST /requests is read, patched, given events, documents and an example
through its id). Hypothesis drives sequences of such calls, derandomised so that CI runs the
same ones every time, as a supervisor with an API token, in process over WSGI (see
tests/api/test_schemathesis.py for the stateless run). Every response must be no server error
and conform to the document: its status code is documented and its body matches the schema.
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from rogatory.accounts.models import Role
from rogatory.accounts.services import token_create
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

from .tally import tally

pytestmark = pytest.mark.django_db

MODULE = "stateful schemathesis"
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=25,
    stateful_step_count=10,
    suppress_health_check=list(HealthCheck),
)


def _behind_tls_proxy(app):
    """Return the app as production runs it: behind a proxy that terminates TLS."""

    def app_behind_proxy(environ, start_response):
        environ["HTTP_X_FORWARDED_PROTO"] = "https"
        return app(environ, start_response)

    return app_behind_proxy


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _behind_tls_proxy(WSGIHandler()))


@pytest.fixture
def connection_kept():
    """Keep the test's database connection across requests, as Django's test client does."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def supervisor_token(settings) -> str:
    settings.SECURE_SSL_REDIRECT = False
    unit = UnitFactory(code="central", name="Central authority")
    make_request(unit=unit, reference="STATEFUL-1")
    supervisor = UserFactory(role=Role.SUPERVISOR, units=[unit])
    return token_create(actor=None, user=supervisor, name="stateful").secret


def test_api_call_sequences_conform_to_the_openapi_document(
    connection_kept, supervisor_token, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    base = schema.as_state_machine()

    class Workflow(base):
        def setup(self) -> None:
            tally(MODULE, "sequences")

        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Bearer {supervisor_token}"}}

        def validate_response(self, response, case, additional_checks=None, **kwargs) -> None:
            tally(MODULE, "calls")
            tally(MODULE, f"status {response.status_code}")
            case.validate_response(response, checks=CHECKS)

    assert base.bundles, "schemathesis inferred no links between the API's operations"
    Workflow.run(settings=SETTINGS)
