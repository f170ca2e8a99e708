"""Assurances in extradition: requested, given, followed up after surrender, closed; and the
list of those awaiting monitoring."""

from datetime import date

import pytest

from rogatory.accounts.models import Role
from rogatory.audit.models import AuditRecord
from rogatory.core.exceptions import PermissionDeniedError, ValidationError
from rogatory.register import services
from rogatory.register.assurances import (
    assurance_follow_up_add,
    assurance_monitoring_close,
    assurance_record_given,
    assurance_request,
    assurances_awaiting_monitoring,
)
from rogatory.register.models import Assurance, Direction, Kind, Outcome
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

TODAY = date(2024, 6, 30)


@pytest.fixture
def alpha():
    return UnitFactory(code="alpha", name="Alpha")


@pytest.fixture
def clerk(alpha):
    return UserFactory(username="alpha.clerk", role=Role.CLERK, units=[alpha])


def _extradition(unit, reference="E-1", *, surrendered_on=None, country="CH"):
    request = make_request(
        unit=unit,
        reference=reference,
        kind=Kind.EXTRADITION,
        direction=Direction.INCOMING,
        country=country,
        outcome=Outcome.GRANTED,
        decided_on=date(2023, 5, 1),
    )
    if surrendered_on:
        services.request_record_surrender(
            actor=None, request=request, surrendered_on=surrendered_on
        )
        request.refresh_from_db()
    return request


def _given(request, actor=None, type="death_penalty", given_on=date(2023, 4, 20)):
    return assurance_request(
        actor=actor,
        request=request,
        type=type,
        requested_on=date(2023, 4, 1),
        given_on=given_on,
        authority="Ministry of Justice",
        today=TODAY,
    )


def test_an_assurance_goes_from_requested_to_given_to_followed_up_to_closed(alpha, clerk):
    request = _extradition(alpha, surrendered_on=date(2023, 6, 1))
    assurance = assurance_request(
        actor=clerk,
        request=request,
        type="fair_trial",
        text="Trial within a reasonable time",
        requested_on=date(2023, 4, 1),
        today=TODAY,
    )
    assert assurance.status == Assurance.Status.REQUESTED
    assurance = assurance_record_given(
        actor=clerk,
        assurance=assurance,
        given_on=date(2023, 4, 15),
        authority="Federal Office of Justice",
        today=TODAY,
    )
    assert (assurance.status, assurance.given_on, assurance.authority) == (
        "given",
        date(2023, 4, 15),
        "Federal Office of Justice",
    )
    assert assurance.text == "Trial within a reasonable time"
    follow_up = assurance_follow_up_add(
        actor=clerk,
        assurance=assurance,
        occurred_on=date(2023, 9, 1),
        finding="respected",
        note="Consular visit",
        today=TODAY,
    )
    assert follow_up.recorded_by == clerk
    assurance = assurance_monitoring_close(
        actor=clerk,
        assurance=assurance,
        closed_on=date(2024, 1, 10),
        reason="Acquitted and released",
        today=TODAY,
    )
    assert assurance.status == Assurance.Status.MONITORING_CLOSED
    assert assurance.closing_reason == "Acquitted and released"
    records = AuditRecord.objects.filter(request_id=request.pk, object_type__startswith="assur")
    assert list(records.order_by("sequence").values_list("action", flat=True)) == [
        "assurance_request",
        "assurance_record_given",
        "assurance_follow_up_add",
        "assurance_monitoring_close",
    ]
    closed = records.get(action="assurance_monitoring_close")
    assert closed.before["status"] == "given" and closed.after["status"] == "closed"


def test_only_extradition_requests_have_assurances(alpha, clerk):
    mla = make_request(unit=alpha, reference="M-1")
    with pytest.raises(ValidationError, match="Only extradition requests"):
        _given(mla, clerk)


def test_an_assurance_needs_a_date_and_other_needs_terms(alpha, clerk):
    request = _extradition(alpha)
    with pytest.raises(ValidationError, match="requested, or the date it was given"):
        assurance_request(actor=clerk, request=request, type="speciality", today=TODAY)
    with pytest.raises(ValidationError, match="its type is “other”") as error:
        assurance_request(
            actor=clerk, request=request, type="other", requested_on=TODAY, today=TODAY
        )
    assert error.value.extra == {"field": "text"}
    with pytest.raises(ValidationError, match="not “torture”"):
        assurance_request(
            actor=clerk, request=request, type="torture", requested_on=TODAY, today=TODAY
        )


