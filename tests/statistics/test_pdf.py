"""The PDF report: every figure in its table row, Cyrillic text, charts, pages, the as-of note."""

import io
import json
import re
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pypdf import PdfReader

from rogatory.intake.services import register_import
from rogatory.register.models import Event, Outcome
from rogatory.statistics.lines import figure_lines
from rogatory.statistics.pdf import render_pdf
from rogatory.statistics.publication import publication_build
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

YEAR_2023 = {"period_from": date(2023, 1, 1), "period_to": date(2023, 12, 31)}
# The Report v1 figures the key figures table shows, in the kinds that have them.
MLA_FIGURES = (
    "sent",
    "executed",
    "partially_executed",
    "fulfilled",
    "refused",
    "refused_political",
    "withdrawn",
    "pending_at_end",
    "median_days_to_decision",
)
EXTRADITION_FIGURES = (
    "sent",
    "granted",
    "granted_persons",
    "refused",
    "refused_political",
    "refused_persons",
    "withdrawn",
    "pending_at_end",
    "median_days_to_decision",
)
_CELL_GAP = re.compile(r"\s{2,}")


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    )
    return result.stdout


def _section(text: str, heading: str, next_heading: str) -> list[str]:
    """Return the lines of the section from its heading to the next one's."""
    start = text.index(heading)
    return text[start : text.index(next_heading, start)].splitlines()


def _number(cell: str) -> float:
    return float(cell.replace("\u2212", "-").replace("\xa0", "").replace(" ", "").replace(",", "."))


def _is_number(cell: str) -> bool:
    try:
        _number(cell)
    except ValueError:
        return False
    return True


def _row(lines: list[str], label: str, labels: list[str]) -> list[str]:
    """Return the cells after `label` on the line its row starts on.

    A long label wraps, so its row starts on the line whose first cell is the longest start of
    the label; that start must belong to no other label of the table, or the row is ambiguous.
    """
    best: list[str] | None = None
    for line in lines:
        cells = _CELL_GAP.split(line.strip())
        if len(cells) < 2 or not label.startswith(cells[0]) or len(cells[0]) < 3:
            continue
        if best is None or len(cells[0]) > len(best[0]):
            best = cells
    assert best is not None, f"no row for {label!r}"
    if best[0] != label:
        others = [other for other in labels if other != label and other.startswith(best[0])]
        assert not others, f"the row of {label!r} could be that of {others}"
    return best[1:]


def _seed_pdf(shared_dir: Path, tmp_path: Path, language: str):
    register_import(actor=None, path=shared_dir / "data" / "seed-2023.csv")
    publication = publication_build(direction="outgoing", language=language, **YEAR_2023)
    pdf = render_pdf(publication)
    return publication, pdf, _pdf_text(pdf, tmp_path)


@pytest.fixture
def expected(shared_dir) -> dict:
    return json.loads((shared_dir / "data" / "seed-2023.expected.json").read_text())["full_year"]


# --- Every number of the seed register, in its row ---------------------------------------------


@pytest.mark.parametrize("language", ["en", "ru"])
def test_render_pdf_shows_every_report_figure_in_its_row(shared_dir, tmp_path, expected, language):
    publication, _pdf, text = _seed_pdf(shared_dir, tmp_path, language)
    with translation.override(language):
        lines = _section(text, _("Figures"), _("Extradition: requests and persons sought"))
        labels = {line.key: line.label for line in figure_lines(publication.report)}
    for kind, keys, column in (("mla", MLA_FIGURES, 0), ("extradition", EXTRADITION_FIGURES, 3)):
        for key in keys:
            # Cells: this period, the previous one, the change; for each kind.
            cells = _row(lines, labels[key], list(labels.values()))
            assert len(cells) == 6, (key, cells)
            assert _number(cells[column]) == expected[kind][key], f"{kind}.{key}: {cells}"


@pytest.mark.parametrize("language", ["en", "ru"])
def test_render_pdf_shows_each_country_with_its_refusals(shared_dir, tmp_path, expected, language):
    publication, _pdf, text = _seed_pdf(shared_dir, tmp_path, language)
    with translation.override(language):
        lines = _section(text, _("Refusals by country"), _("Refusals by ground"))
    mla, extradition = expected["mla"], expected["extradition"]
    codes = set(mla["refused_by_country"]) | set(extradition["refused_by_country"])
    assert {line.code for line in publication.countries} == codes
    labels = [f"{line.name} {line.code}" for line in publication.countries]
    for line, label in zip(publication.countries, labels, strict=True):
        cells = [_number(cell) for cell in _row(lines, label, labels)]
        assert cells == [
            mla["refused_by_country"].get(line.code, 0),
            mla["refused_political_by_country"].get(line.code, 0),
            extradition["refused_by_country"].get(line.code, 0),
            extradition["refused_political_by_country"].get(line.code, 0),
        ], label
    if language == "ru":
        assert "Швейцария CH" in labels


