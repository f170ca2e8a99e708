"""The synthetic register: realistic, lawful histories, the same for the same seed, audited."""

import csv
import hashlib
import re
from collections import Counter
from datetime import date, datetime, time, timedelta

import pytest
from django.db.models import Count, Max, Min
from django.utils import timezone

from rogatory.accounts.models import Role
from rogatory.audit.models import AuditRecord
from rogatory.audit.selectors import audit_chain_verify
from rogatory.core.exceptions import PermissionDeniedError, ValidationError
from rogatory.intake.rows import COLUMNS
from rogatory.intake.services import register_import
from rogatory.register import lifecycle, synthetic
from rogatory.register.models import (
    Direction,
    Event,
    Kind,
    Outcome,
    Person,
    Request,
    RequestGround,
    Status,
)
from rogatory.register.selectors import request_changes
from rogatory.register.synthetic import (
    GenerateClashError,
    register_generate,
    register_window,
    synthetic_register_rows,
)
from rogatory.statistics.selectors import report_build
from tests.accounts.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

LAST_DAY = date(2025, 6, 30)
SEED = 7
REQUESTS = 400


@pytest.fixture
def generated():
    return register_generate(actor=None, requests=REQUESTS, seed=SEED, last_day=LAST_DAY)


def _counts() -> tuple[int, int, int, int]:
    return (
        Request.objects.count(),
        Event.objects.count(),
        Person.objects.count(),
        AuditRecord.objects.count(),
    )


def _digest() -> str:
    """Return a digest of the register as a user sees it: requests, their events and persons."""
    digest = hashlib.sha256()
    for row in Request.objects.order_by("reference").values_list(
        "reference",
        "direction",
        "kind",
        "country_id",
        "legal_basis_id",
        "status",
        "outcome",
        "opened_on",
        "decided_on",
        "political",
        "persons_count",
    ):
        digest.update(repr(row).encode())
    for row in Event.objects.order_by("request__reference", "recorded_at", "id").values_list(
        "request__reference", "type", "occurred_on", "outcome", "political"
    ):
        digest.update(repr(row).encode())
    for row in Person.objects.order_by("request__reference", "id").values_list(
        "request__reference", "full_name", "born_on", "nationality_id"
    ):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def _projections() -> dict[str, tuple]:
    grounds: dict[int, list[str]] = {}
    for request_id, code in RequestGround.objects.order_by("ground_id").values_list(
        "request_id", "ground_id"
    ):
        grounds.setdefault(request_id, []).append(code)
    return {
        request.reference: (
            request.direction,
            request.kind,
            request.outcome,
            request.opened_on,
            request.decided_on,
            request.political,
            request.persons_count,
            tuple(grounds.get(request.pk, ())),
        )
        for request in Request.objects.all()
    }


# --- The register it writes ----------------------------------------------------------------


def test_generate_returns_what_it_wrote(generated):
    assert generated.requests == REQUESTS == Request.objects.count()
    assert generated.events == Event.objects.count()
    assert generated.persons == Person.objects.count()


def test_generated_projection_is_the_fold_of_the_events(generated):
    requests = list(Request.objects.all())
    changes = request_changes(request_ids=[request.pk for request in requests])
    grounds: dict[int, set[str]] = {}
    for request_id, code in RequestGround.objects.values_list("request_id", "ground_id"):
        grounds.setdefault(request_id, set()).add(code)
    for request in requests:
        state = lifecycle.fold(request.direction, request.kind, changes[request.pk])
        assert (
            request.status,
            request.outcome,
            request.opened_on,
            request.decided_on,
            request.political,
            grounds.get(request.pk, set()),
        ) == (
            state.status,
            state.outcome,
            state.opened_on,
            state.decided_on,
            state.political,
            set(state.ground_codes),
        ), request.reference
        assert request.version == len(changes[request.pk])


def test_generated_histories_have_three_to_eight_events(generated):
    sizes = Request.objects.annotate(events_count=Count("events")).aggregate(
        fewest=Min("events_count"), most=Max("events_count")
    )
    assert sizes["fewest"] >= 3
    assert sizes["most"] <= 8


