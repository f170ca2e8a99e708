"""Forms of the user administration page: users, their roles and units, and units."""

from django import forms
from django.contrib.auth import password_validation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rogatory.accounts.models import Role, Unit, User


def _units_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        queryset=Unit.objects.order_by("name"),
        required=False,
        label=gettext_lazy("Units"),
        help_text=gettext_lazy(
            "Viewers and clerks see only their units' requests; supervisors and administrators "
            "see all."
        ),
        widget=forms.CheckboxSelectMultiple,
    )


def _role_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=[(value, capfirst(label)) for value, label in Role.choices],
        label=gettext_lazy("Role"),
        help_text=gettext_lazy(
            "Viewer: reads. Clerk: also registers and records. Supervisor: also re-opens, edits "
            "reference data, sees the audit trail. Administrator: also manages users."
        ),
    )


class _PasswordPolicyMixin:
    """Check a new password against the password policy, naming the user it is for."""

    def _password_checked(self, field: str, user: User) -> None:
        password = self.cleaned_data.get(field)
        if not password:
            return
        try:
            password_validation.validate_password(password, user)
        except forms.ValidationError as error:
            self.add_error(field, error)


class UserCreateForm(_PasswordPolicyMixin, forms.Form):
    """A new user: name, e-mail, role, units and a first password."""

    username = forms.CharField(
        label=gettext_lazy("User name"),
        max_length=150,
        help_text=gettext_lazy("What they type to sign in, such as “a.petrova”."),
    )
    email = forms.EmailField(
        label=gettext_lazy("E-mail"),
        required=False,
        help_text=gettext_lazy(
            "Deadline reminders are e-mailed to this address; a user without one gets none."
        ),
    )
    role = _role_field()
    units = _units_field()
    password = forms.CharField(
        label=gettext_lazy("First password"),
        strip=False,
        help_text=gettext_lazy(
            "At least 12 characters. Give it to the user in person; they can change it on their "
            "account page."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].initial = Role.CLERK
        # With a single unit there is nothing to choose; new users work in it.
        units = list(Unit.objects.order_by("pk").values_list("pk", flat=True)[:2])
        if len(units) == 1:
            self.fields["units"].initial = units

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username=username).exists():
            raise forms.ValidationError(_("A user with this name already exists."))
        return username

    def clean(self) -> dict:
        cleaned = super().clean()
        provisional = User(username=cleaned.get("username", ""), email=cleaned.get("email", ""))
        self._password_checked("password", provisional)
        return cleaned


class UserEditForm(forms.Form):
    """What an administrator may change about a user."""

    email = forms.EmailField(
        label=gettext_lazy("E-mail"),
        required=False,
        help_text=gettext_lazy(
            "Deadline reminders are e-mailed to this address; a user without one gets none."
        ),
    )
    role = _role_field()
    units = _units_field()
    is_active = forms.BooleanField(
        label=gettext_lazy("May sign in"),
        required=False,
        help_text=gettext_lazy(
            "Switch this off when someone leaves; their name stays on what they recorded."
        ),
    )

    @classmethod
    def for_user(cls, user: User, data=None) -> "UserEditForm":
        """Return the form filled with `user`'s current values."""
        return cls(
            data,
            initial={
                "email": user.email,
                "role": user.role,
                "units": list(user.units.values_list("pk", flat=True)),
                "is_active": user.is_active,
            },
        )


class UserPasswordForm(_PasswordPolicyMixin, forms.Form):
    """A new password an administrator sets for a user who has forgotten theirs."""

    password = forms.CharField(
        label=gettext_lazy("New password"),
        strip=False,
        help_text=gettext_lazy("At least 12 characters. Give it to the user in person."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict:
        cleaned = super().clean()
        self._password_checked("password", self.user)
        return cleaned


class UnitCreateForm(forms.Form):
    """A new unit (department)."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    code = forms.SlugField(
        label=gettext_lazy("Code"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("Short, for the command line; left empty, made from the name."),
    )
