"""Forms of the statement page and of a request's publication example."""

from django import forms
from django.utils.translation import gettext_lazy

from rogatory.core.exceptions import ValidationError
from rogatory.publication.models import SUMMARY_MAX_LENGTH, Example
from rogatory.publication.statement import FIRST_YEAR, LAST_YEAR
from rogatory.statistics.projection import as_of_parse


class ExampleForm(forms.Form):
    """A request's example for the statement: its category and public summaries."""

    category = forms.ChoiceField(
        label=gettext_lazy("Example of"),
        choices=Example.Category.choices,
        widget=forms.RadioSelect,
    )
    summary_en = forms.CharField(
        label=gettext_lazy("Public summary in English"),
        required=False,
        max_length=SUMMARY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "lang": "en"}),
        help_text=gettext_lazy(
            "It follows “For example, in October 2023,”: start with the state or authority "
            "(“Bulgaria refused …”). No names, dates of birth, document numbers or references."
        ),
    )
    summary_ru = forms.CharField(
        label=gettext_lazy("Public summary in Russian"),
        required=False,
        max_length=SUMMARY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "lang": "ru"}),
        help_text=gettext_lazy(
            "It follows “Например, в октябре 2023 года”: start with the state or authority."
        ),
    )
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not (cleaned.get("summary_en") or cleaned.get("summary_ru")):
            self.add_error(
                "summary_en",
                gettext_lazy("Write the public summary in English, in Russian, or in both."),
            )
        return cleaned


class ExampleApproveForm(forms.Form):
    """The version of the example the supervisor read and approves."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class StatementForm(forms.Form):
    """The year of the statement and, optionally, the moment it is known at."""

    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    as_of = forms.CharField(
        label=gettext_lazy("As known at"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("A date (YYYY-MM-DD) or date and time; empty for now."),
    )

    def clean_as_of(self):
        try:
            return as_of_parse(self.cleaned_data["as_of"])
        except ValidationError as error:
            raise forms.ValidationError(error.message) from None
