"""The report as XLSX workbooks, and the labelled figures the report page shows too.

`render_publication_xlsx` writes the published report: a sheet per table (the figures beside
the previous period's, refusals by country, ground, offence, month and year, persons sought,
time to decision, the backlog, partners' policy changes) and a data sheet listing every request
behind the figures, so that an analyst can check each number. `render_fatf_xlsx` writes the
FATF tables of a year.
Like the other renderers they work on dataclasses and never query; names come in with them.
"""

import io
import pickle
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from rogatory.core.spreadsheet import xlsx_text_needed, xlsx_value
from rogatory.register.models import Direction, Kind, Outcome

from .figures import Report
from .lines import OPENED_LABELS, figure_lines
from .rows import RequestRow

if TYPE_CHECKING:  # the publication renders figures this module draws into sheets
    from .breakdowns import MonthLine, OffenceLine
    from .fatf import FatfTables
    from .publication import Publication

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="E7EEF7")
_TITLE_FONT = Font(bold=True, size=14)
_WRAP = Alignment(wrap_text=True, vertical="top")


# --- The published report's workbook ------------------------------------------------------------
#
# Every sheet is written in openpyxl's write-only mode: the data sheet may list a hundred
# thousand requests, and a write-only sheet streams its rows to a temporary file instead of
# keeping a cell object for each. Such a sheet takes its column widths before its first row,
# so the widths are measured first: small tables in memory, the data sheet's rows spooled to a
# temporary file (pickled one by one) and read back once measured.

_DATE = "yyyy-mm-dd"
_MONTH = "yyyy-mm"
_MOMENT = "yyyy-mm-dd hh:mm:ss"
_PERCENT = "0.0%"
_P_VALUE = "0.0000"
_MIN_WIDTH = 6
_MAX_WIDTH = 60
# A header wraps; up to this many characters it is kept on one line.
_HEADER_LINE = 20
_NOTE_FONT = Font(italic=True)
_FACT_FONT = Font(bold=True)


@dataclass(frozen=True)
class _Column:
    """A column of a sheet: its header, the number format of its cells, whether text wraps."""

    title: str
    number_format: str | None = None
    wrap: bool = False


@dataclass(frozen=True)
class _Table:
    """One sheet: a title and notes, facts (label and values), a header, rows and a total."""

    name: str
    columns: tuple[_Column, ...]
    rows: Sequence[Sequence[object]] = ()
    title: str = ""
    notes: tuple[str, ...] = ()
    facts: tuple[Sequence[object], ...] = ()
    total: Sequence[object] | None = None
    autofilter: bool = False


class _Widths:
    """The width each column needs: its longest value, in characters, within bounds."""

    def __init__(self, columns: Sequence[_Column]) -> None:
        self.columns = columns
        self.widths = [_header_width(column.title) for column in columns]

    def measure(self, values: Sequence[object]) -> None:
        for index, (value, column) in enumerate(zip(values, self.columns, strict=False)):
            width = _value_width(value, column.number_format)
            if width > self.widths[index]:
                self.widths[index] = width

    def final(self) -> list[int]:
        return [min(max(width + 2, _MIN_WIDTH), _MAX_WIDTH) for width in self.widths]


def render_publication_xlsx(
    publication: "Publication", *, rows: Iterable[tuple], rows_limited: bool
) -> bytes:
    """Return the published report as a workbook: one sheet per table, then the requests.

    `rows` are the `RequestRow`s of `report_request_rows` for the same period, direction and
    moment; `rows_limited` says they are only the user's units' requests.
    """
    with translation.override(publication.language):
        workbook = Workbook(write_only=True)
        for table in _publication_tables(publication):
            _table_write(workbook, table)
        _requests_write(workbook, publication.report.direction, rows, rows_limited)
        stream = io.BytesIO()
        workbook.save(stream)
    return stream.getvalue()


def render_fatf_xlsx(tables: "FatfTables", *, language: str) -> bytes:
    """Return the FATF tables of a year as a workbook: by direction and kind, and by offence."""
    with translation.override(language):
        workbook = Workbook(write_only=True)
        for table in _fatf_tables(tables):
            _table_write(workbook, table)
        stream = io.BytesIO()
        workbook.save(stream)
    return stream.getvalue()


