"""Tests for the register's services: what each records, and every input it refuses."""

import hashlib
import io
from datetime import date, timedelta

import pytest
from django.utils import timezone

from rogatory.core.exceptions import TransitionError, ValidationError
from rogatory.reference.models import Country, RefusalGround
from rogatory.register import services
from rogatory.register.models import (
    Direction,
    Document,
    Event,
    Kind,
    Outcome,
    Person,
    Purpose,
    Request,
    Status,
)

from .factories import make_request

pytestmark = pytest.mark.django_db

OPENED = date(2023, 3, 1)
DECIDED = date(2023, 5, 1)


def _grounds(*codes: str) -> list[RefusalGround]:
    return list(RefusalGround.objects.filter(code__in=codes))


def _tomorrow() -> date:
    return timezone.localdate() + timedelta(days=1)


def _event_types(request: Request) -> list[str]:
    return list(request.events.order_by("recorded_at", "id").values_list("type", flat=True))


def _decide(request: Request, outcome: str = Outcome.REFUSED, **kwargs) -> Event:
    if outcome == Outcome.REFUSED and "grounds" not in kwargs:
        kwargs["grounds"] = _grounds("dual_criminality")
    return services.request_record_decision(
        actor=None,
        request=request,
        outcome=outcome,
        decided_on=kwargs.pop("decided_on", DECIDED),
        **kwargs,
    )


# --- request_register ------------------------------------------------------------------------


def test_request_register_creates_draft_with_registered_event(clerk):
    request = services.request_register(
        actor=clerk,
        direction=Direction.OUTGOING,
        kind=Kind.MLA,
        reference="MLA-1",
        country=Country.objects.get(code="CH"),
        registered_on=OPENED,
    )

    request.refresh_from_db()
    assert (request.status, request.outcome, request.opened_on) == (Status.DRAFT, "", None)
    assert (request.purpose, request.persons_count, request.version) == ("", 0, 1)
    event = request.events.get()
    assert (event.type, event.occurred_on, event.recorded_by) == ("registered", OPENED, clerk)


def test_request_register_extradition_defaults_to_prosecution_of_one_person():
    request = services.request_register(
        actor=None,
        direction=Direction.OUTGOING,
        kind=Kind.EXTRADITION,
        reference="EXT-1",
        country=Country.objects.get(code="DE"),
    )

    assert (request.purpose, request.persons_count) == (Purpose.PROSECUTION, 1)


def test_request_register_extradition_keeps_purpose_and_persons():
    request = services.request_register(
        actor=None,
        direction=Direction.INCOMING,
        kind=Kind.EXTRADITION,
        reference="EXT-2",
        country=Country.objects.get(code="DE"),
        purpose=Purpose.SENTENCE,
        persons_count=3,
    )

    assert (request.purpose, request.persons_count) == (Purpose.SENTENCE, 3)


def test_request_register_strips_reference():
    request = make_request(reference="  R-7  ")

    assert request.reference == "R-7"


def test_request_register_rejects_duplicate_reference_in_same_direction():
    make_request(reference="R-1", direction=Direction.OUTGOING)

    with pytest.raises(ValidationError) as error:
        make_request(reference="R-1", direction=Direction.OUTGOING)

    assert error.value.message == "An outgoing request with reference “R-1” is already registered."
    assert Request.objects.filter(reference="R-1").count() == 1


def test_request_register_names_duplicate_registered_at_the_same_moment(monkeypatch):
    make_request(reference="R-1", direction=Direction.OUTGOING)
    # Another clerk's request lands between the check and the insert.
    monkeypatch.setattr("django.db.models.query.QuerySet.exists", lambda queryset: False)

    with pytest.raises(ValidationError) as error:
        make_request(reference="R-1", direction=Direction.OUTGOING)

    assert error.value.message == "An outgoing request with reference “R-1” is already registered."
    monkeypatch.undo()
    assert Request.objects.filter(reference="R-1").count() == 1


