"""Fixtures shared by the whole suite."""

import os
from pathlib import Path

import pytest
from django.conf import settings

from rogatory.accounts.services import unit_default_ensure
from rogatory.reference.services import reference_load

# Tests render pages without running collectstatic first, so they need no manifest.
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Figures are cached until the register changes (rogatory/statistics/cache.py); a cache that
# outlived one test's rolled-back data would show the next test stale figures.
# tests/statistics/test_cache.py turns a real cache on.
settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
# Argon2 is deliberately slow; tests hash many passwords and need no protection.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

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


# Tests marked `postgres` make PostgreSQL databases (or a cluster) of their own, whatever the
# suite's own database is. `.ci/run` sets this on its SQLite pass, so that they run once per CI
# run, in the PostgreSQL pass, instead of twice; they are left out, not skipped.
POSTGRES_IN_OTHER_PASS = os.environ.get("ROGATORY_TEST_POSTGRES_IN_OTHER_PASS", "") not in ("", "0")


def pytest_collection_modifyitems(config, items):
    if not POSTGRES_IN_OTHER_PASS or "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    later = [item for item in items if item.get_closest_marker("postgres")]
    if later:
        config.hook.pytest_deselected(items=later)
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]


# The shared folder (reference data and the acceptance register) sits beside the checkout.
SHARED_DIR = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """Return the shared folder, or skip when this checkout has none beside it."""
    if not (SHARED_DIR / "data" / "seed-2023.csv").is_file():
        pytest.skip(f"the shared folder is not at {SHARED_DIR}")
    return SHARED_DIR


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the shipped reference data once into the test database."""
    with django_db_blocker.unblock():
        reference_load()
        unit_default_ensure()


@pytest.fixture
def clerk():
    """A named user who records events, for tests that check who did what."""
    from tests.accounts.factories import UserFactory

    return UserFactory(username="clara.clerk")


@pytest.fixture
def figures_cache(settings):
    """Turn on a real (per-process) cache, empty, for tests of cached figures."""
    from django.core.cache import cache

    from rogatory.statistics.cache import figures_cache_forget

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "rogatory-test-figures",
        }
    }
    cache.clear()
    figures_cache_forget()
    yield cache
    cache.clear()
    figures_cache_forget()
