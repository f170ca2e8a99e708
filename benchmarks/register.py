"""Benchmark the register: import throughput and peak memory, and full-year report time.

Run `make bench` (or `python benchmarks/register.py --rows 100000`). Each database gets a fresh
register; PostgreSQL is used when it answers at --postgres-url. The command line is timed as a
user runs it, in a child process, so start-up is included in the import figure.
"""

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import write_register

BIN = Path(sys.executable).parent
REPORT_SNIPPET = """
import statistics, time
from datetime import date
import django
django.setup()
from rogatory.statistics.selectors import report_build
year = {year}
times = []
for _ in range({repeat}):
    start = time.perf_counter()
    for direction in ("outgoing", "incoming"):
        report_build(period_from=date(year, 1, 1), period_to=date(year, 12, 31), direction=direction)
    times.append(time.perf_counter() - start)
print(statistics.median(times))
"""


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a command; return its wall time in seconds and its peak memory in MB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) / 1024


def _postgres_database(url: str) -> str | None:
    """Create a fresh benchmark database; return its URL, or None when PostgreSQL is away."""
    admin = url.rsplit("/", 1)[0]
    probe = subprocess.run(["psql", f"{admin}/postgres", "-qc", "select 1"], capture_output=True)
    if probe.returncode != 0:
        return None
    for sql in ("DROP DATABASE IF EXISTS rogatory_bench", "CREATE DATABASE rogatory_bench"):
        subprocess.run(["psql", f"{admin}/postgres", "-qc", sql], check=True, capture_output=True)
    return f"{admin}/rogatory_bench"


def bench(label: str, database_url: str, register: Path, rows: int, year: int) -> dict:
    env = {
        **os.environ,
        "ROGATORY_DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "rogatory.settings",
    }
    subprocess.run([BIN / "rogatory", "init"], env=env, check=True, stdout=subprocess.DEVNULL)
    seconds, peak_mb = _run([BIN / "rogatory", "import", str(register), "--no-progress"], env)
    again, _ = _run([BIN / "rogatory", "import", str(register), "--no-progress"], env)
    report = subprocess.run(
        [sys.executable, "-c", REPORT_SNIPPET.format(year=year, repeat=5)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return {
        "database": label,
        "rows": rows,
        "import_s": seconds,
        "rows_per_s": rows / seconds,
        "peak_mb": peak_mb,
        "reimport_s": again,
        "report_ms": float(report.stdout.strip()) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--output", type=Path, help="also write the table to this Markdown file")
    args = parser.parse_args()
    year = date.today().year - 1
    results = []
    with tempfile.TemporaryDirectory() as folder:
        register = write_register(Path(folder) / "register.csv", args.rows, seed=args.seed)
        results.append(
            bench("SQLite", f"sqlite:///{folder}/bench.sqlite3", register, args.rows, year)
        )
        postgres = _postgres_database(args.postgres_url)
        if postgres:
            results.append(bench("PostgreSQL", postgres, register, args.rows, year))
        else:
            print(f"PostgreSQL does not answer at {args.postgres_url}; skipped.", file=sys.stderr)
    lines = [
        f"Register benchmark, {date.today()}, {platform.node()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {platform.platform()}",
        "",
        "| database | rows | import s | rows/s | peak MB | re-import s | report ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *(
            f"| {r['database']} | {r['rows']:,} | {r['import_s']:.1f} | {r['rows_per_s']:,.0f} "
            f"| {r['peak_mb']:.0f} | {r['reimport_s']:.1f} | {r['report_ms']:.1f} |"
            for r in results
        ),
        "",
        f"Import: `rogatory import` of a synthetic register (benchmarks/synthetic.py, seed "
        f"{args.seed}) into an empty database, timed as a whole command; peak MB is its maximum "
        "resident memory. Re-import: the same file again, which changes nothing. Report: the "
        f"median of 5 runs of the full-year report for {year}, both directions.",
    ]
    print("\n".join(lines))
    if args.output:
        args.output.write_text(
            "# Benchmarks\n\nRe-run with `make bench` "
            f"(`python benchmarks/register.py --rows {args.rows}`).\n\n" + "\n".join(lines) + "\n"
        )


if __name__ == "__main__":
    main()
