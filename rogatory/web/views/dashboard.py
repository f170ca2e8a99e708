"""The dashboard: key figures beside last year's, partners' changes, work awaiting, activity."""

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from rogatory.accounts.permissions import Action, user_sees_all_units, user_unit_ids
from rogatory.core.replica import reads_from_replica
from rogatory.deadlines.selectors import timeliness_counts
from rogatory.register.models import Direction
from rogatory.statistics.cache import figures_cached
from rogatory.statistics.charts import refusals_by_country_svg
from rogatory.statistics.dashboard import (
    OVERDUE_AFTER_DAYS,
    RefusalsByCountry,
    dashboard_awaiting,
    dashboard_key_figures,
    dashboard_recent_events,
    dashboard_refusals_by_country,
)
from rogatory.statistics.partners import partner_policy_changes

from ..access import action_required


@action_required(Action.READ)
@reads_from_replica
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show the office's key figures and the signed-in user's work."""
    today = timezone.localdate()
    language = get_language() or "en"
    sees_all_units = user_sees_all_units(request.user)
    units = "all" if sees_all_units else tuple(sorted(user_unit_ids(request.user)))
    return render(
        request,
        "web/dashboard/dashboard.html",
        {
            "active": "dashboard",
            **figures_cached(
                "dashboard", key=(today, language), compute=lambda: _office(today, language)
            ),
            "awaiting": figures_cached(
                "awaiting",
                key=(today, units),
                compute=lambda: dashboard_awaiting(user=request.user, today=today),
            ),
            "overdue_days": OVERDUE_AFTER_DAYS,
            "activity": dashboard_recent_events(user=request.user),
            "timeliness": timeliness_counts(user=request.user, today=today),
            "sees_all_units": sees_all_units,
        },
    )


def _office(today: date, language: str) -> dict[str, Any]:
    """Return the office-wide part of the dashboard: the same for every user on a given day."""
    refusals = dashboard_refusals_by_country(today=today, language=language)
    return {
        "figures": dashboard_key_figures(today=today),
        "refusals": refusals,
        "refusals_chart": _refusals_chart(refusals),
        "policy_changes": partner_policy_changes(
            year=today.year, direction=Direction.OUTGOING, language=language
        ),
    }


def _refusals_chart(refusals: RefusalsByCountry) -> str:
    if not refusals.countries:
        return ""
    return refusals_by_country_svg(
        countries=refusals.countries,
        political_label=_("For political reasons"),
        other_label=_("On other grounds"),
        description=_("Refusals of our requests by country, %(from)s to %(to)s")
        % {
            "from": date_format(refusals.period.start, "DATE_FORMAT"),
            "to": date_format(refusals.period.end, "DATE_FORMAT"),
        },
    )


urlpatterns = [
    path("", dashboard, name="dashboard"),
]
