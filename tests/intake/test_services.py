"""The register import: all or nothing, idempotent, and changes made through new events."""

from datetime import date

import pytest
from django.utils import timezone
from openpyxl import Workbook

from rogatory.audit.models import AuditRecord
from rogatory.intake.services import ImportRejected, register_import
from rogatory.register import services as register_services
from rogatory.register.models import Event, Outcome, Request
from rogatory.register.selectors import request_state
from tests.register.factories import make_request

from .conftest import SEED

pytestmark = pytest.mark.django_db

REFUSED = {"status": "refused", "decided_on": "2023-06-01", "refusal_grounds": "dual_criminality"}


def _counts() -> tuple[int, int, int]:
    return Request.objects.count(), Event.objects.count(), AuditRecord.objects.count()


def _event_types(request: Request) -> list[str]:
    return list(request.events.order_by("recorded_at", "id").values_list("type", flat=True))


def _projection(request: Request) -> tuple:
    return (
        request.status,
        request.outcome,
        request.opened_on,
        request.decided_on,
        request.political,
        tuple(sorted(request.grounds.values_list("code", flat=True))),
    )


def test_import_creates_requests_with_events_projection_and_audit(register_csv, clerk):
    path = register_csv(
        {**REFUSED, "received_on": "2023-03-05"},
        {"reference": "R-2", "kind": "extradition", "purpose": "sentence", "persons": "2"},
    )
    result = register_import(actor=clerk, path=path)
    assert result == type(result)(rows=2, created=2, updated=0, unchanged=0, dry_run=False)
    refused = Request.objects.get(reference="R-1")
    assert _event_types(refused) == ["registered", "sent", "acknowledged", "decided"]
    assert _projection(refused) == (
        "refused",
        "refused",
        date(2023, 3, 1),
        date(2023, 6, 1),
        False,
        ("dual_criminality",),
    )
    assert refused.events.get(type="decided").recorded_by == clerk
    extradition = Request.objects.get(reference="R-2")
    assert (extradition.status, extradition.purpose, extradition.persons_count) == (
        "sent",
        "sentence",
        2,
    )
    audit = AuditRecord.objects.filter(action="request_import")
    assert audit.count() == 2
    assert audit.get(object_id=str(refused.pk)).after["status"] == "refused"
    summary = AuditRecord.objects.get(action="register_import")
    assert summary.actor == clerk
    assert summary.after["file"] == "register.csv"
    assert len(summary.after["sha256"]) == 64
    assert (summary.after["rows"], summary.after["created"]) == (2, 2)


def test_import_projection_matches_the_events_and_the_register_services(register_csv):
    register_import(actor=None, path=register_csv({**REFUSED, "political": "yes"}))
    imported = Request.objects.get(reference="R-1")
    built = make_request(
        outcome=Outcome.REFUSED,
        decided_on=date(2023, 6, 1),
        grounds=("dual_criminality",),
        political=True,
        political_reason="checked",
    )
    state = request_state(request=imported)
    assert _projection(imported) == _projection(built)
    assert (state.status, state.political, state.ground_codes) == (
        imported.status,
        imported.political,
        ("dual_criminality",),
    )
    assert imported.version == built.version


def test_import_political_override_records_its_reason(register_csv):
    register_import(actor=None, path=register_csv({**REFUSED, "political": "YES"}))
    decided = Event.objects.get(request__reference="R-1", type="decided")
    assert (decided.political, decided.political_overridden) == (True, True)
    assert decided.reason == "Register import of register.csv, row 2"
    assert list(decided.grounds.values_list("code", flat=True)) == ["dual_criminality"]


def test_import_political_derived_from_grounds(register_csv):
    register_import(
        actor=None, path=register_csv({**REFUSED, "refusal_grounds": "political_offence"})
    )
    decided = Event.objects.get(request__reference="R-1", type="decided")
    assert (decided.political, decided.political_overridden, decided.reason) == (True, False, "")


def test_import_rejected_file_writes_nothing_and_names_every_wrong_row(register_csv):
    make_request(reference="R-9", kind="extradition")
    before = _counts()
    path = register_csv(
        {},
        {"reference": "R-2", "country": "Atlantis"},
        {"reference": "R-3"},
        {"reference": "R-4", "status": "granted", "decided_on": "2023-05-01"},
        {"reference": "R-9"},
    )
    with pytest.raises(ImportRejected) as rejected:
        register_import(actor=None, path=path)
    assert [(error.row, error.column) for error in rejected.value.errors] == [
        (3, "country"),
        (5, "status"),
        (6, "kind"),
    ]
    assert rejected.value.message == "3 errors in 3 rows; nothing was imported."
    assert _counts() == before


