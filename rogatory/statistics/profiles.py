"""Country profiles: the treaties a state shares with us and our requests with it, in figures.

Everything here is an office-wide aggregate (counts, never individual requests), computed by
the database with GROUP BY over `report_requests`, so that a profile can be taken as known at
a moment. The report's refusal-ground names live here too, beside the other
reads that name grounds for the analytics pages.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from rogatory.core.exceptions import NotFoundError
from rogatory.reference.models import Country, RefusalGround, Treaty
from rogatory.register.models import Direction, Kind, Outcome, Request

from .cache import figures_cached
from .figures import Report
from .partners import DECISIONS, PartnerYear, partner_history
from .projection import OPENED_ON, OUTCOME, POLITICAL, report_ground_counts, report_requests


@dataclass(frozen=True)
class TreatyLine:
    """A treaty as a country profile lists it."""

    code: str
    kind: str
    kind_label: str
    name: str
    short_name: str
    covers_mla: bool
    covers_extradition: bool


@dataclass(frozen=True)
class YearCounts:
    """Requests opened in one year with one country, by direction and kind."""

    year: int
    outgoing_mla: int = 0
    outgoing_extradition: int = 0
    incoming_mla: int = 0
    incoming_extradition: int = 0

    @property
    def total(self) -> int:
        return (
            self.outgoing_mla
            + self.outgoing_extradition
            + self.incoming_mla
            + self.incoming_extradition
        )


@dataclass(frozen=True)
class RefusalRate:
    """How often requests of one direction and kind with a country were refused."""

    direction: str
    kind: str
    decided: int
    refused: int
    refused_political: int

    @property
    def rate(self) -> float | None:
        """Return refused ÷ decided as a fraction, or None when nothing was decided."""
        return self.refused / self.decided if self.decided else None

    @property
    def percent(self) -> float | None:
        """Return the rate in per cent, to one decimal."""
        return round(100 * self.refused / self.decided, 1) if self.decided else None


@dataclass(frozen=True)
class GroundCount:
    """A refusal ground and the refused requests with a country that cite it."""

    code: str
    label: str
    outgoing: int
    incoming: int

    @property
    def total(self) -> int:
        return self.outgoing + self.incoming


@dataclass(frozen=True)
class CountryProfile:
    """What the office knows about its work with one state."""

    country: Country
    group_names: list[str]
    treaties: list[TreatyLine]
    # Conventions open to every state, whose parties the reference data does not list.
    open_treaties: list[TreatyLine]
    years: list[YearCounts]
    rates: list[RefusalRate]
    grounds: list[GroundCount]
    # Year by year, with refusal rates, intervals and changes (see `partners`).
    outgoing_history: list[PartnerYear] = field(default_factory=list)
    incoming_history: list[PartnerYear] = field(default_factory=list)

    @property
    def refused(self) -> int:
        """Return the refused requests with the country, both directions and kinds."""
        return sum(rate.refused for rate in self.rates)

    @property
    def totals(self) -> YearCounts:
        """Return the requests of every year added up (year 0)."""
        return YearCounts(
            year=0,
            outgoing_mla=sum(year.outgoing_mla for year in self.years),
            outgoing_extradition=sum(year.outgoing_extradition for year in self.years),
            incoming_mla=sum(year.incoming_mla for year in self.years),
            incoming_extradition=sum(year.incoming_extradition for year in self.years),
        )


@dataclass(frozen=True)
class CountrySummary:
    """One line of the list of countries: the requests with that country, in counts."""

    code: str
    name: str
    outgoing: int
    incoming: int
    refused: int
    treaties: int

    @property
    def total(self) -> int:
        return self.outgoing + self.incoming


def country_profile(*, code: str, language: str, as_of: datetime | None = None) -> CountryProfile:
    """Return the profile of the country with ISO code `code`, names in `language`.

    With `as_of`, the figures are those known at that moment.
    """
    country = (
        Country.objects.filter(code=code.upper()).first()
        if len(code) == 2 and code.isalpha()
        else None
    )
    if country is None:
        raise NotFoundError(_("There is no country with the code “%(code)s”.") % {"code": code})
    return CountryProfile(
        country=country,
        group_names=[group.name_in(language) for group in country.groups.all()],
        treaties=_treaty_lines(Treaty.objects.filter(parties=country), language),
        open_treaties=_treaty_lines(
            Treaty.objects.annotate(listed=Count("parties")).filter(listed=0), language
        ),
        years=country_requests_by_year(code=country.code, as_of=as_of),
        rates=country_refusal_rates(code=country.code, as_of=as_of),
        grounds=country_refusal_grounds(code=country.code, language=language, as_of=as_of),
        outgoing_history=partner_history(
            country=country.code, direction=Direction.OUTGOING, as_of=as_of, language=language
        ),
        incoming_history=partner_history(
            country=country.code, direction=Direction.INCOMING, as_of=as_of, language=language
        ),
    )


def _treaty_lines(treaties: QuerySet[Treaty], language: str) -> list[TreatyLine]:
    kinds = dict(Treaty.Kind.choices)
    # Bilateral treaties first: they are the ones particular to this state.
    order = {Treaty.Kind.BILATERAL: 0, Treaty.Kind.MULTILATERAL: 1, Treaty.Kind.EU_INSTRUMENT: 2}
    lines = [
        TreatyLine(
            code=treaty.code,
            kind=treaty.kind,
            kind_label=str(kinds.get(treaty.kind, treaty.kind)),
            name=treaty.name_in(language),
            short_name=treaty.short_name,
            covers_mla=treaty.covers_mla,
            covers_extradition=treaty.covers_extradition,
        )
        for treaty in treaties
    ]
    return sorted(lines, key=lambda line: (order.get(line.kind, 3), line.code))


def country_requests_by_year(*, code: str, as_of: datetime | None = None) -> list[YearCounts]:
    """Return the requests with the country opened each year, oldest year first."""
    rows = (
        report_requests(as_of=as_of)
        .filter(country_id=code, **{f"{OPENED_ON}__isnull": False})
        .annotate(year=ExtractYear(OPENED_ON))
        .order_by()
        .values("year", "direction", "kind")
        .annotate(count=Count("pk"))
    )
    by_year: dict[int, dict[str, int]] = {}
    for row in rows:
        by_year.setdefault(row["year"], {})[f"{row['direction']}_{row['kind']}"] = row["count"]
    return [YearCounts(year=year, **counts) for year, counts in sorted(by_year.items())]


def country_refusal_rates(*, code: str, as_of: datetime | None = None) -> list[RefusalRate]:
    """Return, for each direction and kind, the decided and refused requests with the country."""
    refused = Q(**{OUTCOME: Outcome.REFUSED})
    rows = {
        (row["direction"], row["kind"]): row
        for row in report_requests(as_of=as_of)
        .filter(country_id=code, **{f"{OUTCOME}__in": DECISIONS})
        .order_by()
        .values("direction", "kind")
        .annotate(
            decided=Count("pk"),
            refused=Count("pk", filter=refused),
            refused_political=Count("pk", filter=refused & Q(**{POLITICAL: True})),
        )
    }
    rates = []
    for direction in Direction.values:
        for kind in Kind.values:
            row = rows.get((direction, kind), {})
            rates.append(
                RefusalRate(
                    direction=direction,
                    kind=kind,
                    decided=row.get("decided", 0),
                    refused=row.get("refused", 0),
                    refused_political=row.get("refused_political", 0),
                )
            )
    return rates


def country_refusal_grounds(
    *, code: str, language: str, as_of: datetime | None = None
) -> list[GroundCount]:
    """Return the grounds cited in refusals of requests with the country, most cited first."""
    refused = report_requests(as_of=as_of).filter(country_id=code, **{OUTCOME: Outcome.REFUSED})
    counts: dict[str, dict[str, int]] = {}
    for direction in Direction.values:
        rows = report_ground_counts(refused=refused.filter(direction=direction), as_of=as_of)
        for row in rows:
            by_direction = counts.setdefault(row["ground_code"], dict.fromkeys(Direction.values, 0))
            by_direction[direction] += row["refused"]
    labels = {
        ground.code: ground.label_in(language)
        for ground in RefusalGround.objects.filter(code__in=counts)
    }
    grounds = [
        GroundCount(
            code=ground_code,
            label=labels.get(ground_code, ground_code),
            outgoing=by_direction[Direction.OUTGOING],
            incoming=by_direction[Direction.INCOMING],
        )
        for ground_code, by_direction in counts.items()
    ]
    return sorted(grounds, key=lambda ground: (-ground.total, ground.label.casefold()))


def country_summaries(
    *, language: str, search: str = "", with_requests_only: bool = True
) -> list[CountrySummary]:
    """Return the countries matching `search` with their request counts, busiest first."""
    countries = Country.objects.all()
    if search := search.strip()[:100]:
        countries = countries.filter(code__in=_countries_matching(search))
    countries = countries.annotate(
        outgoing=Count("requests", filter=Q(requests__direction=Direction.OUTGOING)),
        incoming=Count("requests", filter=Q(requests__direction=Direction.INCOMING)),
        refused=Count("requests", filter=Q(requests__outcome=Outcome.REFUSED)),
    ).values_list("code", "name_en", "name_ru", "outgoing", "incoming", "refused")
    if with_requests_only and not search:
        countries = countries.filter(Q(outgoing__gt=0) | Q(incoming__gt=0))
    # Counted apart: joining treaties and requests in one query would multiply the counts.
    treaties = dict(
        Treaty.parties.through.objects.order_by()
        .values("country_id")
        .annotate(count=Count("pk"))
        .values_list("country_id", "count")
    )
    summaries = [
        CountrySummary(
            code=code,
            name=_label(name_en, name_ru, language),
            outgoing=outgoing,
            incoming=incoming,
            refused=refused,
            treaties=treaties.get(code, 0),
        )
        for code, name_en, name_ru, outgoing, incoming, refused in countries
    ]
    # A search for a code puts that country first, however busy the others are.
    code = search.upper()
    return sorted(
        summaries, key=lambda line: (line.code != code, -line.total, line.name.casefold())
    )


def _countries_matching(search: str) -> list[str]:
    # Matched in Python: SQLite folds the case of ASCII letters only, and Cyrillic names must
    # match whatever their case. The table holds some 250 short rows.
    needle = search.casefold()
    return [
        code
        for code, name_en, name_ru in Country.objects.values_list("code", "name_en", "name_ru")
        if needle == code.casefold() or needle in name_en.casefold() or needle in name_ru.casefold()
    ]


def report_ground_names(*, report: Report, language: str) -> dict[str, str]:
    """Return the labels, in `language`, of the refusal grounds the report's maps name."""
    codes = set(report.mla.refused_by_ground) | set(report.extradition.refused_by_ground)
    if not codes:
        return {}
    return {
        ground.code: ground.label_in(language)
        for ground in RefusalGround.objects.filter(code__in=codes)
    }


def report_years() -> list[int]:
    """Return every year from the first opening to the last decision, newest first."""
    bounds = _register_bounds()
    if bounds["first"] is None:
        return []
    last = max(day for day in (bounds["last_opened"], bounds["last_decided"]) if day)
    return list(range(last.year, bounds["first"].year - 1, -1))


def report_default_year(*, today: date) -> int:
    """Return the year a report page opens on: the last whole year requests were opened in."""
    bounds = _register_bounds()
    if bounds["first"] is None:
        return today.year - 1
    if bounds["first"].year >= today.year:
        return today.year
    return min(bounds["last_opened"].year, today.year - 1)


def _register_bounds() -> dict[str, date | None]:
    # No index serves these three together: on a million requests they are a scan of the
    # table, which the report page's form asked for twice a view.
    return figures_cached(
        "register_bounds",
        key=(),
        compute=lambda: Request.objects.aggregate(
            first=Min("opened_on"), last_opened=Max("opened_on"), last_decided=Max("decided_on")
        ),
    )


def _label(english: str, russian: str, language: str) -> str:
    if language.startswith("ru") and russian:
        return russian
    return english
