"""Forms of the work lists: what a list is narrowed to, and whose requests a supervisor sees."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from rogatory.accounts.models import Role, Unit, User
from rogatory.accounts.permissions import user_sees_all_units
from rogatory.deadlines.selectors import WorkFilters
from rogatory.register.models import Direction, Kind
from rogatory.web.forms.requests import _capitalised, units_of, user_has_several_units

_ANY = [("", gettext_lazy("Any"))]
STATE_CHOICES = [
    ("", gettext_lazy("Overdue and due soon")),
    ("overdue", gettext_lazy("Overdue only")),
    ("due_soon", gettext_lazy("Due soon only")),
]


def responsible_candidates() -> QuerySet[User]:
    """Return the active users who can be responsible for requests: clerks and supervisors."""
    return User.objects.filter(
        is_active=True, role__in=(Role.CLERK, Role.SUPERVISOR, Role.ADMINISTRATOR)
    ).order_by("username")


class WorkFilterForm(forms.Form):
    """What a work list is narrowed to; read from the query string."""

    unit = forms.ModelChoiceField(
        label=gettext_lazy("Unit"),
        required=False,
        queryset=Unit.objects.none(),
        to_field_name="code",
        empty_label=gettext_lazy("Any"),
    )
    direction = forms.ChoiceField(
        label=gettext_lazy("Direction"),
        required=False,
        choices=_ANY + _capitalised(Direction.choices),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), required=False, choices=_ANY + _capitalised(Kind.choices)
    )
    state = forms.ChoiceField(label=gettext_lazy("Show"), required=False, choices=STATE_CHOICES)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user_has_several_units(user):
            self.fields["unit"].queryset = units_of(user)
        else:
            del self.fields["unit"]

    def filters(self) -> WorkFilters:
        """Return the valid form as the selectors' filters."""
        data = self.cleaned_data
        unit = data.get("unit")
        return WorkFilters(
            unit=unit.code if unit else "",
            direction=data["direction"],
            kind=data["kind"],
            state=data.get("state", ""),
        )

    def query(self, **changes: str) -> str:
        """Return the submitted filters as a query string, with `changes` applied."""
        params = self.data.copy()
        for name in ("page", *changes):
            params.pop(name, None)
        for name, value in changes.items():
            if value:
                params[name] = value
        for name in [name for name, value in params.items() if value == ""]:
            params.pop(name)
        return params.urlencode()


class MyRequestsForm(WorkFilterForm):
    """The filters of "my requests"; a supervisor may choose whose requests to see."""

    clerk = forms.ModelChoiceField(
        label=gettext_lazy("Responsible"),
        required=False,
        queryset=User.objects.none(),
        empty_label=gettext_lazy("— me —"),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        del self.fields["state"]
        if user_sees_all_units(user):
            self.fields["clerk"].queryset = responsible_candidates()
        else:
            del self.fields["clerk"]
