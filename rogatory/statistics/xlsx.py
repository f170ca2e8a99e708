"""The period report as an XLSX workbook, and the labelled figures the report page shows too.

The workbook has three sheets: the figures with their labels, refusals by country and refusals
by ground. Like the other renderers it works on the Report dataclass and never queries; names
of countries and grounds come in as maps.
"""

import io
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from rogatory.register.models import Direction

from .figures import Report

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The figures in the order a reader takes them in: what came in, what was decided, what is left.
# A figure missing from a kind (granted for MLA, executed for extradition) is left blank.
_FIGURES: tuple[tuple[str, object], ...] = (
    ("sent", None),  # labelled by direction
    ("executed", gettext_lazy("Executed")),
    ("partially_executed", gettext_lazy("Partially executed")),
    ("fulfilled", gettext_lazy("Fulfilled (executed in full or in part)")),
    ("granted", gettext_lazy("Extradition granted")),
    ("granted_persons", gettext_lazy("Persons to be extradited")),
    ("refused", gettext_lazy("Refused")),
    ("refused_political", gettext_lazy("Refused for political reasons")),
    ("refused_persons", gettext_lazy("Persons in refused requests")),
    ("withdrawn", gettext_lazy("Withdrawn")),
    ("pending_at_end", gettext_lazy("Pending at the end of the period")),
    ("median_days_to_decision", gettext_lazy("Median days to decision")),
)
_OPENED = {
    Direction.OUTGOING: pgettext_lazy("requests", "Sent"),
    Direction.INCOMING: pgettext_lazy("requests", "Received"),
}

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="E7EEF7")
_TITLE_FONT = Font(bold=True, size=14)
_WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class FigureLine:
    """One figure of the report with its label; a value is None where the kind lacks it."""

    key: str
    label: str
    mla: int | float | None
    extradition: int | float | None
    mla_applies: bool
    extradition_applies: bool


@dataclass(frozen=True)
class CountryLine:
    """Refusals by one country, both kinds."""

    code: str
    name: str
    mla_refused: int
    mla_political: int
    extradition_refused: int
    extradition_political: int

    @property
    def total(self) -> int:
        return self.mla_refused + self.extradition_refused


@dataclass(frozen=True)
class GroundLine:
    """Refused requests citing one ground, both kinds."""

    code: str
    name: str
    mla: int
    extradition: int

    @property
    def total(self) -> int:
        return self.mla + self.extradition


def figure_lines(report: Report) -> list[FigureLine]:
    """Return every figure of the report with its label in the active language."""
    mla, extradition = report.mla.as_dict(), report.extradition.as_dict()
    lines = []
    for key, label in _FIGURES:
        lines.append(
            FigureLine(
                key=key,
                label=str(label if label is not None else _OPENED[report.direction]),
                mla=mla.get(key),
                extradition=extradition.get(key),
                mla_applies=key in mla,
                extradition_applies=key in extradition,
            )
        )
    return lines


def country_lines(report: Report, country_names: Mapping[str, str]) -> list[CountryLine]:
    """Return refusals by country, most refusals first, then by name."""
    codes = set(report.mla.refused_by_country) | set(report.extradition.refused_by_country)
    lines = [
        CountryLine(
            code=code,
            name=country_names.get(code, code),
            mla_refused=report.mla.refused_by_country.get(code, 0),
            mla_political=report.mla.refused_political_by_country.get(code, 0),
            extradition_refused=report.extradition.refused_by_country.get(code, 0),
            extradition_political=report.extradition.refused_political_by_country.get(code, 0),
        )
        for code in codes
    ]
    return sorted(lines, key=lambda line: (-line.total, line.name.casefold()))


def ground_lines(report: Report, ground_names: Mapping[str, str]) -> list[GroundLine]:
    """Return refused requests by ground, most cited first, then by name."""
    codes = set(report.mla.refused_by_ground) | set(report.extradition.refused_by_ground)
    lines = [
        GroundLine(
            code=code,
            name=ground_names.get(code, code),
            mla=report.mla.refused_by_ground.get(code, 0),
            extradition=report.extradition.refused_by_ground.get(code, 0),
        )
        for code in codes
    ]
    return sorted(lines, key=lambda line: (-line.total, line.name.casefold()))


def render_xlsx(
    report: Report,
    *,
    language: str,
    country_names: Mapping[str, str],
    ground_names: Mapping[str, str] | None = None,
) -> bytes:
    """Return the report as an XLSX workbook in `language`; grounds named by code if not given."""
    with translation.override(language):
        workbook = Workbook()
        _summary_sheet(workbook.active, report)
        _country_sheet(workbook.create_sheet(), report, country_names)
        _ground_sheet(workbook.create_sheet(), report, ground_names or {})
        stream = io.BytesIO()
        workbook.save(stream)
    return stream.getvalue()


def _summary_sheet(sheet: Worksheet, report: Report) -> None:
    sheet.title = _("Summary")
    sheet.append([_("Rogatory report")])
    sheet["A1"].font = _TITLE_FONT
    sheet.append([_("Period"), report.period_from, report.period_to])
    sheet.append([_("Direction"), str(Direction(report.direction).label)])
    for cell in ("B2", "C2"):
        sheet[cell].number_format = "yyyy-mm-dd"
        sheet[cell].alignment = Alignment(horizontal="left")
    sheet.append([])
    header_row = sheet.max_row + 1
    _header(sheet, [_("Figure"), _("Legal assistance"), _("Extradition"), _("Code")])
    for line in figure_lines(report):
        sheet.append([line.label, line.mla, line.extradition, line.key])
    for row in sheet.iter_rows(min_row=header_row + 1, min_col=2, max_col=3):
        for cell in row:
            cell.number_format = "#,##0.#" if isinstance(cell.value, float) else "#,##0"
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    _widths(sheet, [44, 18, 18, 26])


def _country_sheet(sheet: Worksheet, report: Report, country_names: Mapping[str, str]) -> None:
    sheet.title = _("Refusals by country")
    _header(
        sheet,
        [
            _("Country"),
            _("ISO code"),
            _("Legal assistance: refused"),
            _("of them for political reasons"),
            _("Extradition: refused"),
            _("of them for political reasons"),
        ],
    )
    for line in country_lines(report, country_names):
        sheet.append(
            [
                line.name,
                line.code,
                line.mla_refused,
                line.mla_political,
                line.extradition_refused,
                line.extradition_political,
            ]
        )
    _total(
        sheet,
        [
            _("Total"),
            None,
            report.mla.refused,
            report.mla.refused_political,
            report.extradition.refused,
            report.extradition.refused_political,
        ],
    )
    sheet.freeze_panes = "A2"
    _widths(sheet, [32, 10, 16, 16, 16, 16])


def _ground_sheet(sheet: Worksheet, report: Report, ground_names: Mapping[str, str]) -> None:
    sheet.title = _("Refusals by ground")
    _header(sheet, [_("Refusal ground"), _("Code"), _("Legal assistance"), _("Extradition")])
    for line in ground_lines(report, ground_names):
        sheet.append([line.name, line.code, line.mla, line.extradition])
    for row in sheet.iter_rows(min_row=2, max_col=1):
        row[0].alignment = _WRAP
    sheet.freeze_panes = "A2"
    _widths(sheet, [60, 34, 18, 18])


def _header(sheet: Worksheet, titles: list[str]) -> None:
    sheet.append(titles)
    for cell in sheet[sheet.max_row]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")


def _total(sheet: Worksheet, values: list[object]) -> None:
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        cell.font = _HEADER_FONT


def _widths(sheet: Worksheet, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
