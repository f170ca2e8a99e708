"""The draft page: the letter's form, its completeness, the country's rules, the files."""

import io

import pytest
from django.urls import reverse
from docx import Document as DocxDocument

from rogatory.accounts.models import Role
from rogatory.drafting.selectors import draft_of
from rogatory.register.models import Direction, Document
from rogatory.register.services import request_update
from tests.accounts.factories import UnitFactory, UserFactory
from tests.drafting.helpers import MLA_LETTER, complete_mla, outgoing_request
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def clerk(client, central):
    user = UserFactory(role=Role.CLERK, units=[central])
    client.force_login(user)
    return user


def _page(request_id: int) -> str:
    return reverse("web:draft", args=[request_id])


def test_the_page_names_each_missing_element_with_a_link_to_its_field(client, clerk, central):
    request = outgoing_request(unit=central, legal_basis=None)
    html = client.get(_page(request.pk)).content.decode()
    assert "14 elements missing" in html
    assert '<a href="#id_facts">Summary of facts</a>' in html
    edit = reverse("web:request_edit", args=[request.pk])
    assert f'<a href="{edit}#id_legal_basis">Legal basis</a>' in html
    assert 'id="id_facts"' in html
    assert "Download DOCX" not in html


def test_the_page_shows_the_country_s_requirements(client, clerk, central):
    request = outgoing_request(unit=central, legal_basis="MINSK-1993")
    html = client.get(_page(request.pk)).content.decode()
    assert "What Switzerland requires" in html
    assert "Between central authorities" in html
    assert "German" in html
    assert ">ECMA-1959</abbr>" in html
    assert "MINSK-1993 is not in force between our state and Switzerland" in html


def test_saving_keeps_the_letter_and_shows_what_is_left(client, clerk, central):
    request = outgoing_request(unit=central)
    data = {**MLA_LETTER, "facts": "", "version": 0}
    response = client.post(_page(request.pk), data)
    assert response.status_code == 302
    assert draft_of(request=request).authority_name == MLA_LETTER["authority_name"]
    html = client.get(_page(request.pk)).content.decode()
    assert "1 element missing" in html
    assert "Summary of facts" in html


