"""Fixtures shared by the tests of the web pages."""

import pytest

from tests.accounts.factories import UnitFactory


@pytest.fixture(autouse=True)
def _plain_http(settings):
    # Outside debug mode every plain-HTTP request is redirected to HTTPS first.
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture
def central():
    return UnitFactory(code="central", name="Central authority")
