"""A clerk records a meeting with a partner state's authorities and finds it where it belongs."""

import re

from playwright.sync_api import expect

from rogatory.accounts.models import Role
from tests.accounts.factories import UserFactory
from tests.browser.conftest import sign_in
from tests.register.factories import make_request


def test_clerk_records_a_meeting_links_a_request_and_sees_the_country_timeline(
    page, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    UserFactory(username="clara", role=Role.CLERK)
    make_request(reference="MLA-2026/0101", country="CH")
    sign_in(page, "clara", then="/engagements/")

    page.get_by_role("link", name="New engagement").click()
    page.get_by_label("Kind").select_option(value="meeting")
    page.get_by_label("Date").fill("2026-03-12")
    page.get_by_label("Subject").fill("Prosecutor General meets the Anti-Corruption Agency")
    page.get_by_label("States").select_option(label="Switzerland")
    page.get_by_label("Their authority").fill("Anti-Corruption Agency")
    page.get_by_label("Participants").fill(
        "Prosecutor General X; Chairman of the Anti-Corruption Agency Y"
    )
    page.get_by_label("Outcomes").fill("Agreed to speed up the pending requests")
    page.get_by_role("button", name="Record engagement").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Prosecutor General meets")
    requests = page.get_by_role("region", name="Requests it concerns")
    requests.locator("summary", has_text="Link a request").click()
    requests.get_by_label("Our reference of the request").fill("MLA-2026/0101")
    requests.get_by_role("button", name="Link", exact=True).click()
    expect(page.get_by_text("Request MLA-2026/0101 linked to the engagement.")).to_be_visible()

    minutes = tmp_path / "minutes.pdf"  # the file the clerk chooses
    minutes.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
    documents = page.get_by_role("region", name="Documents")
    documents.locator("summary", has_text="Upload a document").click()
    documents.get_by_label("File").set_input_files(str(minutes))
    documents.get_by_label("Title").fill("Minutes of the meeting")
    documents.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("link", name="Minutes of the meeting")).to_be_visible()

    page.get_by_role("link", name="Switzerland").first.click()
    timeline = page.get_by_role("region", name="Engagements")
    expect(
        timeline.get_by_role("link", name=re.compile("Prosecutor General meets"))
    ).to_be_visible()
    expect(timeline.get_by_text("1 linked request")).to_be_visible()

    page.goto("/requests/")
    page.get_by_role("link", name="MLA-2026/0101").click()
    mention = page.get_by_role("region", name="Engagements")
    expect(mention.get_by_role("link", name=re.compile("Prosecutor General meets"))).to_be_visible()