def test_a_failed_save_keeps_what_was_typed(client, clerk, central):
    request = outgoing_request(unit=central)
    data = {**MLA_LETTER, "contact_email": "not-an-address", "version": 0}
    response = client.post(_page(request.pk), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert MLA_LETTER["facts"] in html
    assert "Enter a valid email address." in html
    assert draft_of(request=request) is None


def test_a_save_over_someone_else_s_is_refused_and_keeps_the_typing(client, clerk, central):
    request = complete_mla(unit=central)
    response = client.post(_page(request.pk), {**MLA_LETTER, "facts": "Mine.", "version": 0})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Someone else saved this letter" in html
    assert "Mine." in html
    assert draft_of(request=request).facts == MLA_LETTER["facts"]


def test_a_complete_letter_downloads_as_docx_and_pdf(client, clerk, central):
    request = complete_mla(unit=central)
    html = client.get(_page(request.pk)).content.decode()
    assert "Complete" in html
    url = reverse("web:draft_download", args=[request.pk, "docx", "ru"])
    assert url in html
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="{request.reference}-letter-v1-ru.docx"'
    )
    text = "\n".join(p.text for p in DocxDocument(io.BytesIO(response.content)).paragraphs)
    assert MLA_LETTER["facts"] in text
    response = client.get(reverse("web:draft_download", args=[request.pk, "pdf", "en"]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_an_incomplete_letter_does_not_download(client, clerk, central):
    request = complete_mla(unit=central, facts="")
    response = client.get(reverse("web:draft_download", args=[request.pk, "docx", "en"]))
    assert response.status_code == 400
    assert "The letter is not complete; fill in: Summary of facts." in response.content.decode()


def test_an_unknown_file_is_not_found(client, clerk, central):
    request = complete_mla(unit=central)
    assert (
        client.get(reverse("web:draft_download", args=[request.pk, "odt", "en"])).status_code == 404
    )
    assert (
        client.get(reverse("web:draft_download", args=[request.pk, "pdf", "de"])).status_code == 404
    )


def test_attaching_puts_the_letter_among_the_documents(client, clerk, central):
    request = complete_mla(unit=central)
    response = client.post(
        reverse("web:draft_attach", args=[request.pk]), {"format": "pdf", "language": "en"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#documents")
    document = Document.objects.get(request=request)
    assert document.title == "Request letter, version 1 (EN, PDF)"
    assert document.kind == Document.Kind.REQUEST
    html = client.get(response["Location"]).content.decode()
    assert "Request letter, version 1 (EN, PDF)" in html


def test_the_request_page_shows_the_state_of_the_letter(client, clerk, central):
    request = outgoing_request(unit=central)
    detail = reverse("web:request_detail", args=[request.pk])
    html = client.get(detail).content.decode()
    assert "Request letter" in html and "not started" in html and "Draft the letter" in html
    complete = complete_mla(unit=central)
    html = client.get(reverse("web:request_detail", args=[complete.pk])).content.decode()
    assert "Complete" in html and _page(complete.pk) in html


def test_an_incoming_request_has_no_draft_page_nor_card(client, clerk, central):
    request = make_request(direction=Direction.INCOMING, unit=central)
    assert client.get(_page(request.pk)).status_code == 404
    html = client.get(reverse("web:request_detail", args=[request.pk])).content.decode()
    assert _page(request.pk) not in html


def test_a_viewer_reads_but_cannot_change(client, central):
    request = complete_mla(unit=central)
    client.force_login(UserFactory(role=Role.VIEWER, units=[central]))
    html = client.get(_page(request.pk)).content.decode()
    assert MLA_LETTER["facts"] in html
    assert "Save the letter" not in html and "Attach to the request" not in html
    assert " disabled" in html
    response = client.post(_page(request.pk), {**MLA_LETTER, "facts": "Viewer.", "version": 1})
    assert response.status_code == 403
    response = client.post(
        reverse("web:draft_attach", args=[request.pk]), {"format": "pdf", "language": "en"}
    )
    assert response.status_code == 403
    assert draft_of(request=request).facts == MLA_LETTER["facts"]
    assert not Document.objects.filter(request=request).exists()


def test_another_unit_s_clerk_finds_nothing(client, central):
    request = complete_mla(unit=central)
    client.force_login(UserFactory(role=Role.CLERK, units=[UnitFactory(code="other")]))
    for response in (
        client.get(_page(request.pk)),
        client.post(_page(request.pk), {**MLA_LETTER, "version": 1}),
        client.get(reverse("web:draft_download", args=[request.pk, "docx", "en"])),
        client.post(
            reverse("web:draft_attach", args=[request.pk]), {"format": "pdf", "language": "en"}
        ),
    ):
        assert response.status_code == 404
        assert MLA_LETTER["facts"].encode() not in response.content
    assert draft_of(request=request).version == 1


def test_a_new_letter_starts_from_the_responsible_clerk_and_the_priority(client, clerk, central):
    clerk.first_name, clerk.last_name = "Anna", "Volkova"
    clerk.save()
    request = outgoing_request(unit=central)
    request_update(
        actor=None,
        request=request,
        responsible=clerk,
        priority="urgent",
        priority_reason="The accused is in custody until 2024-03-01.",
    )
    html = client.get(_page(request.pk)).content.decode()
    assert 'value="Anna Volkova"' in html
    assert f'value="{clerk.email}"' in html
    assert "The accused is in custody until 2024-03-01.</textarea>" in html
    assert draft_of(request=request) is None


def test_a_sent_request_s_letter_says_a_change_makes_a_new_version(client, clerk, central):
    request = make_request(unit=central)
    html = client.get(_page(request.pk)).content.decode()
    assert "This request was sent on 2023-03-01." in html


def test_a_cyrillic_reference_downloads_under_its_own_name(client, clerk, central):
    request = complete_mla(unit=central)
    request.reference = "ИСХ-2024/15"
    request.save()
    response = client.get(reverse("web:draft_download", args=[request.pk, "pdf", "ru"]))
    assert response.status_code == 200
    assert (
        "filename*=utf-8''%D0%98%D0%A1%D0%A5-2024-15-letter-v1-ru.pdf"
        in response["Content-Disposition"]
    )
