"""Linked requests: made from either end, read from both, refused across units, audited."""

import pytest
from django.db import IntegrityError, transaction

from rogatory.accounts.models import Role
from rogatory.audit.models import AuditRecord
from rogatory.core.exceptions import NotFoundError, PermissionDeniedError, ValidationError
from rogatory.register import services
from rogatory.register.links import (
    link_add,
    link_remove,
    link_suggestions,
    link_target_find,
    request_link_get,
    request_links,
)
from rogatory.register.models import Direction, Kind, RequestLink
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def alpha():
    return UnitFactory(code="alpha", name="Alpha")


@pytest.fixture
def bravo():
    return UnitFactory(code="bravo", name="Bravo")


@pytest.fixture
def clerk(alpha):
    return UserFactory(username="alpha.clerk", role=Role.CLERK, units=[alpha])


def _pair(unit, **second):
    one = make_request(unit=unit, reference="A-1", country="CH")
    other = make_request(unit=unit, reference="A-2", country=second.pop("country", "DE"), **second)
    return one, other


def test_a_link_is_shown_from_both_ends(alpha, clerk):
    one, other = _pair(alpha)
    link = link_add(actor=clerk, source=one, target=other, type="parallel", note="Same suspects")
    from_one = request_links(user=clerk, request=one)
    from_other = request_links(user=clerk, request=other)
    assert [(view.other, view.outgoing, view.note) for view in from_one] == [
        (other, True, "Same suspects")
    ]
    assert [(view.other, view.outgoing) for view in from_other] == [(one, False)]
    assert from_one[0].link == from_other[0].link == link
    assert from_one[0].removable and from_other[0].removable


def test_a_request_cannot_be_linked_to_itself(alpha, clerk):
    one, _other = _pair(alpha)
    with pytest.raises(ValidationError, match="cannot be linked to itself"):
        link_add(actor=clerk, source=one, target=one, type="same_case")


def test_a_duplicate_link_is_refused_in_either_direction(alpha, clerk):
    one, other = _pair(alpha)
    link_add(actor=clerk, source=one, target=other, type="parallel")
    with pytest.raises(ValidationError, match="A-1 and A-2 are already linked"):
        link_add(actor=clerk, source=one, target=other, type="same_case")
    with pytest.raises(ValidationError, match="A-2 and A-1 are already linked"):
        link_add(actor=clerk, source=other, target=one, type="parallel")
    assert RequestLink.objects.count() == 1


def test_the_database_refuses_a_reverse_duplicate_too(alpha, clerk):
    one, other = _pair(alpha)
    RequestLink.objects.create(source=one, target=other, type="parallel")
    with pytest.raises(IntegrityError), transaction.atomic():
        RequestLink.objects.create(source=other, target=one, type="parallel")


def test_an_extradition_mla_link_needs_one_of_each(alpha, clerk):
    one, other = _pair(alpha)
    with pytest.raises(ValidationError, match="both legal assistance requests") as error:
        link_add(actor=clerk, source=one, target=other, type="extradition_mla")
    assert error.value.extra == {"field": "type"}
    extradition = make_request(unit=alpha, reference="E-1", kind=Kind.EXTRADITION)
    link = link_add(actor=clerk, source=extradition, target=one, type="extradition_mla")
    assert link.type == "extradition_mla"


def test_parallel_requests_go_to_different_states_in_one_direction(alpha, clerk):
    one, same_state = _pair(alpha, country="CH")
    with pytest.raises(ValidationError, match="both with Switzerland"):
        link_add(actor=clerk, source=one, target=same_state, type="parallel")
    incoming = make_request(
        unit=alpha, reference="IN-1", country="FR", direction=Direction.INCOMING
    )
    with pytest.raises(ValidationError, match="all go out, or all come in"):
        link_add(actor=clerk, source=one, target=incoming, type="parallel")


def test_a_same_case_link_refuses_different_domestic_cases(alpha, clerk):
    one, other = _pair(alpha)
    services.request_update(actor=clerk, request=one, domestic_case="12-345")
    services.request_update(actor=clerk, request=other, domestic_case="99-999")
    with pytest.raises(ValidationError, match="serves domestic case 12-345"):
        link_add(actor=clerk, source=one, target=other, type="same_case")
    services.request_update(actor=clerk, request=other, domestic_case=" 12-345 ")
    assert link_add(actor=clerk, source=one, target=other, type="same_case").pk


def test_a_same_case_link_is_allowed_when_a_case_is_not_recorded(alpha, clerk):
    one, other = _pair(alpha)
    services.request_update(actor=clerk, request=one, domestic_case="12-345")
    assert link_add(actor=clerk, source=one, target=other, type="same_case").pk


def test_a_viewer_cannot_link(alpha):
    viewer = UserFactory(role=Role.VIEWER, units=[alpha])
    one, other = _pair(alpha)
    with pytest.raises(PermissionDeniedError):
        link_add(actor=viewer, source=one, target=other, type="parallel")


def test_linking_to_another_units_request_is_refused(alpha, bravo, clerk):
    own = make_request(unit=alpha, reference="A-1")
    foreign = make_request(unit=bravo, reference="B-SECRET-1", country="DE")
    with pytest.raises(PermissionDeniedError, match="unit you do not work in"):
        link_add(actor=clerk, source=own, target=foreign, type="parallel")
    with pytest.raises(PermissionDeniedError):
        link_add(actor=clerk, source=foreign, target=own, type="parallel")
    assert not RequestLink.objects.exists()


