"""The form of a deadline rule on the reference data pages.

It only parses what was typed; `rogatory.deadlines.services` decides what makes a valid rule,
and its errors come back onto the field they name.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from rogatory.deadlines.models import DeadlineRule
from rogatory.reference.models import Treaty

_BOTH = [("", _("Both"))]


class DeadlineRuleForm(forms.Form):
    """What a supervisor may set on a rule: scope, clock, period, warning and source."""

    name_en = forms.CharField(label=_("English name"), max_length=200)
    name_ru = forms.CharField(label=_("Russian name"), max_length=200)
    basis = forms.ChoiceField(label=_("Basis"), choices=DeadlineRule.Basis.choices)
    direction = forms.ChoiceField(
        label=_("Direction"),
        required=False,
        choices=[*_BOTH, ("outgoing", _("outgoing")), ("incoming", _("incoming"))],
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[*_BOTH, ("mla", _("legal assistance")), ("extradition", _("extradition"))],
    )
    treaty = forms.ModelChoiceField(
        label=_("Legal basis"),
        queryset=Treaty.objects.order_by("code"),
        required=False,
        empty_label=_("Any legal basis"),
        help_text=_("Only requests made under this treaty; empty: whatever the legal basis."),
    )
    starts = forms.ChoiceField(label=_("The clock starts at"), choices=DeadlineRule.Start.choices)
    stops = forms.ChoiceField(label=_("The clock stops at"), choices=DeadlineRule.Stop.choices)
    period_days = forms.IntegerField(
        label=_("Period in days"),
        required=False,
        help_text=_("Counted from the day after the start; the last day is still on time."),
    )
    period_months = forms.IntegerField(
        label=_("Period in months"),
        required=False,
        help_text=_("Calendar months; 31 January + 1 month is the last day of February."),
    )
    warn_days = forms.IntegerField(label=_("Warn this many days before"))
    source = forms.CharField(
        label=_("Source"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The treaty article, law or internal decision the rule rests on."),
    )
    source_url = forms.CharField(label=_("Source address"), required=False, max_length=200)
    position = forms.IntegerField(label=_("Position"), required=False, initial=0)
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    @classmethod
    def for_rule(cls, rule: DeadlineRule, data=None) -> "DeadlineRuleForm":
        """Return the form filled with `rule`'s current values, or bound to `data`."""
        initial = {name: getattr(rule, name) for name in cls.base_fields}
        initial["treaty"] = rule.treaty_id
        return cls(data=data, initial=initial)

    def changes(self) -> dict:
        """The cleaned values, as the services take them."""
        values = dict(self.cleaned_data)
        values["position"] = values.get("position") or 0
        return values


class NewDeadlineRuleForm(DeadlineRuleForm):
    """A rule of the office's own: it also needs a code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=60,
        help_text=_("Small Latin letters, digits and hyphens, such as “bilat-ch-surrender-20”."),
    )

    field_order = ["code"]
