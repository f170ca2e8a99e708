"""Who may do what: roles grant actions, units limit which requests a user sees.

Services call `authorize`; interfaces call `user_can` to decide what to show. An actor of
None is the command line, run by someone who already holds the server's keys.
"""

from enum import StrEnum

from django.utils.translation import gettext as _

from rogatory.core.exceptions import PermissionDeniedError

from .models import Role, User


class Action(StrEnum):
    READ = "read"
    REGISTER = "register"
    RECORD_EVENT = "record_event"
    IMPORT = "import"
    REOPEN = "reopen"
    EDIT_REFERENCE = "edit_reference"
    VIEW_AUDIT = "view_audit"
    MANAGE_USERS = "manage_users"


_ROLE_ORDER = [Role.VIEWER, Role.CLERK, Role.SUPERVISOR, Role.ADMINISTRATOR]

# The least role that may take each action.
_LEAST_ROLE = {
    Action.READ: Role.VIEWER,
    Action.REGISTER: Role.CLERK,
    Action.RECORD_EVENT: Role.CLERK,
    Action.IMPORT: Role.CLERK,
    Action.REOPEN: Role.SUPERVISOR,
    Action.EDIT_REFERENCE: Role.SUPERVISOR,
    Action.VIEW_AUDIT: Role.SUPERVISOR,
    Action.MANAGE_USERS: Role.ADMINISTRATOR,
}


def role_rank(role: str) -> int:
    """Return the role's place in the order viewer < clerk < supervisor < administrator."""
    try:
        return _ROLE_ORDER.index(Role(role))
    except ValueError:
        return -1


def user_can(user: User | None, action: Action) -> bool:
    """Return whether `user` may take `action` on requests of their own units."""
    if user is None:
        return True
    if not user.is_active or not user.is_authenticated:
        return False
    return role_rank(user.role) >= role_rank(_LEAST_ROLE[action])


def user_sees_all_units(user: User | None) -> bool:
    """Return whether `user` sees every unit's requests, not only their own units'."""
    return user is None or (user.is_active and role_rank(user.role) >= role_rank(Role.SUPERVISOR))


def user_unit_ids(user: User) -> set[int]:
    """Return the ids of the units whose requests `user` works on."""
    cached = getattr(user, "_rogatory_unit_ids", None)
    if cached is None:
        cached = set(user.units.values_list("id", flat=True))
        user._rogatory_unit_ids = cached
    return cached


def user_may_access_unit(user: User | None, unit_id: int | None) -> bool:
    """Return whether `user` may see requests of the unit with id `unit_id`."""
    if user_sees_all_units(user):
        return True
    return unit_id is not None and unit_id in user_unit_ids(user)


def authorize(user: User | None, action: Action, *, unit_id: int | None = None) -> None:
    """Raise PermissionDeniedError unless `user` may take `action` (in that unit, if given)."""
    if not user_can(user, action):
        raise PermissionDeniedError(_("Your role does not allow this."))
    if unit_id is not None and not user_may_access_unit(user, unit_id):
        raise PermissionDeniedError(_("This request belongs to a unit you do not work in."))