def test_request_register_allows_same_reference_in_other_direction():
    make_request(reference="R-1", direction=Direction.OUTGOING)

    incoming = make_request(reference="R-1", direction=Direction.INCOMING)

    assert incoming.direction == Direction.INCOMING
    assert Request.objects.filter(reference="R-1").count() == 2


def test_request_register_rejects_empty_reference():
    with pytest.raises(ValidationError) as error:
        make_request(reference="   ")

    assert error.value.message == "A request needs our reference."


def test_request_register_rejects_unknown_direction():
    with pytest.raises(ValidationError) as error:
        make_request(direction="sideways")

    assert error.value.message == "The direction must be outgoing or incoming, not “sideways”."


def test_request_register_rejects_unknown_kind():
    with pytest.raises(ValidationError) as error:
        make_request(kind="transfer")

    assert error.value.message == "The kind must be mla or extradition, not “transfer”."


def test_request_register_rejects_purpose_on_mla():
    with pytest.raises(ValidationError) as error:
        services.request_register(
            actor=None,
            direction=Direction.OUTGOING,
            kind=Kind.MLA,
            reference="MLA-P",
            country=Country.objects.get(code="CH"),
            purpose=Purpose.PROSECUTION,
        )

    assert error.value.message == "Only extradition requests have a purpose."


def test_request_register_rejects_persons_on_mla():
    with pytest.raises(ValidationError) as error:
        make_request(kind=Kind.MLA, persons_count=2)

    assert error.value.message == "Only extradition requests seek persons."


def test_request_register_rejects_extradition_of_no_person():
    with pytest.raises(ValidationError) as error:
        make_request(kind=Kind.EXTRADITION, persons_count=0)

    assert error.value.message == "An extradition request seeks at least one person."


def test_request_register_rejects_unknown_purpose():
    with pytest.raises(ValidationError) as error:
        services.request_register(
            actor=None,
            direction=Direction.OUTGOING,
            kind=Kind.EXTRADITION,
            reference="EXT-P",
            country=Country.objects.get(code="CH"),
            purpose="revenge",
        )

    assert error.value.message == "The purpose must be prosecution or sentence, not “revenge”."


def test_request_register_rejects_future_date():
    tomorrow = _tomorrow()

    with pytest.raises(ValidationError) as error:
        make_request(opened_on=tomorrow)

    assert error.value.message == f"The date {tomorrow.isoformat()} is in the future."
    assert not Request.objects.exists()


# --- request_update --------------------------------------------------------------------------


def test_request_update_changes_descriptive_fields_and_version():
    request = make_request()

    updated = services.request_update(
        actor=None,
        request=request,
        counterpart_authority="Federal Office of Justice",
        country=Country.objects.get(code="LI"),
        notes="Urgent",
    )

    updated.refresh_from_db()
    assert updated.counterpart_authority == "Federal Office of Justice"
    assert (updated.country_id, updated.notes) == ("LI", "Urgent")
    assert updated.version == request.version + 1


def test_request_update_without_change_keeps_version():
    request = make_request()

    updated = services.request_update(actor=None, request=request, notes=request.notes)

    assert updated.version == request.version


def test_request_update_refuses_lifecycle_fields():
    request = make_request()

    with pytest.raises(ValidationError) as error:
        services.request_update(
            actor=None, request=request, status=Status.REFUSED, outcome=Outcome.REFUSED
        )

    assert error.value.message == "These fields cannot be changed here: outcome, status."
    request.refresh_from_db()
    assert request.status == Status.SENT


def test_request_update_refuses_purpose_on_mla():
    request = make_request(kind=Kind.MLA)

    with pytest.raises(ValidationError) as error:
        services.request_update(actor=None, request=request, purpose=Purpose.SENTENCE)

    assert error.value.message == "Only extradition requests have a purpose."


def test_request_update_refuses_fewer_persons_than_named():
    request = make_request(kind=Kind.EXTRADITION, persons_count=2)
    services.person_add(actor=None, request=request, full_name="Ivan Petrov")
    services.person_add(actor=None, request=request, full_name="Petr Ivanov")

    with pytest.raises(ValidationError) as error:
        services.request_update(actor=None, request=request, persons_count=1)

    assert error.value.message == "The request names 2 persons; it cannot seek fewer."


