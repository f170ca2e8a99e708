"""Reads for statistics: the period report, computed by the database with a few GROUP BYs."""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.db.models import Count, F, Func, IntegerField, Q, QuerySet, Sum, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils.translation import gettext as _

from rogatory.core.exceptions import ValidationError
from rogatory.reference.models import Country
from rogatory.register.models import Direction, Kind, Outcome, Request

from .figures import ExtraditionFigures, Median, MlaFigures, Report
from .projection import (
    DECIDED_ON,
    OPENED_ON,
    OUTCOME,
    POLITICAL,
    report_ground_counts,
    report_requests,
)


class DaysBetween(Func):
    """The whole days from the second date expression to the first (`end - start`)."""

    arity = 2
    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra_context):
        # date - date is an integer number of days in PostgreSQL.
        return self.as_sql(
            compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra_context
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(ROUND(julianday(%(expressions)s)) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


def report_build(
    *,
    period_from: date,
    period_to: date,
    direction: str,
    as_of: datetime | None = None,
) -> Report:
    """Return the figures of Report v1 for `direction` over the inclusive period.

    With `as_of`, every figure is computed from the events recorded up to that moment, so a
    figure published then is reproduced exactly whatever was corrected since.
    """
    report_input_check(period_from=period_from, period_to=period_to, direction=direction)
    requests = report_requests(as_of=as_of).filter(direction=direction)
    decided = Q(**{f"{DECIDED_ON}__gte": period_from, f"{DECIDED_ON}__lte": period_to})
    totals = _totals(requests, [(period_from, period_to)])
    figures: dict[str, dict[str, Any]] = {
        kind: dict(totals.get((direction, kind, 0), {})) for kind in Kind.values
    }
    for kind, maps in _refusal_maps(requests, decided, as_of).items():
        figures[kind].update(maps)
    for kind, median in _medians(requests, decided).items():
        figures[kind]["median_days_to_decision"] = median
    return Report(
        period_from=period_from,
        period_to=period_to,
        direction=Direction(direction).value,
        mla=MlaFigures(**figures[Kind.MLA]),
        extradition=ExtraditionFigures(**figures[Kind.EXTRADITION]),
        as_of=as_of,
    )


def report_totals_build(
    *, periods: Sequence[tuple[date, date]], as_of: datetime | None = None
) -> dict[tuple[str, int], Report]:
    """Return Report v1 with its totals alone for each direction and period, from one query.

    The key is the direction and the period's position in `periods`. The counts are those of
    `report_build` (the same function makes them); the maps are empty and the median None.
    The dashboard reads several periods at once.
    """
    for period_from, period_to in periods:
        report_input_check(
            period_from=period_from, period_to=period_to, direction=Direction.OUTGOING
        )
    totals = _totals(report_requests(as_of=as_of).filter(direction__in=Direction.values), periods)
    return {
        (direction, index): Report(
            period_from=period_from,
            period_to=period_to,
            direction=direction,
            mla=MlaFigures(**totals.get((direction, Kind.MLA, index), {})),
            extradition=ExtraditionFigures(**totals.get((direction, Kind.EXTRADITION, index), {})),
            as_of=as_of,
        )
        for direction in Direction.values
        for index, (period_from, period_to) in enumerate(periods)
    }


def report_country_names(*, report: Report, language: str) -> dict[str, str]:
    """Return the names, in `language`, of the countries the report's maps name."""
    codes = {
        code
        for figures in (report.mla, report.extradition)
        for counts in (figures.refused_by_country, figures.refused_political_by_country)
        for code in counts
    }
    if not codes:
        return {}
    return {
        country.code: country.name_in(language)
        for country in Country.objects.filter(code__in=codes).only("code", "name_en", "name_ru")
    }


def report_input_check(*, period_from: date, period_to: date, direction: str) -> None:
    """Refuse a direction that is not ours to report on, or a period that ends before it starts."""
    if direction not in Direction.values:
        raise ValidationError(
            _("The direction must be outgoing or incoming, not “%(value)s”.") % {"value": direction}
        )
    if period_from > period_to:
        raise ValidationError(
            _("The period cannot start on %(from)s, after it ends on %(to)s.")
            % {"from": period_from.isoformat(), "to": period_to.isoformat()}
        )


def _totals(
    requests: QuerySet[Request], periods: Sequence[tuple[date, date]]
) -> dict[tuple[str, str, int], dict[str, int]]:
    """Return the counts of each period by direction, kind and the period's position."""
    aggregates: dict[str, Any] = {}
    for index, (period_from, period_to) in enumerate(periods):
        decided = Q(**{f"{DECIDED_ON}__gte": period_from, f"{DECIDED_ON}__lte": period_to})
        opened_by_end = Q(**{f"{OPENED_ON}__lte": period_to})

        def by_outcome(outcome: str, decided: Q = decided) -> Count:
            return Count("pk", filter=decided & Q(**{OUTCOME: outcome}))

        def persons(outcome: str, decided: Q = decided) -> Coalesce:
            return Coalesce(Sum("persons_count", filter=decided & Q(**{OUTCOME: outcome})), 0)

        figures = {
            "sent": Count("pk", filter=Q(**{f"{OPENED_ON}__gte": period_from}) & opened_by_end),
            "executed": by_outcome(Outcome.EXECUTED),
            "partially_executed": by_outcome(Outcome.PARTIALLY_EXECUTED),
            "granted": by_outcome(Outcome.GRANTED),
            "refused": by_outcome(Outcome.REFUSED),
            "withdrawn": by_outcome(Outcome.WITHDRAWN),
            "granted_persons": persons(Outcome.GRANTED),
            "refused_persons": persons(Outcome.REFUSED),
            "refused_political": Count(
                "pk", filter=decided & Q(**{OUTCOME: Outcome.REFUSED, POLITICAL: True})
            ),
            "pending_at_end": Count(
                "pk",
                filter=opened_by_end
                & (Q(**{f"{DECIDED_ON}__isnull": True}) | Q(**{f"{DECIDED_ON}__gt": period_to})),
            ),
        }
        aggregates |= {f"p{index}__{name}": value for name, value in figures.items()}
    # Everything counted was opened by the end of a period: a decision comes after the
    # opening, so `opened_on <= the last end` loses nothing and keeps the scan to the past.
    last_end = max(period_to for _start, period_to in periods)
    rows = (
        requests.filter(**{f"{OPENED_ON}__lte": last_end})
        .order_by()
        .values("direction", "kind")
        .annotate(**aggregates)
    )
    unused = {
        Kind.MLA: {"granted", "granted_persons", "refused_persons"},
        Kind.EXTRADITION: {"executed", "partially_executed"},
    }
    result: dict[tuple[str, str, int], dict[str, int]] = {}
    for row in rows:
        direction, kind = row.pop("direction"), row.pop("kind")
        for key, value in row.items():
            prefix, name = key.split("__", 1)
            if name not in unused[kind]:
                result.setdefault((direction, kind, int(prefix[1:])), {})[name] = value
    return result


def _refusal_maps(
    requests: QuerySet[Request], decided: Q, as_of: datetime | None
) -> dict[str, dict[str, dict]]:
    maps: dict[str, dict[str, dict]] = {
        kind: {
            "refused_by_country": {},
            "refused_political_by_country": {},
            "refused_by_ground": {},
        }
        for kind in Kind.values
    }
    refused = requests.filter(decided, **{OUTCOME: Outcome.REFUSED})
    by_country = (
        refused.order_by()
        .values("kind", "country_id")
        .annotate(refused=Count("pk"), political=Count("pk", filter=Q(**{POLITICAL: True})))
    )
    for row in by_country:
        maps[row["kind"]]["refused_by_country"][row["country_id"]] = row["refused"]
        maps[row["kind"]]["refused_political_by_country"][row["country_id"]] = row["political"]
    for row in report_ground_counts(refused=refused, as_of=as_of):
        maps[row["kind"]]["refused_by_ground"][row["ground_code"]] = row["refused"]
    return maps


def _medians(requests: QuerySet[Request], decided: Q) -> dict[str, Median]:
    medians = median_days_by(requests, decided, by={"m_kind": F("kind")})
    return {kind: medians.get((kind,)) for kind in Kind.values}


def median_days_by(
    requests: QuerySet[Request], decided: Q, *, by: dict[str, Any]
) -> dict[tuple, Median]:
    """Return the median days from opening to decision of `requests` decided as `decided`.

    Withdrawals are left out, as in Report v1. `by` names the expressions the medians are
    grouped by (for example `{"kind": F("kind")}`); the keys of the result are their values in
    that order. The database ranks each group's durations and returns only the middle one or
    two, whose mean is the median.
    """
    partition = [F(name) for name in by]
    middle = (
        requests.filter(decided)
        .exclude(**{OUTCOME: Outcome.WITHDRAWN})
        .annotate(**by, days=DaysBetween(F(DECIDED_ON), F(OPENED_ON)))
        .annotate(
            position=Window(RowNumber(), partition_by=partition, order_by=F("days").asc()),
            total=Window(Count("pk"), partition_by=partition),
        )
        .filter(position__gte=(F("total") + 1) / 2, position__lte=(F("total") + 2) / 2)
        .order_by()
        .values_list(*by, "days")
    )
    values: dict[tuple, list[int]] = defaultdict(list)
    for *key, days in middle:
        values[tuple(key)].append(days)
    return {key: _mean_of_middle(days) for key, days in values.items()}


def _mean_of_middle(values: list[int]) -> Median:
    if not values:
        return None
    total = sum(values)
    if total % len(values) == 0:
        return total // len(values)
    return total / len(values)
