"""Charts as inline SVG: valid markup, readable text, an accessible name."""

import xml.etree.ElementTree as ElementTree

from rogatory.statistics import charts
from rogatory.statistics.charts import refusals_by_country_svg
from rogatory.statistics.dashboard import CountryRefusals

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
