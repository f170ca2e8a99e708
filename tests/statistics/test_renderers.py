"""Renderers turn a Report into JSON, CSV and text.

These tests have no database: pytest-django fails any query, so they also show that the
renderers never touch the ORM.
"""

import csv
import io
import json
from datetime import date

from rogatory.statistics.figures import ExtraditionFigures, MlaFigures, Report
from rogatory.statistics.renderers import CSV_HEADER, render, render_csv, render_json, render_text

MLA_KEYS = {
    "executed",
    "partially_executed",
    "fulfilled",
    "refused",
    "withdrawn",
    "refused_political",
    "refused_by_country",
    "refused_political_by_country",
    "refused_by_ground",
    "sent",
    "pending_at_end",
    "median_days_to_decision",
}
EXTRADITION_KEYS = {
    "granted",
    "granted_persons",
    "refused",
    "refused_persons",
    "withdrawn",
    "refused_political",
    "refused_by_country",
    "refused_political_by_country",
    "refused_by_ground",
    "sent",
    "pending_at_end",
    "median_days_to_decision",
}

REPORT = Report(
    period_from=date(2023, 1, 1),
    period_to=date(2023, 12, 31),
    direction="outgoing",
    mla=MlaFigures(
        sent=10,
        executed=4,
        partially_executed=1,
        refused=3,
        refused_political=2,
        refused_by_country={"LV": 1, "CH": 2, "DE": 0},
        refused_political_by_country={"CH": 2},
        refused_by_ground={"political_offence": 2, "immunity": 1},
        pending_at_end=7,
        median_days_to_decision=205.5,
    ),
    extradition=ExtraditionFigures(
        sent=2, granted=1, granted_persons=2, pending_at_end=1, median_days_to_decision=208
    ),
)


def test_render_json_has_exactly_the_keys_of_design():
    document = json.loads(render_json(REPORT))
    assert set(document) == {"period", "direction", "mla", "extradition"}
    assert document["period"] == {"from": "2023-01-01", "to": "2023-12-31"}
    assert document["direction"] == "outgoing"
    assert set(document["mla"]) == MLA_KEYS
    assert set(document["extradition"]) == EXTRADITION_KEYS


def test_render_json_values():
    document = json.loads(render_json(REPORT))
    assert document["mla"]["fulfilled"] == 5
    assert document["mla"]["refused_by_country"] == {"CH": 2, "LV": 1}
    assert document["mla"]["median_days_to_decision"] == 205.5
    assert document["extradition"]["median_days_to_decision"] == 208
    assert document["extradition"]["refused_by_ground"] == {}
    assert document["extradition"]["refused"] == 0


def test_render_json_median_is_null_without_decisions_and_an_int_when_whole():
    text = render_json(REPORT)
    assert '"median_days_to_decision": 208,\n' in text
    empty = Report(
        period_from=date(2023, 1, 1),
        period_to=date(2023, 1, 31),
        direction="incoming",
        mla=MlaFigures(),
        extradition=ExtraditionFigures(),
    )
    assert json.loads(render_json(empty))["mla"]["median_days_to_decision"] is None


def test_render_json_sorts_keys_and_indents():
    text = render_json(REPORT)
    assert text.startswith('{\n "direction": "outgoing",\n "extradition": {\n  "granted": 1,')
    assert text.endswith("}\n")


def test_render_csv_has_a_header_and_one_row_per_figure_and_map_entry():
    rows = list(csv.reader(io.StringIO(render_csv(REPORT))))
    assert tuple(rows[0]) == CSV_HEADER
    body = rows[1:]
    scalars_and_entries = len(MLA_KEYS) - 3 + 2 + 1 + 2 + len(EXTRADITION_KEYS) - 3
    assert len(body) == scalars_and_entries
    assert ["outgoing", "2023-01-01", "2023-12-31", "mla", "fulfilled", "", "5"] in body
    assert ["outgoing", "2023-01-01", "2023-12-31", "mla", "refused_by_country", "CH", "2"] in body
    assert ["outgoing", "2023-01-01", "2023-12-31", "mla", "refused_by_country", "LV", "1"] in body
    assert [
        "outgoing",
        "2023-01-01",
        "2023-12-31",
        "mla",
        "median_days_to_decision",
        "",
        "205.5",
    ] in body
    assert [
        "outgoing",
        "2023-01-01",
        "2023-12-31",
        "extradition",
        "granted_persons",
        "",
        "2",
    ] in body


def test_render_csv_writes_an_empty_value_for_a_missing_median():
    empty = Report(
        period_from=date(2023, 1, 1),
        period_to=date(2023, 1, 31),
        direction="incoming",
        mla=MlaFigures(),
        extradition=ExtraditionFigures(),
    )
    rows = list(csv.DictReader(io.StringIO(render_csv(empty))))
    medians = [row for row in rows if row["figure"] == "median_days_to_decision"]
    assert [row["value"] for row in medians] == ["", ""]
    assert not [row for row in rows if row["key"]]


def test_render_text_is_the_narrative_with_given_names():
    text = render_text(REPORT, language="en", country_names={"CH": "Switzerland"})
    assert text.startswith("In 2023 foreign states refused 3 requests for legal assistance, ")
    assert ": Switzerland – 2." in text
    assert text.endswith("\n")


def test_render_picks_the_format():
    assert render(REPORT, format="json", language="en", country_names={}) == render_json(REPORT)
    assert render(REPORT, format="csv", language="en", country_names={}) == render_csv(REPORT)
    assert render(REPORT, format="text", language="ru", country_names={}).startswith("В 2023")