def test_request_update_refuses_extradition_of_no_person():
    request = make_request(kind=Kind.EXTRADITION)

    with pytest.raises(ValidationError) as error:
        services.request_update(actor=None, request=request, persons_count=0)

    assert error.value.message == "An extradition request seeks at least one person."


# --- opening: sent and received --------------------------------------------------------------


def test_request_record_sent_opens_outgoing_request():
    request = make_request(direction=Direction.OUTGOING, opened_on=None)

    event = services.request_record_sent(actor=None, request=request, sent_on=OPENED)

    request.refresh_from_db()
    assert (event.type, event.occurred_on) == ("sent", OPENED)
    assert (request.status, request.opened_on) == (Status.SENT, OPENED)


def test_request_record_received_opens_incoming_request():
    request = make_request(direction=Direction.INCOMING, opened_on=None)

    event = services.request_record_received(actor=None, request=request, received_on=OPENED)

    request.refresh_from_db()
    assert (event.type, event.occurred_on) == ("received", OPENED)
    assert (request.status, request.opened_on) == (Status.RECEIVED, OPENED)


def test_request_record_sent_rejects_incoming_request():
    request = make_request(direction=Direction.INCOMING, opened_on=None)

    with pytest.raises(TransitionError) as error:
        services.request_record_sent(actor=None, request=request, sent_on=OPENED)

    assert error.value.message == "An incoming request is received, not sent."


def test_request_record_received_rejects_outgoing_request():
    request = make_request(direction=Direction.OUTGOING, opened_on=None)

    with pytest.raises(TransitionError) as error:
        services.request_record_received(actor=None, request=request, received_on=OPENED)

    assert error.value.message == "An outgoing request is sent, not received."


def test_request_record_sent_rejects_second_opening():
    request = make_request(opened_on=OPENED)

    with pytest.raises(TransitionError) as error:
        services.request_record_sent(actor=None, request=request, sent_on=OPENED)

    assert error.value.message == "The request has already been opened."
    assert _event_types(request) == ["registered", "sent"]


def test_request_record_sent_rejects_future_date():
    request = make_request(opened_on=None)
    tomorrow = _tomorrow()

    with pytest.raises(ValidationError) as error:
        services.request_record_sent(actor=None, request=request, sent_on=tomorrow)

    assert error.value.message == f"The date {tomorrow.isoformat()} is in the future."


# --- steps while a request is open -----------------------------------------------------------


def test_request_record_acknowledged_sets_status():
    request = make_request()

    services.request_record_acknowledged(
        actor=None, request=request, acknowledged_on=date(2023, 3, 10)
    )

    request.refresh_from_db()
    assert (request.status, request.opened_on) == (Status.ACKNOWLEDGED, OPENED)


def test_request_record_acknowledged_rejects_unopened_request():
    request = make_request(opened_on=None)

    with pytest.raises(TransitionError) as error:
        services.request_record_acknowledged(actor=None, request=request, acknowledged_on=OPENED)

    assert error.value.message == (
        "The request has not been sent or received yet, so “receipt acknowledged” cannot be recorded."
    )


def test_request_record_acknowledged_rejects_date_before_opening():
    request = make_request()

    with pytest.raises(TransitionError) as error:
        services.request_record_acknowledged(
            actor=None, request=request, acknowledged_on=date(2023, 2, 1)
        )

    assert error.value.message == (
        "“receipt acknowledged” cannot be dated 2023-02-01, before the request was opened on 2023-03-01."
    )


def test_request_record_supplementary_requested_sets_status():
    request = make_request()

    services.request_record_supplementary_requested(
        actor=None, request=request, requested_on=date(2023, 3, 10)
    )

    request.refresh_from_db()
    assert request.status == Status.SUPPLEMENTARY_REQUESTED


def test_request_record_supplementary_provided_answers_request():
    request = make_request()
    services.request_record_supplementary_requested(
        actor=None, request=request, requested_on=date(2023, 3, 10)
    )

    services.request_record_supplementary_provided(
        actor=None, request=request, provided_on=date(2023, 3, 20)
    )

    request.refresh_from_db()
    assert request.status == Status.SUPPLEMENTARY_PROVIDED


