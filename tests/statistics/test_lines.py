"""The report's figures, refusals by country and by ground as labelled lines."""

from datetime import date

from rogatory.statistics.figures import ExtraditionFigures, MlaFigures, Report
from rogatory.statistics.lines import country_lines, figure_lines, ground_lines

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


# --- The published report's workbook ------------------------------------------------------------