def _publication_tables(publication: "Publication") -> list[_Table]:
    return [
        _summary_table(publication),
        _countries_table(publication),
        _grounds_table(publication),
        _offences_table(publication),
        _months_table(publication),
        _trend_table(publication),
        _persons_table(publication),
        _time_to_decision_table(publication),
        _backlog_table(publication),
        _partners_table(publication),
    ]


def _summary_table(publication: "Publication") -> _Table:
    report, previous = publication.report, publication.previous
    current_label, previous_label = _period_label(report), _period_label(previous)
    # Labelled again here, in the workbook's language, whatever language was active before.
    labels = {line.key: line.label for line in figure_lines(report)}
    return _Table(
        name=_("Summary"),
        title=_("Rogatory report"),
        facts=(
            (_("Period"), report.period_from, report.period_to),
            (_("Previous period"), previous.period_from, previous.period_to),
            (_("Direction"), str(Direction(report.direction).label)),
            _as_of_fact(publication.as_of),
        ),
        columns=(
            _Column(_("Figure"), wrap=True),
            _Column(_("Legal assistance, %(period)s") % {"period": current_label}),
            _Column(_("Legal assistance, %(period)s") % {"period": previous_label}),
            _Column(_("Extradition, %(period)s") % {"period": current_label}),
            _Column(_("Extradition, %(period)s") % {"period": previous_label}),
            _Column(_("Code")),
        ),
        rows=[
            (
                labels.get(figure.line.key, figure.line.label),
                figure.line.mla,
                figure.previous.mla,
                figure.line.extradition,
                figure.previous.extradition,
                figure.line.key,
            )
            for figure in publication.figures
        ],
    )


def _countries_table(publication: "Publication") -> _Table:
    report = publication.report
    return _Table(
        name=_("Refusals by country"),
        columns=(
            _Column(_("Country")),
            _Column(_("ISO code")),
            _Column(_("Legal assistance: refused")),
            _Column(_("of them for political reasons")),
            _Column(_("Extradition: refused")),
            _Column(_("of them for political reasons")),
            _Column(_("Total refused")),
        ),
        rows=[
            (
                line.name,
                line.code,
                line.mla_refused,
                line.mla_political,
                line.extradition_refused,
                line.extradition_political,
                line.total,
            )
            for line in publication.countries
        ],
        total=(
            _("Total"),
            None,
            report.mla.refused,
            report.mla.refused_political,
            report.extradition.refused,
            report.extradition.refused_political,
            report.mla.refused + report.extradition.refused,
        ),
    )


def _grounds_table(publication: "Publication") -> _Table:
    return _Table(
        name=_("Refusals by ground"),
        notes=(_("A request refused on several grounds counts under each of them."),),
        columns=(
            _Column(_("Refusal ground"), wrap=True),
            _Column(_("Code")),
            _Column(_("Treaty articles"), wrap=True),
            _Column(_("Legal assistance")),
            _Column(_("Extradition")),
            _Column(_("Total")),
        ),
        rows=[
            (
                line.name,
                line.code,
                "; ".join(publication.ground_articles.get(line.code, ())),
                line.mla,
                line.extradition,
                line.total,
            )
            for line in publication.grounds
        ],
    )


def _kind_count_columns() -> tuple[_Column, ...]:
    return (
        _Column(_("Legal assistance: opened")),
        _Column(_("Legal assistance: fulfilled")),
        _Column(_("Legal assistance: refused")),
        _Column(_("of them for political reasons")),
        _Column(_("Extradition: opened")),
        _Column(_("Extradition: granted")),
        _Column(_("Extradition: refused")),
        _Column(_("of them for political reasons")),
    )


def _kind_counts(line: "OffenceLine | MonthLine") -> tuple[int, ...]:
    return tuple(
        getattr(counts, name)
        for counts in (line.mla, line.extradition)
        for name in ("opened", "fulfilled", "refused", "refused_political")
    )


