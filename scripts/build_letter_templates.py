"""Build the DOCX templates of the request letter, one per kind of request and language.

Run it by hand after changing the letter's layout or its wording
(rogatory/drafting/wording.py): `.venv/bin/python scripts/build_letter_templates.py`. It writes
rogatory/drafting/letters/<kind>_<language>.docx with python-docx; the files hold the fixed
wording of the letter and docxtpl (Jinja) placeholders such as `{{ facts }}` for what the
draft and the request say. `rogatory.drafting.letters.letter_context` lists the placeholders.
An office may also edit the built files in Word, keeping the placeholders.
"""

import argparse
import sys
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rogatory.drafting.wording import WORDING  # noqa: E402

OUTPUT = ROOT / "rogatory" / "drafting" / "letters"
KINDS = ("mla", "extradition")
LANGUAGES = ("en", "ru")


def _labelled(document, label: str, placeholder: str) -> None:
    """Add a paragraph "Label: value", the label bold; the placeholder keeps to one run."""
    paragraph = document.add_paragraph()
    paragraph.add_run(f"{label}: ").bold = True
    paragraph.add_run(placeholder)


def _section(document, heading: str, placeholder: str) -> None:
    document.add_heading(heading, level=2)
    document.add_paragraph(placeholder)


def _tag(document, tag: str) -> None:
    """Add a paragraph holding only a docxtpl block tag, which docxtpl removes when rendering."""
    document.add_paragraph(tag)


def build(kind: str, language: str) -> Document:
    """Return the template of the letter of a request of `kind` in `language`."""
    words = WORDING[language]
    document = Document()
    # Fixed properties, so that building again changes the files only where the layout did.
    properties = document.core_properties
    properties.author = properties.last_modified_by = "Rogatory"
    properties.title = words[f"title_{kind}"]
    properties.created = properties.modified = datetime(2026, 1, 1)
    properties.revision = 1
    style = document.styles["Normal"]
    style.font.name = "DejaVu Serif"
    style.font.size = Pt(11)
    for section in document.sections:
        section.left_margin = section.right_margin = Cm(2.2)
        section.top_margin = section.bottom_margin = Cm(2)

    # Cover notes: the requested state's requirements, for whoever sends the letter.
    document.add_heading(words["notes_heading"], level=3)
    rows = (
        (words["notes_country"], "{{ country }}"),
        (words["notes_channel"], "{{ channel }}"),
        (words["notes_language"], "{{ translation_language }}"),
        (words["notes_in_force"], "{{ in_force }}"),
        (words["notes_warning"], "{{ warning if warning else t.none }}"),
    )
    table = document.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for row, (label, placeholder) in zip(table.rows, rows, strict=True):
        row.cells[0].text = label
        row.cells[1].text = placeholder

    title = document.add_heading(words[f"title_{kind}"], level=1)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _labelled(
        document,
        words["to"],
        "{% if counterpart_authority %}{{ counterpart_authority }}, {% endif %}{{ country }}",
    )
    _labelled(document, words["our_reference"], "{{ reference }}")
    _labelled(document, words["date"], "{{ date }}")
    _labelled(document, words["domestic_case"], "{{ domestic_case }}")
    _labelled(document, words["version"], "{{ version }}")
    document.add_paragraph(words[f"intro_{kind}"])

    document.add_heading(words["authority"], level=2)
    document.add_paragraph("{{ authority_name }}")
    document.add_paragraph("{{ authority_address }}")
    _labelled(document, words["contact"], "{{ contact_name }}")
    _labelled(document, words["phone"], "{{ contact_phone or t.none }}")
    _labelled(document, words["email"], "{{ contact_email or t.none }}")

    _section(document, words["legal_basis"], "{{ legal_basis }}")
    _section(document, words["proceedings"], "{{ proceedings }}")
    _section(document, words["facts"], "{{ facts }}")
    document.add_heading(words["offences"], level=2)
    _labelled(document, words["offence_category"], "{{ offence_category or t.none }}")
    document.add_paragraph("{{ offence_description }}")
    document.add_paragraph("{{ legal_provisions }}")

    if kind == "mla":
        _section(document, words["assistance"], "{{ assistance }}")
        _labelled(document, words["relevance"], "{{ relevance }}")
        _section(document, words["persons_mla"], "{{ persons_text }}")
        _section(document, words["procedures"], "{{ procedures }}")
    else:
        document.add_heading(words["extradition_sought"], level=2)
        _labelled(document, words["purpose"], "{{ purpose }}")
        _tag(document, "{%p if assistance %}")
        _labelled(document, words["further_requests"], "{{ assistance }}")
        _tag(document, "{%p endif %}")
        document.add_heading(words["persons_extradition"], level=2)
        _tag(document, "{%p for person in persons %}")
        document.add_paragraph().add_run("{{ person.full_name }}").bold = True
        _labelled(document, words["born_on"], "{{ person.born_on }}")
        _labelled(document, words["nationality"], "{{ person.nationality }}")
        _labelled(document, words["identification"], "{{ person.identification }}")
        _tag(document, "{%p endfor %}")
        _tag(document, "{%p if procedures %}")
        _section(document, words["procedures"], "{{ procedures }}")
        _tag(document, "{%p endif %}")

    _section(document, words["confidentiality"], "{{ confidentiality }}")
    _section(document, words["urgency"], "{{ urgency }}")
    _labelled(
        document,
        words["priority"],
        "{{ priority }}{% if priority_reason %} — {{ priority_reason }}{% endif %}",
    )
    _tag(document, "{%p if limitation_on %}")
    _labelled(document, words["limitation_on"], "{{ limitation_on }}")
    _tag(document, "{%p endif %}")

    document.add_paragraph(words["closing"])
    document.add_paragraph("{{ authority_name }}")
    document.add_paragraph("{{ contact_name }}")
    return document


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT, help="folder to write into")
    arguments = parser.parse_args()
    arguments.output.mkdir(parents=True, exist_ok=True)
    for kind in KINDS:
        for language in LANGUAGES:
            path = arguments.output / f"{kind}_{language}.docx"
            build(kind, language).save(path)
            print(path)


if __name__ == "__main__":
    main()
