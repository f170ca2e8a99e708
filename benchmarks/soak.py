"""Soak: many clients for minutes against the production server, and not one write lost.

Run `python benchmarks/soak.py --clients 32 --duration 120` (issue 6, part 7). It builds a
register on PostgreSQL (benchmarks/databases.py; `--reuse` keeps one an earlier run built, or
`--database-url` serves a database as it is), starts `rogatory serve` (gunicorn) on a free port
of 127.0.0.1, and creates `--targets` requests, sent, for the run to write on. Then --clients
clients ask at once, each as soon as it has its answer, for --duration seconds:

- reads: the API's register list, a search, one request, the year's report, and the web
  dashboard as a signed-in supervisor;
- writes: an event (`acknowledged` or `supplementary_requested`) on one of the run's requests,
  through the API, half of them with the version the client has just read (as `If-Match`;
  409 when someone wrote first, which is expected and counted apart) and half without one.

Every write carries a note that names it. After the run the database is asked for every event
with such a note, and each write acknowledged (201 with the event's id) must be there exactly
once, under that id; no write refused (409 or another error) may be there; a write whose answer
never came (a timeout, a dropped connection) may or may not be, and is counted. Each request
written on must also have a version equal to its number of events. The script exits non-zero if
any answer was a 5xx, an acknowledged write is missing or doubled, a refused write was stored,
or a version disagrees with the events.

The register is `--requests` requests (default 100,000), built into the PostgreSQL database
`rogatory_bench_<N>` (ROGATORY_BENCH_DATABASE_PREFIX changes the prefix). The collected static
files are kept in the temporary folder, named after their sources, for the next run.
"""

import argparse
import hashlib
import json
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from databases import (
    BIN,
    POSTGRES_URL,
    postgres_database,
    postgres_drop,
    register_database,
    rogatory,
    rogatory_env,
)
from load import PASSWORD, USERNAME, _free_port, server_env, server_start, server_stop, sign_in

# What a client does next, and how often: reads are three in five.
OPERATIONS = {
    "list": 12,
    "search": 8,
    "request": 16,
    "report": 6,
    "dashboard": 6,
    "write with version": 26,
    "write without version": 26,
}
WRITE_TYPES = ("acknowledged", "supplementary_requested")


@dataclass(frozen=True)
class Server:
    """A running `rogatory serve`, with an API token and a signed-in session of a supervisor."""

    base: str
    token: str
    cookie: str
    workers: int
    database_url: str


@dataclass
class Write:
    """One event a client asked to record, and what the server answered."""

    note: str
    request_id: int
    status: int | None = None  # None: no answer came (timeout or connection error)
    event_id: int | None = None


@dataclass
class ClientLog:
    """What one client asked and was answered."""

    statuses: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)
    read_ms: list[float] = field(default_factory=list)
    write_ms: list[float] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    failures: Counter = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SoakResult:
    """The run's figures, as printed and as written with --json."""

    clients: int
    duration_s: float
    workers: int
    targets: int
    requests_made: int
    reads: int
    writes: int
    writes_acknowledged: int
    conflicts: int
    other_4xx: int
    server_errors: int
    timeouts: int
    events_stored: int
    acknowledged_missing: int
    acknowledged_doubled: int
    stored_though_refused: int
    stored_unanswered: int
    versions_inconsistent: int
    requests_per_s: float
    latency_ms: dict[str, dict[str, float | None]]
    statuses: dict[str, int]
    unexpected: list[str]

    @property
    def passed(self) -> bool:
        """Return whether the run lost, doubled or invented nothing and had no server error."""
        return not (
            self.server_errors
            or self.acknowledged_missing
            or self.acknowledged_doubled
            or self.stored_though_refused
            or self.versions_inconsistent
        )


# --- The server and what it serves -----------------------------------------------------------


