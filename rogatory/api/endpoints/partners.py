"""Partner profiles: each counterpart state's requests and refusal rates by year, as JSON."""

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Field, Query, Router, Schema

from rogatory.accounts.permissions import Action, authorize
from rogatory.core.replica import reads_from_replica
from rogatory.register.models import Direction
from rogatory.statistics.partners import PartnerYear, partner_history, partner_profiles
from rogatory.statistics.projection import as_of_check

from ..schemas import ERRORS, DirectionValue, KindValue

router = Router(tags=["partners"])

Median = int | float | None


class _AsOfIn(Schema):
    direction: DirectionValue = Direction.OUTGOING.value
    as_of: datetime | None = Field(
        None,
        description=(
            "Figures as known at this moment (ISO 8601); without a time zone, the server's. "
            "Leave out for the register as it stands."
        ),
    )

    def moment(self) -> datetime | None:
        """Return `as_of` with a time zone, the server's when it was given without one."""
        return as_of_check(self.as_of) if self.as_of is not None else None


class PartnersIn(_AsOfIn):
    """The year, the direction, and optionally the moment the figures are known at."""

    year: int = Field(..., ge=1, le=9999)


class HistoryIn(_AsOfIn):
    """The direction, and optionally the moment the figures are known at."""


class IntervalOut(Schema):
    """A 95% Wilson interval of a proportion, as fractions."""

    low: float
    high: float


class GroundOut(Schema):
    """A refusal ground and the refused requests citing it."""

    code: str
    name: str
    refused: int


class PartnerYearOut(Schema):
    """One country's requests of one direction and kind in one year, and its decisions."""

    country: str = Field(description="ISO 3166-1 alpha-2 code.")
    name: str
    year: int
    direction: DirectionValue
    kind: KindValue
    requests: int = Field(description="Opened in the year.")
    decided: int = Field(
        description="Decided in the year by the requested state (withdrawals left out)."
    )
    refused: int
    refused_political: int
    refusal_rate: float | None = Field(description="refused ÷ decided; null when none decided.")
    interval: IntervalOut | None = Field(description="Wilson 95% interval of the refusal rate.")
    grounds: list[GroundOut] = Field(description="Grounds cited, most cited first.")
    median_days: Median = Field(description="Median days from opening to decision.")
    previous_rate: float | None = Field(description="The refusal rate of the year before.")
    p_value: float | None = Field(
        description="Two-proportion test of this year's rate against the year before's."
    )
    changed: bool = Field(
        description="The rate changed significantly (p < 0.05, at least 5 decisions a year)."
    )

    @staticmethod
    def resolve_grounds(line: PartnerYear) -> list[dict]:
        return [
            {"code": code, "name": name, "refused": refused} for code, name, refused in line.grounds
        ]


@router.get(
    "/partners",
    response={200: list[PartnerYearOut], **ERRORS},
    summary="Partner profiles of a year",
    operation_id="partners",
)
@reads_from_replica
def partners(request: HttpRequest, params: Query[PartnersIn]) -> list[PartnerYear]:
    """Return every country's requests of the year by kind, with refusal rates and changes."""
    authorize(request.auth, Action.READ)
    return partner_profiles(
        year=params.year,
        direction=params.direction,
        as_of=params.moment(),
        language=get_language() or "en",
    )


@router.get(
    "/partners/{code}",
    response={200: list[PartnerYearOut], **ERRORS},
    summary="Partner history of a country",
    operation_id="partner_history",
)
@reads_from_replica
def partner(request: HttpRequest, code: str, params: Query[HistoryIn]) -> list[PartnerYear]:
    """Return a country's requests in every year with activity, oldest first."""
    authorize(request.auth, Action.READ)
    return partner_history(
        country=code,
        direction=params.direction,
        as_of=params.moment(),
        language=get_language() or "en",
    )
