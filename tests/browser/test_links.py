"""Linking requests, editing a person's custody and following an assurance, in a real browser."""

from datetime import date

from playwright.sync_api import expect

from rogatory.accounts.models import Role
from rogatory.register import services
from rogatory.register.models import Direction, Kind, Outcome
from tests.accounts.factories import UserFactory
from tests.browser.conftest import sign_in
from tests.register.factories import make_request


def test_clerk_links_an_extradition_to_its_mla_request_and_monitors_an_assurance(page):
    UserFactory(username="clara", role=Role.CLERK)
    mla = make_request(reference="MLA-2026/0001", country="DE")
    extradition = make_request(
        reference="EXT-2026/0002",
        kind=Kind.EXTRADITION,
        direction=Direction.INCOMING,
        outcome=Outcome.GRANTED,
        decided_on=date(2023, 5, 1),
    )
    services.request_record_surrender(
        actor=None, request=extradition, surrendered_on=date(2023, 6, 1)
    )
    services.person_add(actor=None, request=extradition, full_name="Ivan Petrov")
    sign_in(page, "clara", then=f"/requests/{extradition.pk}/")

    links = page.get_by_role("region", name="Linked requests")
    links.locator("summary", has_text="Link another request").click()
    links.get_by_label("Our reference of the other request").fill("MLA-2026/0001")
    links.locator("select[name=link-type]").select_option(value="extradition_mla")
    links.get_by_role("button", name="Link", exact=True).click()
    expect(links.get_by_text("Linked to MLA-2026/0001.")).to_be_visible()

    persons = page.get_by_role("region", name="Persons sought")
    editing = persons.locator("details", has_text="Edit Ivan Petrov")
    editing.locator("summary").click()
    editing.get_by_label("In custody").check()
    editing.get_by_label("Identification").fill("Passport 12 345678")
    editing.get_by_role("button", name="Save").click()
    expect(persons.get_by_text("The details of Ivan Petrov were saved.")).to_be_visible()
    expect(persons.locator(".person-note", has_text="Passport 12 345678")).to_be_visible()

    assurances = page.get_by_role("region", name="Assurances")
    assurances.locator("summary", has_text="Record an assurance").click()
    assurances.locator("select[name=assurance-type]").select_option(value="fair_trial")
    assurances.get_by_label("Given on").fill("2023-04-20")
    assurances.get_by_label("Given by").fill("Federal Office of Justice")
    assurances.get_by_role("button", name="Record assurance").click()
    expect(assurances.get_by_text("Assurance recorded: fair trial.")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Assurances").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assurances awaiting monitoring")
    expect(page.get_by_role("link", name="EXT-2026/0002")).to_be_visible()

    page.goto(f"/requests/{mla.pk}/")
    links = page.get_by_role("region", name="Linked requests")
    expect(links.get_by_role("link", name="EXT-2026/0002")).to_be_visible()
