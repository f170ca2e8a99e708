"""The XLSX renderer: three sheets of labelled figures, numbers as numbers, no database.

These tests have no database: pytest-django fails any query, so they also show that the
renderer never touches the ORM.
"""

import io
from datetime import date

from openpyxl import load_workbook

from rogatory.statistics.figures import ExtraditionFigures, MlaFigures, Report
from rogatory.statistics.xlsx import country_lines, figure_lines, ground_lines, render_xlsx

REPORT = Report(
    period_from=date(2023, 1, 1),
    period_to=date(2023, 12, 31),
    direction="outgoing",
    mla=MlaFigures(
        sent=276,
        executed=370,
        partially_executed=6,
        refused=66,
        refused_political=34,
        refused_by_country={"CH": 60, "LV": 6},
        refused_political_by_country={"CH": 30, "LV": 4},
        refused_by_ground={"political_offence": 34, "dual_criminality": 40},
        pending_at_end=170,
        median_days_to_decision=205.5,
    ),
    extradition=ExtraditionFigures(
        sent=141,
        granted=149,
        granted_persons=151,
        refused=114,
        refused_persons=114,
        refused_political=38,
        refused_by_country={"ES": 114},
        refused_political_by_country={"ES": 38},
        refused_by_ground={"political_offence": 21},
        median_days_to_decision=None,
    ),
)
NAMES = {"CH": "Switzerland", "LV": "Latvia", "ES": "Spain"}
GROUNDS = {"political_offence": "Political offence", "dual_criminality": "No dual criminality"}


def _workbook(**kwargs):
    content = render_xlsx(REPORT, language="en", country_names=NAMES, **kwargs)
    return load_workbook(io.BytesIO(content))


def _summary(workbook) -> dict[str, tuple]:
    return {
        row[3]: (row[0], row[1], row[2])
        for row in workbook.worksheets[0].iter_rows(min_row=6, values_only=True)
    }


def test_render_xlsx_has_three_sheets():
    assert _workbook().sheetnames == ["Summary", "Refusals by country", "Refusals by ground"]


def test_render_xlsx_summary_labels_each_figure_with_numbers_as_numbers():
    summary = _summary(_workbook())
    assert summary["sent"] == ("Sent", 276, 141)
    assert summary["fulfilled"] == ("Fulfilled (executed in full or in part)", 376, None)
    assert summary["refused_political"] == ("Refused for political reasons", 34, 38)
    assert summary["granted_persons"] == ("Persons to be extradited", None, 151)
    assert summary["median_days_to_decision"] == ("Median days to decision", 205.5, None)
    assert isinstance(summary["refused"][1], int)


def test_render_xlsx_summary_names_period_and_direction():
    sheet = _workbook()["Summary"]
    assert sheet["A1"].value == "Rogatory report"
    assert sheet["B2"].value.date() == date(2023, 1, 1)
    assert sheet["C2"].value.date() == date(2023, 12, 31)
    assert sheet["B3"].value == "outgoing"


def test_render_xlsx_incoming_labels_openings_as_received():
    incoming = Report(
        period_from=REPORT.period_from,
        period_to=REPORT.period_to,
        direction="incoming",
        mla=REPORT.mla,
        extradition=REPORT.extradition,
    )
    workbook = load_workbook(io.BytesIO(render_xlsx(incoming, language="en", country_names={})))
    assert _summary(workbook)["sent"][0] == "Received"


def test_render_xlsx_headers_are_bold_and_columns_wide():
    workbook = _workbook()
    for sheet in workbook.worksheets:
        header_row = 5 if sheet.title == "Summary" else 1
        assert all(cell.font.bold for cell in sheet[header_row] if cell.value), sheet.title
        assert sheet.column_dimensions["A"].width >= 30, sheet.title


def test_render_xlsx_refusals_by_country_most_first_with_total():
    rows = list(_workbook()["Refusals by country"].iter_rows(values_only=True))
    assert rows[1] == ("Spain", "ES", 0, 0, 114, 38)
    assert rows[2] == ("Switzerland", "CH", 60, 30, 0, 0)
    assert rows[3] == ("Latvia", "LV", 6, 4, 0, 0)
    assert rows[-1] == ("Total", None, 66, 34, 114, 38)


def test_render_xlsx_refusals_by_ground_named_when_names_given():
    rows = list(
        _workbook(ground_names=GROUNDS)["Refusals by ground"].iter_rows(min_row=2, values_only=True)
    )
    assert rows == [
        ("Political offence", "political_offence", 34, 21),
        ("No dual criminality", "dual_criminality", 40, 0),
    ]


def test_render_xlsx_refusals_by_ground_fall_back_to_codes():
    rows = list(_workbook()["Refusals by ground"].iter_rows(min_row=2, values_only=True))
    assert rows[0][:2] == ("political_offence", "political_offence")


def test_render_xlsx_of_an_empty_report():
    empty = Report(
        period_from=date(2024, 1, 1),
        period_to=date(2024, 12, 31),
        direction="outgoing",
        mla=MlaFigures(),
        extradition=ExtraditionFigures(),
    )
    workbook = load_workbook(io.BytesIO(render_xlsx(empty, language="ru", country_names={})))
    assert _summary(workbook)["refused"][1:] == (0, 0)
    assert list(workbook.worksheets[1].iter_rows(values_only=True))[-1][2:] == (0, 0, 0, 0)


def test_figure_lines_mark_figures_a_kind_lacks():
    lines = {line.key: line for line in figure_lines(REPORT)}
    assert not lines["granted"].mla_applies
    assert lines["granted"].extradition_applies
    assert not lines["executed"].extradition_applies
    assert lines["median_days_to_decision"].extradition is None


def test_country_and_ground_lines_sort_by_count_then_name():
    assert [line.code for line in country_lines(REPORT, NAMES)] == ["ES", "CH", "LV"]
    assert [line.code for line in ground_lines(REPORT, GROUNDS)] == [
        "political_offence",
        "dual_criminality",
    ]
