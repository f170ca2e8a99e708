"""The assurances card of an extradition request, and the list awaiting monitoring."""

from datetime import date

import pytest
from django.urls import reverse

from rogatory.accounts.models import Role
from rogatory.register import services
from rogatory.register.assurances import assurance_request
from rogatory.register.models import Assurance, Direction, Kind, Outcome
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def clerk_in(client, central):
    user = UserFactory(username="clara.clerk", role=Role.CLERK, units=[central])
    client.force_login(user)
    return user


def _extradition(unit, reference="E-1", *, surrendered=True):
    request = make_request(
        unit=unit,
        reference=reference,
        kind=Kind.EXTRADITION,
        direction=Direction.INCOMING,
        outcome=Outcome.GRANTED,
        decided_on=date(2023, 5, 1),
    )
    if surrendered:
        services.request_record_surrender(
            actor=None, request=request, surrendered_on=date(2023, 6, 1)
        )
    request.refresh_from_db()
    return request


def _page(client, request) -> str:
    response = client.get(reverse("web:request_detail", args=[request.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _step(client, assurance, step, **data):
    fields = {f"assurance-{assurance.pk}-{step}-{name}": value for name, value in data.items()}
    url = reverse("web:assurance_change", args=[assurance.request_id, assurance.pk, step])
    return client.post(url, fields, headers=HTMX)


def test_the_card_shows_only_on_extradition_requests(client, clerk_in, central):
    mla = make_request(unit=central, reference="M-1")
    assert 'id="assurances"' not in _page(client, mla)
    assert 'id="assurances"' in _page(client, _extradition(central))
    response = client.post(
        reverse("web:assurance_add", args=[mla.pk]),
        {"assurance-type": "fair_trial", "assurance-requested_on": "2023-04-01"},
    )
    assert response.status_code == 404


def test_a_clerk_takes_an_assurance_through_its_life(client, clerk_in, central):
    request = _extradition(central)
    response = client.post(
        reverse("web:assurance_add", args=[request.pk]),
        {
            "assurance-type": "death_penalty",
            "assurance-text": "Will not be sought",
            "assurance-requested_on": "2023-04-01",
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Assurance recorded" in html and "Will not be sought" in html
    assurance = Assurance.objects.get()
    html = _step(
        client, assurance, "given", given_on="2023-04-20", authority="Ministry of Justice"
    ).content.decode()
    assert "the assurance was given" in html and "Ministry of Justice" in html
    html = _step(
        client, assurance, "follow_up", occurred_on="2023-07-01", finding="concern", note="Cell"
    ).content.decode()
    assert "Follow-up recorded." in html and "Cell" in html
    html = _step(
        client, assurance, "close", closed_on="2023-12-01", reason="Released"
    ).content.decode()
    assert "Monitoring of the assurance closed." in html and "Released" in html
    assurance.refresh_from_db()
    assert assurance.status == Assurance.Status.MONITORING_CLOSED


def test_a_refused_step_keeps_what_was_typed(client, clerk_in, central):
    request = _extradition(central, surrendered=False)
    assurance = assurance_request(
        actor=None, request=request, type="fair_trial", requested_on=date(2023, 4, 1)
    )
    html = _step(
        client, assurance, "given", given_on="2023-03-01", authority="Typed authority"
    ).content.decode()
    assert "before it was requested on 2023-04-01" in html
    assert "Typed authority" in html
    # Before the surrender there is no follow-up form, and the service refuses one anyway.
    assert "Add a follow-up" not in html
    refused = _step(
        client, assurance, "follow_up", occurred_on="2023-07-01", finding="respected"
    ).content.decode()
    assert "has not been given yet" in refused


def test_an_unknown_step_is_not_found(client, clerk_in, central):
    request = _extradition(central)
    assurance = assurance_request(
        actor=None, request=request, type="fair_trial", requested_on=date(2023, 4, 1)
    )
    assert _step(client, assurance, "delete").status_code == 404


def test_a_viewer_sees_assurances_but_no_forms(client, central):
    request = _extradition(central)
    assurance_request(
        actor=None,
        request=request,
        type="speciality",
        given_on=date(2023, 4, 20),
        authority="Ministry",
    )
    client.force_login(UserFactory(role=Role.VIEWER, units=[central]))
    html = _page(client, request)
    assert "Rule of speciality" in html
    assert "Record an assurance" not in html and "Add a follow-up" not in html


def test_the_monitoring_page_lists_what_the_user_may_see(client, central):
    own = _extradition(central, "E-OWN")
    foreign = _extradition(UnitFactory(code="bravo"), "E-BRAVO-SECRET")
    for request in (own, foreign):
        assurance_request(
            actor=None,
            request=request,
            type="detention_conditions",
            given_on=date(2023, 4, 20),
            authority="Ministry",
        )
    client.force_login(UserFactory(role=Role.VIEWER, units=[central]))
    response = client.get(reverse("web:assurances_monitoring"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "E-OWN" in html and "Conditions of detention" in html
    assert "E-BRAVO-SECRET" not in html
    assert reverse("web:assurances_monitoring") in _page(client, own)


def test_the_monitoring_page_needs_a_signed_in_user(client):
    response = client.get(reverse("web:assurances_monitoring"))
    assert response.status_code == 302
