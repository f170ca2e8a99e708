"""Values every page template needs: the navigation the signed-in user may use."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from rogatory.accounts.permissions import Action, user_can


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": [], "can": {}}
    can = {action.value: user_can(user, action) for action in Action}
    items = [
        ("dashboard", _("Dashboard"), "web:dashboard", Action.READ),
        ("requests", _("Register"), "web:request_list", Action.READ),
        ("worklist", _("Work list"), "web:worklist", Action.READ),
        ("my_requests", _("My requests"), "web:my_requests", Action.RECORD_EVENT),
        ("imports", _("Import"), "web:import", Action.IMPORT),
        ("reports", _("Reports"), "web:report", Action.READ),
        ("statement", _("Statement"), "web:statement", Action.READ),
        ("countries", _("Countries"), "web:country_list", Action.READ),
        ("assurances", _("Assurances"), "web:assurances_monitoring", Action.READ),
        ("engagements", _("Engagements"), "web:engagement_list", Action.READ),
        ("reference", _("Reference data"), "web:reference", Action.EDIT_REFERENCE),
        ("audit", _("Audit trail"), "web:audit", Action.VIEW_AUDIT),
        ("users", _("Users"), "web:user_list", Action.MANAGE_USERS),
    ]
    return {
        "navigation": [
            {"key": key, "label": label, "url": reverse(name)}
            for key, label, name, action in items
            if can[action.value]
        ],
        "can": can,
    }
