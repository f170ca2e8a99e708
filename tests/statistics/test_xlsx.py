"""The XLSX workbooks: every number of the report can be found, and checked, in a cell.

The first tests render Report v1 alone with no database: pytest-django fails any query, so
they also show that the renderer never touches the ORM. The published report's workbook is
rendered once from the seed register (in a transaction rolled back afterwards) and read back
with openpyxl, to compare each cell with the figures the other interfaces show.
"""

import io
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from rogatory.intake.services import register_import
from rogatory.register.models import Event, Kind, Outcome, Request
from rogatory.statistics.fatf import fatf_tables
from rogatory.statistics.figures import Report
from rogatory.statistics.publication import Publication, publication_build
from rogatory.statistics.rows import RequestRow, report_request_rows, report_request_rows_limited
from rogatory.statistics.xlsx import render_fatf_xlsx, render_publication_xlsx
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

YEAR_2023 = {"period_from": date(2023, 1, 1), "period_to": date(2023, 12, 31)}
PUBLICATION_SHEETS = [
    "Summary",
    "Refusals by country",
    "Refusals by ground",
    "By offence",
    "By month",
    "Refusals by year",
    "Persons sought",
    "Time to decision",
    "Backlog",
    "Partner changes",
    "Requests",
]


@dataclass(frozen=True)
class Rendered:
    """A publication, the request rows rendered with it, and the workbook read back."""

    publication: Publication
    rows: list[RequestRow]
    workbook: Workbook

    @property
    def report(self) -> Report:
        return self.publication.report


def render(publication: Publication, rows: list[RequestRow], *, limited: bool = False):
    """Render the workbook, which must not query: the rows are all it gets of the register."""
    with CaptureQueriesContext(connection) as queries:
        content = render_publication_xlsx(publication, rows=iter(rows), rows_limited=limited)
    assert len(queries) == 0, queries.captured_queries
    return Rendered(publication, rows, load_workbook(io.BytesIO(content)))


def build(direction: str = "outgoing", language: str = "en", user=None, as_of=None):
    period = {**YEAR_2023, "direction": direction, "as_of": as_of}
    publication = publication_build(**period, language=language)
    rows = list(report_request_rows(**period, user=user, language=language))
    return render(publication, rows, limited=report_request_rows_limited(user=user))


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, shared_dir) -> dict[str, Rendered]:
    """The seed register's workbooks, outgoing and incoming, rendered in a rolled-back import."""
    with django_db_blocker.unblock(), transaction.atomic():
        register_import(actor=None, path=shared_dir / "data" / "seed-2023.csv")
        rendered = {direction: build(direction) for direction in ("outgoing", "incoming")}
        transaction.set_rollback(True)
    return rendered


def table(sheet, *, header: str) -> list[dict[str, object]]:
    """Return the rows below the header row whose first cell is `header`, as dicts by header."""
    rows = list(sheet.iter_rows(values_only=True))
    start = next(index for index, row in enumerate(rows) if row[0] == header)
    titles = [
        title if title not in rows[start][:index] else f"{title} ({index})"
        for index, title in enumerate(rows[start])
    ]
    return [dict(zip(titles, row, strict=True)) for row in rows[start + 1 :]]


def same_moment(cell: datetime, moment: datetime) -> bool:
    """Return whether a cell shows `moment` on the server's clock, to Excel's millisecond."""
    return abs(cell - timezone.localtime(moment).replace(tzinfo=None)) < timedelta(milliseconds=1)


def header_row(sheet, header: str) -> int:
    return next(row[0].row for row in sheet.iter_rows() if row[0].value == header)


def test_publication_xlsx_has_a_sheet_per_table_and_the_requests(seeded):
    assert seeded["outgoing"].workbook.sheetnames == PUBLICATION_SHEETS


@pytest.mark.parametrize("direction", ["outgoing", "incoming"])
def test_publication_xlsx_summary_holds_every_figure_of_both_periods(seeded, direction):
    rendered = seeded[direction]
    lines = {line["Code"]: line for line in table(rendered.workbook["Summary"], header="Figure")}
    for report, period in ((rendered.report, "2023"), (rendered.publication.previous, "2022")):
        for kind, column in (("mla", "Legal assistance"), ("extradition", "Extradition")):
            for key, value in getattr(report, kind).as_dict().items():
                if isinstance(value, dict):
                    continue
                assert lines[key][f"{column}, {period}"] == value, (period, kind, key)
    # Figures a kind lacks are blank, not zero.
    assert lines["granted"]["Legal assistance, 2023"] is None
    assert lines["executed"]["Extradition, 2023"] is None


