"""Forms of the request page's assurances card (extradition requests only)."""

from django import forms
from django.utils.translation import gettext_lazy

from rogatory.register.assurances import AUTHORITY_MAX_LENGTH, TEXT_MAX_LENGTH
from rogatory.register.models import Assurance, AssuranceFollowUp

from .requests import DateInput, _not_future


def _date(label: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=DateInput(), validators=[_not_future]
    )


class AssuranceForm(forms.Form):
    """An assurance asked for, or given straight away."""

    type = forms.ChoiceField(label=gettext_lazy("Assurance"), choices=Assurance.Type.choices)
    text = forms.CharField(
        label=gettext_lazy("Terms"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("What is assured, in the words of the assurance if known."),
    )
    requested_on = _date(gettext_lazy("Requested on"), required=False)
    given_on = _date(gettext_lazy("Given on"), required=False)
    authority = forms.CharField(
        label=gettext_lazy("Given by"),
        required=False,
        max_length=AUTHORITY_MAX_LENGTH,
        help_text=gettext_lazy("The authority that gave it; needed with the date it was given."),
    )

    prefix = "assurance"

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("requested_on") and not cleaned.get("given_on") and not self.errors:
            self.add_error(
                "requested_on",
                gettext_lazy(
                    "Give the date the assurance was requested, or the date it was given."
                ),
            )
        return cleaned


class AssuranceGivenForm(forms.Form):
    """That a requested assurance was given, by whom and when."""

    given_on = _date(gettext_lazy("Given on"))
    authority = forms.CharField(label=gettext_lazy("Given by"), max_length=AUTHORITY_MAX_LENGTH)
    text = forms.CharField(
        label=gettext_lazy("Terms"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Leave empty to keep the terms recorded so far."),
    )


class FollowUpForm(forms.Form):
    """What was learned on a date about how an assurance is kept."""

    occurred_on = _date(gettext_lazy("Date"))
    finding = forms.ChoiceField(
        label=gettext_lazy("Finding"), choices=AssuranceFollowUp.Finding.choices
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Needed for a concern or a breach."),
    )


class AssuranceCloseForm(forms.Form):
    """The end of an assurance's monitoring, and why."""

    closed_on = _date(gettext_lazy("Closed on"))
    reason = forms.CharField(
        label=gettext_lazy("Why monitoring ends"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# Each assurance's forms are told apart by a prefix naming the assurance and the form.
ASSURANCE_FORMS: dict[str, type[forms.Form]] = {
    "given": AssuranceGivenForm,
    "follow_up": FollowUpForm,
    "close": AssuranceCloseForm,
}


def assurance_form(kind: str, assurance_id: int, data=None) -> forms.Form:
    """Return the form `kind` ("given", "follow_up", "close") of one assurance."""
    return ASSURANCE_FORMS[kind](data, prefix=f"assurance-{assurance_id}-{kind}")