def test_import_dry_run_writes_nothing_and_counts(register_csv):
    make_request(reference="R-1")
    before = _counts()
    path = register_csv({"country": "DE"}, {"reference": "R-2"}, {"reference": "R-3"})
    result = register_import(actor=None, path=path, dry_run=True)
    assert (result.rows, result.created, result.updated, result.unchanged, result.dry_run) == (
        3,
        2,
        1,
        0,
        True,
    )
    assert _counts() == before
    assert Request.objects.get(reference="R-1").country_id == "CH"


def test_import_dry_run_checks_against_the_register(register_csv):
    make_request(reference="R-1", kind="extradition")
    with pytest.raises(ImportRejected) as rejected:
        register_import(actor=None, path=register_csv({}), dry_run=True)
    assert [str(error) for error in rejected.value.errors] == [
        "row 2, column kind: the outgoing request “R-1” is registered as extradition, not mla"
    ]


def test_import_again_writes_nothing(register_csv):
    path = register_csv(REFUSED, {"reference": "R-2", "received_on": "2023-03-02"})
    register_import(actor=None, path=path)
    events, audits = (
        Event.objects.count(),
        AuditRecord.objects.filter(action="request_import").count(),
    )
    result = register_import(actor=None, path=path)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert Event.objects.count() == events
    assert AuditRecord.objects.filter(action="request_import").count() == audits


def test_import_new_opening_date_is_a_correction(register_csv):
    request = make_request(reference="R-1", opened_on=date(2023, 2, 1))
    result = register_import(actor=None, path=register_csv({"sent_on": "2023-03-01"}))
    assert result.updated == 1
    request.refresh_from_db()
    assert request.opened_on == date(2023, 3, 1)
    correction = request.events.get(type="opening_corrected")
    assert correction.reason == "Register import of register.csv, row 2"
    assert request.events.get(type="sent").occurred_on == date(2023, 2, 1)


def test_import_changed_decision_reopens_and_keeps_history(register_csv):
    request = make_request(reference="R-1", outcome=Outcome.EXECUTED, decided_on=date(2023, 5, 1))
    register_import(actor=None, path=register_csv(REFUSED))
    request.refresh_from_db()
    assert _event_types(request) == ["registered", "sent", "decided", "reopened", "decided"]
    reopened = request.events.get(type="reopened")
    assert reopened.occurred_on == timezone.localdate()
    assert reopened.reason == "Register import of register.csv, row 2"
    assert _projection(request) == _projection_of_state(request)
    assert (request.status, request.decided_on, request.political) == (
        "refused",
        date(2023, 6, 1),
        False,
    )
    audit = AuditRecord.objects.filter(action="request_import", object_id=str(request.pk)).get()
    assert (audit.before["status"], audit.after["status"]) == ("executed", "refused")


def _projection_of_state(request: Request) -> tuple:
    state = request_state(request=request)
    return (
        state.status,
        state.outcome,
        state.opened_on,
        state.decided_on,
        state.political,
        state.ground_codes,
    )


def test_import_decided_request_back_to_pending_is_reopened(register_csv):
    request = make_request(reference="R-1", outcome=Outcome.WITHDRAWN, decided_on=date(2023, 5, 1))
    register_import(actor=None, path=register_csv({}))
    request.refresh_from_db()
    assert _event_types(request)[-1] == "reopened"
    assert (request.status, request.outcome, request.decided_on) == ("reopened", "", None)


def test_import_decision_on_open_request(register_csv):
    request = make_request(reference="R-1")
    register_import(
        actor=None, path=register_csv({"status": "executed", "decided_on": "2023-04-01"})
    )
    request.refresh_from_db()
    assert _event_types(request) == ["registered", "sent", "decided"]
    assert request.status == "executed"


def test_import_new_receipt_date_is_an_acknowledgement(register_csv):
    request = make_request(reference="R-1")
    register_import(actor=None, path=register_csv({"received_on": "2023-03-04"}))
    request.refresh_from_db()
    assert request.events.get(type="acknowledged").occurred_on == date(2023, 3, 4)
    assert request.status == "acknowledged"


def test_import_descriptive_change_updates_in_place_with_audit(register_csv):
    request = make_request(reference="R-1")
    version = request.version
    result = register_import(
        actor=None, path=register_csv({"country": "DE", "notes": "Via Interpol"})
    )
    assert result.updated == 1
    request.refresh_from_db()
    assert (request.country_id, request.notes, request.version) == (
        "DE",
        "Via Interpol",
        version + 1,
    )
    assert _event_types(request) == ["registered", "sent"]
    audit = AuditRecord.objects.get(action="request_import", object_id=str(request.pk))
    assert (audit.before["country"], audit.after["country"]) == ("CH", "DE")


