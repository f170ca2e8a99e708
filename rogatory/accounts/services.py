"""Changes to users. Roles and units arrive with the web application."""

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rogatory.audit.services import audit_record
from rogatory.core.exceptions import ValidationError


@transaction.atomic
def user_create(
    *, actor: AbstractBaseUser | None, username: str, password: str, email: str = ""
) -> AbstractBaseUser:
    """Create a user who can sign in, after checking the password policy."""
    users = get_user_model()
    username = username.strip()
    if not username:
        raise ValidationError(_("A user needs a name."))
    if users.objects.filter(username=username).exists():
        raise ValidationError(_("A user named “%(name)s” already exists.") % {"name": username})
    user = users(username=username, email=email)
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as error:
        raise ValidationError(
            _("The password is not accepted: %(reasons)s") % {"reasons": " ".join(error.messages)}
        ) from None
    user.set_password(password)
    user.save()
    audit_record(
        actor=actor,
        action="user_create",
        object_type="user",
        object_id=user.pk,
        after={"username": username, "email": email},
    )
    return user
