"""Acceptance: the shared 2023 register gives the published figures, through every interface."""

import io
import json
from datetime import date

import pytest
from django.core.management import call_command

from rogatory.intake.export import register_export
from rogatory.intake.services import register_import
from rogatory.register.models import Request
from rogatory.statistics.selectors import report_build

pytestmark = pytest.mark.django_db

YEAR_2023 = {"period_from": date(2023, 1, 1), "period_to": date(2023, 12, 31)}
CASES = [("full_year", "outgoing"), ("incoming_full_year", "incoming")]


@pytest.fixture
def expected(shared_dir) -> dict:
    return json.loads((shared_dir / "data" / "seed-2023.expected.json").read_text())


@pytest.fixture
def seed_register(shared_dir):
    return shared_dir / "data" / "seed-2023.csv"


def _assert_same_report(actual: dict, expected: dict) -> None:
    assert actual.keys() == expected.keys()
    assert actual["period"] == expected["period"]
    assert actual["direction"] == expected["direction"]
    for kind in ("mla", "extradition"):
        assert actual[kind].keys() == expected[kind].keys(), kind
        for figure, value in expected[kind].items():
            assert actual[kind][figure] == value, f"{actual['direction']} {kind} {figure}"


@pytest.mark.parametrize(("key", "direction"), CASES)
def test_seed_register_gives_expected_report(seed_register, expected, key, direction):
    register_import(actor=None, path=seed_register)
    report = report_build(direction=direction, **YEAR_2023)
    _assert_same_report(report.as_dict(), expected[key])


def test_seed_register_through_command_line(seed_register, expected):
    call_command("import", str(seed_register), "--no-progress", stdout=io.StringIO())
    for key, direction in CASES:
        out = io.StringIO()
        call_command(
            "report", "--year", "2023", "--direction", direction, "--format", "json", stdout=out
        )
        _assert_same_report(json.loads(out.getvalue()), expected[key])


def test_seed_narrative_matches_published_statement(seed_register):
    register_import(actor=None, path=seed_register)
    out = io.StringIO()
    call_command("report", "--year", "2023", stdout=out)
    text = out.getvalue()
    assert "66 requests for legal assistance, 34 of them for political reasons" in text
    assert (
        "Switzerland – 26, Latvia – 4, United States – 2, Bulgaria and Liechtenstein – 1 each"
        in text
    )


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_then_import_into_empty_register_gives_same_report(
    seed_register, expected, tmp_path, suffix
):
    register_import(actor=None, path=seed_register)
    exported = tmp_path / f"register{suffix}"
    register_export(path=exported)
    Request.objects.all().delete()
    register_import(actor=None, path=exported)
    for key, direction in CASES:
        _assert_same_report(report_build(direction=direction, **YEAR_2023).as_dict(), expected[key])


def test_reimporting_seed_register_changes_nothing(seed_register, expected):
    first = register_import(actor=None, path=seed_register)
    second = register_import(actor=None, path=seed_register)
    assert (first.created, second.created, second.updated) == (1074, 0, 0)
    assert second.unchanged == 1074
    _assert_same_report(
        report_build(direction="outgoing", **YEAR_2023).as_dict(), expected["full_year"]
    )
