"""Forms of the register pages: the list filters, a new request, its details, its events.

The forms check what they can without the database, so that a mistake is named on its field;
the services check everything again, and what they still refuse is shown by `service_error`.
"""

from dataclasses import replace
from datetime import date
from typing import Any, ClassVar

from django import forms
from django.db.models import Q, QuerySet
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

from rogatory.accounts.models import Role, Unit, User
from rogatory.accounts.permissions import user_sees_all_units, user_unit_ids
from rogatory.core.exceptions import ApplicationError, TransitionError
from rogatory.reference.models import Country, OffenceCategory, RefusalGround, Treaty
from rogatory.register import lifecycle
from rogatory.register.documents import DOCUMENT_EXTENSIONS
from rogatory.register.models import (
    Direction,
    Document,
    Kind,
    Outcome,
    Priority,
    Purpose,
    Request,
    Status,
)
from rogatory.register.selectors import RequestFilters
from rogatory.statistics.cache import figures_cached


def service_error(form: forms.Form, error: ApplicationError, *, field: str | None = None) -> None:
    """Show a service's refusal on `form`: on the field it names (or `field`), else on top."""
    named = error.extra.get("field") or field
    form.add_error(named if named in form.fields else None, error.message)


def units_of(user: User) -> QuerySet[Unit]:
    """Return the units whose requests `user` sees."""
    if user_sees_all_units(user):
        return Unit.objects.all()
    return Unit.objects.filter(pk__in=user_unit_ids(user))


def user_has_several_units(user: User) -> bool:
    """Return whether `user` works across units, so that pages let them choose one."""
    return user_sees_all_units(user) or len(user_unit_ids(user)) > 1


# --- Fields ------------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    """A browser date picker that reads and writes ISO dates."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _russian() -> bool:
    return (get_language() or "en").startswith("ru")


class _CountryIterator(ModelChoiceIterator):
    """Countries in the alphabetical order of the language of the response being built.

    The list is the same for every form in a language until the reference data changes, and
    reading its 250 rows cost a register page more than its requests: it is cached.
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        language = "ru" if _russian() else "en"
        queryset = self.queryset.order_by(f"name_{language}")
        yield from figures_cached(
            "country_choices",
            key=(language, str(queryset.query)),
            compute=lambda: [
                (country.pk, self.field.label_from_instance(country)) for country in queryset
            ],
        )


class _QuickSelect(forms.Select):
    """A select whose options are joined in Python rather than rendered one template each.

    The country list has some 250 options; rendered by templates it cost most of a page's time.
    """

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None) -> str:
        chosen = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option, " selected" if str(option) in chosen else "", label)
                for option, label in self.choices
            ),
        )
        final_attrs = self.build_attrs(self.attrs, attrs)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final_attrs), options)


class CountryField(forms.ModelChoiceField):
    """A country, listed by its name in the active language."""

    iterator = _CountryIterator
    widget = _QuickSelect

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", gettext_lazy("— choose a country —"))
        super().__init__(queryset=Country.objects.all(), **kwargs)

    def label_from_instance(self, country: Country) -> str:
        return country.name


class TreatyField(forms.ModelChoiceField):
    """A legal basis, by its code and name."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", gettext_lazy("— not stated —"))
        super().__init__(queryset=Treaty.objects.order_by("code"), **kwargs)

    def label_from_instance(self, treaty: Treaty) -> str:
        return f"{treaty.code} — {treaty.name}"


class OffenceCategoryField(forms.ModelChoiceField):
    """An ICCS level-1 offence category, by its code and name."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", gettext_lazy("— not stated —"))
        super().__init__(queryset=OffenceCategory.objects.order_by("code"), **kwargs)

    def label_from_instance(self, category: OffenceCategory) -> str:
        return f"{category.code} — {category.name}"


class _GroundLabel:
    """Name refusal grounds by code and label, so that clerks can match the treaty's wording."""

    def label_from_instance(self, ground: RefusalGround) -> str:
        return f"{ground.code} — {ground.label}"


class GroundField(_GroundLabel, forms.ModelChoiceField):
    """One refusal ground, by its code and label."""


class GroundsField(_GroundLabel, forms.ModelMultipleChoiceField):
    """Several refusal grounds, by code and label."""


