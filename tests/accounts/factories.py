"""Users and units for tests."""

import factory

from rogatory.accounts.models import Role, Unit, User
from rogatory.accounts.services import DEFAULT_UNIT_CODE

PASSWORD = "correct horse battery staple"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda number: f"unit-{number}")
    name = factory.LazyAttribute(lambda unit: f"Unit {unit.code}")


class UserFactory(factory.django.DjangoModelFactory):
    """A clerk of the default unit unless told otherwise."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda number: f"user{number}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password(PASSWORD)
    role = Role.CLERK

    @factory.post_generation
    def units(self, create: bool, extracted, **kwargs) -> None:
        if not create:
            return
        if extracted is None:
            extracted = [UnitFactory(code=DEFAULT_UNIT_CODE, name="Central authority")]
        self.units.set(extracted)
