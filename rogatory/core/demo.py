"""The demo register: the 2023 seed register, older and current requests, and a login per role.

Everything is generated from a fixed seed relative to a given day, so that the same day always
gives the same register. The bulk of it goes through the register import (format v1), as an
office moving from a spreadsheet would load its register; a few showcase requests go through
the register's services, so that their events, persons sought and documents are recorded the
way a clerk records them.

Requests are spread over three units by the work they are: incoming requests to the central
authority, outgoing legal assistance to the MLA department, outgoing extradition to the
extradition department.
"""

import csv
import io
import random
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from rogatory.accounts.models import Role, Unit, User
from rogatory.accounts.services import (
    DEFAULT_UNIT_CODE,
    unit_create,
    unit_default_ensure,
    user_create,
)
from rogatory.drafting.services import draft_save
from rogatory.engagements.models import Engagement
from rogatory.engagements.services import engagement_create, engagement_link_request
from rogatory.intake.rows import COLUMNS
from rogatory.intake.services import register_import
from rogatory.publication.models import Example
from rogatory.publication.services import example_approve, example_propose
from rogatory.reference.models import Country, OffenceCategory, RefusalGround, Treaty
from rogatory.register import services
from rogatory.register.assurances import (
    assurance_follow_up_add,
    assurance_record_given,
    assurance_request,
    request_surrendered_on,
)
from rogatory.register.links import link_add
from rogatory.register.models import (
    Assurance,
    AssuranceFollowUp,
    Direction,
    Document,
    Kind,
    Outcome,
    Priority,
    Purpose,
    Request,
    RequestLink,
    Status,
)

DEMO_SEED = 1959
# Long enough and uncommon enough for the password policy, short enough to type.
DEMO_PASSWORD = "rogatory-demo"
SEED_REGISTER = ("data", "demo-register-2023.csv")
# The published figures of this year come from the seed register alone: generated requests
# are neither opened nor decided in it, nor still pending at its end.
SEED_YEAR = 2023
# Showcase requests go back up to a year from today; they too must stay out of the seed year.
FIRST_CURRENT_YEAR = SEED_YEAR + 2


@dataclass(frozen=True)
class DemoLogin:
    """A demo user: what they sign in with, what they may do and where they work."""

    username: str
    role: str
    units: tuple[str, ...]


@dataclass(frozen=True)
class DemoSummary:
    """What the demo builder made, for the command to tell."""

    requests: int
    requests_by_unit: dict[str, int]
    first_year: int
    last_year: int
    logins: tuple[DemoLogin, ...]
    password: str


# (code, name); the first is the default unit, which already exists after `rogatory init`.
DEMO_UNITS: tuple[tuple[str, str], ...] = (
    (DEFAULT_UNIT_CODE, "Central authority"),
    ("mla", "MLA department"),
    ("extradition", "Extradition department"),
)
DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("viewer", Role.VIEWER, ("mla",)),
    DemoLogin("clerk", Role.CLERK, ("mla",)),
    DemoLogin("supervisor", Role.SUPERVISOR, (DEFAULT_UNIT_CODE,)),
    DemoLogin("admin", Role.ADMINISTRATOR, (DEFAULT_UNIT_CODE,)),
)

# Generated requests per year (the seed year has the seed register alone).
_ROWS_PER_YEAR = {2021: 60, 2022: 110, 2024: 190, 2025: 240}
_ROWS_CURRENT_YEAR = 260

