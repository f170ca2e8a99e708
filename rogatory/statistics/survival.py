"""How long requests wait for a decision: Kaplan–Meier curves, and the undecided ones by age.

A median over decided requests alone says nothing of the requests still waiting, and the
slowest ones are exactly those. The Kaplan–Meier estimator (lifelines) counts a request still
pending as *censored*: it is known to have waited at least so long. The database computes one
row of whole days per request; lifelines only estimates from those numbers.

The backlog by age is one GROUP BY: the undecided requests at a date, by how long ago they
were opened, in calendar months.
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

import numpy as np
import pandas as pd
from django.db.models import Case, Count, DateField, F, IntegerField, Q, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from lifelines import KaplanMeierFitter
from lifelines.exceptions import StatError
from lifelines.utils import median_survival_times, qth_survival_times

from rogatory.core.exceptions import ValidationError
from rogatory.reference.models import Country
from rogatory.register.models import Direction, Kind, Outcome

from .projection import DECIDED_ON, OPENED_ON, OUTCOME, report_requests
from .selectors import DaysBetween, report_input_check

TOP_COUNTRIES = 10
# A chart needs no more points than this to draw a step curve.
TIMELINE_POINTS = 200
# Survival shares are products of fractions computed through logarithms; rounding them lets a
# share that is exactly one half (or one tenth) count as reached.
_SHARE_DECIMALS = 12


@dataclass(frozen=True)
class Quantile:
    """A day on the curve with its 95% confidence interval; None where the curve never gets."""

    days: float | None
    lower: float | None
    upper: float | None


@dataclass(frozen=True)
class SurvivalCurve:
    """The Kaplan–Meier estimate of the share of one group's requests still undecided by day.

    An empty timeline with requests means too few of them were at risk to estimate a curve.
    """

    key: str
    label: str
    requests: int
    decided: int
    pending: int
    median: Quantile
    p90: Quantile
    # (day, share still undecided) at each step, from day 0, at most TIMELINE_POINTS of them.
    timeline: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class TimeToDecision:
    """Time to decision in a period: by kind, by direction and for the busiest countries."""

    period_from: date
    period_to: date
    at: date
    direction: str | None
    by_kind: tuple[SurvivalCurve, ...]
    by_direction: tuple[SurvivalCurve, ...]
    by_country: tuple[SurvivalCurve, ...]


@dataclass(frozen=True)
class BacklogRow:
    """Undecided requests of one direction and kind, by age."""

    direction: str
    kind: str
    under_3_months: int
    months_3_to_6: int
    months_6_to_12: int
    years_1_to_2: int
    over_2_years: int

    @property
    def total(self) -> int:
        return (
            self.under_3_months
            + self.months_3_to_6
            + self.months_6_to_12
            + self.years_1_to_2
            + self.over_2_years
        )


@dataclass(frozen=True)
class Backlog:
    """The requests undecided at a date, by age, for every direction and kind."""

    at: date
    rows: tuple[BacklogRow, ...]

    def buckets(self) -> list[tuple[str, str]]:
        """Return each age bucket's attribute name and its label in the active language."""
        return [
            ("under_3_months", _("Under 3 months")),
            ("months_3_to_6", _("3–6 months")),
            ("months_6_to_12", _("6–12 months")),
            ("years_1_to_2", _("1–2 years")),
            ("over_2_years", _("Over 2 years")),
        ]


class _Sample(NamedTuple):
    """One value per request in the analysis, as lifelines takes them."""

    direction: np.ndarray
    kind: np.ndarray
    country: np.ndarray
    duration: np.ndarray  # days from opening to decision, withdrawal or `at`
    decided: np.ndarray  # True when the requested state's decision was observed
    entry: np.ndarray  # the age at which the request comes under observation