def test_import_left_out_column_keeps_its_field(tmp_path):
    request = make_request(reference="R-1", kind="extradition", persons_count=3)
    path = tmp_path / "short.csv"
    path.write_text(
        "reference,direction,kind,country,sent_on,status\nR-1,outgoing,extradition,CH,2023-03-01,pending\n",
        encoding="utf-8",
    )
    assert register_import(actor=None, path=path).unchanged == 1
    request.refresh_from_db()
    assert request.persons_count == 3


def test_import_change_the_lifecycle_refuses_is_a_row_error(register_csv):
    request = make_request(
        reference="R-1", kind="extradition", outcome=Outcome.GRANTED, decided_on=date(2023, 5, 1)
    )
    register_services.request_record_surrender(
        actor=None, request=request, surrendered_on=date(2023, 5, 2)
    )
    before = _counts()
    path = register_csv({"kind": "extradition", **REFUSED})
    with pytest.raises(ImportRejected) as rejected:
        register_import(actor=None, path=path)
    assert [str(error) for error in rejected.value.errors] == [
        "row 2, column status: The person has been surrendered; the request cannot be re-opened."
    ]
    assert _counts() == before


def test_import_surrendered_request_exported_as_granted_is_unchanged(register_csv):
    request = make_request(
        reference="R-1", kind="extradition", outcome=Outcome.GRANTED, decided_on=date(2023, 5, 1)
    )
    register_services.request_record_surrender(
        actor=None, request=request, surrendered_on=date(2023, 5, 2)
    )
    path = register_csv({"kind": "extradition", "status": "granted", "decided_on": "2023-05-01"})
    assert register_import(actor=None, path=path).unchanged == 1


def test_import_acknowledgement_after_decision_is_refused(register_csv):
    make_request(reference="R-1", outcome=Outcome.EXECUTED, decided_on=date(2023, 5, 1))
    path = register_csv(
        {"status": "executed", "decided_on": "2023-05-01", "received_on": "2023-03-02"}
    )
    with pytest.raises(ImportRejected) as rejected:
        register_import(actor=None, path=path)
    [error] = rejected.value.errors
    assert (error.row, error.column) == (2, "received_on")
    assert "re-open it" in error.message


def test_import_cannot_seek_fewer_persons_than_named(register_csv):
    request = make_request(reference="R-1", kind="extradition", persons_count=2)
    for name in ("A. Person", "B. Person"):
        register_services.person_add(actor=None, request=request, full_name=name)
    with pytest.raises(ImportRejected) as rejected:
        register_import(actor=None, path=register_csv({"kind": "extradition", "persons": "1"}))
    assert [str(error) for error in rejected.value.errors] == [
        "row 2, column persons: the request names 2 persons; it cannot seek fewer"
    ]


@pytest.mark.skipif(not SEED.exists(), reason=f"the shared seed register {SEED} is missing")
def test_import_seed_register():
    result = register_import(actor=None, path=SEED)
    assert (result.rows, result.created) == (1074, 1074)
    assert Request.objects.count() == 1074
    assert Event.objects.filter(type="acknowledged").exists()
    for request in Request.objects.filter(reference__in=["S23-OM-00005", "S23-OE-00805"]):
        assert _projection(request) == _projection_of_state(request)
    events = Event.objects.count()
    again = register_import(actor=None, path=SEED)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1074)
    assert Event.objects.count() == events


@pytest.mark.skipif(not SEED.exists(), reason=f"the shared seed register {SEED} is missing")
def test_import_seed_register_figures():
    register_import(actor=None, path=SEED)
    decided = Request.objects.filter(direction="outgoing", decided_on__year=2023)
    refused_mla = decided.filter(kind="mla", outcome="refused")
    assert (refused_mla.count(), refused_mla.filter(political=True).count()) == (66, 34)
    assert decided.filter(kind="mla", outcome="executed").count() == 376
    refused = decided.filter(kind="extradition", outcome="refused")
    assert (refused.count(), refused.filter(political=True).count()) == (114, 38)


@pytest.mark.parametrize("name", ["register.csv", "register.xlsx"])
def test_import_with_progress_bar_on_stderr(register_csv, tmp_path, capsys, name):
    path = register_csv({}, {"reference": "R-2"})
    if name.endswith(".xlsx"):
        workbook = Workbook()
        with path.open(encoding="utf-8") as stream:
            for line in stream:
                workbook.active.append(line.rstrip("\n").split(","))
        path = tmp_path / name
        workbook.save(path)
    assert register_import(actor=None, path=path, progress=True).created == 2
    assert name in capsys.readouterr().err
