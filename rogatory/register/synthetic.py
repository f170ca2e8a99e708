"""A realistic synthetic register, drawn from a seed, for trials and benchmarks.

`synthetic_requests` draws requests with the mix of a busy central authority's register: its
partner states, kinds, outcomes and refusal grounds, a history of three to eight events each,
persons sought, over the ten years before a last day. The same seed and last day always draw
the same register. `register_generate` writes it straight to the database in batches, every
history passed through `lifecycle.apply`; `synthetic_register_rows` gives the same requests as
register-format v1 rows, which the import benchmark writes to a file, so both share one mix.
"""

import json
import math
import operator
import random
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from functools import cache
from importlib import resources
from itertools import islice
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from tqdm import tqdm

from rogatory.accounts.models import Unit
from rogatory.accounts.permissions import Action, authorize
from rogatory.accounts.services import unit_default_ensure
from rogatory.audit.services import audit_chain_reserve, audit_record
from rogatory.core.bulk import insert_rows, reserve_ids
from rogatory.core.exceptions import ApplicationError, ValidationError
from rogatory.deadlines.engine import RequestFacts
from rogatory.deadlines.services import deadlines_write_new
from rogatory.reference.models import Country, OffenceCategory, RefusalGround, Treaty

from . import lifecycle
from .models import (
    Direction,
    Event,
    Kind,
    Outcome,
    Person,
    Purpose,
    Request,
    RequestGround,
    Status,
)
from .services import refusal_political, request_project_fields

Actor = AbstractBaseUser | None
T = TypeVar("T")

MAX_REQUESTS = 50_000_000
MAX_SEED = 999_999_999
YEARS = 10
# Requests per transaction: big enough that COPY pays off, small enough to keep memory flat.
BATCH_SIZE = 5000
_GENERATE_ACTION = "register_generate"

# --- The mix -------------------------------------------------------------------------------

OUTGOING_SHARE = 0.85
MLA_SHARE = 0.7
# Counterpart states, weighted by how often a busy central authority deals with them.
COUNTRIES: dict[str, int] = {
    "CH": 8, "DE": 8, "KZ": 7, "BY": 7, "UZ": 6, "AM": 6, "TR": 6, "CN": 6, "ES": 5, "RS": 5,
    "KG": 5, "VN": 4, "LV": 4, "LT": 4, "IT": 4, "FR": 4, "US": 4, "IL": 3, "TH": 3, "GE": 3,
    "AZ": 3, "MD": 3, "CY": 3, "NL": 3, "PL": 3, "CZ": 2, "AT": 2, "TJ": 2, "IN": 2, "GB": 2,
    "BG": 1, "LI": 1, "EE": 1, "AE": 1, "FI": 1, "GR": 1, "SE": 1,
}  # fmt: skip
# Decisions, in percent of the decided requests of each kind.
OUTCOME_SHARES: dict[str, dict[str, int]] = {
    Kind.MLA: {
        Outcome.EXECUTED: 70,
        Outcome.PARTIALLY_EXECUTED: 8,
        Outcome.REFUSED: 19,
        Outcome.WITHDRAWN: 3,
    },
    Kind.EXTRADITION: {Outcome.GRANTED: 55, Outcome.REFUSED: 42, Outcome.WITHDRAWN: 3},
}
# The grounds each kind of request is refused on, weighted by how often they are cited.
GROUND_WEIGHTS: dict[str, dict[str, int]] = {
    Kind.MLA: {
        "insufficient_information": 30,
        "dual_criminality": 18,
        "no_reason_given": 12,
        "sovereignty_security_ordre_public": 12,
        "political_offence": 8,
        "contrary_to_domestic_law": 8,
        "fiscal_offence": 5,
        "statute_of_limitations": 4,
        "ne_bis_in_idem": 3,
        "immunity": 3,
    },
    Kind.EXTRADITION: {
        "political_offence": 15,
        "own_national": 15,
        "political_persecution": 10,
        "asylum_or_refugee_status": 10,
        "human_rights_risk": 10,
        "dual_criminality": 9,
        "statute_of_limitations": 8,
        "ne_bis_in_idem": 8,
        "person_not_found": 8,
        "insufficient_information": 7,
        "no_reason_given": 3,
    },
}
# Political refusals cluster in a few states (as in the published figures): there, the grounds
# that usually count as political are cited this many times more often.
_POLITICAL_GROUNDS = frozenset(
    {"political_offence", "political_persecution", "sovereignty_security_ordre_public"}
)
_POLITICAL_LEANING = {"CH": 5, "LV": 3, "LT": 3, "EE": 3, "GB": 3, "LI": 3, "US": 2, "BG": 2}
SECOND_GROUND_SHARE = 0.1
# A refusal whose person recording it classifies it explicitly; about half of those differ
# from what the grounds say, and so override it.
POLITICAL_CHOICE_SHARE = 0.02
# ICCS level-1 categories, weighted; fraud and corruption (07) dominate MLA work.
OFFENCE_CATEGORIES: dict[str, int] = {
    "01": 4, "02": 5, "03": 2, "04": 5, "05": 6, "06": 12,
    "07": 38, "08": 8, "09": 6, "10": 2, "11": 12,
}  # fmt: skip
_OFFENCES: dict[str, tuple[str, ...]] = {
    "01": ("Murder", "Contract killing"),
    "02": ("Grievous bodily harm", "Human trafficking"),
    "03": ("Sexual exploitation of a minor",),
    "04": ("Armed robbery", "Extortion by an organised group"),
    "05": ("Theft of cargo", "Vehicle theft ring"),
    "06": ("Drug trafficking", "Synthetic drug laboratory"),
    "07": ("Investment fraud", "Embezzlement of public funds", "Bribery of an official"),
    "08": ("Evasion of customs duties", "Forgery of documents"),
    "09": ("Illegal trade in firearms", "Participation in a terrorist organisation"),
    "10": ("Illegal logging",),
    "11": ("Computer intrusion", "Ransomware extortion"),
}
MONEY_LAUNDERING_SHARE = 0.03
TERRORIST_FINANCING_SHARE = 0.003
SENTENCE_SHARE = 0.2
SECOND_PERSON_SHARE = 0.07
_AUTHORITIES = {
    "CH": "Federal Office of Justice",
    "DE": "Federal Office of Justice",
    "US": "Department of Justice, Office of International Affairs",
    "CN": "Ministry of Justice, Department of International Cooperation",
}
_CIS = frozenset({"AM", "AZ", "BY", "GE", "KG", "KZ", "MD", "TJ", "UZ"})

