"""`make bench`: every benchmark of issue 5, one table of figures against their targets.

Run `python benchmarks/run.py --output docs/benchmarks.md` (what `make bench` does). In turn:

1. the import of register files of --import-rows rows into SQLite and PostgreSQL
   (benchmarks/register.py);
2. a register of --requests requests on PostgreSQL and on SQLite (benchmarks/databases.py;
   `--reuse` keeps those an earlier run built), and on each the full-year report next to the
   hand-written query that computes the same figures (benchmarks/report_sql.py);
3. the production server under --users clients on the PostgreSQL register (benchmarks/load.py).

It prints the tables and, with --output, writes them to that Markdown file above the line
`<!-- make bench keeps what follows -->`, keeping what the file holds below it (the page reads
of `make bench-pages` and earlier measurements). `--skip import,report,load` leaves parts out;
`make bench BENCH_ARGS="--import-rows 20000 --requests 20000 --duration 10"` is a quick run.
"""

import argparse
import importlib.metadata
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from databases import POSTGRES_URL, postgres_answers, register_database, rogatory_env
from load import (
    load_cpu_note,
    load_cpu_table,
    load_description,
    load_results_read,
    load_table,
    target_met,
)
from register import import_description, import_met, import_table
from report_sql import POSTGRESQL_TARGET_MS, RATIO_TARGET, report_sql_table

HERE = Path(__file__).resolve().parent
KEEP_BELOW = "<!-- make bench keeps what follows -->"
PARTS = ("import", "report", "load")


def machine() -> dict[str, str]:
    """Return what the figures were measured on and with."""
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        names = [line for line in cpuinfo.read_text().splitlines() if line.startswith("model name")]
        model = names[0].split(":", 1)[1].strip() if names else ""
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        total_kb = int(meminfo.read_text().split("MemTotal:", 1)[1].split()[0])
        memory = f"{total_kb / 1024 / 1024:.0f} GB"
    return {
        "host": platform.node(),
        "cpus": f"{os.cpu_count()} CPUs" + (f" ({model})" if model else ""),
        "memory": memory,
        "system": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "rogatory": importlib.metadata.version("rogatory"),
        "commit": _commit(),
        "date": date.today().isoformat(),
    }


def _commit() -> str:
    def git(*args: str) -> str:
        answer = subprocess.run(["git", *args], cwd=HERE, capture_output=True, text=True)
        return answer.stdout.strip() if answer.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + (" with uncommitted changes" if git("status", "--porcelain") else "")


def _postgres_version(admin_url: str) -> str:
    answer = subprocess.run(
        ["psql", admin_url, "-Atc", "show server_version"], capture_output=True, text=True
    )
    return answer.stdout.strip().split()[0] if answer.returncode == 0 else ""


def _child(script: str, *args: str, env: dict[str, str] | None = None) -> Any:
    """Run a benchmark script; return what it wrote with --json."""
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "result.json"
        subprocess.run(
            [sys.executable, str(HERE / script), *args, "--json", str(output)],
            env=env,
            check=True,
        )
        return json.loads(output.read_text())


def summary_table(
    imports: list[dict], reports: list[dict], load: tuple[dict, list] | None
) -> list[str]:
    """Return one line per target of the issue: the figure measured and whether it is met."""
    lines = ["| target | measured | met |", "|---|---|---|"]

    def line(target: str, measured: str, met: bool | None) -> None:
        lines.append(
            f"| {target} | {measured} | {'—' if met is None else 'met' if met else 'missed'} |"
        )

    for result in imports:
        line(
            f"import ≥ 25,000 rows/s, peak < 300 MB ({result['database']}, "
            f"{result['rows']:,} rows)",
            f"{result['rows_per_s']:,.0f} rows/s, {result['peak_mb']:,.0f} MB",
            import_met(result),
        )
    for result in reports:
        postgres = result["vendor"] == "postgresql"
        target = f"full-year report ≤ {RATIO_TARGET}× the hand-written query"
        met = result["ratio"] <= RATIO_TARGET
        if postgres:
            target += f" and < {POSTGRESQL_TARGET_MS / 1000:.0f} s"
            met = met and result["report_ms"] < POSTGRESQL_TARGET_MS
        line(
            f"{target} ({'PostgreSQL' if postgres else 'SQLite'}, {result['requests']:,} requests)",
            f"{result['report_ms']:,.0f} ms, {result['ratio']:.2f}× ({result['sql_ms']:,.0f} ms)",
            met,
        )
    if load:
        run, results = load
        for result in results:
            for latency in result.lines:
                target = (
                    f"p95 < {result.target_ms:,.0f} ms at {run['users']} clients"
                    if result.target_ms
                    else f"no target; at {run['users']} clients"
                )
                line(
                    f"{target}: {latency.name}",
                    f"p95 {latency.p95_ms or 0:,.0f} ms, p50 {latency.p50_ms or 0:,.0f} ms, "
                    f"{latency.failures:,} failures",
                    target_met(latency, result.target_ms),
                )
    return lines