def _column_sums(rows: Sequence[Sequence[object]], first: int) -> list[int]:
    return [sum(row[index] for row in rows) for index in range(first, len(rows[0]))] if rows else []


def _offences_table(publication: "Publication") -> _Table:
    rows = [(line.name, line.code or None, *_kind_counts(line)) for line in publication.offences]
    return _Table(
        name=_("By offence"),
        notes=(_opened_decided_note(),),
        columns=(
            _Column(_("Offence category"), wrap=True),
            _Column(_("ICCS code")),
            *_kind_count_columns(),
        ),
        rows=rows,
        total=(_("Total"), None, *_column_sums(rows, 2)) if rows else None,
    )


def _months_table(publication: "Publication") -> _Table:
    rows = [(line.first_day, *_kind_counts(line)) for line in publication.months]
    return _Table(
        name=_("By month"),
        notes=(_opened_decided_note(),),
        columns=(_Column(_("Month"), _MONTH), *_kind_count_columns()),
        rows=rows,
        total=(_("Total"), *_column_sums(rows, 1)) if rows else None,
    )


def _trend_table(publication: "Publication") -> _Table:
    return _Table(
        name=_("Refusals by year"),
        columns=(
            _Column(_("Year")),
            _Column(_("Legal assistance: refused for political reasons")),
            _Column(_("Legal assistance: refused for other reasons")),
            _Column(_("Extradition: refused for political reasons")),
            _Column(_("Extradition: refused for other reasons")),
            _Column(_("Total refused")),
        ),
        rows=[
            (
                line.year,
                line.mla_political,
                line.mla_other,
                line.extradition_political,
                line.extradition_other,
                line.political + line.other,
            )
            for line in publication.refusal_trend
        ],
    )


def _persons_table(publication: "Publication") -> _Table:
    persons = publication.persons
    return _Table(
        name=_("Persons sought"),
        notes=(_("Extradition requests and the persons they seek."),),
        columns=(_Column(_("Figure"), wrap=True), _Column(_("Requests")), _Column(_("Persons"))),
        rows=[
            (
                str(OPENED_LABELS[publication.report.direction]),
                persons.requests_opened,
                persons.persons_requested,
            ),
            (_("Extradition granted"), persons.requests_granted, persons.persons_granted),
            (_("of them surrendered"), persons.requests_surrendered, persons.persons_surrendered),
            (_("Refused"), persons.requests_refused, persons.persons_refused),
            (
                _("Pending at the end of the period"),
                persons.requests_pending,
                persons.persons_pending,
            ),
        ],
    )


def _time_to_decision_table(publication: "Publication") -> _Table:
    timing = publication.time_to_decision
    groups = (
        (_("Kind"), timing.by_kind),
        (_("Direction"), timing.by_direction),
        (_("Country"), timing.by_country),
    )
    return _Table(
        name=_("Time to decision"),
        notes=(
            _(
                "Kaplan–Meier estimate of the days from opening to decision, over the requests "
                "opened by %(at)s and not decided before the period; a request still pending "
                "counts as having waited at least until then."
            )
            % {"at": timing.at.isoformat()},
            _(
                "Bounds are those of the %(level)s confidence interval. An empty cell: the "
                "estimate never gets that far."
            )
            % {"level": "95%"},
        ),
        columns=(
            _Column(_("Breakdown")),
            _Column(_("Code")),
            _Column(_("Name")),
            _Column(_("Requests")),
            _Column(_("Decided")),
            _Column(_("Pending")),
            _Column(_("Median, days")),
            _Column(_("Median: lower bound")),
            _Column(_("Median: upper bound")),
            _Column(_("%(share)s decided within, days") % {"share": "90%"}),
            _Column(_("%(share)s: lower bound") % {"share": "90%"}),
            _Column(_("%(share)s: upper bound") % {"share": "90%"}),
        ),
        rows=[
            (
                group,
                curve.key,
                curve.label,
                curve.requests,
                curve.decided,
                curve.pending,
                curve.median.days,
                curve.median.lower,
                curve.median.upper,
                curve.p90.days,
                curve.p90.lower,
                curve.p90.upper,
            )
            for group, curves in groups
            for curve in curves
        ],
    )


