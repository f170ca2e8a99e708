"""Changes to users, units and API tokens, each audited in its own transaction."""

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rogatory.audit.services import audit_record
from rogatory.core.exceptions import NotFoundError, ValidationError

from .models import ApiToken, Role, Unit, User
from .permissions import Action, authorize, role_rank

DEFAULT_UNIT_CODE = "central"
DEFAULT_UNIT_NAME = "Central authority"
TOKEN_PREFIX = "rgt_"


def _user_snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "email": user.email,
        "role": user.role,
        "units": sorted(user.units.values_list("code", flat=True)),
        "is_active": user.is_active,
    }


def _check_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as error:
        raise ValidationError(
            _("The password is not accepted: %(reasons)s") % {"reasons": " ".join(error.messages)}
        ) from None


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError(
            _("“%(role)s” is not a role; use one of: %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)}
        )


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    email: str = "",
    role: str = Role.VIEWER,
    units: Iterable[Unit] = (),
) -> User:
    """Create a user who can sign in, after checking the password policy."""
    authorize(actor, Action.MANAGE_USERS)
    username = username.strip()
    if not username:
        raise ValidationError(_("A user needs a name."))
    _check_role(role)
    if User.objects.filter(username=username).exists():
        raise ValidationError(_("A user named “%(name)s” already exists.") % {"name": username})
    user = User(username=username, email=email, role=role)
    # Administrators manage the site; Django's admin pages need the staff flag.
    user.is_staff = role == Role.ADMINISTRATOR
    _check_password(password, user)
    user.set_password(password)
    user.save()
    user.units.set(list(units))
    audit_record(
        actor=actor,
        action="user_create",
        object_type="user",
        object_id=user.pk,
        after=_user_snapshot(user),
    )
    return user


@transaction.atomic
def user_update(
    *,
    actor: User | None,
    user: User,
    role: str | None = None,
    units: Iterable[Unit] | None = None,
    is_active: bool | None = None,
    email: str | None = None,
) -> User:
    """Change a user's role, units, e-mail or whether they may sign in."""
    authorize(actor, Action.MANAGE_USERS)
    before = _user_snapshot(user)
    if role is not None:
        _check_role(role)
        if actor is not None and user.pk == actor.pk and role != actor.role:
            raise ValidationError(_("You cannot change your own role."))
        user.role = role
        user.is_staff = role == Role.ADMINISTRATOR
    if is_active is not None:
        if actor is not None and user.pk == actor.pk and not is_active:
            raise ValidationError(_("You cannot deactivate yourself."))
        user.is_active = is_active
    if email is not None:
        user.email = email
    user.save()
    if units is not None:
        user.units.set(list(units))
    after = _user_snapshot(user)
    if after != before:
        audit_record(
            actor=actor,
            action="user_update",
            object_type="user",
            object_id=user.pk,
            before=before,
            after=after,
        )
    return user


@transaction.atomic
def user_set_password(*, actor: User | None, user: User, password: str) -> None:
    """Set a user's password; users may set their own, administrators anyone's."""
    if actor is None or actor.pk != user.pk:
        authorize(actor, Action.MANAGE_USERS)
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, action="user_set_password", object_type="user", object_id=user.pk)


@transaction.atomic
def unit_create(*, actor: User | None, name: str, code: str = "") -> Unit:
    """Create a unit (a department) that requests and users belong to."""
    authorize(actor, Action.MANAGE_USERS)
    name = name.strip()
    code = (code or slugify(name)).strip()
    if not name or not code:
        raise ValidationError(_("A unit needs a name."))
    if Unit.objects.filter(code=code).exists():
        raise ValidationError(_("A unit with the code “%(code)s” already exists.") % {"code": code})
    unit = Unit.objects.create(code=code, name=name)
    audit_record(
        actor=actor,
        action="unit_create",
        object_type="unit",
        object_id=unit.pk,
        after={"code": code, "name": name},
    )
    return unit