# Counterpart states, weighted by how often they appear in the seed register.
_COUNTRIES = {
    "CH": 9, "CN": 9, "AM": 8, "TR": 8, "BY": 8, "UZ": 8, "DE": 8, "ES": 7, "RS": 7,
    "KG": 6, "VN": 6, "KZ": 6, "AZ": 6, "TH": 5, "FR": 5, "IN": 5, "NL": 5, "IT": 5,
    "AE": 5, "IL": 4, "EE": 4, "CY": 4, "FI": 4, "EG": 4, "GR": 4, "AT": 4, "LV": 4,
    "MD": 3, "US": 3, "GE": 2, "TJ": 2, "LT": 2, "CZ": 1, "PL": 1, "GB": 1,
}  # fmt: skip
_AUTHORITIES = {
    "CH": "Federal Office of Justice",
    "DE": "Federal Office of Justice",
    "AT": "Federal Ministry of Justice",
    "FR": "Ministry of Justice, Office for International Mutual Assistance",
    "ES": "Ministry of Justice, Sub-Directorate for International Legal Cooperation",
    "IT": "Ministry of Justice, Department for Justice Affairs",
    "NL": "Ministry of Justice and Security, International Legal Assistance Unit",
    "US": "Department of Justice, Office of International Affairs",
    "CN": "Ministry of Justice, Department of International Cooperation",
    "TR": "Ministry of Justice, Directorate General for Foreign Relations",
    "KZ": "Prosecutor General's Office",
    "KG": "Prosecutor General's Office",
    "BY": "Prosecutor General's Office",
    "UZ": "Prosecutor General's Office",
    "AM": "Prosecutor General's Office",
    "AE": "Ministry of Justice, International Cooperation Department",
}
_DEFAULT_AUTHORITY = "Ministry of Justice"
_TERRORIST_FINANCING = "Financing of terrorism"
_ARMS_TRADE = "Illegal trade in firearms"
_OFFENCES = {
    "01": ("Contract killing", "Murder of two persons"),
    "02": ("Grievous bodily harm", "Human trafficking for forced labour"),
    "03": ("Distribution of child sexual abuse material",),
    "04": ("Armed robbery of a cash-in-transit vehicle", "Extortion by an organised group"),
    "05": ("Theft of cargo from a freight terminal",),
    "06": ("Trafficking in cocaine by sea", "Synthetic drug laboratory"),
    "07": (
        "Investment fraud through offshore companies",
        "Embezzlement of public funds",
        "Bribery of an official",
        "Laundering of proceeds of fraud through shell companies",
        "VAT carousel fraud",
    ),
    "08": ("Evasion of customs duties",),
    "09": (_TERRORIST_FINANCING, _ARMS_TRADE),
    "10": ("Illegal logging and export of timber",),
    "11": ("Computer intrusion and data theft", "Cyber extortion with ransomware"),
}
_OFFENCE_WEIGHTS = {
    "01": 4, "02": 5, "03": 2, "04": 5, "05": 6, "06": 12,
    "07": 38, "08": 8, "09": 6, "10": 2, "11": 12,
}  # fmt: skip
_OUTCOMES = {
    Kind.MLA: {
        Outcome.EXECUTED: 62,
        Outcome.PARTIALLY_EXECUTED: 9,
        Outcome.REFUSED: 23,
        Outcome.WITHDRAWN: 6,
    },
    Kind.EXTRADITION: {Outcome.GRANTED: 55, Outcome.REFUSED: 38, Outcome.WITHDRAWN: 7},
}
_GROUNDS = {
    Kind.MLA: {
        "insufficient_information": 30,
        "dual_criminality": 18,
        "no_reason_given": 12,
        "sovereignty_security_ordre_public": 12,
        "political_offence": 8,
        "contrary_to_domestic_law": 8,
        "fiscal_offence": 5,
        "statute_of_limitations": 4,
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
    },
}
# Invented names of persons sought, first and last name agreeing as in Russian.
_PERSON_NAMES = (
    "Viktor Nemirov",
    "Arman Saparov",
    "Dmitri Kovalenko",
    "Elena Baranova",
    "Oleg Grishin",
    "Timur Yusupov",
    "Irina Orlova",
    "Sergei Volkov",
    "Anna Sokolova",
    "Ruslan Ibragimov",
)


def demo_build(*, today: date | None = None, seed: int = DEMO_SEED) -> DemoSummary:
    """Fill an empty database with the demo register and its logins, all or nothing."""
    today = today or timezone.localdate()
    if today.year < FIRST_CURRENT_YEAR:
        raise ValueError(f"The demo register is made for {FIRST_CURRENT_YEAR} or later.")
    with transaction.atomic():
        units = _units_ensure()
        users = {login.username: _user_create(login, units) for login in DEMO_LOGINS}
        rows = [*_seed_rows(today=today, seed=seed), *demo_rows(today=today, seed=seed)]
        _mark_fatf_flags(rows, seed=seed)
        for code, unit_rows in _rows_by_unit(rows).items():
            _import(unit_rows, unit=units[code])
        _showcase(today=today, seed=seed, units=units, users=users)
    return demo_summary()


def demo_summary() -> DemoSummary:
    """Describe the demo register the database holds."""
    codes = [code for code, _name in DEMO_UNITS]
    counts = dict(
        Unit.objects.filter(code__in=codes)
        .annotate(count=Count("requests"))
        .values_list("code", "count")
    )
    years = Request.objects.filter(opened_on__isnull=False).dates("opened_on", "year")
    return DemoSummary(
        requests=sum(counts.values()),
        requests_by_unit={code: counts.get(code, 0) for code in codes},
        first_year=years.first().year,
        last_year=years.last().year,
        logins=DEMO_LOGINS,
        password=DEMO_PASSWORD,
    )


def demo_present() -> bool:
    """Return whether the database already holds the demo: every demo login, as it made them."""
    emails = [_email(login) for login in DEMO_LOGINS]
    return User.objects.filter(email__in=emails).count() == len(emails)