def _not_future(value: date | None) -> None:
    if value is not None and value > timezone.localdate():
        raise forms.ValidationError(
            _("The date %(date)s is in the future.") % {"date": value.isoformat()}
        )


class ResponsibleField(forms.ModelChoiceField):
    """The clerk responsible for a request: an active clerk or supervisor of its unit."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", gettext_lazy("— nobody yet —"))
        super().__init__(queryset=User.objects.none(), **kwargs)

    def limit_to_units(self, units: QuerySet[Unit] | list[Any], *, current: Any = None) -> None:
        """Offer the active users who may work on requests of any of `units`.

        `current` (the id of the clerk now responsible) stays on offer even if they no longer
        qualify, so that the other fields of a request can still be saved.
        """
        self.queryset = (
            User.objects.filter(
                Q(is_active=True, role__in=(Role.SUPERVISOR, Role.ADMINISTRATOR))
                | Q(is_active=True, role=Role.CLERK, units__in=units)
                | Q(pk=current)
            )
            .distinct()
            .order_by("username")
        )

    def label_from_instance(self, user: User) -> str:
        full_name = user.get_full_name()
        return f"{user.get_username()} — {full_name}" if full_name else user.get_username()


# --- The register list -------------------------------------------------------------------------

SORT_CHOICES = [
    ("-registered", gettext_lazy("Newest registered first")),
    ("registered", gettext_lazy("Oldest registered first")),
    ("reference", gettext_lazy("Reference, A to Z")),
    ("-reference", gettext_lazy("Reference, Z to A")),
    ("-opened", gettext_lazy("Opened, newest first")),
    ("opened", gettext_lazy("Opened, oldest first")),
    ("-decided", gettext_lazy("Decided, newest first")),
    ("decided", gettext_lazy("Decided, oldest first")),
    ("priority", gettext_lazy("Priority, most urgent first")),
    ("-priority", gettext_lazy("Priority, least urgent first")),
]
_ANY = [("", gettext_lazy("Any"))]


def _capitalised(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [(value, capfirst(label)) for value, label in choices]


class RequestFilterForm(forms.Form):
    """What the register list is narrowed to and sorted by; read from the query string."""

    search = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": gettext_lazy("Reference, case, authority, offence"),
            }
        ),
    )
    direction = forms.ChoiceField(
        label=gettext_lazy("Direction"),
        required=False,
        choices=_ANY + _capitalised(Direction.choices),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), required=False, choices=_ANY + _capitalised(Kind.choices)
    )
    country = CountryField(
        label=gettext_lazy("Country"), required=False, empty_label=gettext_lazy("Any")
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), required=False, choices=_ANY + _capitalised(Status.choices)
    )
    opened_from = forms.DateField(
        label=gettext_lazy("Opened from"), required=False, widget=DateInput()
    )
    opened_to = forms.DateField(label=gettext_lazy("Opened to"), required=False, widget=DateInput())
    ground = GroundField(
        label=gettext_lazy("Refusal ground"),
        required=False,
        queryset=RefusalGround.objects.all(),
        empty_label=gettext_lazy("Any"),
    )
    political = forms.ChoiceField(
        label=gettext_lazy("Political"),
        required=False,
        choices=[
            ("", gettext_lazy("Any")),
            ("yes", gettext_lazy("Yes")),
            ("no", gettext_lazy("No")),
        ],
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Unit"),
        required=False,
        queryset=Unit.objects.none(),
        to_field_name="code",
        empty_label=gettext_lazy("Any"),
    )
    sort = forms.ChoiceField(
        label=gettext_lazy("Sort by"), required=False, choices=SORT_CHOICES, initial="-registered"
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user_has_several_units(user):
            self.fields["unit"].queryset = units_of(user)
        else:
            del self.fields["unit"]
        # The register list is the busiest page: its selects are joined in Python, not rendered
        # one template per option.
        for field in self.fields.values():
            if type(field.widget) is forms.Select:
                quick = _QuickSelect(attrs=field.widget.attrs)
                quick.choices = field.widget.choices
                quick.is_required = field.widget.is_required
                field.widget = quick

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("opened_from"), cleaned.get("opened_to")
        if start and end and end < start:
            self.add_error("opened_to", _("The end of the period is before its start."))
        return cleaned

    def filters(self) -> RequestFilters:
        """Return the valid form as the selector's filters."""
        data = self.cleaned_data
        unit = data.get("unit")
        return RequestFilters(
            direction=data["direction"],
            kind=data["kind"],
            country=data["country"].pk if data["country"] else "",
            status=data["status"],
            opened_from=data["opened_from"],
            opened_to=data["opened_to"],
            ground=data["ground"].pk if data["ground"] else "",
            political={"yes": True, "no": False}.get(data["political"]),
            unit=unit.code if unit else "",
            search=data["search"].strip(),
            sort=data["sort"] or "-registered",
        )

    @property
    def sort_headers(self) -> dict[str, dict[str, str | None]]:
        """Return, per sortable column, how the list is sorted by it and the link to re-sort."""
        current = (self.cleaned_data.get("sort") if self.is_valid() else "") or "-registered"
        headers = {}
        for column, first in (
            ("reference", "reference"),
            ("opened", "-opened"),
            ("decided", "-decided"),
            ("priority", "priority"),
        ):
            if current.removeprefix("-") == column:
                descending = current.startswith("-")
                headers[column] = {
                    "current": "desc" if descending else "asc",
                    "query": self.query(sort=column if descending else f"-{column}"),
                }
            else:
                headers[column] = {"current": None, "query": self.query(sort=first)}
        return headers

    def query(self, **changes: str) -> str:
        """Return the submitted filters as a query string, with `changes` applied."""
        params = self.data.copy()
        for name in ("cursor", *changes):
            params.pop(name, None)
        for name, value in changes.items():
            if value:
                params[name] = value
        for name in [name for name, value in params.items() if value == ""]:
            params.pop(name)
        return params.urlencode()


