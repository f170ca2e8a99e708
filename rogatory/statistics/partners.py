"""Partner profiles: how each counterpart state decided requests, year by year, with intervals.

For one direction, each country and kind of request gets per year: the requests opened, the
decisions by the requested state (executed, partially executed, granted, refused; a withdrawal
is the requesting state's own act and is left out), the refusals and the political ones, the
refusal rate (refused ÷ decided) with its Wilson 95% interval, the grounds cited, and the median
days from opening to decision (Report v1's definition, withdrawals left out). Every count is one
GROUP BY over `report_requests`, so a profile can be taken as known at a moment (`as_of`).

Whether a state's refusal rate changed from the year before is a two-sided test of two
proportions, this year's refusals out of decisions against last year's:

- the pooled two-proportion z-test (statsmodels `proportions_ztest`) when the normal
  approximation holds, that is when under the pooled rate every year expects at least
  `MIN_EXPECTED` refusals and as many non-refusals;
- Fisher's exact test (scipy `fisher_exact`) on the 2×2 table otherwise, since the z-test's
  p-value is unreliable there (and undefined when both years refused all or none).

A change is flagged when p < `SIGNIFICANCE`, and never when either year has fewer than
`MIN_DECISIONS` decisions: with so few, one decision moves the rate by a fifth or more, and a
flag would report noise as policy. Intervals and p-values are plain Python floats.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _
from scipy.stats import fisher_exact
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from rogatory.core.exceptions import NotFoundError, ValidationError
from rogatory.reference.models import Country, RefusalGround
from rogatory.register.models import Direction, Kind, Outcome, Request

from .figures import Median
from .projection import (
    DECIDED_ON,
    OPENED_ON,
    OUTCOME,
    POLITICAL,
    report_ground_rows,
    report_requests,
)
from .selectors import median_days_by

SIGNIFICANCE = 0.05
# Fewer decisions than this in either year: never flagged as a change.
MIN_DECISIONS = 5
# Fewer expected refusals or non-refusals than this in either year: Fisher's exact test.
MIN_EXPECTED = 5

# Decisions by the requested state; a withdrawal is the requesting state's own act.
DECISIONS = (Outcome.EXECUTED, Outcome.PARTIALLY_EXECUTED, Outcome.GRANTED, Outcome.REFUSED)
_KIND_ORDER = {kind: position for position, kind in enumerate(Kind.values)}

# (country, kind, year): what the figures of one partner year are keyed by.
_Key = tuple[str, str, int]


@dataclass(frozen=True)
class Interval:
    """A confidence interval of a proportion, as fractions."""

    low: float
    high: float

    @property
    def low_percent(self) -> float:
        return 100 * self.low

    @property
    def high_percent(self) -> float:
        return 100 * self.high


@dataclass(frozen=True)
class PartnerYear:
    """One country's requests of one direction and kind in one year, and how it decided them."""

    country: str
    name: str
    year: int
    direction: str
    kind: str
    requests: int
    decided: int
    refused: int
    refused_political: int
    refusal_rate: float | None
    interval: Interval | None
    grounds: tuple[tuple[str, str, int], ...]
    median_days: Median
    previous_rate: float | None
    p_value: float | None
    changed: bool

    @property
    def rate_percent(self) -> float | None:
        """Return the refusal rate in per cent."""
        return None if self.refusal_rate is None else 100 * self.refusal_rate

    @property
    def previous_percent(self) -> float | None:
        """Return last year's refusal rate in per cent."""
        return None if self.previous_rate is None else 100 * self.previous_rate

    @property
    def rose(self) -> bool:
        """Return whether the refusal rate is higher than the year before."""
        return (
            self.refusal_rate is not None
            and self.previous_rate is not None
            and self.refusal_rate > self.previous_rate
        )


@dataclass(frozen=True)
class _Counts:
    requests: int = 0
    decided: int = 0
    refused: int = 0
    refused_political: int = 0


def partner_profiles(
    *,
    year: int,
    direction: str,
    as_of: datetime | None = None,
    language: str,
    country: str | None = None,
) -> list[PartnerYear]:
    """Return every country's requests of `direction` in `year` by kind, by country name."""
    _check_input(year=year, direction=direction)
    as_of = _aware(as_of)
    requests = report_requests(as_of=as_of).filter(direction=direction)
    if country is not None:
        requests = requests.filter(country_id=_country_get(country).code)
    years = [previous for previous in (year - 1,) if previous >= 1] + [year]
    in_year = _decided_between(date(year, 1, 1), date(year, 12, 31))
    lines = _partner_years(
        counts=_year_counts(requests, years),
        medians=_median_days(requests, in_year),
        grounds=_ground_counts(requests, in_year, as_of),
        years=[year],
        direction=direction,
        language=language,
    )
    return sorted(lines, key=lambda line: (line.name.casefold(), _KIND_ORDER[line.kind]))


