"""Tests for finding requests: visibility by unit, filters, and keyset pages in every sort."""

import base64
import json
from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rogatory.accounts.models import Role
from rogatory.core.exceptions import NotFoundError, ValidationError
from rogatory.register.models import Direction, Kind, Outcome, Request
from rogatory.register.selectors import (
    CURSOR_MAX_LENGTH,
    RequestFilters,
    request_get,
    request_page,
    requests_visible_to,
)
from tests.accounts.factories import UnitFactory, UserFactory

from .factories import make_request

pytestmark = pytest.mark.django_db

SORTS = ["registered", "reference", "opened", "decided"]
ALL_SORTS = [*SORTS, *(f"-{sort}" for sort in SORTS)]


@pytest.fixture
def units():
    return UnitFactory(code="own"), UnitFactory(code="other")


@pytest.fixture
def register(units) -> list[Request]:
    """Nine requests with ties in every sort key (dates, and references in two directions)."""
    own, other = units
    march, may = date(2023, 3, 1), date(2023, 5, 1)
    specs = [
        # reference, direction, opened, outcome, decided
        ("B", Direction.OUTGOING, march, "", None),
        ("A", Direction.OUTGOING, march, Outcome.EXECUTED, may),
        ("B", Direction.INCOMING, march, Outcome.REFUSED, may),
        ("C", Direction.OUTGOING, may, Outcome.REFUSED, may),
        ("A", Direction.INCOMING, None, "", None),
        ("D", Direction.OUTGOING, may, "", None),
        ("E", Direction.OUTGOING, march, Outcome.WITHDRAWN, date(2023, 4, 1)),
        ("F", Direction.INCOMING, None, "", None),
        ("G", Direction.OUTGOING, march, "", None),
    ]
    return [
        make_request(
            reference=reference,
            direction=direction,
            opened_on=opened,
            outcome=outcome,
            decided_on=decided,
            unit=own if position % 2 == 0 else other,
        )
        for position, (reference, direction, opened, outcome, decided) in enumerate(specs)
    ]


def _expected(requests: list[Request], sort: str) -> list[int]:
    """Return the ids in the order `sort` means, ties broken by id the same way."""
    name = sort.removeprefix("-")
    earliest = date(1, 1, 1)
    keys = {
        "registered": lambda request: (request.pk,),
        "reference": lambda request: (request.reference, request.pk),
        "opened": lambda request: (request.opened_on or earliest, request.pk),
        "decided": lambda request: (request.decided_on or earliest, request.pk),
    }
    ordered = sorted(requests, key=keys[name], reverse=sort.startswith("-"))
    return [request.pk for request in ordered]


def _pages_forward(sort: str, limit: int, **filters) -> list:
    pages, cursor = [], ""
    while True:
        page = request_page(
            user=None, filters=RequestFilters(sort=sort, **filters), cursor=cursor, limit=limit
        )
        pages.append(page)
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


def _ids(page) -> list[int]:
    return [request.pk for request in page.requests]


def _cursor(*values) -> str:
    raw = json.dumps(list(values)).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# --- Visibility ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CLERK])
def test_requests_visible_to_a_viewer_or_clerk_are_their_units_only(register, units, role):
    user = UserFactory(role=role, units=[units[0]])

    visible = set(requests_visible_to(user).values_list("pk", flat=True))

    assert visible == {request.pk for request in register if request.unit_id == units[0].pk}


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMINISTRATOR])
def test_requests_visible_to_a_supervisor_or_administrator_are_all(register, units, role):
    user = UserFactory(role=role, units=[units[0]])

    assert requests_visible_to(user).count() == len(register)


def test_requests_visible_to_a_user_of_several_units_are_those_units(register, units):
    user = UserFactory(role=Role.VIEWER, units=list(units))

    assert requests_visible_to(user).count() == len(register)


def test_requests_visible_to_a_user_without_units_are_none(register):
    assert not requests_visible_to(UserFactory(role=Role.CLERK, units=[])).exists()


def test_requests_visible_to_an_inactive_supervisor_are_none(register, units):
    user = UserFactory(role=Role.SUPERVISOR, units=[units[0]], is_active=False)

    assert not requests_visible_to(user).exists()


def test_requests_visible_to_an_anonymous_user_are_none(register):
    assert not requests_visible_to(AnonymousUser()).exists()


def test_requests_visible_to_the_command_line_are_all(register):
    assert requests_visible_to(None).count() == len(register)


def test_request_page_shows_a_clerk_only_their_units_requests(register, units):
    clerk = UserFactory(role=Role.CLERK, units=[units[1]])

    page = request_page(user=clerk, filters=RequestFilters(), limit=50)

    assert {request.unit_id for request in page.requests} == {units[1].pk}
    assert len(page.requests) == 4


def test_request_page_filter_by_another_unit_shows_a_clerk_nothing(register, units):
    clerk = UserFactory(role=Role.CLERK, units=[units[0]])

    page = request_page(user=clerk, filters=RequestFilters(unit="other"))

    assert page.requests == []
    assert (page.next_cursor, page.previous_cursor) == (None, None)


