"""Tests for the statement page and a request's example section."""

import re
from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse

from rogatory.accounts.models import Role
from rogatory.publication.models import Example
from rogatory.publication.services import example_approve, example_propose
from rogatory.register.models import Outcome
from rogatory.register.services import person_add
from tests.accounts.factories import UserFactory
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

SUMMARY = "Bulgaria refused because execution “could harm the sovereignty of Bulgaria”"


@pytest.fixture
def refused(central):
    request = make_request(
        unit=central,
        country="BG",
        reference="OM-2023-17",
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 10, 12),
    )
    return request


@pytest.fixture
def clerk(central):
    return UserFactory(username="clara.clerk", role=Role.CLERK, units=[central])


@pytest.fixture
def supervisor(central):
    return UserFactory(username="sam.supervisor", role=Role.SUPERVISOR, units=[central])


@pytest.fixture
def proposed(refused, clerk):
    return example_propose(
        actor=clerk, request=refused, category="refusal", summary_en=SUMMARY, summary_ru=""
    )


def _url(name: str, request) -> str:
    return reverse(f"web:request_example{name}", args=[request.pk])


# --- The request page --------------------------------------------------------------------------


def test_request_page_loads_the_example_section(client, clerk, refused):
    client.force_login(clerk)

    page = client.get(reverse("web:request_detail", args=[refused.pk])).content.decode()

    assert f'hx-get="{_url("", refused)}"' in page
    assert f'href="{_url("", refused)}"' in page


def test_request_page_of_a_pending_request_has_no_example_section(client, clerk, central):
    pending = make_request(unit=central)
    client.force_login(clerk)

    page = client.get(reverse("web:request_detail", args=[pending.pk])).content.decode()

    assert "/example/" not in page


def test_example_section_offers_a_clerk_the_proposal_form(client, clerk, refused):
    client.force_login(clerk)

    response = client.get(_url("", refused), headers={"HX-Request": "true"})

    assert response.status_code == 200, response.content
    html = response.content.decode()
    assert "<html" not in html
    assert f'action="{_url("_save", refused)}"' in html
    # A refused request suggests the refusal category.
    assert re.search(r'value="refusal"[^>]*checked', html)


def test_example_section_without_javascript_is_a_whole_page(client, clerk, refused):
    client.force_login(clerk)

    html = client.get(_url("", refused)).content.decode()

    assert "<html" in html
    assert "OM-2023-17" in html


def test_proposing_an_example_saves_it_and_returns_to_the_request(client, clerk, refused):
    client.force_login(clerk)

    response = client.post(
        _url("_save", refused), {"category": "refusal", "summary_en": SUMMARY, "summary_ru": ""}
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"/requests/{refused.pk}/#example")
    example = Example.objects.get(request=refused)
    assert (example.summary_en, example.proposed_by) == (SUMMARY, clerk)


