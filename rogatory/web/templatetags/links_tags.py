"""Tags that give the request page's links, assurances and person-editing parts their data.

The request page's view knows nothing of these cards: each card's tag reads the request shown
(`req`) and the signed-in user from the page's context and asks the register for the rest, so
that the page and the htmx answers of the cards' own views render the same template.
"""

from typing import Any

from django import template

from rogatory.register.models import Kind, Person
from rogatory.web.forms.links import PersonEditForm
from rogatory.web.views.assurances import assurances_card_context
from rogatory.web.views.links import links_card_context

register = template.Library()


@register.inclusion_tag("web/links/_card.html", takes_context=True)
def links_card(context: template.Context) -> dict[str, Any]:
    """Render the links card of the request on the page, keeping a failed form as typed."""
    return links_card_context(context["request"], context["req"], form=context.get("link_form"))


@register.inclusion_tag("web/assurances/_card.html", takes_context=True)
def assurances_card(context: template.Context) -> dict[str, Any]:
    """Render the assurances card of an extradition request (nothing for legal assistance)."""
    req = context["req"]
    if req.kind != Kind.EXTRADITION:
        return {"req": req, "hidden": True}
    return assurances_card_context(
        context["request"],
        req,
        form=context.get("assurance_form"),
        failed=context.get("assurance_failed"),
    )


@register.simple_tag(takes_context=True)
def person_edit_form(context: template.Context, person: Person) -> PersonEditForm:
    """Return the form that edits `person`: the one that just failed, or one with their data."""
    if context.get("person_edit_id") == person.pk and context.get("person_edit_form") is not None:
        return context["person_edit_form"]
    return PersonEditForm(person=person)
