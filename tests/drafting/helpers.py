"""Requests with letters, built through the services a clerk's page calls."""

from datetime import date

from rogatory.drafting.services import draft_save
from rogatory.reference.models import Country, Treaty
from rogatory.register.models import Kind, Request
from rogatory.register.services import person_add, request_update
from tests.register.factories import make_request

# Every element of a legal-assistance letter, each text unique so a test can find it.
MLA_LETTER = {
    "authority_name": "Prosecutor General's Office, International Legal Cooperation Department",
    "authority_address": "15a Bolshaya Dmitrovka\nMoscow 125993",
    "contact_name": "Anna Sergeevna Volkova",
    "contact_phone": "+7 495 000 00 01",
    "contact_email": "a.volkova@example.org",
    "proceedings": "Criminal case opened by the Investigative Committee; pre-trial stage.",
    "facts": "Between March and May 2023 the suspects moved 4.2 million through Zurich accounts.",
    "legal_provisions": "Article 174.1 of the Criminal Code: laundering of proceeds of crime.",
    "assistance": "Obtain the records of account CH93 0076 2011 6238 5295 7 for 2023.",
    "relevance": "The records show where the proceeds of the fraud went.",
    "persons": "Boris Ivanovich Smirnov, born 1980-02-03, passport 45 01 123456.",
    "procedures": "Certify the copies of the records; our investigator wishes to be present.",
    "confidentiality": "Do not inform the account holder of this request.",
    "urgency": "Needed before the hearing of 2024-03-01: the accused is in custody.",
    "language": "en",
}

EXTRADITION_LETTER = {
    **{name: value for name, value in MLA_LETTER.items() if name not in ("persons", "relevance")},
    "assistance": "Hand over the mobile phone seized on arrest.",
    "procedures": "",
}


def outgoing_request(
    *,
    kind: str = Kind.MLA,
    country: str = "CH",
    legal_basis: str | None = "ECMA-1959",
    unit=None,
    actor=None,
    persons_count: int | None = None,
) -> Request:
    """Return an outgoing request not yet sent, with its case, offence and legal basis."""
    request = make_request(
        kind=kind, country=country, opened_on=None, unit=unit, persons_count=persons_count
    )
    return request_update(
        actor=actor,
        request=request,
        legal_basis=Treaty.objects.get(code=legal_basis) if legal_basis else None,
        domestic_case="12301450001000123",
        offence_description="Fraud on a large scale and laundering of its proceeds.",
        limitation_on=date(2033, 5, 31),
    )


def complete_mla(*, actor=None, unit=None, **changes) -> Request:
    """Return an outgoing legal-assistance request with a complete letter."""
    request = outgoing_request(unit=unit, actor=actor)
    draft_save(actor=actor, request=request, **{**MLA_LETTER, **changes})
    return request


def complete_extradition(*, actor=None, unit=None) -> Request:
    """Return an outgoing extradition request with a complete letter and person sought."""
    request = outgoing_request(
        kind=Kind.EXTRADITION, country="DE", legal_basis="ECE-1957", unit=unit, actor=actor
    )
    person_add(
        actor=actor,
        request=request,
        full_name="Ivan Petrovich Petrov",
        born_on=date(1975, 6, 14),
        nationality=Country.objects.get(code="RU"),
        identification="Passport 75 1234567, born in Tula, scar on the left hand.",
    )
    draft_save(actor=actor, request=request, **EXTRADITION_LETTER)
    return request
