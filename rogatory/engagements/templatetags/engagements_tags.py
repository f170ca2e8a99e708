"""Template tags that put engagements on other pages: the country profile and the request page.

They read the page's own context (the country or the request shown, the signed-in user), so the
pages' views need not know about engagements.
"""

from typing import Any

from django import template

from rogatory.accounts.permissions import Action, user_can

from ..selectors import country_timeline, request_engagements

register = template.Library()

# The country profile shows the latest engagements; the list page has them all.
TIMELINE_LENGTH = 20


@register.inclusion_tag("web/engagements/_timeline.html", takes_context=True)
def country_engagements(context: template.Context) -> dict[str, Any]:
    """The timeline of engagements with the country of the profile shown, newest first."""
    user = context["request"].user
    profile = context.get("profile")
    country = getattr(profile, "country", None)
    if country is None or not user_can(user, Action.READ):
        return {"shown": False}
    entries = country_timeline(user=user, country_code=country.code, limit=TIMELINE_LENGTH + 1)
    return {
        "shown": True,
        "country": country,
        "entries": entries[:TIMELINE_LENGTH],
        "more": len(entries) > TIMELINE_LENGTH,
        "can": context.get("can", {}),
    }


@register.inclusion_tag("web/engagements/_request_card.html", takes_context=True)
def request_engagement_list(context: template.Context) -> dict[str, Any]:
    """The engagements that concern the request shown."""
    user = context["request"].user
    req = context.get("req")
    if req is None or not user_can(user, Action.READ):
        return {"engagements": []}
    return {"engagements": request_engagements(user=user, request=req), "req": req}
