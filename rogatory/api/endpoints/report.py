"""The period report (Report v1 of DESIGN.md) as JSON."""

from datetime import date

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from rogatory.accounts.permissions import Action, authorize
from rogatory.core.exceptions import ValidationError
from rogatory.register.models import Direction
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
    mla: MlaFiguresOut
    extradition: ExtraditionFiguresOut


@router.get(
    "/report",
    response={200: ReportOut, **ERRORS},
    by_alias=True,
    summary="Report",
    operation_id="report",
)
def report(request: HttpRequest, params: Query[ReportIn]) -> dict:
    """Return the figures of a period, as `rogatory report --format json` prints them."""
    authorize(request.auth, Action.READ)
    period_from, period_to = params.period()
    built = report_build(period_from=period_from, period_to=period_to, direction=params.direction)
    return built.as_dict()