@contextmanager
def soak_server(database_url: str, *, workers: int | None = None) -> Iterator[Server]:
    """Serve `database_url` with `rogatory serve`; yield it with a supervisor's credentials."""
    rogatory("init", database_url=database_url)
    token = _supervisor_token(database_url)
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        env = server_env(database_url, folder) | {"ROGATORY_STATIC_ROOT": str(static_files())}
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        # Ten minutes: gunicorn's workers import the charting and PDF libraries as they start,
        # which takes long on a machine the clients and PostgreSQL keep busy.
        server = server_start(
            env,
            port=port,
            workers=workers,
            log=folder / "server.log",
            collect_static=False,
            wait_seconds=600,
        )
        try:
            cookie = sign_in(base, username=USERNAME, password=PASSWORD)
            yield Server(base, token, cookie, _worker_count(server.pid), database_url)
        finally:
            server_stop(server)
            rogatory("shell", "-c", _REVOKE.format(token=token), database_url=database_url)


_SUPERVISOR = """
from rogatory.accounts.models import Role, User
from rogatory.accounts.services import token_create, unit_default_ensure, user_create
user = User.objects.filter(username={username!r}).first() or user_create(
    actor=None,
    username={username!r},
    password={password!r},
    email="",
    role=Role.SUPERVISOR,
    units=[unit_default_ensure()],
)
print(token_create(actor=None, user=user, name="soak").secret)
"""
_REVOKE = """
from rogatory.accounts.services import token_revoke
from rogatory.accounts.models import ApiToken
for token in ApiToken.objects.filter(name="soak", revoked_at=None):
    token_revoke(actor=None, token=token)
"""


def _supervisor_token(database_url: str) -> str:
    """Create the supervisor of load.py unless there is one; return a new API token of theirs.

    One `rogatory shell` does what `createuser` and `token create` would do in two processes,
    each of which takes seconds to start.
    """
    code = _SUPERVISOR.format(username=USERNAME, password=PASSWORD)
    return rogatory("shell", "-c", code, database_url=database_url).strip().splitlines()[-1]


def static_files() -> Path:
    """Return a folder of the collected static files, collecting them unless already done.

    Collecting (hashing and compressing every file) takes a minute on a busy machine; the
    folder is kept, named after the sources, so that later runs and tests start at once.
    """
    sources = sorted(Path(__file__).resolve().parents[1].glob("rogatory/*/static/**/*"))
    key = hashlib.sha256()
    for source in sources:
        stat = source.stat()
        key.update(f"{source}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    folder = Path(tempfile.gettempdir()) / f"rogatory-static-{key.hexdigest()[:16]}"
    if (folder / "staticfiles.json").is_file():
        return folder
    # Collected beside it and renamed, so that two runs at once never see half a folder.
    partial = Path(tempfile.mkdtemp(prefix=f"{folder.name}-", dir=folder.parent))
    try:
        subprocess.run(
            [str(BIN / "rogatory"), "collectstatic", "--noinput"],
            env=rogatory_env("sqlite:///:memory:", ROGATORY_STATIC_ROOT=str(partial)),
            check=True,
            capture_output=True,
        )
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    try:
        partial.rename(folder)
    except OSError:  # another run got there first
        shutil.rmtree(partial, ignore_errors=True)
    return folder


def _worker_count(pid: int) -> int:
    children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True)
    return len(children.stdout.split())


def api_session(server: Server) -> requests.Session:
    """Return an HTTP session that calls the API with the server's token."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {server.token}"
    return session


def targets_create(server: Server, *, count: int, run: str) -> list[int]:
    """Register `count` outgoing MLA requests, sent today, for the run to write on."""
    session = api_session(server)
    today = date.today().isoformat()
    ids = []
    for number in range(count):
        answer = session.post(
            f"{server.base}/api/v1/requests",
            json={
                "direction": "outgoing",
                "kind": "mla",
                "reference": f"SOAK-{run}-{number:04d}",
                "country": "CH",
                "registered_on": today,
            },
            timeout=60,
        )
        answer.raise_for_status()
        request_id = answer.json()["id"]
        sent = session.post(
            f"{server.base}/api/v1/requests/{request_id}/events",
            json={"type": "sent", "occurred_on": today},
            timeout=60,
        )
        sent.raise_for_status()
        ids.append(request_id)
    return ids


@contextmanager
def scratch_database(prefix: str, *, admin_url: str = POSTGRES_URL) -> Iterator[str]:
    """Create an empty PostgreSQL database of a new name; yield its URL; drop it afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    url = postgres_database(name, admin_url=admin_url)
    try:
        yield url
    finally:
        postgres_drop(name, admin_url=admin_url)


