"""The tables of a published report: by offence category, by month, by year, and by persons.

Each is one GROUP BY over `report_requests`, so each can be taken as known at a moment, and
each follows Report v1's definitions: a request counts as opened on its opening date and as
decided on its decision date.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear
from django.utils import translation
from django.utils.translation import gettext as _

from rogatory.reference.models import GroundArticle, OffenceCategory
from rogatory.register.models import Kind, Outcome, Request

from .projection import DECIDED_ON, OPENED_ON, OUTCOME, POLITICAL, SURRENDERED, report_requests

_FULFILLED = (Outcome.EXECUTED, Outcome.PARTIALLY_EXECUTED, Outcome.GRANTED)
TREND_YEARS = 5


@dataclass(frozen=True)
class KindCounts:
    """Requests of one kind: opened, fulfilled (executed or granted), refused, political."""

    opened: int = 0
    fulfilled: int = 0
    refused: int = 0
    refused_political: int = 0


@dataclass(frozen=True)
class OffenceLine:
    """Requests with one offence category (ICCS level 1), both kinds; `code` "" when unknown."""

    code: str
    name: str
    mla: KindCounts
    extradition: KindCounts

    @property
    def total_opened(self) -> int:
        return self.mla.opened + self.extradition.opened


@dataclass(frozen=True)
class MonthLine:
    """Requests opened and decided in one month of the period, both kinds."""

    year: int
    month: int
    mla: KindCounts
    extradition: KindCounts

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)


@dataclass(frozen=True)
class YearRefusals:
    """Refusals decided in one calendar year, political and other, both kinds."""

    year: int
    mla_political: int
    mla_other: int
    extradition_political: int
    extradition_other: int

    @property
    def political(self) -> int:
        return self.mla_political + self.extradition_political

    @property
    def other(self) -> int:
        return self.mla_other + self.extradition_other


@dataclass(frozen=True)
class PersonFigures:
    """Extradition counted by persons sought beside requests, in one period and direction."""

    requests_opened: int
    persons_requested: int
    requests_granted: int
    persons_granted: int
    requests_surrendered: int
    persons_surrendered: int
    requests_refused: int
    persons_refused: int
    requests_pending: int
    persons_pending: int


def offence_lines(
    *, period_from: date, period_to: date, direction: str, language: str, as_of: datetime | None
) -> list[OffenceLine]:
    """Return requests by offence category: opened in the period, and decided in it."""
    requests = _in_period(report_requests(as_of=as_of), period_from, period_to, direction)
    rows = (
        requests.values("kind", "offence_category_id")
        .order_by()
        .annotate(**_kind_counts(period_from, period_to))
    )
    found: dict[str, dict[str, KindCounts]] = {}
    for row in rows:
        code, kind = row.pop("offence_category_id") or "", row.pop("kind")
        found.setdefault(code, {})[kind] = KindCounts(**row)
    names = {
        category.code: category.name_in(language) for category in OffenceCategory.objects.all()
    }
    lines = [
        OffenceLine(
            code=code,
            name=names[code],
            mla=found.get(code, {}).get(Kind.MLA, KindCounts()),
            extradition=found.get(code, {}).get(Kind.EXTRADITION, KindCounts()),
        )
        for code in sorted(names)
    ]
    if "" in found:
        with translation.override(language):
            unknown = _("Offence not recorded")
        lines.append(
            OffenceLine(
                code="",
                name=unknown,
                mla=found[""].get(Kind.MLA, KindCounts()),
                extradition=found[""].get(Kind.EXTRADITION, KindCounts()),
            )
        )
    return lines


def month_lines(
    *, period_from: date, period_to: date, direction: str, as_of: datetime | None
) -> list[MonthLine]:
    """Return every month of the period with the requests opened and decided in it."""
    requests = _in_period(report_requests(as_of=as_of), period_from, period_to, direction)
    opened_in = Q(**{f"{OPENED_ON}__gte": period_from, f"{OPENED_ON}__lte": period_to})
    decided_in = _decided(period_from, period_to)
    counts: dict[tuple[int, int, str], dict[str, int]] = {}
    opened_rows = (
        requests.filter(opened_in)
        .annotate(year=ExtractYear(OPENED_ON), month=ExtractMonth(OPENED_ON))
        .values("year", "month", "kind")
        .order_by()
        .annotate(opened=Count("pk"))
    )
    for row in opened_rows:
        counts.setdefault((row["year"], row["month"], row["kind"]), {})["opened"] = row["opened"]
    decided_rows = (
        requests.filter(decided_in)
        .annotate(year=ExtractYear(DECIDED_ON), month=ExtractMonth(DECIDED_ON))
        .values("year", "month", "kind")
        .order_by()
        .annotate(**_decision_counts())
    )
    for row in decided_rows:
        key = (row.pop("year"), row.pop("month"), row.pop("kind"))
        counts.setdefault(key, {}).update(row)
    lines = []
    year, month = period_from.year, period_from.month
    while (year, month) <= (period_to.year, period_to.month):
        lines.append(
            MonthLine(
                year=year,
                month=month,
                mla=KindCounts(**counts.get((year, month, Kind.MLA), {})),
                extradition=KindCounts(**counts.get((year, month, Kind.EXTRADITION), {})),
            )
        )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return lines


def refusal_trend(*, last_year: int, direction: str, as_of: datetime | None) -> list[YearRefusals]:
    """Return political and other refusals in each of the five years up to `last_year`."""
    first_year = last_year - TREND_YEARS + 1
    rows = (
        report_requests(as_of=as_of)
        .filter(
            direction=direction,
            **{
                OUTCOME: Outcome.REFUSED,
                f"{DECIDED_ON}__gte": date(first_year, 1, 1),
                f"{DECIDED_ON}__lte": date(last_year, 12, 31),
            },
        )
        .annotate(year=ExtractYear(DECIDED_ON))
        .values("year", "kind")
        .order_by()
        .annotate(refused=Count("pk"), political=Count("pk", filter=Q(**{POLITICAL: True})))
    )
    found = {(row["year"], row["kind"]): row for row in rows}

    def split(year: int, kind: str) -> tuple[int, int]:
        row = found.get((year, kind), {"refused": 0, "political": 0})
        return row["political"], row["refused"] - row["political"]

    lines = []
    for year in range(first_year, last_year + 1):
        mla_political, mla_other = split(year, Kind.MLA)
        extradition_political, extradition_other = split(year, Kind.EXTRADITION)
        lines.append(
            YearRefusals(
                year=year,
                mla_political=mla_political,
                mla_other=mla_other,
                extradition_political=extradition_political,
                extradition_other=extradition_other,
            )
        )
    return lines


def person_figures(
    *, period_from: date, period_to: date, direction: str, as_of: datetime | None
) -> PersonFigures:
    """Return extradition requests and the persons they seek: requested, granted, refused."""
    requests = report_requests(as_of=as_of).filter(
        direction=direction, kind=Kind.EXTRADITION, **{f"{OPENED_ON}__lte": period_to}
    )
    opened = Q(**{f"{OPENED_ON}__gte": period_from})
    decided = _decided(period_from, period_to)
    granted = decided & Q(**{OUTCOME: Outcome.GRANTED})
    surrendered = granted & Q(**{SURRENDERED: True})
    refused = decided & Q(**{OUTCOME: Outcome.REFUSED})
    pending = Q(**{f"{DECIDED_ON}__isnull": True}) | Q(**{f"{DECIDED_ON}__gt": period_to})
    aggregates = {}
    for name, condition in (
        ("opened", opened),
        ("granted", granted),
        ("surrendered", surrendered),
        ("refused", refused),
        ("pending", pending),
    ):
        aggregates[f"requests_{name}"] = Count("pk", filter=condition)
        persons_name = "persons_requested" if name == "opened" else f"persons_{name}"
        aggregates[persons_name] = Coalesce(Sum("persons_count", filter=condition), 0)
    return PersonFigures(**requests.aggregate(**aggregates))


def ground_articles(*, codes: list[str]) -> dict[str, list[str]]:
    """Return, for each refusal ground, the treaty articles it rests on ("ECMA-1959 art. 2")."""
    articles: dict[str, list[str]] = {code: [] for code in codes}
    for ground, treaty, article in (
        GroundArticle.objects.filter(ground_id__in=codes)
        .order_by("ground_id", "treaty_id")
        .values_list("ground_id", "treaty_id", "article")
    ):
        articles[ground].append(f"{treaty} {article}")
    return articles


def _in_period(
    requests: QuerySet[Request], period_from: date, period_to: date, direction: str
) -> QuerySet[Request]:
    # Opened in the period, or opened earlier and decided in it.
    return requests.filter(
        Q(**{f"{OPENED_ON}__gte": period_from, f"{OPENED_ON}__lte": period_to})
        | _decided(period_from, period_to),
        direction=direction,
    )


def _decided(period_from: date, period_to: date) -> Q:
    return Q(**{f"{DECIDED_ON}__gte": period_from, f"{DECIDED_ON}__lte": period_to})


def _decision_counts(condition: Q | None = None) -> dict[str, Count]:
    base = condition if condition is not None else Q()
    return {
        "fulfilled": Count("pk", filter=base & Q(**{f"{OUTCOME}__in": _FULFILLED})),
        "refused": Count("pk", filter=base & Q(**{OUTCOME: Outcome.REFUSED})),
        "refused_political": Count(
            "pk", filter=base & Q(**{OUTCOME: Outcome.REFUSED, POLITICAL: True})
        ),
    }


def _kind_counts(period_from: date, period_to: date) -> dict[str, Count]:
    opened = Q(**{f"{OPENED_ON}__gte": period_from, f"{OPENED_ON}__lte": period_to})
    return {
        "opened": Count("pk", filter=opened),
        **_decision_counts(_decided(period_from, period_to)),
    }
