"""The database goes away while the server runs: 503 answers, then recovery without a restart.

The in-process tests check each piece (the middleware, the API's handler, the health checks).
The end-to-end test runs the real server (`rogatory serve`, gunicorn) against a PostgreSQL
database of its own, reached through a TCP proxy the test controls (tests/core/tcp_proxy.py).
"PostgreSQL stops" is the proxy cutting every connection and refusing new ones, which is what
the server sees of a stopped database; the shared PostgreSQL the other tests use keeps running.
"""

import contextlib
import http.cookiejar
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client, RequestFactory

from tests.core.tcp_proxy import TcpProxy

ROOT = str(Path(__file__).resolve().parents[2])
SERVER = os.environ.get("ROGATORY_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
PASSWORD = "outage-check-Vb83kLq2"
SECRET_KEY = "outage-test-" + "k" * 50
REGISTER = (
    "reference,direction,kind,country,sent_on,status\nOUTAGE/1,outgoing,mla,CH,2023-02-01,pending\n"
)


# --- In process -------------------------------------------------------------------------------


@pytest.fixture
def plain_http(settings):
    settings.SECURE_SSL_REDIRECT = False


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_page_whose_database_is_unreachable_answers_503_with_retry_after(
    error, plain_http, monkeypatch, caplog
):
    def unreachable(*args, **kwargs):
        raise error("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr("rogatory.web.views.account.SignInForm.__init__", unreachable)

    response = Client().get("/login/")

    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert "cannot reach its database" in response.content.decode()
    assert "Traceback" not in response.content.decode()
    # One line, naming the path, without the exception's text (it may quote query values).
    (record,) = [r for r in caplog.records if r.name == "rogatory.core.middleware"]
    assert record.getMessage() == f"Database unavailable ({error.__name__}) for GET /login/"
    assert record.exc_info is None


def test_error_outside_a_view_answers_503_through_the_error_handler(plain_http, settings):
    from rogatory.core import views

    settings.DEBUG = False
    try:
        raise OperationalError("the session could not be saved")
    except OperationalError:
        response = views.server_error(RequestFactory().get("/"))
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()


def test_other_errors_still_get_the_500_page(plain_http):
    from rogatory.core import views

    try:
        raise ValueError("a bug")
    except ValueError:
        response = views.server_error(RequestFactory().get("/"))
    assert response.status_code == 500


@pytest.mark.django_db
def test_api_answers_503_in_its_error_shape(plain_http, monkeypatch):
    from tests.accounts.factories import UserFactory
    from tests.api.conftest import assert_error, bearer_client

    client = bearer_client(UserFactory())

    def unreachable(*args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr("rogatory.api.endpoints.requests.request_page", unreachable)

    response = client.get("/api/v1/requests")

    body = assert_error(response, 503)
    assert "database cannot be reached" in body["detail"]
    assert response["Retry-After"].isdigit()


def test_liveness_needs_no_database(plain_http, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("down")

    monkeypatch.setattr("django.db.backends.base.base.BaseDatabaseWrapper.cursor", unreachable)

    response = Client().get("/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readiness_asks_the_database(plain_http):
    response = Client().get("/health/ready")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readiness_answers_503_when_the_database_is_unreachable(plain_http, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("down")

    monkeypatch.setattr("django.db.backends.base.base.BaseDatabaseWrapper.cursor", unreachable)

    response = Client().get("/health/ready")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}
    assert response["Retry-After"].isdigit()


def test_kept_connections_are_checked_before_reuse(settings):
    from rogatory.settings import _database

    for url in ("sqlite:///x.sqlite3", "postgres://u@h/d"):
        assert _database(url)["CONN_HEALTH_CHECKS"] is True


# --- The real server and a database that goes away -------------------------------------------


def _url(database: str, port: int | None = None) -> str:
    if port is None:
        return f"{SERVER}/{database}"
    parsed = urllib.parse.urlsplit(SERVER)
    return parsed._replace(netloc=f"{parsed.username}@127.0.0.1:{port}").geturl() + f"/{database}"


def _admin() -> psycopg.Connection:
    try:
        return psycopg.connect(_url("postgres"), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL does not answer at {SERVER}: {error}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Site:
    """The server under test, the database it uses, how to stop and start that database."""

    base: str
    database_url: str  # straight to the database, for the test's own counts
    token: str
    request_id: int
    down: Callable[[], None]
    up: Callable[[], None]


def _environment(tmp_path: Path, database_url: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": ROOT,
        "ROGATORY_DATABASE_URL": database_url,
        "ROGATORY_SECRET_KEY": SECRET_KEY,
        "ROGATORY_MEDIA_DIR": str(tmp_path / "media"),
        "ROGATORY_STATIC_ROOT": str(tmp_path / "static"),
        "ROGATORY_SSL_REDIRECT": "false",
        "ROGATORY_SECURE_COOKIES": "false",
        "ROGATORY_LOG_LEVEL": "ERROR",
    }


def _rogatory(env: dict[str, str], *args: str, input: str | None = None, cwd: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "rogatory.cli", *args],
        env=env,
        input=input,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, f"rogatory {' '.join(args)}: {result.stderr}"
    return result.stdout


@contextlib.contextmanager
def _served(
    tmp_path: Path, *, direct_url: str, server_url: str, down: Callable, up: Callable
) -> Iterator[Site]:
    """Set up Rogatory in the empty database at `direct_url`; serve it, reaching `server_url`."""
    direct = _environment(tmp_path, direct_url)
    _rogatory(direct, "init", cwd=tmp_path)
    _rogatory(direct, "collectstatic", "--noinput", cwd=tmp_path)
    _rogatory(direct, "createuser", "clara", "--role", "clerk", input=PASSWORD, cwd=tmp_path)
    token = _rogatory(direct, "token", "create", "clara", cwd=tmp_path).split()[-1]
    (tmp_path / "register.csv").write_text(REGISTER)
    _rogatory(direct, "import", str(tmp_path / "register.csv"), cwd=tmp_path)
    with psycopg.connect(direct_url) as connection:
        (request_id,) = connection.execute(
            "SELECT id FROM register_request WHERE reference = 'OUTAGE/1'"
        ).fetchone()
    port = _free_port()
    log = tmp_path / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "rogatory.cli", "serve", "--port", str(port), "--workers", "2"],
            env=_environment(tmp_path, server_url),
            cwd=tmp_path,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(base + "/health/ready", server, log)
        try:
            yield Site(base, direct_url, token, request_id, down, up)
        except AssertionError as failure:
            tail = log.read_text()[-6000:]
            raise AssertionError(f"{failure}\nThe server's log ends:\n{tail}") from failure
    finally:
        server.terminate()
        server.wait(timeout=60)


@pytest.fixture
def proxied_site(tmp_path) -> Iterator[Site]:
    """Serve a fresh database of the shared PostgreSQL through a proxy; drop it afterwards."""
    database = f"outage_{uuid.uuid4().hex[:12]}"
    target = urllib.parse.urlsplit(SERVER)
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
        try:
            with (
                TcpProxy((target.hostname, target.port or 5432)) as proxy,
                _served(
                    tmp_path,
                    direct_url=_url(database),
                    server_url=_url(database, proxy.port),
                    down=proxy.down,
                    up=proxy.up,
                ) as site,
            ):
                yield site
                assert proxy.cut + proxy.refused > 0
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _wait_for(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server stopped: {log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                if response.status == 200:
                    return
        except OSError:  # not listening yet, or its workers still starting
            pass
        time.sleep(0.2)
    pytest.fail(f"the server did not start: {log.read_text()}")


class Browser:
    """A signed-in web client and an API client of one server (standard library only)."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies),
            _NoRedirect,
        )

    def sign_in(self) -> None:
        self.fetch("GET", "/login/")
        csrf = next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")
        status, _headers, body = self.fetch(
            "POST",
            "/login/",
            form={"username": "clara", "password": PASSWORD, "csrfmiddlewaretoken": csrf},
        )
        assert status == 302, body

    def fetch(
        self,
        method: str,
        path: str,
        *,
        form: dict | None = None,
        payload: dict | None = None,
        api: bool = False,
    ) -> tuple[int, dict[str, str], str]:
        headers = {"Authorization": f"Bearer {self.site.token}"} if api else {}
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if payload is not None:
            data = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(
            self.site.base + path, data=data, method=method, headers=headers
        )
        # The API and the health checks are called without the browser's session cookie.
        plain = api or path.startswith("/health/")
        opener = urllib.request.build_opener(_NoRedirect) if plain else self.opener
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _routes(site: Site) -> list[tuple[str, str, dict]]:
    return [
        ("GET", "/", {}),
        ("GET", "/requests/", {}),
        ("GET", f"/requests/{site.request_id}/", {}),
        ("GET", "/api/v1/requests", {"api": True}),
        ("GET", f"/api/v1/requests/{site.request_id}", {"api": True}),
        (
            "POST",
            f"/api/v1/requests/{site.request_id}/events",
            {"api": True, "payload": {"type": "acknowledged", "occurred_on": "2023-02-10"}},
        ),
        ("GET", "/health/ready", {}),
    ]


def _stored_events(site: Site) -> int:
    with psycopg.connect(site.database_url) as connection:
        (count,) = connection.execute("SELECT count(*) FROM register_event").fetchone()
    return count


@pytest.mark.postgres
def test_server_answers_503_while_the_database_is_cut_off_and_recovers_by_itself(proxied_site):
    _outage_survived(proxied_site)


def _outage_survived(site: Site) -> None:
    """Check the routes before, during and after an outage of the site's database."""
    browser = Browser(site)
    browser.sign_in()
    for method, path, options in _routes(site):
        if method == "GET":
            status, _headers, body = browser.fetch(method, path, **options)
            assert status == 200, (path, body[:500])
    events_before = _stored_events(site)

    site.down()
    for _round in range(2):  # the second round meets connections already known to be broken
        for method, path, options in _routes(site):
            status, headers, body = browser.fetch(method, path, **options)
            assert status == 503, (method, path, status, body[:500])
            assert headers.get("Retry-After", "").isdigit(), (path, headers)
            assert "Traceback" not in body and "OperationalError" not in body
            if options.get("api"):
                assert "database cannot be reached" in json.loads(body)["detail"]
            elif path.startswith("/health/"):
                assert json.loads(body)["status"] == "unavailable"
            else:
                assert "cannot reach its database" in body
    site.up()
    assert _stored_events(site) == events_before  # nothing was written while it was down
    for method, path, options in _routes(site):
        for _attempt in range(10):
            status, _headers, body = browser.fetch(method, path, **options)
            if status < 500:
                break
            time.sleep(0.5)
        expected = 201 if method == "POST" else 200
        assert status == expected, (method, path, status, body[:500])
    # The session survived: still signed in, without signing in again.
    status, _headers, body = browser.fetch("GET", "/")
    assert status == 200 and "clara" in body
    assert _stored_events(site) == events_before + 1


# --- A real PostgreSQL server, stopped and started again ---------------------------------------

_PG_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"))


def _as_postgres(*argv: str) -> list[str]:
    """Return `argv` run as the postgres user (PostgreSQL refuses to run as root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return list(argv)


def _pg(program: str, *args: str, timeout: int = 120) -> None:
    result = subprocess.run(
        _as_postgres(str(_PG_BIN[-1] / program), *args),
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    assert result.returncode == 0, f"{program}: {result.stdout}{result.stderr}"


@pytest.fixture
def real_cluster() -> Iterator[tuple[int, Callable, Callable]]:
    """Start a throwaway PostgreSQL cluster on a free port; yield its port, stop and start."""
    if not _PG_BIN:
        pytest.skip("PostgreSQL's server programs are not in /usr/lib/postgresql/*/bin")
    if os.geteuid() != 0 and pwd.getpwuid(os.geteuid()).pw_name != "postgres":
        pytest.skip("starting a PostgreSQL cluster needs root (to run it as postgres) or postgres")
    folder = Path(tempfile.mkdtemp(prefix="rogatory-outage-pg-"))
    data, port = folder / "data", _free_port()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"

    def start() -> None:
        _pg("pg_ctl", "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start")

    def stop() -> None:
        # "immediate": the server dies at once, as in a crash or a power cut.
        _pg("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")

    try:
        _pg("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8")
        start()
        yield port, stop, start
    finally:
        subprocess.run(
            _as_postgres(str(_PG_BIN[-1] / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.postgres
def test_server_answers_503_while_postgresql_is_stopped_and_recovers_when_it_starts(
    real_cluster, tmp_path
):
    port, stop, start = real_cluster
    url = f"postgres://postgres@127.0.0.1:{port}/postgres"
    with _served(tmp_path, direct_url=url, server_url=url, down=stop, up=start) as site:
        _outage_survived(site)