def _backlog_table(publication: "Publication") -> _Table:
    backlog = publication.backlog
    buckets = backlog.buckets()
    rows = [
        (
            str(Direction(row.direction).label),
            str(Kind(row.kind).label),
            *(getattr(row, name) for name, _label in buckets),
            row.total,
        )
        for row in backlog.rows
    ]
    return _Table(
        name=_("Backlog"),
        notes=(_("Requests opened and not decided, by how long they have waited."),),
        facts=((_("Undecided at"), backlog.at),),
        columns=(
            _Column(_("Direction")),
            _Column(_("Kind")),
            *(_Column(str(label)) for _name, label in buckets),
            _Column(_("Total")),
        ),
        rows=rows,
        total=(_("Total"), None, *_column_sums(rows, 2)) if rows else None,
    )


def _partners_table(publication: "Publication") -> _Table:
    year = publication.report.period_to.year
    return _Table(
        name=_("Partner changes"),
        notes=(
            _(
                "Counterpart states whose refusal rate (refused out of decided) in %(year)s "
                "differs significantly (p < 0.05) from %(previous)s."
            )
            % {"year": year, "previous": year - 1},
        ),
        columns=(
            _Column(_("Country")),
            _Column(_("ISO code")),
            _Column(_("Year")),
            _Column(_("Kind")),
            _Column(_("Requests")),
            _Column(_("Decided")),
            _Column(_("Refused")),
            _Column(_("of them for political reasons")),
            _Column(_("Refusal rate"), _PERCENT),
            _Column(_("%(level)s interval: from") % {"level": "95%"}, _PERCENT),
            _Column(_("%(level)s interval: to") % {"level": "95%"}, _PERCENT),
            _Column(_("Refusal rate the year before"), _PERCENT),
            _Column(_("p-value"), _P_VALUE),
            _Column(_("Median days to decision")),
            _Column(_("Grounds cited"), wrap=True),
        ),
        rows=[
            (
                line.name,
                line.country,
                line.year,
                str(Kind(line.kind).label),
                line.requests,
                line.decided,
                line.refused,
                line.refused_political,
                line.refusal_rate,
                line.interval.low if line.interval else None,
                line.interval.high if line.interval else None,
                line.previous_rate,
                line.p_value,
                line.median_days,
                "; ".join(f"{name} ({count})" for _code, name, count in line.grounds),
            )
            for line in publication.partner_changes
        ],
    )


def _requests_write(
    workbook: Workbook, direction: str, rows: Iterable[tuple], rows_limited: bool
) -> None:
    notes = [_("Every request counted in a figure of the period; the flags say in which.")]
    if rows_limited:
        notes.append(
            _(
                "The figures count the whole office; this list shows only the requests of "
                "your units."
            )
        )
    sent = direction == Direction.OUTGOING
    table = _Table(
        name=_("Requests"),
        notes=tuple(notes),
        autofilter=True,
        columns=(
            _Column(_("Our reference")),
            _Column(_("Kind")),
            _Column(_("ISO code")),
            _Column(_("Country")),
            _Column(_("ICCS code")),
            _Column(_("Offence category")),
            _Column(_("Money laundering")),
            _Column(_("Terrorist financing")),
            _Column(_("Legal basis")),
            _Column(_("Sent on") if sent else _("Received on"), _DATE),
            _Column(_("Decided on"), _DATE),
            _Column(_("Decision")),
            _Column(_("Refused for political reasons")),
            _Column(_("Refusal grounds")),
            _Column(_("Persons sought")),
            _Column(_("Days to decision")),
            _Column(_("Sent in the period") if sent else _("Received in the period")),
            _Column(_("Decided in the period")),
            _Column(_("Pending at the end of the period")),
        ),
    )
    widths = _Widths(table.columns)
    with tempfile.TemporaryFile() as spool:
        count = 0
        for row in rows:
            values = _request_values(RequestRow(*row))
            widths.measure(values)
            pickle.dump(values, spool, protocol=pickle.HIGHEST_PROTOCOL)
            count += 1
        spool.seek(0)
        spooled = (pickle.load(spool) for _index in range(count))
        _table_write(workbook, table, rows=spooled, widths=widths, row_count=count)


