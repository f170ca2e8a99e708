"""The shipped DOCX templates are the ones scripts/build_letter_templates.py builds."""

import importlib.util
import io
from importlib import resources
from pathlib import Path

import pytest
from docx import Document as DocxDocument

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_letter_templates.py"


def _script():
    spec = importlib.util.spec_from_file_location("build_letter_templates", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _texts(document) -> list[str]:
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return parts


@pytest.mark.parametrize("kind", ["mla", "extradition"])
@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_shipped_template_is_the_built_one(kind, language):
    built = _script().build(kind, language)
    shipped_file = resources.files("rogatory.drafting").joinpath(
        "letters", f"{kind}_{language}.docx"
    )
    shipped = DocxDocument(io.BytesIO(shipped_file.read_bytes()))
    assert _texts(shipped) == _texts(built), (
        "Run `.venv/bin/python scripts/build_letter_templates.py` after changing the wording."
    )
