"""The period report: Report v1 as JSON, every published figure, the files, the FATF tables."""

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from rogatory.accounts.permissions import Action, authorize
from rogatory.core.exceptions import ValidationError
from rogatory.core.replica import reads_from_replica
from rogatory.publication.documents import (
    FATF_FORMATS,
    REPORT_FORMATS,
    fatf_as_dict,
    fatf_document,
    report_document,
)
from rogatory.register.models import Direction
from rogatory.statistics.fatf import fatf_tables
from rogatory.statistics.projection import as_of_parse
from rogatory.statistics.publication import publication_as_dict, publication_build
from rogatory.statistics.selectors import report_build

from ..schemas import ERRORS, DirectionValue

router = Router(tags=["report"])

Median = int | float | None


class ReportIn(Schema):
    """The period: a whole `year`, or `from` and `to` (inclusive); and the direction."""

    year: int | None = Field(None, ge=1, le=9999)
    period_from: date | None = Field(None, alias="from")
    period_to: date | None = Field(None, alias="to")
    direction: DirectionValue = Direction.OUTGOING.value
    as_of: str | None = Field(
        None,
        description="Figures as known at this moment (ISO date-time, or a date meaning the "
        "end of that day), from the events recorded by then.",
    )

    def moment(self) -> datetime | None:
        """Return the moment the figures are known at, or None for now."""
        return as_of_parse(self.as_of)

    def period(self) -> tuple[date, date]:
        """Return the first and last day of the period asked for."""
        if self.year is not None:
            if self.period_from or self.period_to:
                raise ValidationError(
                    _("Give either year or from and to, not both."), extra={"field": "year"}
                )
            return date(self.year, 1, 1), date(self.year, 12, 31)
        if self.period_from is None or self.period_to is None:
            field = "to" if self.period_from else "from"
            raise ValidationError(
                _("Give the period: year, or from and to."), extra={"field": field}
            )
        return self.period_from, self.period_to


class PeriodOut(Schema):
    """The inclusive period of a report."""

    period_from: date = Field(alias="from")
    period_to: date = Field(alias="to")


class _KindFiguresOut(Schema):
    """The figures both kinds of request have (see Report v1 in DESIGN.md)."""

    sent: int
    refused: int
    withdrawn: int
    refused_political: int
    refused_by_country: dict[str, int]
    refused_political_by_country: dict[str, int]
    refused_by_ground: dict[str, int]
    pending_at_end: int
    median_days_to_decision: Median


class MlaFiguresOut(_KindFiguresOut):
    executed: int
    partially_executed: int
    fulfilled: int


class ExtraditionFiguresOut(_KindFiguresOut):
    granted: int
    granted_persons: int
    refused_persons: int


class ReportOut(Schema):
    """The figures of Report v1 for one period and direction."""

    period: PeriodOut
    direction: DirectionValue
    as_of: datetime | None = None
    mla: MlaFiguresOut
    extradition: ExtraditionFiguresOut


@router.get(
    "/report",
    response={200: ReportOut, **ERRORS},
    by_alias=True,
    # `as_of` appears only when asked for, so that the JSON is exactly DESIGN's otherwise.
    exclude_unset=True,
    summary="Report",
    operation_id="report",
)
@reads_from_replica
def report(request: HttpRequest, params: Query[ReportIn]) -> dict:
    """Return the figures of a period, as `rogatory report --format json` prints them."""
    authorize(request.auth, Action.READ)
    period_from, period_to = params.period()
    built = report_build(
        period_from=period_from,
        period_to=period_to,
        direction=params.direction,
        as_of=params.moment(),
    )
    return built.as_dict()


class PublicationIn(ReportIn):
    """The period, direction and moment, and the language of names and labels."""

    lang: Literal["en", "ru"] = "en"


@router.get(
    "/report/publication",
    response={200: dict[str, Any], **ERRORS},
    summary="Every figure of the published report",
    operation_id="report_publication",
)
@reads_from_replica
def report_publication(request: HttpRequest, params: Query[PublicationIn]) -> dict:
    """Return every figure the report page, PDF and workbook show, as one JSON object.

    Keys: `report` and `previous` (Report v1 of the period and of the period before),
    `narrative`, `countries`, `grounds` and `ground_articles`, `offences`, `months`,
    `refusal_trend` (five years), `persons` (extradition by persons sought),
    `time_to_decision` (Kaplan–Meier medians and 90th percentiles with 95% intervals by kind,
    direction and the ten busiest countries), `backlog` (undecided requests by age) and
    `partner_changes` (countries whose refusal rate changed significantly).
    """
    authorize(request.auth, Action.READ)
    period_from, period_to = params.period()
    publication = publication_build(
        period_from=period_from,
        period_to=period_to,
        direction=params.direction,
        language=params.lang,
        as_of=params.moment(),
    )
    return publication_as_dict(publication)


class ReportFileIn(PublicationIn):
    format: Literal[REPORT_FORMATS] = "pdf"  # type: ignore[valid-type]


@router.get(
    "/report/file",
    response={200: None, **ERRORS},
    summary="The report as a file",
    operation_id="report_file",
    openapi_extra={
        "responses": {
            200: {
                "description": "The report in the format asked for.",
                "content": {
                    "application/pdf": {},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
                    "text/plain": {},
                    "text/csv": {},
                    "application/json": {},
                },
            }
        }
    },
)
@reads_from_replica
def report_file(request: HttpRequest, params: Query[ReportFileIn]) -> HttpResponse:
    """Return the report as PDF, XLSX, CSV, JSON, text, or the public statement (one year)."""
    authorize(request.auth, Action.READ)
    period_from, period_to = params.period()
    document = report_document(
        format=params.format,
        period_from=period_from,
        period_to=period_to,
        direction=params.direction,
        language=params.lang,
        as_of=params.moment(),
        user=request.auth,
    )
    return _file(document, f"rogatory-report-{period_from}-{period_to}-{params.direction}")


class FatfIn(Schema):
    """The calendar year, the moment the figures are known at, and the language of labels."""

    year: int = Field(..., ge=1, le=9999)
    as_of: str | None = None
    lang: Literal["en", "ru"] = "en"
    format: Literal[FATF_FORMATS] = "json"  # type: ignore[valid-type]


@router.get(
    "/report/fatf",
    response={200: dict[str, Any], **ERRORS},
    summary="FATF tables",
    operation_id="report_fatf",
)
@reads_from_replica
def report_fatf(request: HttpRequest, params: Query[FatfIn]) -> Any:
    """Return the FATF statistics of a year: by kind, decisions, median time, by offence.

    With `format=xlsx`, the workbook `rogatory report --fatf --format xlsx` writes.
    """
    authorize(request.auth, Action.READ)
    as_of = as_of_parse(params.as_of)
    if params.format == "json":
        return fatf_as_dict(fatf_tables(year=params.year, as_of=as_of, language=params.lang))
    document = fatf_document(format="xlsx", year=params.year, language=params.lang, as_of=as_of)
    return _file(document, f"rogatory-fatf-{params.year}")


def _file(document, stem: str) -> HttpResponse:
    response = HttpResponse(document.content, content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{stem}.{document.extension}"'
    return response
