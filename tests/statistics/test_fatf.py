"""The FATF tables: agreement with Report v1, the ML and TF lines, execution time, as-of."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from rogatory.core.exceptions import ValidationError
from rogatory.intake.services import register_import
from rogatory.reference.models import OffenceCategory
from rogatory.register import services
from rogatory.register.models import Direction, Kind, Outcome, Request
from rogatory.statistics.fatf import ML, NOT_RECORDED, TF, FatfTables, fatf_tables
from rogatory.statistics.selectors import report_build
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

YEAR = 2023
OUT_MLA = (Direction.OUTGOING, Kind.MLA)
OUT_EXT = (Direction.OUTGOING, Kind.EXTRADITION)
IN_MLA = (Direction.INCOMING, Kind.MLA)
IN_EXT = (Direction.INCOMING, Kind.EXTRADITION)


def tables(**kwargs) -> FatfTables:
    return fatf_tables(**{"year": YEAR, "language": "en", **kwargs})


def row(result: FatfTables, direction_kind: tuple[str, str]):
    direction, kind = direction_kind
    return next(r for r in result.rows if (r.direction, r.kind) == (direction, kind))


def offence(result: FatfTables, direction_kind: tuple[str, str], key: str):
    direction, kind = direction_kind
    return next(
        r for r in result.offences if (r.direction, r.kind, r.key) == (direction, kind, key)
    )


def counts(line) -> tuple[int, int, int, int]:
    return (line.opened, line.granted, line.refused, line.pending_at_end)


def flagged(request: Request, **flags: bool) -> Request:
    return services.request_update(actor=None, request=request, **flags)


def test_fatf_tables_of_an_empty_register_have_every_line_at_zero():
    result = tables()
    assert [(r.direction, r.kind) for r in result.rows] == [OUT_MLA, OUT_EXT, IN_MLA, IN_EXT]
    assert [r.label for r in result.rows] == [
        "Requests for legal assistance made",
        "Extradition requests made",
        "Requests for legal assistance received",
        "Extradition requests received",
    ]
    for line in result.rows:
        assert (*counts(line), line.withdrawn, line.median_execution_days) == (0,) * 5 + (None,)
    categories = list(OffenceCategory.objects.order_by("code").values_list("code", flat=True))
    keys = [ML, TF, *categories, NOT_RECORDED]
    assert [r.key for r in result.offences] == keys * 4
    assert all(counts(line) == (0, 0, 0, 0) for line in result.offences)


def test_fatf_tables_agree_with_report_v1_on_the_seed_register(shared_dir):
    register_import(actor=None, path=shared_dir / "data" / "seed-2023.csv")
    result = tables()
    for direction in Direction.values:
        report = report_build(
            period_from=date(YEAR, 1, 1), period_to=date(YEAR, 12, 31), direction=direction
        )
        mla, extradition = (
            row(result, (direction, Kind.MLA)),
            row(result, (direction, Kind.EXTRADITION)),
        )
        assert (mla.opened, mla.granted, mla.refused, mla.withdrawn, mla.pending_at_end) == (
            report.mla.sent,
            report.mla.fulfilled,
            report.mla.refused,
            report.mla.withdrawn,
            report.mla.pending_at_end,
        )
        assert (
            extradition.opened,
            extradition.granted,
            extradition.refused,
            extradition.withdrawn,
            extradition.pending_at_end,
        ) == (
            report.extradition.sent,
            report.extradition.granted,
            report.extradition.refused,
            report.extradition.withdrawn,
            report.extradition.pending_at_end,
        )
    # The published figures: 376 requests for legal assistance fulfilled, 66 refused, and 114
    # extradition requests refused.
    assert (row(result, OUT_MLA).granted, row(result, OUT_MLA).refused) == (376, 66)
    assert row(result, OUT_EXT).refused == 114


def test_fatf_offence_categories_add_up_to_the_totals_on_the_seed_register(shared_dir):
    register_import(actor=None, path=shared_dir / "data" / "seed-2023.csv")
    result = tables()
    for line in result.rows:
        by_offence = [
            counts(o)
            for o in result.offences
            if (o.direction, o.kind) == (line.direction, line.kind) and o.key not in (ML, TF)
        ]
        assert tuple(map(sum, zip(*by_offence, strict=True))) == counts(line)
        assert any(total for total in by_offence[:-1]), "the seed register has categories"


def test_fatf_ml_and_tf_lines_count_flagged_requests_also_in_their_category():
    fraud = OffenceCategory.objects.get(code="07")
    laundering = make_request(outcome=Outcome.EXECUTED, decided_on=date(2023, 6, 1))
    services.request_update(
        actor=None, request=laundering, offence_category=fraud, money_laundering=True
    )
    both = make_request(outcome=Outcome.REFUSED, decided_on=date(2023, 7, 1))
    flagged(both, money_laundering=True, terrorist_financing=True)
    financing = make_request(kind=Kind.EXTRADITION, direction=Direction.INCOMING)
    flagged(financing, terrorist_financing=True)
    make_request()  # neither
    late = make_request(opened_on=date(2024, 1, 2))
    flagged(late, money_laundering=True)  # flagged, but opened after the year

    result = tables()
    assert counts(offence(result, OUT_MLA, ML)) == (2, 1, 1, 0)
    assert counts(offence(result, OUT_MLA, TF)) == (1, 0, 1, 0)
    assert counts(offence(result, IN_EXT, TF)) == (1, 0, 0, 1)
    assert counts(offence(result, IN_EXT, ML)) == (0, 0, 0, 0)
    assert counts(offence(result, OUT_MLA, "07")) == (1, 1, 0, 0)
    assert counts(offence(result, OUT_MLA, NOT_RECORDED)) == (2, 0, 1, 1)
    assert counts(row(result, OUT_MLA)) == (3, 1, 1, 1)


def test_fatf_offence_labels_say_ml_and_tf_are_also_in_their_category_and_name_categories():
    result = fatf_tables(year=YEAR, language="ru")
    category = OffenceCategory.objects.get(code="06")
    assert offence(result, OUT_MLA, "06").label == f"06 {category.name_ru}"
    english = tables()
    assert offence(english, OUT_MLA, ML).label == (
        "Money laundering (also counted under its offence category)"
    )
    assert offence(english, IN_MLA, TF).label.startswith("Terrorist financing")
    assert offence(english, IN_MLA, NOT_RECORDED).label == "Offence category not recorded"


def _decided_after(days: int, outcome: str, **kwargs) -> Request:
    opened_on = kwargs.pop("opened_on", date(2023, 1, 10))
    return make_request(
        opened_on=opened_on,
        outcome=outcome,
        decided_on=opened_on + timedelta(days=days),
        **kwargs,
    )


def test_fatf_median_execution_time_counts_only_granted_requests_decided_in_the_year():
    _decided_after(10, Outcome.EXECUTED)
    _decided_after(40, Outcome.PARTIALLY_EXECUTED)
    _decided_after(21, Outcome.EXECUTED)
    _decided_after(1, Outcome.REFUSED)  # not executed
    _decided_after(2, Outcome.WITHDRAWN)  # not executed
    _decided_after(3, Outcome.EXECUTED, opened_on=date(2022, 12, 1))  # decided 2022-12-04
    _decided_after(400, Outcome.EXECUTED, opened_on=date(2023, 12, 1))  # decided in 2025
    _decided_after(30, Outcome.GRANTED, kind=Kind.EXTRADITION)
    _decided_after(61, Outcome.GRANTED, kind=Kind.EXTRADITION)
    _decided_after(7, Outcome.EXECUTED, direction=Direction.INCOMING)

    result = tables()
    assert row(result, OUT_MLA).median_execution_days == 21  # 10, 21, 40
    assert row(result, OUT_EXT).median_execution_days == 45.5  # (30 + 61) / 2
    assert row(result, IN_MLA).median_execution_days == 7
    assert row(result, IN_EXT).median_execution_days is None
    # Report v1's median counts the refusal too: (1, 10, 21, 40) gives 15.5.
    report = report_build(
        period_from=date(2023, 1, 1), period_to=date(2023, 12, 31), direction=Direction.OUTGOING
    )
    assert report.mla.median_days_to_decision == 15.5


def test_fatf_median_execution_time_of_ties_and_a_single_request():
    _decided_after(14, Outcome.EXECUTED)
    _decided_after(14, Outcome.EXECUTED)
    _decided_after(15, Outcome.EXECUTED)
    _decided_after(14, Outcome.EXECUTED)
    _decided_after(0, Outcome.GRANTED, kind=Kind.EXTRADITION)
    result = tables()
    assert row(result, OUT_MLA).median_execution_days == 14
    assert row(result, OUT_EXT).median_execution_days == 0


def test_fatf_tables_as_known_at_a_moment_ignore_later_events():
    request = make_request(outcome=Outcome.EXECUTED, decided_on=date(2023, 5, 1))
    make_request(opened_on=date(2023, 4, 1))
    published = timezone.now()
    services.request_reopen(actor=None, request=request, reopened_on=date(2023, 5, 2), reason="x")
    services.request_record_decision(
        actor=None, request=request, outcome=Outcome.WITHDRAWN, decided_on=date(2023, 9, 1)
    )
    make_request(opened_on=date(2023, 6, 1), outcome=Outcome.EXECUTED, decided_on=date(2023, 7, 1))

    then = tables(as_of=published)
    assert then.as_of == published
    assert counts(row(then, OUT_MLA)) == (2, 1, 0, 1)
    assert row(then, OUT_MLA).median_execution_days == 61
    assert counts(offence(then, OUT_MLA, NOT_RECORDED)) == (2, 1, 0, 1)
    now = tables()
    assert counts(row(now, OUT_MLA)) == (3, 1, 0, 1)
    assert row(now, OUT_MLA).withdrawn == 1
    assert row(now, OUT_MLA).median_execution_days == 30


@pytest.mark.parametrize("year", [0, 10_000, True, "2023"])
def test_fatf_tables_refuse_a_year_that_is_not_one(year):
    with pytest.raises(ValidationError, match="is not a calendar year"):
        fatf_tables(year=year, language="en")


def test_fatf_tables_refuse_an_unknown_language():
    with pytest.raises(ValidationError, match="The language must be one of en, ru"):
        fatf_tables(year=YEAR, language="xx")