def document(
    facts: dict[str, str],
    args: argparse.Namespace,
    imports: list[dict],
    reports: list[dict],
    load: tuple[dict, list] | None,
    registers: list[str],
) -> list[str]:
    """Return the Markdown of the whole run."""
    rerun = " ".join(sys.argv[1:])
    lines = [
        "# Benchmarks",
        "",
        f"Measured on {facts['date']} on {facts['host']}: {facts['cpus']}, {facts['memory']} of "
        f"memory, {facts['system']}; Python {facts['python']}, SQLite {facts['sqlite']}"
        + (f", PostgreSQL {facts['postgresql']}" if facts.get("postgresql") else "")
        + f"; Rogatory {facts['rogatory']}, commit {facts['commit']}.",
        "",
        "Re-run with `make bench` (it installs the `bench` extra, with locust, and runs "
        f"`python benchmarks/run.py --output docs/benchmarks.md`); this run was `run.py {rerun}`. "
        '`make bench BENCH_ARGS="--import-rows 20000 --requests 20000 --duration 10 --warmup 5"` '
        "is a quick run; `--reuse` keeps the registers an earlier run built.",
        "",
        "## Against the targets",
        "",
        *summary_table(imports, reports, load),
        "",
    ]
    if imports:
        lines += ["## Import", "", *import_table(imports), "", import_description(args.seed), ""]
    if reports:
        lines += [
            "## Full-year report against one hand-written SQL query",
            "",
            *report_sql_table(reports),
            "",
            "`report_build` (Report v1) for the last full year, both directions, as the report "
            "command and page ask for it; the hand-written query (benchmarks/report_sql.py, one "
            "statement per database) computes every figure of both directions at once, and its "
            "figures were checked equal to `report_build`'s before timing. Median of 5 runs "
            "after a warm-up. Registers: " + "; ".join(registers) + ".",
            "",
        ]
    if load:
        run, results = load
        lines += [
            "## The production server under load",
            "",
            load_description(run),
            "",
            *load_table(results),
            "",
            *load_cpu_table(results),
            "",
            *([note, ""] if (note := load_cpu_note(results)) else []),
            "Locust (benchmarks/locustfile.py, FastHttpUser) runs on the same machine as "
            "gunicorn and PostgreSQL; “others” is what the rest of the machine used meanwhile. "
            "Percentiles are to the millisecond. A failure is any answer but 2xx. Every client "
            "asks again as soon as it has its answer, so once the CPU is full the latency is the "
            "number of clients divided by the answers a second (Little's law): a p95 under "
            f"150 ms at {run['users']} clients needs well over {run['users'] / 0.150:,.0f} "
            "answers a second.",
            "",
        ]
    return lines


def write_document(path: Path, lines: list[str]) -> None:
    """Write the run's Markdown to `path`, keeping what the file holds below KEEP_BELOW."""
    kept = ""
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        if KEEP_BELOW in text:
            kept = text.split(KEEP_BELOW, 1)[1]
    path.write_text("\n".join(lines) + "\n" + KEEP_BELOW + kept, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--import-rows", default="100000,1000000")
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="keep registers built before")
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=10, help="seconds, not counted")
    parser.add_argument("--duration", type=int, default=30, help="seconds measured")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--skip", default="", help="comma-separated, of: " + ", ".join(PARTS))
    parser.add_argument("--output", type=Path, help="write the tables to this Markdown file")
    args = parser.parse_args()
    skip = {part for part in args.skip.split(",") if part}
    postgres = postgres_answers(args.postgres_url)
    facts = machine()
    if postgres:
        facts["postgresql"] = _postgres_version(args.postgres_url)
    else:
        print(f"PostgreSQL does not answer at {args.postgres_url}.", file=sys.stderr)

    imports = []
    if "import" not in skip:
        print(f"== Import of {args.import_rows} rows", file=sys.stderr, flush=True)
        imports = _child(
            "register.py",
            "--rows",
            args.import_rows,
            "--seed",
            str(args.seed),
            "--postgres-url",
            args.postgres_url,
        )

    reports, registers, load = [], [], None
    vendors = ["postgresql", "sqlite"] if postgres else ["sqlite"]
    for vendor in vendors:
        if "report" in skip and (vendor == "sqlite" or "load" in skip):
            continue
        print(
            f"== A register of {args.requests:,} requests on {vendor}", file=sys.stderr, flush=True
        )
        register = register_database(
            vendor=vendor,
            requests=args.requests,
            seed=args.seed,
            reuse=args.reuse,
            admin_url=args.postgres_url,
        )
        built = (
            f"built in {register.built_seconds:,.0f} s by {register.built_by}"
            if register.built_seconds is not None
            else "reused from an earlier run"
        )
        registers.append(
            f"{vendor}, {register.requests:,} requests and {register.events:,} events, {built}"
        )
        if "report" not in skip:
            print(f"== Report against SQL on {vendor}", file=sys.stderr, flush=True)
            reports.append(_child("report_sql.py", env=rogatory_env(register.database_url)))
        if vendor == "postgresql" and "load" not in skip:
            print("== The server under load", file=sys.stderr, flush=True)
            load = load_results_read(
                _child(
                    "load.py",
                    "--database-url",
                    register.database_url,
                    "--users",
                    str(args.users),
                    "--warmup",
                    str(args.warmup),
                    "--duration",
                    str(args.duration),
                )
            )
    lines = document(facts, args, imports, reports, load, registers)
    print("\n".join(lines))
    if args.output:
        write_document(args.output, lines)


if __name__ == "__main__":
    main()
