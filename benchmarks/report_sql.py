"""Time the full-year report against one hand-written SQL query that computes the same figures.

Run `python benchmarks/report_sql.py` with ROGATORY_DATABASE_URL naming a database that holds a
register (benchmarks/run.py builds one of 1,000,000 requests). `report_build` is timed for the
last full year in both directions, as `rogatory report` and the report page ask for it; the
query below computes every figure of Report v1 for both directions at once, and stands for the
limit of what the database can do. Both are timed as the median of five runs after one
warm-up, and the query's figures must equal `report_build`'s: it is a second implementation of
Report v1, so a difference is a finding, and the script stops with it.
"""

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import django
from django.db import connection

from rogatory.statistics.figures import ExtraditionFigures, MlaFigures, Report

# The targets: the report within 1.5 times the query, and under a second on PostgreSQL.
RATIO_TARGET = 1.5
POSTGRESQL_TARGET_MS = 1000.0

# One row per part, direction, kind and code (of a country or ground); the columns a part
# does not fill are NULL.
COLUMNS = (
    "part",
    "direction",
    "kind",
    "code",
    "sent",
    "executed",
    "partially_executed",
    "granted",
    "refused",
    "withdrawn",
    "granted_persons",
    "refused_persons",
    "refused_political",
    "pending_at_end",
    "median_days_to_decision",
)
# The query reads through the indexes the register has: the requests decided in the period
# once, by the expression of request_decided_list_idx (which no undecided request falls in);
# the openings of the period by request_opened_idx (hence the directions and kinds, the
# index's leading columns, spelled out); the pending ones by request_undecided_idx
# and, decided after the period, by request_decided_list_idx again.
_QUERY = """
WITH decided AS MATERIALIZED (
    SELECT id, direction, kind, country_id, outcome, political, persons_count, {days} AS days
    FROM register_request
    WHERE COALESCE(decided_on, '0001-01-01') >= %(from)s
        AND COALESCE(decided_on, '0001-01-01') <= %(to)s
)
SELECT 'decided', direction, kind, NULL,
    CAST(NULL AS BIGINT),
    COUNT(*) FILTER (WHERE outcome = 'executed'),
    COUNT(*) FILTER (WHERE outcome = 'partially_executed'),
    COUNT(*) FILTER (WHERE outcome = 'granted'),
    COUNT(*) FILTER (WHERE outcome = 'refused'),
    COUNT(*) FILTER (WHERE outcome = 'withdrawn'),
    COALESCE(SUM(persons_count) FILTER (WHERE outcome = 'granted'), 0),
    COALESCE(SUM(persons_count) FILTER (WHERE outcome = 'refused'), 0),
    COUNT(*) FILTER (WHERE outcome = 'refused' AND political),
    CAST(NULL AS BIGINT),
    -- Typed in the first part, where PostgreSQL settles the types of the UNION's columns.
    CAST(NULL AS DOUBLE PRECISION)
FROM decided
GROUP BY direction, kind
UNION ALL
SELECT 'median', direction, kind, NULL,
    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, {median}
UNION ALL
SELECT 'sent', direction, kind, NULL,
    COUNT(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM register_request
WHERE direction IN ('outgoing', 'incoming') AND kind IN ('mla', 'extradition')
    AND opened_on >= %(from)s AND opened_on <= %(to)s
GROUP BY direction, kind
UNION ALL
SELECT 'pending', direction, kind, NULL,
    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, COUNT(*), NULL
FROM (
    SELECT direction, kind FROM register_request
    WHERE decided_on IS NULL AND opened_on <= %(to)s
    UNION ALL
    SELECT direction, kind FROM register_request
    WHERE COALESCE(decided_on, '0001-01-01') > %(to)s AND opened_on <= %(to)s
) AS pending
GROUP BY direction, kind
UNION ALL
SELECT 'country', direction, kind, country_id,
    NULL, NULL, NULL, NULL, COUNT(*), NULL, NULL, NULL, COUNT(*) FILTER (WHERE political), NULL,
    NULL
FROM decided
WHERE outcome = 'refused'
GROUP BY direction, kind, country_id
UNION ALL
SELECT 'ground', direction, kind, ground_id,
    NULL, NULL, NULL, NULL, COUNT(*), NULL, NULL, NULL, NULL, NULL, NULL
FROM decided
JOIN register_requestground ON register_requestground.request_id = decided.id
WHERE outcome = 'refused'
GROUP BY direction, kind, ground_id
"""
# The median of the days from opening to decision, withdrawals left out. PostgreSQL has the
# aggregate; SQLite ranks the days and averages the middle one or two.
REPORT_SQL = {
    "postgresql": _QUERY.format(
        days="decided_on - opened_on",
        median="""percentile_cont(0.5) WITHIN GROUP (ORDER BY days)
FROM decided
WHERE outcome <> 'withdrawn'
GROUP BY direction, kind""",
    ),
    "sqlite": _QUERY.format(
        days="CAST(ROUND(julianday(decided_on) - julianday(opened_on)) AS INTEGER)",
        median="""AVG(days)
FROM (
    SELECT direction, kind, days,
        ROW_NUMBER() OVER (PARTITION BY direction, kind ORDER BY days) AS position,
        COUNT(*) OVER (PARTITION BY direction, kind) AS total
    FROM decided
    WHERE outcome <> 'withdrawn'
)
WHERE position IN ((total + 1) / 2, (total + 2) / 2)
GROUP BY direction, kind""",
    ),
}
_MAPS = {
    "country": ("refused_by_country", "refused_political_by_country"),
    "ground": ("refused_by_ground",),
}
_UNUSED = {
    "mla": {"granted", "granted_persons", "refused_persons"},
    "extradition": {"executed", "partially_executed"},
}