@pytest.mark.parametrize("language", ["en", "ru"])
def test_render_pdf_shows_each_refusal_ground_with_its_count(
    shared_dir, tmp_path, expected, language
):
    publication, _pdf, text = _seed_pdf(shared_dir, tmp_path, language)
    with translation.override(language):
        lines = _section(text, _("Refusals by ground"), _("Requests by offence category"))
    mla, extradition = expected["mla"], expected["extradition"]
    codes = set(mla["refused_by_ground"]) | set(extradition["refused_by_ground"])
    assert {line.code for line in publication.grounds} == codes
    names = [line.name for line in publication.grounds]
    for line in publication.grounds:
        cells = _row(lines, line.name, names)
        # The ground's treaty articles may sit between its name and its two counts.
        counts = [_number(cell) for cell in cells[-2:] if _is_number(cell)]
        assert counts == [
            mla["refused_by_ground"].get(line.code, 0),
            extradition["refused_by_ground"].get(line.code, 0),
        ], (line.code, cells)


def test_render_pdf_names_the_treaty_articles_of_each_ground(shared_dir, tmp_path):
    publication, _pdf, text = _seed_pdf(shared_dir, tmp_path, "en")
    flat = " ".join(text.split())
    articles = publication.ground_articles["political_offence"]
    assert articles
    for article in articles:
        assert article in flat


# --- Russian, pages and charts ------------------------------------------------------------------


def test_render_pdf_in_russian_has_cyrillic_text_pages_and_charts(shared_dir, tmp_path):
    _publication, pdf, text = _seed_pdf(shared_dir, tmp_path, "ru")
    assert "Исходящие запросы: 2023" in text
    assert "Швейцария" in text
    assert "по политическим мотивам" in text
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert pages >= 4
    (tmp_path / "report.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(tmp_path / "report.pdf"), str(tmp_path / "page")],
        check=True,
    )
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == pages
    assert all(image.stat().st_size > 5_000 for image in images)
    # The charts keep their text: the bar chart names countries, without the table's codes.
    with translation.override("ru"):
        legend = _("On other grounds")
    chart_pages = [page for page in text.split("\f") if legend in page]
    assert chart_pages
    assert any("Швейцария" in page and "Швейцария CH" not in page for page in chart_pages)


def test_render_pdf_numbers_its_pages_and_runs_the_title(shared_dir, tmp_path):
    _publication, pdf, text = _seed_pdf(shared_dir, tmp_path, "en")
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert f"Page 1 of {pages}" in text
    assert f"Page {pages} of {pages}" in text
    # Pages after the first carry the report's title at the top.
    second = text.split("\f")[1]
    assert "Outgoing requests: 2023" in second.splitlines()[0]


def test_render_pdf_is_a4(shared_dir, tmp_path):
    _publication, pdf, _text = _seed_pdf(shared_dir, tmp_path, "en")
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    width_mm, height_mm = (float(side) * 25.4 / 72 for side in page.mediabox[2:])
    assert round(width_mm) == 210
    assert round(height_mm) == 297


# --- Small registers ------------------------------------------------------------------------


def _publication(language: str = "en", **changes):
    return publication_build(direction="outgoing", language=language, **(YEAR_2023 | changes))


def _text(publication, tmp_path: Path, **options) -> str:
    return " ".join(_pdf_text(render_pdf(publication, **options), tmp_path).split())


def test_render_pdf_of_an_empty_register(tmp_path):
    text = _text(_publication(), tmp_path)
    assert "Outgoing requests: 2023" in text
    assert "No refusals in this period." in text
    assert "Figures as known at" not in text


def test_render_pdf_as_known_at_a_moment_says_so_and_counts_as_then(tmp_path):
    make_request(opened_on=date(2023, 2, 1), reference="EARLY")
    late = make_request(
        opened_on=date(2023, 3, 1),
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 6, 1),
        reference="LATE",
    )
    moment = timezone.now()
    Event.objects.update(recorded_at=moment - timedelta(hours=1))
    Event.objects.filter(request=late, type="decided").update(
        recorded_at=moment + timedelta(seconds=1)
    )
    then = _publication(as_of=moment)
    assert then.report.mla.refused == 0
    text = _text(then, tmp_path)
    shown = timezone.localtime(moment)
    assert f"Figures as known at {shown.day} {shown:%B %Y, %H:%M}" in text
    assert "No refusals in this period." in text
    assert "Switzerland" not in text.split("Refusals by country")[1][:200]


def test_render_pdf_puts_the_statement_in_its_own_section(tmp_path):
    text = _text(
        _publication(), tmp_path, statement_html="<p>The office publishes this statement.</p>"
    )
    assert "Statement The office publishes this statement." in text


def test_render_pdf_leaves_the_statement_out_when_none_is_given(tmp_path):
    make_request(outcome=Outcome.REFUSED, decided_on=date(2023, 5, 1))
    text = _text(_publication(), tmp_path)
    assert "Statement" not in text


def test_render_pdf_follows_the_figures(tmp_path):
    make_request(
        country="LV",
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 5, 1),
        grounds=("political_offence",),
        political=True,
        political_reason="Test",
    )
    text = _text(_publication(), tmp_path)
    assert "Latvia LV 1 1 0 0" in text
    assert "Refused 1 0 +1 0 0 0" in text