def test_a_summary_naming_the_person_sought_is_refused_and_the_text_kept(client, clerk, central):
    request = make_request(
        unit=central, kind="extradition", outcome=Outcome.GRANTED, decided_on=date(2023, 3, 1)
    )
    person_add(actor=None, request=request, full_name="Ivan Petrov")
    client.force_login(clerk)
    typed = "Switzerland extradited ivan petrov to us"

    response = client.post(
        _url("_save", request),
        {"category": "cooperation", "summary_en": typed, "summary_ru": "Швейцария выдала лицо"},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "names a person sought" in html
    assert typed in html
    assert "Швейцария выдала лицо" in html
    assert not Example.objects.exists()


def test_a_viewer_cannot_propose(client, refused, central):
    client.force_login(UserFactory(role=Role.VIEWER, units=[central]))

    response = client.post(_url("_save", refused), {"category": "refusal", "summary_en": SUMMARY})

    assert response.status_code == 403
    assert not Example.objects.exists()


def test_editing_an_approved_example_withdraws_its_approval(client, clerk, supervisor, proposed):
    example_approve(actor=supervisor, example=proposed)
    client.force_login(clerk)

    client.post(
        _url("_save", proposed.request),
        {"category": "refusal", "summary_en": f"{SUMMARY}, it said", "version": "2"},
    )

    proposed.refresh_from_db()
    assert proposed.summary_en == f"{SUMMARY}, it said"
    assert proposed.approved_at is None


def test_a_supervisor_approves_in_the_section(client, supervisor, proposed):
    client.force_login(supervisor)

    response = client.post(
        _url("_approve", proposed.request), {"version": "1"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "The example is approved for the statement." in response.content.decode()
    proposed.refresh_from_db()
    assert proposed.approved_by == supervisor


def test_a_clerk_cannot_approve(client, clerk, proposed):
    client.force_login(clerk)

    response = client.post(_url("_approve", proposed.request), {"version": "1"})

    assert response.status_code == 403
    proposed.refresh_from_db()
    assert proposed.approved_at is None


def test_approving_a_changed_example_asks_to_read_it_again(client, supervisor, proposed):
    client.force_login(supervisor)

    response = client.post(
        _url("_approve", proposed.request), {"version": "7"}, headers={"HX-Request": "true"}
    )

    assert "Someone changed this example" in response.content.decode()
    proposed.refresh_from_db()
    assert proposed.approved_at is None


def test_a_clerk_withdraws_an_unapproved_example(client, clerk, proposed):
    client.force_login(clerk)

    response = client.post(_url("_withdraw", proposed.request))

    assert response.status_code == 302
    assert not Example.objects.exists()


# --- The statement page ------------------------------------------------------------------------


def test_statement_page_shows_the_statement_and_a_download_link(client, clerk, refused):
    client.force_login(clerk)

    response = client.get(reverse("web:statement"), {"year": "2023"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "In 2023 foreign states refused 1 request for legal assistance." in html
    assert f'href="{reverse("web:statement_text")}?year=2023"' in html
    assert "Examples awaiting approval" not in html


def test_statement_page_in_russian(client, clerk, refused):
    client.force_login(clerk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"

    html = client.get(reverse("web:statement"), {"year": "2023"}).content.decode()

    assert "В 2023 году иностранные государства отказали в исполнении 1 запроса" in html


def test_statement_page_lists_examples_awaiting_approval_for_supervisors(
    client, supervisor, proposed
):
    client.force_login(supervisor)

    html = client.get(reverse("web:statement"), {"year": "2023"}).content.decode()

    assert "Examples awaiting approval" in html
    assert SUMMARY in html
    assert f'action="{_url("_approve", proposed.request)}"' in html
    # Not approved, so not in the statement itself.
    assert "For example" not in html


def test_approving_from_the_statement_page_returns_to_it(client, supervisor, proposed):
    client.force_login(supervisor)
    back = reverse("web:statement") + "?year=2023"

    response = client.post(_url("_approve", proposed.request), {"version": "1", "next": back})

    assert response.status_code == 302
    assert response["Location"] == back
    html = client.get(back).content.decode()
    assert "For example, in October 2023, Bulgaria refused" in html


def test_statement_page_shows_a_wrong_year_or_moment(client, clerk):
    client.force_login(clerk)

    html = client.get(reverse("web:statement"), {"year": "20x3", "as_of": "soon"}).content.decode()

    assert "Enter a whole number." in html
    assert "“soon” is not a date" in html
    assert 'value="soon"' in html


def test_statement_text_download(client, clerk, refused):
    client.force_login(clerk)

    response = client.get(reverse("web:statement_text"), {"year": "2023"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert 'filename="statement-2023-en.txt"' in response["Content-Disposition"]
    assert response.content.decode().startswith("In 2023 foreign states refused 1 request")


def test_statement_text_of_a_bad_year_is_a_400(client, clerk):
    client.force_login(clerk)

    assert client.get(reverse("web:statement_text"), {"year": "0"}).status_code == 400


def test_statement_page_needs_sign_in(client):
    response = client.get(reverse("web:statement"))

    assert response.status_code == 302
    assert "login" in response["Location"]
