"""Load-test the production server: latency of the register list, the API, dashboard and report.

Run `python benchmarks/load.py` (part of `make bench`). It builds a register of --requests
requests on PostgreSQL (benchmarks/databases.py; `--reuse` keeps one an earlier run built),
collects the static files, starts `rogatory serve` (gunicorn, its default worker count) on a
free port of 127.0.0.1, creates a supervisor with an API token, signs in through the sign-in
page, and then runs locust headless (benchmarks/locustfile.py) for each scenario on its own:
--users clients in a closed loop (each asks again as soon as it has its answer), all started at
once, a warm-up of --warmup seconds that is not counted, then --duration seconds measured.

Each scenario reports p50 and p95 latency in milliseconds, requests per second and failures (any
answer but 2xx), against the issue's targets: p95 under 150 ms for the lists, the search and
the API, under 300 ms for the dashboard. Locust runs on the same machine as the server and the
database, so the CPU each of them used is reported too.
"""

import argparse
import csv
import io
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from databases import (
    BIN,
    POSTGRES_URL,
    register_counts,
    register_database,
    rogatory,
    rogatory_env,
)

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
USERNAME = "bench-supervisor"
# Only ever on a benchmark database; the server listens on 127.0.0.1 alone.
PASSWORD = "load benchmark passphrase 7"
LIST_TARGET_MS = 150.0
DASHBOARD_TARGET_MS = 300.0
# Above this share of the machine's CPU used by others, the figures are flagged as disturbed.
QUIET_MACHINE_OTHERS = 0.10


@dataclass(frozen=True)
class Scenario:
    """Addresses asked in turn by every client: (name, path, "session" or "token")."""

    name: str
    label: str
    target_ms: float | None
    requests: tuple[tuple[str, str, str], ...]


SCENARIOS = (
    Scenario(
        "list",
        "web register list, first page",
        LIST_TARGET_MS,
        (("web list, page 1", "/requests/", "session"),),
    ),
    Scenario(
        "list-filtered",
        "web register list with filters, first page",
        LIST_TARGET_MS,
        (
            ("web list, refused by CH", "/requests/?status=refused&country=CH", "session"),
            ("web list, on a ground", "/requests/?ground={ground}", "session"),
            (
                "web list, political, by decision",
                "/requests/?political=yes&sort=-decided",
                "session",
            ),
        ),
    ),
    Scenario(
        "list-deep",
        "web register list, deep page",
        LIST_TARGET_MS,
        (("web list, page {deep_page}", "/requests/?cursor={cursor}", "session"),),
    ),
    Scenario(
        "search",
        "web register search for a reference",
        LIST_TARGET_MS,
        (("web search “{search}”", "/requests/?search={search_query}", "session"),),
    ),
    Scenario(
        "api",
        "API list, first page",
        LIST_TARGET_MS,
        (("API list, page 1", "/api/v1/requests", "token"),),
    ),
    Scenario(
        "api-filtered",
        "API list with filters, first page",
        LIST_TARGET_MS,
        (
            ("API list, refused by CH", "/api/v1/requests?status=refused&country=CH", "token"),
            ("API list, on a ground", "/api/v1/requests?ground={ground}", "token"),
            (
                "API list, political, by decision",
                "/api/v1/requests?political=true&sort=-decided",
                "token",
            ),
        ),
    ),
    Scenario(
        "api-deep",
        "API list, deep page",
        LIST_TARGET_MS,
        (("API list, page {deep_page}", "/api/v1/requests?cursor={cursor}", "token"),),
    ),
    Scenario(
        "dashboard",
        "dashboard",
        DASHBOARD_TARGET_MS,
        (("dashboard", "/", "session"),),
    ),
    # The issue sets no target for the report page; it is measured under the same load.
    Scenario("report", "report page, last year", None, (("report page", "/reports/", "session"),)),
)


# --- Locust's statistics ---------------------------------------------------------------------


@dataclass(frozen=True)
class Latency:
    """One line of locust's statistics: a request name, or the total of a scenario."""

    name: str
    requests: int
    failures: int
    p50_ms: float | None
    p95_ms: float | None
    requests_per_s: float


def locust_stats_read(text: str) -> tuple[list[Latency], Latency]:
    """Return the per-name lines and the total of locust's `<prefix>_stats.csv`."""
    lines = []
    for row in csv.DictReader(io.StringIO(text)):
        lines.append(
            Latency(
                name=row["Name"],
                requests=int(row["Request Count"]),
                failures=int(row["Failure Count"]),
                p50_ms=_milliseconds(row["50%"]),
                p95_ms=_milliseconds(row["95%"]),
                requests_per_s=float(row["Requests/s"]),
            )
        )
    if not lines or lines[-1].name != "Aggregated":
        raise ValueError("locust's statistics end without their Aggregated line")
    return lines[:-1], lines[-1]


