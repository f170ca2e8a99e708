"""The generated letter, read back: every filled element is in it, in either language."""

import io
from datetime import date

import pytest
from docx import Document as DocxDocument
from pypdf import PdfReader

from rogatory.drafting.services import draft_render, draft_save
from rogatory.reference.models import Treaty
from rogatory.register.models import Priority
from rogatory.register.services import request_update

from .helpers import EXTRADITION_LETTER, MLA_LETTER, complete_extradition, complete_mla

pytestmark = pytest.mark.django_db

TODAY = date(2024, 1, 15)


def docx_text(content: bytes) -> str:
    """Return the text of every paragraph and every table cell of a DOCX document."""
    document = DocxDocument(io.BytesIO(content))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def _filled(letter: dict[str, str]) -> list[str]:
    """Return the filled texts of a letter, line by line (DOCX keeps line breaks)."""
    return [
        line
        for name, value in letter.items()
        if name != "language" and value
        for line in value.splitlines()
    ]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_docx_of_a_legal_assistance_request_holds_every_filled_field(language):
    request = complete_mla()
    text = docx_text(
        draft_render(
            actor=None, request=request, format="docx", language=language, today=TODAY
        ).content
    )
    for value in _filled(MLA_LETTER):
        assert value in text, value
    for value in (request.reference, request.domestic_case, request.offence_description):
        assert value in text
    assert "ECMA-1959" in text
    assert "{{" not in text and "{%" not in text
    if language == "ru":
        assert "Запрос о правовой помощи по уголовному делу" in text
        assert "Швейцария" in text
        assert "15.01.2024" in text
        assert "через центральные органы" in text
        assert "немецкий" in text
    else:
        assert "Request for mutual legal assistance in criminal matters" in text
        assert "Switzerland" in text
        assert "2024-01-15" in text
        assert "between central authorities" in text
        assert "German" in text


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_docx_of_an_extradition_request_holds_every_filled_field_and_person(language):
    request = complete_extradition()
    text = docx_text(
        draft_render(
            actor=None, request=request, format="docx", language=language, today=TODAY
        ).content
    )
    for value in _filled(EXTRADITION_LETTER):
        assert value in text, value
    assert "Ivan Petrovich Petrov" in text
    assert "Passport 75 1234567, born in Tula, scar on the left hand." in text
    assert "{{" not in text and "{%" not in text
    if language == "ru":
        assert "Запрос о выдаче (экстрадиции)" in text
        assert "14.06.1975" in text
        assert "Россия" in text
        assert "уголовное преследование" in text
    else:
        assert "Request for extradition" in text
        assert "1975-06-14" in text
        assert "Russia" in text
        assert "criminal prosecution" in text
        assert "ECE-1957" in text


def test_the_docx_shows_priority_and_limitation_date():
    request = complete_mla()
    request = request_update(
        actor=None, request=request, priority=Priority.URGENT, priority_reason="Accused in custody."
    )
    text = docx_text(
        draft_render(actor=None, request=request, format="docx", language="en", today=TODAY).content
    )
    assert "urgent — Accused in custody." in text
    assert "2033-05-31" in text


def test_text_that_looks_like_markup_is_printed_as_typed():
    request = complete_mla(facts="Payments < 5 000 & > 1 000 to <Alpha> {{ t }}")
    text = docx_text(
        draft_render(actor=None, request=request, format="docx", language="en", today=TODAY).content
    )
    assert "Payments < 5 000 & > 1 000 to <Alpha> {{ t }}" in text


def test_the_docx_warns_when_the_legal_basis_is_not_in_force():
    request = complete_mla()
    request = request_update(
        actor=None, request=request, legal_basis=Treaty.objects.get(code="MINSK-1993")
    )
    text = docx_text(
        draft_render(actor=None, request=request, format="docx", language="en", today=TODAY).content
    )
    assert "MINSK-1993 is not in force between our state and Switzerland" in text


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_pdf_holds_the_key_fields(language):
    request = complete_extradition()
    text = pdf_text(
        draft_render(
            actor=None, request=request, format="pdf", language=language, today=TODAY
        ).content
    )
    for value in (
        request.reference,
        "Ivan Petrovich Petrov",
        "Passport 75 1234567",
        "Anna Sergeevna Volkova",
        "a.volkova@example.org",
        "Article 174.1 of the Criminal Code",
        "ECE-1957",
    ):
        assert value in text, value
    if language == "ru":
        assert "Запрос о выдаче (экстрадиции)" in text
        assert "Германия" in text
    else:
        assert "Request for extradition" in text
        assert "Germany" in text


def test_the_pdf_of_a_legal_assistance_request_holds_the_assistance_sought():
    request = complete_mla()
    text = pdf_text(
        draft_render(actor=None, request=request, format="pdf", language="en", today=TODAY).content
    )
    for name in ("assistance", "relevance", "procedures", "confidentiality", "urgency"):
        assert " ".join(MLA_LETTER[name].split()) in text, name


def test_a_later_version_is_named_in_the_file():
    request = complete_mla()
    draft_save(actor=None, request=request, facts="Amended facts.")
    letter = draft_render(actor=None, request=request, format="docx", language="en", today=TODAY)
    assert letter.filename.endswith("-letter-v2-en.docx")
    assert "Amended facts." in docx_text(letter.content)
