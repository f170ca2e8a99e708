"""Forms of the request page's links card, and of a person sought's custody and identification.

The forms check what they can without the database; the services check everything again, and
what they still refuse is shown on the field it names by `service_error`.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from rogatory.register.links import NOTE_MAX_LENGTH
from rogatory.register.models import Direction, Person, RequestLink

from .requests import CountryField, DateInput, _not_future


class LinkForm(forms.Form):
    """Another request to link to the one on the page, found by our reference."""

    reference = forms.CharField(
        label=gettext_lazy("Our reference of the other request"),
        max_length=100,
        help_text=gettext_lazy("Only requests you can see can be linked."),
    )
    direction = forms.ChoiceField(
        label=gettext_lazy("Its direction"),
        choices=[("", gettext_lazy("— either —")), *Direction.choices],
        required=False,
        help_text=gettext_lazy("Needed only when an outgoing and an incoming request share it."),
    )
    type = forms.ChoiceField(label=gettext_lazy("Link"), choices=RequestLink.Type.choices)
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    prefix = "link"


class PersonEditForm(forms.Form):
    """What is known about a person sought: custody, identification and the rest."""

    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=300)
    born_on = forms.DateField(
        label=gettext_lazy("Date of birth"),
        required=False,
        widget=DateInput(),
        validators=[_not_future],
    )
    nationality = CountryField(
        label=gettext_lazy("Nationality"), required=False, empty_label=gettext_lazy("— unknown —")
    )
    in_custody = forms.BooleanField(label=gettext_lazy("In custody"), required=False)
    identification = forms.CharField(
        label=gettext_lazy("Identification"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Identity documents, place of birth, description: what lets the requested state "
            "identify the person."
        ),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"person-{person.pk}")
        if not args and "data" not in kwargs:
            kwargs.setdefault(
                "initial",
                {
                    "full_name": person.full_name,
                    "born_on": person.born_on,
                    "nationality": person.nationality_id,
                    "in_custody": person.in_custody,
                    "identification": person.identification,
                    "note": person.note,
                },
            )
        super().__init__(*args, **kwargs)
        self.person = person