def _milliseconds(value: str) -> float | None:
    # Locust writes N/A for a name that got no answer at all.
    return None if value in ("", "N/A") else float(value)


def target_met(latency: Latency, target_ms: float | None) -> bool | None:
    """Return whether p95 is under the target with no failure; None when there is no target."""
    if target_ms is None:
        return None
    return latency.failures == 0 and latency.p95_ms is not None and latency.p95_ms < target_ms


# --- The server ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(database_url: str, folder: Path) -> dict[str, str]:
    """Return the production settings for plain HTTP on 127.0.0.1, files kept in `folder`."""
    return rogatory_env(
        database_url,
        ROGATORY_SECRET_KEY=secrets.token_urlsafe(50),
        ROGATORY_ALLOWED_HOSTS="127.0.0.1",
        ROGATORY_SECURE_COOKIES="0",
        ROGATORY_SSL_REDIRECT="0",
        ROGATORY_HSTS_SECONDS="0",
        ROGATORY_STATIC_ROOT=str(folder / "static"),
        ROGATORY_MEDIA_DIR=str(folder / "media"),
    )


def server_start(
    env: dict[str, str],
    *,
    port: int,
    workers: int | None,
    log: Path,
    collect_static: bool = True,
    wait_seconds: int = 120,
) -> subprocess.Popen:
    """Start `rogatory serve` and wait until it answers; its output goes to `log`.

    Without `collect_static`, ROGATORY_STATIC_ROOT in `env` must already hold the static files.
    """
    if collect_static:
        subprocess.run(
            [str(BIN / "rogatory"), "collectstatic", "--noinput"],
            env=env,
            check=True,
            capture_output=True,
        )
    command = [str(BIN / "rogatory"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    if workers:
        command += ["--workers", str(workers)]
    with log.open("wb") as output:
        server = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"rogatory serve stopped at once:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5).close()
            return server
        except OSError:
            time.sleep(0.5)
    server_stop(server)
    sys.exit(f"rogatory serve did not answer within {wait_seconds} s:\n{log.read_text()[-3000:]}")


def server_stop(server: subprocess.Popen) -> None:
    """Stop gunicorn gracefully, or kill it when it does not stop."""
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _cookie(headers: Any, name: str) -> str:
    jar = SimpleCookie()
    for header in headers.get_all("Set-Cookie") or []:
        jar.load(header)
    if name not in jar:
        raise RuntimeError(f"the server set no {name} cookie")
    return jar[name].value


def sign_in(base: str, *, username: str, password: str) -> str:
    """Sign in through the sign-in page, as a browser does; return the Cookie header to send."""
    page = urllib.request.urlopen(f"{base}/login/")
    csrf_cookie = _cookie(page.headers, "csrftoken")
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())
    if match is None:
        raise RuntimeError("the sign-in page has no CSRF token")
    form = urllib.parse.urlencode(
        {
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": match.group(1),
            "next": "/",
        }
    ).encode()
    request = urllib.request.Request(
        f"{base}/login/",
        data=form,
        headers={"Cookie": f"csrftoken={csrf_cookie}", "Referer": f"{base}/login/"},
    )
    try:
        _OPENER.open(request)
    except urllib.error.HTTPError as answer:
        if answer.code == 302:
            return f"sessionid={_cookie(answer.headers, 'sessionid')}"
        raise
    raise RuntimeError(f"signing in as {username} failed: the sign-in page came back")


def _get(base: str, path: str, headers: dict[str, str]) -> bytes:
    request = urllib.request.Request(f"{base}{path}", headers=headers)
    try:
        with _OPENER.open(request, timeout=120) as answer:
            return answer.read()
    except urllib.error.HTTPError as answer:
        raise RuntimeError(f"GET {path} answered {answer.code}") from None


def deep_cursor(base: str, *, token: str, page: int) -> tuple[str, int, str]:
    """Return the cursor of page `page` of the register list, its number, and a reference on it.

    Pages have 50 requests, on the web and in the API; a register with fewer pages gives its
    last page.
    """
    headers = {"Authorization": f"Bearer {token}"}
    cursor, number = "", 1
    items = json.loads(_get(base, "/api/v1/requests", headers))
    while number < page and items["next_cursor"]:
        next_cursor = items["next_cursor"]
        query = urllib.parse.urlencode({"cursor": next_cursor})
        items = json.loads(_get(base, f"/api/v1/requests?{query}", headers))
        cursor, number = next_cursor, number + 1
    return cursor, number, items["items"][0]["reference"]


# --- Measuring -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioResult:
    """One scenario's latencies, its total, and the CPU each party used while it ran."""

    name: str
    label: str
    target_ms: float | None
    lines: list[Latency]
    total: Latency
    seconds: float
    # Shares of the machine's CPU time (all cores) while the measured run lasted: gunicorn,
    # the PostgreSQL backends of the benchmark's database, locust, and everything else.
    cpu_server: float
    cpu_database: float
    cpu_locust: float
    cpu_others: float


class _CpuWatch:
    """The CPU seconds the server, its database and the whole machine spend while it watches.

    Processes come and go meanwhile (a database connection lives a minute), so they are looked
    at twice a second: each one's CPU time counts from when the watch began, or from its start.
    """

    INTERVAL = 0.5

    def __init__(self, *, server_pid: int, database: str) -> None:
        import psutil  # comes with locust, in the `bench` extra

        self._psutil = psutil
        self._server_pid = server_pid
        # A PostgreSQL backend's title names its database: "postgres: 15/main: user db host".
        self._database_title = f" {database} "
        self._first: dict[str, dict[int, float]] = {"server": {}, "database": {}}
        self._last: dict[str, dict[int, float]] = {"server": {}, "database": {}}
        self._machine_start = self._machine()
        self._look(first=True)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stopping.wait(self.INTERVAL):
            self._look()

    def _look(self, *, first: bool = False) -> None:
        server = self._psutil.Process(self._server_pid)
        postgres = {
            process: " ".join(process.info["cmdline"] or []) + " "
            for process in self._psutil.process_iter(["name", "cmdline"])
            if process.info["name"] == "postgres"
        }
        backends = {
            process.pid for process, title in postgres.items() if self._database_title in title
        }
        # A parallel query's helpers are titled by their leader: "parallel worker for PID 42".
        database = [
            process
            for process, title in postgres.items()
            if process.pid in backends
            or any(f"parallel worker for PID {leader} " in title for leader in backends)
        ]
        for part, processes in (
            ("server", [server, *server.children(recursive=True)]),
            ("database", database),
        ):
            for process in processes:
                seconds = _cpu_seconds(process)
                if seconds is None:
                    continue
                self._first[part].setdefault(process.pid, seconds if first else 0.0)
                self._last[part][process.pid] = seconds

    def _machine(self) -> tuple[float, float]:
        times = self._psutil.cpu_times()._asdict()
        # Guest time is counted in user time already.
        total = sum(
            seconds for name, seconds in times.items() if name not in ("guest", "guest_nice")
        )
        return total - times["idle"] - times.get("iowait", 0.0), total

    def stop(self, *, locust_seconds: float) -> dict[str, float]:
        """Return the shares of the machine's CPU time since the watch began."""
        self._stopping.set()
        self._thread.join()
        self._look()
        busy_end, total_end = self._machine()
        total = total_end - self._machine_start[1]
        shares = {"locust": locust_seconds / total}
        for part in ("server", "database"):
            spent = sum(
                seconds - self._first[part][pid] for pid, seconds in self._last[part].items()
            )
            shares[part] = spent / total
        busy = (busy_end - self._machine_start[0]) / total
        shares["others"] = max(0.0, busy - shares["server"] - shares["database"] - shares["locust"])
        return shares


def _cpu_seconds(process: Any) -> float | None:
    try:
        times = process.cpu_times()
    except Exception:  # the process ended in between (psutil.NoSuchProcess and its kin)
        return None
    return times.user + times.system


def _locust(
    requests: list[tuple[str, str, str]],
    *,
    base: str,
    users: int,
    seconds: int,
    env: dict[str, str],
    csv_prefix: Path | None,
) -> float:
    """Run locust headless; return the CPU seconds it spent itself."""
    command = [
        str(BIN / "locust"),
        "--locustfile",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--host",
        base,
        "--only-summary",
        "--loglevel",
        "ERROR",
    ]
    if csv_prefix:
        command += ["--csv", str(csv_prefix)]
    process = subprocess.Popen(
        command,
        env={**env, "ROGATORY_BENCH_REQUESTS": json.dumps(requests)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # wait4 gives the CPU time of this child alone; locust exits 1 when a request failed.
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read().decode() if process.stderr else ""
    if process.returncode not in (0, 1):
        sys.exit(f"locust failed ({process.returncode}):\n{errors[-3000:]}")
    return usage.ru_utime + usage.ru_stime


def scenario_run(
    scenario: Scenario,
    *,
    values: dict[str, str],
    base: str,
    server_pid: int,
    database: str,
    users: int,
    warmup: int,
    duration: int,
    env: dict[str, str],
    folder: Path,
) -> ScenarioResult:
    """Warm the server up on the scenario, then measure it."""
    requests = [
        (name.format(**values), path.format(**values), auth)
        for name, path, auth in scenario.requests
    ]
    for _name, path, auth in requests:
        # A page that fails once would fail every time: say so before running for nothing.
        _get(base, path, _headers(auth, env))
    if warmup:
        _locust(requests, base=base, users=users, seconds=warmup, env=env, csv_prefix=None)
    watch = _CpuWatch(server_pid=server_pid, database=database)
    prefix = folder / scenario.name
    start = time.perf_counter()
    locust_seconds = _locust(
        requests, base=base, users=users, seconds=duration, env=env, csv_prefix=prefix
    )
    seconds = time.perf_counter() - start
    shares = watch.stop(locust_seconds=locust_seconds)
    lines, total = locust_stats_read(Path(f"{prefix}_stats.csv").read_text())
    return ScenarioResult(
        name=scenario.name,
        label=scenario.label,
        target_ms=scenario.target_ms,
        lines=lines,
        total=total,
        seconds=seconds,
        cpu_server=shares["server"],
        cpu_database=shares["database"],
        cpu_locust=shares["locust"],
        cpu_others=shares["others"],
    )


def _headers(auth: str, env: dict[str, str]) -> dict[str, str]:
    if auth == "session":
        return {"Cookie": env["ROGATORY_BENCH_COOKIE"]}
    return {"Authorization": f"Bearer {env['ROGATORY_BENCH_TOKEN']}"}


# --- The tables ------------------------------------------------------------------------------


def load_table(results: Sequence[ScenarioResult]) -> list[str]:
    """Return the latencies of every request name against its target, as a Markdown table."""
    lines = [
        "| scenario | request | p50 ms | p95 ms | requests/s | failures | target p95 | met |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    for result in results:
        for latency in result.lines:
            met = target_met(latency, result.target_ms)
            lines.append(
                f"| {result.label} | {latency.name} | {_ms(latency.p50_ms)} "
                f"| {_ms(latency.p95_ms)} | {latency.requests_per_s:,.1f} "
                f"| {latency.failures:,} of {latency.requests:,} "
                f"| {_target(result.target_ms)} "
                f"| {'—' if met is None else 'met' if met else 'missed'} |"
            )
    return lines


def load_cpu_table(results: Sequence[ScenarioResult]) -> list[str]:
    """Return each scenario's throughput and who used the CPU, as a Markdown table."""
    lines = [
        "| scenario | requests | requests/s | p95 ms (all) | server CPU | PostgreSQL CPU "
        "| locust CPU | others | idle |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        used = result.cpu_server + result.cpu_database + result.cpu_locust + result.cpu_others
        lines.append(
            f"| {result.label} | {result.total.requests:,} | {result.total.requests_per_s:,.1f} "
            f"| {_ms(result.total.p95_ms)} | {result.cpu_server:.0%} | {result.cpu_database:.0%} "
            f"| {result.cpu_locust:.0%} | {result.cpu_others:.0%} | {max(0.0, 1 - used):.0%} |"
        )
    return lines


def load_cpu_note(results: Sequence[ScenarioResult]) -> str:
    """Return a warning when other processes took a fair share of the machine meanwhile."""
    others = max((result.cpu_others for result in results), default=0.0)
    if others <= QUIET_MACHINE_OTHERS:
        return ""
    return (
        f"Other processes used up to {others:.0%} of the machine's CPU while a scenario was "
        "measured: these are not the figures of a quiet machine."
    )


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _target(target_ms: float | None) -> str:
    return "none set" if target_ms is None else f"< {target_ms:,.0f} ms"


def load_results_read(data: dict[str, Any]) -> tuple[dict[str, Any], list[ScenarioResult]]:
    """Return the run's description and its results from load.py's JSON output."""
    results = [
        ScenarioResult(
            **{
                **result,
                "lines": [Latency(**line) for line in result["lines"]],
                "total": Latency(**result["total"]),
            }
        )
        for result in data["results"]
    ]
    return data["run"], results


def load_description(run: dict[str, Any]) -> str:
    """Return one sentence on what was measured."""
    return (
        f"{run['requests']:,} requests ({run['events']:,} events) on {run['database']}, "
        f"`rogatory serve` with {run['workers']} gunicorn workers"
        + (" (its default: 2 × CPUs + 1), " if run["workers_default"] else ", ")
        + f"{run['users']} clients in a closed loop, {run['warmup']} s of warm-up not counted, "
        f"then {run['duration']} s measured per scenario. Deep pages are page "
        f"{run['deep_page']} of the register (a cursor {run['deep_page'] - 1} pages in); the "
        f"search looks for “{run['search']}” in references, cases, authorities and offences. "
        "CPU shares are of the whole machine's CPU time while a scenario was measured."
    )


# --- The command -----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="keep a register built before")
    parser.add_argument(
        "--database-url", help="measure this database as it is instead of building one"
    )
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=10, help="seconds, not counted")
    parser.add_argument("--duration", type=int, default=30, help="seconds measured")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: serve's)")
    parser.add_argument("--deep-page", type=int, default=200)
    parser.add_argument("--search", help="default: the end of a reference on the deep page")
    parser.add_argument("--ground", default="political_offence")
    parser.add_argument(
        "--scenarios",
        default=",".join(scenario.name for scenario in SCENARIOS),
        help="comma-separated, of: " + ", ".join(scenario.name for scenario in SCENARIOS),
    )
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args()
    if args.database_url:
        database_url = args.database_url
        rogatory("init", database_url=database_url)
        counts = register_counts(database_url)
        if counts is None:
            sys.exit(f"There is no register at {database_url}.")
        requests, events = counts
    else:
        register = register_database(
            vendor="postgresql",
            requests=args.requests,
            seed=args.seed,
            reuse=args.reuse,
            admin_url=args.postgres_url,
        )
        database_url, requests, events = register.database_url, register.requests, register.events
    run, results = load_measure(database_url, args)
    run |= {"requests": requests, "events": events}
    tables = [*load_table(results), "", *load_cpu_table(results), "", load_cpu_note(results)]
    print("\n".join([load_description(run), "", *tables]))
    if args.json:
        args.json.write_text(
            json.dumps({"run": run, "results": [asdict(result) for result in results]})
        )


def load_measure(
    database_url: str, args: argparse.Namespace
) -> tuple[dict[str, Any], list[ScenarioResult]]:
    """Serve the register at `database_url` and run the chosen scenarios against it."""
    chosen = [scenario for scenario in SCENARIOS if scenario.name in args.scenarios.split(",")]
    token = _supervisor_token(database_url)
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        env = server_env(database_url, folder)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = server_start(env, port=port, workers=args.workers, log=folder / "server.log")
        try:
            import psutil

            workers = len(psutil.Process(server.pid).children())
            env["ROGATORY_BENCH_COOKIE"] = sign_in(base, username=USERNAME, password=PASSWORD)
            env["ROGATORY_BENCH_TOKEN"] = token
            cursor, deep_page, reference = deep_cursor(base, token=token, page=args.deep_page)
            search = args.search or reference[-8:]
            values = {
                "cursor": urllib.parse.quote(cursor),
                "deep_page": str(deep_page),
                "search": search,
                "search_query": urllib.parse.quote(search),
                "ground": args.ground,
            }
            results = []
            for scenario in chosen:
                print(f"Load: {scenario.label} …", file=sys.stderr, flush=True)
                results.append(
                    scenario_run(
                        scenario,
                        values=values,
                        base=base,
                        server_pid=server.pid,
                        database=urllib.parse.urlparse(database_url).path.lstrip("/"),
                        users=args.users,
                        warmup=args.warmup,
                        duration=args.duration,
                        env=env,
                        folder=folder,
                    )
                )
        finally:
            server_stop(server)
            rogatory("token", "revoke", USERNAME, token, database_url=database_url)
    run = {
        "database": "PostgreSQL" if database_url.startswith("postgres") else "SQLite",
        "workers": workers,
        "workers_default": args.workers is None,
        "users": args.users,
        "warmup": args.warmup,
        "duration": args.duration,
        "deep_page": deep_page,
        "search": search,
    }
    return run, results


def _supervisor_token(database_url: str) -> str:
    """Create the benchmark's supervisor unless an earlier run did; return a new API token."""
    try:
        rogatory(
            "createuser",
            USERNAME,
            "--role",
            "supervisor",
            database_url=database_url,
            stdin=PASSWORD,
        )
    except subprocess.CalledProcessError as error:
        # A reused register keeps the user (with the same password) from the run that built it.
        if "already" not in error.stderr:
            raise
    created = rogatory(
        "token", "create", USERNAME, "--name", "load benchmark", database_url=database_url
    )
    return created.splitlines()[-1]


if __name__ == "__main__":
    main()
