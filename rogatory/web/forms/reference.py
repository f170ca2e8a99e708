"""Forms of the reference data page: refusal grounds and treaties.

They only parse what was typed; the services in `rogatory.reference.services` decide what is
allowed, and their errors come back onto the field they name.
"""

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from rogatory.core.exceptions import ApplicationError
from rogatory.reference.models import Country, RefusalGround, Treaty
from rogatory.reference.selectors import country_choices
from rogatory.reference.services import treaty_code_validate

_PARTIES_HELP = _("Hold Ctrl (⌘ on a Mac) to choose more than one country.")


def _countries(*, blank: bool = False) -> list[tuple[str, str]]:
    choices = country_choices(language=get_language() or "en")
    return [("", _("Choose a country")), *choices] if blank else choices


class RefusalGroundForm(forms.Form):
    """A refusal ground's labels and its political default."""

    label_en = forms.CharField(label=_("English label"), max_length=300)
    label_ru = forms.CharField(label=_("Russian label"), max_length=300)
    counts_as_political = forms.BooleanField(
        label=_("Counts as political by default"),
        required=False,
        help_text=_("Applies to refusals recorded from now on; recorded decisions keep theirs."),
    )

    @classmethod
    def for_ground(cls, ground: RefusalGround, data=None) -> "RefusalGroundForm":
        """Return the form filled with `ground`'s current values, or bound to `data`."""
        initial = {
            "label_en": ground.label_en,
            "label_ru": ground.label_ru,
            "counts_as_political": ground.counts_as_political,
        }
        return cls(data=data, initial=initial, prefix=f"ground-{ground.code}")


class TreatyForm(forms.Form):
    """A treaty's names, what it covers and the countries party to it with us."""

    name_en = forms.CharField(label=_("English name"), max_length=200)
    name_ru = forms.CharField(label=_("Russian name"), max_length=200)
    short_name = forms.CharField(label=_("Short name"), max_length=80, required=False)
    covers_mla = forms.BooleanField(label=_("Covers legal assistance"), required=False)
    covers_extradition = forms.BooleanField(label=_("Covers extradition"), required=False)
    parties = forms.ModelMultipleChoiceField(
        label=_("Parties"),
        queryset=Country.objects.all(),
        required=False,
        help_text=_PARTIES_HELP,
        widget=forms.SelectMultiple(attrs={"size": 14}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The queryset still checks what is chosen; the choices only set the order shown.
        self.fields["parties"].choices = _countries()

    @classmethod
    def for_treaty(cls, treaty: Treaty, data=None) -> "TreatyForm":
        """Return the form filled with `treaty`'s current values, or bound to `data`."""
        initial = {
            "name_en": treaty.name_en,
            "name_ru": treaty.name_ru,
            "short_name": treaty.short_name,
            "covers_mla": treaty.covers_mla,
            "covers_extradition": treaty.covers_extradition,
            "parties": list(treaty.parties.values_list("code", flat=True)),
        }
        return cls(data=data, initial=initial)


class BilateralTreatyForm(forms.Form):
    """A new bilateral treaty between our state and one other."""

    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("Capital Latin letters, digits and hyphens, such as BILAT-CH-2005."),
    )
    country = forms.ModelChoiceField(label=_("Other party"), queryset=Country.objects.all())
    name_en = forms.CharField(label=_("English name"), max_length=200)
    name_ru = forms.CharField(label=_("Russian name"), max_length=200)
    short_name = forms.CharField(label=_("Short name"), max_length=80, required=False)
    adopted_on = forms.DateField(
        label=_("Signed on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    covers_mla = forms.BooleanField(
        label=_("Covers legal assistance"), required=False, initial=True
    )
    covers_extradition = forms.BooleanField(label=_("Covers extradition"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = _countries(blank=True)

    def clean_code(self) -> str:
        # Codes are written in capitals everywhere (ECMA-1959); accept them typed in any case.
        code = self.cleaned_data["code"].strip().upper()
        # Checked here as well as by the service, so that a wrong code is named together with
        # every other wrong field rather than after they are put right.
        try:
            treaty_code_validate(code=code)
        except ApplicationError as error:
            raise forms.ValidationError(error.message) from None
        return code
