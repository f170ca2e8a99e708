"""Reads of engagements: lists, one engagement, a country's timeline, a request's engagements.

Engagements describe the office's relations with partner states, not a case: every user whose
role lets them read the register reads every engagement, whichever unit recorded it. The
requests an engagement concerns are another matter: a reader who may not see such a request is
told that one is linked, and nothing about it.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from rogatory.accounts.models import User
from rogatory.accounts.permissions import Action, user_can
from rogatory.core.exceptions import NotFoundError
from rogatory.reference.models import Country
from rogatory.register.models import Request
from rogatory.register.selectors import requests_visible_to

from .models import Engagement, EngagementDocument, EngagementRequest

SEARCH_LENGTH = 200


def engagements_visible_to(user: User | None, *, withdrawn: bool = False) -> QuerySet[Engagement]:
    """Return the engagements `user` may read, without the withdrawn ones unless asked."""
    engagements = Engagement.objects.all()
    if user is not None and not user_can(user, Action.READ):
        return engagements.none()
    if not withdrawn:
        engagements = engagements.filter(withdrawn_at__isnull=True)
    return engagements


@dataclass(frozen=True)
class EngagementFilters:
    """What a list of engagements is narrowed to; every field is optional."""

    country: str = ""
    kind: str = ""
    year: int | None = None
    search: str = ""
    withdrawn: bool = False


def engagement_list(*, user: User | None, filters: EngagementFilters) -> QuerySet[Engagement]:
    """Return the engagements `user` may read that match `filters`, newest first."""
    engagements = engagements_visible_to(user, withdrawn=filters.withdrawn)
    if filters.withdrawn:
        engagements = engagements.filter(withdrawn_at__isnull=False)
    if filters.country:
        engagements = engagements.filter(
            pk__in=Engagement.countries.through.objects.filter(
                country_id=filters.country.upper()
            ).values("engagement_id")
        )
    if filters.kind:
        engagements = engagements.filter(kind=filters.kind)
    if filters.year:
        engagements = engagements.filter(
            held_on__gte=date(filters.year, 1, 1), held_on__lte=date(filters.year, 12, 31)
        )
    search = " ".join(filters.search.split())[:SEARCH_LENGTH].replace("\x00", "")
    if search:
        engagements = engagements.filter(
            Q(title__icontains=search)
            | Q(our_authority__icontains=search)
            | Q(their_authority__icontains=search)
            | Q(participants__icontains=search)
            | Q(topics__icontains=search)
            | Q(outcomes__icontains=search)
            | Q(follow_up__icontains=search)
        )
    return _listed(engagements)


def engagement_years(*, user: User | None) -> list[int]:
    """Return the years in which engagements took place, newest first, for a year filter."""
    return list(
        engagements_visible_to(user)
        .annotate(year=ExtractYear("held_on"))
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def engagement_get(*, user: User | None, engagement_id: int) -> Engagement:
    """Return one engagement `user` may read (withdrawn ones too), or raise NotFoundError."""
    engagement = (
        engagements_visible_to(user, withdrawn=True)
        .select_related("unit", "created_by", "withdrawn_by")
        .prefetch_related(Prefetch("countries", queryset=Country.objects.order_by("name_en")))
        .filter(pk=engagement_id)
        .first()
    )
    if engagement is None:
        raise NotFoundError(_("There is no engagement %(id)s.") % {"id": engagement_id})
    return engagement


@dataclass(frozen=True)
class LinkedRequest:
    """A request an engagement concerns; `request` is None when the reader may not see it."""

    link: EngagementRequest
    request: Request | None

    @property
    def visible(self) -> bool:
        return self.request is not None


def engagement_requests(*, user: User | None, engagement: Engagement) -> list[LinkedRequest]:
    """Return the requests an engagement concerns, in the order they were linked.

    A request `user` may not see is returned without its data, so that the page can say that
    one more request is linked without saying which.
    """
    links = list(EngagementRequest.objects.filter(engagement=engagement).order_by("id"))
    visible = {
        request.pk: request
        for request in requests_visible_to(user)
        .filter(pk__in=[link.request_id for link in links])
        .select_related("country")
    }
    return [LinkedRequest(link=link, request=visible.get(link.request_id)) for link in links]


def engagement_documents(*, engagement: Engagement) -> QuerySet[EngagementDocument]:
    """Return the documents kept with an engagement, oldest first."""
    return engagement.documents.select_related("uploaded_by").order_by("id")


def engagement_document(*, engagement: Engagement, document_id: int) -> EngagementDocument:
    """Return one document of an engagement, or raise NotFoundError."""
    document = engagement.documents.filter(pk=document_id).first()
    if document is None:
        raise NotFoundError(_("The engagement has no document %(id)s.") % {"id": document_id})
    return document


@dataclass(frozen=True)
class TimelineEntry:
    """One engagement on a country's timeline; `planned` when its date is still to come."""

    engagement: Engagement
    planned: bool
    # How many requests it concerns that the reader may see, and how many they may not.
    requests_shown: int
    requests_hidden: int


def country_timeline(
    *, user: User | None, country_code: str, today: date | None = None, limit: int | None = None
) -> list[TimelineEntry]:
    """Return the engagements with a country, newest first (planned ones on top).

    Withdrawn engagements are left out. `today` decides which are still planned.
    """
    today = today or timezone.localdate()
    engagements = _listed(
        engagements_visible_to(user).filter(
            pk__in=Engagement.countries.through.objects.filter(
                country_id=country_code.upper()
            ).values("engagement_id")
        )
    )
    if limit is not None:
        engagements = engagements[:limit]
    engagements = list(engagements)
    linked: dict[int, list[int]] = {}
    for engagement_id, request_id in EngagementRequest.objects.filter(
        engagement__in=[engagement.pk for engagement in engagements]
    ).values_list("engagement_id", "request_id"):
        linked.setdefault(engagement_id, []).append(request_id)
    every_request = [request_id for ids in linked.values() for request_id in ids]
    seen = set(requests_visible_to(user).filter(pk__in=every_request).values_list("pk", flat=True))
    entries = []
    for engagement in engagements:
        ids = linked.get(engagement.pk, [])
        shown = sum(1 for request_id in ids if request_id in seen)
        entries.append(
            TimelineEntry(
                engagement=engagement,
                planned=engagement.held_on > today,
                requests_shown=shown,
                requests_hidden=len(ids) - shown,
            )
        )
    return entries


def request_engagements(*, user: User | None, request: Request) -> list[Engagement]:
    """Return the engagements that concern a request, newest first (withdrawn ones left out).

    `request` must come from `request_get`, which has checked that `user` may see it.
    """
    return list(
        _listed(
            engagements_visible_to(user).filter(
                pk__in=EngagementRequest.objects.filter(request=request).values("engagement_id")
            )
        )
    )


def _listed(engagements: QuerySet[Engagement]) -> QuerySet[Engagement]:
    return (
        engagements.select_related("unit")
        .prefetch_related(Prefetch("countries", queryset=Country.objects.order_by("name_en")))
        .order_by("-held_on", "-id")
    )