def test_dates_of_an_assurance_may_not_be_in_the_future(alpha, clerk):
    request = _extradition(alpha, surrendered_on=date(2023, 6, 1))
    with pytest.raises(ValidationError, match="2024-07-01 is in the future"):
        assurance_request(
            actor=clerk,
            request=request,
            type="speciality",
            requested_on=date(2024, 7, 1),
            today=TODAY,
        )
    assurance = _given(request, clerk)
    with pytest.raises(ValidationError, match="in the future"):
        assurance_follow_up_add(
            actor=clerk,
            assurance=assurance,
            occurred_on=date(2024, 7, 1),
            finding="respected",
            today=TODAY,
        )
    with pytest.raises(ValidationError, match="in the future"):
        assurance_monitoring_close(
            actor=clerk, assurance=assurance, closed_on=date(2024, 7, 1), reason="x", today=TODAY
        )


def test_given_needs_an_authority_and_cannot_precede_the_request(alpha, clerk):
    request = _extradition(alpha)
    assurance = assurance_request(
        actor=clerk, request=request, type="speciality", requested_on=date(2023, 4, 1), today=TODAY
    )
    with pytest.raises(ValidationError, match="Name the authority"):
        assurance_record_given(
            actor=clerk, assurance=assurance, given_on=date(2023, 4, 2), authority=" ", today=TODAY
        )
    with pytest.raises(ValidationError, match="before it was requested on 2023-04-01"):
        assurance_record_given(
            actor=clerk,
            assurance=assurance,
            given_on=date(2023, 3, 1),
            authority="Ministry",
            today=TODAY,
        )
    assurance_record_given(
        actor=clerk,
        assurance=assurance,
        given_on=date(2023, 4, 2),
        authority="Ministry",
        today=TODAY,
    )
    with pytest.raises(ValidationError, match="already given on 2023-04-02"):
        assurance_record_given(
            actor=clerk,
            assurance=assurance,
            given_on=date(2023, 4, 3),
            authority="Ministry",
            today=TODAY,
        )


def test_follow_ups_come_only_after_the_surrender(alpha, clerk):
    request = _extradition(alpha)
    assurance = _given(request, clerk)
    with pytest.raises(ValidationError, match="record the surrender on the request first"):
        assurance_follow_up_add(
            actor=clerk,
            assurance=assurance,
            occurred_on=date(2023, 5, 10),
            finding="respected",
            today=TODAY,
        )
    services.request_record_surrender(actor=None, request=request, surrendered_on=date(2023, 6, 1))
    with pytest.raises(ValidationError, match="before the surrender of 2023-06-01"):
        assurance_follow_up_add(
            actor=clerk,
            assurance=assurance,
            occurred_on=date(2023, 5, 31),
            finding="respected",
            today=TODAY,
        )
    assert assurance_follow_up_add(
        actor=clerk,
        assurance=assurance,
        occurred_on=date(2023, 6, 1),
        finding="no_answer",
        today=TODAY,
    ).pk


def test_a_requested_assurance_cannot_be_followed_up(alpha, clerk):
    request = _extradition(alpha, surrendered_on=date(2023, 6, 1))
    assurance = assurance_request(
        actor=clerk, request=request, type="speciality", requested_on=date(2023, 4, 1), today=TODAY
    )
    with pytest.raises(ValidationError, match="has not been given yet"):
        assurance_follow_up_add(
            actor=clerk,
            assurance=assurance,
            occurred_on=date(2023, 7, 1),
            finding="respected",
            today=TODAY,
        )


def test_a_concern_or_breach_must_be_described(alpha, clerk):
    request = _extradition(alpha, surrendered_on=date(2023, 6, 1))
    assurance = _given(request, clerk)
    for finding in ("concern", "breached"):
        with pytest.raises(ValidationError, match="in the note") as error:
            assurance_follow_up_add(
                actor=clerk,
                assurance=assurance,
                occurred_on=date(2023, 7, 1),
                finding=finding,
                today=TODAY,
            )
        assert error.value.extra == {"field": "note"}


def test_closing_needs_a_reason_a_date_after_the_last_follow_up_and_happens_once(alpha, clerk):
    request = _extradition(alpha, surrendered_on=date(2023, 6, 1))
    assurance = _given(request, clerk)
    assurance_follow_up_add(
        actor=clerk,
        assurance=assurance,
        occurred_on=date(2023, 9, 1),
        finding="respected",
        today=TODAY,
    )
    with pytest.raises(ValidationError, match="Say why"):
        assurance_monitoring_close(
            actor=clerk, assurance=assurance, closed_on=date(2023, 10, 1), reason="", today=TODAY
        )
    with pytest.raises(ValidationError, match=r"before the last thing recorded .* 2023-09-01"):
        assurance_monitoring_close(
            actor=clerk, assurance=assurance, closed_on=date(2023, 8, 1), reason="x", today=TODAY
        )
    assurance_monitoring_close(
        actor=clerk,
        assurance=assurance,
        closed_on=date(2023, 10, 1),
        reason="Released",
        today=TODAY,
    )
    with pytest.raises(ValidationError, match="already closed on 2023-10-01"):
        assurance_monitoring_close(
            actor=clerk, assurance=assurance, closed_on=date(2023, 10, 2), reason="x", today=TODAY
        )
    with pytest.raises(ValidationError, match="was closed on 2023-10-01"):
        assurance_follow_up_add(
            actor=clerk,
            assurance=assurance,
            occurred_on=date(2023, 11, 1),
            finding="respected",
            today=TODAY,
        )