def test_request_record_supplementary_provided_rejects_without_request():
    request = make_request()

    with pytest.raises(TransitionError) as error:
        services.request_record_supplementary_provided(
            actor=None, request=request, provided_on=date(2023, 3, 20)
        )

    assert error.value.message == "No supplementary information was requested."


def test_request_record_supplementary_provided_rejects_more_answers_than_requests():
    request = make_request()
    services.request_record_supplementary_requested(
        actor=None, request=request, requested_on=date(2023, 3, 10)
    )
    services.request_record_supplementary_provided(
        actor=None, request=request, provided_on=date(2023, 3, 20)
    )

    with pytest.raises(TransitionError) as error:
        services.request_record_supplementary_provided(
            actor=None, request=request, provided_on=date(2023, 3, 21)
        )

    assert error.value.message == "No supplementary information was requested."


def test_request_record_provisional_arrest_sets_status_on_extradition():
    request = make_request(kind=Kind.EXTRADITION)

    services.request_record_provisional_arrest(
        actor=None, request=request, arrested_on=date(2023, 3, 5)
    )

    request.refresh_from_db()
    assert request.status == Status.PROVISIONAL_ARREST


def test_request_record_provisional_arrest_rejects_mla():
    request = make_request(kind=Kind.MLA)

    with pytest.raises(TransitionError) as error:
        services.request_record_provisional_arrest(
            actor=None, request=request, arrested_on=date(2023, 3, 5)
        )

    assert error.value.message == "“provisional arrest” applies only to extradition requests."


def test_request_record_hearing_sets_status_on_extradition():
    request = make_request(kind=Kind.EXTRADITION)

    services.request_record_hearing(actor=None, request=request, held_on=date(2023, 4, 5))

    request.refresh_from_db()
    assert request.status == Status.HEARING


def test_request_record_hearing_rejects_mla():
    request = make_request(kind=Kind.MLA)

    with pytest.raises(TransitionError) as error:
        services.request_record_hearing(actor=None, request=request, held_on=date(2023, 4, 5))

    assert error.value.message == "“hearing” applies only to extradition requests."


def test_request_record_hearing_rejects_future_date():
    request = make_request(kind=Kind.EXTRADITION)
    tomorrow = _tomorrow()

    with pytest.raises(ValidationError) as error:
        services.request_record_hearing(actor=None, request=request, held_on=tomorrow)

    assert error.value.message == f"The date {tomorrow.isoformat()} is in the future."


def test_request_record_acknowledged_rejects_decided_request():
    request = make_request()
    _decide(request)

    with pytest.raises(TransitionError) as error:
        services.request_record_acknowledged(
            actor=None, request=request, acknowledged_on=date(2023, 6, 1)
        )

    assert error.value.message == (
        "The request was decided (refused); re-open it before recording “receipt acknowledged”."
    )


# --- request_record_decision -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "outcome"),
    [
        (Kind.MLA, Outcome.EXECUTED),
        (Kind.MLA, Outcome.PARTIALLY_EXECUTED),
        (Kind.MLA, Outcome.WITHDRAWN),
        (Kind.EXTRADITION, Outcome.GRANTED),
        (Kind.EXTRADITION, Outcome.WITHDRAWN),
    ],
)
def test_request_record_decision_projects_outcome(kind, outcome):
    request = make_request(kind=kind)

    event = _decide(request, outcome)

    request.refresh_from_db()
    assert (event.type, event.outcome, event.political) == ("decided", outcome, None)
    assert (request.status, request.outcome, request.decided_on) == (outcome, outcome, DECIDED)
    assert request.political is None
    assert not request.grounds.exists()


