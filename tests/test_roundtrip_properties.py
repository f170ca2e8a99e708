"""Property: exporting a register and importing it into an empty one gives the same report."""

import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from rogatory.intake.export import register_export
from rogatory.intake.services import register_import
from rogatory.register.lifecycle import OUTCOMES_BY_KIND
from rogatory.register.models import Request
from rogatory.statistics.selectors import report_build
from tests.register.factories import make_request

GROUNDS = ["political_offence", "dual_criminality", "sovereignty_security_ordre_public", "other"]


@st.composite
def request_specs(draw) -> dict:
    kind = draw(st.sampled_from(["mla", "extradition"]))
    opened_on = date(2022, 1, 1) + timedelta(days=draw(st.integers(0, 3 * 365)))
    outcome = draw(st.sampled_from(["", *sorted(OUTCOMES_BY_KIND[kind])]))
    spec = {
        "direction": draw(st.sampled_from(["outgoing", "incoming"])),
        "kind": kind,
        "country": draw(st.sampled_from(["CH", "LV", "US", "DE", "KZ"])),
        "opened_on": opened_on,
        "outcome": outcome,
        "decided_on": opened_on + timedelta(days=draw(st.integers(0, 500))) if outcome else None,
        "persons_count": draw(st.integers(1, 3)) if kind == "extradition" else None,
    }
    if outcome == "refused":
        spec["grounds"] = tuple(draw(st.sets(st.sampled_from(GROUNDS), min_size=1, max_size=2)))
        if draw(st.booleans()):
            spec["political"] = draw(st.booleans())
            spec["political_reason"] = "Classified by the head of department"
    return spec


def _reports() -> list[dict]:
    periods = [(date(2023, 1, 1), date(2023, 12, 31)), (date(2020, 1, 1), date(2026, 1, 1))]
    return [
        report_build(period_from=start, period_to=end, direction=direction).as_dict()
        for start, end in periods
        for direction in ("outgoing", "incoming")
    ]


class ExportImportRoundTrip(TestCase):
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(specs=st.lists(request_specs(), max_size=12), suffix=st.sampled_from([".csv", ".xlsx"]))
    def test_export_then_import_gives_same_report(self, specs, suffix):
        for spec in specs:
            make_request(**spec)
        before = _reports()
        with tempfile.TemporaryDirectory() as folder:
            exported = Path(folder) / f"register{suffix}"
            register_export(path=exported)
            Request.objects.all().delete()
            register_import(actor=None, path=exported)
        assert _reports() == before