def partner_history(
    *, country: str, direction: str, as_of: datetime | None = None, language: str
) -> list[PartnerYear]:
    """Return the country's requests of `direction` in every year with activity, oldest first."""
    _check_input(year=None, direction=direction)
    as_of = _aware(as_of)
    code = _country_get(country).code
    requests = report_requests(as_of=as_of).filter(direction=direction, country_id=code)
    years = _activity_years(requests)
    if not years:
        return []
    everything = Q(**{f"{DECIDED_ON}__isnull": False})
    lines = _partner_years(
        counts=_year_counts(requests, years),
        medians=_median_days(requests, everything),
        grounds=_ground_counts(requests, everything, as_of),
        years=years,
        direction=direction,
        language=language,
    )
    return sorted(lines, key=lambda line: (line.year, _KIND_ORDER[line.kind]))


def partner_policy_changes(
    *, year: int, direction: str, as_of: datetime | None = None, language: str
) -> list[PartnerYear]:
    """Return the countries whose refusal rate changed significantly in `year`, biggest first."""
    changed = [
        line
        for line in partner_profiles(year=year, direction=direction, as_of=as_of, language=language)
        if line.changed
    ]
    return sorted(
        changed,
        key=lambda line: (
            -abs((line.refusal_rate or 0.0) - (line.previous_rate or 0.0)),
            line.name.casefold(),
            _KIND_ORDER[line.kind],
        ),
    )


def refusal_interval(*, refused: int, decided: int) -> Interval | None:
    """Return the Wilson 95% interval of `refused` out of `decided`, or None when none decided."""
    if decided <= 0:
        return None
    low, high = proportion_confint(refused, decided, alpha=0.05, method="wilson")
    return Interval(low=max(0.0, float(low)), high=min(1.0, float(high)))


def refusal_change(
    *, refused: int, decided: int, previous_refused: int, previous_decided: int
) -> tuple[float | None, bool]:
    """Return the p-value of "the refusal rate changed" and whether the change is flagged."""
    if decided <= 0 or previous_decided <= 0:
        return None, False
    pooled = (refused + previous_refused) / (decided + previous_decided)
    expected = [
        count * share for count in (decided, previous_decided) for share in (pooled, 1 - pooled)
    ]
    if min(expected) < MIN_EXPECTED:
        table = [
            [refused, decided - refused],
            [previous_refused, previous_decided - previous_refused],
        ]
        p_value = float(fisher_exact(table).pvalue)
    else:
        _statistic, p = proportions_ztest([refused, previous_refused], [decided, previous_decided])
        p_value = float(p)
    enough = min(decided, previous_decided) >= MIN_DECISIONS
    return p_value, enough and p_value < SIGNIFICANCE


# --- The parts of a profile -------------------------------------------------------------------


def _year_counts(requests: QuerySet[Request], years: Sequence[int]) -> dict[_Key, _Counts]:
    # One GROUP BY by country and kind, with a column of each figure for each year.
    aggregates = {}
    for year in years:
        opened = _opened_between(date(year, 1, 1), date(year, 12, 31))
        decided = _decided_between(date(year, 1, 1), date(year, 12, 31)) & Q(
            **{f"{OUTCOME}__in": DECISIONS}
        )
        refused = decided & Q(**{OUTCOME: Outcome.REFUSED})
        aggregates |= {
            f"requests_{year}": Count("pk", filter=opened),
            f"decided_{year}": Count("pk", filter=decided),
            f"refused_{year}": Count("pk", filter=refused),
            f"political_{year}": Count("pk", filter=refused & Q(**{POLITICAL: True})),
        }
    first, last = date(min(years), 1, 1), date(max(years), 12, 31)
    rows = (
        requests.filter(_opened_between(first, last) | _decided_between(first, last))
        .order_by()
        .values("country_id", "kind")
        .annotate(**aggregates)
    )
    counts = {}
    for row in rows:
        for year in years:
            counts[(row["country_id"], row["kind"], year)] = _Counts(
                requests=row[f"requests_{year}"],
                decided=row[f"decided_{year}"],
                refused=row[f"refused_{year}"],
                refused_political=row[f"political_{year}"],
            )
    return counts


def _median_days(requests: QuerySet[Request], decided: Q) -> dict[_Key, Median]:
    return median_days_by(
        requests,
        decided,
        by={"m_country": F("country_id"), "m_kind": F("kind"), "m_year": ExtractYear(DECIDED_ON)},
    )