def _request_values(row: RequestRow) -> tuple:
    return (
        row.reference,
        str(Kind(row.kind).label),
        row.country_code,
        row.country_name,
        row.offence_category or None,
        row.offence_name or None,
        row.money_laundering,
        row.terrorist_financing,
        row.legal_basis or None,
        row.opened_on,
        row.decided_on,
        str(Outcome(row.outcome).label) if row.outcome else None,
        row.political,
        row.refusal_grounds or None,
        row.persons_sought,
        row.days_to_decision,
        row.opened_in_period,
        row.decided_in_period,
        row.pending_at_end,
    )


def _fatf_tables(tables: "FatfTables") -> list[_Table]:
    title = _("FATF statistics, %(year)s") % {"year": tables.year}
    facts = (_as_of_fact(tables.as_of),) if tables.as_of is not None else ()
    labels = {(row.direction, row.kind): row.label for row in tables.rows}
    granted = _("Granted or executed")
    return [
        _Table(
            name=_("Requests"),
            title=title,
            notes=(
                _(
                    "Granted or executed: legal assistance executed in full or in part, or "
                    "extradition granted, in the year. Median execution time: days from the "
                    "opening to that decision."
                ),
            ),
            facts=facts,
            columns=(
                _Column(_("Requests"), wrap=True),
                _Column(_("Made or received in the year")),
                _Column(granted),
                _Column(_("Refused")),
                _Column(_("Withdrawn")),
                _Column(_("Pending at the end of the year")),
                _Column(_("Median execution time, days")),
            ),
            rows=[
                (
                    row.label,
                    row.opened,
                    row.granted,
                    row.refused,
                    row.withdrawn,
                    row.pending_at_end,
                    row.median_execution_days,
                )
                for row in tables.rows
            ],
        ),
        _Table(
            name=_("By offence"),
            title=title,
            notes=(
                _(
                    "Money laundering (ML) and terrorist financing (TF) are shown apart and "
                    "also counted under their offence category."
                ),
            ),
            facts=facts,
            columns=(
                _Column(_("Requests"), wrap=True),
                _Column(_("Code")),
                _Column(_("Offence"), wrap=True),
                _Column(_("Made or received in the year")),
                _Column(granted),
                _Column(_("Refused")),
                _Column(_("Pending at the end of the year")),
            ),
            rows=[
                (
                    labels.get((row.direction, row.kind), ""),
                    row.key or None,
                    row.label,
                    row.opened,
                    row.granted,
                    row.refused,
                    row.pending_at_end,
                )
                for row in tables.offences
            ],
        ),
    ]


def _period_label(report: Report) -> str:
    if report.is_whole_years:
        first, last = report.period_from.year, report.period_to.year
        return str(first) if first == last else f"{first}–{last}"
    return f"{report.period_from.isoformat()} – {report.period_to.isoformat()}"


def _as_of_fact(as_of: datetime | None) -> tuple[object, ...]:
    if as_of is None:
        return (_("Figures as known at"), _("the register as it stands"))
    if timezone.is_aware(as_of):
        # Excel has no time zones: the moment is shown on the server's clock, which is named.
        return (
            _("Figures as known at"),
            timezone.localtime(as_of).replace(tzinfo=None),
            timezone.get_current_timezone_name(),
        )
    return (_("Figures as known at"), as_of)


def _opened_decided_note() -> str:
    return _(
        "Opened: requests sent or received in the period. Fulfilled, granted, refused: "
        "decisions taken in the period."
    )


def _header_width(title: str) -> int:
    longest_word = max((len(word) for word in title.split()), default=0)
    return max(longest_word, min(len(title), _HEADER_LINE))


