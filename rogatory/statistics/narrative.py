"""The paragraph an office publishes about a period report, in English or Russian."""

from collections.abc import Mapping
from itertools import groupby

from babel.dates import format_date
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import npgettext, pgettext

from rogatory.core.formats import format_count
from rogatory.register.models import Direction

from .figures import Figures, Report
from .selectors import report_country_names


def report_narrative(report: Report, *, language: str) -> str:
    """Return the report's paragraph in `language`, with country names from the reference table."""
    return narrative_write(
        report,
        language=language,
        country_names=report_country_names(report=report, language=language),
    )


def narrative_write(report: Report, *, language: str, country_names: Mapping[str, str]) -> str:
    """Return the report's paragraph in `language`, naming countries from `country_names`."""
    with translation.override(language):
        period = narrative_period(report, language=language)
        countries = narrative_country_counts(report.mla.refused_political_by_country, country_names)
        if report.direction == Direction.OUTGOING:
            sentences = [
                narrative_outgoing_mla(report, period=period, countries=countries),
                _outgoing_extradition(report),
            ]
        else:
            sentences = [
                _incoming_mla(report, period=period, countries=countries),
                _incoming_extradition(report),
            ]
        return " ".join(sentence for sentence in sentences if sentence)


def narrative_period(report: Report, *, language: str) -> str:
    """Return "In 2023", "In 2022–2023" or "From 1 March 2023 to …" for the report's period."""
    period_from, period_to = report.period_from, report.period_to
    if report.is_whole_years:
        if period_from.year == period_to.year:
            return _("In %(year)d") % {"year": period_from.year}
        return _("In %(first)d–%(last)d") % {"first": period_from.year, "last": period_to.year}
    # Translators: a Babel (CLDR) date pattern for a date in running text.
    pattern = pgettext("date pattern", "d MMMM y")
    return _("From %(from)s to %(to)s") % {
        "from": format_date(period_from, pattern, locale=language),
        "to": format_date(period_to, pattern, locale=language),
    }


def narrative_outgoing_mla(report: Report, *, period: str, countries: str) -> str:
    """Return the sentence on foreign states' decisions on our requests for legal assistance."""
    mla = report.mla
    if not mla.refused:
        return _("%(period)s foreign states refused no requests for legal assistance.") % {
            "period": period
        }
    requests = npgettext(
        "foreign states refused",
        "%(count)s request for legal assistance",
        "%(count)s requests for legal assistance",
        mla.refused,
    ) % {"count": format_count(mla.refused)}
    opening = _("%(period)s foreign states refused %(requests)s") % {
        "period": period,
        "requests": requests,
    }
    return narrative_with_political(opening, mla, countries)


def _incoming_mla(report: Report, *, period: str, countries: str) -> str:
    mla = report.mla
    if not mla.refused:
        return _("%(period)s we refused no requests for legal assistance from foreign states.") % {
            "period": period
        }
    requests = npgettext(
        "we refused",
        "%(count)s request for legal assistance",
        "%(count)s requests for legal assistance",
        mla.refused,
    ) % {"count": format_count(mla.refused)}
    opening = _("%(period)s we refused %(requests)s from foreign states") % {
        "period": period,
        "requests": requests,
    }
    return narrative_with_political(opening, mla, countries)


def narrative_with_political(opening: str, figures: Figures, countries: str) -> str:
    """Return `opening` with the political refusals by country after it, if any."""
    if not figures.refused_political:
        return f"{opening}."
    political = _political(figures)
    if countries:
        return f"{opening}, {political}: {countries}."
    return f"{opening}, {political}."


def _political(figures: Figures) -> str:
    if figures.refused == 1:
        return _("for political reasons")
    if figures.refused_political == figures.refused:
        return _("all of them for political reasons")
    return _("%(count)s of them for political reasons") % {
        "count": format_count(figures.refused_political)
    }


