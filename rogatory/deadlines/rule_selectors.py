"""Reads of the deadline rules, for the reference data pages."""

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from rogatory.core.exceptions import NotFoundError

from .models import DeadlineRule


def deadline_rule_list() -> QuerySet[DeadlineRule]:
    """Every rule, in use or not, in the order they are shown, with how many clocks run."""
    return (
        DeadlineRule.objects.select_related("treaty")
        .annotate(open_count=Count("deadlines", filter=Q(deadlines__met_on__isnull=True)))
        .order_by("position", "code")
    )


def deadline_rule_get(*, code: str) -> DeadlineRule:
    """Return the rule with `code`, or raise NotFoundError."""
    rule = DeadlineRule.objects.select_related("treaty").filter(code=code).first()
    if rule is None:
        raise NotFoundError(_("There is no deadline rule “%(code)s”.") % {"code": code})
    return rule
