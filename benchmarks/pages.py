"""Benchmark the reads behind the web pages on a large register: list, dashboard and reports.

Run `python benchmarks/pages.py --rows 1000000` (or `make bench-pages`). It builds a fresh
register of synthetic requests (benchmarks/synthetic.py) on PostgreSQL, or on SQLite with
`--sqlite`, then times each read the register list, the dashboard and the report page make, as a
signed-in user would cause them, and the rendering of the PDF: the median of five runs, in milliseconds, after one warm-up run.
"""

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import write_register

BIN = Path(sys.executable).parent
DATABASE = "rogatory_bench_pages"

# Runs in a child process with the benchmark database configured.
TIMINGS = """
import statistics, time
from datetime import date
import django
django.setup()
from rogatory.accounts.models import Role
from rogatory.accounts.services import unit_by_code, unit_create, user_create
from rogatory.register.selectors import RequestFilters, request_page
from django.utils import timezone
from rogatory.register.models import Event
from rogatory.statistics import dashboard, partners
from rogatory.statistics.fatf import fatf_tables
from rogatory.statistics.pdf import render_pdf
from rogatory.statistics.publication import publication_build
from rogatory.statistics.selectors import report_build

supervisor = user_create(actor=None, username="bench-supervisor", password="bench passphrase 7",
                         role=Role.SUPERVISOR, units=[unit_by_code("central")])
clerk = user_create(actor=None, username="bench-clerk", password="bench passphrase 7",
                    role=Role.CLERK, units=[unit_by_code("central")])
empty_unit = unit_create(actor=None, name="Bench empty unit", code="bench-empty")
outsider = user_create(actor=None, username="bench-outsider", password="bench passphrase 7",
                       role=Role.CLERK, units=[empty_unit])
today = date.today()


def cursor_of_page(user, filters, number):
    cursor = ""
    for _ in range(number - 1):
        cursor = request_page(user=user, filters=filters, cursor=cursor).next_cursor or ""
    return cursor


last_year = {"period_from": date(today.year - 1, 1, 1), "period_to": date(today.year - 1, 12, 31), "direction": "outgoing"}
# Every event of the synthetic register is recorded during its import. As known now, no
# request has a later event; as known halfway through the import, half the requests do, and
# their projection is recomputed from the events.
moment = timezone.now()
events = Event.objects.order_by("recorded_at").values_list("recorded_at", flat=True)
halfway = events[events.count() // 2]
publication = publication_build(**last_year, language="en")
deep_registered = cursor_of_page(supervisor, RequestFilters(), 200)
deep_opened = cursor_of_page(supervisor, RequestFilters(sort="opened"), 200)


reads = [
    ("list, newest registered, page 1", lambda: request_page(user=supervisor, filters=RequestFilters())),
    ("list, newest registered, page 200", lambda: request_page(user=supervisor, filters=RequestFilters(), cursor=deep_registered)),
    ("list, by reference, page 1", lambda: request_page(user=supervisor, filters=RequestFilters(sort="reference"))),
    ("list, by opening date, newest, page 1", lambda: request_page(user=supervisor, filters=RequestFilters(sort="-opened"))),
    ("list, by opening date, page 200", lambda: request_page(user=supervisor, filters=RequestFilters(sort="opened"), cursor=deep_opened)),
    ("list, by decision date, newest, page 1", lambda: request_page(user=supervisor, filters=RequestFilters(sort="-decided"))),
    ("list, refused by Switzerland, page 1", lambda: request_page(user=supervisor, filters=RequestFilters(status="refused", country="CH"))),
    ("list, refused on a ground, page 1", lambda: request_page(user=supervisor, filters=RequestFilters(ground="political_offence"))),
    ("list, political refusals, by decision date", lambda: request_page(user=supervisor, filters=RequestFilters(political=True, sort="-decided"))),
    ("list, search for a reference", lambda: request_page(user=supervisor, filters=RequestFilters(search="OM-00000123"))),
    ("list, clerk of the unit, page 1", lambda: request_page(user=clerk, filters=RequestFilters())),
    ("list, clerk of an empty unit, page 1", lambda: request_page(user=outsider, filters=RequestFilters())),
    ("dashboard, key figures", lambda: dashboard.dashboard_key_figures(today=today)),
    ("dashboard, awaiting action (supervisor)", lambda: dashboard.dashboard_awaiting(user=supervisor, today=today)),
    ("dashboard, awaiting action (clerk)", lambda: dashboard.dashboard_awaiting(user=clerk, today=today)),
    ("dashboard, recent activity", lambda: dashboard.dashboard_recent_events(user=clerk)),
    ("dashboard, refusals by country", lambda: dashboard.dashboard_refusals_by_country(today=today, language="en")),
    ("dashboard, partner policy changed", lambda: partners.partner_policy_changes(year=today.year, direction="outgoing", language="en")),
    ("report v1, last year", lambda: report_build(**last_year)),
    ("report v1, last year, as known now", lambda: report_build(**last_year, as_of=moment)),
    ("report v1, last year, as known halfway through the import", lambda: report_build(**last_year, as_of=halfway)),
    ("published report, last year (every table)", lambda: publication_build(**last_year, language="en")),
    ("published report, last year, as known now", lambda: publication_build(**last_year, language="en", as_of=moment)),
    ("published report, last year, as known halfway through the import", lambda: publication_build(**last_year, language="en", as_of=halfway)),
    ("PDF of the published report (rendering only)", lambda: render_pdf(publication)),
    ("FATF tables, last year", lambda: fatf_tables(year=today.year - 1, language="en")),
]
for label, read in reads:
    read()
    times = []
    for _ in range(5):
        start = time.perf_counter()
        read()
        times.append(time.perf_counter() - start)
    print(f"{label}\\t{statistics.median(times) * 1000:.1f}")
"""


