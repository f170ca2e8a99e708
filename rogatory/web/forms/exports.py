"""The form of the register export: which file format, and which direction's requests."""

from django import forms
from django.utils.translation import gettext_lazy

from rogatory.intake.reader import CSV, XLSX
from rogatory.register.models import Direction


class RegisterExportForm(forms.Form):
    """A register file to write in format v1: CSV or XLSX, both directions or one."""

    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[(XLSX, gettext_lazy("XLSX (Excel workbook)")), (CSV, gettext_lazy("CSV (UTF-8)"))],
        initial=XLSX,
        widget=forms.RadioSelect,
    )
    direction = forms.ChoiceField(
        label=gettext_lazy("Requests"),
        choices=[("", gettext_lazy("outgoing and incoming")), *Direction.choices],
        required=False,
    )
