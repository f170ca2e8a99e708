"""The deadline rules, listed with their sources, on the reference data page."""

from django import template

from rogatory.accounts.permissions import Action, user_can
from rogatory.deadlines.rule_selectors import deadline_rule_list

register = template.Library()


@register.inclusion_tag("web/deadline_rules/_table.html", takes_context=True)
def deadline_rules_table(context) -> dict:
    """Every rule with its period, warning and source; edit links for supervisors."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "rules": deadline_rule_list(),
        "can_edit": user is not None and user_can(user, Action.EDIT_REFERENCE),
    }
