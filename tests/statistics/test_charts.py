"""Charts as inline SVG: valid markup, readable text, an accessible name."""

import xml.etree.ElementTree as ElementTree
from dataclasses import replace
from datetime import date

import pytest

from rogatory.register.models import Outcome
from rogatory.statistics import charts
from rogatory.statistics.breakdowns import YearRefusals
from rogatory.statistics.charts import (
    StepCurve,
    refusal_trend_svg,
    refusals_by_country_svg,
    report_charts,
    step_curve,
    time_to_decision_svg,
)
from rogatory.statistics.dashboard import CountryRefusals
from rogatory.statistics.publication import publication_build
from rogatory.statistics.survival import Quantile, SurvivalCurve
from tests.register.factories import make_request

SVG = "{http://www.w3.org/2000/svg}"
COUNTRIES = [
    CountryRefusals(code="CH", name="Switzerland", refused=26, political=14),
    CountryRefusals(code="LV", name="Latvia", refused=4, political=4),
    CountryRefusals(code="BG", name="Bulgaria", refused=1, political=0),
]


def _chart(countries=COUNTRIES) -> str:
    return refusals_by_country_svg(
        countries=countries,
        political_label="For political reasons",
        other_label="On other grounds",
        description="Refusals by country, 2026",
    )


def test_refusals_by_country_svg_is_an_inline_svg_element_without_xml_header():
    svg = _chart()
    assert svg.startswith("<svg ")
    assert "<?xml" not in svg
    assert "<!DOCTYPE" not in svg
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox")


def test_refusals_by_country_svg_has_an_accessible_name():
    root = ElementTree.fromstring(_chart())
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Refusals by country, 2026"


def test_refusals_by_country_svg_keeps_names_counts_and_legend_as_text():
    texts = {
        "".join(node.itertext()).strip()
        for node in ElementTree.fromstring(_chart()).iter(f"{SVG}text")
    }
    assert {"Switzerland", "Latvia", "Bulgaria", "26", "4", "1"} <= texts
    assert {"For political reasons", "On other grounds"} <= texts


def test_refusals_by_country_svg_uses_a_font_debian_has():
    svg = _chart()
    assert "DejaVu Sans" in svg


def test_refusals_by_country_svg_escapes_the_description():
    svg = refusals_by_country_svg(
        countries=COUNTRIES,
        political_label="a",
        other_label="b",
        description='Refusals "quoted" & <tagged>',
    )
    root = ElementTree.fromstring(svg)
    assert root.get("aria-label") == 'Refusals "quoted" & <tagged>'


def test_refusals_by_country_svg_is_the_same_for_the_same_figures():
    first = _chart()
    charts._refusals_by_country_svg.cache_clear()
    assert _chart() == first


def test_refusals_by_country_svg_follows_the_figures():
    changed = [CountryRefusals(code="CH", name="Switzerland", refused=27, political=14)]
    texts = {
        "".join(node.itertext()).strip()
        for node in ElementTree.fromstring(_chart(changed)).iter(f"{SVG}text")
    }
    assert "27" in texts
    assert _chart(changed) != _chart(COUNTRIES)


def test_refusals_by_country_svg_draws_one_country():
    svg = _chart(COUNTRIES[:1])
    assert "Switzerland" in svg


# --- Refusals per year --------------------------------------------------------------------------

YEARS = [
    YearRefusals(
        year=2019, mla_political=0, mla_other=0, extradition_political=0, extradition_other=0
    ),
    YearRefusals(
        year=2020, mla_political=3, mla_other=5, extradition_political=1, extradition_other=2
    ),
    YearRefusals(
        year=2021, mla_political=0, mla_other=0, extradition_political=0, extradition_other=0
    ),
    YearRefusals(
        year=2022, mla_political=10, mla_other=8, extradition_political=0, extradition_other=0
    ),
    YearRefusals(
        year=2023, mla_political=34, mla_other=32, extradition_political=38, extradition_other=76
    ),
]


def _texts(svg: str) -> list[str]:
    return [
        "".join(node.itertext()).strip() for node in ElementTree.fromstring(svg).iter(f"{SVG}text")
    ]


def _trend(years=YEARS, description="Refusals per year, 2019–2023") -> str:
    return refusal_trend_svg(
        years=years,
        mla_label="Legal assistance",
        extradition_label="Extradition",
        political_label="For political reasons",
        other_label="On other grounds",
        description=description,
    )


def test_refusal_trend_svg_is_an_inline_svg_with_an_accessible_name():
    svg = _trend()
    assert svg.startswith("<svg ")
    root = ElementTree.fromstring(svg)
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Refusals per year, 2019–2023"
    assert "DejaVu Sans" in svg