def demo_rows(*, today: date, seed: int = DEMO_SEED) -> list[dict[str, str]]:
    """Return the generated register rows (format v1) of the years around the seed year."""
    rng = random.Random(seed)
    bases = _legal_bases()
    rows: list[dict[str, str]] = []
    counters: dict[str, int] = {}
    years = {**_ROWS_PER_YEAR, today.year: _ROWS_CURRENT_YEAR}
    for year, count in sorted(years.items()):
        if year == SEED_YEAR or year > today.year:
            continue
        for _number in range(count):
            rows.append(_row(rng, year=year, today=today, bases=bases, counters=counters))
    rows.extend(_policy_change_rows(today=today, bases=bases, counters=counters, seed=seed))
    return rows


# A partner that began refusing our requests for legal assistance this year, so that the
# dashboard's "partner policy changed" has something to show: (year offset, outcome, count).
_POLICY_CHANGE_COUNTRY = "FI"
_POLICY_CHANGE = (
    (-1, Outcome.EXECUTED, 11),
    (-1, Outcome.REFUSED, 1),
    (0, Outcome.EXECUTED, 3),
    (0, Outcome.REFUSED, 9),
)


def _policy_change_rows(
    *, today: date, bases: dict[str, dict[str, str]], counters: dict[str, int], seed: int
) -> list[dict[str, str]]:
    """Return last year's and this year's requests to one partner whose refusals jumped."""
    rng = random.Random(seed + 4)
    rows = []
    for offset, outcome, count in _POLICY_CHANGE:
        year = today.year + offset
        # Decided by today, and this year's within this year.
        last_day = min(date(year, 12, 31), today - timedelta(days=1))
        if last_day < date(year, 3, 1):
            continue  # too early in the year for a change to show
        for _number in range(count):
            opened_on = _day_in(rng, date(year, 1, 1), last_day - timedelta(days=30))
            decided_on = _day_in(rng, opened_on + timedelta(days=20), last_day)
            row = dict.fromkeys(COLUMNS, "")
            row.update(
                reference=_reference(
                    counters, year=year, direction=Direction.OUTGOING, kind=Kind.MLA
                ),
                direction=Direction.OUTGOING,
                kind=Kind.MLA,
                country=_POLICY_CHANGE_COUNTRY,
                counterpart_authority=_AUTHORITIES.get(_POLICY_CHANGE_COUNTRY, _DEFAULT_AUTHORITY),
                legal_basis=bases[Kind.MLA].get(_POLICY_CHANGE_COUNTRY, "RECIPROCITY"),
                offence_category="07",
                offence_description=rng.choice(_OFFENCES["07"]),
                sent_on=opened_on.isoformat(),
                status=outcome,
                decided_on=decided_on.isoformat(),
            )
            if outcome == Outcome.REFUSED:
                row["refusal_grounds"] = "sovereignty_security_ordre_public"
            rows.append(row)
    return rows


def _row(
    rng: random.Random,
    *,
    year: int,
    today: date,
    bases: dict[str, dict[str, str]],
    counters: dict[str, int],
) -> dict[str, str]:
    direction = Direction.OUTGOING if rng.random() < 0.86 else Direction.INCOMING
    kind = Kind.MLA if rng.random() < 0.66 else Kind.EXTRADITION
    country = _pick(rng, _COUNTRIES)
    category = _pick(rng, _OFFENCE_WEIGHTS)
    opened_on = _day_in(rng, date(year, 1, 1), min(date(year, 12, 31), today))
    # Requests older than the seed year are all decided before it starts, so that the seed
    # year's figures (pending at its end included) stay the published ones.
    latest = date(SEED_YEAR - 1, 12, 31) if year < SEED_YEAR else today
    decided_on = opened_on + timedelta(days=round(rng.triangular(12, 520, 110)))
    if year < SEED_YEAR and decided_on > latest:
        decided_on = _day_in(rng, opened_on, latest)
    # Some requests are never answered: the backlog a supervisor chases.
    unanswered = year > SEED_YEAR and rng.random() < 0.07
    outcome = _pick(rng, _OUTCOMES[kind]) if decided_on <= latest and not unanswered else ""
    row = dict.fromkeys(COLUMNS, "")
    row.update(
        reference=_reference(counters, year=year, direction=direction, kind=kind),
        direction=direction,
        kind=kind,
        country=country,
        counterpart_authority=_AUTHORITIES.get(country, _DEFAULT_AUTHORITY)
        if rng.random() < 0.7
        else "",
        legal_basis=bases[kind].get(country, "RECIPROCITY"),
        offence_category=category,
        offence_description=rng.choice(_OFFENCES[category]),
        status=outcome or "pending",
        decided_on=decided_on.isoformat() if outcome else "",
    )
    if kind == Kind.EXTRADITION:
        row["purpose"] = Purpose.SENTENCE if rng.random() < 0.2 else Purpose.PROSECUTION
        row["persons"] = str(rng.choice((1, 1, 1, 1, 1, 2, 2, 3)))
    if direction == Direction.OUTGOING:
        row["sent_on"] = opened_on.isoformat()
        end = decided_on if outcome else latest
        acknowledged_on = opened_on + timedelta(days=rng.randint(4, 45))
        if rng.random() < 0.6 and acknowledged_on <= end:
            row["received_on"] = acknowledged_on.isoformat()
    else:
        row["received_on"] = opened_on.isoformat()
    if outcome == Outcome.REFUSED:
        grounds = {_pick(rng, _GROUNDS[kind]) for _ in range(1 if rng.random() < 0.85 else 2)}
        row["refusal_grounds"] = ";".join(sorted(grounds))
    return row


