"""Forms of the sign-in and account pages."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from rogatory.accounts.models import User

# --- Forms ----------------------------------------------------------------------------------


class SignInForm(AuthenticationForm):
    """A user name and password, checked by Django's backends with django-axes watching."""

    error_messages = {
        "invalid_login": gettext_lazy(
            "The user name or the password is not right. Both are case-sensitive."
        ),
        "inactive": gettext_lazy("This account is switched off. Ask an administrator."),
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = gettext_lazy("User name")
        self.fields["password"].label = gettext_lazy("Password")


class OneTimeCodeForm(forms.Form):
    """The six-digit code an authenticator app shows."""

    token = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "class": "code-input",
            }
        ),
    )

    def __init__(self, *args, autofocus: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if autofocus:
            self.fields["token"].widget.attrs["autofocus"] = True

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError(_("The code is made of digits only."))
        return token


class PasswordChangeForm(forms.Form):
    """The current password, to prove who is asking, and the new one twice."""

    current_password = forms.CharField(
        label=gettext_lazy("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=gettext_lazy("New password"),
        strip=False,
        help_text=gettext_lazy("At least 12 characters; a phrase of several words is easiest."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label=gettext_lazy("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_current_password(self) -> str:
        password = self.cleaned_data["current_password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your current password."))
        return password

    def clean(self) -> dict:
        cleaned = super().clean()
        new, again = cleaned.get("new_password"), cleaned.get("new_password_again")
        if new and again and new != again:
            self.add_error("new_password_again", _("The two new passwords differ."))
        return cleaned


class TokenCreateForm(forms.Form):
    """The name of a new API token and how many days it works."""

    name = forms.CharField(
        label=gettext_lazy("Token name"),
        max_length=100,
        help_text=gettext_lazy("Name the program that will use it, such as “Statistics export”."),
    )
    # Left empty, the token gets the default lifetime, ROGATORY_TOKEN_DAYS.
    days = forms.IntegerField(label=gettext_lazy("Works for, days"), min_value=1, required=False)

    def __init__(self, *args, longest_days: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["days"]
        field.initial = min(settings.ROGATORY_TOKEN_DAYS, longest_days)
        field.max_value = longest_days
        field.validators.append(MaxValueValidator(longest_days))
        field.widget.attrs["max"] = longest_days
        field.help_text = ngettext(
            "After this the token stops working; at most %(count)d day.",
            "After this the token stops working; at most %(count)d days.",
            longest_days,
        ) % {"count": longest_days}
