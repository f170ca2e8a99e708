"""The links card of the request page, and editing a person sought's custody."""

import pytest
from django.urls import reverse

from rogatory.accounts.models import Role
from rogatory.audit.models import AuditRecord
from rogatory.register import services
from rogatory.register.links import link_add
from rogatory.register.models import Kind, Person, RequestLink
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk_in(client, central):
    user = UserFactory(username="clara.clerk", role=Role.CLERK, units=[central])
    client.force_login(user)
    return user


def _page(client, request) -> str:
    response = client.get(reverse("web:request_detail", args=[request.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _add(client, request, htmx=True, **data):
    fields = {f"link-{name}": value for name, value in data.items()}
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse("web:link_add", args=[request.pk]), fields, headers=headers)


def test_a_link_made_on_one_page_shows_on_both(client, clerk_in, central):
    one = make_request(unit=central, reference="OUT-1", country="CH")
    other = make_request(unit=central, reference="OUT-2", country="DE")
    response = _add(client, one, reference="OUT-2", type="parallel", note="Same bank accounts")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="links"' in html and "<html" not in html
    assert "Linked to OUT-2." in html
    assert "Same bank accounts" in html
    assert "OUT-2" in _page(client, one)
    other_page = _page(client, other)
    assert f'href="/requests/{one.pk}/"' in other_page
    assert "Parallel request" in other_page


def test_a_refused_link_keeps_what_was_typed_and_names_the_problem(client, clerk_in, central):
    one = make_request(unit=central, reference="OUT-1")
    response = _add(client, one, reference="OUT-1", type="parallel", note="typed note")
    html = response.content.decode()
    assert "A request cannot be linked to itself." in html
    assert "typed note" in html
    assert not RequestLink.objects.exists()


def test_without_htmx_a_link_redirects_back_to_the_card(client, clerk_in, central):
    one = make_request(unit=central, reference="OUT-1", country="CH")
    make_request(unit=central, reference="OUT-2", country="DE")
    response = _add(client, one, htmx=False, reference="OUT-2", type="parallel")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:request_detail", args=[one.pk]) + "#links"
    failed = _add(client, one, htmx=False, reference="NOPE", type="parallel")
    assert failed.status_code == 200
    assert "No request you can see has the reference “NOPE”." in failed.content.decode()


def test_another_units_request_cannot_be_linked_nor_is_its_existence_told(
    client, clerk_in, central
):
    own = make_request(unit=central, reference="OUT-1")
    make_request(unit=UnitFactory(code="bravo"), reference="BRAVO-SECRET-1", country="DE")
    html = _add(client, own, reference="BRAVO-SECRET-1", type="parallel").content.decode()
    assert "No request you can see has the reference “BRAVO-SECRET-1”." in html
    assert not RequestLink.objects.exists()


def test_a_linked_request_of_another_unit_is_shown_without_its_data(client, clerk_in, central):
    own = make_request(unit=central, reference="OUT-1")
    secret = make_request(unit=UnitFactory(code="bravo"), reference="BRAVO-SECRET-1", country="DE")
    link_add(actor=None, source=secret, target=own, type="parallel", note="BRAVO-SECRET-1 note")
    html = _page(client, own)
    assert "a request of another unit" in html
    assert "BRAVO-SECRET" not in html
    assert f"/requests/{secret.pk}/" not in html


def test_removing_a_link_from_the_other_end(client, clerk_in, central):
    one = make_request(unit=central, reference="OUT-1", country="CH")
    other = make_request(unit=central, reference="OUT-2", country="DE")
    link = link_add(actor=clerk_in, source=one, target=other, type="parallel")
    response = client.post(
        reverse("web:link_remove", args=[other.pk, link.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "The link to OUT-1 was removed." in response.content.decode()
    assert not RequestLink.objects.exists()
    assert AuditRecord.objects.filter(action="link_remove").count() == 2


def test_a_link_cannot_be_removed_through_a_request_it_does_not_join(client, clerk_in, central):
    one = make_request(unit=central, reference="OUT-1", country="CH")
    other = make_request(unit=central, reference="OUT-2", country="DE")
    third = make_request(unit=central, reference="OUT-3")
    link = link_add(actor=clerk_in, source=one, target=other, type="parallel")
    response = client.post(reverse("web:link_remove", args=[third.pk, link.pk]))
    assert response.status_code == 404
    assert RequestLink.objects.exists()


def test_a_viewer_sees_links_but_no_forms(client, central):
    one = make_request(unit=central, reference="OUT-1", country="CH")
    other = make_request(unit=central, reference="OUT-2", country="DE")
    link_add(actor=None, source=one, target=other, type="parallel")
    client.force_login(UserFactory(role=Role.VIEWER, units=[central]))
    html = _page(client, one)
    assert "OUT-2" in html
    assert reverse("web:link_add", args=[one.pk]) not in html
    assert "Remove link" not in html
    assert _add(client, one, reference="OUT-2", type="parallel").status_code == 403


def test_the_card_shows_the_interpol_notice_and_suggests_the_same_case(client, clerk_in, central):
    one = make_request(unit=central, reference="OUT-1", country="CH")
    other = make_request(unit=central, reference="OUT-2", country="DE")
    services.request_update(
        actor=None, request=one, domestic_case="CASE-7", interpol_notice="A-1/2"
    )
    services.request_update(actor=None, request=other, domestic_case="case-7")
    html = _page(client, one)
    assert "A-1/2" in html
    assert "Perhaps related" in html
    assert "same domestic case CASE-7" in html
    assert 'name="link-reference" value="OUT-2"' in html
    response = _add(client, one, reference="OUT-2", direction="outgoing", type="parallel")
    assert "Perhaps related" not in response.content.decode()


# --- A person sought ---------------------------------------------------------------------------


def _person(central):
    request = make_request(unit=central, kind=Kind.EXTRADITION, persons_count=1)
    return services.person_add(actor=None, request=request, full_name="Ivan Petrov")


def _edit(client, person, htmx=True, **data):
    fields = {f"person-{person.pk}-{name}": value for name, value in data.items()}
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        reverse("web:person_edit", args=[person.request_id, person.pk]), fields, headers=headers
    )


def test_a_clerk_puts_a_person_in_custody(client, clerk_in, central):
    person = _person(central)
    html = _page(client, person.request)
    assert reverse("web:person_edit", args=[person.request_id, person.pk]) in html
    response = _edit(
        client,
        person,
        full_name="Ivan Petrov",
        in_custody="on",
        identification="Passport 12 345678",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The details of Ivan Petrov were saved." in html
    assert "in custody" in html
    assert "Passport 12 345678" in html
    person.refresh_from_db()
    assert person.in_custody and person.identification == "Passport 12 345678"
    assert AuditRecord.objects.filter(action="person_update", request_id=person.request_id)


def test_a_failed_person_edit_keeps_what_was_typed(client, clerk_in, central):
    person = _person(central)
    response = _edit(client, person, full_name="", identification="typed identification")
    html = response.content.decode()
    assert "typed identification" in html
    assert "This field is required." in html
    assert Person.objects.get(pk=person.pk).identification == ""


def test_a_person_cannot_be_edited_through_another_request(client, clerk_in, central):
    person = _person(central)
    other = make_request(unit=central, kind=Kind.EXTRADITION, persons_count=1)
    response = client.post(
        reverse("web:person_edit", args=[other.pk, person.pk]),
        {f"person-{person.pk}-full_name": "X"},
    )
    assert response.status_code == 404


def test_the_audit_trail_of_both_requests_shows_the_link_and_person_changes(client, central):
    one = make_request(unit=central, reference="OUT-1", country="CH")
    other = make_request(unit=central, kind=Kind.EXTRADITION, reference="EX-2", country="DE")
    person = services.person_add(actor=None, request=other, full_name="Ivan Petrov")
    supervisor = UserFactory(role=Role.SUPERVISOR, units=[central])
    link_add(actor=supervisor, source=one, target=other, type="extradition_mla")
    from rogatory.register.persons import person_update

    person_update(actor=supervisor, person=person, in_custody=True)
    client.force_login(supervisor)
    first = client.get(reverse("web:request_audit", args=[one.pk])).content.decode()
    second = client.get(reverse("web:request_audit", args=[other.pk])).content.decode()
    assert "link_add" in first and "link_add" in second
    assert "person_update" in second and "person_update" not in first
