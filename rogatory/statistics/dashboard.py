"""Reads for the dashboard: key figures, work awaiting action, recent activity, refusals.

Every figure is one bounded query: a GROUP BY in the database over the requests opened or
decided since last year, or over the undecided ones, or a LIMIT over the newest events, so that
the dashboard stays fast however large the register grows. Key figures follow the definitions of Report v1 (`selectors.report_build`).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from rogatory.accounts.models import User
from rogatory.accounts.permissions import user_sees_all_units
from rogatory.reference.models import Country
from rogatory.register.models import Direction, Event, Kind, Outcome, Request, Status
from rogatory.register.selectors import requests_visible_to

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


def dashboard_key_figures(*, today: date) -> DashboardFigures:
    """Return this year's key figures to `today` beside last year's, for the whole office."""
    current, same_period, last_year = dashboard_periods(today=today)
    periods = {"current": current, "same_period": same_period, "last_year": last_year}
    aggregates = {}
    for name, period in periods.items():
        opened = Q(opened_on__gte=period.start, opened_on__lte=period.end)
        decided = Q(decided_on__gte=period.start, decided_on__lte=period.end)
        aggregates |= {
            f"{name}__opened": Count("pk", filter=opened),
            f"{name}__fulfilled": Count(
                "pk",
                filter=decided & Q(outcome__in=[Outcome.EXECUTED, Outcome.PARTIALLY_EXECUTED]),
            ),
            f"{name}__granted": Count("pk", filter=decided & Q(outcome=Outcome.GRANTED)),
            f"{name}__granted_persons": Coalesce(
                Sum("persons_count", filter=decided & Q(outcome=Outcome.GRANTED)), 0
            ),
            f"{name}__refused": Count("pk", filter=decided & Q(outcome=Outcome.REFUSED)),
            f"{name}__refused_political": Count(
                "pk", filter=decided & Q(outcome=Outcome.REFUSED, political=True)
            ),
        }
    # Only requests opened or decided since last 1 January can count.
    earliest, latest = last_year.start, max(current.end, last_year.end)
    rows = (
        Request.objects.filter(
            Q(opened_on__gte=earliest, opened_on__lte=latest, **_ALL_DIRECTIONS_AND_KINDS)
            | Q(decided_on__gte=earliest, decided_on__lte=latest, **_ALL_DIRECTIONS_AND_KINDS)
        )
        .order_by()
        .values("direction", "kind")
        .annotate(**aggregates)
    )
    found = {(row["direction"], row["kind"]): row for row in rows}
    result = []
    for direction in Direction.values:
        for kind in Kind.values:
            row = found.get((direction, kind), {})
            by_period = {
                name: KeyFigures(
                    **{
                        key.split("__", 1)[1]: value
                        for key, value in row.items()
                        if key.startswith(f"{name}__")
                    }
                )
                for name in periods
            }
            result.append(KeyFiguresCompared(direction=direction, kind=kind, **by_period))
    return DashboardFigures(
        current=current, same_period=same_period, last_year=last_year, rows=tuple(result)
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
    *, today: date, language: str, limit: int = TOP_COUNTRIES
) -> RefusalsByCountry:
    """Return this year's refusals of our requests by the countries that refused most."""
    period = dashboard_periods(today=today)[0]
    refused = Request.objects.filter(
        direction=Direction.OUTGOING,
        kind__in=Kind.values,
        outcome=Outcome.REFUSED,
        decided_on__gte=period.start,
        decided_on__lte=period.end,
    ).order_by()
    top = list(
        refused.values("country_id")
        .annotate(refused=Count("pk"), political=Count("pk", filter=Q(political=True)))
        .order_by("-refused", "country_id")[:limit]
    )
    totals = refused.aggregate(
        refused=Count("pk"),
        political=Count("pk", filter=Q(political=True)),
        countries=Count("country_id", distinct=True),
    )
    names = {
        country.code: country.name_in(language)
        for country in Country.objects.filter(code__in=[row["country_id"] for row in top])
    }
    return RefusalsByCountry(
        period=period,
        countries=tuple(
            CountryRefusals(
                code=row["country_id"],
                name=names.get(row["country_id"], row["country_id"]),
                refused=row["refused"],
                political=row["political"],
            )
            for row in top
        ),
        total_refused=totals["refused"],
        total_political=totals["political"],
        total_countries=totals["countries"],
    )