def test_publication_xlsx_summary_states_period_direction_and_moment(seeded):
    sheet = seeded["outgoing"].workbook["Summary"]
    facts = {row[0]: row[1:] for row in sheet.iter_rows(max_row=6, values_only=True)}
    assert facts["Period"][:2] == (datetime(2023, 1, 1), datetime(2023, 12, 31))
    assert facts["Previous period"][:2] == (datetime(2022, 1, 1), datetime(2022, 12, 31))
    assert facts["Direction"][0] == "outgoing"
    assert facts["Figures as known at"][0] == "the register as it stands"
    assert sheet["B2"].number_format == "yyyy-mm-dd"


@pytest.mark.parametrize("direction", ["outgoing", "incoming"])
def test_publication_xlsx_refusals_by_country_equal_the_report(seeded, direction):
    rendered = seeded[direction]
    lines = table(rendered.workbook["Refusals by country"], header="Country")
    by_code = {line["ISO code"]: line for line in lines if line["Country"] != "Total"}
    mla, extradition = rendered.report.mla, rendered.report.extradition
    assert set(by_code) == set(mla.refused_by_country) | set(extradition.refused_by_country)
    for code, line in by_code.items():
        cells = list(line.values())[2:6]
        assert cells == [
            mla.refused_by_country.get(code, 0),
            mla.refused_political_by_country.get(code, 0),
            extradition.refused_by_country.get(code, 0),
            extradition.refused_political_by_country.get(code, 0),
        ], code
    total = list(lines[-1].values())
    assert total[0] == "Total"
    assert total[2:] == [
        mla.refused,
        mla.refused_political,
        extradition.refused,
        extradition.refused_political,
        mla.refused + extradition.refused,
    ]


def test_publication_xlsx_refusals_by_ground_equal_the_report_with_articles(seeded):
    rendered = seeded["outgoing"]
    lines = table(rendered.workbook["Refusals by ground"], header="Refusal ground")
    report = rendered.report
    by_code = {line["Code"]: line for line in lines}
    assert set(by_code) == set(report.mla.refused_by_ground) | set(
        report.extradition.refused_by_ground
    )
    for code, line in by_code.items():
        assert line["Legal assistance"] == report.mla.refused_by_ground.get(code, 0), code
        assert line["Extradition"] == report.extradition.refused_by_ground.get(code, 0), code
        articles = rendered.publication.ground_articles[code]
        assert (line["Treaty articles"] or "") == "; ".join(articles), code
    assert by_code["political_offence"]["Treaty articles"].startswith("ECE-1957 3(1)")


def test_publication_xlsx_offences_and_months_add_up_to_the_report(seeded):
    rendered = seeded["outgoing"]
    report = rendered.report
    expected = [
        report.mla.sent,
        report.mla.fulfilled,
        report.mla.refused,
        report.mla.refused_political,
        report.extradition.sent,
        report.extradition.granted,
        report.extradition.refused,
        report.extradition.refused_political,
    ]
    for name, header, first in (("By offence", "Offence category", 2), ("By month", "Month", 1)):
        lines = table(rendered.workbook[name], header=header)
        assert list(lines[-1].values())[first:] == expected, name
        body = [list(line.values())[first:] for line in lines[:-1]]
        assert [sum(column) for column in zip(*body, strict=True)] == expected, name
    months = table(rendered.workbook["By month"], header="Month")[:-1]
    assert [line["Month"] for line in months] == [datetime(2023, m, 1) for m in range(1, 13)]
    assert rendered.workbook["By month"]["A5"].number_format == "yyyy-mm"


def test_publication_xlsx_offences_per_category_equal_the_breakdown(seeded):
    rendered = seeded["outgoing"]
    lines = table(rendered.workbook["By offence"], header="Offence category")
    for line, offence in zip(lines, rendered.publication.offences, strict=False):
        assert line["ICCS code"] == (offence.code or None)
        assert list(line.values())[2:] == [
            offence.mla.opened,
            offence.mla.fulfilled,
            offence.mla.refused,
            offence.mla.refused_political,
            offence.extradition.opened,
            offence.extradition.fulfilled,
            offence.extradition.refused,
            offence.extradition.refused_political,
        ]


