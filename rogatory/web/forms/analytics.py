"""Forms of the analytics and intake pages: register import, report, countries, audit trail."""

from datetime import date, datetime
from pathlib import Path

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from rogatory.accounts.models import Unit, User
from rogatory.accounts.permissions import user_sees_all_units
from rogatory.core.exceptions import ApplicationError
from rogatory.core.formats import format_megabytes
from rogatory.register.models import Direction
from rogatory.statistics.projection import as_of_check

_DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RegisterUploadForm(forms.Form):
    """A register file to check, and the unit its new requests go to."""

    file = forms.FileField(
        label=gettext_lazy("Register file"),
        help_text=gettext_lazy("CSV (UTF-8) or XLSX, register format v1, one row per request."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        label=gettext_lazy("Unit for new requests"),
        help_text=gettext_lazy("Requests the file already names stay in their own units."),
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        units = Unit.objects.all() if user_sees_all_units(user) else user.units.all()
        self.fields["unit"].queryset = units.order_by("name")
        own = list(user.units.all()[:2])
        if len(own) == 1:
            self.fields["unit"].initial = own[0].pk

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.ROGATORY_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file %(name)s is larger than %(limit)s, the most an upload may have.")
                % {"name": Path(upload.name).name, "limit": format_megabytes(limit)}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload

    @property
    def original_name(self) -> str:
        """Return the name the user's file had, as they will recognise it."""
        return Path(self.cleaned_data["file"].name).name


class ReportForm(forms.Form):
    """The period (a year, or from and to dates), direction and "as known at" moment of a report.

    A moment without a time zone is in the server's; a moment in the future is an error.
    """

    year = forms.IntegerField(
        label=gettext_lazy("Year"), required=False, min_value=1900, max_value=9999
    )
    period_from = forms.DateField(
        label=pgettext_lazy("period", "From"), required=False, widget=_DATE_INPUT
    )
    period_to = forms.DateField(
        label=pgettext_lazy("period", "To"), required=False, widget=_DATE_INPUT
    )
    direction = forms.ChoiceField(
        label=gettext_lazy("Direction"),
        choices=[
            (Direction.OUTGOING, gettext_lazy("Outgoing")),
            (Direction.INCOMING, gettext_lazy("Incoming")),
        ],
        required=False,
    )
    as_of = forms.DateTimeField(
        label=gettext_lazy("As known at"),
        required=False,
        help_text=gettext_lazy("Leave empty for the register as it stands now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, years: list[int], default_year: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.default_year = default_year
        shown = sorted({*years, default_year, *self._asked_year()}, reverse=True)
        self.fields["year"].widget = forms.Select(
            choices=[("", _("Dates below")), *((year, str(year)) for year in shown)]
        )
        self.fields["year"].initial = default_year
        self.fields["direction"].initial = Direction.OUTGOING

    def _asked_year(self) -> list[int]:
        value = self.data.get("year", "") if self.is_bound else ""
        return [int(value)] if str(value).isdigit() and 1900 <= int(value) <= 9999 else []

    def clean_as_of(self) -> datetime | None:
        moment = self.cleaned_data.get("as_of")
        if moment is None:
            return None
        try:
            return as_of_check(moment)
        except ApplicationError as error:
            raise forms.ValidationError(error.message) from None

    def clean(self):
        cleaned = super().clean()
        period_from, period_to = cleaned.get("period_from"), cleaned.get("period_to")
        if self.errors:
            return cleaned
        if period_from or period_to:
            if not (period_from and period_to):
                raise forms.ValidationError(_("Give both the first and the last day."))
            if period_from > period_to:
                raise forms.ValidationError(_("The period cannot end before it starts."))
            cleaned["year"] = None
        else:
            year = cleaned.get("year") or self.default_year
            cleaned["year"] = year
            cleaned["period_from"], cleaned["period_to"] = date(year, 1, 1), date(year, 12, 31)
        cleaned["direction"] = cleaned.get("direction") or Direction.OUTGOING
        return cleaned

    def query(self) -> dict[str, str]:
        """Return the cleaned choice as query parameters, for links to the same report."""
        cleaned = self.cleaned_data
        if cleaned["year"]:
            period = {"year": str(cleaned["year"])}
        else:
            period = {
                "period_from": cleaned["period_from"].isoformat(),
                "period_to": cleaned["period_to"].isoformat(),
            }
        query = {**period, "direction": cleaned["direction"]}
        if cleaned.get("as_of"):
            query["as_of"] = timezone.localtime(cleaned["as_of"]).strftime("%Y-%m-%dT%H:%M:%S")
        return query


class CountrySearchForm(forms.Form):
    """Narrow the list of countries by name or code."""

    q = forms.CharField(
        label=gettext_lazy("Country"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": gettext_lazy("Name or ISO code")}
        ),
    )
    all = forms.BooleanField(
        label=gettext_lazy("Include countries without requests"), required=False
    )


class AuditFilterForm(forms.Form):
    """Narrow the audit trail by action, user and object type; `before` pages it."""

    action = forms.CharField(
        label=gettext_lazy("Action"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"list": "audit-actions", "placeholder": "request_register"}),
    )
    user = forms.ModelChoiceField(
        label=gettext_lazy("User"),
        queryset=User.objects.order_by("username"),
        required=False,
        empty_label=gettext_lazy("Anyone"),
    )
    object_type = forms.CharField(
        label=gettext_lazy("Object type"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"list": "audit-object-types", "placeholder": "request"}),
    )
    day = forms.DateField(
        label=gettext_lazy("Day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def query(self, *, before: int | None) -> dict[str, str]:
        """Return the filters as query parameters, with the page starting before `before`."""
        cleaned = self.cleaned_data
        query = {
            "action": cleaned["action"],
            "user": str(cleaned["user"].pk) if cleaned["user"] else "",
            "object_type": cleaned["object_type"],
            "day": cleaned["day"].isoformat() if cleaned["day"] else "",
            "before": str(before) if before else "",
        }
        return {key: value for key, value in query.items() if value}
