"""The public statement of a year as text, and the examples it tells, for programs."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from rogatory.accounts.permissions import Action, authorize
from rogatory.core.exceptions import ConflictError, NotFoundError
from rogatory.publication import services
from rogatory.publication.models import SUMMARY_MAX_LENGTH, Example
from rogatory.publication.selectors import example_for_request, example_list
from rogatory.publication.statement import (
    FIRST_YEAR,
    LAST_YEAR,
    statement_build,
    statement_render_text,
)
from rogatory.register.models import Request
from rogatory.register.selectors import request_get
from rogatory.statistics.projection import as_of_parse

from ..errors import VersionConflictError
from ..schemas import ERRORS, MAX_ID, ErrorOut, Id, choice, text

router = Router(tags=["statement"])

LanguageValue = choice([code for code, _name in settings.LANGUAGES])
CategoryValue = choice(Example.Category.values)


class StatementIn(Schema):
    """The year, the language, and optionally the moment the figures are known at."""

    year: int = Field(..., ge=FIRST_YEAR, le=LAST_YEAR)
    lang: LanguageValue = "en"
    as_of: text(40) = Field(
        "", description="YYYY-MM-DD (the end of that day) or an ISO date and time; empty: now."
    )


class StatementOut(Schema):
    """The statement of a year: its paragraphs, blank lines apart."""

    year: int
    language: LanguageValue
    text: str


class ExampleOut(Schema):
    """An example for the statement: a request's decision told without personal data."""

    id: int
    request_id: int
    category: CategoryValue
    summary_en: str
    summary_ru: str
    month: date = Field(description="The first day of the month of the request's decision.")
    proposed_by: str | None = Field(description="User name; null for the command line.")
    proposed_at: datetime
    approved_by: str | None
    approved_at: datetime | None = Field(description="Null while awaiting approval.")
    version: int = Field(description="Goes up with every change; send it back to approve.")

    @staticmethod
    def resolve_proposed_by(example: Example) -> str | None:
        return example.proposed_by.get_username() if example.proposed_by_id else None

    @staticmethod
    def resolve_approved_by(example: Example) -> str | None:
        return example.approved_by.get_username() if example.approved_by_id else None


class ExampleListIn(Schema):
    """Which examples to list: awaiting approval, approved, or (empty) both."""

    status: choice(["", "awaiting", "approved"]) = ""


class ExampleIn(Schema):
    """An example's category and public summaries (at least one of them)."""

    category: CategoryValue
    summary_en: text(SUMMARY_MAX_LENGTH) = ""
    summary_ru: text(SUMMARY_MAX_LENGTH) = ""


class ExampleUpdateIn(ExampleIn):
    version: int | None = Field(
        None, ge=1, le=MAX_ID, description="The example's version as last read; 409 if changed."
    )


class ExampleApproveIn(Schema):
    version: int | None = Field(
        None, ge=1, le=MAX_ID, description="The version the supervisor read; 409 if changed."
    )


@router.get(
    "/statement",
    response={200: StatementOut, **ERRORS},
    summary="Statement",
    operation_id="statement",
)
def statement(request: HttpRequest, params: Query[StatementIn]) -> dict:
    """Return the public statement of a year about our requests, in English or Russian."""
    authorize(request.auth, Action.READ)
    built = statement_build(year=params.year, as_of=as_of_parse(params.as_of))
    text = statement_render_text(built, language=params.lang)
    return {"year": params.year, "language": params.lang, "text": text}


@router.get(
    "/examples",
    response={200: list[ExampleOut], **ERRORS},
    summary="List examples",
    operation_id="example_list",
)
def examples(request: HttpRequest, params: Query[ExampleListIn]) -> list[Example]:
    """Return the examples of the requests the user may see, in order of their month."""
    authorize(request.auth, Action.READ)
    approved = {"": None, "awaiting": False, "approved": True}[params.status]
    return list(example_list(user=request.auth, approved=approved))


@router.post(
    "/requests/{request_id}/example",
    response={201: ExampleOut, **ERRORS},
    summary="Propose an example",
    operation_id="example_propose",
)
def example_propose(request: HttpRequest, request_id: Id, payload: ExampleIn) -> Status:
    """Propose a decided outgoing request as an example for the statement."""
    found = request_get(user=request.auth, request_id=request_id)
    example = services.example_propose(actor=request.auth, request=found, **payload.dict())
    return Status(201, example)


@router.put(
    "/requests/{request_id}/example",
    response={200: ExampleOut, **ERRORS, 409: ErrorOut},
    summary="Change an example",
    operation_id="example_update",
)
def example_update(request: HttpRequest, request_id: Id, payload: ExampleUpdateIn) -> Example:
    """Change an example's category or summaries; a change withdraws its approval."""
    example = _example_of(request_get(user=request.auth, request_id=request_id))
    fields = payload.dict(exclude={"version"})
    with _conflicts():
        return services.example_update(
            actor=request.auth, example=example, expected_version=payload.version, **fields
        )


@router.post(
    "/requests/{request_id}/example/approve",
    response={200: ExampleOut, **ERRORS, 409: ErrorOut},
    summary="Approve an example",
    operation_id="example_approve",
)
def example_approve(request: HttpRequest, request_id: Id, payload: ExampleApproveIn) -> Example:
    """Approve an example for the statement (supervisors)."""
    example = _example_of(request_get(user=request.auth, request_id=request_id))
    with _conflicts():
        return services.example_approve(
            actor=request.auth, example=example, expected_version=payload.version
        )


@router.delete(
    "/requests/{request_id}/example",
    response={204: None, **ERRORS, 409: ErrorOut},
    summary="Withdraw an example",
    operation_id="example_withdraw",
)
def example_withdraw(request: HttpRequest, request_id: Id) -> Status:
    """Remove an example; an approved one only a supervisor may remove."""
    example = _example_of(request_get(user=request.auth, request_id=request_id))
    with _conflicts():
        services.example_withdraw(actor=request.auth, example=example)
    return Status(204, None)


def _example_of(found: Request) -> Example:
    example = example_for_request(request=found)
    if example is None:
        raise NotFoundError(_("Request %(id)s has no example.") % {"id": found.pk})
    return example


@contextmanager
def _conflicts() -> Iterator[None]:
    """Answer a service's conflict (a changed or withdrawn example) with 409."""
    try:
        yield
    except ConflictError as error:
        raise VersionConflictError(error.message, extra={"field": "version"}) from error
