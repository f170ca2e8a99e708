"""Template tags that give the request page its priority and deadlines."""

from typing import Any

from django import template
from django.utils import timezone

from rogatory.accounts.permissions import user_may_access_unit
from rogatory.deadlines.priority import LIMITATION_URGENT_MONTHS, priority_of
from rogatory.deadlines.selectors import request_deadlines

register = template.Library()


@register.simple_tag(takes_context=True)
def request_timeliness(context: template.Context) -> dict[str, Any]:
    """Return the shown request's effective priority and deadlines, as of today.

    The page found the request through `request_get`, which refuses a user of another unit;
    the check here keeps the tag from showing anything should another page include it.
    """
    req = context.get("req")
    http_request = context.get("request")
    user = getattr(http_request, "user", None)
    if req is None or user is None or not user_may_access_unit(user, req.unit_id):
        return {}
    today = timezone.localdate()
    return {
        "priority": priority_of(request=req, today=today),
        "deadlines": request_deadlines(request=req, today=today),
        "limitation_months": LIMITATION_URGENT_MONTHS,
        "today": today,
    }
