"""Time the deadline engine and the work lists on a synthetic register.

Builds (or, with --reuse, keeps) a register of N requests written by `rogatory generate`, which
works out every request's due dates as it writes, then measures on it:

- `rogatory deadlines --refresh`: every request's due dates worked out again from its events;
- the reads behind the pages: the work list of a supervisor (every unit) and of a clerk (one
  unit), its 20th page, a clerk's "My requests", the dashboard's counts, and the reminder plan
  of the day (who is told what), each the median of 5 after a warm-up.

    .venv/bin/python benchmarks/timeliness.py --requests 100000 [--sqlite] [--reuse]
"""

import argparse
import os
import platform
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from databases import (
    POSTGRES_URL,
    postgres_answers,
    register_database,
    rogatory,
    rogatory_env,
)

TIMINGS = r"""
import statistics
import time

import django

django.setup()

from django.db import connection
from django.utils import timezone

from rogatory.accounts.models import Role, Unit, User
from rogatory.deadlines.models import Deadline
from rogatory.deadlines.selectors import (
    WorkFilters, my_requests, page_of, timeliness_counts, worklist,
)
from rogatory.register.models import Request
from rogatory.reminders.selectors import reminders_due

today = timezone.localdate()
unit = Unit.objects.order_by("pk").first()
supervisor, _ = User.objects.get_or_create(
    username="bench.supervisor", defaults={"role": Role.SUPERVISOR, "email": "s@example.org"}
)
clerk, made = User.objects.get_or_create(
    username="bench.clerk", defaults={"role": Role.CLERK, "email": "c@example.org"}
)
if made:
    clerk.units.add(unit)
    # One request in a hundred is the clerk's own.
    ids = Request.objects.filter(unit=unit).order_by("pk").values_list("pk", flat=True)[::100]
    Request.objects.filter(pk__in=list(ids)).update(responsible=clerk)

print(f"deadlines\t{Deadline.objects.count()}")
print(f"open deadlines\t{Deadline.objects.filter(met_on__isnull=True).count()}")


def timed(label, read):
    read()
    times = []
    for _ in range(5):
        start = time.perf_counter()
        read()
        times.append(time.perf_counter() - start)
    print(f"{label}\t{statistics.median(times) * 1000:.1f}")


timed("work list, supervisor, first page (ms)",
      lambda: list(page_of(worklist(user=supervisor, today=today), 1)))
timed("work list, supervisor, page 20 (ms)",
      lambda: list(page_of(worklist(user=supervisor, today=today), 20)))
timed("work list, clerk of one unit, first page (ms)",
      lambda: list(page_of(worklist(user=clerk, today=today), 1)))
timed("work list, overdue only, first page (ms)",
      lambda: list(page_of(worklist(user=supervisor, today=today,
                                    filters=WorkFilters(state="overdue")), 1)))
timed("my requests, clerk, first page (ms)",
      lambda: list(page_of(my_requests(viewer=clerk, clerk=clerk, today=today), 1)))
timed("dashboard counts, supervisor (ms)", lambda: timeliness_counts(user=supervisor, today=today))
timed("reminder plan of the day (ms)", lambda: reminders_due(today=today))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sqlite", action="store_true", help="use SQLite instead of PostgreSQL")
    parser.add_argument("--reuse", action="store_true", help="keep a register built before")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    args = parser.parse_args()
    vendor = "sqlite" if args.sqlite else "postgresql"
    if vendor == "postgresql" and not postgres_answers(args.postgres_url):
        sys.exit(f"PostgreSQL does not answer at {args.postgres_url}.")
    os.environ.setdefault("ROGATORY_BENCH_DATABASE_PREFIX", "rogatory_timeliness")
    register = register_database(
        vendor=vendor,
        requests=args.requests,
        seed=args.seed,
        reuse=args.reuse,
        admin_url=args.postgres_url,
    )
    start = time.perf_counter()
    rogatory("deadlines", "--refresh", database_url=register.database_url)
    refresh = time.perf_counter() - start
    timings = subprocess.run(
        [sys.executable, "-c", TIMINGS],
        env=rogatory_env(register.database_url),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rows = [line.split("\t") for line in timings.strip().splitlines()]
    built = f"built in {register.built_seconds:.0f} s" if register.built_seconds else "reused"
    print(
        f"Deadlines on {args.requests:,} requests ({register.events:,} events), {vendor}, "
        f"{date.today()}, {platform.node()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; register {built}\n"
    )
    print("| measure | value |")
    print("|---|---:|")
    print(f"| `rogatory deadlines --refresh`, every request (s) | {refresh:.1f} |")
    print(f"| requests refreshed per second | {args.requests / refresh:,.0f} |")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
