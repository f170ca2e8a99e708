"""The requests behind a period's figures, one row each, for the workbook's data sheet.

Every request that counts in any figure of the period is listed (opened in it, decided in it,
or pending at its end) with flags saying where it counts, so that an analyst can filter the
list and arrive at each figure of the report. The rows read the same projection aliases as the
figures, as known now or at `as_of`. They carry no personal data: no names of persons sought,
no notes.
"""

from collections.abc import Iterator
from datetime import date, datetime
from typing import NamedTuple

from django.db.models import (
    Aggregate,
    BooleanField,
    Case,
    CharField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf

from rogatory.accounts.models import User
from rogatory.accounts.permissions import user_sees_all_units
from rogatory.register.models import Event, Kind, Outcome, RequestGround
from rogatory.register.selectors import requests_visible_to

from .projection import (
    DECIDED_ON,
    OPENED_ON,
    OUTCOME,
    POLITICAL,
    decision_event_at,
    report_requests,
)
from .selectors import DaysBetween, report_input_check

CHUNK_SIZE = 2000
GROUND_SEPARATOR = ";"


class RequestRow(NamedTuple):
    """One request of the data sheet; the flags say in which of the period's figures it counts."""

    reference: str
    kind: str
    country_code: str
    country_name: str
    offence_category: str
    offence_name: str
    money_laundering: bool
    terrorist_financing: bool
    legal_basis: str
    opened_on: date | None
    decided_on: date | None
    outcome: str
    political: bool | None
    refusal_grounds: str
    persons_sought: int | None
    days_to_decision: int | None
    opened_in_period: bool
    decided_in_period: bool
    pending_at_end: bool


class _JoinedCodes(Aggregate):
    """The codes of a group joined by `;` (GROUP_CONCAT on SQLite, STRING_AGG on PostgreSQL)."""

    function = "GROUP_CONCAT"
    template = f"%(function)s(%(expressions)s, '{GROUND_SEPARATOR}')"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="STRING_AGG", **extra_context)


def report_request_rows(
    *,
    period_from: date,
    period_to: date,
    direction: str,
    as_of: datetime | None = None,
    user: User | None = None,
    language: str = "en",
) -> Iterator[RequestRow]:
    """Return every request counted in a figure of the period, oldest opening first.

    With a `user` who cannot see every unit, only their units' requests are listed (the
    figures still count the whole office: see `report_request_rows_limited`).
    """
    report_input_check(period_from=period_from, period_to=period_to, direction=direction)
    opened_in = Q(**{f"{OPENED_ON}__gte": period_from, f"{OPENED_ON}__lte": period_to})
    decided_in = Q(**{f"{DECIDED_ON}__gte": period_from, f"{DECIDED_ON}__lte": period_to})
    pending_at_end = Q(**{f"{OPENED_ON}__lte": period_to}) & (
        Q(**{f"{DECIDED_ON}__isnull": True}) | Q(**{f"{DECIDED_ON}__gt": period_to})
    )
    requests = report_requests(as_of=as_of).filter(
        opened_in | decided_in | pending_at_end, direction=direction
    )
    if user is not None and report_request_rows_limited(user=user):
        requests = requests.filter(pk__in=requests_visible_to(user).values("pk"))
    requests = requests.alias(**_grounds_alias(as_of))
    russian = language.startswith("ru")
    rows = requests.annotate(
        row_country_name=_name("country", russian=russian),
        row_offence_name=_name("offence_category", russian=russian),
        row_opened_on=F(OPENED_ON),
        row_decided_on=F(DECIDED_ON),
        row_outcome=F(OUTCOME),
        row_political=Case(
            When(**{OUTCOME: Outcome.REFUSED}, then=F(POLITICAL)),
            default=Value(None),
            output_field=BooleanField(),
        ),
        row_grounds=Case(
            When(**{OUTCOME: Outcome.REFUSED}, then=F("row_ground_codes")),
            default=Value(None),
            output_field=CharField(),
        ),
        row_persons=Case(
            When(kind=Kind.EXTRADITION, then=F("persons_count")),
            default=Value(None),
            output_field=IntegerField(),
        ),
        row_days=DaysBetween(F(DECIDED_ON), F(OPENED_ON)),
        row_opened_in=_flag(opened_in),
        row_decided_in=_flag(decided_in),
        row_pending_at_end=_flag(pending_at_end),
    ).order_by(F(OPENED_ON).asc(nulls_first=True), "reference", "pk")
    values = rows.values_list(
        "reference",
        "kind",
        "country_id",
        "row_country_name",
        "offence_category_id",
        "row_offence_name",
        "money_laundering",
        "terrorist_financing",
        "legal_basis_id",
        "row_opened_on",
        "row_decided_on",
        "row_outcome",
        "row_political",
        "row_grounds",
        "row_persons",
        "row_days",
        "row_opened_in",
        "row_decided_in",
        "row_pending_at_end",
    )
    return map(_row, values.iterator(chunk_size=CHUNK_SIZE))


def report_request_rows_limited(*, user: User | None) -> bool:
    """Return whether the data sheet lists only some units' requests for `user`."""
    return not user_sees_all_units(user)


def _grounds_alias(as_of: datetime | None) -> dict[str, Subquery]:
    # Today the grounds are the projection's; as known at a moment they are those of the
    # decision event that was then the last one, as in `report_ground_counts`.
    if as_of is None:
        codes = RequestGround.objects.filter(request=OuterRef("pk")).values("ground_id")
        return {"row_ground_codes": Subquery(_joined(codes, "request_id", "ground_id"))}
    codes = Event.grounds.through.objects.filter(event_id=OuterRef("row_decision_event"))
    return {
        "row_decision_event": decision_event_at(as_of),
        "row_ground_codes": Subquery(_joined(codes, "event_id", "refusalground_id")),
    }


def _joined(rows: QuerySet, group: str, code: str) -> QuerySet:
    return rows.order_by().values(group).annotate(codes=_JoinedCodes(code)).values("codes")


def _name(relation: str, *, russian: bool) -> Coalesce | F:
    if russian:
        return Coalesce(NullIf(F(f"{relation}__name_ru"), Value("")), F(f"{relation}__name_en"))
    return F(f"{relation}__name_en")


def _flag(condition: Q) -> Case:
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def _row(value: tuple) -> RequestRow:
    row = RequestRow(*value)
    # The database joins the codes in no set order; sorted, a request always reads the same.
    grounds = GROUND_SEPARATOR.join(sorted(filter(None, (row.refusal_grounds or "").split(";"))))
    return row._replace(
        offence_category=row.offence_category or "",
        offence_name=row.offence_name or "",
        legal_basis=row.legal_basis or "",
        refusal_grounds=grounds,
    )
