"""Reads for statistics: the period report, computed by the database with a few GROUP BYs."""

from collections import defaultdict
from datetime import date
from typing import Any

from django.db.models import Count, F, Func, IntegerField, Q, QuerySet, Sum, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils.translation import gettext as _

from rogatory.core.exceptions import ValidationError
from rogatory.reference.models import Country
from rogatory.register.models import Direction, Kind, Outcome, Request, RequestGround

from .figures import ExtraditionFigures, Median, MlaFigures, Report


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


def report_build(*, period_from: date, period_to: date, direction: str) -> Report:
    """Return the figures of Report v1 for `direction` over the inclusive period."""
    _check_report_input(period_from=period_from, period_to=period_to, direction=direction)
    requests = Request.objects.filter(direction=direction)
    decided = Q(decided_on__gte=period_from, decided_on__lte=period_to)
    figures: dict[str, dict[str, Any]] = {kind: {} for kind in Kind.values}
    for kind, totals in _totals(requests, period_from, period_to, decided):
        figures[kind].update(totals)
    for kind, maps in _refusal_maps(requests, decided).items():
        figures[kind].update(maps)
    for kind, median in _medians(requests, decided).items():
        figures[kind]["median_days_to_decision"] = median
    return Report(
        period_from=period_from,
        period_to=period_to,
        direction=Direction(direction).value,
        mla=MlaFigures(**figures[Kind.MLA]),
        extradition=ExtraditionFigures(**figures[Kind.EXTRADITION]),
    )


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


def _check_report_input(*, period_from: date, period_to: date, direction: str) -> None:
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
    requests: QuerySet[Request], period_from: date, period_to: date, decided: Q
) -> list[tuple[str, dict[str, int]]]:
    # Everything counted here was opened by the end of the period: a decision comes after
    # the opening, so `opened_on <= to` loses nothing and keeps the scan to the period's past.
    def by_outcome(outcome: str) -> Count:
        return Count("pk", filter=decided & Q(outcome=outcome))

    def persons(outcome: str) -> Coalesce:
        return Coalesce(Sum("persons_count", filter=decided & Q(outcome=outcome)), 0)

    rows = (
        requests.filter(opened_on__lte=period_to)
        .order_by()
        .values("kind")
        .annotate(
            sent=Count("pk", filter=Q(opened_on__gte=period_from)),
            executed=by_outcome(Outcome.EXECUTED),
            partially_executed=by_outcome(Outcome.PARTIALLY_EXECUTED),
            granted=by_outcome(Outcome.GRANTED),
            refused=by_outcome(Outcome.REFUSED),
            withdrawn=by_outcome(Outcome.WITHDRAWN),
            granted_persons=persons(Outcome.GRANTED),
            refused_persons=persons(Outcome.REFUSED),
            refused_political=Count(
                "pk", filter=decided & Q(outcome=Outcome.REFUSED, political=True)
            ),
            pending_at_end=Count(
                "pk", filter=Q(decided_on__isnull=True) | Q(decided_on__gt=period_to)
            ),
        )
    )
    mla_only = {"granted", "granted_persons", "refused_persons"}
    extradition_only = {"executed", "partially_executed"}
    result = []
    for row in rows:
        kind = row.pop("kind")
        unused = mla_only if kind == Kind.MLA else extradition_only
        result.append((kind, {name: value for name, value in row.items() if name not in unused}))
    return result


def _refusal_maps(requests: QuerySet[Request], decided: Q) -> dict[str, dict[str, dict]]:
    maps: dict[str, dict[str, dict]] = {
        kind: {
            "refused_by_country": {},
            "refused_political_by_country": {},
            "refused_by_ground": {},
        }
        for kind in Kind.values
    }
    by_country = (
        requests.filter(decided, outcome=Outcome.REFUSED)
        .order_by()
        .values("kind", "country_id")
        .annotate(refused=Count("pk"), political=Count("pk", filter=Q(political=True)))
    )
    for row in by_country:
        maps[row["kind"]]["refused_by_country"][row["country_id"]] = row["refused"]
        maps[row["kind"]]["refused_political_by_country"][row["country_id"]] = row["political"]
    by_ground = (
        RequestGround.objects.filter(
            request__in=requests.filter(decided, outcome=Outcome.REFUSED).values("pk")
        )
        .order_by()
        .values("request__kind", "ground_id")
        .annotate(refused=Count("pk"))
    )
    for row in by_ground:
        maps[row["request__kind"]]["refused_by_ground"][row["ground_id"]] = row["refused"]
    return maps


def _medians(requests: QuerySet[Request], decided: Q) -> dict[str, Median]:
    # The database ranks each kind's decisions by duration and returns only the one (odd
    # count) or two (even count) middle durations; their mean is the median.
    middle = (
        requests.filter(decided)
        .exclude(outcome=Outcome.WITHDRAWN)
        .annotate(days=DaysBetween(F("decided_on"), F("opened_on")))
        .annotate(
            position=Window(RowNumber(), partition_by=[F("kind")], order_by=F("days").asc()),
            total=Window(Count("pk"), partition_by=[F("kind")]),
        )
        .filter(position__gte=(F("total") + 1) / 2, position__lte=(F("total") + 2) / 2)
        .order_by()
        .values_list("kind", "days")
    )
    values: dict[str, list[int]] = defaultdict(list)
    for kind, days in middle:
        values[kind].append(days)
    return {kind: _mean_of_middle(values[kind]) for kind in Kind.values}


def _mean_of_middle(values: list[int]) -> Median:
    if not values:
        return None
    total = sum(values)
    if total % len(values) == 0:
        return total // len(values)
    return total / len(values)
