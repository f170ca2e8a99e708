"""The read replica: reports and lists read from it, everything else from the primary.

The end-to-end test builds a primary and a "replica" on the local PostgreSQL, whatever database
the suite itself runs on. The replica starts as a copy of the primary, as a base backup would,
and then each gets one request the other lacks, so every read shows which database served it.
"""

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache.backends.db import DatabaseCache
from django.db import DEFAULT_DB_ALIAS
from django.http import HttpRequest, HttpResponse

from rogatory.core.replica import reads_from_replica, replica_reads, replica_reads_allowed
from rogatory.core.routers import ReplicaRouter
from rogatory.register.models import Request

ROOT = str(Path(__file__).resolve().parents[2])
SERVER = os.environ.get("ROGATORY_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
PASSWORD = "replica-check-Qx7pL2mV9"

_HEADER = "reference,direction,kind,country,sent_on,status,decided_on,refusal_grounds\n"
PRIMARY_ROW = "PRIMARY-ONLY-1,outgoing,mla,CH,2023-02-01,executed,2023-06-01,\n"
REPLICA_ROW = "REPLICA-ONLY-1,outgoing,mla,LV,2023-03-01,refused,2023-07-01,political_offence\n"

# Run with both databases configured; prints what each read saw, as JSON.
_CHECK = """
import json, os
from datetime import date

import django

os.environ["DJANGO_SETTINGS_MODULE"] = "rogatory.settings"
django.setup()

from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.test.utils import setup_test_environment
from django.urls import reverse

from rogatory.accounts.models import User
from rogatory.core.replica import replica_reads
from rogatory.reference.models import Country
from rogatory.register.models import Request
from rogatory.register.selectors import RequestFilters, request_page
from rogatory.register.services import request_register
from rogatory.statistics.selectors import report_build

user = User.objects.get(username="clara")


def listed():
    return sorted(r.reference for r in request_page(user=user, filters=RequestFilters()).requests)


def figures():
    report = report_build(
        period_from=date(2023, 1, 1), period_to=date(2023, 12, 31), direction="outgoing"
    )
    return {"executed": report.mla.executed, "refused": report.mla.refused}


seen = {"outside": {"list": listed(), "report": figures()}}
with replica_reads():
    seen["inside"] = {"list": listed(), "report": figures()}
    request_register(
        actor=user,
        direction="outgoing",
        kind="mla",
        reference="WRITTEN-INSIDE",
        country=Country.objects.get(code="DE"),
        registered_on=date(2023, 9, 1),
    )
    with transaction.atomic():
        seen["inside_transaction"] = listed()
seen["written"] = {
    alias: Request.objects.using(alias).filter(reference="WRITTEN-INSIDE").exists()
    for alias in ("default", "replica")
}

setup_test_environment()
# The pages render without collectstatic, as in the suite's own settings.
override_settings(
    STORAGES={
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
).enable()
client = Client()
client.force_login(user)
page = client.get(reverse("web:request_list"), secure=True)
primary = Request.objects.get(reference="PRIMARY-ONLY-1")
detail = client.get(reverse("web:request_detail", args=[primary.pk]), secure=True)
seen["pages"] = {
    "list": [page.status_code, *(ref in page.content.decode() for ref in ("PRIMARY", "REPLICA"))],
    "detail": [detail.status_code, "PRIMARY-ONLY-1" in detail.content.decode()],
}
print(json.dumps(seen))
"""


# --- The router on its own


@pytest.fixture
def with_replica(monkeypatch):
    """Let the router believe a replica is configured; no query is made in these tests."""
    replica = {**settings.DATABASES[DEFAULT_DB_ALIAS], "NAME": "replica"}
    monkeypatch.setattr(settings, "DATABASES", {**settings.DATABASES, "replica": replica})


@pytest.fixture
def without_replica(monkeypatch):
    monkeypatch.setattr(settings, "DATABASES", {DEFAULT_DB_ALIAS: settings.DATABASES["default"]})


def test_marked_reads_go_to_the_replica_when_one_is_configured(with_replica):
    router = ReplicaRouter()

    with replica_reads():
        inside = router.db_for_read(Request)

    assert (inside, router.db_for_read(Request)) == ("replica", DEFAULT_DB_ALIAS)


def test_sessions_and_the_cache_stay_on_the_primary_when_marked(with_replica):
    cache_entry = DatabaseCache("rogatory_cache", {}).cache_model_class

    with replica_reads():
        chosen = {ReplicaRouter().db_for_read(model) for model in (Session, cache_entry)}

    assert chosen == {DEFAULT_DB_ALIAS}


def test_reads_stay_on_the_primary_without_a_replica_even_when_marked(without_replica):
    with replica_reads():
        assert ReplicaRouter().db_for_read(Request) == DEFAULT_DB_ALIAS


def test_writes_go_to_the_primary_and_only_it_is_migrated(with_replica):
    router = ReplicaRouter()

    with replica_reads():
        assert router.db_for_write(Request) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "register")
    assert not router.allow_migrate("replica", "register")