def test_refusal_trend_svg_labels_every_year_and_each_bar_total_per_kind():
    texts = _texts(_trend())
    assert texts.count("2023") == 2  # one axis per kind
    assert texts.count("2019") == 2
    assert {"Legal assistance", "Extradition", "For political reasons", "On other grounds"} <= set(
        texts
    )
    # Totals on the bars: 66 and 114 in 2023, 8 and 3 in 2020, 18 in 2022.
    assert {"66", "114", "8", "3", "18"} <= set(texts)


def test_refusal_trend_svg_follows_the_figures():
    changed = [*YEARS[:-1], replace(YEARS[-1], mla_other=33)]
    assert "67" in _texts(_trend(changed))
    assert _trend(changed) != _trend()


def test_refusal_trend_svg_draws_years_without_refusals():
    empty = [replace(line, mla_political=0, mla_other=0) for line in YEARS]
    texts = _texts(_trend(empty))
    assert texts.count("0") >= 5


def test_refusal_trend_svg_escapes_the_description():
    root = ElementTree.fromstring(_trend(description='Per year "2023" & <more>'))
    assert root.get("aria-label") == 'Per year "2023" & <more>'


# --- Time to decision ---------------------------------------------------------------------------

CURVES = [
    StepCurve(
        label="Legal assistance",
        days=(0.0, 30.0, 120.0, 183.0, 400.0),
        undecided=(1.0, 0.9, 0.6, 0.5, 0.1),
        median=183.0,
    ),
    StepCurve(
        label="Extradition",
        days=(0.0, 50.0, 175.5, 300.0),
        undecided=(1.0, 0.8, 0.45, 0.3),
        median=175.5,
    ),
]


def _time(curves=CURVES) -> str:
    return time_to_decision_svg(
        curves=curves,
        days_label="Days since the request was opened",
        undecided_label="Share still undecided",
        median_label="Median",
        description="Share of requests still undecided",
    )


def test_time_to_decision_svg_has_one_labelled_line_per_curve_and_marks_medians():
    svg = _time()
    root = ElementTree.fromstring(svg)
    assert root.get("aria-label") == "Share of requests still undecided"
    texts = _texts(svg)
    assert {"Legal assistance", "Extradition", "Median"} <= set(texts)
    assert {"183", "175.5"} <= set(texts)
    assert {"Days since the request was opened", "Share still undecided"} <= set(texts)
    assert {"0%", "50%", "100%"} <= set(texts)


def test_time_to_decision_svg_without_a_median_marks_none():
    unfinished = [replace(CURVES[0], undecided=(1.0, 0.9, 0.8, 0.7, 0.6), median=None)]
    texts = _texts(_time(unfinished))
    assert "Median" not in texts
    assert "183" not in texts


def test_time_to_decision_svg_follows_the_curves():
    assert _time(CURVES[:1]) != _time()
    assert "Extradition" not in _texts(_time(CURVES[:1]))


def test_step_curve_takes_the_timeline_and_median_of_a_survival_curve():
    curve = SurvivalCurve(
        key="mla",
        label="Legal assistance",
        requests=4,
        decided=3,
        pending=1,
        median=Quantile(days=20.0, lower=10.0, upper=None),
        p90=Quantile(days=None, lower=None, upper=None),
        timeline=((0.0, 1.0), (10.0, 0.75), (20.0, 0.5), (30.0, 0.25)),
    )
    assert step_curve(curve) == StepCurve(
        label="Legal assistance",
        days=(0.0, 10.0, 20.0, 30.0),
        undecided=(1.0, 0.75, 0.5, 0.25),
        median=20.0,
    )


# --- The charts of a published report -----------------------------------------------------------


@pytest.mark.django_db
def test_report_charts_of_an_empty_register_draw_nothing_to_draw():
    publication = publication_build(
        period_from=date(2023, 1, 1),
        period_to=date(2023, 12, 31),
        direction="outgoing",
        language="en",
    )
    drawn = report_charts(publication)
    assert drawn.countries == ""
    assert drawn.trend == ""
    assert drawn.time_to_decision == ""


@pytest.mark.django_db
def test_report_charts_are_labelled_in_the_publications_language():
    make_request(
        country="LV",
        opened_on=date(2023, 2, 1),
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 5, 1),
        grounds=("political_offence",),
        political=True,
        political_reason="Test",
    )
    make_request(country="LV", opened_on=date(2023, 3, 1))
    publication = publication_build(
        period_from=date(2023, 1, 1),
        period_to=date(2023, 12, 31),
        direction="outgoing",
        language="ru",
    )
    drawn = report_charts(publication)
    assert "Латвия" in _texts(drawn.countries)
    assert {"Правовая помощь", "Выдача", "По политическим мотивам"} <= set(_texts(drawn.trend))
    assert "Правовая помощь" in _texts(drawn.time_to_decision)
    assert (drawn.countries_shown, drawn.countries_total) == (1, 1)