def _value_width(value: object, number_format: str | None) -> int:
    if value is None:
        return 0
    if isinstance(value, bool):
        return 6  # TRUE, FALSE, ИСТИНА, ЛОЖЬ
    if isinstance(value, datetime):
        return len(_MOMENT)
    if isinstance(value, date):
        return len(_MONTH if number_format == _MONTH else _DATE)
    if isinstance(value, int | float) and number_format == _PERCENT:
        return len(f"{value:.1%}")
    if isinstance(value, int):
        return len(str(value))
    if isinstance(value, float):
        return len(f"{value:.4f}") if number_format == _P_VALUE else len(f"{value:g}")
    return len(str(value))


def _table_write(
    workbook: Workbook,
    table: _Table,
    *,
    rows: Iterable[Sequence[object]] | None = None,
    widths: _Widths | None = None,
    row_count: int | None = None,
) -> None:
    """Write `table` as a new sheet; `rows`, measured in `widths`, stand in for its rows."""
    if rows is None:
        rows, row_count = table.rows, len(table.rows)
    if widths is None:
        widths = _Widths(table.columns)
        for values in (*table.facts, *table.rows, *([table.total] if table.total else [])):
            widths.measure(values)
    sheet = workbook.create_sheet(table.name[:31])
    for index, width in enumerate(widths.final(), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    leading = int(bool(table.title)) + len(table.notes) + len(table.facts)
    header_row = leading + 1 + int(leading > 0)  # a blank row between the lead and the table
    sheet.freeze_panes = f"A{header_row + 1}"
    if table.title:
        sheet.append([_cell(sheet, table.title, font=_TITLE_FONT)])
    for note in table.notes:
        sheet.append([_cell(sheet, note, font=_NOTE_FONT)])
    for fact in table.facts:
        sheet.append([_cell(sheet, fact[0], font=_FACT_FONT), *(_fact(sheet, v) for v in fact[1:])])
    if leading:
        sheet.append([])
    sheet.append(
        [
            _cell(sheet, column.title, font=_HEADER_FONT, fill=_HEADER_FILL, alignment=_WRAP)
            for column in table.columns
        ]
    )
    formats = [column.number_format for column in table.columns]
    wrapped = [column.wrap for column in table.columns]
    for values in rows:
        sheet.append(_body(sheet, values, formats, wrapped))
    if table.total is not None:
        sheet.append(
            [
                _cell(sheet, value, font=_HEADER_FONT, number_format=f)
                for value, f in zip(table.total, formats, strict=False)
            ]
        )
    if table.autofilter:
        last = get_column_letter(len(table.columns))
        sheet.auto_filter.ref = f"A{header_row}:{last}{header_row + max(row_count or 0, 1)}"


def _body(
    sheet, values: Sequence[object], formats: list[str | None], wrapped: list[bool]
) -> list[object]:
    cells: list[object] = []
    for value, number_format, wrap in zip(values, formats, wrapped, strict=False):
        if value is None:
            cells.append(None)
        elif number_format is not None or wrap or isinstance(value, date):
            cells.append(
                _cell(
                    sheet,
                    value,
                    number_format=number_format or _date_format(value),
                    alignment=_WRAP if wrap else None,
                )
            )
        else:
            cells.append(xlsx_value(sheet, value))
    return cells


def _fact(sheet, value: object) -> object:
    if isinstance(value, date):
        return _cell(
            sheet, value, number_format=_date_format(value), alignment=Alignment(horizontal="left")
        )
    return xlsx_value(sheet, value)


def _date_format(value: object) -> str | None:
    if isinstance(value, datetime):
        return _MOMENT
    if isinstance(value, date):
        return _DATE
    return None


def _cell(
    sheet,
    value: object,
    *,
    font: Font | None = None,
    fill: PatternFill | None = None,
    alignment: Alignment | None = None,
    number_format: str | None = None,
) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if xlsx_text_needed(value):
        cell.data_type = "s"  # text a user typed, such as a unit's name, is never a formula
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if alignment is not None:
        cell.alignment = alignment
    if number_format is not None:
        cell.number_format = number_format
    return cell