def test_request_get_returns_a_request_of_the_users_unit(register, units):
    clerk = UserFactory(role=Role.CLERK, units=[units[0]])

    assert request_get(user=clerk, request_id=register[0].pk) == register[0]


def test_request_get_of_another_units_request_is_not_found(register, units):
    clerk = UserFactory(role=Role.CLERK, units=[units[0]])

    with pytest.raises(NotFoundError):
        request_get(user=clerk, request_id=register[1].pk)


def test_request_get_of_another_units_request_works_for_a_supervisor(register, units):
    supervisor = UserFactory(role=Role.SUPERVISOR, units=[units[0]])

    assert request_get(user=supervisor, request_id=register[1].pk) == register[1]


@pytest.mark.parametrize("request_id", [0, -1, 10**6, 2**63 - 1, 2**70])
def test_request_get_of_an_id_that_names_nothing_is_not_found(register, request_id):
    with pytest.raises(NotFoundError):
        request_get(user=None, request_id=request_id)


# --- Paging ----------------------------------------------------------------------------------


@pytest.mark.parametrize("sort", ALL_SORTS)
@pytest.mark.parametrize("limit", [1, 4, 9])
def test_request_page_forward_gives_every_request_once_in_order(register, sort, limit):
    pages = _pages_forward(sort, limit)

    assert [pk for page in pages for pk in _ids(page)] == _expected(register, sort)
    assert all(len(_ids(page)) == limit for page in pages[:-1])
    assert pages[0].previous_cursor is None
    assert all(page.previous_cursor for page in pages[1:])


@pytest.mark.parametrize("sort", ALL_SORTS)
@pytest.mark.parametrize("limit", [1, 4])
def test_request_page_backward_gives_the_same_pages(register, sort, limit):
    forward = _pages_forward(sort, limit)
    backward = [forward[-1]]
    while backward[-1].previous_cursor is not None:
        backward.append(
            request_page(
                user=None,
                filters=RequestFilters(sort=sort),
                cursor=backward[-1].previous_cursor,
                limit=limit,
            )
        )

    assert [_ids(page) for page in reversed(backward)] == [_ids(page) for page in forward]
    # Every page reached going back still leads forward.
    assert all(page.next_cursor for page in backward[1:])


def test_request_page_next_after_previous_returns_to_the_same_page(register):
    first = request_page(user=None, filters=RequestFilters(sort="opened"), limit=3)
    second = request_page(
        user=None, filters=RequestFilters(sort="opened"), cursor=first.next_cursor, limit=3
    )
    back = request_page(
        user=None, filters=RequestFilters(sort="opened"), cursor=second.previous_cursor, limit=3
    )
    again = request_page(
        user=None, filters=RequestFilters(sort="opened"), cursor=back.next_cursor, limit=3
    )

    assert _ids(back) == _ids(first)
    assert back.previous_cursor is None
    assert _ids(again) == _ids(second)


def test_request_page_with_filters_pages_only_the_matching_requests(register):
    pages = _pages_forward("-opened", 1, direction=Direction.OUTGOING)

    ids = [pk for page in pages for pk in _ids(page)]
    outgoing = [request for request in register if request.direction == Direction.OUTGOING]
    assert ids == _expected(outgoing, "-opened")


def test_request_page_of_an_empty_register_has_no_cursors():
    page = request_page(user=None, filters=RequestFilters())

    assert (page.requests, page.next_cursor, page.previous_cursor) == ([], None, None)


def test_request_page_cursor_of_the_longest_reference_fits_the_limit(units):
    # Every character of a Cyrillic reference is escaped in the cursor's JSON.
    for letter in "ЖЯ":
        make_request(reference=letter * 100, unit=units[0])

    page = request_page(user=None, filters=RequestFilters(sort="reference"), limit=1)

    assert len(page.next_cursor) <= CURSOR_MAX_LENGTH
    following = request_page(
        user=None, filters=RequestFilters(sort="reference"), cursor=page.next_cursor, limit=1
    )
    assert following.requests[0].reference == "Я" * 100


# --- Filters ---------------------------------------------------------------------------------


def _filtered_refs(**filters) -> list[tuple[str, str]]:
    page = request_page(user=None, filters=RequestFilters(sort="registered", **filters), limit=50)
    return [(request.reference, request.direction[:3]) for request in page.requests]


def test_request_page_filters_by_direction(register):
    assert _filtered_refs(direction=Direction.INCOMING) == [
        ("B", "inc"),
        ("A", "inc"),
        ("F", "inc"),
    ]


def test_request_page_filters_by_kind_and_country_in_any_case(units):
    make_request(reference="X-1", kind=Kind.EXTRADITION, country="LV", unit=units[0])
    make_request(reference="X-2", kind=Kind.MLA, country="LV", unit=units[0])
    make_request(reference="X-3", kind=Kind.EXTRADITION, country="CH", unit=units[0])

    assert _filtered_refs(kind=Kind.EXTRADITION, country="lv") == [("X-1", "out")]


def test_request_page_filters_by_status(register):
    assert _filtered_refs(status="refused") == [("B", "inc"), ("C", "out")]


