"""The form of the draft page: the request letter's elements, grouped as the letter has them."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from rogatory.drafting.models import DRAFT_FIELDS, Draft, LetterLanguage
from rogatory.register.models import Kind, Request

_LONG_TEXTS = (
    "authority_address",
    "proceedings",
    "facts",
    "legal_provisions",
    "assistance",
    "relevance",
    "persons",
    "procedures",
    "confidentiality",
    "urgency",
)

# The groups of the page, in the order of the letter; each names its fields.
GROUPS = (
    (
        gettext_lazy("Requesting authority and contact"),
        ("authority_name", "authority_address", "contact_name", "contact_phone", "contact_email"),
    ),
    (gettext_lazy("The case"), ("proceedings", "facts", "legal_provisions")),
    (gettext_lazy("What is asked"), ("assistance", "relevance", "persons")),
    (gettext_lazy("How and when"), ("procedures", "confidentiality", "urgency")),
    (gettext_lazy("The letter"), ("language",)),
)


def _model_field(name: str):
    return Draft._meta.get_field(name)


class DraftForm(forms.Form):
    """The letter's fields with the version of the letter they were read at (0: not started)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, request: Request, draft: Draft | None, **kwargs: Any) -> None:
        self.request = request
        kwargs.setdefault("initial", draft_initial(request=request, draft=draft))
        super().__init__(*args, **kwargs)
        for name in DRAFT_FIELDS:
            model_field = _model_field(name)
            label = model_field.verbose_name[:1].upper() + model_field.verbose_name[1:]
            if name == "language":
                field = forms.ChoiceField(label=label, choices=LetterLanguage.choices)
            elif name == "contact_email":
                field = forms.EmailField(label=label, required=False, max_length=254)
            elif name in _LONG_TEXTS:
                field = forms.CharField(
                    label=label,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 4}),
                    max_length=20000,
                )
            else:
                field = forms.CharField(
                    label=label, required=False, max_length=model_field.max_length
                )
            field.help_text = model_field.help_text
            self.fields[name] = field
        if request.kind == Kind.EXTRADITION:
            # The persons sought are those named on the request; extradition needs no "why".
            del self.fields["persons"], self.fields["relevance"]
            self.fields["assistance"].label = gettext_lazy("Further requests (optional)")
            self.fields["assistance"].help_text = gettext_lazy(
                "Anything asked besides the surrender, such as handing over objects or evidence."
            )
            self.fields["procedures"].label = gettext_lazy("Procedures to follow (optional)")

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """Return the page's groups, each with the bound fields this request's letter has."""
        return [
            (title, [self[name] for name in names if name in self.fields])
            for title, names in GROUPS
            if any(name in self.fields for name in names)
        ]

    def changes(self) -> dict[str, Any]:
        """Return the letter's fields as the service takes them."""
        return {name: self.cleaned_data[name] for name in DRAFT_FIELDS if name in self.fields}


def draft_initial(*, request: Request, draft: Draft | None) -> dict[str, Any]:
    """Return what the form starts with: the letter as saved, or a start from the request."""
    if draft is not None:
        return {
            **{name: getattr(draft, name) for name in DRAFT_FIELDS},
            "version": draft.version,
        }
    initial: dict[str, Any] = {"version": 0}
    responsible = request.responsible
    if responsible is not None:
        initial["contact_name"] = responsible.get_full_name() or responsible.get_username()
        initial["contact_email"] = responsible.email
    reasons = [request.priority_reason.strip()] if request.priority_reason.strip() else []
    if reasons:
        initial["urgency"] = "\n".join(reasons)
    initial["language"] = (
        LetterLanguage.RUSSIAN
        if request.country.translation_language == "ru"
        else LetterLanguage.ENGLISH
    )
    return initial


class LetterChoiceForm(forms.Form):
    """Which file of the letter to make: DOCX or PDF, English or Russian."""

    format = forms.ChoiceField(
        label=gettext_lazy("Format"), choices=(("docx", "DOCX"), ("pdf", "PDF"))
    )
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=LetterLanguage.choices)