# Days from opening to decision: log-normal, with this median, and the spread below.
_DECISION_MEDIAN_DAYS = {Kind.MLA: 110, Kind.EXTRADITION: 150}
_DECISION_SIGMA = 0.75
# Requests never answered, whatever their age: the backlog every register has.
STALE_SHARE = 0.02
# Appeals and resubmissions: refusals are re-opened more often than other decisions.
REOPEN_SHARE = {Outcome.REFUSED: 0.06}
REOPEN_SHARE_OTHER = 0.01
SURRENDER_SHARE = 0.75
# How often each step between opening and decision happens.
ACKNOWLEDGED_SHARE = 0.8
SUPPLEMENTARY_SHARE = 0.25
SUPPLEMENTARY_PROVIDED_SHARE = 0.8
PROVISIONAL_ARREST_SHARE = 0.45
HEARING_SHARE = 0.6
SECOND_HEARING_SHARE = 0.3
# A pending request's steps happen in its first year or so.
_PENDING_ACTIVE_DAYS = 400

# When events are recorded: mostly the same day, in office hours, sometimes days later.
_OFFICE_OPENS = 9 * 3600
_OFFICE_HOURS = 9 * 3600
_DAY = 86400

MIN_EVENTS = 3
MAX_EVENTS = 8
# The order of steps recorded on the same day.
_STEP_ORDER = {
    Event.Type.ACKNOWLEDGED: 0,
    Event.Type.PROVISIONAL_ARREST: 1,
    Event.Type.SUPPLEMENTARY_REQUESTED: 2,
    Event.Type.SUPPLEMENTARY_PROVIDED: 3,
    Event.Type.HEARING: 4,
}
_REASONS = {
    "appeal": gettext_lazy("Generated register: the decision was appealed"),
    "resubmission": gettext_lazy("Generated register: the request was resubmitted"),
    "override": gettext_lazy(
        "Generated register: classified against the default of the refusal grounds"
    ),
}