def test_publication_xlsx_refusals_by_year_end_with_the_period(seeded):
    rendered = seeded["outgoing"]
    lines = table(rendered.workbook["Refusals by year"], header="Year")
    last = lines[-1]
    report = rendered.report
    assert last["Year"] == 2023
    assert last["Total refused"] == report.mla.refused + report.extradition.refused
    assert last["Legal assistance: refused for political reasons"] == report.mla.refused_political
    assert len(lines) == len(rendered.publication.refusal_trend)


def test_publication_xlsx_persons_sought_equal_the_person_figures(seeded):
    rendered = seeded["outgoing"]
    persons = rendered.publication.persons
    lines = table(rendered.workbook["Persons sought"], header="Figure")
    assert [(line["Requests"], line["Persons"]) for line in lines] == [
        (persons.requests_opened, persons.persons_requested),
        (persons.requests_granted, persons.persons_granted),
        (persons.requests_surrendered, persons.persons_surrendered),
        (persons.requests_refused, persons.persons_refused),
        (persons.requests_pending, persons.persons_pending),
    ]
    assert lines[1]["Persons"] == rendered.report.extradition.granted_persons


def test_publication_xlsx_time_to_decision_shows_medians_with_bounds(seeded):
    rendered = seeded["outgoing"]
    timing = rendered.publication.time_to_decision
    curves = [*timing.by_kind, *timing.by_direction, *timing.by_country]
    lines = table(rendered.workbook["Time to decision"], header="Breakdown")
    assert len(lines) == len(curves)
    for line, curve in zip(lines, curves, strict=True):
        assert list(line.values())[1:] == [
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
        ]


def test_publication_xlsx_backlog_equals_the_backlog(seeded):
    rendered = seeded["outgoing"]
    backlog = rendered.publication.backlog
    sheet = rendered.workbook["Backlog"]
    lines = table(sheet, header="Direction")
    for line, row in zip(lines, backlog.rows, strict=False):
        assert list(line.values())[2:] == [
            row.under_3_months,
            row.months_3_to_6,
            row.months_6_to_12,
            row.years_1_to_2,
            row.over_2_years,
            row.total,
        ]
    assert lines[-1]["Total"] == sum(row.total for row in backlog.rows)
    outgoing = [line for line in lines if line["Direction"] == "outgoing"]
    assert sum(line["Total"] for line in outgoing) == (
        rendered.report.mla.pending_at_end + rendered.report.extradition.pending_at_end
    )
    assert sheet["B2"].value == datetime(2023, 12, 31)


@pytest.mark.parametrize("direction", ["outgoing", "incoming"])
def test_publication_xlsx_requests_reproduce_the_figures(seeded, direction):
    rendered = seeded[direction]
    report = rendered.report
    rows = table(rendered.workbook["Requests"], header="Our reference")
    assert len(rows) == len(rendered.rows)
    opened = "Sent in the period" if direction == "outgoing" else "Received in the period"
    decided = [row for row in rows if row["Decided in the period"]]
    refused = [row for row in decided if row["Decision"] == "refused"]
    assert len(refused) == report.mla.refused + report.extradition.refused
    assert sum(1 for row in refused if row["Refused for political reasons"]) == (
        report.mla.refused_political + report.extradition.refused_political
    )
    grounds = Counter(code for row in refused for code in row["Refusal grounds"].split(";"))
    assert grounds == Counter(report.mla.refused_by_ground) + Counter(
        report.extradition.refused_by_ground
    )
    assert sum(1 for row in rows if row[opened]) == report.mla.sent + report.extradition.sent
    assert sum(1 for row in rows if row["Pending at the end of the period"]) == (
        report.mla.pending_at_end + report.extradition.pending_at_end
    )
    assert sum(
        row["Persons sought"] for row in decided if row["Decision"] == "extradition granted"
    ) == (report.extradition.granted_persons)
    fulfilled = ("executed", "partially executed")
    assert sum(1 for row in decided if row["Decision"] in fulfilled) == report.mla.fulfilled
    countries = Counter(row["ISO code"] for row in refused if row["Kind"] == "legal assistance")
    assert countries == Counter(report.mla.refused_by_country)