def test_a_viewer_or_another_units_clerk_cannot_change_assurances(alpha, clerk):
    request = _extradition(alpha, surrendered_on=date(2023, 6, 1))
    assurance = _given(request, clerk)
    viewer = UserFactory(role=Role.VIEWER, units=[alpha])
    stranger = UserFactory(role=Role.CLERK, units=[UnitFactory(code="bravo")])
    for actor in (viewer, stranger):
        with pytest.raises(PermissionDeniedError):
            _given(request, actor)
        with pytest.raises(PermissionDeniedError):
            assurance_follow_up_add(
                actor=actor,
                assurance=assurance,
                occurred_on=date(2023, 7, 1),
                finding="respected",
                today=TODAY,
            )
        with pytest.raises(PermissionDeniedError):
            assurance_monitoring_close(
                actor=actor,
                assurance=assurance,
                closed_on=date(2023, 7, 1),
                reason="x",
                today=TODAY,
            )
    assert assurance.follow_ups.count() == 0


def test_the_monitoring_list_holds_exactly_the_open_given_assurances_after_surrender(alpha):
    bravo = UnitFactory(code="bravo", name="Bravo")
    surrendered = _extradition(alpha, "E-1", surrendered_on=date(2023, 6, 1))
    later = _extradition(alpha, "E-2", surrendered_on=date(2024, 3, 1), country="DE")
    not_surrendered = _extradition(alpha, "E-3")
    foreign = _extradition(bravo, "B-1", surrendered_on=date(2023, 6, 1))

    followed = _given(surrendered, type="fair_trial")
    assurance_follow_up_add(
        actor=None,
        assurance=followed,
        occurred_on=date(2023, 8, 1),
        finding="respected",
        today=TODAY,
    )
    assurance_follow_up_add(
        actor=None,
        assurance=followed,
        occurred_on=date(2024, 2, 1),
        finding="concern",
        note="Cell",
        today=TODAY,
    )
    never_followed = _given(surrendered, type="death_penalty")
    recently_surrendered = _given(later, type="speciality")
    followed_long_ago = _given(later, type="detention_conditions")
    assurance_follow_up_add(
        actor=None,
        assurance=followed_long_ago,
        occurred_on=date(2024, 3, 2),
        finding="respected",
        today=TODAY,
    )
    # Left out: only requested; closed; not yet surrendered; another unit's (for this user).
    assurance_request(
        actor=None,
        request=surrendered,
        type="other",
        text="Visits",
        requested_on=date(2023, 4, 1),
        today=TODAY,
    )
    closed = _given(surrendered, type="speciality")
    assurance_monitoring_close(
        actor=None, assurance=closed, closed_on=date(2023, 7, 1), reason="Served", today=TODAY
    )
    _given(not_surrendered)
    foreign_assurance = _given(foreign)

    clerk = UserFactory(role=Role.CLERK, units=[alpha])
    rows = assurances_awaiting_monitoring(user=clerk, today=TODAY)
    assert [
        (row.assurance, row.surrendered_on, row.last_follow_up_on, row.days_since) for row in rows
    ] == [
        # The days count from the last follow-up, or from the surrender when there was none.
        (never_followed, date(2023, 6, 1), None, 395),
        (followed, date(2023, 6, 1), date(2024, 2, 1), 150),
        (recently_surrendered, date(2024, 3, 1), None, 121),
        (followed_long_ago, date(2024, 3, 1), date(2024, 3, 2), 120),
    ]
    supervisor = UserFactory(role=Role.SUPERVISOR, units=[alpha])
    everything = assurances_awaiting_monitoring(user=supervisor, today=TODAY)
    assert foreign_assurance in [row.assurance for row in everything]
    assert len(everything) == 5
    viewer_elsewhere = UserFactory(role=Role.VIEWER, units=[bravo])
    assert [
        row.assurance for row in assurances_awaiting_monitoring(user=viewer_elsewhere, today=TODAY)
    ] == [foreign_assurance]
