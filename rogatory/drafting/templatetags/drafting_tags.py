"""Template tags of drafting: the state of a request's letter, for the request page."""

from typing import Any

from django import template

from rogatory.drafting.selectors import draft_applies, draft_check, draft_of

register = template.Library()


@register.simple_tag(takes_context=True)
def draft_summary(context: template.Context) -> dict[str, Any] | None:
    """Return whether the letter of the page's request is started, its version and how many
    elements it lacks; None for a request that has no letter (an incoming one).

    The page's view has found the request through `request_get`, so the user may see it.
    """
    found = context.get("req")
    if found is None or not draft_applies(request=found):
        return None
    draft = draft_of(request=found)
    return {
        "started": draft is not None,
        "version": draft.version if draft is not None else 0,
        "missing": len(draft_check(request=found, draft=draft)),
    }