def report_sql_rows(*, period_from: date, period_to: date) -> list[tuple]:
    """Run the hand-written query for the period; return its rows, in COLUMNS order."""
    if connection.vendor not in REPORT_SQL:
        raise NotImplementedError(f"No hand-written report query for {connection.vendor}.")
    # SQLite keeps dates as ISO text; PostgreSQL compares dates.
    bounds = {"from": period_from, "to": period_to}
    if connection.vendor == "sqlite":
        bounds = {name: day.isoformat() for name, day in bounds.items()}
    with connection.cursor() as cursor:
        cursor.execute(REPORT_SQL[connection.vendor], bounds)
        return cursor.fetchall()


def report_sql_build(*, period_from: date, period_to: date) -> dict[str, Report]:
    """Return Report v1 of each direction for the period, from the hand-written query."""
    rows = report_sql_rows(period_from=period_from, period_to=period_to)
    return report_sql_reports(rows, period_from=period_from, period_to=period_to)


def report_sql_reports(
    rows: Sequence[tuple], *, period_from: date, period_to: date
) -> dict[str, Report]:
    """Return the reports the query's rows hold, by direction."""
    figures: dict[tuple[str, str], dict[str, Any]] = {
        (direction, kind): {name: {} for names in _MAPS.values() for name in names}
        for direction in ("outgoing", "incoming")
        for kind in ("mla", "extradition")
    }
    for row in rows:
        values = dict(zip(COLUMNS, row, strict=True))
        part, direction, kind, code = (values.pop(name) for name in COLUMNS[:4])
        kind_figures = figures[(direction, kind)]
        if part in _MAPS:
            counts = (values["refused"], values["refused_political"])
            for name, count in zip(_MAPS[part], counts, strict=False):
                kind_figures[name][code] = count
        else:
            kind_figures |= {
                name: _whole(value) if name == "median_days_to_decision" else value
                for name, value in values.items()
                if value is not None and name not in _UNUSED[kind]
            }
    return {
        direction: Report(
            period_from=period_from,
            period_to=period_to,
            direction=direction,
            mla=MlaFigures(**figures[(direction, "mla")]),
            extradition=ExtraditionFigures(**figures[(direction, "extradition")]),
        )
        for direction in ("outgoing", "incoming")
    }


def _whole(days: float | None) -> int | float | None:
    # Report v1 gives a whole median as an int, as `report_build` does.
    if days is None:
        return None
    return int(days) if float(days).is_integer() else float(days)


def report_differences(expected: Report, actual: Report) -> list[str]:
    """Return, figure by figure, where `actual` differs from `expected`."""
    differences = []
    for kind in ("mla", "extradition"):
        wanted, got = expected.as_dict()[kind], actual.as_dict()[kind]
        for name in wanted:
            if wanted[name] != got[name]:
                differences.append(
                    f"{expected.direction} {kind} {name}: report_build {wanted[name]!r}, "
                    f"hand-written SQL {got[name]!r}"
                )
    return differences


def _median_ms(run: Callable[[], object], repeat: int) -> float:
    run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def report_sql_compare(*, year: int, repeat: int = 5) -> dict[str, Any]:
    """Check the query's figures against `report_build` for `year`, then time both."""
    from rogatory.statistics.selectors import report_build  # needs Django set up

    period = {"period_from": date(year, 1, 1), "period_to": date(year, 12, 31)}

    def report_both() -> dict[str, Report]:
        return {
            direction: report_build(**period, direction=direction)
            for direction in ("outgoing", "incoming")
        }

    expected, actual = report_both(), report_sql_build(**period)
    differences = [
        difference
        for direction in expected
        for difference in report_differences(expected[direction], actual[direction])
    ]
    if differences:
        raise SystemExit(
            f"The hand-written query and report_build disagree on {year} "
            f"({connection.vendor}):\n  " + "\n  ".join(differences)
        )
    from rogatory.register.models import Request

    report_ms = _median_ms(report_both, repeat)
    sql_ms = _median_ms(lambda: report_sql_rows(**period), repeat)
    return {
        "vendor": connection.vendor,
        "requests": Request.objects.count(),
        "year": year,
        "report_ms": report_ms,
        "sql_ms": sql_ms,
        "ratio": report_ms / sql_ms,
        "refused": sum(
            report.mla.refused + report.extradition.refused for report in expected.values()
        ),
    }


def report_sql_table(results: Sequence[dict[str, Any]]) -> list[str]:
    """Return the results as a Markdown table with the targets, met or missed."""
    lines = [
        "| database | requests | year | report_build ms | hand-written SQL ms | ratio "
        "| target | met |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for result in results:
        ratio_met = result["ratio"] <= RATIO_TARGET
        target = f"≤ {RATIO_TARGET}×"
        met = ratio_met
        if result["vendor"] == "postgresql":
            target += f" and < {POSTGRESQL_TARGET_MS:,.0f} ms"
            met = ratio_met and result["report_ms"] < POSTGRESQL_TARGET_MS
        lines.append(
            f"| {_VENDOR_NAMES[result['vendor']]} | {result['requests']:,} | {result['year']} "
            f"| {result['report_ms']:,.1f} | {result['sql_ms']:,.1f} | {result['ratio']:.2f}× "
            f"| {target} | {'met' if met else 'missed'} |"
        )
    return lines


_VENDOR_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--year", type=int, default=date.today().year - 1, help="default: last year"
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the result to this JSON file")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rogatory.settings")
    django.setup()
    result = report_sql_compare(year=args.year, repeat=args.repeat)
    print("\n".join(report_sql_table([result])), flush=True)
    if args.json:
        args.json.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
