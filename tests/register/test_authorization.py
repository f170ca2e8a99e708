"""Register services check the actor's role and unit themselves, whichever interface calls."""

from datetime import date

import pytest

from rogatory.accounts.models import Role
from rogatory.core.exceptions import ConflictError, PermissionDeniedError
from rogatory.reference.models import Country, RefusalGround
from rogatory.register import services
from rogatory.register.models import Event, Outcome
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def units():
    return UnitFactory(code="own"), UnitFactory(code="other")


def _register(actor, unit=None):
    return services.request_register(
        actor=actor,
        direction="outgoing",
        kind="mla",
        reference="R-1",
        country=Country.objects.get(code="CH"),
        unit=unit,
    )


def test_a_new_request_goes_to_the_clerks_only_unit(units):
    clerk = UserFactory(role=Role.CLERK, units=[units[0]])
    assert _register(clerk).unit == units[0]


def test_a_new_request_of_a_user_in_several_units_goes_to_the_default_unit_unless_named(units):
    supervisor = UserFactory(role=Role.SUPERVISOR, units=list(units))
    assert _register(supervisor).unit.code == "central"
    request = services.request_register(
        actor=supervisor,
        direction="outgoing",
        kind="mla",
        reference="R-2",
        country=Country.objects.get(code="CH"),
        unit=units[1],
    )
    assert request.unit == units[1]


def test_a_viewer_cannot_register(units):
    viewer = UserFactory(role=Role.VIEWER, units=[units[0]])
    with pytest.raises(PermissionDeniedError, match="Your role does not allow this"):
        _register(viewer)


def test_a_clerk_cannot_register_in_another_unit(units):
    clerk = UserFactory(role=Role.CLERK, units=[units[0]])
    with pytest.raises(PermissionDeniedError, match="unit you do not work in"):
        _register(clerk, unit=units[1])


@pytest.mark.parametrize(
    ("role", "same_unit", "allowed"),
    [
        (Role.VIEWER, True, False),
        (Role.CLERK, True, True),
        (Role.CLERK, False, False),
        (Role.SUPERVISOR, False, True),
        (Role.ADMINISTRATOR, False, True),
    ],
)
def test_recording_an_event_needs_a_clerk_of_the_unit_or_a_supervisor(
    units, role, same_unit, allowed
):
    request = make_request(opened_on=None, unit=units[0])
    actor = UserFactory(role=role, units=[units[0] if same_unit else units[1]])
    if allowed:
        services.request_record_sent(actor=actor, request=request, sent_on=date(2023, 3, 1))
        assert request.events.filter(type=Event.Type.SENT).exists()
    else:
        with pytest.raises(PermissionDeniedError):
            services.request_record_sent(actor=actor, request=request, sent_on=date(2023, 3, 1))
        assert not request.events.filter(type=Event.Type.SENT).exists()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.CLERK, False), (Role.SUPERVISOR, True), (Role.ADMINISTRATOR, True)],
)
def test_only_supervisors_reopen_a_decision(units, role, allowed):
    request = make_request(outcome=Outcome.EXECUTED, unit=units[0])
    actor = UserFactory(role=role, units=[units[0]])

    def reopen():
        return services.request_reopen(
            actor=actor, request=request, reopened_on=date(2023, 5, 1), reason="appeal"
        )

    if allowed:
        reopen()
        request.refresh_from_db()
        assert request.status == "reopened"
    else:
        with pytest.raises(PermissionDeniedError):
            reopen()


def test_a_clerk_of_another_unit_cannot_record_a_decision_change_details_or_add_a_person(units):
    request = make_request(kind="extradition", persons_count=1, unit=units[0])
    stranger = UserFactory(role=Role.CLERK, units=[units[1]])
    with pytest.raises(PermissionDeniedError):
        services.request_record_decision(
            actor=stranger,
            request=request,
            outcome=Outcome.REFUSED,
            decided_on=date(2023, 4, 1),
            grounds=list(RefusalGround.objects.filter(code="political_offence")),
        )
    with pytest.raises(PermissionDeniedError):
        services.request_update(actor=stranger, request=request, notes="mine now")
    with pytest.raises(PermissionDeniedError):
        services.person_add(actor=stranger, request=request, full_name="Ivan Petrov")
    request.refresh_from_db()
    assert (request.status, request.notes, request.persons.count()) == ("sent", "", 0)


def test_an_edit_made_from_a_stale_version_is_refused_and_changes_nothing():
    request = make_request()
    read = request.version
    services.request_update(actor=None, request=request, notes="first", expected_version=read)
    with pytest.raises(ConflictError, match="Someone else changed this request"):
        services.request_update(actor=None, request=request, notes="second", expected_version=read)
    request.refresh_from_db()
    assert (request.notes, request.version) == ("first", read + 1)