def test_request_record_decision_refused_projects_grounds():
    request = make_request(kind=Kind.EXTRADITION)

    event = _decide(request, grounds=_grounds("own_national", "death_penalty"))

    request.refresh_from_db()
    assert (request.status, request.outcome, request.decided_on) == ("refused", "refused", DECIDED)
    assert set(request.grounds.values_list("code", flat=True)) == {"own_national", "death_penalty"}
    assert set(event.grounds.values_list("code", flat=True)) == {"own_national", "death_penalty"}


def test_request_record_decision_refusal_is_political_when_a_ground_is():
    request = make_request()

    _decide(request, grounds=_grounds("dual_criminality", "political_offence"))

    request.refresh_from_db()
    assert request.political is True


def test_request_record_decision_refusal_is_not_political_when_no_ground_is():
    request = make_request()

    event = _decide(request, grounds=_grounds("dual_criminality"))

    request.refresh_from_db()
    assert request.political is False
    assert event.political_overridden is False


def test_request_record_decision_override_with_reason_sets_political():
    request = make_request()

    event = _decide(
        request,
        grounds=_grounds("dual_criminality"),
        political=True,
        political_reason="The refusal letter cites the 2022 suspension of cooperation.",
    )

    request.refresh_from_db()
    assert request.political is True
    assert (event.political, event.political_overridden) == (True, True)
    assert event.reason == "The refusal letter cites the 2022 suspension of cooperation."


def test_request_record_decision_override_can_clear_political():
    request = make_request()

    _decide(
        request,
        grounds=_grounds("political_offence"),
        political=False,
        political_reason="Ordinary tax fraud, mislabelled.",
    )

    request.refresh_from_db()
    assert request.political is False


def test_request_record_decision_override_without_reason_is_refused():
    request = make_request()

    with pytest.raises(ValidationError) as error:
        _decide(request, grounds=_grounds("dual_criminality"), political=True)

    assert error.value.message == (
        "Overriding the political classification of the grounds needs a reason."
    )
    assert _event_types(request) == ["registered", "sent"]


def test_request_record_decision_override_equal_to_default_is_not_an_override():
    request = make_request()

    event = _decide(
        request, grounds=_grounds("political_offence"), political=True, political_reason="Same."
    )

    assert (event.political, event.political_overridden, event.reason) == (True, False, "")


def test_request_record_decision_rejects_political_flag_on_non_refusal():
    request = make_request()

    with pytest.raises(ValidationError) as error:
        _decide(request, Outcome.EXECUTED, political=False, political_reason="Why not.")

    assert error.value.message == "Only a refusal can be classified as political."


def test_request_record_decision_rejects_unsent_request():
    request = make_request(opened_on=None)

    with pytest.raises(TransitionError) as error:
        _decide(request, Outcome.EXECUTED)

    assert error.value.message == (
        "The request has not been sent or received yet, so “decision” cannot be recorded."
    )


def test_request_record_decision_rejects_mla_outcome_on_extradition():
    request = make_request(kind=Kind.EXTRADITION)

    with pytest.raises(TransitionError) as error:
        _decide(request, Outcome.EXECUTED)

    assert error.value.message == "“executed” is not a decision on an extradition request."


def test_request_record_decision_rejects_granted_on_mla():
    request = make_request(kind=Kind.MLA)

    with pytest.raises(TransitionError) as error:
        _decide(request, Outcome.GRANTED)

    assert error.value.message == "“extradition granted” is not a decision on an MLA request."


def test_request_record_decision_rejects_date_before_opening():
    request = make_request()

    with pytest.raises(TransitionError) as error:
        _decide(request, Outcome.EXECUTED, decided_on=date(2023, 2, 28))

    assert error.value.message == (
        "“decision” cannot be dated 2023-02-28, before the request was opened on 2023-03-01."
    )


def test_request_record_decision_rejects_refusal_without_ground():
    request = make_request()

    with pytest.raises(TransitionError) as error:
        _decide(request, grounds=[])

    assert error.value.message == "A refusal needs at least one refusal ground."


def test_request_record_decision_rejects_grounds_on_non_refusal():
    request = make_request()

    with pytest.raises(TransitionError) as error:
        _decide(request, Outcome.EXECUTED, grounds=_grounds("dual_criminality"))

    assert error.value.message == "Refusal grounds apply only to a refusal."