def test_generated_register_has_a_realistic_mix(generated):
    requests = Request.objects.all()
    assert set(requests.values_list("kind", flat=True)) == set(Kind.values)
    assert set(requests.values_list("direction", flat=True)) == set(Direction.values)
    statuses = Counter(requests.values_list("status", flat=True))
    assert len(statuses) >= 6
    assert statuses[Status.EXECUTED] > statuses[Status.REFUSED] > 0
    assert requests.filter(country_id="CH").exists()
    assert requests.values("country_id").distinct().count() >= 20
    assert not requests.filter(legal_basis__isnull=True).exists()
    refused = requests.filter(outcome=Outcome.REFUSED)
    assert refused.exists()
    assert not refused.filter(grounds__isnull=True).exists()
    assert refused.filter(political=True).exists() and refused.filter(political=False).exists()
    assert not requests.exclude(outcome=Outcome.REFUSED).filter(political__isnull=False).exists()
    events = Counter(Event.objects.values_list("type", flat=True))
    assert events[Event.Type.SURRENDERED] > 0
    assert events[Event.Type.HEARING] > 0
    assert events[Event.Type.SUPPLEMENTARY_PROVIDED] > 0
    assert events[Event.Type.PROVISIONAL_ARREST] > 0
    assert not Event.objects.filter(
        type__in=["provisional_arrest", "hearing", "surrendered"], request__kind=Kind.MLA
    ).exists()


def test_generated_refusal_grounds_are_on_their_decision_events(generated):
    for request in Request.objects.filter(outcome=Outcome.REFUSED)[:50]:
        decision = request.events.filter(type=Event.Type.DECIDED).order_by("recorded_at", "id")
        assert set(decision.last().grounds.values_list("code", flat=True)) == set(
            request.grounds.values_list("code", flat=True)
        )


def test_generated_persons_only_on_extradition_requests_as_many_as_sought(generated):
    named = Counter(Person.objects.values_list("request_id", flat=True))
    extradition = Request.objects.filter(kind=Kind.EXTRADITION)
    assert extradition.exists()
    assert not Person.objects.filter(request__kind=Kind.MLA).exists()
    assert not Request.objects.filter(kind=Kind.MLA).exclude(persons_count=0).exists()
    for request_id, persons_count in extradition.values_list("id", "persons_count"):
        assert named[request_id] == persons_count >= 1
    names = list(Person.objects.values_list("full_name", flat=True))
    assert any(re.match("[А-Я]", name) for name in names)
    assert any(re.match("[A-Z]", name) for name in names)


def test_generated_dates_span_ten_years_and_are_recorded_in_order(generated):
    first_day, last_day = register_window(LAST_DAY)
    dates = Event.objects.aggregate(first=Min("occurred_on"), last=Max("occurred_on"))
    assert first_day <= dates["first"] < first_day + timedelta(days=60)
    assert last_day - timedelta(days=60) < dates["last"] <= last_day
    now = timezone.now()
    previous: dict[int, datetime] = {}
    zone = timezone.get_current_timezone()
    for request_id, occurred_on, recorded_at in Event.objects.order_by(
        "request_id", "id"
    ).values_list("request_id", "occurred_on", "recorded_at"):
        assert recorded_at >= timezone.make_aware(datetime.combine(occurred_on, time.min), zone)
        assert recorded_at <= now
        assert recorded_at >= previous.get(request_id, recorded_at)
        previous[request_id] = recorded_at


def test_generated_register_gives_sensible_figures_for_last_year(generated):
    year = LAST_DAY.year - 1
    report = report_build(
        period_from=date(year, 1, 1), period_to=date(year, 12, 31), direction=Direction.OUTGOING
    )
    assert report.mla.sent > 10
    assert report.mla.fulfilled == report.mla.executed + report.mla.partially_executed > 0
    assert report.mla.refused > 0
    assert report.extradition.sent > 0
    assert report.extradition.granted_persons >= report.extradition.granted > 0
    assert sum(report.mla.refused_by_country.values()) == report.mla.refused
    assert report.mla.median_days_to_decision > 0


