"""Schemas several endpoints share: bounded text, the error shape, requests and their history.

Every string a client sends has a length no longer than its database column and no control
characters (PostgreSQL refuses NUL), so that no input reaches the database in a form it would
reject with a server error.
"""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.urls import reverse
from ninja import Field, Schema
from pydantic import StringConstraints

from rogatory.register.lifecycle import allowed_events
from rogatory.register.models import (
    Direction,
    Document,
    Event,
    Kind,
    Outcome,
    Person,
    Priority,
    Purpose,
    Request,
    Status,
)
from rogatory.register.selectors import request_state

# Tabs and line breaks are text; the other control characters never are.
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
# Free-text columns (notes, descriptions) have no limit in the database; this is a sanity one.
LONG_TEXT = 20_000
# Ids are 64-bit in the database; a larger number cannot name anything.
MAX_ID = 2**63 - 1


def text(max_length: int, *, min_length: int = 0) -> Any:
    """Return a string type of at most `max_length` characters and no control characters."""
    return Annotated[
        str,
        StringConstraints(min_length=min_length, max_length=max_length, pattern=TEXT_PATTERN),
    ]


def choice(values: list[str]) -> Any:
    """Return a type that accepts exactly `values`, listed as an enum in the OpenAPI document."""
    return Literal[tuple(values)]


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
DirectionValue = choice(Direction.values)
KindValue = choice(Kind.values)
StatusValue = choice(Status.values)
OutcomeValue = choice(Outcome.values)
EventTypeAny = choice(Event.Type.values)
DocumentKind = choice(Document.Kind.values)
OutcomeOrNone = choice(["", *Outcome.values])
PurposeValue = choice(["", *Purpose.values])
PriorityValue = choice(Priority.values)
EventType = choice([value for value in Event.Type.values if value != Event.Type.REGISTERED])


class ErrorItem(Schema):
    """What is wrong with one field, or with one cell of an uploaded register."""

    field: str = Field(description="The field, as a dotted path; empty for the whole input.")
    message: str
    row: int | None = Field(None, description="Register imports: the row (the header is 1).")
    column: str | None = Field(None, description="Register imports: the column.")


class ErrorOut(Schema):
    """Every error response: a message, and what is wrong field by field (maybe nothing)."""

    detail: str
    errors: list[ErrorItem]


# The errors every operation may answer with; some add 409 (conflicts) or 413 (uploads).
ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
}


class RequestOut(Schema):
    """A request: what it is, and where its events have brought it."""

    id: int
    unit: str = Field(description="The code of the unit the request belongs to.")
    direction: DirectionValue
    kind: KindValue
    reference: str
    counterpart_reference: str
    country: str = Field(description="ISO 3166-1 alpha-2 code of the counterpart state.")
    counterpart_authority: str
    legal_basis: str | None = Field(description="Treaty code.")
    domestic_case: str
    offence_category: str | None = Field(description="ICCS level-1 code.")
    offence_description: str
    money_laundering: bool = Field(description="Concerns money laundering (FATF statistics).")
    terrorist_financing: bool = Field(description="Concerns terrorist financing (FATF statistics).")
    purpose: PurposeValue
    persons_count: int
    notes: str
    priority: PriorityValue = Field(
        description="The priority chosen; rules may make the request urgent whatever it is."
    )
    priority_reason: str
    limitation_on: date | None = Field(
        description="The date the limitation period for the offence runs out."
    )
    responsible: str | None = Field(description="User name of the responsible clerk.")
    interpol_notice: str
    version: int = Field(description="Goes up with every change; send it back to detect races.")
    status: StatusValue
    outcome: OutcomeOrNone
    opened_on: date | None
    decided_on: date | None
    political: bool | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_unit(request: Request) -> str:
        return request.unit.code

    @staticmethod
    def resolve_country(request: Request) -> str:
        return request.country_id

    @staticmethod
    def resolve_legal_basis(request: Request) -> str | None:
        return request.legal_basis_id

    @staticmethod
    def resolve_offence_category(request: Request) -> str | None:
        return request.offence_category_id

    @staticmethod
    def resolve_responsible(request: Request) -> str | None:
        return request.responsible.get_username() if request.responsible_id else None


class EventOut(Schema):
    """One event of a request's history."""

    id: int
    type: EventTypeAny
    occurred_on: date
    recorded_at: datetime
    recorded_by: str | None = Field(description="User name; null for the command line.")
    outcome: OutcomeOrNone
    grounds: list[str]
    political: bool | None
    political_overridden: bool
    reason: str
    note: str

    @staticmethod
    def resolve_recorded_by(event: Event) -> str | None:
        return event.recorded_by.get_username() if event.recorded_by_id else None

    @staticmethod
    def resolve_grounds(event: Event) -> list[str]:
        return sorted(ground.code for ground in event.grounds.all())


class PersonOut(Schema):
    """A person sought (personal data: every view of it is audited)."""

    id: int
    full_name: str
    born_on: date | None
    nationality: str | None
    in_custody: bool
    note: str

    @staticmethod
    def resolve_nationality(person: Person) -> str | None:
        return person.nationality_id


class DocumentOut(Schema):
    """A file attached to a request, without its content."""

    id: int
    kind: DocumentKind
    title: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime
    download_url: str

    @staticmethod
    def resolve_download_url(document: Document) -> str:
        return reverse(
            "api-1:document_download",
            kwargs={"request_id": document.request_id, "document_id": document.pk},
        )


class RequestDetailOut(RequestOut):
    """A request with its refusal grounds, history, persons sought and documents."""

    grounds: list[str] = Field(description="Refusal grounds of the current refusal.")
    allowed_events: list[str] = Field(description="The event types that may be recorded next.")
    events: list[EventOut]
    persons: list[PersonOut]
    documents: list[DocumentOut]

    @staticmethod
    def resolve_grounds(request: Request) -> list[str]:
        return sorted(ground.code for ground in request.grounds.all())

    @staticmethod
    def resolve_allowed_events(request: Request) -> list[str]:
        return allowed_events(request_state(request=request))
