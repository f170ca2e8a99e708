"""Reading engagements: the list filters, the country timeline, a request's engagements."""

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser

from rogatory.accounts.models import Role
from rogatory.core.exceptions import NotFoundError
from rogatory.engagements.models import Engagement
from rogatory.engagements.selectors import (
    EngagementFilters,
    country_timeline,
    engagement_get,
    engagement_list,
    engagement_requests,
    engagement_years,
    request_engagements,
)
from rogatory.engagements.services import engagement_link_request, engagement_withdraw
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

from .factories import make_engagement

pytestmark = pytest.mark.django_db


@pytest.fixture
def alpha():
    return UnitFactory(code="alpha", name="Alpha department")


@pytest.fixture
def bravo():
    return UnitFactory(code="bravo", name="Bravo department")


@pytest.fixture
def viewer(bravo):
    return UserFactory(username="bravo.viewer", role=Role.VIEWER, units=[bravo])


def _titles(engagements) -> list[str]:
    return [engagement.title for engagement in engagements]


def test_list_filters_by_country_kind_year_and_text(alpha, viewer):
    make_engagement(
        unit=alpha, title="Anti-corruption talks", countries=("CH",), held_on=date(2023, 2, 1)
    )
    make_engagement(
        unit=alpha,
        title="Memorandum on asset recovery",
        kind=Engagement.Kind.MEMORANDUM,
        countries=("LV", "CH"),
        held_on=date(2024, 3, 1),
    )
    make_engagement(
        unit=alpha,
        title="Video call",
        kind=Engagement.Kind.VIDEOCONFERENCE,
        countries=("LV",),
        held_on=date(2024, 9, 1),
        participants="Chairman of the Anti-Corruption Agency Y",
    )
    everything = engagement_list(user=viewer, filters=EngagementFilters())
    assert _titles(everything) == [
        "Video call",
        "Memorandum on asset recovery",
        "Anti-corruption talks",
    ]
    by_country = engagement_list(user=viewer, filters=EngagementFilters(country="ch"))
    assert _titles(by_country) == ["Memorandum on asset recovery", "Anti-corruption talks"]
    by_kind = engagement_list(user=viewer, filters=EngagementFilters(kind="memorandum"))
    assert _titles(by_kind) == ["Memorandum on asset recovery"]
    by_year = engagement_list(user=viewer, filters=EngagementFilters(year=2024))
    assert _titles(by_year) == ["Video call", "Memorandum on asset recovery"]
    by_text = engagement_list(user=viewer, filters=EngagementFilters(search="anti-corruption"))
    assert _titles(by_text) == ["Video call", "Anti-corruption talks"]
    assert engagement_years(user=viewer) == [2024, 2023]


def test_withdrawn_engagements_leave_the_list_but_can_be_read(alpha, viewer):
    kept = make_engagement(unit=alpha, title="Kept")
    gone = make_engagement(unit=alpha, title="Entered twice")
    engagement_withdraw(actor=None, engagement=gone, reason="Duplicate of the other")
    assert _titles(engagement_list(user=viewer, filters=EngagementFilters())) == ["Kept"]
    withdrawn = engagement_list(user=viewer, filters=EngagementFilters(withdrawn=True))
    assert _titles(withdrawn) == ["Entered twice"]
    assert engagement_get(user=viewer, engagement_id=gone.pk).withdrawn
    assert engagement_get(user=viewer, engagement_id=kept.pk) == kept


def test_nobody_without_a_role_reads_engagements(alpha):
    engagement = make_engagement(unit=alpha)
    anonymous = AnonymousUser()
    assert not engagement_list(user=anonymous, filters=EngagementFilters()).exists()
    with pytest.raises(NotFoundError):
        engagement_get(user=anonymous, engagement_id=engagement.pk)
    assert country_timeline(user=anonymous, country_code="CH") == []


def test_country_timeline_is_newest_first_with_planned_ones_and_counts(alpha, bravo, viewer):
    older = make_engagement(unit=alpha, title="2022 visit", held_on=date(2022, 6, 1))
    newer = make_engagement(
        unit=alpha, title="2024 meeting", held_on=date(2024, 1, 10), countries=("CH", "LV")
    )
    planned = make_engagement(unit=alpha, title="Planned visit", held_on=date(2025, 3, 1))
    make_engagement(unit=alpha, title="Elsewhere", countries=("LV",), held_on=date(2024, 2, 1))
    withdrawn = make_engagement(unit=alpha, title="Withdrawn", held_on=date(2024, 1, 11))
    engagement_withdraw(actor=None, engagement=withdrawn, reason="Mistake")
    engagement_link_request(actor=None, engagement=newer, request=make_request(unit=alpha))
    engagement_link_request(actor=None, engagement=newer, request=make_request(unit=bravo))

    timeline = country_timeline(user=viewer, country_code="ch", today=date(2024, 12, 31))
    assert [entry.engagement for entry in timeline] == [planned, newer, older]
    assert [entry.planned for entry in timeline] == [True, False, False]
    # The viewer works in bravo: alpha's request is counted but not shown.
    assert (timeline[1].requests_shown, timeline[1].requests_hidden) == (1, 1)
    assert country_timeline(user=viewer, country_code="CH", limit=1)[0].engagement == planned


def test_linked_requests_of_other_units_are_shown_without_data(alpha, bravo, viewer):
    engagement = make_engagement(unit=alpha)
    theirs = make_request(unit=alpha, reference="ALPHA-1")
    ours = make_request(unit=bravo, reference="BRAVO-1")
    engagement_link_request(actor=None, engagement=engagement, request=theirs)
    engagement_link_request(actor=None, engagement=engagement, request=ours)
    linked = engagement_requests(user=viewer, engagement=engagement)
    assert [item.request for item in linked] == [None, ours]
    assert [item.visible for item in linked] == [False, True]
    supervisor = UserFactory(role=Role.SUPERVISOR, units=[])
    assert [
        item.request for item in engagement_requests(user=supervisor, engagement=engagement)
    ] == [
        theirs,
        ours,
    ]


def test_request_engagements_lists_the_engagements_of_one_request(alpha, viewer, bravo):
    request = make_request(unit=bravo)
    first = make_engagement(unit=alpha, held_on=date(2023, 1, 1))
    second = make_engagement(unit=alpha, held_on=date(2024, 1, 1))
    make_engagement(unit=alpha)
    gone = make_engagement(unit=alpha, held_on=date(2024, 6, 1))
    for engagement in (first, second, gone):
        engagement_link_request(actor=None, engagement=engagement, request=request)
    engagement_withdraw(actor=None, engagement=gone, reason="Mistake")
    assert request_engagements(user=viewer, request=request) == [second, first]
