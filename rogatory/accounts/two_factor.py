"""Two-factor sign-in with a one-time code from an authenticator app (django-otp, TOTP).

Changes here are audited like every other change to a user.
"""

import django_otp
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from rogatory.audit.services import audit_record
from rogatory.core.exceptions import PermissionDeniedError, ValidationError

from .models import Role, User
from .permissions import Action, authorize, role_rank

DEVICE_NAME = "Authenticator app"


def two_factor_allowed(user: User) -> bool:
    """Return whether `user`'s role may use a one-time code to sign in."""
    return role_rank(user.role) >= role_rank(Role.SUPERVISOR)


def two_factor_device(user: User) -> TOTPDevice | None:
    """Return the user's confirmed authenticator, or None when they sign in with a password."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@transaction.atomic
def two_factor_start(*, actor: User) -> TOTPDevice:
    """Return an unconfirmed authenticator for `actor` to scan, replacing any earlier one."""
    if not two_factor_allowed(actor):
        raise PermissionDeniedError(_("Two-factor sign-in is for supervisors and administrators."))
    if two_factor_device(actor) is not None:
        raise ValidationError(_("Two-factor sign-in is already on."))
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    return TOTPDevice.objects.create(user=actor, name=DEVICE_NAME, confirmed=False)


def two_factor_pending(user: User) -> TOTPDevice | None:
    """Return the authenticator `user` has started to set up and not yet confirmed."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()


def two_factor_verify(*, device: TOTPDevice, token: str) -> None:
    """Raise ValidationError unless `token` is the device's current code.

    A wrong code makes the next try wait (1, 2, 4… seconds) and its error says
    `extra["wrong_code"]`. The check runs in a transaction of its own, so that the count of
    wrong codes is kept even when the caller's change is rolled back.
    """
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        raise ValidationError(
            _("Too many wrong codes in a row. Wait a few seconds, then enter the code shown now."),
            extra={"field": "token"},
        )
    if django_otp.verify_token(device.user, device.persistent_id, token) is None:
        raise ValidationError(
            _("The code is not right. Enter the code your app shows now."),
            extra={"field": "token", "wrong_code": True},
        )


def two_factor_confirm(*, actor: User, device: TOTPDevice, token: str) -> None:
    """Turn two-factor sign-in on, once the authenticator shows a code that matches."""
    if device.user_id != actor.pk or device.confirmed:
        raise ValidationError(_("Start setting up two-factor sign-in again."))
    two_factor_verify(device=device, token=token)
    with transaction.atomic():
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        _audit_two_factor(actor=actor, user=actor, on=True)


def two_factor_disable(*, actor: User, token: str) -> None:
    """Turn two-factor sign-in off, after a current code proves the authenticator is at hand."""
    device = two_factor_device(actor)
    if device is None:
        raise ValidationError(_("Two-factor sign-in is not on."))
    two_factor_verify(device=device, token=token)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor).delete()
        _audit_two_factor(actor=actor, user=actor, on=False)


def two_factor_reset(*, actor: User, user: User) -> None:
    """Turn off a user's two-factor sign-in for them, when they have lost their authenticator."""
    authorize(actor, Action.MANAGE_USERS)
    with transaction.atomic():
        deleted, _ = TOTPDevice.objects.filter(user=user).delete()
        if deleted:
            _audit_two_factor(actor=actor, user=user, on=False)


def _audit_two_factor(*, actor: User, user: User, on: bool) -> None:
    """Record that `actor` turned `user`'s two-factor sign-in on or off."""
    audit_record(
        actor=actor,
        action="user_two_factor_enable" if on else "user_two_factor_disable",
        object_type="user",
        object_id=user.pk,
        after={"two_factor": on},
    )
