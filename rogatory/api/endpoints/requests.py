"""Requests: the register list, registering a request, one request with its history, its details."""

from datetime import date

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from rogatory.audit.services import audit_view
from rogatory.core.exceptions import ConflictError
from rogatory.core.replica import reads_from_replica
from rogatory.register.models import Event, Request
from rogatory.register.selectors import (
    CURSOR_MAX_LENGTH,
    RequestFilters,
    request_get,
    request_page,
)
from rogatory.register.services import request_register, request_update

from ..errors import VersionConflictError
from ..lookups import (
    country_by_code,
    offence_category_by_code,
    treaty_by_code,
    unit_by_code_or_none,
    user_by_username_or_none,
)
from ..schemas import (
    ERRORS,
    LONG_TEXT,
    MAX_ID,
    DirectionValue,
    ErrorOut,
    Id,
    KindValue,
    PriorityValue,
    PurposeValue,
    RequestDetailOut,
    RequestOut,
    StatusValue,
    choice,
    text,
)

router = Router(tags=["requests"])

SORTS = ["registered", "reference", "opened", "decided", "priority"]
_MONEY_LAUNDERING = "The request concerns money laundering (counted apart in FATF statistics)."
_TERRORIST_FINANCING = (
    "The request concerns terrorist financing (counted apart in FATF statistics)."
)
_PRIORITY = (
    "urgent, high or normal. A person in custody, a running provisional arrest or a limitation "
    "date within six months makes the request urgent whatever is chosen."
)
_LIMITATION = "The date the limitation period for the offence runs out."
# Fields a PATCH clears with null (elsewhere null, like a field left out, changes nothing).
_CLEARED_BY_NULL = frozenset({"limitation_on"})
_RESPONSIBLE = "User name of the responsible clerk: an active clerk or more of the unit."


def request_etag(request: Request) -> str:
    """Return the entity tag of a request's version, as `ETag` and `If-Match` carry it."""
    return f'"{request.version}"'


class RequestListIn(Schema):
    """The filters of the register list (those of the web list) and the page wanted."""

    direction: DirectionValue | None = None
    kind: KindValue | None = None
    country: text(2) | None = Field(None, description="ISO 3166-1 alpha-2 code.")
    status: StatusValue | None = None
    opened_from: date | None = None
    opened_to: date | None = None
    ground: text(60) | None = Field(None, description="Refusal ground code.")
    political: bool | None = None
    unit: text(40) | None = Field(None, description="Unit code.")
    search: text(200) | None = Field(None, description="Words in references, case or offence.")
    sort: choice([*SORTS, *(f"-{sort}" for sort in SORTS)]) = "-registered"
    cursor: text(CURSOR_MAX_LENGTH) = Field(
        "", description="`next_cursor` or `previous_cursor` of a page."
    )
    limit: int = Field(50, ge=1, le=200)

    def filters(self) -> RequestFilters:
        """Return the filters as the selector takes them."""
        values = self.model_dump(exclude={"cursor", "limit"}, exclude_none=True)
        return RequestFilters(**values)


class RequestListOut(Schema):
    """One page of the register list; a cursor is null at either end of the list."""

    items: list[RequestOut]
    next_cursor: str | None
    previous_cursor: str | None


