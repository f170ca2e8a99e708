"""Engagements built through the engagements' own services, so their audit trail is real."""

import itertools
from datetime import date

from rogatory.engagements.models import Engagement
from rogatory.engagements.services import engagement_create
from rogatory.reference.models import Country

_numbers = itertools.count(1)


def make_engagement(
    *,
    countries: tuple[str, ...] = ("CH",),
    held_on: date = date(2024, 5, 14),
    kind: str = Engagement.Kind.MEETING,
    title: str | None = None,
    actor=None,
    unit=None,
    **fields,
) -> Engagement:
    """Record an engagement as a clerk would."""
    return engagement_create(
        actor=actor,
        kind=kind,
        title=title or f"Meeting {next(_numbers)}",
        held_on=held_on,
        countries=Country.objects.filter(code__in=countries),
        unit=unit,
        **fields,
    )
