"""Users, requests and examples for the publication tests."""

from datetime import date

import pytest

from rogatory.accounts.models import Role, Unit, User
from rogatory.publication.models import Example
from rogatory.publication.services import example_approve, example_propose
from rogatory.register.models import Kind, Outcome, Request
from rogatory.register.services import person_add
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

BULGARIA = (
    "Bulgaria refused legal assistance in a criminal case concerning the bombing of a truck on "
    "the Crimean Bridge because its execution “could harm the sovereignty of Bulgaria”"
)
BULGARIA_RU = (
    "Болгария отказала в оказании правовой помощи по уголовному делу о подрыве грузовика на "
    "Крымском мосту, поскольку исполнение запроса «могло бы нанести ущерб суверенитету Болгарии»"
)
SERBIA = (
    "the Ministry of Justice of Serbia granted the extradition of a person accused of using a "
    "forged document and attempted large-scale fraud"
)


@pytest.fixture
def central(db) -> Unit:
    return UnitFactory(code="central", name="Central authority")


@pytest.fixture
def north(db) -> Unit:
    return UnitFactory(code="north", name="Northern department")


@pytest.fixture
def clerk_of_central(central) -> User:
    return UserFactory(username="clara.clerk", role=Role.CLERK, units=[central])


@pytest.fixture
def supervisor(central) -> User:
    return UserFactory(username="sam.supervisor", role=Role.SUPERVISOR, units=[central])


@pytest.fixture
def refused(central) -> Request:
    """An outgoing request for legal assistance Bulgaria refused in October 2023."""
    return make_request(
        unit=central,
        country="BG",
        reference="OM-2023-17",
        outcome=Outcome.REFUSED,
        grounds=("sovereignty_security_ordre_public",),
        decided_on=date(2023, 10, 12),
    )


@pytest.fixture
def granted(central) -> Request:
    """An outgoing extradition request Serbia granted in March 2023, for Ivan Petrov."""
    request = make_request(
        unit=central,
        country="RS",
        kind=Kind.EXTRADITION,
        reference="OE-2023-4",
        outcome=Outcome.GRANTED,
        decided_on=date(2023, 3, 20),
    )
    person_add(actor=None, request=request, full_name="Ivan Petrov", born_on=date(1980, 1, 2))
    return request


@pytest.fixture
def proposed(refused, clerk_of_central) -> Example:
    return example_propose(
        actor=clerk_of_central,
        request=refused,
        category=Example.Category.REFUSAL,
        summary_en=BULGARIA,
        summary_ru=BULGARIA_RU,
    )


@pytest.fixture
def approved(proposed, supervisor) -> Example:
    return example_approve(actor=supervisor, example=proposed)
