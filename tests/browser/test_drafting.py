"""Drafting in a real browser: from a new outgoing request to its letter, downloaded, kept and
sent, with the reminder its clerk gets before the answer is overdue."""

import io
import re
from datetime import timedelta

from django.core import mail
from django.utils import timezone
from docx import Document as DocxDocument
from playwright.sync_api import expect

from rogatory.accounts.models import Role
from rogatory.register.models import Document
from rogatory.reminders.services import reminders_send
from tests.accounts.factories import UserFactory
from tests.browser.conftest import sign_in
from tests.drafting.helpers import MLA_LETTER

LABELS = {
    "authority_name": "Requesting authority",
    "authority_address": "Address of the authority",
    "contact_name": "Responsible officer",
    "contact_phone": "Telephone",
    "contact_email": "Email",
    "proceedings": "Nature of the investigation or proceedings",
    "facts": "Summary of facts",
    "legal_provisions": "Text of the legal provisions",
    "assistance": "Assistance sought",
    "relevance": "Why it is needed",
    "persons": "Persons concerned",
    "procedures": "Procedures to follow",
    "confidentiality": "Confidentiality",
    "urgency": "Time limits and urgency",
}


def test_clerk_drafts_downloads_attaches_and_sends_the_letter_and_is_reminded(
    page, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    dora = UserFactory(username="dora", role=Role.CLERK, email="dora@example.org")
    sign_in(page, "dora", then="/requests/new/")

    page.get_by_role("group", name="Direction").get_by_role(
        "radio", name=re.compile("^Outgoing")
    ).check()
    page.get_by_role("group", name="Kind").get_by_role(
        "radio", name=re.compile("^Legal assistance")
    ).check()
    page.get_by_label("Our reference").fill("MLA-2026/0101")
    page.get_by_label("Counterpart state").select_option(label="Switzerland")
    page.get_by_label("Legal basis").select_option(value="ECMA-1959")
    page.get_by_label("Domestic criminal case").fill("12301450001000123")
    page.get_by_label("Offence", exact=True).fill("Laundering of bribes through Swiss accounts")
    page.get_by_label("Responsible clerk").select_option(value=str(dora.pk))
    page.get_by_role("button", name="Register request").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("MLA-2026/0101")

    letter_card = page.get_by_role("region", name="Request letter")
    expect(letter_card.get_by_text("not started")).to_be_visible()
    letter_card.get_by_role("link", name="Draft the letter").click()

    completeness = page.get_by_role("region", name="Completeness")
    expect(completeness).to_contain_text("13 elements missing")
    expect(completeness.get_by_role("link", name="Summary of facts")).to_be_visible()
    requirements = page.get_by_role("region", name="What Switzerland requires")
    expect(requirements).to_contain_text("Between central authorities")
    expect(requirements).to_contain_text("German")

    # A link of the list leads to its field.
    completeness.get_by_role("link", name="Summary of facts").click()
    for name, label in LABELS.items():
        page.get_by_label(label, exact=True).fill(MLA_LETTER[name])
    page.get_by_role("button", name="Save the letter").click()
    expect(page.get_by_text("The letter was saved.")).to_be_visible()
    expect(page.get_by_role("region", name="Completeness")).to_contain_text("Complete")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download DOCX · EN").click()
    download = download_info.value
    assert download.suggested_filename == "MLA-2026-0101-letter-v1-en.docx"
    path = tmp_path / "letter.docx"
    download.save_as(path)
    text = "\n".join(p.text for p in DocxDocument(io.BytesIO(path.read_bytes())).paragraphs)
    assert MLA_LETTER["facts"] in text
    assert "MLA-2026/0101" in text

    files = page.get_by_role("region", name="The letter")
    files.get_by_label("Format").select_option(value="docx")
    files.get_by_role("button", name="Attach to the request").click()
    documents = page.get_by_role("region", name="Documents")
    expect(
        documents.get_by_role("link", name="Request letter, version 1 (EN, DOCX)")
    ).to_be_visible()
    assert Document.objects.filter(kind=Document.Kind.REQUEST).count() == 1

    # Sent 55 days ago: the follow-up of an unanswered request is due in five days.
    sent_on = timezone.localdate() - timedelta(days=55)
    history = page.get_by_role("region", name="History")
    sent_form = history.locator("details", has=page.locator("summary", has_text="Sent to the"))
    sent_form.locator("summary").click()
    sent_form.locator("input[name$=occurred_on]").fill(sent_on.isoformat())
    sent_form.get_by_role("button", name="Record as sent").click()
    expect(history.get_by_text("Recorded: Sent to the requested state.")).to_be_visible()
    page.reload()
    deadlines = page.get_by_role("region", name="Priority and deadlines")
    follow_up = deadlines.get_by_role("row", name=re.compile("^Follow-up"))
    expect(follow_up).to_contain_text((sent_on + timedelta(days=60)).isoformat())
    expect(follow_up).to_contain_text("5 days left")

    # The day's reminders tell Dora, once.
    mail.outbox.clear()
    reminders_send(today=timezone.localdate())
    to_dora = [message for message in mail.outbox if message.to == ["dora@example.org"]]
    assert len(to_dora) == 1
    assert "MLA-2026/0101" in to_dora[0].body
    reminders_send(today=timezone.localdate())
    assert len([message for message in mail.outbox if message.to == ["dora@example.org"]]) == 1
