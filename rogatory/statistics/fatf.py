"""The FATF tables for one calendar year (Recommendations 33, 37 and 39, Immediate Outcome 2).

Requests made (outgoing) and received (incoming), by kind: opened, granted, refused, withdrawn
and pending at the end of the year, the median execution time, and the same counts by offence,
with money laundering (ML) and terrorist financing (TF) on lines of their own.

The counts Report v1 already defines (opened, granted, refused, withdrawn, pending at the end)
come from `report_build`, so that one figure has one implementation. What it lacks is computed
here by the database over `report_requests`, with the same definitions:

- the median execution time counts only the requests granted or executed (in full or in part)
  in the year, from opening to decision; Report v1's median also counts refusals;
- the offence breakdown counts by the request's ICCS level-1 category, and counts the requests
  flagged as ML or TF again on the ML and TF lines: a laundering case of category 07 is on both.

As with every figure, "as known at" a moment recomputes the lifecycle from the events recorded
by then; a request's own details (its offence category and the two flags) count as they are now.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, F, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from rogatory.core.exceptions import ValidationError
from rogatory.core.languages import language_check
from rogatory.reference.models import OffenceCategory
from rogatory.register.models import Direction, Kind, Outcome, Request

from .figures import Median, Report
from .projection import DECIDED_ON, OPENED_ON, OUTCOME, report_requests
from .selectors import median_days_by, report_build

ML = "ML"
TF = "TF"
NOT_RECORDED = ""
# A request granted, or executed in full or in part: what FATF calls assistance given.
GRANTED_OUTCOMES = (Outcome.EXECUTED, Outcome.PARTIALLY_EXECUTED, Outcome.GRANTED)
# The order of the rows: requests made, then received; legal assistance, then extradition.
_ORDER = (
    (Direction.OUTGOING, Kind.MLA),
    (Direction.OUTGOING, Kind.EXTRADITION),
    (Direction.INCOMING, Kind.MLA),
    (Direction.INCOMING, Kind.EXTRADITION),
)
_COUNTS = ("opened", "granted", "refused", "pending_at_end")


@dataclass(frozen=True)
class FatfRow:
    """Requests of one direction and kind in the year, as FATF asks for them."""

    direction: str  # outgoing (made) / incoming (received)
    kind: str  # mla / extradition
    label: str  # translated, e.g. "Requests for legal assistance made"
    opened: int  # made or received in the year
    granted: int  # executed in full or in part (MLA) or granted (extradition), in the year
    refused: int  # refused in the year
    withdrawn: int  # withdrawn in the year
    pending_at_end: int  # opened by the end of the year and not decided by then (Report v1)
    # Median days from opening to decision over the requests granted or executed (in full or
    # in part) in the year; None when there are none.
    median_execution_days: Median


@dataclass(frozen=True)
class FatfOffenceRow:
    """The requests of one direction and kind in the year about one offence.

    `key` is "ML" or "TF" for the requests flagged as money laundering or terrorist financing,
    which are also counted under their ICCS category; an ICCS level-1 code "01".."11"; or ""
    for requests with no category recorded. The ICCS lines and "" add up to the `FatfRow`.
    """

    key: str
    label: str
    direction: str
    kind: str
    opened: int
    granted: int
    refused: int
    pending_at_end: int


@dataclass(frozen=True)
class FatfTables:
    """The FATF tables of one calendar year, now or as known at `as_of`."""

    year: int
    as_of: datetime | None
    # Outgoing MLA, outgoing extradition, incoming MLA, incoming extradition (zeros included).
    rows: tuple[FatfRow, ...]
    # Per direction and kind in the order of `rows`: ML, TF, each ICCS category in code order,
    # then "not recorded"; every line is there, zeros included.
    offences: tuple[FatfOffenceRow, ...]


def fatf_tables(*, year: int, as_of: datetime | None = None, language: str) -> FatfTables:
    """Return the FATF tables of calendar `year`, labelled in `language`."""
    _check_input(year=year, language=language)
    period_from, period_to = date(year, 1, 1), date(year, 12, 31)
    reports = {
        direction: report_build(
            period_from=period_from, period_to=period_to, direction=direction, as_of=as_of
        )
        for direction in Direction.values
    }
    requests = report_requests(as_of=as_of).filter(**{f"{OPENED_ON}__lte": period_to})
    decided = Q(**{f"{DECIDED_ON}__gte": period_from, f"{DECIDED_ON}__lte": period_to})
    medians = _execution_medians(requests, decided)
    with translation.override(language):
        rows = tuple(
            _row(reports[direction], kind, medians.get((direction, kind)))
            for direction, kind in _ORDER
        )
        offences = _offence_rows(requests, period_from, period_to, decided, language)
    return FatfTables(year=year, as_of=as_of, rows=rows, offences=offences)


def _check_input(*, year: int, language: str) -> None:
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999:
        raise ValidationError(_("“%(value)s” is not a calendar year.") % {"value": year})
    language_check(language)


def _row(report: Report, kind: str, median: Median) -> FatfRow:
    if kind == Kind.MLA:
        figures, granted = report.mla, report.mla.fulfilled
    else:
        figures, granted = report.extradition, report.extradition.granted
    return FatfRow(
        direction=report.direction,
        kind=kind,
        label=_label(report.direction, kind),
        opened=figures.sent,
        granted=granted,
        refused=figures.refused,
        withdrawn=figures.withdrawn,
        pending_at_end=figures.pending_at_end,
        median_execution_days=median,
    )


def _label(direction: str, kind: str) -> str:
    labels = {
        (Direction.OUTGOING, Kind.MLA): _("Requests for legal assistance made"),
        (Direction.OUTGOING, Kind.EXTRADITION): _("Extradition requests made"),
        (Direction.INCOMING, Kind.MLA): _("Requests for legal assistance received"),
        (Direction.INCOMING, Kind.EXTRADITION): _("Extradition requests received"),
    }
    return labels[(direction, kind)]


def _execution_medians(requests: QuerySet[Request], decided: Q) -> dict[tuple, Median]:
    # Report v1's median, over the requests executed (in full or in part) or granted only.
    return median_days_by(
        requests,
        decided & Q(**{f"{OUTCOME}__in": GRANTED_OUTCOMES}),
        by={"m_direction": F("direction"), "m_kind": F("kind")},
    )


def _counts(period_from: date, period_to: date, decided: Q, only: Q | None = None) -> dict:
    """Return the aggregates of `_COUNTS`, each restricted to `only` when given."""
    only = only if only is not None else Q()
    return {
        "opened": Count("pk", filter=only & Q(**{f"{OPENED_ON}__gte": period_from})),
        "granted": Count("pk", filter=only & decided & Q(**{f"{OUTCOME}__in": GRANTED_OUTCOMES})),
        "refused": Count("pk", filter=only & decided & Q(**{OUTCOME: Outcome.REFUSED})),
        "pending_at_end": Count(
            "pk",
            filter=only
            & (Q(**{f"{DECIDED_ON}__isnull": True}) | Q(**{f"{DECIDED_ON}__gt": period_to})),
        ),
    }


def _offence_rows(
    requests: QuerySet[Request], period_from: date, period_to: date, decided: Q, language: str
) -> tuple[FatfOffenceRow, ...]:
    # `requests` holds only requests opened by the end of the year, as in Report v1: every
    # count below is about them.
    counts: dict[tuple[str, str, str], dict[str, int]] = {}
    by_category = (
        requests.order_by()
        .values("direction", "kind", "offence_category_id")
        .annotate(**_counts(period_from, period_to, decided))
    )
    for row in by_category:
        key = (row["direction"], row["kind"], row["offence_category_id"] or NOT_RECORDED)
        counts[key] = {name: row[name] for name in _COUNTS}
    flags = {ML: Q(money_laundering=True), TF: Q(terrorist_financing=True)}
    by_flag = (
        requests.filter(Q(money_laundering=True) | Q(terrorist_financing=True))
        .order_by()
        .values("direction", "kind")
        .annotate(
            **{
                f"{flag}_{name}": aggregate
                for flag, only in flags.items()
                for name, aggregate in _counts(period_from, period_to, decided, only).items()
            }
        )
    )
    for row in by_flag:
        for flag in flags:
            counts[(row["direction"], row["kind"], flag)] = {
                name: row[f"{flag}_{name}"] for name in _COUNTS
            }
    lines = [
        (ML, _("Money laundering (also counted under its offence category)")),
        (TF, _("Terrorist financing (also counted under its offence category)")),
        *(
            (category.code, f"{category.code} {category.name_in(language)}")
            for category in OffenceCategory.objects.order_by("code")
        ),
        (NOT_RECORDED, _("Offence category not recorded")),
    ]
    zeros = dict.fromkeys(_COUNTS, 0)
    return tuple(
        FatfOffenceRow(
            key=key,
            label=label,
            direction=direction,
            kind=kind,
            **counts.get((direction, kind, key), zeros),
        )
        for direction, kind in _ORDER
        for key, label in lines
    )