def test_request_page_filters_by_opening_period_inclusive(register):
    refs = _filtered_refs(opened_from=date(2023, 5, 1), opened_to=date(2023, 5, 1))

    assert refs == [("C", "out"), ("D", "out")]


def test_request_page_filters_by_ground_and_political(units):
    make_request(
        reference="P", outcome=Outcome.REFUSED, grounds=("political_offence",), unit=units[0]
    )
    make_request(
        reference="N", outcome=Outcome.REFUSED, grounds=("dual_criminality",), unit=units[0]
    )

    assert _filtered_refs(ground="political_offence") == [("P", "out")]
    assert _filtered_refs(political=True) == [("P", "out")]
    assert _filtered_refs(political=False) == [("N", "out")]


def test_request_page_filters_by_unit_code(register):
    others = [request.reference for request in register if request.unit.code == "other"]

    assert [reference for reference, _ in _filtered_refs(unit="other")] == others


def test_request_page_search_matches_parts_of_references_in_any_case(units):
    make_request(reference="2023/MLA/Alpha", unit=units[0])
    make_request(reference="2023/MLA/beta", unit=units[0])

    assert _filtered_refs(search="ALP") == [("2023/MLA/Alpha", "out")]


def test_request_page_search_on_postgresql_is_answered_from_the_trigram_indexes(units):
    """On PostgreSQL the search reads register 0005's indexes: they match its expressions."""
    make_request(reference="2023/MLA/Alpha", unit=units[0])
    with CaptureQueriesContext(connection) as queries:
        assert _filtered_refs(search="lph") == [("2023/MLA/Alpha", "out")]
    if connection.vendor != "postgresql":
        return  # SQLite has no trigram index; its search scans, and finds, as above
    search = next(query["sql"] for query in queries if "LIKE" in query["sql"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        # Statistics other tests left behind (ANALYZE after an import is not rolled back) may
        # make a nested loop from the units, through the index of unit_id, look cheaper.
        cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute(f"EXPLAIN {search}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for field in (
        "reference",
        "counterpart_reference",
        "domestic_case",
        "offence_description",
        "counterpart_authority",
    ):
        assert f"request_{field}_trgm_idx" in plan, plan


@pytest.mark.parametrize(
    "filters",
    [
        {"search": "a\x00b"},
        {"country": "C\x00"},
        {"unit": "own\x00"},
        {"ground": "political_offence\x00"},
        {"status": "sent\x00"},
        {"search": "\ud800"},
    ],
)
def test_request_page_filter_with_a_character_no_database_stores_matches_nothing(register, filters):
    assert request_page(user=None, filters=RequestFilters(**filters)).requests == []


def test_request_page_refuses_an_unknown_sort(register):
    with pytest.raises(ValidationError):
        request_page(user=None, filters=RequestFilters(sort="country"))


# --- Cursors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sort, cursor",
    [
        ("registered", "not a cursor"),
        ("registered", "!!!!"),
        ("registered", base64.urlsafe_b64encode(b"\xff\xfe").decode()),
        ("registered", _cursor("a", 1)),
        ("registered", _cursor("x", 1, 1)),
        ("registered", _cursor("a", "1", 1)),
        ("registered", _cursor("a", 1, "1")),
        ("registered", _cursor("a", True, 1)),
        ("registered", _cursor("a", 1, 1.5)),
        ("registered", _cursor("a", 2**70, 1)),
        ("registered", _cursor("a", 1, 2**70)),
        ("registered", _cursor("a", 1, 0)),
        ("registered", _cursor("a", 1, -5)),
        ("opened", _cursor("a", "2023-02-30", 1)),
        ("opened", _cursor("a", 20230101, 1)),
        ("decided", _cursor("b", None, 1)),
        ("reference", _cursor("a", 5, 1)),
        ("reference", _cursor("a", "A\x00", 1)),
        ("reference", _cursor("a", "\ud800", 1)),
        ("registered", base64.urlsafe_b64encode(b'{"a": 1, "b": 2, "c": 3}').decode()),
        ("registered", base64.urlsafe_b64encode(b"[" * 700).decode()),
        ("registered", "A" * (CURSOR_MAX_LENGTH + 1)),
    ],
)
def test_request_page_refuses_a_bad_cursor(register, sort, cursor):
    with pytest.raises(ValidationError, match="cursor is not valid"):
        request_page(user=None, filters=RequestFilters(sort=sort), cursor=cursor)


def test_request_page_refuses_a_cursor_of_a_date_sort_used_with_the_id_sort(register):
    page = request_page(user=None, filters=RequestFilters(sort="opened"), limit=1)

    with pytest.raises(ValidationError):
        request_page(user=None, filters=RequestFilters(sort="registered"), cursor=page.next_cursor)


def test_request_page_accepts_a_cursor_without_its_padding(register):
    page = request_page(user=None, filters=RequestFilters(sort="reference"), limit=2)

    assert not page.next_cursor.endswith("=")
    assert request_page(
        user=None, filters=RequestFilters(sort="reference"), cursor=page.next_cursor, limit=2
    ).requests