# --- A request's descriptive fields ------------------------------------------------------------


class _RequestFieldsForm(forms.Form):
    """The descriptive fields of a request, shared by the new-request and edit forms."""

    country = CountryField(label=gettext_lazy("Counterpart state"))
    counterpart_reference = forms.CharField(
        label=gettext_lazy("Counterpart's reference"), required=False, max_length=100
    )
    counterpart_authority = forms.CharField(
        label=gettext_lazy("Counterpart authority"), required=False, max_length=300
    )
    legal_basis = TreatyField(label=gettext_lazy("Legal basis"), required=False)
    domestic_case = forms.CharField(
        label=gettext_lazy("Domestic criminal case"), required=False, max_length=100
    )
    offence_category = OffenceCategoryField(label=gettext_lazy("Offence category"), required=False)
    offence_description = forms.CharField(
        label=gettext_lazy("Offence"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    money_laundering = forms.BooleanField(
        label=gettext_lazy("Money laundering"),
        required=False,
        help_text=gettext_lazy("Counted apart in the FATF statistics."),
    )
    terrorist_financing = forms.BooleanField(
        label=gettext_lazy("Terrorist financing"),
        required=False,
        help_text=gettext_lazy("Counted apart in the FATF statistics."),
    )
    purpose = forms.ChoiceField(
        label=gettext_lazy("Purpose"),
        required=False,
        choices=_capitalised(Purpose.choices),
        initial=Purpose.PROSECUTION,
        help_text=gettext_lazy("Extradition requests only."),
    )
    persons_count = forms.IntegerField(
        label=gettext_lazy("Number of persons sought"),
        required=False,
        min_value=1,
        initial=1,
        help_text=gettext_lazy("Extradition requests only."),
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    priority = forms.ChoiceField(
        label=gettext_lazy("Priority"),
        required=False,
        choices=_capitalised(Priority.choices),
        initial=Priority.NORMAL,
        help_text=gettext_lazy(
            "A person in custody, a running provisional arrest or a limitation date within six "
            "months makes the request urgent whatever is chosen here."
        ),
    )
    priority_reason = forms.CharField(
        label=gettext_lazy("Reason for the priority"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Needed for an urgent or high priority."),
    )
    limitation_on = forms.DateField(
        label=gettext_lazy("Limitation date"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy("The date the limitation period for the offence runs out."),
    )
    responsible = ResponsibleField(label=gettext_lazy("Responsible clerk"), required=False)
    interpol_notice = forms.CharField(
        label=gettext_lazy("Interpol notice"),
        required=False,
        max_length=60,
        help_text=gettext_lazy("The reference of an Interpol notice, such as a red notice."),
    )

    def clean_priority(self) -> str:
        # A form sent without the field (an older page, a script) keeps the normal priority.
        return self.cleaned_data.get("priority") or Priority.NORMAL

    def _clean_extradition_fields(self, kind: str, cleaned: dict[str, Any]) -> None:
        if kind == Kind.EXTRADITION:
            cleaned["purpose"] = cleaned.get("purpose") or Purpose.PROSECUTION
            if cleaned.get("persons_count") is None and "persons_count" not in self.errors:
                cleaned["persons_count"] = 1
        else:
            # The page hides these for legal assistance; whatever they hold does not apply.
            cleaned["purpose"], cleaned["persons_count"] = "", 0
            for name in ("purpose", "persons_count"):
                self._errors.pop(name, None)


class RequestRegisterForm(_RequestFieldsForm):
    """A new request for the register."""

    field_order = [
        "direction",
        "kind",
        "reference",
        "registered_on",
        "country",
        "counterpart_reference",
        "counterpart_authority",
        "legal_basis",
        "domestic_case",
        "offence_category",
        "offence_description",
        "money_laundering",
        "terrorist_financing",
        "purpose",
        "persons_count",
        "unit",
        "notes",
        "priority",
        "priority_reason",
        "limitation_on",
        "responsible",
        "interpol_notice",
    ]

    direction = forms.ChoiceField(
        label=gettext_lazy("Direction"),
        choices=[
            (Direction.OUTGOING, gettext_lazy("Outgoing (we ask)")),
            (Direction.INCOMING, gettext_lazy("Incoming (we are asked)")),
        ],
        widget=forms.RadioSelect,
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[
            (Kind.MLA, gettext_lazy("Legal assistance (MLA)")),
            (Kind.EXTRADITION, gettext_lazy("Extradition")),
        ],
        widget=forms.RadioSelect,
    )
    reference = forms.CharField(
        label=gettext_lazy("Our reference"),
        max_length=100,
        help_text=gettext_lazy("Unique among requests of the same direction."),
    )
    registered_on = forms.DateField(
        label=gettext_lazy("Registered on"), widget=DateInput(), validators=[_not_future]
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Unit"), queryset=Unit.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("registered_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        if user_has_several_units(user):
            self.fields["unit"].queryset = units_of(user)
            self.fields["unit"].initial = units_of(user).filter(pk__in=user_unit_ids(user)).first()
        else:
            del self.fields["unit"]
        # The service checks that the one chosen may work on the unit the request goes to.
        self.fields["responsible"].limit_to_units(units_of(user))

    def clean_reference(self) -> str:
        return self.cleaned_data["reference"].strip()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self._clean_extradition_fields(cleaned.get("kind", ""), cleaned)
        return cleaned


class RequestUpdateForm(_RequestFieldsForm):
    """The descriptive fields of a registered request, guarded by the version it was read at."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, request: Request, **kwargs: Any) -> None:
        self.request = request
        kwargs.setdefault(
            "initial",
            {
                "counterpart_reference": request.counterpart_reference,
                "country": request.country_id,
                "counterpart_authority": request.counterpart_authority,
                "legal_basis": request.legal_basis_id,
                "domestic_case": request.domestic_case,
                "offence_category": request.offence_category_id,
                "offence_description": request.offence_description,
                "money_laundering": request.money_laundering,
                "terrorist_financing": request.terrorist_financing,
                "purpose": request.purpose,
                "persons_count": request.persons_count,
                "notes": request.notes,
                "priority": request.priority,
                "priority_reason": request.priority_reason,
                "limitation_on": request.limitation_on,
                "responsible": request.responsible_id,
                "interpol_notice": request.interpol_notice,
                "version": request.version,
            },
        )
        super().__init__(*args, **kwargs)
        if request.kind != Kind.EXTRADITION:
            del self.fields["purpose"], self.fields["persons_count"]
        self.fields["responsible"].limit_to_units([request.unit_id], current=request.responsible_id)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("version") not in (None, self.request.version):
            raise forms.ValidationError(
                _(
                    "Someone else changed this request while you were editing it. Open the "
                    "request again to see their changes, then make yours."
                )
            )
        self._clean_extradition_fields(self.request.kind, cleaned)
        return cleaned

    def changes(self) -> dict[str, Any]:
        """Return the fields as `request_update` takes them."""
        changes = {name: self.cleaned_data[name] for name in self.fields if name != "version"}
        if changes.get("responsible") == self.request.responsible:
            # Unchanged: not checked again, so a clerk who has since left the unit does not
            # stop the other fields from being saved.
            del changes["responsible"]
        return changes


# --- Events ------------------------------------------------------------------------------------


class EventForm(forms.Form):
    """One event of a request's lifecycle, checked against the request's current state."""

    # Per event type: the heading of its form, the label of its date, its button.
    TEXTS: ClassVar[dict[str, tuple[str, str, str]]] = {
        "sent": (
            gettext_lazy("Sent to the requested state"),
            gettext_lazy("Date sent"),
            gettext_lazy("Record as sent"),
        ),
        "received": (
            gettext_lazy("Received from the requesting state"),
            gettext_lazy("Date received"),
            gettext_lazy("Record as received"),
        ),
        "acknowledged": (
            gettext_lazy("Receipt acknowledged"),
            gettext_lazy("Date acknowledged"),
            gettext_lazy("Record acknowledgement"),
        ),
        "supplementary_requested": (
            gettext_lazy("Supplementary information requested"),
            gettext_lazy("Date requested"),
            gettext_lazy("Record the request for information"),
        ),
        "supplementary_provided": (
            gettext_lazy("Supplementary information provided"),
            gettext_lazy("Date provided"),
            gettext_lazy("Record information provided"),
        ),
        "provisional_arrest": (
            gettext_lazy("Provisional arrest"),
            gettext_lazy("Date of arrest"),
            gettext_lazy("Record provisional arrest"),
        ),
        "hearing": (
            gettext_lazy("Hearing"),
            gettext_lazy("Date of hearing"),
            gettext_lazy("Record hearing"),
        ),
        "decided": (
            gettext_lazy("Decision"),
            gettext_lazy("Date of decision"),
            gettext_lazy("Record decision"),
        ),
        "surrendered": (
            gettext_lazy("Person surrendered"),
            gettext_lazy("Date of surrender"),
            gettext_lazy("Record surrender"),
        ),
        "reopened": (
            gettext_lazy("Re-open the request"),
            gettext_lazy("Date re-opened"),
            gettext_lazy("Re-open request"),
        ),
        "opening_corrected": (
            gettext_lazy("Correct the opening date"),
            gettext_lazy("Correct opening date"),
            gettext_lazy("Correct the date"),
        ),
    }

    occurred_on = forms.DateField(widget=DateInput(), validators=[_not_future])
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # The version of the request the page showed: the service refuses the event if someone has
    # changed the request since, and a second submit of the same form finds it changed.
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        event_type: str,
        state: lifecycle.State,
        version: int | None = None,
        **kwargs: Any,
    ) -> None:
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("occurred_on", timezone.localdate())
        initial.setdefault("version", version)
        super().__init__(*args, prefix=event_type, **kwargs)
        self.event_type = event_type
        self.state = state
        self.heading, date_label, self.button = self.TEXTS[event_type]
        self.fields["occurred_on"].label = date_label

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "occurred_on" in cleaned:
            # The date on its own first, so that it is named even when other fields are wrong:
            # a withdrawal is a decision that the state alone can refuse.
            probe = lifecycle.Change(
                type=self.event_type, occurred_on=cleaned["occurred_on"], outcome=Outcome.WITHDRAWN
            )
            self._check(probe, date_only=True)
        if not self.errors:
            self._check(self.change())
        return cleaned

    def _check(self, change: lifecycle.Change, *, date_only: bool = False) -> None:
        try:
            lifecycle.apply(self.state, change)
        except TransitionError as error:
            field = self._field_of(change)
            if field or not date_only:
                self.add_error(field, error.message)

    def change(self) -> lifecycle.Change:
        """Return the event as the lifecycle sees it."""
        return lifecycle.Change(type=self.event_type, occurred_on=self.cleaned_data["occurred_on"])

    def _field_of(self, change: lifecycle.Change) -> str | None:
        """Return the field a refused change is about: its date, or (None) the event itself."""
        always_acceptable = date.max
        if change.type == "opening_corrected":
            always_acceptable = self.state.opened_on or date.max
        try:
            lifecycle.apply(self.state, replace(change, occurred_on=always_acceptable))
        except TransitionError:
            return None
        return "occurred_on"


class ReasonedEventForm(EventForm):
    """An event that changes what was recorded before, and so needs a reason."""

    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    note = None


class DecisionForm(EventForm):
    """The decision on a request; a refusal names its grounds and may override "political"."""

    field_order = ["outcome", "occurred_on", "grounds", "political", "political_reason", "note"]

    outcome = forms.ChoiceField(label=gettext_lazy("Decision"), widget=forms.RadioSelect)
    grounds = GroundsField(
        label=gettext_lazy("Refusal grounds"),
        required=False,
        queryset=RefusalGround.objects.all(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "ground-choice"}),
        help_text=gettext_lazy("Every ground the refusal gives; refusals only."),
    )
    political = forms.ChoiceField(
        label=gettext_lazy("Counts as political"),
        required=False,
        choices=[
            ("", gettext_lazy("As the grounds say")),
            ("yes", pgettext_lazy("political", "Yes, for political reasons")),
            ("no", pgettext_lazy("political", "No, not for political reasons")),
        ],
        help_text=gettext_lazy(
            "A refusal counts as political when one of its grounds does; override that only "
            "with a reason."
        ),
    )
    political_reason = forms.CharField(
        label=gettext_lazy("Reason for the override"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, state: lifecycle.State, **kwargs: Any) -> None:
        super().__init__(*args, state=state, **kwargs)
        labels = dict(Outcome.choices)
        self.fields["outcome"].choices = [
            (outcome, capfirst(labels[outcome]))
            for outcome in Outcome.values
            if outcome in lifecycle.OUTCOMES_BY_KIND[state.kind]
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = forms.Form.clean(self)
        if cleaned.get("outcome") != Outcome.REFUSED:
            # The page shows grounds and the political flag only for a refusal; whatever
            # the hidden fields hold does not apply to another decision.
            cleaned.update(grounds=[], political="", political_reason="")
            for name in ("grounds", "political", "political_reason"):
                self._errors.pop(name, None)
        elif not cleaned.get("grounds") and "grounds" not in self.errors:
            self.add_error("grounds", _("A refusal needs at least one refusal ground."))
        elif self.overrides_grounds() and not cleaned.get("political_reason", "").strip():
            self.add_error(
                "political_reason",
                _("Overriding the political classification of the grounds needs a reason."),
            )
        return super().clean()

    def political_choice(self) -> bool | None:
        """Return the political classification chosen, or None to follow the grounds."""
        return {"yes": True, "no": False}.get(self.cleaned_data.get("political", ""))

    def overrides_grounds(self) -> bool:
        """Return whether the classification chosen differs from what the grounds say."""
        chosen = self.political_choice()
        grounds = self.cleaned_data.get("grounds") or []
        return chosen is not None and chosen != any(g.counts_as_political for g in grounds)

    def change(self) -> lifecycle.Change:
        grounds = self.cleaned_data["grounds"]
        return lifecycle.Change(
            type=self.event_type,
            occurred_on=self.cleaned_data["occurred_on"],
            outcome=self.cleaned_data["outcome"],
            ground_codes=tuple(sorted(ground.code for ground in grounds)),
        )


_FORM_CLASSES: dict[str, type[EventForm]] = {
    "decided": DecisionForm,
    "reopened": ReasonedEventForm,
    "opening_corrected": ReasonedEventForm,
}

EVENT_TYPES = tuple(EventForm.TEXTS)


def event_form(
    event_type: str, *, state: lifecycle.State, data: Any = None, version: int | None = None
) -> EventForm:
    """Return the form that records an event of `event_type` on a request in `state`.

    An unbound form carries `version`, the version of the request the page shows.
    """
    form_class = _FORM_CLASSES.get(event_type, EventForm)
    return form_class(data, event_type=event_type, state=state, version=version)


# --- Persons sought and documents --------------------------------------------------------------


class PersonForm(forms.Form):
    """A person sought in an extradition request."""

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
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    prefix = "person"


class DocumentForm(forms.Form):
    """A file to attach to a request."""

    # The browser offers the kinds of file Rogatory keeps; the service checks the content.
    file = forms.FileField(
        label=gettext_lazy("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(DOCUMENT_EXTENSIONS)}),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of document"), choices=Document.Kind.choices, initial="other"
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
                % {"size": _megabytes(upload.size), "limit": _megabytes(self.max_bytes)}
            )
        return upload


def _megabytes(size: int) -> str:
    return _("%(number).1f MB") % {"number": size / (1024 * 1024)}
