"""Reads for the statement: its offence counts and approved examples, and examples to review."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, F, Q, QuerySet

from rogatory.accounts.models import User
from rogatory.register.models import Direction, Kind, Outcome, Request
from rogatory.register.selectors import requests_visible_to
from rogatory.statistics.projection import DECIDED_ON, OUTCOME, POLITICAL, report_requests

from .models import CATEGORY_OUTCOMES, Example


@dataclass(frozen=True)
class OffenceCount:
    """An ICCS offence category and how many requests of a kind cite it."""

    code: str
    name_en: str
    name_ru: str
    requests: int

    def name_in(self, language: str) -> str:
        """Return the category's name in `language`, falling back to English."""
        if language.startswith("ru") and self.name_ru:
            return self.name_ru
        return self.name_en


@dataclass(frozen=True)
class StatementExample:
    """An approved example as the statement tells it: the month and the public summaries."""

    category: str
    month: date
    summary_en: str
    summary_ru: str

    def summary_in(self, language: str) -> str:
        """Return the summary in `language`; empty when none was written in it."""
        return self.summary_ru if language.startswith("ru") else self.summary_en


def example_for_request(*, request: Request) -> Example | None:
    """Return the example proposed for `request`, if any."""
    return (
        Example.objects.select_related("proposed_by", "approved_by").filter(request=request).first()
    )


def example_get(*, user: User | None, request_id: int) -> Example | None:
    """Return the example of a request `user` may see, if any."""
    return (
        Example.objects.select_related("request", "proposed_by", "approved_by")
        .filter(request__in=requests_visible_to(user).values("pk"), request_id=request_id)
        .first()
    )


def example_list(*, user: User | None, approved: bool | None = None) -> QuerySet[Example]:
    """Return the examples of requests `user` may see, approved or awaiting approval or both."""
    examples = Example.objects.filter(request__in=requests_visible_to(user).values("pk"))
    if approved is not None:
        examples = examples.filter(approved_at__isnull=not approved)
    return examples.select_related(
        "request", "request__country", "proposed_by", "approved_by"
    ).order_by("month", "id")


def statement_offences(*, year: int, as_of: datetime | None = None) -> tuple[OffenceCount, ...]:
    """Return the offence categories of our extradition requests refused in `year` for political
    reasons, with how many requests cite each, most frequent first.

    Requests without an offence category are left out.
    """
    rows = (
        _decided_in(year, as_of)
        .filter(kind=Kind.EXTRADITION, **{OUTCOME: Outcome.REFUSED, POLITICAL: True})
        .exclude(offence_category__isnull=True)
        .order_by()
        .values(
            "offence_category_id",
            "offence_category__name_en",
            "offence_category__name_ru",
        )
        .annotate(requests=Count("pk"))
        .order_by("-requests", "offence_category_id")
    )
    return tuple(
        OffenceCount(
            code=row["offence_category_id"],
            name_en=row["offence_category__name_en"],
            name_ru=row["offence_category__name_ru"],
            requests=row["requests"],
        )
        for row in rows
    )


def statement_examples(*, year: int, as_of: datetime | None = None) -> tuple[StatementExample, ...]:
    """Return the approved examples of our requests decided in `year`, in order of decision.

    An example counts only while its request's decision (as known at `as_of`) still fits its
    category, and, as known at a moment, only if it had been approved by then.
    """
    fits = Q()
    for category, outcomes in CATEGORY_OUTCOMES.items():
        fits |= Q(publication_example__category=category, **{f"{OUTCOME}__in": outcomes})
    approved = Q(publication_example__approved_at__isnull=False)
    if as_of is not None:
        approved &= Q(publication_example__approved_at__lte=as_of)
    rows = (
        _decided_in(year, as_of)
        .filter(approved, fits)
        .annotate(example_decided_on=F(DECIDED_ON))
        .order_by("example_decided_on", "pk")
        .values(
            "example_decided_on",
            category=F("publication_example__category"),
            summary_en=F("publication_example__summary_en"),
            summary_ru=F("publication_example__summary_ru"),
        )
    )
    return tuple(
        StatementExample(
            category=row["category"],
            month=row["example_decided_on"].replace(day=1),
            summary_en=row["summary_en"],
            summary_ru=row["summary_ru"],
        )
        for row in rows
    )


def _decided_in(year: int, as_of: datetime | None) -> QuerySet[Request]:
    return report_requests(as_of=as_of).filter(
        direction=Direction.OUTGOING,
        **{f"{DECIDED_ON}__gte": date(year, 1, 1), f"{DECIDED_ON}__lte": date(year, 12, 31)},
    )
