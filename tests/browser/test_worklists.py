"""A clerk finds an overdue request on the work list and follows it to the request's page."""

import re
from datetime import date

from playwright.sync_api import expect

from rogatory.accounts.models import Role
from rogatory.deadlines.models import Deadline, DeadlineRule
from rogatory.register import services
from rogatory.register.models import Kind, Request
from tests.accounts.factories import UnitFactory, UserFactory
from tests.browser.conftest import sign_in
from tests.register.factories import make_request


def test_clerk_sees_an_overdue_request_on_the_work_list_and_on_its_page(page):
    unit = UnitFactory(code="extradition", name="Extradition department")
    clerk = UserFactory(username="olga", role=Role.CLERK, units=[unit])
    # Registered and sent through the services on fixed past dates, with a provisional arrest
    # whose treaty limit ran out long ago: overdue whatever today is.
    request = make_request(
        reference="EXT-2026/0099",
        kind=Kind.EXTRADITION,
        persons_count=1,
        country="DE",
        opened_on=date(2026, 1, 10),
        unit=unit,
    )
    services.request_record_provisional_arrest(
        actor=None, request=request, arrested_on=date(2026, 1, 12)
    )
    services.request_update(
        actor=None, request=Request.objects.get(pk=request.pk), responsible=clerk
    )
    rule = DeadlineRule.objects.create(
        code="journey-arrest-limit",
        name_en="Provisional arrest: request for extradition due",
        name_ru="Срок представления запроса о выдаче",
        basis=DeadlineRule.Basis.TREATY,
        starts=DeadlineRule.Start.PROVISIONAL_ARREST,
        stops=DeadlineRule.Stop.FORMAL_REQUEST,
        period_days=18,
        warn_days=5,
        source="ECE 1957 Art. 16(4)",
        active=False,
    )
    Deadline.objects.create(
        request=request,
        rule=rule,
        started_on=date(2026, 1, 12),
        due_on=date(2026, 1, 30),
        warn_on=date(2026, 1, 25),
    )

    sign_in(page, "olga")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Work list").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overdue and due soon")
    row = page.get_by_role("row").filter(has_text="Provisional arrest: request for extradition")
    expect(row).to_contain_text("EXT-2026/0099")
    expect(row).to_contain_text(re.compile(r"overdue by \d+ days"))
    expect(row).to_contain_text("urgent")  # a provisional arrest is running

    row.get_by_role("link", name="EXT-2026/0099").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("EXT-2026/0099")
    deadlines = page.get_by_role("region", name="Priority and deadlines")
    expect(deadlines).to_contain_text("A provisional arrest is running")
    overdue = deadlines.get_by_role("row").filter(has_text="Provisional arrest: request for")
    expect(overdue).to_contain_text("2026-01-30")
    expect(overdue.locator(".deadline-overdue")).to_contain_text(re.compile(r"overdue by \d+"))
