"""The published report as a PDF: the report page's templates, laid out on A4 by WeasyPrint.

The web page and the PDF render the same partials from the same context, built here by
`report_context`, so that both show the same numbers in the same order. The print stylesheet
(`web/reports/_print_style.html`) sets the pages: margins, a running title, "page X of Y" in
the footer, rows that never split, and a new page before each major section. Charts are SVG
images; their text stays text, so the PDF can be searched and read aloud.
"""

import base64
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import weasyprint
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .charts import ReportCharts, report_charts
from .figures import Report
from .lines import GroundLine
from .publication import Publication
from .survival import BacklogRow

PDF_CONTENT_TYPE = "application/pdf"
_TEMPLATE = "web/reports/report_pdf.html"
_BASE_URL = str(Path(__file__).resolve().parent)
_PLACEHOLDER = re.compile(r"(%\(pages?\)s)")
_COUNTERS = {"%(page)s": "counter(page)", "%(pages)s": "counter(pages)"}


@dataclass(frozen=True)
class ComparedCell:
    """One kind's value of a figure, the previous period's, and the change between them."""

    applies: bool
    value: int | float | None
    previous: int | float | None

    @property
    def change(self) -> int | float | None:
        """Return the value less the previous one, None when either is unknown."""
        if not self.applies or self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def change_size(self) -> int | float | None:
        """Return the size of the change without its sign, for display beside a sign."""
        change = self.change
        return None if change is None else abs(change)


@dataclass(frozen=True)
class FigureRow:
    """One line of the key figures: its label and both kinds beside the previous period."""

    key: str
    label: str
    mla: ComparedCell
    extradition: ComparedCell


@dataclass(frozen=True)
class GroundRow:
    """One refusal ground with its counts and the treaty articles it rests on."""

    line: GroundLine
    articles: tuple[str, ...]


@dataclass(frozen=True)
class BacklogLine:
    """One kind's undecided requests, counted in the order of the age buckets."""

    row: BacklogRow
    counts: tuple[int, ...]


def report_context(publication: Publication, *, statement_html: str = "") -> dict[str, Any]:
    """Return what the report's partials render: the publication, its rows and its charts.

    Labels are in the active language; `render_pdf` makes it the publication's own.
    """
    report, previous = publication.report, publication.previous
    timing = publication.time_to_decision
    buckets = publication.backlog.buckets()
    return {
        "publication": publication,
        "report": report,
        "previous": previous,
        "period_label": period_label(report),
        "previous_label": period_label(previous),
        "figure_rows": figure_rows(publication),
        "ground_rows": [
            GroundRow(line=line, articles=tuple(publication.ground_articles.get(line.code, ())))
            for line in publication.grounds
        ],
        "time_groups": [
            (_("By kind of request"), timing.by_kind),
            (_("By direction, both kinds"), timing.by_direction),
            (_("Countries with the most requests"), timing.by_country),
        ],
        "backlog_buckets": buckets,
        "backlog_rows": [
            BacklogLine(row=row, counts=tuple(getattr(row, key) for key, _label in buckets))
            for row in publication.backlog.rows
            if row.direction == report.direction
        ],
        "charts": report_charts(publication),
        # Paragraphs written by the statement's own renderer, which escapes what it quotes.
        "statement_html": mark_safe(statement_html),
    }


def period_label(report: Report) -> str:
    """Return a period as a column title: "2023", "2021–2023" or "01.01.2023–30.06.2023"."""
    if report.is_whole_years:
        first, last = report.period_from.year, report.period_to.year
        return str(first) if first == last else f"{first}–{last}"
    start = date_format(report.period_from, "SHORT_DATE_FORMAT")
    return f"{start}–{date_format(report.period_to, 'SHORT_DATE_FORMAT')}"


def figure_rows(publication: Publication) -> list[FigureRow]:
    """Return the key figures of both kinds, each beside the previous period's."""
    return [
        FigureRow(
            key=compared.line.key,
            label=compared.line.label,
            mla=ComparedCell(
                applies=compared.line.mla_applies,
                value=compared.line.mla,
                previous=compared.previous.mla,
            ),
            extradition=ComparedCell(
                applies=compared.line.extradition_applies,
                value=compared.line.extradition,
                previous=compared.previous.extradition,
            ),
        )
        for compared in publication.figures
    ]


def render_pdf(publication: Publication, *, statement_html: str = "") -> bytes:
    """Return the publication as an A4 PDF in its language, with `statement_html` if given."""
    with translation.override(publication.language):
        context = report_context(publication, statement_html=statement_html)
        context.update(
            print=True,
            LANGUAGE_CODE=publication.language,
            chart_images=_chart_images(context["charts"]),
            page_footer=_page_footer(),
        )
        html = render_to_string(_TEMPLATE, context)
    return weasyprint.HTML(string=html, base_url=_BASE_URL).write_pdf()


def _chart_images(charts: ReportCharts) -> dict[str, str]:
    # As images, each chart keeps its own element ids and styles out of the document's.
    return {
        name: "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")
        for name, svg in (
            ("countries", charts.countries),
            ("trend", charts.trend),
            ("time_to_decision", charts.time_to_decision),
        )
        if svg
    }


def _page_footer() -> SafeString:
    """Return the CSS `content` value of the footer: "Page 3 of 12" in the active language."""
    # Translators: the footer of each page of the PDF report; keep both placeholders.
    text = _("Page %(page)s of %(pages)s")
    parts = []
    for piece in _PLACEHOLDER.split(text):
        if piece in _COUNTERS:
            parts.append(_COUNTERS[piece])
        elif piece:
            parts.append('"' + piece.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return mark_safe(" ".join(parts))