def test_publication_xlsx_requests_have_real_dates_frozen_header_and_filter(seeded):
    sheet = seeded["outgoing"].workbook["Requests"]
    header = header_row(sheet, "Our reference")
    titles = [cell.value for cell in sheet[header]]
    opened = sheet.cell(row=header + 1, column=titles.index("Sent on") + 1)
    decided = sheet.cell(row=header + 1, column=titles.index("Decided on") + 1)
    assert isinstance(opened.value, datetime) and opened.is_date
    assert opened.number_format == decided.number_format == "yyyy-mm-dd"
    assert sheet.freeze_panes == f"A{header + 1}"
    assert sheet.auto_filter.ref == f"A{header}:S{sheet.max_row}"
    assert all(
        cell.font.bold and cell.fill.fgColor.rgb.endswith("E7EEF7") for cell in sheet[header]
    )
    flags = [sheet.cell(row=header + 1, column=c).value for c in range(17, 20)]
    assert all(isinstance(flag, bool) for flag in flags)


def test_publication_xlsx_requests_say_nothing_of_limits_for_the_whole_office(seeded):
    sheet = seeded["outgoing"].workbook["Requests"]
    notes = [row[0] for row in sheet.iter_rows(max_row=3, values_only=True)]
    assert not any(note and "your units" in note for note in notes)


def test_publication_xlsx_every_table_has_a_bold_frozen_header(seeded):
    workbook = seeded["outgoing"].workbook
    for sheet in workbook.worksheets:
        row = int(sheet.freeze_panes[1:]) - 1
        cells = [cell for cell in sheet[row] if cell.value is not None]
        assert cells, sheet.title
        assert all(cell.font.bold and cell.fill.fill_type == "solid" for cell in cells), sheet.title


def test_publication_xlsx_columns_fit_their_longest_value(seeded):
    workbook = seeded["outgoing"].workbook
    sheet = workbook["Requests"]
    references = [row[0] for row in sheet.iter_rows(min_row=4, values_only=True)]
    width = sheet.column_dimensions["A"].width
    assert max(len(reference) for reference in references) <= width <= 30
    for sheet in workbook.worksheets:
        for dimension in sheet.column_dimensions.values():
            assert 6 <= dimension.width <= 60, sheet.title


@pytest.mark.django_db
def test_publication_xlsx_for_a_clerk_lists_their_units_requests_and_says_so():
    mine, other = UnitFactory(code="unit-a"), UnitFactory(code="unit-b")
    clerk = UserFactory(units=[mine])
    make_request(reference="MINE", unit=mine, outcome=Outcome.REFUSED, decided_on=date(2023, 5, 1))
    make_request(
        reference="OTHER", unit=other, outcome=Outcome.REFUSED, decided_on=date(2023, 5, 1)
    )
    rendered = build(user=clerk)
    sheet = rendered.workbook["Requests"]
    notes = [row[0] for row in sheet.iter_rows(max_row=3, values_only=True)]
    assert notes[1] == (
        "The figures count the whole office; this list shows only the requests of your units."
    )
    assert [row["Our reference"] for row in table(sheet, header="Our reference")] == ["MINE"]
    summary = {line["Code"]: line for line in table(rendered.workbook["Summary"], header="Figure")}
    assert summary["refused"]["Legal assistance, 2023"] == 2


@pytest.mark.django_db
def test_publication_xlsx_shows_refusal_rates_of_partner_changes_as_percentages():
    for year, outcome in ((2022, Outcome.EXECUTED), (2023, Outcome.REFUSED)):
        for _index in range(8):
            make_request(
                country="LV",
                opened_on=date(year, 2, 1),
                outcome=outcome,
                decided_on=date(year, 3, 1),
            )
    rendered = build()
    change = rendered.publication.partner_changes[0]
    sheet = rendered.workbook["Partner changes"]
    lines = table(sheet, header="Country")
    assert len(lines) == 1
    line = lines[0]
    assert (line["ISO code"], line["Year"], line["Refused"]) == ("LV", 2023, 8)
    assert line["Refusal rate"] == change.refusal_rate == 1.0
    assert line["Refusal rate the year before"] == 0.0
    assert line["p-value"] == pytest.approx(change.p_value)
    assert line["95% interval: from"] == pytest.approx(change.interval.low)
    rate = sheet.cell(row=header_row(sheet, "Country") + 1, column=9)
    assert rate.number_format == "0.0%"
    assert "dual_criminality" not in line["Grounds cited"]
    assert "(8)" in line["Grounds cited"]


