"""Reads for the dashboard: key figures, work awaiting action, recent activity, refusals.

The key figures and the refusals by country are period reports (`selectors.report_build`): the
dashboard shows the report's own figure objects, so the two cannot disagree. The other reads
are each one bounded query: a GROUP BY over the undecided requests, or a LIMIT over the newest
events, so that the dashboard stays fast however large the register grows.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Q

from rogatory.accounts.models import User
from rogatory.accounts.permissions import user_sees_all_units
from rogatory.reference.models import Country
from rogatory.register.models import Direction, Event, Kind, Status
from rogatory.register.selectors import requests_visible_to

from .figures import Figures, MlaFigures
from .selectors import report_build, report_totals_build

# A request opened longer ago than this without a decision is shown as overdue.
OVERDUE_AFTER_DAYS = 90
RECENT_EVENTS = 10
TOP_COUNTRIES = 10

# The request indexes start with direction and kind; naming every value of both lets the
# database search them by date (or by an empty decision date) instead of reading every row.
_ALL_DIRECTIONS_AND_KINDS = {"direction__in": Direction.values, "kind__in": Kind.values}

# Statuses of requests not yet decided, in the order their work comes up.
OPEN_STATUSES = (
    Status.DRAFT,
    Status.SENT,
    Status.RECEIVED,
    Status.ACKNOWLEDGED,
    Status.SUPPLEMENTARY_REQUESTED,
    Status.SUPPLEMENTARY_PROVIDED,
    Status.PROVISIONAL_ARREST,
    Status.HEARING,
    Status.REOPENED,
)


@dataclass(frozen=True)
class Period:
    """An inclusive range of dates."""

    start: date
    end: date


@dataclass(frozen=True)
class KeyFigures:
    """The key figures of one direction and kind in one period, as Report v1 defines them."""

    opened: int = 0
    fulfilled: int = 0
    granted: int = 0
    granted_persons: int = 0
    refused: int = 0
    refused_political: int = 0

    @classmethod
    def from_report(cls, figures: Figures) -> "KeyFigures":
        """Return the key figures of one kind in a period report."""
        if isinstance(figures, MlaFigures):
            return cls(
                opened=figures.sent,
                fulfilled=figures.fulfilled,
                refused=figures.refused,
                refused_political=figures.refused_political,
            )
        return cls(
            opened=figures.sent,
            granted=figures.granted,
            granted_persons=figures.granted_persons,
            refused=figures.refused,
            refused_political=figures.refused_political,
        )

    def __add__(self, other: "KeyFigures") -> "KeyFigures":
        """Return the figures of both together, such as both kinds of request."""
        return KeyFigures(
            **{name: getattr(self, name) + getattr(other, name) for name in _KEY_FIGURE_NAMES}
        )


_KEY_FIGURE_NAMES = tuple(KeyFigures.__dataclass_fields__)


@dataclass(frozen=True)
class KeyFiguresCompared:
    """One direction and kind: this year to date, the same period last year, and last year."""

    direction: str
    kind: str
    current: KeyFigures
    same_period: KeyFigures
    last_year: KeyFigures


@dataclass(frozen=True)
class DashboardFigures:
    """The key figures of both directions and kinds, with the periods they cover."""

    current: Period
    same_period: Period
    last_year: Period
    rows: tuple[KeyFiguresCompared, ...]

    def get(self, direction: str, kind: str) -> KeyFiguresCompared:
        """Return the figures of one direction and kind."""
        return next(row for row in self.rows if row.direction == direction and row.kind == kind)

    def total(self, direction: str) -> KeyFiguresCompared:
        """Return the figures of one direction, both kinds together."""
        mla, extradition = self.get(direction, Kind.MLA), self.get(direction, Kind.EXTRADITION)
        return KeyFiguresCompared(
            direction=direction,
            kind="",
            current=mla.current + extradition.current,
            same_period=mla.same_period + extradition.same_period,
            last_year=mla.last_year + extradition.last_year,
        )

    @property
    def outgoing_mla(self) -> KeyFiguresCompared:
        """Return our requests for legal assistance."""
        return self.get(Direction.OUTGOING, Kind.MLA)

    @property
    def outgoing_extradition(self) -> KeyFiguresCompared:
        """Return our extradition requests."""
        return self.get(Direction.OUTGOING, Kind.EXTRADITION)

    @property
    def incoming_mla(self) -> KeyFiguresCompared:
        """Return the requests for legal assistance we received."""
        return self.get(Direction.INCOMING, Kind.MLA)

    @property
    def incoming_extradition(self) -> KeyFiguresCompared:
        """Return the extradition requests we received."""
        return self.get(Direction.INCOMING, Kind.EXTRADITION)

    @property
    def outgoing(self) -> KeyFiguresCompared:
        """Return our requests, both kinds together."""
        return self.total(Direction.OUTGOING)

    @property
    def incoming(self) -> KeyFiguresCompared:
        """Return the requests we received, both kinds together."""
        return self.total(Direction.INCOMING)


@dataclass(frozen=True)
class AwaitingStatus:
    """The requests in one open status: how many, and how many are overdue."""

    status: str
    label: str
    count: int
    overdue: int


@dataclass(frozen=True)
class Awaiting:
    """The undecided requests a user may see, by status."""

    # Requests opened on or before this day are overdue if still undecided.
    overdue_until: date
    statuses: tuple[AwaitingStatus, ...]

    @property
    def total(self) -> int:
        """Return the number of undecided requests."""
        return sum(item.count for item in self.statuses)

    @property
    def overdue(self) -> int:
        """Return the number of undecided requests opened on or before `overdue_until`."""
        return sum(item.overdue for item in self.statuses)


@dataclass(frozen=True)
class CountryRefusals:
    """The refusals by one country, and how many of them were for political reasons."""

    code: str
    name: str
    refused: int
    political: int

    @property
    def other(self) -> int:
        """Return the refusals not counted as political."""
        return self.refused - self.political


@dataclass(frozen=True)
class RefusalsByCountry:
    """The countries that refused most of our requests in a period, most refusals first."""

    period: Period
    countries: tuple[CountryRefusals, ...]
    total_refused: int
    total_political: int
    total_countries: int

    @property
    def other_countries(self) -> int:
        """Return how many refusing countries the list leaves out."""
        return self.total_countries - len(self.countries)

    @property
    def other_refused(self) -> int:
        """Return the refusals by the countries the list leaves out."""
        return self.total_refused - sum(country.refused for country in self.countries)


def dashboard_periods(*, today: date) -> tuple[Period, Period, Period]:
    """Return this year to `today`, the same part of last year, and the whole of last year."""
    start = date(today.year, 1, 1)
    last_start = date(today.year - 1, 1, 1)
    try:
        same_day = today.replace(year=today.year - 1)
    except ValueError:  # 29 February: last year ends its same period on the 28th
        same_day = date(today.year - 1, 2, 28)
    return (
        Period(start, today),
        Period(last_start, same_day),
        Period(last_start, date(today.year - 1, 12, 31)),
    )


def dashboard_key_figures(*, today: date, as_of: datetime | None = None) -> DashboardFigures:
    """Return this year's key figures to `today` beside last year's, for the whole office.

    Each period of each direction is a period report's totals (`report_totals_build`, the
    same counts as `report_build`, all periods in one query), so the dashboard and the report
    cannot disagree.
    """
    current, same_period, last_year = dashboard_periods(today=today)
    periods = {"current": current, "same_period": same_period, "last_year": last_year}
    built = report_totals_build(
        periods=[(period.start, period.end) for period in periods.values()], as_of=as_of
    )
    reports = {
        (direction, name): built[(direction, index)]
        for direction in Direction.values
        for index, name in enumerate(periods)
    }
    rows = tuple(
        KeyFiguresCompared(
            direction=direction,
            kind=kind,
            **{
                name: KeyFigures.from_report(getattr(reports[(direction, name)], kind))
                for name in periods
            },
        )
        for direction in Direction.values
        for kind in Kind.values
    )
    return DashboardFigures(
        current=current, same_period=same_period, last_year=last_year, rows=rows
    )


def dashboard_awaiting(*, user: User | None, today: date) -> Awaiting:
    """Return the undecided requests `user` may see, by status, with the overdue ones."""
    overdue_until = today - timedelta(days=OVERDUE_AFTER_DAYS + 1)
    rows = (
        requests_visible_to(user)
        .filter(decided_on__isnull=True, status__in=OPEN_STATUSES, **_ALL_DIRECTIONS_AND_KINDS)
        .order_by()
        .values("status")
        .annotate(count=Count("pk"), overdue=Count("pk", filter=Q(opened_on__lte=overdue_until)))
    )
    found = {row["status"]: row for row in rows}
    labels = dict(Status.choices)
    return Awaiting(
        overdue_until=overdue_until,
        statuses=tuple(
            AwaitingStatus(
                status=status,
                label=str(labels[status]),
                count=found[status]["count"],
                overdue=found[status]["overdue"],
            )
            for status in OPEN_STATUSES
            if status in found
        ),
    )


def dashboard_recent_events(*, user: User | None, limit: int = RECENT_EVENTS) -> list[Event]:
    """Return the events last recorded on requests `user` may see, newest first."""
    events = Event.objects.select_related("request", "request__country", "recorded_by")
    if not user_sees_all_units(user):
        events = events.filter(request__in=requests_visible_to(user))
    # Ids grow in the order events are recorded, and walking the primary key backwards
    # stops after `limit` rows; ordering by `recorded_at` would need to sort every event.
    return list(events.order_by("-id")[:limit])


def dashboard_refusals_by_country(
    *, today: date, language: str, limit: int = TOP_COUNTRIES, as_of: datetime | None = None
) -> RefusalsByCountry:
    """Return this year's refusals of our requests by the countries that refused most.

    The counts are the period report's `refused_by_country` and
    `refused_political_by_country`, both kinds together.
    """
    period = dashboard_periods(today=today)[0]
    report = report_build(
        period_from=period.start, period_to=period.end, direction=Direction.OUTGOING, as_of=as_of
    )
    refused: Counter[str] = Counter()
    political: Counter[str] = Counter()
    for figures in (report.mla, report.extradition):
        refused.update(figures.refused_by_country)
        political.update(figures.refused_political_by_country)
    top = sorted(refused, key=lambda code: (-refused[code], code))[:limit]
    names = {
        country.code: country.name_in(language)
        for country in Country.objects.filter(code__in=top).only("code", "name_en", "name_ru")
    }
    return RefusalsByCountry(
        period=period,
        countries=tuple(
            CountryRefusals(
                code=code,
                name=names.get(code, code),
                refused=refused[code],
                political=political[code],
            )
            for code in top
        ),
        total_refused=sum(refused.values()),
        total_political=sum(political.values()),
        total_countries=len(refused),
    )
