"""Benchmark the import of a register file: rows per second and peak memory, by file size.

Run `python benchmarks/register.py --rows 100000,1000000` (part of `make bench`). For each size
it writes a synthetic register file (benchmarks/synthetic.py) and imports it into a fresh
SQLite database and, when PostgreSQL answers at --postgres-url, a fresh PostgreSQL database.
The command line is timed as a user runs it, in a child process, so start-up is included; its
peak memory is the child's own maximum resident set. The issue's targets: at least 25,000 rows
a second with a peak under 300 MB, whatever the file size.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from databases import (
    BIN,
    POSTGRES_URL,
    database_prefix,
    postgres_answers,
    postgres_database,
    postgres_drop,
    rogatory,
    rogatory_env,
)

ROWS_PER_S_TARGET = 25_000
PEAK_MB_TARGET = 300


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a command; return its wall time in seconds and its own peak memory in MB."""
    start = time.perf_counter()
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL)
    # wait4 reports this child's maximum resident set alone, not that of earlier children.
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, args)
    return elapsed, usage.ru_maxrss / 1024


def import_bench(
    label: str, database_url: str, register: Path, rows: int, *, reimport: bool
) -> dict[str, Any]:
    """Import `register` into the empty database at `database_url`; return the figures."""
    rogatory("init", database_url=database_url)
    command = [str(BIN / "rogatory"), "import", str(register), "--no-progress"]
    env = rogatory_env(database_url)
    seconds, peak_mb = timed(command, env)
    result = {
        "database": label,
        "rows": rows,
        "import_s": seconds,
        "rows_per_s": rows / seconds,
        "peak_mb": peak_mb,
        "reimport_s": None,
    }
    if reimport:
        result["reimport_s"], _peak = timed(command, env)
    return result


def import_met(result: dict[str, Any]) -> bool:
    """Return whether an import met both targets."""
    return result["rows_per_s"] >= ROWS_PER_S_TARGET and result["peak_mb"] < PEAK_MB_TARGET


def import_table(results: Sequence[dict[str, Any]]) -> list[str]:
    """Return the imports as a Markdown table with the targets, met or missed."""
    lines = [
        "| database | rows | import s | rows/s | peak MB | re-import s | target | met |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for result in results:
        reimport = "—" if result["reimport_s"] is None else f"{result['reimport_s']:,.1f}"
        lines.append(
            f"| {result['database']} | {result['rows']:,} | {result['import_s']:,.1f} "
            f"| {result['rows_per_s']:,.0f} | {result['peak_mb']:,.0f} | {reimport} "
            f"| ≥ {ROWS_PER_S_TARGET:,} rows/s, < {PEAK_MB_TARGET} MB "
            f"| {'met' if import_met(result) else 'missed'} |"
        )
    return lines


def import_description(seed: int) -> str:
    """Return what the import table measures."""
    return (
        "Import: `rogatory import` of a synthetic register file (benchmarks/synthetic.py, seed "
        f"{seed}) into an empty database, timed as a whole command; peak MB is that command's "
        "maximum resident memory. Re-import, when measured: the same file again, which changes "
        "nothing."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", default="100000", help="comma-separated sizes, such as 100000,1000000"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--reimport", action="store_true", help="also import each file again")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args()
    from synthetic import write_register  # sets Django up for the register's columns

    postgres = postgres_answers(args.postgres_url)
    if not postgres:
        print(f"PostgreSQL does not answer at {args.postgres_url}; skipped.", file=sys.stderr)
    name = f"{database_prefix()}_import"
    results = []
    for rows in (int(size) for size in args.rows.split(",")):
        with tempfile.TemporaryDirectory() as folder:
            register = write_register(Path(folder) / "register.csv", rows, seed=args.seed)
            sqlite = f"sqlite:///{folder}/import.sqlite3"
            results.append(import_bench("SQLite", sqlite, register, rows, reimport=args.reimport))
            if postgres:
                url = postgres_database(name, admin_url=args.postgres_url)
                try:
                    results.append(
                        import_bench("PostgreSQL", url, register, rows, reimport=args.reimport)
                    )
                finally:
                    postgres_drop(name, admin_url=args.postgres_url)
    print("\n".join([*import_table(results), "", import_description(args.seed)]))
    if args.json:
        args.json.write_text(json.dumps(results))


if __name__ == "__main__":
    main()
