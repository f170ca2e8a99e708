"""Changing a person sought: custody and identification, audited under the request."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from rogatory.accounts.models import Role
from rogatory.audit.models import AuditRecord
from rogatory.core.exceptions import NotFoundError, PermissionDeniedError, ValidationError
from rogatory.reference.models import Country
from rogatory.register import services
from rogatory.register.models import Kind, Person
from rogatory.register.persons import person_update, request_person_get
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def alpha():
    return UnitFactory(code="alpha", name="Alpha")


@pytest.fixture
def clerk(alpha):
    return UserFactory(role=Role.CLERK, units=[alpha])


@pytest.fixture
def person(alpha):
    request = make_request(unit=alpha, kind=Kind.EXTRADITION, persons_count=1)
    return services.person_add(actor=None, request=request, full_name="Ivan Petrov")


def test_custody_change_is_saved_and_audited_under_the_request(person, clerk):
    version = person.request.version
    changed = person_update(
        actor=clerk, person=person, in_custody=True, identification="Passport 12 345678"
    )
    person.refresh_from_db()
    assert person.in_custody is True
    assert person.identification == "Passport 12 345678"
    assert changed == person
    record = AuditRecord.objects.get(action="person_update")
    assert record.request_id == person.request_id
    assert record.object_type == "person" and record.object_id == str(person.pk)
    assert record.before["in_custody"] is False and record.after["in_custody"] is True
    assert record.after["identification"] == "Passport 12 345678"
    assert record.actor_id == clerk.pk
    person.request.refresh_from_db()
    assert person.request.version == version + 1


def test_arguments_not_given_stay_as_they_are(person, clerk):
    person_update(actor=clerk, person=person, note="Seen in Geneva")
    person_update(actor=clerk, person=person, in_custody=True)
    person.refresh_from_db()
    assert (person.full_name, person.note, person.in_custody) == (
        "Ivan Petrov",
        "Seen in Geneva",
        True,
    )


def test_every_field_can_change(person, clerk):
    person_update(
        actor=clerk,
        person=person,
        full_name=" Ivan P. Petrov ",
        born_on=date(1980, 2, 29),
        nationality=Country.objects.get(code="DE"),
    )
    person.refresh_from_db()
    assert (person.full_name, person.born_on, person.nationality_id) == (
        "Ivan P. Petrov",
        date(1980, 2, 29),
        "DE",
    )


def test_no_change_writes_nothing(person, clerk):
    before = AuditRecord.objects.count()
    person_update(actor=clerk, person=person, in_custody=False, note="")
    assert AuditRecord.objects.count() == before


def test_a_name_cannot_be_emptied_nor_a_birth_in_the_future(person, clerk):
    with pytest.raises(ValidationError, match="needs a name") as error:
        person_update(actor=clerk, person=person, full_name="  ")
    assert error.value.extra == {"field": "full_name"}
    with pytest.raises(ValidationError, match="in the future"):
        person_update(actor=clerk, person=person, born_on=timezone.localdate() + timedelta(days=1))
    with pytest.raises(ValidationError, match="yes or no"):
        person_update(actor=clerk, person=person, in_custody="yes")


def test_a_viewer_or_another_units_clerk_cannot_change_a_person(person, alpha):
    viewer = UserFactory(role=Role.VIEWER, units=[alpha])
    stranger = UserFactory(role=Role.CLERK, units=[UnitFactory(code="bravo")])
    for actor in (viewer, stranger):
        with pytest.raises(PermissionDeniedError):
            person_update(actor=actor, person=person, in_custody=True)
    assert Person.objects.get(pk=person.pk).in_custody is False


def test_a_person_is_found_only_under_their_own_request(person, alpha):
    other = make_request(unit=alpha, kind=Kind.EXTRADITION, persons_count=1)
    assert request_person_get(request=person.request, person_id=person.pk) == person
    with pytest.raises(NotFoundError):
        request_person_get(request=other, person_id=person.pk)