def test_generate_writes_one_audit_record_per_batch_and_the_chain_verifies(monkeypatch):
    monkeypatch.setattr(synthetic, "BATCH_SIZE", 100)
    result = register_generate(actor=None, requests=250, seed=3, last_day=LAST_DAY)

    records = list(AuditRecord.objects.filter(action="register_generate").order_by("sequence"))
    assert [record.after["requests"] for record in records] == [100, 100, 50]
    assert sum(record.after["events"] for record in records) == result.events
    assert sum(record.after["persons"] for record in records) == result.persons
    first = records[0].after
    assert first["seed"] == 3
    assert first["unit"] == "central"
    ids = Request.objects.order_by("id").values_list("id", flat=True)
    assert (first["first_request_id"], records[-1].after["last_request_id"]) == (
        ids.first(),
        ids.last(),
    )
    assert audit_chain_verify().intact


# --- Seeds -----------------------------------------------------------------------------------


def test_generate_with_a_seed_already_used_is_refused_and_writes_nothing(generated):
    before = _counts()
    with pytest.raises(GenerateClashError) as error:
        register_generate(actor=None, requests=10, seed=SEED, last_day=LAST_DAY)
    assert f"seed {SEED}" in error.value.message
    assert f"GEN{SEED}-" in error.value.message
    assert _counts() == before


def test_generate_with_another_seed_adds_more(generated):
    register_generate(actor=None, requests=50, seed=SEED + 1, last_day=LAST_DAY)
    assert Request.objects.count() == REQUESTS + 50
    assert Request.objects.filter(reference__startswith=f"GEN{SEED + 1}-").count() == 50


def test_generate_is_deterministic():
    register_generate(actor=None, requests=120, seed=11, last_day=LAST_DAY)
    first = _digest()
    Request.objects.all().delete()
    register_generate(actor=None, requests=120, seed=11, last_day=LAST_DAY)
    assert _digest() == first
    Request.objects.all().delete()
    register_generate(actor=None, requests=120, seed=12, last_day=LAST_DAY)
    assert _digest() != first


def test_register_rows_are_the_same_register_as_generated(tmp_path):
    register_generate(actor=None, requests=200, seed=5, last_day=LAST_DAY)
    generated = _projections()
    Request.objects.all().delete()
    rows = list(synthetic_register_rows(requests=200, seed=5, last_day=LAST_DAY))
    assert rows == list(synthetic_register_rows(requests=200, seed=5, last_day=LAST_DAY))
    path = tmp_path / "register.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=COLUMNS, restval="")
        writer.writeheader()
        writer.writerows(rows)

    register_import(actor=None, path=path)

    assert _projections() == generated


# --- What it refuses -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"requests": 0}, "from 1 to 50000000, not 0"),
        ({"requests": 50_000_001}, "from 1 to 50000000, not 50000001"),
        ({"seed": -1}, "seed must be a whole number from 0"),
        ({"last_day": date.today() + timedelta(days=2)}, "is in the future"),
    ],
)
def test_generate_refuses_wrong_input(arguments, message):
    before = _counts()
    with pytest.raises(ValidationError) as error:
        register_generate(actor=None, **{"requests": 10, "seed": 1, **arguments})
    assert message in error.value.message
    assert _counts() == before


def test_generate_needs_the_import_permission():
    viewer = UserFactory(role=Role.VIEWER)
    with pytest.raises(PermissionDeniedError):
        register_generate(actor=viewer, requests=10, seed=1, last_day=LAST_DAY)
    assert not Request.objects.exists()


def test_generate_into_a_unit_records_the_clerk(clerk):
    unit = UnitFactory(code="mla")
    clerk.units.add(unit)
    register_generate(actor=clerk, requests=20, seed=2, unit=unit, last_day=LAST_DAY)
    assert set(Request.objects.values_list("unit__code", flat=True)) == {"mla"}
    assert set(Event.objects.values_list("recorded_by_id", flat=True)) == {clerk.pk}


def test_generate_shows_progress_when_asked(capsys):
    register_generate(actor=None, requests=20, seed=4, last_day=LAST_DAY, progress=True)
    assert "GEN4:" in capsys.readouterr().err
