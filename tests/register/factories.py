"""Requests built through the register's own services, so their history is real."""

import itertools
from datetime import date

from rogatory.reference.models import Country, RefusalGround
from rogatory.register import services
from rogatory.register.models import Direction, Kind, Outcome, Request

_numbers = itertools.count(1)


def make_request(
    *,
    direction: str = Direction.OUTGOING,
    kind: str = Kind.MLA,
    country: str = "CH",
    opened_on: date | None = date(2023, 3, 1),
    outcome: str = "",
    decided_on: date | None = None,
    grounds: tuple[str, ...] = (),
    political: bool | None = None,
    political_reason: str = "",
    persons_count: int | None = None,
    reference: str | None = None,
    actor=None,
    unit=None,
) -> Request:
    """Register a request and record its opening and decision, as a clerk would."""
    request = services.request_register(
        actor=actor,
        direction=direction,
        kind=kind,
        reference=reference or f"T-{next(_numbers):06d}",
        country=Country.objects.get(code=country),
        persons_count=persons_count,
        registered_on=opened_on,
        unit=unit,
    )
    if opened_on is not None:
        if direction == Direction.OUTGOING:
            services.request_record_sent(actor=actor, request=request, sent_on=opened_on)
        else:
            services.request_record_received(actor=actor, request=request, received_on=opened_on)
    if outcome:
        if outcome == Outcome.REFUSED and not grounds:
            grounds = ("dual_criminality",)
        services.request_record_decision(
            actor=actor,
            request=request,
            outcome=outcome,
            decided_on=decided_on or opened_on,
            grounds=RefusalGround.objects.filter(code__in=grounds),
            political=political,
            political_reason=political_reason,
        )
    request.refresh_from_db()
    return request
