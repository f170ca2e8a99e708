"""Fixtures shared by the tests of the web pages."""

import pytest

from tests.accounts.factories import UnitFactory
from tests.intake.conftest import run_tasks  # noqa: F401  (a fixture for the job pages)


@pytest.fixture(autouse=True)
def _plain_http(settings):
    # Outside debug mode every plain-HTTP request is redirected to HTTPS first.
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture
def central():
    return UnitFactory(code="central", name="Central authority")