@pytest.mark.django_db
def test_publication_xlsx_as_of_a_moment_states_it_and_lists_what_was_then_known():
    make_request(reference="LATE", outcome=Outcome.REFUSED, decided_on=date(2023, 5, 1))
    moment = timezone.now()
    Event.objects.filter(type=Event.Type.DECIDED).update(recorded_at=moment + timedelta(hours=1))
    rendered = build(as_of=moment)
    facts = {
        row[0]: row[1:]
        for row in rendered.workbook["Summary"].iter_rows(max_row=6, values_only=True)
    }
    known = facts["Figures as known at"]
    assert same_moment(known[0], moment)
    assert known[1] == "UTC"
    rows = table(rendered.workbook["Requests"], header="Our reference")
    assert [(row["Decision"], row["Pending at the end of the period"]) for row in rows] == [
        (None, True)
    ]


@pytest.mark.django_db
def test_publication_xlsx_of_an_empty_register():
    rendered = build()
    sheet = rendered.workbook["Requests"]
    assert table(sheet, header="Our reference") == []
    header = header_row(sheet, "Our reference")
    assert sheet.auto_filter.ref == f"A{header}:S{header + 1}"
    summary = {line["Code"]: line for line in table(rendered.workbook["Summary"], header="Figure")}
    assert summary["refused"]["Legal assistance, 2023"] == 0
    assert summary["median_days_to_decision"]["Legal assistance, 2023"] is None


@pytest.mark.django_db
def test_publication_xlsx_in_russian_labels_figures_in_russian():
    make_request(country="CH")
    rendered = build(language="ru")
    summary = rendered.workbook["Сводка"]
    figures = {row[-1]: row[0] for row in summary.iter_rows(min_row=8, values_only=True)}
    assert figures["sent"] == "Направлено"
    rows = table(rendered.workbook["Запросы"], header="Наш номер")
    assert rows[0]["Государство"] == "Швейцария"


# --- The FATF workbook --------------------------------------------------------------------------


@pytest.mark.django_db
def test_fatf_xlsx_equals_the_fatf_tables():
    make_request(
        kind=Kind.MLA,
        opened_on=date(2023, 2, 1),
        outcome=Outcome.EXECUTED,
        decided_on=date(2023, 4, 1),
    )
    laundering = make_request(kind=Kind.EXTRADITION, opened_on=date(2023, 3, 1))
    Request.objects.filter(pk=laundering.pk).update(money_laundering=True)
    make_request(direction="incoming", outcome=Outcome.REFUSED, decided_on=date(2023, 6, 1))
    tables = fatf_tables(year=2023, language="en")
    workbook = load_workbook(io.BytesIO(render_fatf_xlsx(tables, language="en")))
    assert workbook.sheetnames == ["Requests", "By offence"]
    lines = table(workbook["Requests"], header="Requests")
    assert [tuple(line.values()) for line in lines] == [
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
    ]
    assert lines[0]["Median execution time, days"] == 59
    offences = table(workbook["By offence"], header="Requests")
    assert [tuple(line.values())[1:] for line in offences] == [
        (row.key or None, row.label, row.opened, row.granted, row.refused, row.pending_at_end)
        for row in tables.offences
    ]
    laundering_line = next(
        line
        for line in offences
        if line["Code"] == "ML" and line["Requests"] == "Extradition requests made"
    )
    assert laundering_line["Made or received in the year"] == 1
    for sheet in workbook.worksheets:
        assert sheet["A1"].value == "FATF statistics, 2023"
        assert sheet["A1"].font.bold


@pytest.mark.django_db
def test_fatf_xlsx_names_the_moment_when_taken_as_known_at_it():
    moment = timezone.now()
    tables = fatf_tables(year=2023, language="en", as_of=moment)
    sheet = load_workbook(io.BytesIO(render_fatf_xlsx(tables, language="en")))["Requests"]
    assert sheet["A3"].value == "Figures as known at"
    assert same_moment(sheet["B3"].value, moment)
    assert sheet["B3"].number_format == "yyyy-mm-dd hh:mm:ss"
    without = fatf_tables(year=2023, language="en")
    plain = load_workbook(io.BytesIO(render_fatf_xlsx(without, language="en")))["Requests"]
    assert "Figures as known at" not in [row[0] for row in plain.iter_rows(values_only=True)]
