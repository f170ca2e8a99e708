"""The demo as `make demo` serves it: gunicorn, static files by WhiteNoise, plain HTTP."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from rogatory.core.demo import DEMO_PASSWORD
from tests.browser.conftest import TIMEOUT_MS, VIEWPORT, sign_in

START_SECONDS = 120


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """Run `rogatory demo` in a folder of its own, as `make demo` does, and return its address."""
    folder = tmp_path_factory.mktemp("demo")
    port = _free_port()
    environment = {
        **os.environ,
        "ROGATORY_DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}",
        "ROGATORY_MEDIA_DIR": str(folder / "media"),
        "ROGATORY_STATIC_ROOT": str(folder / "static"),
    }
    for name in ("ROGATORY_SECRET_KEY", "ROGATORY_DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        environment.pop(name, None)
    log = folder / "demo.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "rogatory.cli", "demo", "--port", str(port)],
            cwd=folder,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    address = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(server, f"{address}/login/", log=log)
        yield address
    finally:
        # The demo became gunicorn's master process, which stops its workers on SIGTERM.
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_demo_server_signs_in_over_plain_http_with_its_style_sheet(browser, demo_server):
    context = browser.new_context(base_url=demo_server, viewport=VIEWPORT, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    style_sheets = []
    page.on(
        "response",
        lambda response: style_sheets.append(response) if ".css" in response.url else None,
    )

    sign_in(page, "supervisor", DEMO_PASSWORD)

    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link", name="Dashboard")).to_have_attribute(
        "aria-current", "page"
    )
    # WhiteNoise serves the style sheet by its hashed name, from what collectstatic gathered.
    assert any(
        response.status == 200
        and re.search(r"/static/web/rogatory\.[0-9a-f]{12}\.css$", response.url)
        for response in style_sheets
    ), [(response.url, response.status) for response in style_sheets]
    page.goto("/requests/?search=09001")
    expect(page.get_by_role("region", name="Requests").get_by_role("link")).to_contain_text(
        [re.compile("-OE-09001$")]
    )
    context.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_serving(server: subprocess.Popen, url: str, *, log) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(
                f"rogatory demo stopped with status {server.returncode}:\n{log.read_text()}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    pytest.fail(
        f"rogatory demo did not answer at {url} within {START_SECONDS} s:\n{log.read_text()}"
    )
