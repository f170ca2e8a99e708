"""Fixtures shared by the whole suite."""

import os

import pytest

from rogatory.reference.services import reference_load

# CI sets this so that a test skipped for want of PostgreSQL or Chromium fails instead.
NO_SKIP = os.environ.get("ROGATORY_TEST_NO_SKIP", "") not in ("", "0")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if NO_SKIP and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"Skipped, and ROGATORY_TEST_NO_SKIP forbids skips: {reason}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the shipped reference data once into the test database."""
    with django_db_blocker.unblock():
        reference_load()


@pytest.fixture
def clerk():
    """A named user who records events, for tests that check who did what."""
    from tests.accounts.factories import UserFactory

    return UserFactory(username="clara.clerk")
