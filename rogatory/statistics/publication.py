"""The published report: every figure, table and chart of a period, gathered once.

The web report page, the PDF and the XLSX workbook all render one `Publication`, so that they
show the same numbers. Building it reads the database; rendering it never does.
"""

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rogatory.core.exceptions import ValidationError

from .breakdowns import (
    MonthLine,
    OffenceLine,
    PersonFigures,
    YearRefusals,
    ground_articles,
    month_lines,
    offence_lines,
    person_figures,
    refusal_trend,
)
from .figures import Report
from .lines import CountryLine, FigureLine, GroundLine, country_lines, figure_lines, ground_lines
from .narrative import narrative_write
from .partners import PartnerYear, partner_policy_changes
from .profiles import report_ground_names
from .selectors import report_build, report_country_names
from .survival import Backlog, TimeToDecision, backlog_by_age, time_to_decision

FIRST_DAY = date(1900, 1, 1)


@dataclass(frozen=True)
class ComparedFigure:
    """One figure of the period beside the same figure of the period before."""

    line: FigureLine
    previous: FigureLine


@dataclass(frozen=True)
class Publication:
    """Everything a period report shows, in one language, as known now or at `report.as_of`."""

    language: str
    report: Report
    previous: Report
    narrative: str
    figures: tuple[ComparedFigure, ...]
    countries: tuple[CountryLine, ...]
    grounds: tuple[GroundLine, ...]
    ground_articles: dict[str, list[str]]
    offences: tuple[OffenceLine, ...]
    months: tuple[MonthLine, ...]
    refusal_trend: tuple[YearRefusals, ...]
    persons: PersonFigures
    time_to_decision: TimeToDecision
    backlog: Backlog
    partner_changes: tuple[PartnerYear, ...]

    @property
    def as_of(self) -> datetime | None:
        return self.report.as_of


def previous_period(period_from: date, period_to: date) -> tuple[date, date]:
    """Return the period of the same length just before: the previous year(s) for whole years."""
    if (period_from.month, period_from.day, period_to.month, period_to.day) == (1, 1, 12, 31):
        years = period_to.year - period_from.year + 1
        return date(period_from.year - years, 1, 1), date(period_to.year - years, 12, 31)
    length = period_to - period_from
    previous_to = period_from - timedelta(days=1)
    return previous_to - length, previous_to


def publication_build(
    *,
    period_from: date,
    period_to: date,
    direction: str,
    language: str,
    as_of: datetime | None = None,
) -> Publication:
    """Return every figure of the period report for `direction`, with labels in `language`."""
    if period_from < FIRST_DAY:
        # The report compares with the period before and five years of refusals.
        raise ValidationError(
            _("A published report covers periods from %(year)d on.") % {"year": FIRST_DAY.year},
            extra={"field": "from"},
        )
    report = report_build(
        period_from=period_from, period_to=period_to, direction=direction, as_of=as_of
    )
    previous_from, previous_to = previous_period(period_from, period_to)
    previous = report_build(
        period_from=previous_from, period_to=previous_to, direction=direction, as_of=as_of
    )
    country_names = report_country_names(report=report, language=language)
    ground_names = report_ground_names(report=report, language=language)
    period = {"period_from": period_from, "period_to": period_to, "direction": direction}
    grounds = ground_lines(report, ground_names)
    with translation.override(language):
        figures = tuple(
            ComparedFigure(line=line, previous=before)
            for line, before in zip(figure_lines(report), figure_lines(previous), strict=True)
        )
    return Publication(
        language=language,
        report=report,
        previous=previous,
        narrative=narrative_write(report, language=language, country_names=country_names),
        figures=figures,
        countries=tuple(country_lines(report, country_names)),
        grounds=tuple(grounds),
        ground_articles=ground_articles(codes=[line.code for line in grounds]),
        offences=tuple(offence_lines(**period, language=language, as_of=as_of)),
        months=tuple(month_lines(**period, as_of=as_of)),
        refusal_trend=tuple(
            refusal_trend(last_year=period_to.year, direction=direction, as_of=as_of)
        ),
        persons=person_figures(**period, as_of=as_of),
        time_to_decision=time_to_decision(**period, as_of=as_of, language=language),
        backlog=backlog_by_age(at=_backlog_day(period_to, as_of), as_of=as_of),
        partner_changes=tuple(
            partner_policy_changes(
                year=period_to.year, direction=direction, as_of=as_of, language=language
            )
        ),
    )


def publication_as_dict(publication: Publication) -> dict[str, Any]:
    """Return every figure of the publication as JSON-ready data (dates as ISO strings)."""
    data = _plain(asdict(publication))
    data["report"] = publication.report.as_dict()
    data["previous"] = publication.previous.as_dict()
    data["as_of"] = publication.as_of.isoformat() if publication.as_of else None
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _backlog_day(period_to: date, as_of: datetime | None) -> date:
    if as_of is None:
        return period_to
    return min(period_to, timezone.localtime(as_of).date())