# Invented names of persons sought; Russian surnames take -а for women.
_LATIN_NAMES = {
    "m": ("Adrian", "Bruno", "Carlos", "Daniel", "Emil", "Felix", "Hugo", "Ivo", "Jonas",
          "Karl", "Luca", "Marco", "Nils", "Oscar", "Ruben", "Stefan", "Tomas", "Yusuf"),
    "f": ("Alba", "Clara", "Daria", "Elena", "Greta", "Ines", "Julia", "Lena", "Maria", "Nora",
          "Sofia", "Vera"),
}  # fmt: skip
_LATIN_SURNAMES = (
    "Adler", "Berger", "Costa", "Dumont", "Eriksen", "Ferrari", "Garcia", "Hansen", "Janssen",
    "Kovac", "Lindqvist", "Moreau", "Novak", "Oliveira", "Petersen", "Rossi", "Schmid",
    "Tanaka", "Urban", "Weber", "Yilmaz", "Zeller",
)  # fmt: skip
_CYRILLIC_NAMES = {
    "m": ("Алексей", "Борис", "Виктор", "Геннадий", "Дмитрий", "Евгений", "Игорь", "Кирилл",
          "Максим", "Никита", "Олег", "Павел", "Роман", "Сергей", "Тимур"),
    "f": ("Анна", "Валерия", "Галина", "Дарья", "Екатерина", "Ирина", "Ксения", "Марина",
          "Наталья", "Ольга", "Светлана", "Татьяна"),
}  # fmt: skip
_CYRILLIC_SURNAMES = (
    "Абрамов", "Белов", "Воронцов", "Горелов", "Демин", "Ефимов", "Жуков", "Зайцев", "Ильин",
    "Карпов", "Лебедев", "Морозов", "Никитин", "Орлов", "Панин", "Романов", "Соколов", "Титов",
    "Усов", "Фомин", "Широков", "Юдин",
)  # fmt: skip


# --- Drawing requests ----------------------------------------------------------------------


@dataclass(slots=True)
class SyntheticStep:
    """One event of a synthetic history, as drawn (the political default is the database's)."""

    type: str
    occurred_on: date
    # Seconds from the start of `occurred_on` to when the event was recorded.
    recorded_after: int
    outcome: str = ""
    grounds: tuple[str, ...] = ()
    # An explicit classification of a refusal; None leaves it to the grounds.
    political: bool | None = None
    reason: str = ""  # a key of `_REASONS`


@dataclass(slots=True)
class SyntheticPerson:
    """A person sought, as drawn."""

    full_name: str
    born_on: date
    nationality: str | None


@dataclass(slots=True)
class SyntheticRequest:
    """A request of the synthetic register and its history, in the order it happened."""

    number: int
    reference: str
    direction: str
    kind: str
    country: str
    counterpart_authority: str
    legal_basis: str
    purpose: str
    offence_category: str
    offence_description: str
    money_laundering: bool
    terrorist_financing: bool
    persons: tuple[SyntheticPerson, ...]
    steps: tuple[SyntheticStep, ...]


def reference_prefix(seed: int) -> str:
    """Return how the references of requests generated with `seed` begin."""
    return f"GEN{seed}-"


def register_window(last_day: date) -> tuple[date, date]:
    """Return the first and last day of the ten years up to `last_day`."""
    try:
        start = last_day.replace(year=last_day.year - YEARS)
    except ValueError:  # 29 February
        start = last_day.replace(year=last_day.year - YEARS, day=28)
    return start + timedelta(days=1), last_day


def synthetic_requests(*, requests: int, seed: int, last_day: date) -> Iterator[SyntheticRequest]:
    """Yield `requests` synthetic requests, the same ones for the same seed and last day."""
    drawer = _Drawer(seed=seed, last_day=last_day)
    for number in range(1, requests + 1):
        yield drawer.request(number)