@transaction.atomic
def unit_default_ensure() -> Unit:
    """Return the unit that requests go to when none is named, creating it on first use."""
    unit, created = Unit.objects.get_or_create(
        code=DEFAULT_UNIT_CODE, defaults={"name": DEFAULT_UNIT_NAME}
    )
    if created:
        audit_record(
            actor=None,
            action="unit_create",
            object_type="unit",
            object_id=unit.pk,
            after={"code": unit.code, "name": unit.name},
        )
    return unit


def unit_by_code(code: str) -> Unit:
    """Return the unit with `code`, or raise NotFoundError naming the units there are."""
    try:
        return Unit.objects.get(code=code)
    except Unit.DoesNotExist:
        known = ", ".join(Unit.objects.values_list("code", flat=True)) or _("none")
        raise NotFoundError(
            _("There is no unit “%(code)s”. Units: %(known)s.") % {"code": code, "known": known}
        ) from None


@dataclass(frozen=True)
class NewToken:
    """A token just created: the secret is shown once and never stored."""

    token: ApiToken
    secret: str


def _digest(secret: str) -> str:
    # Tokens are 256 random bits, so a plain SHA-256 cannot be reversed by guessing.
    return hashlib.sha256(secret.encode()).hexdigest()


def token_days_allowed(*, actor: User | None, user: User) -> int:
    """Return the longest lifetime, in days, that `actor` may give a new token of `user`.

    ROGATORY_TOKEN_DAYS for viewers and clerks; up to ROGATORY_TOKEN_MAX_DAYS for supervisors
    and administrators, and from the command line (an actor of None) for anyone.
    """
    if actor is None or role_rank(user.role) >= role_rank(Role.SUPERVISOR):
        return settings.ROGATORY_TOKEN_MAX_DAYS
    return settings.ROGATORY_TOKEN_DAYS


def _check_token_days(days: int, *, actor: User | None, user: User) -> None:
    longest = token_days_allowed(actor=actor, user=user)
    if days < 1:
        raise ValidationError(_("A token lives at least one day."), extra={"field": "days"})
    if days > longest:
        raise ValidationError(
            ngettext(
                "A token of %(user)s may live at most %(count)d day.",
                "A token of %(user)s may live at most %(count)d days.",
                longest,
            )
            % {"user": user.get_username(), "count": longest},
            extra={"field": "days"},
        )


@transaction.atomic
def token_create(*, actor: User | None, user: User, name: str, days: int | None = None) -> NewToken:
    """Create an API token for `user` that expires after `days` (ROGATORY_TOKEN_DAYS).

    Return it with its secret, which is not kept.
    """
    if actor is not None and actor.pk != user.pk:
        authorize(actor, Action.MANAGE_USERS)
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the token a name, such as the program that will use it."))
    if len(name) > 100:
        raise ValidationError(_("A token name has at most 100 characters."))
    days = settings.ROGATORY_TOKEN_DAYS if days is None else days
    _check_token_days(days, actor=actor, user=user)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:10],
        digest=_digest(secret),
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit_record(
        actor=actor,
        action="token_create",
        object_type="api_token",
        object_id=token.pk,
        after={
            "user": user.username,
            "name": name,
            "prefix": token.prefix,
            "expires_at": token.expires_at.isoformat(),
        },
    )
    return NewToken(token=token, secret=secret)


@transaction.atomic
def token_revoke(*, actor: User | None, token: ApiToken) -> None:
    """Revoke a token so that it no longer authenticates anyone."""
    if actor is not None and actor.pk != token.user_id:
        authorize(actor, Action.MANAGE_USERS)
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action="token_revoke",
        object_type="api_token",
        object_id=token.pk,
        after={"user": token.user.username, "name": token.name, "prefix": token.prefix},
    )


def token_authenticate(secret: str) -> User | None:
    """Return the active user of a bearer token; None if it is unknown, revoked or expired."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(
            digest=_digest(secret),
            revoked_at__isnull=True,
            expires_at__gt=now,
            user__is_active=True,
        )
        .first()
    )
    if token is None:
        return None
    # Record use at most once a minute, so that busy clients do not write on every call.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