def test_decorated_view_reads_from_the_replica_only_while_it_runs():
    seen = []

    @reads_from_replica
    def view(request: HttpRequest) -> HttpResponse:
        seen.append(replica_reads_allowed())
        return HttpResponse()

    view(HttpRequest())

    assert seen == [True]
    assert not replica_reads_allowed()


def test_replica_reads_end_when_the_block_raises():
    with pytest.raises(ValueError), replica_reads():
        raise ValueError

    assert not replica_reads_allowed()


# --- A primary and a replica on PostgreSQL


def _url(database: str) -> str:
    return f"{SERVER}/{database}"


def _admin() -> psycopg.Connection:
    try:
        return psycopg.connect(_url("postgres"), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL does not answer at {SERVER}: {error}")


def _rogatory(database: str, *args: str, input: str | None = None, cwd: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rogatory.cli", *args],
        env={"PYTHONPATH": ROOT, "ROGATORY_DATABASE_URL": _url(database)},
        input=input,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"rogatory {' '.join(args)}: {result.stderr}"


@pytest.fixture
def primary_and_replica(tmp_path) -> Iterator[tuple[str, str]]:
    """Create a primary and a copy of it that has diverged by one request each; drop both."""
    suffix = uuid.uuid4().hex[:12]
    primary, replica = f"scaleout_primary_{suffix}", f"scaleout_replica_{suffix}"
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{primary}"')
        try:
            _rogatory(primary, "init", cwd=tmp_path)
            _rogatory(
                primary, "createuser", "clara", "--role", "clerk", input=PASSWORD, cwd=tmp_path
            )
            admin.execute(f'CREATE DATABASE "{replica}" TEMPLATE "{primary}"')
            for database, row in ((primary, PRIMARY_ROW), (replica, REPLICA_ROW)):
                register = tmp_path / f"{database}.csv"
                register.write_text(_HEADER + row)
                _rogatory(database, "import", str(register), cwd=tmp_path)
            yield primary, replica
        finally:
            for database in (replica, primary):
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture
def seen(primary_and_replica, tmp_path) -> dict:
    """Return what each read of the check script saw, with both databases configured."""
    primary, replica = primary_and_replica
    result = subprocess.run(
        [sys.executable, "-c", _CHECK],
        env={
            "PYTHONPATH": ROOT,
            "ROGATORY_DATABASE_URL": _url(primary),
            "ROGATORY_REPLICA_DATABASE_URL": _url(replica),
        },
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.postgres
def test_replica_serves_the_marked_reads_and_the_primary_everything_else(seen):
    assert seen["outside"] == {
        "list": ["PRIMARY-ONLY-1"],
        "report": {"executed": 1, "refused": 0},
    }
    assert seen["inside"] == {
        "list": ["REPLICA-ONLY-1"],
        "report": {"executed": 0, "refused": 1},
    }
    # A write inside the marked block goes to the primary, and reads in its transaction see it.
    assert seen["written"] == {"default": True, "replica": False}
    assert seen["inside_transaction"] == ["PRIMARY-ONLY-1", "WRITTEN-INSIDE"]
    # The register page lists the replica's requests; a request's own page reads the primary.
    assert seen["pages"] == {"list": [200, False, True], "detail": [200, True]}