# --- The clients -----------------------------------------------------------------------------


def soak_run(
    server: Server,
    *,
    targets: list[int],
    clients: int,
    duration: float,
    run: str,
    timeout: float = 30.0,
    seed: int = 1,
) -> list[ClientLog]:
    """Run `clients` clients for `duration` seconds, all started at once; return their logs."""
    start = threading.Barrier(clients)
    logs = [ClientLog() for _ in range(clients)]
    threads = [
        threading.Thread(
            target=_client,
            args=(server, logs[number], start),
            kwargs={
                "targets": targets,
                "duration": duration,
                "note_prefix": f"soak {run} {number}",
                "timeout": timeout,
                "rng": random.Random(seed * 1000 + number),
            },
            name=f"soak-client-{number}",
        )
        for number in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return logs


def _client(
    server: Server,
    log: ClientLog,
    start: threading.Barrier,
    *,
    targets: list[int],
    duration: float,
    note_prefix: str,
    timeout: float,
    rng: random.Random,
) -> None:
    session = api_session(server)
    web = requests.Session()
    web.headers["Cookie"] = server.cookie
    names, weights = list(OPERATIONS), list(OPERATIONS.values())
    year = date.today().year
    start.wait()
    end = time.monotonic() + duration
    number = 0
    while time.monotonic() < end:
        operation = rng.choices(names, weights)[0]
        target = rng.choice(targets)
        try:
            if operation == "list":
                _read(log, session.get, f"{server.base}/api/v1/requests", timeout)
            elif operation == "search":
                url = f"{server.base}/api/v1/requests?search=SOAK&limit=20"
                _read(log, session.get, url, timeout)
            elif operation == "request":
                _read(log, session.get, f"{server.base}/api/v1/requests/{target}", timeout)
            elif operation == "report":
                url = f"{server.base}/api/v1/report?from={year}-01-01&to={year}-12-31"
                _read(log, session.get, url, timeout)
            elif operation == "dashboard":
                _read(log, web.get, f"{server.base}/", timeout, allow_redirects=False)
            else:
                number += 1
                _write(
                    log,
                    session,
                    server,
                    target=target,
                    note=f"{note_prefix} {number}",
                    with_version=operation == "write with version",
                    event_type=rng.choice(WRITE_TYPES),
                    timeout=timeout,
                )
        except Exception as error:  # a bug of the script, not an answer of the server
            log.unexpected.append(f"{operation}: {error!r}")


def _read(log: ClientLog, call: Any, url: str, timeout: float, **options: Any) -> Any:
    began = time.perf_counter()
    try:
        answer = call(url, timeout=timeout, **options)
    except requests.RequestException as error:
        log.kinds["read"] += 1
        log.failures[type(error).__name__] += 1
        return None
    log.read_ms.append((time.perf_counter() - began) * 1000)
    log.kinds["read"] += 1
    log.statuses[answer.status_code] += 1
    if answer.status_code >= 300:
        log.unexpected.append(f"GET {url}: {answer.status_code} {answer.text[:200]}")
    return answer


def _write(
    log: ClientLog,
    session: requests.Session,
    server: Server,
    *,
    target: int,
    note: str,
    with_version: bool,
    event_type: str,
    timeout: float,
) -> None:
    headers = {}
    if with_version:
        read = _read(log, session.get, f"{server.base}/api/v1/requests/{target}", timeout)
        if read is None or read.status_code != 200:
            return
        headers["If-Match"] = read.headers["ETag"]
    write = Write(note=note, request_id=target)
    log.writes.append(write)
    log.kinds["write"] += 1
    began = time.perf_counter()
    try:
        answer = session.post(
            f"{server.base}/api/v1/requests/{target}/events",
            json={"type": event_type, "occurred_on": date.today().isoformat(), "note": note},
            headers=headers,
            timeout=timeout,
        )
    except requests.RequestException as error:
        log.failures[type(error).__name__] += 1
        return
    log.write_ms.append((time.perf_counter() - began) * 1000)
    log.statuses[answer.status_code] += 1
    write.status = answer.status_code
    if answer.status_code == 201:
        write.event_id = answer.json()["event"]["id"]
    elif answer.status_code != 409:
        log.unexpected.append(f"POST event: {answer.status_code} {answer.text[:200]}")


# --- Counting what was stored ----------------------------------------------------------------

_STORED = """
import json
from django.db.models import Count
from rogatory.register.models import Event, Request
events = Event.objects.filter(note__startswith={prefix!r}).values_list("id", "note", "request_id")
targets = {targets!r}
versions = dict(Request.objects.filter(pk__in=targets).values_list("id", "version"))
counts = dict(
    Event.objects.filter(request_id__in=targets)
    .values("request_id")
    .annotate(n=Count("id"))
    .values_list("request_id", "n")
)
print(json.dumps({{"events": list(events), "versions": versions, "counts": counts}}))
"""


def stored_events(database_url: str, *, run: str, targets: list[int]) -> dict[str, Any]:
    """Return the events the run stored, and its requests' versions and event counts."""
    code = _STORED.format(prefix=f"soak {run} ", targets=targets)
    output = subprocess.run(
        [str(BIN / "rogatory"), "shell", "-c", code],
        env=rogatory_env(database_url),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def soak_result(
    logs: list[ClientLog],
    stored: dict[str, Any],
    *,
    clients: int,
    duration: float,
    workers: int,
    targets: int,
) -> SoakResult:
    """Add up the clients' logs and check every write against what the database holds."""
    statuses: Counter = Counter()
    kinds: Counter = Counter()
    failures: Counter = Counter()
    for log in logs:
        statuses.update(log.statuses)
        kinds.update(log.kinds)
        failures.update(log.failures)
    writes = [write for log in logs for write in log.writes]
    by_note: dict[str, list[tuple[int, int]]] = {}
    for event_id, note, request_id in stored["events"]:
        by_note.setdefault(note, []).append((event_id, request_id))
    missing = doubled = refused_stored = unanswered_stored = 0
    for write in writes:
        found = by_note.get(write.note, [])
        if write.status == 201:
            if (write.event_id, write.request_id) not in found:
                missing += 1
            if len(found) > 1:
                doubled += 1
        elif write.status is None:
            unanswered_stored += len(found)
        else:
            refused_stored += len(found)
    known = {write.note for write in writes}
    refused_stored += sum(len(found) for note, found in by_note.items() if note not in known)
    # Registering a request gives it version 1 and its first event; every event since has
    # bumped it once, so a request's version is the number of its events.
    inconsistent = sum(
        1
        for request_id, version in stored["versions"].items()
        if version != stored["counts"].get(request_id)
    )
    read_ms = sorted(ms for log in logs for ms in log.read_ms)
    write_ms = sorted(ms for log in logs for ms in log.write_ms)
    answered = sum(statuses.values())
    return SoakResult(
        clients=clients,
        duration_s=duration,
        workers=workers,
        targets=targets,
        requests_made=answered + sum(failures.values()),
        reads=kinds["read"],
        writes=kinds["write"],
        writes_acknowledged=sum(1 for write in writes if write.status == 201),
        conflicts=statuses[409],
        other_4xx=sum(n for status, n in statuses.items() if 400 <= status < 500 and status != 409),
        server_errors=sum(n for status, n in statuses.items() if status >= 500),
        timeouts=sum(failures.values()),
        events_stored=len(stored["events"]),
        acknowledged_missing=missing,
        acknowledged_doubled=doubled,
        stored_though_refused=refused_stored,
        stored_unanswered=unanswered_stored,
        versions_inconsistent=inconsistent,
        requests_per_s=round(answered / duration, 1) if duration else 0.0,
        latency_ms={"reads": _percentiles(read_ms), "writes": _percentiles(write_ms)},
        statuses={str(status): n for status, n in sorted(statuses.items())},
        unexpected=[message for log in logs for message in log.unexpected][:20],
    )


def _percentiles(values: list[float]) -> dict[str, float | None]:
    def at(share: float) -> float | None:
        if not values:
            return None
        return round(values[min(len(values) - 1, int(share * len(values)))], 1)

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": at(1.0)}


def soak_report(result: SoakResult, *, command: str) -> str:
    """Return the figures of a run as the text the script prints."""
    latency = result.latency_ms
    lines = [
        f"Soak: {result.clients} clients for {result.duration_s:.1f} s against rogatory serve "
        f"({result.workers} gunicorn workers), writing on {result.targets} requests.",
        f"Command: {command}",
        f"requests made:                          {result.requests_made:,}",
        f"  reads:                                {result.reads:,}",
        f"  writes:                               {result.writes:,}",
        f"writes acknowledged (201):              {result.writes_acknowledged:,}",
        f"conflicts (409):                        {result.conflicts:,}",
        f"other 4xx:                              {result.other_4xx:,}",
        f"5xx:                                    {result.server_errors:,}",
        f"timeouts and connection errors:         {result.timeouts:,}",
        f"events stored by the run:               {result.events_stored:,}",
        f"acknowledged writes missing:            {result.acknowledged_missing:,}",
        f"acknowledged writes stored twice:       {result.acknowledged_doubled:,}",
        f"refused writes stored anyway:           {result.stored_though_refused:,}",
        f"unanswered writes stored (timed out):   {result.stored_unanswered:,}",
        f"requests whose version != events:       {result.versions_inconsistent:,}",
        f"throughput:                             {result.requests_per_s:,} requests/s",
        "latency ms (p50 / p95 / p99 / max):     "
        f"reads {_ms(latency['reads'])}; writes {_ms(latency['writes'])}",
        f"answers by status: {result.statuses}",
        "PASSED: no 5xx, no acknowledged write lost or doubled."
        if result.passed
        else "FAILED: see the figures above.",
    ]
    lines += [f"unexpected: {message}" for message in result.unexpected]
    return "\n".join(lines)


def _ms(values: dict[str, float | None]) -> str:
    return " / ".join("—" if values[key] is None else f"{values[key]:g}" for key in values)


# --- The command -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=120, help="seconds")
    parser.add_argument("--targets", type=int, default=64, help="requests the writes go to")
    parser.add_argument("--requests", type=int, default=100_000, help="size of the register")
    parser.add_argument("--reuse", action="store_true", help="keep a register built before")
    parser.add_argument("--database-url", help="serve this database as it is")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: serve's)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per answer")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    command = "python benchmarks/soak.py " + " ".join(sys.argv[1:] if argv is None else argv)
    if args.database_url:
        database_url = args.database_url
    else:
        database_url = register_database(
            vendor="postgresql",
            requests=args.requests,
            seed=args.seed,
            reuse=args.reuse,
            admin_url=args.postgres_url,
        ).database_url
    run = uuid.uuid4().hex[:8]
    with soak_server(database_url, workers=args.workers) as server:
        targets = targets_create(server, count=args.targets, run=run)
        print(
            f"Soak {run}: {args.clients} clients for {args.duration:g} s …",
            file=sys.stderr,
            flush=True,
        )
        began = time.monotonic()
        logs = soak_run(
            server,
            targets=targets,
            clients=args.clients,
            duration=args.duration,
            run=run,
            timeout=args.timeout,
            seed=args.seed,
        )
        elapsed = time.monotonic() - began
    stored = stored_events(database_url, run=run, targets=targets)
    result = soak_result(
        logs,
        stored,
        clients=args.clients,
        duration=elapsed,
        workers=server.workers,
        targets=len(targets),
    )
    print(soak_report(result, command=command))
    if args.json:
        args.json.write_text(json.dumps({**asdict(result), "passed": result.passed}, indent=2))
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