class RequestRegisterIn(Schema):
    """A new request; codes name the country, treaty, offence category and unit."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "direction": "outgoing",
                    "kind": "mla",
                    "reference": "2023/MLA/0001",
                    "country": "CH",
                    "legal_basis": "ECMA-1959",
                    "offence_category": "07",
                    "offence_description": "Fraud through shell companies",
                    "money_laundering": True,
                }
            ]
        }
    )

    direction: DirectionValue
    kind: KindValue
    reference: text(100, min_length=1)
    country: text(2) = Field(description="ISO 3166-1 alpha-2 code.")
    counterpart_reference: text(100) = ""
    counterpart_authority: text(300) = ""
    legal_basis: text(40) | None = Field(None, description="Treaty code, such as ECMA-1959.")
    domestic_case: text(100) = ""
    offence_category: text(2) | None = Field(None, description="ICCS level-1 code, 01-11.")
    offence_description: text(LONG_TEXT) = ""
    money_laundering: bool = Field(False, description=_MONEY_LAUNDERING)
    terrorist_financing: bool = Field(False, description=_TERRORIST_FINANCING)
    purpose: PurposeValue = Field("", description="Extradition only; default prosecution.")
    persons_count: int | None = Field(None, ge=0, le=10_000, description="Extradition only.")
    notes: text(LONG_TEXT) = ""
    registered_on: date | None = Field(None, description="Default: today.")
    unit: text(40) | None = Field(None, description="Unit code; default: the user's own unit.")
    priority: PriorityValue = Field("normal", description=_PRIORITY)
    priority_reason: text(LONG_TEXT) = Field("", description="Needed for urgent and high.")
    limitation_on: date | None = Field(None, description=_LIMITATION)
    responsible: text(150) | None = Field(None, description=_RESPONSIBLE)
    interpol_notice: text(60) = ""


class RequestUpdateIn(Schema):
    """The details to change; a field left out (or null) stays as it is.

    An empty `legal_basis` or `offence_category` clears it. Direction, kind and reference never
    change, and the status changes only through events.
    """

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"money_laundering": True, "version": 3}]}
    )

    country: text(2) | None = Field(None, description="ISO 3166-1 alpha-2 code.")
    counterpart_reference: text(100) | None = None
    counterpart_authority: text(300) | None = None
    legal_basis: text(40) | None = Field(None, description="Treaty code; empty to clear.")
    domestic_case: text(100) | None = None
    offence_category: text(2) | None = Field(None, description="ICCS code; empty to clear.")
    offence_description: text(LONG_TEXT) | None = None
    money_laundering: bool | None = Field(None, description=_MONEY_LAUNDERING)
    terrorist_financing: bool | None = Field(None, description=_TERRORIST_FINANCING)
    purpose: PurposeValue | None = Field(None, description="Extradition only.")
    persons_count: int | None = Field(None, ge=0, le=10_000, description="Extradition only.")
    notes: text(LONG_TEXT) | None = None
    priority: PriorityValue | None = Field(None, description=_PRIORITY)
    priority_reason: text(LONG_TEXT) | None = Field(None, description="Needed for urgent, high.")
    limitation_on: date | None = Field(None, description=_LIMITATION + " null to clear.")
    responsible: text(150) | None = Field(None, description=_RESPONSIBLE + " Empty to clear.")
    interpol_notice: text(60) | None = None
    version: int | None = Field(
        None, ge=1, le=MAX_ID, description="The request's version as last read; 409 if changed."
    )

    def changes(self) -> dict:
        """Return the fields given, as `request_update` takes them."""
        given = self.model_dump(exclude_unset=True, exclude={"version"})
        # null leaves a field as it is, except a date, which has no empty text to clear it with.
        changes = {
            name: value
            for name, value in given.items()
            if value is not None or name in _CLEARED_BY_NULL
        }
        if "country" in changes:
            changes["country"] = country_by_code(changes["country"])
        if "legal_basis" in changes:
            changes["legal_basis"] = treaty_by_code(changes["legal_basis"])
        if "offence_category" in changes:
            changes["offence_category"] = offence_category_by_code(changes["offence_category"])
        if "responsible" in changes:
            changes["responsible"] = user_by_username_or_none(changes["responsible"])
        return changes


@router.get(
    "/requests",
    response={200: RequestListOut, **ERRORS},
    summary="List requests",
    operation_id="request_list",
)
@reads_from_replica
def request_list(request: HttpRequest, filters: Query[RequestListIn]) -> dict:
    """Return a page of the requests the user may see, newest first unless sorted otherwise."""
    page = request_page(
        user=request.auth, filters=filters.filters(), cursor=filters.cursor, limit=filters.limit
    )
    return {
        "items": page.requests,
        "next_cursor": page.next_cursor,
        "previous_cursor": page.previous_cursor,
    }


@router.post(
    "/requests",
    response={201: RequestOut, **ERRORS},
    summary="Register a request",
    operation_id="request_register",
)
def request_register_endpoint(request: HttpRequest, payload: RequestRegisterIn) -> Status:
    """Enter a new request in the register, as a draft, in the given or the user's own unit."""
    fields = payload.model_dump(
        exclude={"country", "legal_basis", "offence_category", "unit", "responsible"}
    )
    registered = request_register(
        responsible=user_by_username_or_none(payload.responsible),
        actor=request.auth,
        country=country_by_code(payload.country),
        legal_basis=treaty_by_code(payload.legal_basis),
        offence_category=offence_category_by_code(payload.offence_category),
        unit=unit_by_code_or_none(payload.unit),
        **fields,
    )
    return Status(201, registered)


@router.get(
    "/requests/{request_id}",
    response={200: RequestDetailOut, **ERRORS},
    summary="Retrieve a request",
    operation_id="request_retrieve",
)
def request_retrieve(request: HttpRequest, response: HttpResponse, request_id: Id) -> Request:
    """Return a request with its history, persons sought and documents.

    Whoever may read the request sees its persons sought; each view of a person is audited.
    The `ETag` header carries the request's version, to send back as `If-Match` with an event.
    """
    found = request_get(user=request.auth, request_id=request_id)
    response["ETag"] = request_etag(found)
    events = Event.objects.select_related("recorded_by").prefetch_related("grounds")
    prefetch_related_objects(
        [found], Prefetch("events", queryset=events), "grounds", "persons", "documents"
    )
    persons = [person.pk for person in found.persons.all()]
    if persons:
        # The same record as the request page writes: persons by id only, so that the
        # append-only trail keeps no personal data.
        audit_view(
            actor=request.auth,
            object_type="request_persons",
            object_id=found.pk,
            what={"request": found.pk, "persons": persons},
        )
    return found


@router.patch(
    "/requests/{request_id}",
    response={200: RequestOut, **ERRORS, 409: ErrorOut},
    summary="Change a request's details",
    operation_id="request_update",
)
def request_update_endpoint(
    request: HttpRequest, response: HttpResponse, request_id: Id, payload: RequestUpdateIn
) -> Request:
    """Change the descriptive details of a request, such as its offence or its FATF flags.

    The `ETag` header of the answer carries the request's new version.
    """
    found = request_get(user=request.auth, request_id=request_id)
    try:
        updated = request_update(
            actor=request.auth,
            request=found,
            expected_version=payload.version,
            **payload.changes(),
        )
    except ConflictError as error:
        raise VersionConflictError(error.message, extra={"field": "version"}) from None
    response["ETag"] = request_etag(updated)
    return updated
