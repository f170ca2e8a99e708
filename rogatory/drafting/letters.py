"""The request letter as a file: the same content laid out as DOCX (docxtpl) or PDF (WeasyPrint).

`letter_context` gathers what the letter says, in the letter's language, from the request, its
draft and the requested state's requirements; both formats render that one context. The DOCX
templates are package data under `letters/`, built by `scripts/build_letter_templates.py`.
"""

import io
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import weasyprint
from django.template.loader import render_to_string
from django.utils import translation
from docxtpl import DocxTemplate, Listing

from rogatory.register.models import Kind, Person, Request

from .models import Draft
from .selectors import CountryRequirements, language_name
from .wording import CHANNELS, PRIORITIES, PURPOSES, WORDING

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_CONTENT_TYPE = "application/pdf"
FORMATS = ("docx", "pdf")
LANGUAGES = ("en", "ru")
_LETTERS = "letters"
_PDF_TEMPLATE = "drafting/letter.html"


@dataclass(frozen=True)
class LetterFile:
    """A generated letter: its bytes, the name to save it under and its content type."""

    content: bytes
    filename: str
    content_type: str


def letter_template_name(*, kind: str, language: str) -> str:
    """Return the file name of the DOCX template for a request of `kind` in `language`."""
    return f"{kind}_{language}.docx"


def _text(value: str | None) -> str:
    return (value or "").strip()


def _date(value: date | None, language: str) -> str:
    if value is None:
        return ""
    return value.strftime("%d.%m.%Y") if language == "ru" else value.isoformat()


def _person(person: Person, language: str) -> dict[str, str]:
    nationality = person.nationality.name_in(language) if person.nationality else ""
    return {
        "full_name": person.full_name,
        "born_on": _date(person.born_on, language),
        "nationality": nationality,
        "identification": _text(person.identification),
    }


def letter_context(
    *,
    request: Request,
    draft: Draft,
    requirements: CountryRequirements,
    language: str,
    today: date,
) -> dict[str, Any]:
    """Return what the letter says, every text in `language` ("en" or "ru")."""
    words = WORDING[language]
    basis = request.legal_basis
    in_force = ", ".join(
        f"{treaty.code} ({treaty.name_in(language)})" for treaty in requirements.in_force
    )
    with translation.override(language):
        warning = requirements.warning()
    persons = []
    if request.kind == Kind.EXTRADITION:
        persons = [
            _person(person, language)
            for person in Person.objects.filter(request=request)
            .select_related("nationality")
            .order_by("id")
        ]
    return {
        "t": words,
        "kind": request.kind,
        "title": words["title_mla" if request.kind == Kind.MLA else "title_extradition"],
        "intro": words["intro_mla" if request.kind == Kind.MLA else "intro_extradition"],
        "reference": request.reference,
        "date": _date(today, language),
        "version": str(draft.version),
        "country": request.country.name_in(language),
        "counterpart_authority": _text(request.counterpart_authority),
        "domestic_case": _text(request.domestic_case),
        "legal_basis": f"{basis.code} — {basis.name_in(language)}" if basis else "",
        "offence_category": request.offence_category.name_in(language)
        if request.offence_category
        else "",
        "offence_description": _text(request.offence_description),
        "purpose": PURPOSES[language].get(request.purpose, ""),
        "priority": PRIORITIES[language].get(request.priority, ""),
        "priority_reason": _text(request.priority_reason),
        "limitation_on": _date(request.limitation_on, language),
        "authority_name": _text(draft.authority_name),
        "authority_address": _text(draft.authority_address),
        "contact_name": _text(draft.contact_name),
        "contact_phone": _text(draft.contact_phone),
        "contact_email": _text(draft.contact_email),
        "proceedings": _text(draft.proceedings),
        "facts": _text(draft.facts),
        "legal_provisions": _text(draft.legal_provisions),
        "assistance": _text(draft.assistance),
        "relevance": _text(draft.relevance),
        "persons_text": _text(draft.persons),
        "persons": persons,
        "procedures": _text(draft.procedures),
        "confidentiality": _text(draft.confidentiality),
        "urgency": _text(draft.urgency),
        "channel": CHANNELS[language].get(requirements.channel, CHANNELS[language][""]),
        "translation_language": language_name(requirements.translation_language, language)
        or words["none"],
        "in_force": in_force or words["none"],
        "warning": warning,
    }


def _docx_value(value: Any) -> Any:
    """Return `value` as docxtpl should print it: text with line breaks kept."""
    if isinstance(value, str) and "\n" in value:
        return Listing(value)
    if isinstance(value, list):
        return [_docx_value(item) for item in value]
    if isinstance(value, dict):
        return {key: _docx_value(item) for key, item in value.items()}
    return value


def letter_docx(context: dict[str, Any], *, kind: str, language: str) -> bytes:
    """Return the letter as a DOCX document, from the template for `kind` and `language`."""
    name = letter_template_name(kind=kind, language=language)
    with resources.files("rogatory.drafting").joinpath(_LETTERS, name).open("rb") as stream:
        template = DocxTemplate(io.BytesIO(stream.read()))
    # Autoescaping keeps a "<" or "&" typed in a field from breaking the document's XML.
    template.render(_docx_value(context), autoescape=True)
    output = io.BytesIO()
    template.save(output)
    return output.getvalue()


def letter_pdf(context: dict[str, Any], *, language: str) -> bytes:
    """Return the letter as an A4 PDF, from the HTML template of the same content."""
    with translation.override(language):
        html = render_to_string(_PDF_TEMPLATE, {**context, "language": language})
    stylesheet = Path(str(resources.files("rogatory.drafting").joinpath(_LETTERS, "letter.css")))
    return weasyprint.HTML(string=html, base_url=str(stylesheet.parent)).write_pdf(
        stylesheets=[weasyprint.CSS(filename=str(stylesheet))]
    )


def letter_filename(*, request: Request, draft: Draft, language: str, format: str) -> str:
    """Return the file name of a letter: reference, version and language, safe on any system."""
    reference = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in request.reference)
    return f"{reference}-letter-v{draft.version}-{language}.{format}"
