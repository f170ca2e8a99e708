"""What each role may do, and which units' requests each user sees."""

import pytest

from rogatory.accounts.models import Role
from rogatory.accounts.permissions import (
    Action,
    authorize,
    user_can,
    user_may_access_unit,
    user_sees_all_units,
)
from rogatory.core.exceptions import PermissionDeniedError
from tests.accounts.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

# The least role that may take each action, as the issue lists them.
EXPECTED = {
    Action.READ: Role.VIEWER,
    Action.REGISTER: Role.CLERK,
    Action.RECORD_EVENT: Role.CLERK,
    Action.IMPORT: Role.CLERK,
    Action.REOPEN: Role.SUPERVISOR,
    Action.EDIT_REFERENCE: Role.SUPERVISOR,
    Action.VIEW_AUDIT: Role.SUPERVISOR,
    Action.MANAGE_USERS: Role.ADMINISTRATOR,
}
ORDER = [Role.VIEWER, Role.CLERK, Role.SUPERVISOR, Role.ADMINISTRATOR]


@pytest.mark.parametrize("role", ORDER)
@pytest.mark.parametrize("action", list(Action))
def test_each_role_may_take_exactly_its_actions(role, action):
    user = UserFactory(role=role)
    allowed = ORDER.index(role) >= ORDER.index(EXPECTED[action])
    assert user_can(user, action) is allowed
    if allowed:
        authorize(user, action)
    else:
        with pytest.raises(PermissionDeniedError, match="Your role does not allow this"):
            authorize(user, action)


@pytest.mark.parametrize(
    ("role", "sees_other_units"),
    [
        (Role.VIEWER, False),
        (Role.CLERK, False),
        (Role.SUPERVISOR, True),
        (Role.ADMINISTRATOR, True),
    ],
)
def test_only_supervisors_and_administrators_see_other_units(role, sees_other_units):
    own, other = UnitFactory(code="own"), UnitFactory(code="other")
    user = UserFactory(role=role, units=[own])
    assert user_may_access_unit(user, own.pk)
    assert user_may_access_unit(user, other.pk) is sees_other_units
    assert user_sees_all_units(user) is sees_other_units


def test_a_clerk_of_another_unit_is_refused_with_a_clear_message():
    own, other = UnitFactory(code="own"), UnitFactory(code="other")
    clerk = UserFactory(role=Role.CLERK, units=[own])
    with pytest.raises(PermissionDeniedError, match="unit you do not work in"):
        authorize(clerk, Action.RECORD_EVENT, unit_id=other.pk)


def test_inactive_users_may_do_nothing():
    admin = UserFactory(role=Role.ADMINISTRATOR, is_active=False)
    assert not any(user_can(admin, action) for action in Action)
    assert not user_sees_all_units(admin)


def test_the_command_line_may_do_everything():
    assert all(user_can(None, action) for action in Action)
    assert user_sees_all_units(None)


def test_an_unknown_role_in_the_database_grants_nothing():
    user = UserFactory(role=Role.CLERK)
    user.role = "boss"
    assert not any(user_can(user, action) for action in Action)