def _mark_fatf_flags(rows: list[dict[str, str]], *, seed: int) -> None:
    """Flag a few per cent of the requests as money laundering and under one as terrorist financing.

    A generated laundering case is always flagged, and a few fraud and corruption cases of the
    seed register are; half the generated terrorist financing cases stay so and are flagged, the
    other half become arms cases, which keeps terrorist financing under one per cent. Its own
    random stream leaves the rest of the register as it was.
    """
    rng = random.Random(seed + 3)
    for row in rows:
        description = row["offence_description"]
        if description.startswith("Laundering") or (
            row["offence_category"] == "07" and not description and rng.random() < 0.05
        ):
            row["money_laundering"] = "yes"
        if description == _TERRORIST_FINANCING:
            if rng.random() < 0.5:
                row["terrorist_financing"] = "yes"
            else:
                row["offence_description"] = _ARMS_TRADE


def _reference(counters: dict[str, int], *, year: int, direction: str, kind: str) -> str:
    # Shaped like the seed register's (S23-OM-00005): year, direction, kind, number.
    prefix = f"R{year % 100:02d}-{direction[0].upper()}{'M' if kind == Kind.MLA else 'E'}"
    counters[prefix] = counters.get(prefix, 0) + 1
    return f"{prefix}-{counters[prefix]:05d}"


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _day_in(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _legal_bases() -> dict[str, dict[str, str]]:
    """Return, by kind, the treaty each country is asked under: Minsk, else Council of Europe."""
    parties = {
        treaty.code: {country.code for country in treaty.parties.all()}
        for treaty in Treaty.objects.prefetch_related("parties")
    }
    order = {Kind.MLA: ("MINSK-1993", "ECMA-1959"), Kind.EXTRADITION: ("MINSK-1993", "ECE-1957")}
    return {
        kind: {
            country: next(code for code in codes if country in parties.get(code, ()))
            for country in _COUNTRIES
            if any(country in parties.get(code, ()) for code in codes)
        }
        for kind, codes in order.items()
    }


def _seed_rows(*, today: date, seed: int) -> list[dict[str, str]]:
    """Return the seed register, with what became of most of its requests pending at its end.

    Decisions after the seed year leave its figures as published (a request decided later is
    still pending at the end of it), and spare the demo a backlog three years old.
    """
    rng = random.Random(seed + 2)
    register = resources.files("rogatory.core").joinpath(*SEED_REGISTER)
    with register.open(encoding="utf-8", newline="") as stream:
        rows = [
            {column: row.get(column) or "" for column in COLUMNS} for row in csv.DictReader(stream)
        ]
    first, last = date(SEED_YEAR + 1, 1, 8), min(date(SEED_YEAR + 2, 12, 31), today)
    for row in rows:
        if row["status"] != "pending" or rng.random() < 0.12:
            continue
        outcome = _pick(rng, _OUTCOMES[row["kind"]])
        row.update(status=outcome, decided_on=_day_in(rng, first, last).isoformat())
        if outcome == Outcome.REFUSED:
            row["refusal_grounds"] = _pick(rng, _GROUNDS[row["kind"]])
    return rows


def _unit_code_for(row: dict[str, str]) -> str:
    if row["direction"] == Direction.INCOMING:
        return DEFAULT_UNIT_CODE
    return "mla" if row["kind"] == Kind.MLA else "extradition"


def _rows_by_unit(rows: Iterable[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    grouped: dict[str, list[dict[str, str]]] = {code: [] for code, _name in DEMO_UNITS}
    for row in rows:
        grouped[_unit_code_for(row)].append(row)
    return grouped


def _import(rows: list[dict[str, str]], *, unit: Unit) -> None:
    with tempfile.TemporaryDirectory(prefix="rogatory-demo-") as folder:
        path = Path(folder) / f"demo-register-{unit.code}.csv"
        with path.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.DictWriter(stream, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        register_import(actor=None, path=path, unit=unit)


def _units_ensure() -> dict[str, Unit]:
    units = {DEFAULT_UNIT_CODE: unit_default_ensure()}
    for code, name in DEMO_UNITS:
        if code not in units:
            units[code] = Unit.objects.filter(code=code).first() or unit_create(
                actor=None, name=name, code=code
            )
    return units


def _email(login: DemoLogin) -> str:
    # example.org is reserved for examples: no real office has users there.
    return f"{login.username}@example.org"


def _user_create(login: DemoLogin, units: dict[str, Unit]) -> User:
    return user_create(
        actor=None,
        username=login.username,
        password=DEMO_PASSWORD,
        email=_email(login),
        role=login.role,
        units=[units[code] for code in login.units],
    )


def _showcase(*, today: date, seed: int, units: dict[str, Unit], users: dict[str, User]) -> None:
    """Record a few requests step by step, with persons sought and documents."""
    rng = random.Random(seed + 1)
    supervisor, clerk = users["supervisor"], users["clerk"]

    def day(days_ago: int) -> date:
        return today - timedelta(days=days_ago)

    # An extradition refused for political reasons, after arrest, hearing and more information.
    refused = _register(
        actor=supervisor,
        unit=units["extradition"],
        direction=Direction.OUTGOING,
        kind=Kind.EXTRADITION,
        reference_number=9001,
        country="CH",
        legal_basis="ECE-1957",
        counterpart_reference="B 251 407",
        counterpart_authority=_AUTHORITIES["CH"],
        domestic_case="12402450001000317",
        offence_category="07",
        offence_description="Embezzlement of public funds through a state construction contract",
        purpose=Purpose.PROSECUTION,
        persons_count=2,
        registered_on=day(300),
    )
    services.request_record_sent(actor=supervisor, request=refused, sent_on=day(296))
    services.request_record_acknowledged(
        actor=supervisor, request=refused, acknowledged_on=day(281)
    )
    services.request_record_provisional_arrest(
        actor=supervisor,
        request=refused,
        arrested_on=day(270),
        note="Arrested in Geneva on our request for provisional arrest.",
    )
    services.request_record_supplementary_requested(
        actor=supervisor, request=refused, requested_on=day(230)
    )
    services.request_record_supplementary_provided(
        actor=supervisor, request=refused, provided_on=day(205)
    )
    services.request_record_hearing(
        actor=supervisor, request=refused, held_on=day(160), note="Federal Criminal Court."
    )
    services.request_record_decision(
        actor=supervisor,
        request=refused,
        outcome=Outcome.REFUSED,
        decided_on=day(120),
        grounds=RefusalGround.objects.filter(code__in=["political_offence", "human_rights_risk"]),
        note="The requested state considers the prosecution politically motivated.",
    )
    _persons(refused, rng=rng, count=2, actor=supervisor, in_custody=False)
    _documents(
        refused,
        actor=supervisor,
        documents=(
            (Document.Kind.REQUEST, "Request for extradition"),
            (Document.Kind.TRANSLATION, "Request for extradition, German translation"),
            (Document.Kind.REPLY, "Decision of the Federal Office of Justice"),
        ),
    )

    # An extradition granted and carried out.
    granted = _register(
        actor=supervisor,
        unit=units["extradition"],
        direction=Direction.OUTGOING,
        kind=Kind.EXTRADITION,
        reference_number=9002,
        country="KZ",
        legal_basis="MINSK-1993",
        counterpart_authority=_AUTHORITIES["KZ"],
        offence_category="06",
        offence_description="Trafficking in heroin by an organised group",
        purpose=Purpose.SENTENCE,
        persons_count=1,
        registered_on=day(150),
    )
    services.request_record_sent(actor=supervisor, request=granted, sent_on=day(148))
    services.request_record_provisional_arrest(
        actor=supervisor, request=granted, arrested_on=day(140)
    )
    services.request_record_decision(
        actor=supervisor, request=granted, outcome=Outcome.GRANTED, decided_on=day(70)
    )
    services.request_record_surrender(actor=supervisor, request=granted, surrendered_on=day(40))
    _persons(granted, rng=rng, count=1, actor=supervisor, in_custody=True)

    # An incoming extradition still before the courts.
    incoming = _register(
        actor=supervisor,
        unit=units[DEFAULT_UNIT_CODE],
        direction=Direction.INCOMING,
        kind=Kind.EXTRADITION,
        reference_number=9003,
        country="UZ",
        legal_basis="MINSK-1993",
        counterpart_reference="27/4-1190",
        counterpart_authority=_AUTHORITIES["UZ"],
        offence_category="04",
        offence_description="Robbery with violence",
        purpose=Purpose.PROSECUTION,
        persons_count=1,
        registered_on=day(60),
    )
    services.request_record_received(actor=supervisor, request=incoming, received_on=day(60))
    services.request_record_provisional_arrest(
        actor=supervisor, request=incoming, arrested_on=day(55)
    )
    services.request_record_hearing(actor=supervisor, request=incoming, held_on=day(20))
    _persons(incoming, rng=rng, count=1, actor=supervisor, in_custody=True, nationality="UZ")
    _documents(
        incoming, actor=supervisor, documents=((Document.Kind.REQUEST, "Request for extradition"),)
    )

    # Legal assistance a clerk is waiting on: the requested state asked for more information.
    waiting = _register(
        actor=clerk,
        unit=units["mla"],
        direction=Direction.OUTGOING,
        kind=Kind.MLA,
        reference_number=9004,
        country="DE",
        legal_basis="ECMA-1959",
        counterpart_authority=_AUTHORITIES["DE"],
        domestic_case="12402450002000118",
        offence_category="07",
        offence_description="Laundering of proceeds of fraud through shell companies",
        money_laundering=True,
        registered_on=day(90),
    )
    services.request_record_sent(actor=clerk, request=waiting, sent_on=day(88))
    services.request_record_acknowledged(actor=clerk, request=waiting, acknowledged_on=day(75))
    services.request_record_supplementary_requested(
        actor=clerk,
        request=waiting,
        requested_on=day(30),
        note="Bank statements for 2024 are asked for.",
    )
    _documents(
        waiting,
        actor=clerk,
        documents=(
            (Document.Kind.REQUEST, "Request for legal assistance"),
            (Document.Kind.TRANSLATION, "Request for legal assistance, German translation"),
        ),
    )

    _surrenders(today=today, actor=supervisor, rng=random.Random(seed + 3))
    _timeliness(
        today=today,
        units=units,
        supervisor=supervisor,
        clerk=clerk,
        waiting=waiting,
        granted=granted,
        rng=random.Random(seed + 2),
    )

    # Persons named in a few imported extradition requests of this year.
    imported = Request.objects.filter(
        kind=Kind.EXTRADITION, opened_on__year=today.year, reference__startswith="R"
    ).exclude(pk__in=[refused.pk, granted.pk, incoming.pk])
    for request in imported.order_by("reference")[:6]:
        _persons(request, rng=rng, count=request.persons_count, actor=supervisor, in_custody=False)

    _examples(today=today, refused=refused, granted=granted, clerk=clerk, supervisor=supervisor)


def _surrenders(*, today: date, actor: User, rng: random.Random) -> None:
    """Surrender the persons of imported grants older than a month, as an office records them.

    The register format has no surrender, so without this every grant would show its surrender
    deadline as long overdue; the grants of the last month keep their clocks running.
    """
    granted = Request.objects.filter(
        kind=Kind.EXTRADITION, status=Status.GRANTED, decided_on__lt=today - timedelta(days=30)
    ).order_by("id")
    for request in granted:
        surrendered_on = min(request.decided_on + timedelta(days=rng.randint(6, 25)), today)
        services.request_record_surrender(
            actor=actor, request=request, surrendered_on=surrendered_on
        )


def _timeliness(
    *,
    today: date,
    units: dict[str, Unit],
    supervisor: User,
    clerk: User,
    waiting: Request,
    granted: Request,
    rng: random.Random,
) -> None:
    """Show priorities, deadlines, a complete letter, assurances, links and engagements."""

    def day(days_ago: int) -> date:
        return today - timedelta(days=days_ago)

    # The clerk's request for legal assistance: high priority, a limitation date close enough
    # to make it urgent, and its letter written out in full.
    services.request_update(
        actor=clerk,
        request=waiting,
        priority=Priority.HIGH,
        priority_reason="The suspects are moving the funds on; the bank records must be secured.",
        limitation_on=today + timedelta(days=150),
        responsible=clerk,
    )
    draft_save(
        actor=clerk,
        request=waiting,
        expected_version=0,
        authority_name="Prosecutor General's Office, Department of International Legal Cooperation",
        authority_address="1 Example Street, the capital (demo address)",
        contact_name="Clerk of the MLA department",
        contact_phone="+7 495 000 00 00",
        contact_email=_email(DEMO_LOGINS[1]),
        proceedings=(
            "Criminal case 12402450002000118, opened by the Investigative Committee, into "
            "laundering of the proceeds of an investment fraud."
        ),
        facts=(
            "Between 2022 and 2024 the suspects collected investors' money through a fictitious "
            "fund and moved it through shell companies holding accounts in Germany."
        ),
        legal_provisions=(
            "Article 174.1 of the Criminal Code: laundering of money or other property acquired "
            "by a person as a result of an offence committed by them."
        ),
        assistance="Obtain the statements of the companies' accounts for 2022 to 2024.",
        relevance="The statements trace the investors' money to the suspects.",
        persons="Directors of the companies named in the annex, with their dates of birth.",
        procedures="Certified copies, with the bank's certificate of authenticity.",
        confidentiality="The account holders must not be told of the request.",
        urgency="The limitation period runs out within six months.",
        language="en",
    )

    # An urgent extradition: the person was arrested on our request for provisional arrest two
    # weeks ago, and the extradition request itself has not been sent yet (ECE 1957 Art. 16).
    arrested = _register(
        actor=supervisor,
        unit=units["extradition"],
        direction=Direction.OUTGOING,
        kind=Kind.EXTRADITION,
        reference_number=9005,
        country="DE",
        legal_basis="ECE-1957",
        counterpart_authority=_AUTHORITIES["DE"],
        domestic_case=waiting.domestic_case,
        offence_category="07",
        offence_description="Laundering of proceeds of fraud through shell companies",
        purpose=Purpose.PROSECUTION,
        persons_count=1,
        registered_on=day(16),
        money_laundering=True,
        responsible=supervisor,
        interpol_notice="A-4471/8-" + str(today.year),
    )
    services.request_record_provisional_arrest(
        actor=supervisor,
        request=arrested,
        arrested_on=day(15),
        note="Arrested in Frankfurt on a red notice.",
    )
    _persons(arrested, rng=rng, count=1, actor=supervisor, in_custody=True)
    link_add(
        actor=supervisor,
        source=arrested,
        target=waiting,
        type=RequestLink.Type.EXTRADITION_MLA,
        note="The bank records support the extradition request.",
    )

    # Assurances given by us for the person surrendered, and the first follow-up.
    granted.refresh_from_db()
    surrendered_on = request_surrendered_on(request=granted)
    speciality = assurance_request(
        actor=supervisor,
        request=granted,
        type=Assurance.Type.SPECIALITY,
        text="The person will be tried only for the offences named in the request.",
        requested_on=day(100),
    )
    assurance_record_given(
        actor=supervisor,
        assurance=speciality,
        given_on=day(90),
        authority="Prosecutor General's Office",
    )
    detention = assurance_request(
        actor=supervisor,
        request=granted,
        type=Assurance.Type.DETENTION_CONDITIONS,
        text="Detention in a facility meeting the European Prison Rules; consular visits.",
        requested_on=day(100),
    )
    assurance_record_given(
        actor=supervisor,
        assurance=detention,
        given_on=day(90),
        authority="Federal Penitentiary Service",
    )
    assurance_follow_up_add(
        actor=supervisor,
        assurance=detention,
        occurred_on=max(surrendered_on, day(20)),
        finding=AssuranceFollowUp.Finding.RESPECTED,
        note="Consular visit; no complaints.",
    )

    # A meeting with a partner's anti-corruption agency, and a memorandum with another state.
    meeting = engagement_create(
        actor=supervisor,
        kind=Engagement.Kind.MEETING,
        title="Meeting of the Prosecutor General with the Chairman of the Anti-Corruption Agency",
        held_on=day(45),
        countries=Country.objects.filter(code="KZ"),
        our_authority="Prosecutor General's Office",
        their_authority="Anti-Corruption Agency of the Republic of Kazakhstan",
        participants="The Prosecutor General; the Chairman of the Agency; heads of departments.",
        topics="Extradition of persons accused of corruption; recovery of assets.",
        outcomes="A joint working group on pending requests; contact points named.",
        follow_up="Exchange lists of pending requests within a month.",
        unit=units[DEFAULT_UNIT_CODE],
    )
    engagement_link_request(actor=supervisor, engagement=meeting, request=granted)
    engagement_create(
        actor=supervisor,
        kind=Engagement.Kind.MEMORANDUM,
        title="Memorandum of understanding on the exchange of information in criminal matters",
        held_on=day(200),
        countries=Country.objects.filter(code="DE"),
        our_authority="Prosecutor General's Office",
        their_authority="Federal Office of Justice",
        topics="Direct contacts between central authorities; electronic transmission.",
        outcomes="Signed; in force from signature.",
        unit=units[DEFAULT_UNIT_CODE],
    )


# States the demo's examples for the statement name: English, Russian, plural in Russian.
_EXAMPLE_STATES = {
    "CH": ("Switzerland", "Швейцария", False),
    "DE": ("Germany", "Германия", False),
    "FR": ("France", "Франция", False),
    "ES": ("Spain", "Испания", False),
    "IT": ("Italy", "Италия", False),
    "US": ("The United States", "США", True),
    "AT": ("Austria", "Австрия", False),
    "TR": ("Türkiye", "Турция", False),
}


def _examples(
    *, today: date, refused: Request, granted: Request, clerk: User, supervisor: User
) -> None:
    """Propose examples for the public statement: most approved, one awaiting a supervisor."""
    approved = [
        example_propose(
            actor=supervisor,
            request=refused,
            category=Example.Category.REFUSAL,
            summary_en=(
                "Switzerland refused to extradite two persons accused of embezzling public "
                "funds through a state construction contract, holding the prosecution to be "
                "politically motivated."
            ),
            summary_ru=(
                "Швейцария отказала в выдаче двух лиц, обвиняемых в хищении бюджетных средств "
                "по государственному строительному контракту, сочтя уголовное преследование "
                "политически мотивированным."
            ),
        ),
        example_propose(
            actor=supervisor,
            request=granted,
            category=Example.Category.COOPERATION,
            summary_en=(
                "Kazakhstan extradited a person sentenced for trafficking in heroin by an "
                "organised group, to serve the sentence."
            ),
            summary_ru=(
                "Казахстан выдал лицо, осуждённое за незаконный сбыт героина в составе "
                "организованной группы, для исполнения приговора."
            ),
        ),
    ]
    # Last year's statement gets an example of each kind from the imported register. A summary
    # continues "For example, in May 2025," so it starts with the state, named here by hand.
    last_year = Request.objects.filter(
        direction=Direction.OUTGOING,
        kind=Kind.MLA,
        decided_on__year=today.year - 1,
        country_id__in=_EXAMPLE_STATES,
    ).order_by("reference")
    political = last_year.filter(outcome=Outcome.REFUSED, political=True).first()
    executed = last_year.filter(outcome=Outcome.EXECUTED).first()
    if political is not None:
        english, russian, plural = _EXAMPLE_STATES[political.country_id]
        approved.append(
            example_propose(
                actor=supervisor,
                request=political,
                category=Example.Category.REFUSAL,
                summary_en=(
                    f"{english} refused to question witnesses in a criminal case of fraud, "
                    "holding that executing the request could harm its sovereignty."
                ),
                summary_ru=(
                    f"{russian} {'отказали' if plural else 'отказала'} в допросе свидетелей "
                    "по уголовному делу о мошенничестве, сославшись на то, что исполнение "
                    "запроса может нанести ущерб суверенитету."
                ),
            )
        )
    if executed is not None:
        english, russian, plural = _EXAMPLE_STATES[executed.country_id]
        approved.append(
            example_propose(
                actor=supervisor,
                request=executed,
                category=Example.Category.COOPERATION,
                summary_en=(
                    f"{english} obtained and handed over, within four months, the bank records "
                    "requested in a case of large-scale fraud."
                ),
                summary_ru=(
                    f"{russian} в течение четырёх месяцев {'получили и передали' if plural else 'получила и передала'} "
                    "банковские документы, запрошенные по делу о мошенничестве в особо "
                    "крупном размере."
                ),
            )
        )
    for example in approved:
        example_approve(actor=supervisor, example=example)
    awaiting = (
        last_year.filter(outcome=Outcome.EXECUTED)
        .exclude(pk__in=[example.request_id for example in approved])
        .filter(unit__code="mla")
        .first()
    )
    if awaiting is not None:
        example_propose(
            actor=clerk,
            request=awaiting,
            category=Example.Category.COOPERATION,
            summary_en=(
                f"{_EXAMPLE_STATES[awaiting.country_id][0]} handed over in full the documents "
                "on the movement of funds."
            ),
            summary_ru=(
                f"{_EXAMPLE_STATES[awaiting.country_id][1]} в полном объёме "
                f"{'передали' if _EXAMPLE_STATES[awaiting.country_id][2] else 'передала'} "
                "документы о движении денежных средств."
            ),
        )


def _register(
    *,
    actor: User,
    unit: Unit,
    country: str,
    legal_basis: str,
    offence_category: str,
    reference_number: int,
    registered_on: date,
    **fields,
) -> Request:
    # Shaped like the generated references, numbered apart from them.
    code = f"{fields['direction'][0].upper()}{'M' if fields['kind'] == Kind.MLA else 'E'}"
    return services.request_register(
        actor=actor,
        unit=unit,
        reference=f"R{registered_on.year % 100:02d}-{code}-{reference_number:05d}",
        registered_on=registered_on,
        country=Country.objects.get(code=country),
        legal_basis=Treaty.objects.get(code=legal_basis),
        offence_category=OffenceCategory.objects.get(code=offence_category),
        **fields,
    )


def _persons(
    request: Request,
    *,
    rng: random.Random,
    count: int,
    actor: User,
    in_custody: bool,
    nationality: str = "RU",
) -> None:
    country = Country.objects.filter(code=nationality).first()
    for _number in range(count):
        services.person_add(
            actor=actor,
            request=request,
            full_name=rng.choice(_PERSON_NAMES),
            born_on=date(rng.randint(1965, 1998), rng.randint(1, 12), rng.randint(1, 28)),
            nationality=country,
            in_custody=in_custody,
        )


def _documents(request: Request, *, actor: User, documents: tuple[tuple[str, str], ...]) -> None:
    for kind, title in documents:
        text = (
            f"{title}\n\nReference: {request.reference}\nCountry: {request.country_id}\n\n"
            "This file stands in for the scanned document in the Rogatory demo.\n"
        )
        services.document_attach(
            actor=actor,
            request=request,
            kind=kind,
            title=title,
            original_name=f"{request.reference}-{kind}.txt",
            content_type="text/plain",
            content=io.BytesIO(text.encode()),
        )
