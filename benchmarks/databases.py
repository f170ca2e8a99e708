"""The benchmarks' databases: fresh ones to import into, and registers of N requests to read.

A register of N requests is written by `rogatory generate` (3 to 8 events a request) when the
installed Rogatory has that command, else by importing a synthetic register file
(benchmarks/synthetic.py). Built registers are kept, so that `--reuse` can skip the minutes a
million requests take: a PostgreSQL database named `<prefix>_<N>`, or an SQLite file of that
name in the data folder. The prefix is `rogatory_bench` unless ROGATORY_BENCH_DATABASE_PREFIX
says otherwise.
"""

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BIN = Path(sys.executable).parent
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DATA_DIR = Path(tempfile.gettempdir()) / "rogatory-bench"


def database_prefix() -> str:
    """Return the prefix of every database the benchmarks create."""
    return os.environ.get("ROGATORY_BENCH_DATABASE_PREFIX", "rogatory_bench")


def rogatory_env(database_url: str, **settings: str) -> dict[str, str]:
    """Return the environment that points `rogatory` commands at `database_url`."""
    return {
        **os.environ,
        "ROGATORY_DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "rogatory.settings",
        **settings,
    }


def rogatory(*args: str, database_url: str, stdin: str | None = None) -> str:
    """Run a `rogatory` command on `database_url`; return its output, or raise when it fails."""
    return subprocess.run(
        [str(BIN / "rogatory"), *args],
        env=rogatory_env(database_url),
        input=stdin,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def postgres_answers(admin_url: str = POSTGRES_URL) -> bool:
    """Return whether PostgreSQL answers at `admin_url`."""
    probe = subprocess.run(["psql", admin_url, "-qc", "select 1"], capture_output=True)
    return probe.returncode == 0


def postgres_database(name: str, *, admin_url: str = POSTGRES_URL) -> str:
    """Create the empty database `name` (dropping any of that name); return its URL."""
    for sql in (f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'):
        subprocess.run(["psql", admin_url, "-qc", sql], check=True, capture_output=True)
    return _postgres_url(name, admin_url)


def postgres_drop(name: str, *, admin_url: str = POSTGRES_URL) -> None:
    """Drop the database `name` if it exists."""
    sql = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    subprocess.run(["psql", admin_url, "-qc", sql], check=True, capture_output=True)


def _postgres_url(name: str, admin_url: str) -> str:
    return f"{admin_url.rsplit('/', 1)[0]}/{name}"


@dataclass(frozen=True)
class Register:
    """A database holding a synthetic register, and how it was made."""

    database_url: str
    vendor: str
    requests: int
    events: int
    # Seconds it took to build; None when an earlier run built it and it was reused.
    built_seconds: float | None
    built_by: str


def register_database(
    *,
    vendor: str,
    requests: int,
    seed: int = 1,
    reuse: bool = False,
    admin_url: str = POSTGRES_URL,
    data_dir: Path = DATA_DIR,
) -> Register:
    """Return a database of `vendor` ("postgresql" or "sqlite") holding `requests` requests.

    With `reuse`, a database an earlier run built with the same number of requests is kept.
    """
    name = f"{database_prefix()}_{requests}"
    if vendor == "postgresql":
        url = _postgres_url(name, admin_url)
    else:
        data_dir.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{data_dir / name}.sqlite3"
    if reuse:
        counts = register_counts(url)
        if counts and counts[0] == requests:
            # Migrate it to the code being measured; `init` changes nothing else.
            rogatory("init", database_url=url)
            return Register(url, vendor, requests, counts[1], None, "reused")
    if vendor == "postgresql":
        postgres_database(name, admin_url=admin_url)
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{data_dir / name}.sqlite3{suffix}").unlink(missing_ok=True)
    start = time.perf_counter()
    built_by = register_fill(database_url=url, requests=requests, seed=seed)
    if vendor == "postgresql":
        # A bulk load leaves the planner without statistics and the visibility map empty
        # until autovacuum comes by; a register in service has both.
        subprocess.run(["psql", url, "-qc", "VACUUM ANALYZE"], check=True, capture_output=True)
    seconds = time.perf_counter() - start
    counts = register_counts(url)
    if not counts or counts[0] != requests:
        sys.exit(f"The register built at {url} holds {counts} requests, not {requests}.")
    return Register(url, vendor, requests, counts[1], seconds, built_by)


def register_fill(*, database_url: str, requests: int, seed: int) -> str:
    """Write a synthetic register into the empty database; return the command that did."""
    rogatory("init", database_url=database_url)
    if generate_available():
        rogatory(
            "generate",
            "--requests",
            str(requests),
            "--seed",
            str(seed),
            "--no-progress",
            database_url=database_url,
        )
        return "rogatory generate"
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from synthetic import write_register

    with tempfile.TemporaryDirectory() as folder:
        register = write_register(Path(folder) / "register.csv", requests, seed=seed)
        rogatory("import", str(register), "--no-progress", database_url=database_url)
    return "rogatory import of benchmarks/synthetic.py"


def generate_available() -> bool:
    """Return whether the installed Rogatory has the `generate` command."""
    probe = subprocess.run(
        [str(BIN / "rogatory"), "generate", "--help"],
        env=rogatory_env("sqlite:///:memory:"),
        capture_output=True,
    )
    return probe.returncode == 0


_COUNTS = (
    "from rogatory.register.models import Event, Request; "
    "print(Request.objects.count(), Event.objects.count())"
)


def register_counts(database_url: str) -> tuple[int, int] | None:
    """Return the requests and events the database holds, or None when it holds no register."""
    sqlite_file = database_url.removeprefix("sqlite:///")
    if sqlite_file != database_url and not Path(sqlite_file).is_file():
        return None
    probe = subprocess.run(
        [str(BIN / "rogatory"), "shell", "-c", _COUNTS],
        env=rogatory_env(database_url),
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        return None
    # Django's shell says first how many models it imported.
    requests, events = probe.stdout.strip().splitlines()[-1].split()
    return int(requests), int(events)
