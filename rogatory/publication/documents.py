"""The report as a file in each format, for the command line, the web page and the API alike.

Each function reads the figures through the selectors once and hands them to one renderer, so
every interface sends the same bytes for the same question.
"""

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from rogatory.accounts.models import User
from rogatory.core.exceptions import ValidationError
from rogatory.register.models import Direction
from rogatory.statistics.fatf import FatfTables, fatf_tables
from rogatory.statistics.pdf import render_pdf
from rogatory.statistics.publication import publication_build
from rogatory.statistics.renderers import render
from rogatory.statistics.rows import report_request_rows, report_request_rows_limited
from rogatory.statistics.selectors import report_build, report_country_names
from rogatory.statistics.xlsx import render_fatf_xlsx, render_publication_xlsx

from .statement import statement_build, statement_render_html, statement_render_text

# Formats of `rogatory report`, in the order its help lists them.
REPORT_FORMATS = ("text", "json", "csv", "xlsx", "pdf", "statement")
FATF_FORMATS = ("xlsx", "json")
BINARY_FORMATS = frozenset({"xlsx", "pdf"})

CONTENT_TYPES = {
    "text": "text/plain; charset=utf-8",
    "statement": "text/plain; charset=utf-8",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
_EXTENSIONS = {"text": "txt", "statement": "txt"}


@dataclass(frozen=True)
class ReportDocument:
    """A report rendered as a file: its content, media type and usual file extension."""

    content: bytes | str
    content_type: str
    extension: str

    @property
    def is_binary(self) -> bool:
        return isinstance(self.content, bytes)


def report_document(
    *,
    format: str,
    period_from: date,
    period_to: date,
    direction: str,
    language: str,
    as_of: datetime | None = None,
    user: User | None = None,
) -> ReportDocument:
    """Return the period report in `format`, one of REPORT_FORMATS, with text in `language`.

    `user` limits the request-level sheet of the workbook to the requests they may see; the
    figures themselves are the office's.
    """
    if format not in REPORT_FORMATS:
        raise ValidationError(
            _("“%(value)s” is not a report format.") % {"value": format},
            extra={"field": "format"},
        )
    if format == "statement":
        return _document(
            format, _statement_text(period_from, period_to, direction, language, as_of)
        )
    if format in ("text", "json", "csv"):
        report = report_build(
            period_from=period_from, period_to=period_to, direction=direction, as_of=as_of
        )
        names = report_country_names(report=report, language=language)
        return _document(
            format, render(report, format=format, language=language, country_names=names)
        )
    publication = publication_build(
        period_from=period_from,
        period_to=period_to,
        direction=direction,
        language=language,
        as_of=as_of,
    )
    if format == "pdf":
        statement = ""
        if _statement_applies(period_from, period_to, direction):
            statement = _statement_html(period_from.year, language, as_of)
        return _document(format, render_pdf(publication, statement_html=statement))
    rows = report_request_rows(
        period_from=period_from,
        period_to=period_to,
        direction=direction,
        as_of=as_of,
        user=user,
        language=language,
    )
    limited = report_request_rows_limited(user=user)
    return _document(format, render_publication_xlsx(publication, rows=rows, rows_limited=limited))


def fatf_document(
    *, format: str, year: int, language: str, as_of: datetime | None = None
) -> ReportDocument:
    """Return the FATF tables of a calendar year in `format`, one of FATF_FORMATS."""
    if format not in FATF_FORMATS:
        raise ValidationError(
            _("The FATF tables come as XLSX or JSON, not “%(value)s”.") % {"value": format},
            extra={"field": "format"},
        )
    tables = fatf_tables(year=year, as_of=as_of, language=language)
    if format == "json":
        return _document(
            format, json.dumps(fatf_as_dict(tables), indent=1, ensure_ascii=False) + "\n"
        )
    return _document(format, render_fatf_xlsx(tables, language=language))


def fatf_as_dict(tables: FatfTables) -> dict[str, Any]:
    """Return the FATF tables as plain JSON-ready data."""
    return {
        "year": tables.year,
        "as_of": tables.as_of.isoformat() if tables.as_of else None,
        "rows": [asdict(row) for row in tables.rows],
        "offences": [asdict(row) for row in tables.offences],
    }


def _statement_applies(period_from: date, period_to: date, direction: str) -> bool:
    # The statement speaks of one calendar year of our own requests.
    return (
        direction == Direction.OUTGOING
        and period_from == date(period_from.year, 1, 1)
        and period_to == date(period_from.year, 12, 31)
    )


def _statement_text(
    period_from: date, period_to: date, direction: str, language: str, as_of: datetime | None
) -> str:
    if not _statement_applies(period_from, period_to, direction):
        raise ValidationError(
            _(
                "The statement covers one calendar year of outgoing requests: give --year "
                "and leave the direction outgoing."
            ),
            extra={"field": "year"},
        )
    statement = statement_build(year=period_from.year, as_of=as_of)
    return statement_render_text(statement, language=language)


def _statement_html(year: int, language: str, as_of: datetime | None) -> str:
    return statement_render_html(statement_build(year=year, as_of=as_of), language=language)


def _document(format: str, content: bytes | str) -> ReportDocument:
    return ReportDocument(
        content=content,
        content_type=CONTENT_TYPES[format],
        extension=_EXTENSIONS.get(format, format),
    )