def time_to_decision(
    *,
    period_from: date,
    period_to: date,
    direction: str | None,
    as_of: datetime | None = None,
    language: str,
) -> TimeToDecision:
    """Return Kaplan–Meier curves of the days from opening to decision, as seen in the period.

    The requests in the analysis are those opened on or before `at` and not decided before
    `period_from`. `at` is `period_to`, or the day of `as_of` or today when earlier: a
    request pending then has waited no longer than that. A request decided on or before `at`
    counts its days from opening to decision; a request undecided at `at` is censored at its
    days from opening to `at`, and a withdrawal is censored at the withdrawal (the requested
    state did not decide it). A request opened before the period enters the estimate late
    (left truncation, lifelines' `entry`) at its age on `period_from`, so it is at risk only
    from then and the curve describes waiting as experienced during the period. lifelines
    counts a request at risk *after* its entry (the interval (entry, duration]), so a late
    entrant's entry is its age on `period_from` less half a day: a decision on the first day
    of the period is then one it was at risk of, and no day before the period is.

    The median and p90 are the first day on which the estimated share still undecided is at
    most 0.5 and 0.1 (lifelines' `median_survival_times` and `qth_survival_times`; no
    averaging across a flat step, so on ties this median may differ from Report v1's, which
    also leaves pending requests out). Their 95% confidence intervals invert lifelines'
    pointwise 95% bands (the exponential Greenwood formula, on log(-log S)):
    the same quantile read off `confidence_interval_`, the band that falls first giving the
    lower bound. A day the curve or a band never reaches is None; a group with no requests
    has None quantiles and an empty timeline.

    When everyone at risk in a group has left before older requests enter (small groups,
    short periods), lifelines declines the Kaplan–Meier estimate (StatError): an event on
    the last request at risk would make the share 0 for every later day, whatever the
    requests entering later then wait. Such a curve rests on one or two requests at some
    ages, so it keeps its counts but has None quantiles and an empty timeline: too few
    requests at risk to estimate (a yearly period rarely meets this; a month often does).
    """
    report_input_check(
        period_from=period_from, period_to=period_to, direction=direction or Direction.OUTGOING
    )
    at = min(period_to, _day_of(as_of) if as_of is not None else timezone.localdate())
    if at < period_from:
        raise ValidationError(
            _("Nothing of a period starting on %(from)s is known on %(at)s.")
            % {"from": period_from.isoformat(), "at": at.isoformat()}
        )
    sample = _sample(period_from=period_from, at=at, as_of=as_of)
    chosen = np.ones(len(sample.duration), dtype=bool)
    if direction is not None:
        chosen = sample.direction == direction
    with translation.override(language):
        kind_labels = {Kind.MLA: _("Legal assistance"), Kind.EXTRADITION: _("Extradition")}
        direction_labels = {Direction.OUTGOING: _("Outgoing"), Direction.INCOMING: _("Incoming")}
        by_kind = tuple(
            _curve(sample, chosen & (sample.kind == kind), key=kind, label=kind_labels[kind])
            for kind in Kind.values
        )
        by_direction = tuple(
            _curve(sample, sample.direction == key, key=key, label=direction_labels[key])
            for key in Direction.values
        )
    by_country = tuple(
        _curve(sample, chosen & (sample.country == code), key=code, label=name)
        for code, name in _busiest_countries(sample.country[chosen], language)
    )
    return TimeToDecision(
        period_from=period_from,
        period_to=period_to,
        at=at,
        direction=direction,
        by_kind=by_kind,
        by_direction=by_direction,
        by_country=by_country,
    )


def backlog_by_age(*, at: date, as_of: datetime | None = None) -> Backlog:
    """Return the requests undecided at `at` by age, for each direction and kind.

    Undecided means opened on or before `at` and not decided on or before `at`, as Report v1's
    `pending_at_end`. Ages are calendar months back from `at`, clamped to the end of shorter
    months (three months before 31 May is 28 or 29 February): a request is under 3 months old
    when opened after `at` minus 3 months, 3–6 months when opened after `at` minus 6 months
    and on or before `at` minus 3 months, and so on; opened on or before `at` minus 24 months
    is over 2 years. So a request opened on 30 September 2023 is under 3 months old on
    29 December 2023 and 3–6 months old from 30 December.
    """
    three, six, twelve, twenty_four = (_months_before(at, months) for months in (3, 6, 12, 24))

    def opened(after: date | None, on_or_before: date | None) -> Count:
        condition = Q()
        if after is not None:
            condition &= Q(**{f"{OPENED_ON}__gt": after})
        if on_or_before is not None:
            condition &= Q(**{f"{OPENED_ON}__lte": on_or_before})
        return Count("pk", filter=condition)

    rows = (
        report_requests(as_of=as_of)
        .filter(**{f"{OPENED_ON}__lte": at})
        .filter(Q(**{f"{DECIDED_ON}__isnull": True}) | Q(**{f"{DECIDED_ON}__gt": at}))
        .order_by()
        .values("direction", "kind")
        .annotate(
            under_3_months=opened(three, None),
            months_3_to_6=opened(six, three),
            months_6_to_12=opened(twelve, six),
            years_1_to_2=opened(twenty_four, twelve),
            over_2_years=opened(None, twenty_four),
        )
    )
    counts = {(row.pop("direction"), row.pop("kind")): row for row in rows}
    empty = dict.fromkeys(
        ("under_3_months", "months_3_to_6", "months_6_to_12", "years_1_to_2", "over_2_years"), 0
    )
    return Backlog(
        at=at,
        rows=tuple(
            BacklogRow(direction=direction, kind=kind, **counts.get((direction, kind), empty))
            for direction in Direction.values
            for kind in Kind.values
        ),
    )


def _day_of(moment: datetime) -> date:
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