def _postgres_database(url: str) -> str | None:
    """Create a fresh benchmark database; return its URL, or None when PostgreSQL is away."""
    admin = url.rsplit("/", 1)[0]
    probe = subprocess.run(["psql", f"{admin}/postgres", "-qc", "select 1"], capture_output=True)
    if probe.returncode != 0:
        return None
    for sql in (f"DROP DATABASE IF EXISTS {DATABASE}", f"CREATE DATABASE {DATABASE}"):
        subprocess.run(["psql", f"{admin}/postgres", "-qc", sql], check=True, capture_output=True)
    return f"{admin}/{DATABASE}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--sqlite", action="store_true", help="use SQLite instead of PostgreSQL")
    parser.add_argument("--output", type=Path, help="also append the table to this Markdown file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.sqlite:
            label, url = "SQLite", f"sqlite:///{folder}/bench.sqlite3"
        else:
            label, url = "PostgreSQL", _postgres_database(args.postgres_url)
            if url is None:
                sys.exit(f"PostgreSQL does not answer at {args.postgres_url}.")
        env = {
            **os.environ,
            "ROGATORY_DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "rogatory.settings",
        }
        register = write_register(Path(folder) / "register.csv", args.rows, seed=args.seed)
        subprocess.run([BIN / "rogatory", "init"], env=env, check=True, stdout=subprocess.DEVNULL)
        start = time.perf_counter()
        subprocess.run(
            [BIN / "rogatory", "import", str(register), "--no-progress"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        built = time.perf_counter() - start
        if not args.sqlite:
            subprocess.run(["psql", url, "-qc", "ANALYZE"], check=True, capture_output=True)
        timings = subprocess.run(
            [sys.executable, "-c", TIMINGS], env=env, check=True, capture_output=True, text=True
        ).stdout
    rows = [line.split("\t") for line in timings.strip().splitlines()]
    lines = [
        f"Page reads on {args.rows:,} requests, {label}, {date.today()}, {platform.node()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()} (register built in "
        f"{built:.0f} s)",
        "",
        "| read | ms |",
        "|---|---:|",
        *(f"| {name} | {ms} |" for name, ms in rows),
        "",
    ]
    print("\n".join(lines))
    if args.output:
        with args.output.open("a", encoding="utf-8") as stream:
            stream.write("\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