def test_request_record_decision_rejects_second_decision_without_reopening():
    request = make_request()
    _decide(request, Outcome.EXECUTED)

    with pytest.raises(TransitionError) as error:
        _decide(request, Outcome.PARTIALLY_EXECUTED, decided_on=date(2023, 6, 1))

    assert error.value.message == (
        "The request was decided (executed); re-open it before recording “decision”."
    )


def test_request_record_decision_rejects_future_date():
    request = make_request()
    tomorrow = _tomorrow()

    with pytest.raises(ValidationError) as error:
        _decide(request, Outcome.EXECUTED, decided_on=tomorrow)

    assert error.value.message == f"The date {tomorrow.isoformat()} is in the future."


# --- request_record_surrender ----------------------------------------------------------------


def test_request_record_surrender_after_grant():
    request = make_request(kind=Kind.EXTRADITION)
    _decide(request, Outcome.GRANTED)

    services.request_record_surrender(actor=None, request=request, surrendered_on=date(2023, 6, 1))

    request.refresh_from_db()
    assert (request.status, request.outcome, request.decided_on) == (
        Status.SURRENDERED,
        Outcome.GRANTED,
        DECIDED,
    )


def test_request_record_surrender_on_decision_date():
    request = make_request(kind=Kind.EXTRADITION)
    _decide(request, Outcome.GRANTED)

    services.request_record_surrender(actor=None, request=request, surrendered_on=DECIDED)

    request.refresh_from_db()
    assert request.status == Status.SURRENDERED


def test_request_record_surrender_rejects_undecided_request():
    request = make_request(kind=Kind.EXTRADITION)

    with pytest.raises(TransitionError) as error:
        services.request_record_surrender(
            actor=None, request=request, surrendered_on=date(2023, 6, 1)
        )

    assert error.value.message == "A person can be surrendered only after extradition is granted."


def test_request_record_surrender_rejects_refused_request():
    request = make_request(kind=Kind.EXTRADITION)
    _decide(request)

    with pytest.raises(TransitionError) as error:
        services.request_record_surrender(
            actor=None, request=request, surrendered_on=date(2023, 6, 1)
        )

    assert error.value.message == "A person can be surrendered only after extradition is granted."


def test_request_record_surrender_rejects_second_surrender():
    request = make_request(kind=Kind.EXTRADITION)
    _decide(request, Outcome.GRANTED)
    services.request_record_surrender(actor=None, request=request, surrendered_on=date(2023, 6, 1))

    with pytest.raises(TransitionError) as error:
        services.request_record_surrender(
            actor=None, request=request, surrendered_on=date(2023, 6, 2)
        )

    assert error.value.message == "A person can be surrendered only after extradition is granted."


def test_request_record_surrender_rejects_date_before_decision():
    request = make_request(kind=Kind.EXTRADITION)
    _decide(request, Outcome.GRANTED)

    with pytest.raises(TransitionError) as error:
        services.request_record_surrender(
            actor=None, request=request, surrendered_on=date(2023, 4, 30)
        )

    assert error.value.message == (
        "“surrendered” cannot be dated 2023-04-30, before the decision of 2023-05-01."
    )


def test_request_record_surrender_rejects_mla():
    request = make_request(kind=Kind.MLA)
    _decide(request, Outcome.EXECUTED)

    with pytest.raises(TransitionError) as error:
        services.request_record_surrender(
            actor=None, request=request, surrendered_on=date(2023, 6, 1)
        )

    assert error.value.message == "“surrendered” applies only to extradition requests."


# --- request_reopen --------------------------------------------------------------------------


def test_request_reopen_clears_decision_and_keeps_history():
    request = make_request()
    _decide(request, grounds=_grounds("political_offence"))

    event = services.request_reopen(
        actor=None, request=request, reopened_on=date(2023, 6, 1), reason="  Appeal lodged.  "
    )

    request.refresh_from_db()
    assert (request.status, request.outcome, request.decided_on) == (Status.REOPENED, "", None)
    assert request.political is None
    assert not request.grounds.exists()
    assert (request.opened_on, event.reason) == (OPENED, "Appeal lodged.")
    assert _event_types(request) == ["registered", "sent", "decided", "reopened"]


