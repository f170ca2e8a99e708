"""Forms of the engagement pages: the list filters, an engagement's fields, links, documents."""

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from rogatory.accounts.models import User
from rogatory.accounts.permissions import user_unit_ids
from rogatory.engagements.models import Engagement
from rogatory.engagements.selectors import EngagementFilters
from rogatory.reference.models import Country
from rogatory.register.documents import DOCUMENT_EXTENSIONS
from rogatory.register.models import Direction
from rogatory.web.forms.requests import CountryField, DateInput, units_of

_ANY = [("", gettext_lazy("Any"))]


def _kinds() -> list[tuple[str, str]]:
    return [(value, capfirst(label)) for value, label in Engagement.Kind.choices]


class EngagementFilterForm(forms.Form):
    """What the list of engagements is narrowed to; read from the query string."""

    search = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": gettext_lazy("Subject, authority, participants, topics"),
            }
        ),
    )
    country = CountryField(
        label=gettext_lazy("Country"), required=False, empty_label=gettext_lazy("Any")
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    year = forms.TypedChoiceField(
        label=gettext_lazy("Year"), required=False, coerce=int, empty_value=None
    )
    withdrawn = forms.BooleanField(label=gettext_lazy("Withdrawn ones only"), required=False)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _ANY + _kinds()
        self.fields["year"].choices = _ANY + [(year, str(year)) for year in years]

    def filters(self) -> EngagementFilters:
        """Return the valid form as the selector's filters."""
        data = self.cleaned_data
        return EngagementFilters(
            country=data["country"].pk if data["country"] else "",
            kind=data["kind"],
            year=data["year"],
            search=data["search"].strip(),
            withdrawn=data["withdrawn"],
        )


class CountriesField(forms.ModelMultipleChoiceField):
    """Several states, listed by name in the active language."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Country.objects.all(), **kwargs)

    def label_from_instance(self, country: Country) -> str:
        return country.name


class EngagementForm(forms.Form):
    """The fields of an engagement, for a new one or (with `engagement`) an edit."""

    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        error_messages={"required": gettext_lazy("Choose the kind of engagement.")},
    )
    title = forms.CharField(
        label=gettext_lazy("Subject"),
        max_length=300,
        error_messages={"required": gettext_lazy("Give the engagement a subject.")},
        help_text=gettext_lazy(
            "A line that names the engagement in lists, such as “Meeting with the chairman of "
            "the Anti-Corruption Agency”."
        ),
    )
    held_on = forms.DateField(
        label=gettext_lazy("Date"),
        widget=DateInput(),
        error_messages={"required": gettext_lazy("Enter the date of the engagement.")},
    )
    countries = CountriesField(
        label=gettext_lazy("States"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        error_messages={
            "required": gettext_lazy("Choose at least one state the engagement was with.")
        },
        help_text=gettext_lazy(
            "Hold Ctrl (⌘ on a Mac) to choose several states for a multilateral meeting."
        ),
    )
    our_authority = forms.CharField(
        label=gettext_lazy("Our authority"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Prosecutor General's Office")}),
    )
    their_authority = forms.CharField(
        label=gettext_lazy("Their authority"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Anti-Corruption Agency")}),
    )
    participants = forms.CharField(
        label=gettext_lazy("Participants"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Who took part, with their offices, such as “Prosecutor General X; Chairman of the "
            "Anti-Corruption Agency Y”."
        ),
    )
    topics = forms.CharField(
        label=gettext_lazy("Topics"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    outcomes = forms.CharField(
        label=gettext_lazy("Outcomes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    follow_up = forms.CharField(
        label=gettext_lazy("Follow-up actions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Unit"), queryset=None, empty_label=None, required=True
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, user: User, engagement: Engagement | None = None, **kwargs: Any
    ) -> None:
        self.engagement = engagement
        if engagement is not None:
            kwargs.setdefault(
                "initial",
                {
                    "kind": engagement.kind,
                    "title": engagement.title,
                    "held_on": engagement.held_on,
                    "countries": [country.pk for country in engagement.countries.all()],
                    "our_authority": engagement.our_authority,
                    "their_authority": engagement.their_authority,
                    "participants": engagement.participants,
                    "topics": engagement.topics,
                    "outcomes": engagement.outcomes,
                    "follow_up": engagement.follow_up,
                    "version": engagement.version,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _kinds()
        language = "ru" if (get_language() or "en").startswith("ru") else "en"
        self.fields["countries"].queryset = Country.objects.order_by(f"name_{language}")
        units = units_of(user)
        if engagement is None and units.count() > 1:
            self.fields["unit"].queryset = units
            self.fields["unit"].initial = units.filter(pk__in=user_unit_ids(user)).first()
        else:
            # An engagement stays with the unit that recorded it; a user of one unit records
            # for that unit.
            del self.fields["unit"]
        if engagement is None:
            del self.fields["version"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.engagement is not None and cleaned.get("version") not in (
            None,
            self.engagement.version,
        ):
            raise forms.ValidationError(
                _(
                    "Someone else changed this engagement while you were editing it. Open it "
                    "again to see their changes, then make yours."
                )
            )
        return cleaned

    def values(self) -> dict[str, Any]:
        """Return the fields as the services take them (without the version)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class LinkRequestForm(forms.Form):
    """A request of the register to link to an engagement, by our reference."""

    reference = forms.CharField(
        label=gettext_lazy("Our reference of the request"),
        max_length=100,
        error_messages={"required": gettext_lazy("Enter our reference of the request to link.")},
        help_text=gettext_lazy("A request you may work on."),
    )
    direction = forms.ChoiceField(
        label=gettext_lazy("Direction"),
        required=False,
        choices=_ANY + [(value, capfirst(label)) for value, label in Direction.choices],
        help_text=gettext_lazy("Only needed when the reference is used in both directions."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=300)

    prefix = "link"

    def clean_reference(self) -> str:
        return self.cleaned_data["reference"].strip()


class WithdrawForm(forms.Form):
    """Why an engagement is withdrawn."""

    reason = forms.CharField(
        label=gettext_lazy("Reason for withdrawal"),
        max_length=1000,
        error_messages={"required": gettext_lazy("Say why the engagement is withdrawn.")},
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    prefix = "withdraw"


class EngagementDocumentForm(forms.Form):
    """A file to keep with an engagement."""

    file = forms.FileField(
        label=gettext_lazy("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(DOCUMENT_EXTENSIONS)}),
    )
    title = forms.CharField(
        label=gettext_lazy("Title"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Leave empty to use the file name."),
    )

    prefix = "document"

    def __init__(self, *args: Any, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                _("The file is %(size)s; files of up to %(limit)s can be attached.")
                % {
                    "size": _("%(number).1f MB") % {"number": upload.size / (1024 * 1024)},
                    "limit": _("%(number).1f MB") % {"number": self.max_bytes / (1024 * 1024)},
                }
            )
        return upload