def _outgoing_extradition(report: Report) -> str:
    extradition, mla = report.extradition, report.mla
    actions = []
    if extradition.refused:
        actions.append(
            npgettext(
                "foreign states",
                "refused %(count)s extradition request",
                "refused %(count)s extradition requests",
                extradition.refused,
            )
            % {"count": format_count(extradition.refused)}
        )
    if extradition.granted_persons:
        actions.append(
            npgettext(
                "foreign states",
                "decided to extradite %(count)s person",
                "decided to extradite %(count)s persons",
                extradition.granted_persons,
            )
            % {"count": format_count(extradition.granted_persons)}
        )
    if mla.fulfilled:
        actions.append(
            npgettext(
                "foreign states",
                "fulfilled %(count)s request for legal assistance",
                "fulfilled %(count)s requests for legal assistance",
                mla.fulfilled,
            )
            % {"count": format_count(mla.fulfilled)}
        )
    if not actions:
        return ""
    # Translators: the subject of the foreign states' decisions; the actions follow.
    return capfirst(_("They %(actions)s.") % {"actions": _join_actions(actions, extradition)})


def _incoming_extradition(report: Report) -> str:
    extradition, mla = report.extradition, report.mla
    actions = []
    if extradition.refused:
        actions.append(
            npgettext(
                "we",
                "refused %(count)s extradition request",
                "refused %(count)s extradition requests",
                extradition.refused,
            )
            % {"count": format_count(extradition.refused)}
        )
    if extradition.granted_persons:
        actions.append(
            npgettext(
                "we",
                "decided to extradite %(count)s person",
                "decided to extradite %(count)s persons",
                extradition.granted_persons,
            )
            % {"count": format_count(extradition.granted_persons)}
        )
    if mla.fulfilled:
        actions.append(
            npgettext(
                "we",
                "executed %(count)s request for legal assistance",
                "executed %(count)s requests for legal assistance",
                mla.fulfilled,
            )
            % {"count": format_count(mla.fulfilled)}
        )
    if not actions:
        return ""
    # Translators: we (the requested state) decided; the actions follow.
    return capfirst(_("We %(actions)s.") % {"actions": _join_actions(actions, extradition)})


def _join_actions(actions: list[str], extradition: Figures) -> str:
    """Join the actions of a sentence; the extradition refusal may carry its political share."""
    parenthetical = bool(extradition.refused and extradition.refused_political)
    if parenthetical:
        actions = [f"{actions[0]}, {_political(extradition)}", *actions[1:]]
    if len(actions) == 1:
        return actions[0]
    if len(actions) == 2:
        if parenthetical:
            # The comma closes the political share before the second action.
            return _("%(first)s, and %(second)s") % {"first": actions[0], "second": actions[1]}
        return _("%(first)s and %(second)s") % {"first": actions[0], "second": actions[1]}
    return _("%(actions)s, and %(last)s") % {
        "actions": ", ".join(actions[:-1]),
        "last": actions[-1],
    }


def narrative_country_counts(counts: Mapping[str, int], country_names: Mapping[str, str]) -> str:
    """Return "Switzerland – 26, Bulgaria and Liechtenstein – 1 each" for a count per country."""
    named = sorted(
        ((country_names.get(code, code), count) for code, count in counts.items() if count),
        key=lambda item: (-item[1], item[0].casefold()),
    )
    parts = []
    for count, group in groupby(named, key=lambda item: item[1]):
        names = [name for name, _count in group]
        if len(names) == 1:
            parts.append(
                _("%(country)s – %(count)s") % {"country": names[0], "count": format_count(count)}
            )
        else:
            parts.append(
                _("%(countries)s – %(count)s each")
                % {"countries": narrative_join_names(names), "count": format_count(count)}
            )
    return ", ".join(parts)


def narrative_join_names(names: list[str]) -> str:
    """Return "A, B and C" in the active language."""
    return _("%(names)s and %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}