def test_request_reopen_allows_a_new_decision():
    request = make_request()
    _decide(request)
    services.request_reopen(
        actor=None, request=request, reopened_on=date(2023, 6, 1), reason="Resubmitted."
    )

    _decide(request, Outcome.EXECUTED, decided_on=date(2023, 9, 1))

    request.refresh_from_db()
    assert (request.outcome, request.decided_on, request.political) == (
        Outcome.EXECUTED,
        date(2023, 9, 1),
        None,
    )


def test_request_reopen_rejects_undecided_request():
    request = make_request()

    with pytest.raises(TransitionError) as error:
        services.request_reopen(
            actor=None, request=request, reopened_on=date(2023, 6, 1), reason="Appeal."
        )

    assert error.value.message == "Only a decided request can be re-opened."


def test_request_reopen_needs_reason():
    request = make_request()
    _decide(request)

    with pytest.raises(ValidationError) as error:
        services.request_reopen(actor=None, request=request, reopened_on=DECIDED, reason="  ")

    assert error.value.message == "Re-opening a decided request needs a reason."


def test_request_reopen_rejects_surrendered_request():
    request = make_request(kind=Kind.EXTRADITION)
    _decide(request, Outcome.GRANTED)
    services.request_record_surrender(actor=None, request=request, surrendered_on=date(2023, 6, 1))

    with pytest.raises(TransitionError) as error:
        services.request_reopen(
            actor=None, request=request, reopened_on=date(2023, 7, 1), reason="Appeal."
        )

    assert error.value.message == (
        "The person has been surrendered; the request cannot be re-opened."
    )


def test_request_reopen_rejects_date_before_decision():
    request = make_request()
    _decide(request)

    with pytest.raises(TransitionError) as error:
        services.request_reopen(
            actor=None, request=request, reopened_on=date(2023, 4, 1), reason="Appeal."
        )

    assert error.value.message == (
        "“re-opened” cannot be dated 2023-04-01, before the decision of 2023-05-01."
    )


# --- request_correct_opening -----------------------------------------------------------------


def test_request_correct_opening_moves_opening_date_and_keeps_original():
    request = make_request()

    event = services.request_correct_opening(
        actor=None, request=request, opened_on=date(2023, 2, 20), reason="Typo in the register."
    )

    request.refresh_from_db()
    assert request.opened_on == date(2023, 2, 20)
    assert request.status == Status.SENT
    assert event.reason == "Typo in the register."
    assert request.events.get(type="sent").occurred_on == OPENED


def test_request_correct_opening_needs_reason():
    request = make_request()

    with pytest.raises(ValidationError) as error:
        services.request_correct_opening(
            actor=None, request=request, opened_on=date(2023, 2, 20), reason=""
        )

    assert error.value.message == "Correcting the opening date needs a reason."


def test_request_correct_opening_rejects_date_after_decision():
    request = make_request()
    _decide(request, Outcome.EXECUTED)

    with pytest.raises(TransitionError) as error:
        services.request_correct_opening(
            actor=None, request=request, opened_on=date(2023, 5, 2), reason="Typo."
        )

    assert error.value.message == (
        "The request cannot be opened on 2023-05-02, after its decision on 2023-05-01."
    )


def test_request_correct_opening_rejects_unopened_request():
    request = make_request(opened_on=None)

    with pytest.raises(TransitionError) as error:
        services.request_correct_opening(
            actor=None, request=request, opened_on=date(2023, 2, 20), reason="Typo."
        )

    assert error.value.message == (
        "The request has not been sent or received yet, so “opening date corrected” cannot be recorded."
    )


# --- person_add ------------------------------------------------------------------------------


