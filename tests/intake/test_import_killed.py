"""An import killed with SIGKILL halfway leaves the database exactly as it was.

`rogatory import` runs in a real process against a database the test owns (an SQLite file, or
a PostgreSQL database created for the test), with a register large enough to take seconds.
The test waits until the import has provably written part of the file (the SQLite write-ahead
log or PostgreSQL's table files growing with uncommitted rows), kills it with SIGKILL, and then
compares every table, row by row, with the snapshot taken before; the audit chain must still
verify, and the same file must then import in full (no lock or half-state left behind).
"""

import csv
import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from rogatory.intake.rows import COLUMNS
from rogatory.register.synthetic import synthetic_register_rows

ROOT = str(Path(__file__).resolve().parents[2])
SERVER = os.environ.get("ROGATORY_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
BIG_ROWS = 20_000
BASE_ROWS = 300
# How long the test waits for the import to get halfway before it gives up.
PATIENCE_SECONDS = 600

Snapshot = dict[str, tuple[int, str]]


@dataclass
class Target:
    """A database for one run of `rogatory import`, and ways to look into it from outside."""

    env: dict[str, str]
    snapshot: Callable[[], Snapshot]
    written: Callable[[], int]  # bytes the running import has put into the database so far
    # `written` growing beyond this proves that part of the file is in, uncommitted.
    halfway: int


def _environment(tmp_path: Path, database_url: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": ROOT,
        "ROGATORY_DATABASE_URL": database_url,
        "ROGATORY_MEDIA_DIR": str(tmp_path / "media"),
        "ROGATORY_LOG_LEVEL": "ERROR",
    }


def _rogatory(env: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rogatory.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=PATIENCE_SECONDS,
    )


def _write_register(path: Path, rows: int, *, seed: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=COLUMNS, restval="")
        writer.writeheader()
        writer.writerows(synthetic_register_rows(requests=rows, seed=seed))
    return path


# --- SQLite ----------------------------------------------------------------------------------


def _sqlite_snapshot(path: Path) -> Snapshot:
    connection = sqlite3.connect(path)
    try:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        snapshot = {}
        for table in tables:
            rows = sorted(repr(row) for row in connection.execute(f'SELECT * FROM "{table}"'))
            digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
            snapshot[table] = (len(rows), digest)
        return snapshot
    finally:
        connection.close()


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


@pytest.fixture
def sqlite_target(tmp_path) -> Target:
    database = tmp_path / "rogatory.sqlite3"
    wal = tmp_path / "rogatory.sqlite3-wal"
    return Target(
        env=_environment(tmp_path, f"sqlite:///{database}"),
        snapshot=lambda: _sqlite_snapshot(database),
        # The last connection to close deletes the log, so between commands it is gone; an
        # import's uncommitted pages go into it as the transaction outgrows SQLite's cache.
        written=lambda: _file_size(wal),
        halfway=8 * 1024 * 1024,
    )


# --- PostgreSQL ------------------------------------------------------------------------------


def _postgres_url(database: str) -> str:
    return f"{SERVER}/{database}"


def _postgres_snapshot(url: str) -> Snapshot:
    with psycopg.connect(url) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
        ]
        snapshot = {}
        for table in tables:
            count, digest = connection.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM \"{table}\" t"
            ).fetchone()
            snapshot[table] = (count, digest)
        return snapshot


def _postgres_written(url: str) -> int:
    with psycopg.connect(url) as connection:
        # Table files grow with the rows an open transaction inserts, before it commits.
        (size,) = connection.execute(
            "SELECT pg_relation_size('register_request') + pg_relation_size('register_event')"
        ).fetchone()
        return size


@pytest.fixture
def postgres_target(tmp_path) -> Iterator[Target]:
    try:
        admin = psycopg.connect(_postgres_url("postgres"), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL does not answer at {SERVER}: {error}")
    database = f"killed_import_{uuid.uuid4().hex[:12]}"
    url = _postgres_url(database)
    with admin:
        admin.execute(f'CREATE DATABASE "{database}"')
        try:
            target = Target(
                env=_environment(tmp_path, url),
                snapshot=lambda: _postgres_snapshot(url),
                written=lambda: _postgres_written(url),
                halfway=0,
            )
            yield target
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def target(request) -> Target:
    return request.getfixturevalue(f"{request.param}_target")


# --- The test --------------------------------------------------------------------------------


def _kill_halfway(target: Target, register: Path, cwd: Path) -> None:
    """Start the import, wait until it has written part of the file, and SIGKILL it."""
    before = target.written()
    process = subprocess.Popen(
        [sys.executable, "-m", "rogatory.cli", "import", str(register), "--no-progress"],
        env=target.env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + PATIENCE_SECONDS
        while target.written() <= before + target.halfway:
            assert process.poll() is None, (
                "the import ended before it could be killed; make the register larger: "
                + process.communicate()[1].decode()
            )
            assert time.monotonic() < deadline, "the import wrote nothing in time"
            time.sleep(0.05)
        assert process.poll() is None, "the import ended before it could be killed"
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.communicate()
    assert process.returncode == -signal.SIGKILL


def test_import_killed_halfway_leaves_the_database_as_it_was(target, tmp_path):
    assert _rogatory(target.env, "init", cwd=tmp_path).returncode == 0
    empty = target.written()
    base = _write_register(tmp_path / "base.csv", BASE_ROWS, seed=2)
    assert _rogatory(target.env, "import", str(base), cwd=tmp_path).returncode == 0
    if not target.halfway:
        # PostgreSQL: a quarter of what the big file will add, judged by what the base added.
        target.halfway = (target.written() - empty) * BIG_ROWS // BASE_ROWS // 4
    register = _write_register(tmp_path / "big.csv", BIG_ROWS, seed=1)
    before = target.snapshot()
    assert before["register_request"][0] == BASE_ROWS

    _kill_halfway(target, register, tmp_path)

    assert target.snapshot() == before
    verified = _rogatory(target.env, "audit", "verify", cwd=tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    again = _rogatory(target.env, "import", str(register), "--no-progress", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert f"{BIG_ROWS} created" in again.stdout
    assert target.snapshot()["register_request"][0] == BASE_ROWS + BIG_ROWS
    assert _rogatory(target.env, "audit", "verify", cwd=tmp_path).returncode == 0