def _ground_counts(
    requests: QuerySet[Request], decided: Q, as_of: datetime | None
) -> dict[_Key, list[tuple[str, int]]]:
    """Return the grounds cited by the refusals decided as `decided`, by country, kind and year.

    The rows of `projection.report_ground_counts`, grouped finer.
    """
    refused = requests.filter(decided, **{OUTCOME: Outcome.REFUSED})
    rows, request, ground = report_ground_rows(refused=refused, as_of=as_of)
    # The decision's year as the projection has it, read from the refused request itself.
    decision_year = Subquery(
        refused.filter(pk=OuterRef(f"{request}_id"))
        .annotate(decision_year=ExtractYear(DECIDED_ON))
        .values("decision_year")[:1],
        output_field=IntegerField(),
    )
    counted = (
        rows.values(
            g_country=F(f"{request}__country_id"),
            g_kind=F(f"{request}__kind"),
            g_year=decision_year,
            g_code=F(ground),
        )
        .order_by()
        .annotate(refused=Count("pk"))
    )
    grounds: dict[_Key, list[tuple[str, int]]] = defaultdict(list)
    for row in counted:
        key = (row["g_country"], row["g_kind"], row["g_year"])
        grounds[key].append((row["g_code"], row["refused"]))
    return grounds


def _activity_years(requests: QuerySet[Request]) -> list[int]:
    opened = requests.filter(**{f"{OPENED_ON}__isnull": False}).annotate(
        a_year=ExtractYear(OPENED_ON)
    )
    decided = requests.filter(**{f"{OUTCOME}__in": DECISIONS}).annotate(
        a_year=ExtractYear(DECIDED_ON)
    )
    years = {
        year
        for queryset in (opened, decided)
        for year in queryset.order_by().values_list("a_year", flat=True).distinct()
        if year is not None
    }
    return list(range(min(years), max(years) + 1)) if years else []


def _partner_years(
    *,
    counts: dict[_Key, _Counts],
    medians: dict[_Key, Median],
    grounds: dict[_Key, list[tuple[str, int]]],
    years: Iterable[int],
    direction: str,
    language: str,
) -> list[PartnerYear]:
    wanted = set(years)
    keys = [
        key
        for key, figures in counts.items()
        if key[2] in wanted and (figures.requests or figures.decided)
    ]
    names = _country_names({country for country, _kind, _year in keys}, language)
    ground_names = _ground_names(
        {code for key in keys for code, _count in grounds.get(key, ())}, language
    )
    lines = []
    for key in keys:
        country, kind, year = key
        figures = counts[key]
        previous = counts.get((country, kind, year - 1), _Counts())
        p_value, changed = refusal_change(
            refused=figures.refused,
            decided=figures.decided,
            previous_refused=previous.refused,
            previous_decided=previous.decided,
        )
        cited = sorted(
            ((code, ground_names.get(code, code), count) for code, count in grounds.get(key, ())),
            key=lambda item: (-item[2], item[1].casefold()),
        )
        lines.append(
            PartnerYear(
                country=country,
                name=names.get(country, country),
                year=year,
                direction=direction,
                kind=kind,
                requests=figures.requests,
                decided=figures.decided,
                refused=figures.refused,
                refused_political=figures.refused_political,
                refusal_rate=_rate(figures.refused, figures.decided),
                interval=refusal_interval(refused=figures.refused, decided=figures.decided),
                grounds=tuple(cited),
                median_days=medians.get(key),
                previous_rate=_rate(previous.refused, previous.decided),
                p_value=p_value,
                changed=changed,
            )
        )
    return lines


# --- Small helpers ----------------------------------------------------------------------------


def _check_input(*, year: int | None, direction: str) -> None:
    if direction not in Direction.values:
        raise ValidationError(
            _("The direction must be outgoing or incoming, not “%(value)s”.")
            % {"value": direction},
            extra={"field": "direction"},
        )
    if year is not None and not 1 <= year <= 9999:
        raise ValidationError(
            _("The year must be between 1 and 9999, not %(value)s.") % {"value": year},
            extra={"field": "year"},
        )


def _aware(as_of: datetime | None) -> datetime | None:
    # A naive moment is one on the server's clock.
    if as_of is not None and timezone.is_naive(as_of):
        return timezone.make_aware(as_of, timezone.get_default_timezone())
    return as_of


def _country_get(code: str) -> Country:
    country = None
    if len(code) == 2 and code.isascii() and code.isalpha():
        country = Country.objects.filter(code=code.upper()).first()
    if country is None:
        raise NotFoundError(_("There is no country with the code “%(code)s”.") % {"code": code})
    return country


def _country_names(codes: set[str], language: str) -> dict[str, str]:
    if not codes:
        return {}
    countries = Country.objects.filter(code__in=codes).only("code", "name_en", "name_ru")
    return {country.code: country.name_in(language) for country in countries}


def _ground_names(codes: set[str], language: str) -> dict[str, str]:
    if not codes:
        return {}
    grounds = RefusalGround.objects.filter(code__in=codes)
    return {ground.code: ground.label_in(language) for ground in grounds}


def _opened_between(first: date, last: date) -> Q:
    return Q(**{f"{OPENED_ON}__gte": first, f"{OPENED_ON}__lte": last})


def _decided_between(first: date, last: date) -> Q:
    return Q(**{f"{DECIDED_ON}__gte": first, f"{DECIDED_ON}__lte": last})


def _rate(refused: int, decided: int) -> float | None:
    return refused / decided if decided else None
