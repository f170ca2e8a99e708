"""The browser half of the hostile-input suite: the live server and Chromium of tests/browser.

A package of its own because the live server's tests empty the database after each test; the
browser fixtures put the reference data back when the package ends, before other tests run.
"""

from tests.browser.conftest import (  # noqa: F401  (fixtures)
    _browser_package,
    _database_between_tests,
    browser,
    live_server,
    page,
)