def test_another_units_reference_is_not_found_like_an_unknown_one(alpha, bravo, clerk):
    make_request(unit=bravo, reference="B-SECRET-1")
    with pytest.raises(ValidationError) as foreign:
        link_target_find(user=clerk, reference="B-SECRET-1")
    with pytest.raises(ValidationError) as unknown:
        link_target_find(user=clerk, reference="NOBODY-1")
    assert foreign.value.message == unknown.value.message.replace("NOBODY-1", "B-SECRET-1")
    assert "No request you can see" in foreign.value.message


def test_a_reference_in_both_directions_needs_the_direction(alpha, clerk):
    make_request(unit=alpha, reference="X-1")
    incoming = make_request(unit=alpha, reference="X-1", direction=Direction.INCOMING)
    with pytest.raises(ValidationError, match="choose the direction"):
        link_target_find(user=clerk, reference="X-1")
    assert link_target_find(user=clerk, reference="X-1", direction="incoming") == incoming


def test_a_link_to_a_request_the_viewer_cannot_see_shows_nothing_of_it(alpha, bravo):
    supervisor = UserFactory(role=Role.SUPERVISOR, units=[alpha])
    own = make_request(unit=alpha, reference="A-1")
    foreign = make_request(unit=bravo, reference="B-SECRET-1", country="DE")
    link_add(actor=supervisor, source=foreign, target=own, type="parallel", note="B-SECRET-1 note")
    viewer = UserFactory(role=Role.VIEWER, units=[alpha])
    [view] = request_links(user=viewer, request=own)
    assert view.other is None
    assert view.note == ""
    assert not view.removable
    [seen] = request_links(user=supervisor, request=own)
    assert seen.other == foreign


def test_removing_a_link_is_audited_under_both_requests(alpha, clerk):
    one, other = _pair(alpha)
    link = link_add(actor=clerk, source=one, target=other, type="parallel", note="why")
    link_remove(actor=clerk, link=link)
    assert not RequestLink.objects.exists()
    records = AuditRecord.objects.filter(object_type="request_link").order_by("sequence")
    assert [(record.action, record.request_id) for record in records] == [
        ("link_add", one.pk),
        ("link_add", other.pk),
        ("link_remove", one.pk),
        ("link_remove", other.pk),
    ]
    removed = records.last()
    assert removed.before["type"] == "parallel" and removed.before["note"] == "why"
    assert removed.after is None
    assert removed.actor_id == clerk.pk


def test_a_link_across_units_cannot_be_removed_by_a_clerk_of_one_unit(alpha, bravo, clerk):
    supervisor = UserFactory(role=Role.SUPERVISOR, units=[alpha])
    own = make_request(unit=alpha, reference="A-1")
    foreign = make_request(unit=bravo, reference="B-1", country="DE")
    link = link_add(actor=supervisor, source=own, target=foreign, type="parallel")
    with pytest.raises(PermissionDeniedError):
        link_remove(actor=clerk, link=link)
    assert RequestLink.objects.filter(pk=link.pk).exists()


def test_removing_a_removed_link_says_so(alpha, clerk):
    one, other = _pair(alpha)
    link = link_add(actor=clerk, source=one, target=other, type="parallel")
    link_remove(actor=clerk, link=link)
    with pytest.raises(NotFoundError, match="no longer exists"):
        link_remove(actor=clerk, link=link)


def test_a_link_is_found_from_either_end_only(alpha, clerk):
    one, other = _pair(alpha)
    third = make_request(unit=alpha, reference="A-3")
    link = link_add(actor=clerk, source=one, target=other, type="parallel")
    assert request_link_get(request=other, link_id=link.pk) == link
    with pytest.raises(NotFoundError):
        request_link_get(request=third, link_id=link.pk)


def test_requests_of_the_same_domestic_case_are_suggested(alpha, bravo, clerk):
    one, other = _pair(alpha)
    extradition = make_request(unit=alpha, reference="E-1", kind=Kind.EXTRADITION)
    foreign = make_request(unit=bravo, reference="B-SECRET-1")
    unrelated = make_request(unit=alpha, reference="A-9")
    for request in (one, other, extradition, foreign):
        services.request_update(actor=None, request=request, domestic_case="CASE-7")
    services.request_update(actor=None, request=unrelated, domestic_case="CASE-8")
    one.refresh_from_db()
    suggestions = link_suggestions(user=clerk, request=one)
    assert {(s.request.reference, s.type) for s in suggestions} == {
        ("A-2", "parallel"),
        ("E-1", "extradition_mla"),
    }
    assert all("CASE-7" in s.reason for s in suggestions)
    link_add(actor=clerk, source=other, target=one, type="parallel")
    assert [s.request.reference for s in link_suggestions(user=clerk, request=one)] == ["E-1"]


def test_requests_with_the_same_interpol_notice_are_suggested(alpha, clerk):
    one, other = _pair(alpha)
    services.request_update(actor=None, request=one, interpol_notice="A-1234/5-2023")
    services.request_update(actor=None, request=other, interpol_notice="a-1234/5-2023")
    one.refresh_from_db()
    [suggestion] = link_suggestions(user=clerk, request=one)
    assert suggestion.request == other
    assert "Interpol notice" in suggestion.reason


def test_nothing_is_suggested_without_a_case_or_notice(alpha, clerk):
    one, _other = _pair(alpha)
    assert link_suggestions(user=clerk, request=one) == []
