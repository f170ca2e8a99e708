"""Text people typed is shown as text, never run as markup: in the PDF report, its print
template, the narrative and the public statement.

Hostile text is put where a user or a supervisor can put it (a country's name, a refusal
ground's label and treaty article, a public example's summary), the report is rendered, and
the HTML the PDF is drawn from is read for escaped markup and the PDF's text for the payload
as typed.
"""

import base64
import subprocess
from datetime import date
from pathlib import Path

import pytest
from django.template.loader import render_to_string

from rogatory.publication.documents import report_document
from rogatory.publication.models import Example
from rogatory.publication.services import example_approve, example_propose
from rogatory.publication.statement import statement_build, statement_render_html
from rogatory.reference.models import Country, GroundArticle, RefusalGround, Treaty
from rogatory.register.models import Outcome
from rogatory.statistics import pdf
from rogatory.statistics.charts import CountryRefusals, refusals_by_country_svg, svg_image
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
SVG = "<svg onload=alert(2)>"
TEMPLATE = "{{ 7*7 }} {% debug %}"
PAYLOADS = {
    "country": f"Atlantis {SCRIPT}",
    "ground": f"Ground {IMAGE}",
    "article": "art. 2 <b>x</b>",
    "summary": f"The requested state refused {SVG} and {TEMPLATE}.",
}
ESCAPED = {
    "country": "Atlantis &lt;script&gt;alert(1)&lt;/script&gt;",
    "ground": "Ground &quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
    "article": "art. 2 &lt;b&gt;x&lt;/b&gt;",
    "summary": "refused &lt;svg onload=alert(2)&gt; and {{ 7*7 }} {% debug %}.",
}
RAW_MARKUP = (SCRIPT, "<img src=x", "<svg onload", "<b>x</b>")
YEAR = {"period_from": date(2023, 1, 1), "period_to": date(2023, 12, 31)}


@pytest.fixture
def hostile_texts():
    """A refused 2023 request whose every typed name and text carries a payload."""
    Country.objects.filter(code="CH").update(name_en=PAYLOADS["country"])
    ground = RefusalGround.objects.get(code="dual_criminality")
    ground.label_en = PAYLOADS["ground"]
    ground.save()
    treaty = Treaty.objects.order_by("code").first()
    GroundArticle.objects.update_or_create(
        ground=ground, treaty=treaty, defaults={"article": PAYLOADS["article"]}
    )
    request = make_request(
        country="CH",
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 6, 1),
        grounds=("dual_criminality",),
        political=True,
        political_reason="The court's reasoning",
    )
    example = example_propose(
        actor=None,
        request=request,
        category=Example.Category.REFUSAL,
        summary_en=PAYLOADS["summary"],
        summary_ru="",
    )
    example_approve(actor=None, example=example)


@pytest.fixture
def pdf_html(monkeypatch):
    """Keep the HTML the PDF is drawn from, as WeasyPrint is given it."""
    given: list[str] = []
    draw = pdf.weasyprint.HTML

    def keep(*args, string: str, **kwargs):
        given.append(string)
        return draw(*args, string=string, **kwargs)

    monkeypatch.setattr(pdf.weasyprint, "HTML", keep)
    return given


def _pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return " ".join(text.split())


def _report(format: str):
    return report_document(format=format, direction="outgoing", language="en", **YEAR)


def test_the_pdf_html_escapes_every_typed_text(hostile_texts, pdf_html):
    _report("pdf")

    (html,) = pdf_html
    for field, escaped in ESCAPED.items():
        assert escaped in html, field
    for markup in RAW_MARKUP:
        assert markup not in html
    assert "{{ 7*7 }}" in html and "49" not in html.split("{{ 7*7 }}")[0][-3:]


def test_the_pdf_shows_every_typed_text_as_it_was_typed(hostile_texts, tmp_path):
    text = _pdf_text(_report("pdf").content, tmp_path)

    for field in ("country", "ground", "article"):
        assert PAYLOADS[field] in text, field
    # The statement begins an example "For example, in June 2023, the requested state …".
    assert PAYLOADS["summary"].removeprefix("The r") in text


def test_the_narrative_and_the_text_report_quote_names_as_typed(hostile_texts):
    text = _report("text").content

    assert PAYLOADS["country"] in text


def test_the_print_template_escapes_the_narrative(hostile_texts):
    html = render_to_string(
        "web/reports/_narrative.html",
        {"publication": {"narrative": f"In 2023 {PAYLOADS['country']} refused"}},
    )

    assert ESCAPED["country"] in html
    assert SCRIPT not in html


def test_the_statement_escapes_a_summary_in_html_and_quotes_it_in_text(hostile_texts):
    statement = statement_build(year=2023)

    html = statement_render_html(statement, language="en")
    text = report_document(format="statement", direction="outgoing", language="en", **YEAR)

    assert ESCAPED["summary"] in html
    assert "<svg" not in html
    assert PAYLOADS["summary"].removeprefix("The r") in text.content


def test_a_chart_draws_a_hostile_name_as_escaped_svg_text(hostile_texts, pdf_html):
    _report("pdf")

    (html,) = pdf_html
    images = [part for part in html.split('"') if part.startswith("data:image/svg+xml;base64,")]
    drawings = [base64.b64decode(image.split(",", 1)[1]).decode() for image in images]
    assert any(ESCAPED["country"] in svg for svg in drawings)
    for svg in drawings:
        assert "<script" not in svg


def test_a_chart_in_a_page_escapes_its_labels_and_its_alt_text():
    svg = refusals_by_country_svg(
        countries=[CountryRefusals(code="CH", name=PAYLOADS["country"], refused=3, political=1)],
        political_label=SVG,
        other_label="other",
        description=f"Refusals {IMAGE}",
    )

    image = svg_image(svg)

    assert "<script" not in svg and "<svg onload" not in svg
    assert ESCAPED["country"] in svg
    assert image.count("<") == 1
    assert 'alt="Refusals &quot;&gt;&lt;img src=x onerror=alert(1)&gt;"' in image