def _months_before(day: date, months: int) -> date:
    """Return the same day `months` calendar months earlier, or the end of a shorter month."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    if year < date.min.year:
        return date.min
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _sample(*, period_from: date, at: date, as_of: datetime | None) -> _Sample:
    """Return the requests at risk in the period, one row of whole days each, from SQL."""
    rows = list(
        report_requests(as_of=as_of)
        .filter(**{f"{OPENED_ON}__lte": at})
        .filter(Q(**{f"{DECIDED_ON}__isnull": True}) | Q(**{f"{DECIDED_ON}__gte": period_from}))
        .annotate(
            days_to_decision=Case(
                When(
                    Q(**{f"{DECIDED_ON}__lte": at}),
                    then=DaysBetween(F(DECIDED_ON), F(OPENED_ON)),
                ),
                default=None,
                output_field=IntegerField(),
            ),
            days_to_at=DaysBetween(Value(at, output_field=DateField()), F(OPENED_ON)),
            days_to_period=DaysBetween(Value(period_from, output_field=DateField()), F(OPENED_ON)),
            decision=F(OUTCOME),
        )
        .order_by()
        .values_list(
            "direction",
            "kind",
            "country_id",
            "days_to_decision",
            "days_to_at",
            "days_to_period",
            "decision",
        )
    )
    columns = list(zip(*rows, strict=True)) if rows else [()] * 7
    direction, kind, country = (np.array(values, dtype=object) for values in columns[:3])
    days_to_decision = np.array(columns[3], dtype=float)  # NaN where undecided at `at`
    days_to_at = np.array(columns[4], dtype=float)
    days_to_period = np.array(columns[5], dtype=float)
    outcome = np.array(columns[6], dtype=object)
    closed = ~np.isnan(days_to_decision)
    duration = np.where(closed, days_to_decision, days_to_at)
    return _Sample(
        direction=direction,
        kind=kind,
        country=country,
        duration=duration,
        decided=closed & (outcome != Outcome.WITHDRAWN.value),
        # Half a day before the first day of the period (see time_to_decision). A decision
        # never precedes the opening, so the entry never passes the duration; the bound only
        # keeps lifelines from refusing a register that breaks that rule.
        entry=np.minimum(np.where(days_to_period > 0, days_to_period - 0.5, 0.0), duration),
    )


def _busiest_countries(countries: np.ndarray, language: str) -> list[tuple[str, str]]:
    """Return the codes and names of the countries with most requests, most first."""
    if not len(countries):
        return []
    codes, counts = np.unique(countries.astype(str), return_counts=True)
    ranked = sorted(zip(codes.tolist(), counts.tolist(), strict=True), key=lambda c: (-c[1], c[0]))
    top = [code for code, _count in ranked[:TOP_COUNTRIES]]
    names = {
        country.code: country.name_in(language)
        for country in Country.objects.filter(code__in=top).only("code", "name_en", "name_ru")
    }
    return [(code, names.get(code, code)) for code in top]


def _curve(sample: _Sample, mask: np.ndarray, *, key: str, label: str) -> SurvivalCurve:
    durations, decided, entry = sample.duration[mask], sample.decided[mask], sample.entry[mask]
    requests = int(mask.sum())
    observed = int(decided.sum())
    nothing = Quantile(days=None, lower=None, upper=None)
    counts = {"key": key, "label": label, "requests": requests, "decided": observed}
    counts["pending"] = requests - observed
    if not requests:
        return SurvivalCurve(**counts, median=nothing, p90=nothing, timeline=())
    try:
        fitter = KaplanMeierFitter().fit(durations, event_observed=decided, entry=entry)
    except StatError:
        return SurvivalCurve(**counts, median=nothing, p90=nothing, timeline=())
    survival = fitter.survival_function_.round(_SHARE_DECIMALS)
    bands = fitter.confidence_interval_.round(_SHARE_DECIMALS)
    median = Quantile(
        days=_day(median_survival_times(survival)),
        **_interval(median_survival_times(bands)),
    )
    p90 = Quantile(
        days=_day(qth_survival_times(0.1, survival)),
        **_interval(qth_survival_times(0.1, bands)),
    )
    return SurvivalCurve(**counts, median=median, p90=p90, timeline=_timeline(survival))


def _day(value) -> float | None:
    """Return a lifelines quantile as a plain float, or None for a day never reached."""
    if isinstance(value, pd.DataFrame | pd.Series):
        value = value.to_numpy().item()
    value = float(value)
    return value if np.isfinite(value) else None


def _interval(bands: pd.DataFrame) -> dict[str, float | None]:
    # The band that falls first gives the lower bound; inf (never reached) sorts last.
    lower, upper = sorted(float(day) for day in bands.iloc[0])
    return {"lower": _day(lower), "upper": _day(upper)}


def _timeline(survival: pd.DataFrame) -> tuple[tuple[float, float], ...]:
    """Return the curve's steps from day 0, thinned evenly to at most TIMELINE_POINTS."""
    days = survival.index.to_numpy(dtype=float)
    shares = survival.iloc[:, 0].to_numpy(dtype=float)
    if days[0] > 0:
        # Late entrants only: nothing is decided before the first day anyone is at risk.
        days, shares = np.r_[0.0, days], np.r_[1.0, shares]
    steps = np.r_[True, shares[1:] != shares[:-1]]
    steps[-1] = True  # where the observation ends, so the last flat stretch is drawn
    days, shares = days[steps], shares[steps]
    if len(days) > TIMELINE_POINTS:
        keep = np.unique(np.linspace(0, len(days) - 1, TIMELINE_POINTS).round().astype(int))
        days, shares = days[keep], shares[keep]
    return tuple(zip(days.tolist(), np.round(shares, 6).tolist(), strict=True))
