"""Browser tests: Debian's Chromium, driven by Playwright, against a live Rogatory server.

Each xdist worker runs its own live server on a free port and its own Chromium. The live
server's tests are transactional: the test database is emptied after each one. So the
reference data is copied back before each test and loaded again after the last, and the
triggers that keep the audit trail append-only are dropped for each emptying, then put back.
"""

import importlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import Model
from django.urls import get_resolver

from rogatory.accounts.models import Unit
from rogatory.accounts.services import unit_default_ensure
from rogatory.deadlines.models import DeadlineRule
from rogatory.reference.models import Country
from rogatory.reference.services import reference_load
from tests.accounts.factories import PASSWORD

# The migration holds the one copy of the triggers' SQL; its module name is not an identifier.
_APPEND_ONLY = importlib.import_module("rogatory.audit.migrations.0002_append_only")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1440, "height": 900}
# Long enough for a slow CI machine, short enough that a missing element fails quickly.
TIMEOUT_MS = 10_000


class _ReferenceCopy:
    """The reference rows as the suite loaded them, kept once a live-server test starts."""

    rows: list[list[Model]] | None = None


@pytest.fixture(scope="package", autouse=True)
def _browser_package(django_db_blocker) -> Iterator[_ReferenceCopy]:
    """Let the ORM run beside Playwright, and leave the database as the suite expects it."""
    # Playwright's sync API keeps an asyncio loop on this thread, and Django refuses ORM calls
    # from a thread with a running loop. Here one thread drives both in turn, which is safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    copy = _ReferenceCopy()
    yield copy
    # Only a live-server test touches the test database (and empties it at its end).
    if copy.rows is not None:
        with django_db_blocker.unblock():
            _append_only_triggers_create()
            if not Country.objects.exists():
                # Loaded as the suite first loaded it, audit records included.
                reference_load()
                unit_default_ensure()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(_browser_package):
    """Return Debian's Chromium under Playwright, or skip when it is not installed."""
    if not CHROMIUM.is_file():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def live_server(request, tmp_path_factory):
    """Serve over plain HTTP, as the demo does, with the production settings otherwise."""
    from django.test import override_settings
    from pytest_django.live_server_helper import LiveServer

    address = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    # The middleware reads these once, when the server thread builds its handler, and the
    # other tests of this worker keep the settings as they are. The live server serves static
    # files from the apps' folders; WhiteNoise only needs a STATIC_ROOT that exists.
    # Import every view module (and the charting and statistics libraries behind them) here,
    # not on the browser's first page, which would wait for it beyond its timeout.
    get_resolver().url_patterns  # noqa: B018
    with override_settings(
        SECURE_SSL_REDIRECT=False, STATIC_ROOT=tmp_path_factory.mktemp("static")
    ):
        server = LiveServer(address)
    yield server
    server.stop()


@pytest.fixture
def _database_between_tests(
    request, _browser_package: _ReferenceCopy, live_server, transactional_db
) -> None:
    """Give each test the reference data, and let the flush after it empty the audit trail."""
    # The audit trail refuses deletion, flush included, by triggers; they are dropped only
    # for the flush that ends this test and put back before the next one.
    request.addfinalizer(_append_only_triggers_drop)
    _append_only_triggers_create()
    copy = _browser_package
    if copy.rows is None:
        copy.rows = [list(model.objects.all()) for model in _reference_models()]
    elif not Country.objects.exists():
        # A copy in a few statements: loading the reference files again takes seconds.
        for rows in copy.rows:
            if rows:
                type(rows[0]).objects.bulk_create(rows)


@pytest.fixture
def page(browser, live_server, _database_between_tests):
    """Return a fresh English page of 1440 × 900, its addresses relative to the live server."""
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def _reference_models() -> list[type[Model]]:
    """Return the models the suite's database starts with rows of, referenced before referring."""
    reference = apps.get_app_config("reference").get_models(include_auto_created=True)
    # Many-to-many tables after the tables they join; the deadline rules, loaded with the
    # reference data, after the treaties they name.
    return [
        *sorted(reference, key=lambda model: bool(model._meta.auto_created)),
        DeadlineRule,
        Unit,
    ]


def _append_only_triggers_drop() -> None:
    with connection.cursor() as cursor:
        for statement in _APPEND_ONLY.DROP[connection.vendor]:
            cursor.execute(statement)


def _append_only_triggers_create() -> None:
    _append_only_triggers_drop()
    with connection.cursor() as cursor:
        for statement in _APPEND_ONLY.CREATE[connection.vendor]:
            cursor.execute(statement, None)


def sign_in(page, username: str, password: str = PASSWORD, *, then: str = "/") -> None:
    """Sign in through the sign-in page, asking to go to `then`, and wait until it is shown."""
    page.goto(f"/login/?next={then}")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"^(?!.*/login/)"))
