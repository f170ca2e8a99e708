"""What users do, start to finish, through the pages in a real browser."""

import re
from datetime import date

from django.utils import timezone
from playwright.sync_api import expect

from rogatory.accounts.models import Role
from rogatory.intake.jobs import register_job_run
from rogatory.intake.models import RegisterJob
from rogatory.register.models import Outcome, Request
from tests.accounts.factories import UnitFactory, UserFactory
from tests.browser.conftest import sign_in
from tests.register.factories import make_request


def test_clerk_registers_an_mla_request_and_follows_it_to_a_refusal(page):
    UserFactory(username="clara", role=Role.CLERK)
    # Another refusal, of the year before and on another ground: the filters and the
    # report must leave it out.
    make_request(
        reference="MLA-2025/0007",
        country="CH",
        opened_on=date(2025, 3, 1),
        outcome=Outcome.REFUSED,
        decided_on=date(2025, 6, 1),
        grounds=("dual_criminality",),
    )
    year = timezone.localdate().year
    sign_in(page, "clara", then="/requests/new/")

    page.get_by_role("group", name="Direction").get_by_role(
        "radio", name=re.compile("^Outgoing")
    ).check()
    page.get_by_role("group", name="Kind").get_by_role(
        "radio", name=re.compile("^Legal assistance")
    ).check()
    page.get_by_label("Our reference").fill("MLA-2026/0042")
    page.get_by_label("Counterpart state").select_option(label="Switzerland")
    page.get_by_label("Legal basis").select_option(value="ECMA-1959")
    page.get_by_label("Offence category").select_option(value="07")
    page.get_by_label("Offence", exact=True).fill("Laundering of bribes through Swiss accounts")
    page.get_by_role("button", name="Register request").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("MLA-2026/0042")
    history = page.get_by_role("region", name="History")
    history.locator("summary", has_text="Sent to the requested state").click()
    history.get_by_role("button", name="Record as sent").click()
    expect(history.get_by_text("Recorded: Sent to the requested state.")).to_be_visible()

    history.locator("summary", has_text=re.compile(r"^Decision$")).click()
    decision = history.get_by_role("group", name="Decision")
    decision.get_by_role("radio", name="Refused", exact=True).check()
    grounds = history.get_by_role("group", name="Refusal grounds")
    grounds.get_by_role("checkbox", name=re.compile("^fiscal_offence")).check()
    grounds.get_by_role("checkbox", name=re.compile("^ne_bis_in_idem")).check()
    history.get_by_role("button", name="Record decision").click()
    expect(history.get_by_text("Recorded: Decision.")).to_be_visible()
    summary = page.get_by_role("region", name="Status")
    expect(summary.get_by_text("fiscal_offence")).to_be_visible()
    expect(summary.get_by_text("ne_bis_in_idem")).to_be_visible()

    page.goto("/requests/")
    filters = page.get_by_role("search", name="Filter the register")
    filters.get_by_label("Status").select_option(value="refused")
    filters.get_by_label("Refusal ground").select_option(value="fiscal_offence")
    filters.get_by_role("button", name="Apply filters").click()
    results = page.get_by_role("region", name="Requests")
    expect(results.get_by_role("link", name="MLA-2026/0042")).to_be_visible()
    expect(results.get_by_role("link", name="MLA-2025/0007")).to_have_count(0)

    page.goto("/reports/")
    period = page.get_by_role("form", name="Period and direction")
    period.get_by_label("Year", exact=True).select_option(label=str(year))
    period.get_by_label("Direction", exact=True).select_option(value="outgoing")
    period.get_by_role("button", name="Show report").click()
    expect(page.locator('[data-figure="mla.refused"]')).to_have_text("1")
    by_ground = page.get_by_role("region", name="Refusals by ground")
    expect(by_ground.get_by_role("row", name=re.compile("Fiscal offence"))).to_contain_text("1")
    countries = page.get_by_role("region", name="Refusals by country")
    expect(countries.get_by_role("row", name=re.compile("Switzerland"))).to_be_visible()


def test_interface_switches_to_russian(page):
    UserFactory(username="clara", role=Role.CLERK)
    sign_in(page, "clara", then="/requests/")

    page.get_by_role("button", name="RU").click()

    expect(page.locator("html")).to_have_attribute("lang", "ru")
    navigation = page.get_by_role("navigation")
    expect(navigation.get_by_role("link", name="Реестр")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Реестр")


def test_import_with_errors_names_each_row_and_column(page):
    UserFactory(username="clara", role=Role.CLERK)
    register = (
        "reference,direction,kind,country,sent_on,status\n"
        "IMP-1,outgoing,mla,CH,2026-01-10,pending\n"
        "IMP-2,outgoing,mla,Atlantis,2026-01-11,pending\n"
        "IMP-3,sideways,mla,CH,2026-01-12,pending\n"
        "IMP-4,outgoing,mla,CH,,pending\n"
    )
    sign_in(page, "clara", then="/import/")

    page.get_by_label("Register file").set_input_files(
        files=[{"name": "register.csv", "mimeType": "text/csv", "buffer": register.encode()}]
    )
    page.get_by_role("button", name="Check file").click()

    # The check waits for the background worker; the page asks again until it has run.
    expect(page.get_by_role("heading", level=1)).to_have_text("Checking register.csv…")
    register_job_run(job_id=RegisterJob.objects.get().pk)
    expect(page.get_by_role("heading", level=1)).to_have_text("register.csv cannot be imported")
    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(3)
    for index, (row, column) in enumerate((("3", "country"), ("4", "direction"), ("5", "sent_on"))):
        cells = rows.nth(index).get_by_role("cell")
        expect(cells.nth(0)).to_have_text(row)
        expect(cells.nth(1)).to_have_text(column)
    assert not Request.objects.filter(reference__startswith="IMP-").exists()


def test_clerk_of_another_unit_cannot_open_the_request(page):
    extradition = UnitFactory(code="extradition", name="Extradition department")
    mla = UnitFactory(code="mla", name="MLA department")
    hidden = make_request(reference="EXT-2026/0001", kind="extradition", unit=extradition)
    UserFactory(username="mila", role=Role.CLERK, units=[mla])
    sign_in(page, "mila", then="/requests/")

    response = page.goto(f"/requests/{hidden.pk}/")

    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("There is nothing here")
    expect(page.get_by_text("EXT-2026/0001")).to_have_count(0)