class _Drawer:
    """Draw synthetic requests one after another from one random stream."""

    def __init__(self, *, seed: int, last_day: date) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.first_day, self.last_day = register_window(last_day)
        self.span = (self.last_day - self.first_day).days + 1
        self.countries = _weighted(COUNTRIES)
        self.offences = _weighted(OFFENCE_CATEGORIES)
        self.outcomes = {kind: _weighted(shares) for kind, shares in OUTCOME_SHARES.items()}
        self.grounds: dict[tuple[str, str], tuple[list[str], list[float]]] = {}
        self.legal_bases = _legal_bases()

    def request(self, number: int) -> SyntheticRequest:
        rng = self.rng
        direction = Direction.OUTGOING if rng.random() < OUTGOING_SHARE else Direction.INCOMING
        kind = Kind.MLA if rng.random() < MLA_SHARE else Kind.EXTRADITION
        country = self._pick(self.countries)
        category = self._pick(self.offences)
        opened = self.first_day + timedelta(days=rng.randrange(self.span))
        registered = opened
        if direction == Direction.OUTGOING:
            # An outgoing request is drafted and registered some days before it is sent.
            registered = max(self.first_day, opened - timedelta(days=rng.randint(0, 14)))
        opening = Event.Type.SENT if direction == Direction.OUTGOING else Event.Type.RECEIVED
        head = [self._step(Event.Type.REGISTERED, registered), self._step(opening, opened)]
        tail = self._decisions(kind, country, opened)
        end = (
            tail[0].occurred_on
            if tail
            else min(self.last_day, opened + timedelta(days=_PENDING_ACTIVE_DAYS))
        )
        middle = self._middle(kind, opened, end, room=MAX_EVENTS - len(head) - len(tail))
        if len(head) + len(middle) + len(tail) < MIN_EVENTS:
            middle.append(self._step(Event.Type.ACKNOWLEDGED, self._within(opened, end, 2, 45)))
        persons: tuple[SyntheticPerson, ...] = ()
        purpose = ""
        if kind == Kind.EXTRADITION:
            purpose = Purpose.SENTENCE if rng.random() < SENTENCE_SHARE else Purpose.PROSECUTION
            count = 2 if rng.random() < SECOND_PERSON_SHARE else 1
            persons = tuple(self._person(country, opened) for _ in range(count))
        money_laundering = rng.random() < MONEY_LAUNDERING_SHARE
        return SyntheticRequest(
            number=number,
            reference=f"{reference_prefix(self.seed)}"
            f"{'O' if direction == Direction.OUTGOING else 'I'}"
            f"{'M' if kind == Kind.MLA else 'E'}-{number:08d}",
            direction=direction,
            kind=kind,
            country=country,
            counterpart_authority=_AUTHORITIES.get(
                country,
                "Prosecutor General's Office" if country in _CIS else "Ministry of Justice",
            ),
            legal_basis=self._legal_basis(kind, country, category),
            purpose=purpose,
            offence_category=category,
            offence_description=rng.choice(_OFFENCES[category]),
            money_laundering=money_laundering,
            terrorist_financing=rng.random() < TERRORIST_FINANCING_SHARE,
            persons=persons,
            steps=(*head, *middle, *tail),
        )

    def _decisions(self, kind: str, country: str, opened: date) -> list[SyntheticStep]:
        """Draw the decision, a re-opening and decision again, and a surrender, as they happened."""
        rng = self.rng
        if rng.random() < STALE_SHARE:
            return []
        decided_on = opened + timedelta(days=self._delay(kind))
        if decided_on > self.last_day:
            return []
        steps = [self._decision(kind, country, decided_on)]
        share = REOPEN_SHARE.get(steps[0].outcome, REOPEN_SHARE_OTHER)
        if rng.random() < share:
            reopened_on = decided_on + timedelta(days=rng.randint(7, 180))
            if reopened_on <= self.last_day:
                reason = "appeal" if rng.random() < 0.6 else "resubmission"
                steps.append(self._step(Event.Type.REOPENED, reopened_on, reason=reason))
                again = reopened_on + timedelta(days=self._delay(kind) // 2)
                if again <= self.last_day:
                    steps.append(self._decision(kind, country, again))
        final = steps[-1]
        if final.outcome == Outcome.GRANTED and rng.random() < SURRENDER_SHARE:
            surrendered_on = final.occurred_on + timedelta(days=rng.randint(3, 60))
            if surrendered_on <= self.last_day:
                steps.append(self._step(Event.Type.SURRENDERED, surrendered_on))
        return steps

    def _decision(self, kind: str, country: str, on: date) -> SyntheticStep:
        rng = self.rng
        outcome = self._pick(self.outcomes[kind])
        grounds: tuple[str, ...] = ()
        political = None
        if outcome == Outcome.REFUSED:
            grounds = self._grounds(kind, country)
            if rng.random() < POLITICAL_CHOICE_SHARE:
                political = rng.random() < 0.5
        return self._step(
            Event.Type.DECIDED, on, outcome=outcome, grounds=grounds, political=political
        )

    def _middle(self, kind: str, opened: date, end: date, *, room: int) -> list[SyntheticStep]:
        """Draw what happens between opening and decision, at most `room` steps, by date."""
        rng = self.rng
        extradition = kind == Kind.EXTRADITION
        # In order of how much they matter, so that a long history keeps the first ones.
        steps = []
        if extradition and rng.random() < PROVISIONAL_ARREST_SHARE:
            arrested_on = self._within(opened, end, 0, 20)
            steps.append(self._step(Event.Type.PROVISIONAL_ARREST, arrested_on))
        if rng.random() < ACKNOWLEDGED_SHARE:
            acknowledged_on = self._within(opened, end, 2, 45)
            steps.append(self._step(Event.Type.ACKNOWLEDGED, acknowledged_on))
        if extradition and rng.random() < HEARING_SHARE:
            steps.append(self._step(Event.Type.HEARING, self._within(opened, end, 10, 10_000)))
        if rng.random() < SUPPLEMENTARY_SHARE:
            asked_on = self._within(opened, end, 5, 10_000)
            steps.append(self._step(Event.Type.SUPPLEMENTARY_REQUESTED, asked_on))
            if rng.random() < SUPPLEMENTARY_PROVIDED_SHARE:
                provided_on = self._within(asked_on, end, 5, 60)
                steps.append(self._step(Event.Type.SUPPLEMENTARY_PROVIDED, provided_on))
        if extradition and rng.random() < SECOND_HEARING_SHARE:
            steps.append(self._step(Event.Type.HEARING, self._within(opened, end, 10, 10_000)))
        kept = steps[:room]
        kept.sort(key=lambda step: (step.occurred_on, _STEP_ORDER[step.type]))
        return kept

    def _within(self, start: date, end: date, low: int, high: int) -> date:
        """Return a day `low` to `high` days after `start`, but not after `end`."""
        days = min((end - start).days, self.rng.randint(low, high))
        return start + timedelta(days=max(days, 0))

    def _step(self, type: str, on: date, **details: Any) -> SyntheticStep:
        rng = self.rng
        roll = rng.random()
        days = 0 if roll < 0.7 else rng.randint(1, 7) if roll < 0.96 else rng.randint(8, 60)
        recorded_after = days * _DAY + _OFFICE_OPENS + rng.randrange(_OFFICE_HOURS)
        return SyntheticStep(type=type, occurred_on=on, recorded_after=recorded_after, **details)

    def _delay(self, kind: str) -> int:
        median = _DECISION_MEDIAN_DAYS[kind]
        return int(self.rng.lognormvariate(math.log(median), _DECISION_SIGMA)) + 1

    def _grounds(self, kind: str, country: str) -> tuple[str, ...]:
        pool = self.grounds.get((kind, country))
        if pool is None:
            leaning = _POLITICAL_LEANING.get(country, 1)
            pool = self.grounds[(kind, country)] = _weighted(
                {
                    code: weight * (leaning if code in _POLITICAL_GROUNDS else 1)
                    for code, weight in GROUND_WEIGHTS[kind].items()
                }
            )
        first = self._pick(pool)
        if self.rng.random() >= SECOND_GROUND_SHARE:
            return (first,)
        second = first
        while second == first:
            second = self._pick(pool)
        return tuple(sorted((first, second)))

    def _legal_basis(self, kind: str, country: str, category: str) -> str:
        treaty = self.legal_bases[kind].get(country)
        if treaty is not None:
            return treaty
        if self.rng.random() < 0.5:
            return "UNCAC" if category == "07" else "UNTOC"
        return "RECIPROCITY"

    def _person(self, country: str, opened: date) -> SyntheticPerson:
        rng = self.rng
        sex = "m" if rng.random() < 0.85 else "f"
        if rng.random() < (0.8 if country in _CIS else 0.4):
            surname = rng.choice(_CYRILLIC_SURNAMES) + ("а" if sex == "f" else "")
            full_name = f"{rng.choice(_CYRILLIC_NAMES[sex])} {surname}"
        else:
            full_name = f"{rng.choice(_LATIN_NAMES[sex])} {rng.choice(_LATIN_SURNAMES)}"
        born_on = opened - timedelta(days=rng.randint(20 * 365, 65 * 365))
        roll = rng.random()
        nationality = country if roll < 0.4 else self._pick(self.countries) if roll < 0.6 else None
        return SyntheticPerson(full_name=full_name, born_on=born_on, nationality=nationality)

    def _pick(self, weighted: tuple[list[str], list[float]]) -> str:
        values, cumulative = weighted
        return self.rng.choices(values, cum_weights=cumulative)[0]


def _weighted(weights: dict[str, int]) -> tuple[list[str], list[float]]:
    values = list(weights)
    cumulative: list[float] = []
    total = 0.0
    for value in values:
        total += weights[value]
        cumulative.append(total)
    return values, cumulative


@cache
def _legal_bases() -> dict[str, dict[str, str]]:
    """Return, by kind, the treaty each country is asked under: Minsk, else Council of Europe.

    From the treaties Rogatory ships, so that drawing needs no database.
    """
    path = resources.files("rogatory.reference").joinpath("data", "treaties.json")
    parties = {
        treaty["code"]: set(treaty.get("parties") or ())
        for treaty in json.loads(path.read_text(encoding="utf-8"))
    }
    order = {Kind.MLA: ("MINSK-1993", "ECMA-1959"), Kind.EXTRADITION: ("MINSK-1993", "ECE-1957")}
    return {
        kind: {
            country: next(code for code in codes if country in parties.get(code, ()))
            for country in COUNTRIES
            if any(country in parties.get(code, ()) for code in codes)
        }
        for kind, codes in order.items()
    }


# Bases for partners with no treaty: the UN conventions, or reciprocity.
_FALLBACK_BASES = ("UNCAC", "UNTOC", "RECIPROCITY")


def _changes(request: SyntheticRequest) -> Iterator[lifecycle.Change]:
    for step in request.steps:
        yield lifecycle.Change(
            type=step.type,
            occurred_on=step.occurred_on,
            outcome=step.outcome,
            political=step.political,
            ground_codes=step.grounds,
        )


# --- As register-format v1 rows ------------------------------------------------------------


def synthetic_register_rows(
    *, requests: int, seed: int = 1, last_day: date | None = None
) -> Iterator[dict[str, str]]:
    """Yield the synthetic requests as register-format v1 rows (by column name).

    The format keeps a request's opening, acknowledgement and final decision; the rest of its
    history (hearings, re-openings, surrender) is what only `register_generate` writes.
    """
    last_day = last_day or _yesterday()
    for request in synthetic_requests(requests=requests, seed=seed, last_day=last_day):
        state = lifecycle.fold(request.direction, request.kind, _changes(request))
        final = next(
            (step for step in reversed(request.steps) if step.type == Event.Type.DECIDED), None
        )
        acknowledged = next(
            (step.occurred_on for step in request.steps if step.type == Event.Type.ACKNOWLEDGED),
            None,
        )
        outgoing = request.direction == Direction.OUTGOING
        received_on = acknowledged if outgoing else state.opened_on
        political = ""
        if state.outcome == Outcome.REFUSED and final.political is not None:
            political = "yes" if final.political else "no"
        yield {
            "reference": request.reference,
            "direction": request.direction,
            "kind": request.kind,
            "country": request.country,
            "counterpart_authority": request.counterpart_authority,
            "legal_basis": request.legal_basis,
            "purpose": request.purpose,
            "persons": str(len(request.persons)) if request.persons else "",
            "offence_category": request.offence_category,
            "offence_description": request.offence_description,
            "money_laundering": "yes" if request.money_laundering else "",
            "terrorist_financing": "yes" if request.terrorist_financing else "",
            "sent_on": state.opened_on.isoformat() if outgoing else "",
            "received_on": received_on.isoformat() if received_on else "",
            "status": state.outcome or "pending",
            "decided_on": state.decided_on.isoformat() if state.decided_on else "",
            "refusal_grounds": ";".join(state.ground_codes),
            "political": political,
        }


# --- Writing to the database ---------------------------------------------------------------


@dataclass(frozen=True)
class GenerateResult:
    """What `register_generate` wrote."""

    requests: int
    events: int
    persons: int


class GenerateClashError(ApplicationError):
    """The register already holds requests generated with this seed; nothing was written."""


def register_generate(
    *,
    actor: Actor,
    requests: int,
    seed: int,
    unit: Unit | None = None,
    progress: bool = False,
    last_day: date | None = None,
) -> GenerateResult:
    """Write a synthetic register of `requests` requests to `unit`, a batch per transaction.

    The same seed and last day (yesterday by default) give the same register. A seed already
    used in this register is refused before anything is written; another seed adds more.
    """
    _check_input(requests=requests, seed=seed, last_day=last_day)
    last_day = last_day or _yesterday()
    if unit is None:
        with transaction.atomic():  # creating the default unit is audited
            unit = unit_default_ensure()
    authorize(actor, Action.IMPORT, unit_id=unit.pk)
    prefix = reference_prefix(seed)
    clash = (
        Request.objects.filter(reference__startswith=prefix)
        .order_by()
        .values_list("reference", flat=True)
        .first()
    )
    if clash is not None:
        raise GenerateClashError(
            _(
                "The register already holds requests generated with seed %(seed)d (such as "
                "“%(reference)s”); nothing was written. Choose another seed."
            )
            % {"seed": seed, "reference": clash}
        )
    writer = _BatchWriter(actor=actor, unit=unit, seed=seed, grounds=_reference_grounds())
    bar = (
        tqdm(
            total=requests,
            unit=_("requests"),
            desc=prefix.rstrip("-"),
            file=sys.stderr,
            leave=False,
        )
        if progress
        else None
    )
    try:
        stream = synthetic_requests(requests=requests, seed=seed, last_day=last_day)
        for batch in _batches(stream, BATCH_SIZE):
            writer.write(batch)
            if bar is not None:
                bar.update(len(batch))
    finally:
        if bar is not None:
            bar.close()
    return GenerateResult(requests=writer.requests, events=writer.events, persons=writer.persons)


def _check_input(*, requests: int, seed: int, last_day: date | None) -> None:
    if not 1 <= requests <= MAX_REQUESTS:
        raise ValidationError(
            _("The number of requests must be from 1 to %(max)d, not %(value)d.")
            % {"max": MAX_REQUESTS, "value": requests}
        )
    if not 0 <= seed <= MAX_SEED:
        raise ValidationError(
            _("The seed must be a whole number from 0 to %(max)d, not %(value)d.")
            % {"max": MAX_SEED, "value": seed}
        )
    if last_day is not None and last_day > timezone.localdate():
        raise ValidationError(
            _("The last day %(date)s is in the future.") % {"date": last_day.isoformat()}
        )


def _reference_grounds() -> dict[str, RefusalGround]:
    """Return the refusal grounds the mix cites; raise if reference data it needs is missing."""
    codes = {code for weights in GROUND_WEIGHTS.values() for code in weights}
    grounds = {ground.code: ground for ground in RefusalGround.objects.filter(code__in=codes)}
    treaties = {code for bases in _legal_bases().values() for code in bases.values()}
    treaties.update(_FALLBACK_BASES)
    missing = (
        len(grounds) < len(codes)
        or Country.objects.filter(code__in=COUNTRIES).count() < len(COUNTRIES)
        or Treaty.objects.filter(code__in=treaties).count() < len(treaties)
        or OffenceCategory.objects.filter(code__in=OFFENCE_CATEGORIES).count()
        < len(OFFENCE_CATEGORIES)
    )
    if missing:
        raise ValidationError(
            _(
                "The reference data the synthetic register needs is missing; run “rogatory init” "
                "first."
            )
        )
    return grounds


# Every column of a new request but its id, which the database gives.
_REQUEST_COLUMNS = tuple(
    field.attname for field in Request._meta.concrete_fields if not field.primary_key
)
_request_values = operator.attrgetter(*_REQUEST_COLUMNS)
# The event columns `_BatchWriter.write` gives, in its order; the others get their defaults.
_EVENT_COLUMNS = (
    "request_id",
    "type",
    "occurred_on",
    "recorded_at",
    "recorded_by_id",
    "outcome",
    "political",
    "political_overridden",
    "reason",
)
_PERSON_COLUMNS = (
    "request_id",
    "full_name",
    "born_on",
    "nationality_id",
    "in_custody",
    "created_at",
    "updated_at",
)
# A person arrested provisionally stays in custody while the request is open or granted.
_CUSTODY_STATUSES = frozenset(
    {
        Status.ACKNOWLEDGED,
        Status.SUPPLEMENTARY_REQUESTED,
        Status.SUPPLEMENTARY_PROVIDED,
        Status.PROVISIONAL_ARREST,
        Status.HEARING,
        Status.GRANTED,
    }
)


@dataclass(slots=True)
class _NewEvent:
    """An event to insert."""

    type: str
    occurred_on: date
    recorded_at: datetime
    outcome: str
    political: bool | None
    overridden: bool
    reason: str
    grounds: tuple[str, ...]


@dataclass(slots=True)
class _Plan:
    """The rows one synthetic request leads to."""

    synthetic: SyntheticRequest
    request: Request
    events: list[_NewEvent]
    grounds: tuple[str, ...]
    in_custody: bool


@dataclass
class _BatchWriter:
    """Turn synthetic requests into rows and write them, one batch per transaction."""

    actor: Actor
    unit: Unit
    seed: int
    grounds: dict[str, RefusalGround]
    now: datetime = field(default_factory=timezone.now)
    zone: tzinfo = field(default_factory=timezone.get_current_timezone)
    requests: int = 0
    events: int = 0
    persons: int = 0
    _midnights: dict[date, datetime] = field(default_factory=dict)

    def write(self, batch: list[SyntheticRequest]) -> None:
        """Write the batch and its audit record in one transaction."""
        actor_id = self.actor.pk if self.actor is not None else None
        with transaction.atomic():
            audit_chain_reserve()
            plans = [self._plan(synthetic) for synthetic in batch]
            for plan, pk in zip(plans, reserve_ids(Request, len(plans)), strict=True):
                plan.request.pk = pk
            insert_rows(
                Request,
                ("id", *_REQUEST_COLUMNS),
                ((plan.request.pk, *_request_values(plan.request)) for plan in plans),
            )
            written = [(plan.request.pk, event) for plan in plans for event in plan.events]
            event_ids = reserve_ids(Event, len(written))
            insert_rows(
                Event,
                ("id", *_EVENT_COLUMNS),
                (
                    (
                        event_id,
                        request_id,
                        event.type,
                        event.occurred_on,
                        event.recorded_at,
                        actor_id,
                        event.outcome,
                        event.political,
                        event.overridden,
                        event.reason,
                    )
                    for event_id, (request_id, event) in zip(event_ids, written, strict=True)
                ),
            )
            insert_rows(
                Event.grounds.through,
                ("event_id", "refusalground_id"),
                (
                    (event_id, code)
                    for event_id, (_request_id, event) in zip(event_ids, written, strict=True)
                    for code in event.grounds
                ),
            )
            insert_rows(
                RequestGround,
                ("request_id", "ground_id"),
                ((plan.request.pk, code) for plan in plans for code in plan.grounds),
            )
            # Due dates from the histories in hand.
            deadlines_write_new(
                facts={
                    plan.request.pk: RequestFacts.of(plan.request, plan.events) for plan in plans
                }
            )
            persons = insert_rows(
                Person,
                _PERSON_COLUMNS,
                (
                    (
                        plan.request.pk,
                        person.full_name,
                        person.born_on,
                        person.nationality,
                        plan.in_custody,
                        plan.request.created_at,
                        plan.request.created_at,
                    )
                    for plan in plans
                    for person in plan.synthetic.persons
                ),
            )
            audit_record(
                actor=self.actor,
                action=_GENERATE_ACTION,
                object_type="register",
                object_id=reference_prefix(self.seed).rstrip("-"),
                after={
                    "seed": self.seed,
                    "unit": self.unit.code,
                    "first_request_id": plans[0].request.pk,
                    "last_request_id": plans[-1].request.pk,
                    "requests": len(plans),
                    "events": len(written),
                    "persons": persons,
                },
            )
        self.requests += len(plans)
        self.events += len(written)
        self.persons += persons

    def _plan(self, synthetic: SyntheticRequest) -> _Plan:
        state = lifecycle.State(direction=synthetic.direction, kind=synthetic.kind)
        events: list[_NewEvent] = []
        recorded_at = self.now
        arrested = False
        for step in synthetic.steps:
            political, overridden, reason = None, False, ""
            if step.outcome == Outcome.REFUSED:
                political, overridden = refusal_political(
                    outcome=step.outcome,
                    grounds=[self.grounds[code] for code in step.grounds],
                    political=step.political,
                    require_reason=False,
                )
                reason = str(_REASONS["override"]) if overridden else ""
            elif step.reason:
                reason = str(_REASONS[step.reason])
            # One change at a time, as a clerk records them: a history the lifecycle refuses
            # is a fault of the generator, and raises rather than being written.
            state = lifecycle.apply(
                state,
                lifecycle.Change(
                    type=step.type,
                    occurred_on=step.occurred_on,
                    outcome=step.outcome,
                    political=political,
                    ground_codes=step.grounds,
                ),
            )
            # Recorded in the order they happened, and never later than now.
            moment = self._midnight(step.occurred_on) + timedelta(seconds=step.recorded_after)
            if events:
                moment = max(moment, events[-1].recorded_at)
            recorded_at = min(moment, self.now)
            events.append(
                _NewEvent(
                    type=step.type,
                    occurred_on=step.occurred_on,
                    recorded_at=recorded_at,
                    outcome=step.outcome,
                    political=political,
                    overridden=overridden,
                    reason=reason,
                    grounds=step.grounds,
                )
            )
            arrested = arrested or step.type == Event.Type.PROVISIONAL_ARREST
        request = Request(
            unit_id=self.unit.pk,
            direction=synthetic.direction,
            kind=synthetic.kind,
            reference=synthetic.reference,
            country_id=synthetic.country,
            counterpart_authority=synthetic.counterpart_authority,
            legal_basis_id=synthetic.legal_basis,
            offence_category_id=synthetic.offence_category,
            offence_description=synthetic.offence_description,
            money_laundering=synthetic.money_laundering,
            terrorist_financing=synthetic.terrorist_financing,
            purpose=synthetic.purpose,
            persons_count=len(synthetic.persons),
            version=len(events),
            # The row was created when the request was registered, and last changed by its
            # latest event.
            created_at=events[0].recorded_at,
            updated_at=recorded_at,
        )
        request_project_fields(request=request, state=state)
        return _Plan(
            synthetic=synthetic,
            request=request,
            events=events,
            grounds=state.ground_codes,
            in_custody=arrested and state.status in _CUSTODY_STATUSES,
        )

    def _midnight(self, day: date) -> datetime:
        midnight = self._midnights.get(day)
        if midnight is None:
            midnight = self._midnights[day] = timezone.make_aware(
                datetime.combine(day, time.min), self.zone
            )
        return midnight


def _yesterday() -> date:
    return timezone.localdate() - timedelta(days=1)


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