def test_person_add_names_person_sought():
    request = make_request(kind=Kind.EXTRADITION)

    person = services.person_add(
        actor=None,
        request=request,
        full_name="  Ivan Petrov ",
        born_on=date(1980, 1, 2),
        nationality=Country.objects.get(code="RU"),
        in_custody=True,
    )

    person.refresh_from_db()
    assert (person.request_id, person.full_name) == (request.pk, "Ivan Petrov")
    assert (person.born_on, person.nationality_id, person.in_custody) == (
        date(1980, 1, 2),
        "RU",
        True,
    )


def test_person_add_raises_persons_count_to_persons_named():
    request = make_request(kind=Kind.EXTRADITION, persons_count=1)
    services.person_add(actor=None, request=request, full_name="Ivan Petrov")

    services.person_add(actor=None, request=request, full_name="Petr Ivanov")

    request.refresh_from_db()
    assert request.persons_count == 2


def test_person_add_keeps_persons_count_above_persons_named():
    request = make_request(kind=Kind.EXTRADITION, persons_count=3)

    services.person_add(actor=None, request=request, full_name="Ivan Petrov")

    request.refresh_from_db()
    assert request.persons_count == 3


def test_person_add_rejects_mla():
    request = make_request(kind=Kind.MLA)

    with pytest.raises(ValidationError) as error:
        services.person_add(actor=None, request=request, full_name="Ivan Petrov")

    assert error.value.message == "Only extradition requests seek persons."
    assert not Person.objects.exists()


def test_person_add_rejects_empty_name():
    request = make_request(kind=Kind.EXTRADITION)

    with pytest.raises(ValidationError) as error:
        services.person_add(actor=None, request=request, full_name="  ")

    assert error.value.message == "A person sought needs a name."


def test_person_add_rejects_future_birth_date():
    request = make_request(kind=Kind.EXTRADITION)
    tomorrow = _tomorrow()

    with pytest.raises(ValidationError) as error:
        services.person_add(actor=None, request=request, full_name="Ivan", born_on=tomorrow)

    assert error.value.message == f"The date {tomorrow.isoformat()} is in the future."


# --- document_attach -------------------------------------------------------------------------

CONTENT = b"%PDF-1.7 letter rogatory " * 5000


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _attach(request: Request, **kwargs) -> Document:
    return services.document_attach(
        actor=kwargs.pop("actor", None),
        request=request,
        kind=kwargs.pop("kind", Document.Kind.REQUEST),
        title=kwargs.pop("title", "Request for assistance"),
        original_name=kwargs.pop("original_name", "request.pdf"),
        content_type="application/pdf",
        content=io.BytesIO(CONTENT),
    )


def test_document_attach_stores_file_under_generated_name(media_root):
    request = make_request()

    document = _attach(request)

    stored = media_root / document.storage_name
    assert stored.read_bytes() == CONTENT
    assert document.storage_name.startswith("documents/")
    assert "request" not in stored.name
    assert document.original_name == "request.pdf"


def test_document_attach_records_size_and_sha256(media_root):
    request = make_request()

    document = _attach(request)

    document.refresh_from_db()
    assert document.size == len(CONTENT)
    assert document.sha256 == hashlib.sha256(CONTENT).hexdigest()


def test_document_attach_gives_each_file_its_own_name(media_root):
    request = make_request()

    first, second = _attach(request), _attach(request)

    assert first.storage_name != second.storage_name


def test_document_attach_keeps_only_file_name_of_original(media_root):
    request = make_request()

    document = _attach(request, original_name="../../etc/passwd", title="")

    assert (document.original_name, document.title) == ("passwd", "passwd")
    assert (media_root / document.storage_name).is_relative_to(media_root)


def test_document_attach_removes_file_when_database_write_fails(media_root, monkeypatch):
    request = make_request()

    def _fail(**kwargs):
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(services, "audit_record", _fail)

    with pytest.raises(RuntimeError):
        _attach(request)

    assert [path for path in media_root.rglob("*") if path.is_file()] == []
    assert not Document.objects.exists()


def test_document_attach_rejects_unknown_kind(media_root):
    request = make_request()

    with pytest.raises(ValidationError) as error:
        _attach(request, kind="memo")

    assert error.value.message == "Unknown document kind “memo”."
    assert list(media_root.rglob("*")) == []
