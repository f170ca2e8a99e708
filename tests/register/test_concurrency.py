"""Two clerks recording on one request at the same moment: one succeeds, the other is told.

Every event-recording service takes the version of the request the clerk read and refuses the
event, under the request's row lock, if someone has changed the request since. The parallel
tests run real threads, each on its own connection to a PostgreSQL database of their own.
"""

import json
import os
import subprocess
import sys
import threading
import uuid
from datetime import date
from pathlib import Path

import pytest
from django.db import connections

from rogatory.accounts.models import Role
from rogatory.audit.models import AuditRecord
from rogatory.audit.selectors import audit_chain_verify
from rogatory.core.exceptions import ConflictError, TransitionError
from rogatory.reference.models import RefusalGround
from rogatory.register import services
from rogatory.register.models import Direction, Event, Kind, Outcome, Request, Status
from rogatory.register.selectors import request_state
from tests.accounts.factories import UserFactory
from tests.benchmarks.scripts import benchmark_script
from tests.register.factories import make_request

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2024, 5, 2)


def _sent(request: Request, version: int | None) -> Event:
    return services.request_record_sent(
        actor=None, request=request, sent_on=TODAY, expected_version=version
    )


# Each event-recording service, with a request it can record on and the call.
RECORDERS = {
    "sent": ({"opened_on": None}, _sent),
    "received": (
        {"opened_on": None, "direction": Direction.INCOMING},
        lambda request, version: services.request_record_received(
            actor=None, request=request, received_on=TODAY, expected_version=version
        ),
    ),
    "acknowledged": (
        {},
        lambda request, version: services.request_record_acknowledged(
            actor=None, request=request, acknowledged_on=TODAY, expected_version=version
        ),
    ),
    "supplementary_requested": (
        {},
        lambda request, version: services.request_record_supplementary_requested(
            actor=None, request=request, requested_on=TODAY, expected_version=version
        ),
    ),
    "provisional_arrest": (
        {"kind": Kind.EXTRADITION},
        lambda request, version: services.request_record_provisional_arrest(
            actor=None, request=request, arrested_on=TODAY, expected_version=version
        ),
    ),
    "hearing": (
        {"kind": Kind.EXTRADITION},
        lambda request, version: services.request_record_hearing(
            actor=None, request=request, held_on=TODAY, expected_version=version
        ),
    ),
    "refusal": (
        {},
        lambda request, version: services.request_record_decision(
            actor=None,
            request=request,
            outcome=Outcome.REFUSED,
            decided_on=TODAY,
            grounds=RefusalGround.objects.filter(code="dual_criminality"),
            expected_version=version,
        ),
    ),
    "surrendered": (
        {"kind": Kind.EXTRADITION, "outcome": Outcome.GRANTED, "decided_on": date(2024, 4, 1)},
        lambda request, version: services.request_record_surrender(
            actor=None, request=request, surrendered_on=TODAY, expected_version=version
        ),
    ),
    "reopened": (
        {"outcome": Outcome.EXECUTED, "decided_on": date(2024, 4, 1)},
        lambda request, version: services.request_reopen(
            actor=None,
            request=request,
            reopened_on=TODAY,
            reason="Appeal",
            expected_version=version,
        ),
    ),
    "opening_corrected": (
        {},
        lambda request, version: services.request_correct_opening(
            actor=None,
            request=request,
            opened_on=date(2023, 2, 27),
            reason="Typo",
            expected_version=version,
        ),
    ),
}


def _history(request: Request) -> tuple[int, int, int]:
    """Return the request's version, its events and the audit records about it."""
    request.refresh_from_db()
    audited = AuditRecord.objects.filter(object_type="request", object_id=str(request.pk))
    return request.version, request.events.count(), audited.count()


# --- One connection: a stale version ---------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("recorder", RECORDERS)
def test_recording_on_a_stale_version_is_a_conflict_and_records_nothing(recorder):
    setup, record = RECORDERS[recorder]
    request = make_request(**setup)
    stale = request.version
    services.request_update(actor=None, request=request, notes="Changed by someone else")
    before = _history(request)

    with pytest.raises(ConflictError) as refused:
        record(request, stale)

    assert _history(request) == before
    assert refused.value.extra["field"] == "version"
    assert refused.value.extra["version"] == stale + 1


@pytest.mark.django_db
@pytest.mark.parametrize("recorder", RECORDERS)
def test_recording_on_the_current_version_records_and_bumps_it(recorder):
    setup, record = RECORDERS[recorder]
    request = make_request(**setup)
    version, events, audited = _history(request)

    event = record(request, version)

    assert _history(request) == (version + 1, events + 1, audited + 1)
    assert event.request_id == request.pk


@pytest.mark.django_db
def test_recording_without_a_version_records_on_whatever_the_request_is_now():
    request = make_request()
    services.request_update(actor=None, request=request, notes="Changed by someone else")
    version, events, _ = _history(request)

    services.request_record_acknowledged(actor=None, request=request, acknowledged_on=TODAY)

    assert _history(request)[:2] == (version + 1, events + 1)


@pytest.mark.django_db
def test_the_conflict_names_the_latest_event_and_who_recorded_it(clerk):
    request = make_request()
    stale = request.version
    services.request_record_acknowledged(
        actor=clerk, request=request, acknowledged_on=date(2024, 4, 30)
    )

    with pytest.raises(ConflictError) as refused:
        services.request_record_supplementary_requested(
            actor=None, request=request, requested_on=TODAY, expected_version=stale
        )

    message = refused.value.message
    assert f"version {stale + 1}, you had version {stale}" in message
    assert "“receipt acknowledged” of 2024-04-30, recorded by clara.clerk" in message
    assert "record your event again" in message


@pytest.mark.django_db
def test_the_same_event_submitted_twice_on_one_version_is_recorded_once():
    request = make_request()
    version = request.version

    services.request_record_acknowledged(
        actor=None, request=request, acknowledged_on=TODAY, note="once", expected_version=version
    )
    with pytest.raises(ConflictError):
        services.request_record_acknowledged(
            actor=None,
            request=request,
            acknowledged_on=TODAY,
            note="once",
            expected_version=version,
        )

    assert request.events.filter(note="once").count() == 1
    assert _history(request)[0] == version + 1


# --- Threads on PostgreSQL -------------------------------------------------------------------

soak = benchmark_script("soak")
CLIENTS = 8


@pytest.fixture(scope="module")
def parallel_database() -> str:
    """Return the URL of an initialised PostgreSQL database of this module's own."""
    databases = benchmark_script("databases")
    if not databases.postgres_answers():
        pytest.skip(f"PostgreSQL does not answer at {databases.POSTGRES_URL}")
    with soak.scratch_database("rogatory_test_concurrency") as url:
        databases.rogatory("init", database_url=url)
        yield url


def _run_parallel(database_url: str, *, with_version: bool, refusal: bool = False) -> dict:
    """Run `parallel_record` in a process of its own on `database_url`; return what it found."""
    arguments = f"clients={CLIENTS}, with_version={with_version}, refusal={refusal}"
    code = (
        "import django, json; django.setup(); "
        "from tests.register.test_concurrency import parallel_record; "
        f"print(json.dumps(parallel_record({arguments})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "rogatory.settings",
            "ROGATORY_DATABASE_URL": database_url,
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def parallel_record(*, clients: int, with_version: bool, refusal: bool = False) -> dict:
    """Let `clients` clerks, each on a connection of their own, record on one request at once.

    Each records a receipt acknowledged, or with `refusal` a refusal of the request. Runs
    outside the test database (see `_run_parallel`): everything it writes is committed.
    """
    run = uuid.uuid4().hex[:8]
    request = make_request(reference=f"PARALLEL-{run}", opened_on=date(2024, 3, 1))
    clerks = [
        UserFactory(username=f"parallel-{run}-{number}", role=Role.CLERK)
        for number in range(clients)
    ]
    version = request.version
    ground = RefusalGround.objects.get(code="dual_criminality")
    event_type = Event.Type.DECIDED if refusal else Event.Type.ACKNOWLEDGED
    start = threading.Barrier(clients)
    outcomes: list[list] = [["none"] for _ in range(clients)]

    def record(number: int) -> None:
        try:
            start.wait()
            if refusal:
                event = services.request_record_decision(
                    actor=clerks[number],
                    request=request,
                    outcome=Outcome.REFUSED,
                    decided_on=date(2024, 3, 2),
                    grounds=[ground],
                    note=f"clerk {number}",
                    expected_version=version if with_version else None,
                )
            else:
                event = services.request_record_acknowledged(
                    actor=clerks[number],
                    request=request,
                    acknowledged_on=date(2024, 3, 2),
                    note=f"clerk {number}",
                    expected_version=version if with_version else None,
                )
            outcomes[number] = ["recorded", event.pk]
        except ConflictError as error:
            outcomes[number] = ["conflict", error.message]
        except TransitionError as error:
            outcomes[number] = ["refused", error.message]
        except BaseException as error:
            outcomes[number] = ["error", repr(error)]
        finally:
            connections.close_all()

    threads = [threading.Thread(target=record, args=(number,)) for number in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    request.refresh_from_db()
    chain = audit_chain_verify()
    return {
        "outcomes": outcomes,
        "version_before": version,
        "version_after": request.version,
        "events": list(request.events.filter(type=event_type).values_list("pk", "note")),
        "audit_records": AuditRecord.objects.filter(
            action="request_record_decision" if refusal else "request_record_acknowledged",
            object_id=str(request.pk),
        ).count(),
        "chain_intact": chain.intact,
        "chain_problem": chain.problem,
        "status": request.status,
        "status_from_events": request_state(request=request).status,
    }


@pytest.mark.postgres
def test_parallel_clerks_on_one_version_one_records_the_others_are_told(parallel_database):
    found = _run_parallel(parallel_database, with_version=True)

    kinds = sorted(outcome[0] for outcome in found["outcomes"])
    assert kinds == ["conflict"] * (CLIENTS - 1) + ["recorded"], found["outcomes"]
    (recorded,) = [outcome[1] for outcome in found["outcomes"] if outcome[0] == "recorded"]
    assert [event[0] for event in found["events"]] == [recorded]
    assert found["version_after"] == found["version_before"] + 1
    assert found["audit_records"] == 1
    assert found["chain_intact"], found["chain_problem"]
    for kind, message in found["outcomes"]:
        if kind == "conflict":
            assert "Someone else changed this request since you read it" in message


@pytest.mark.postgres
def test_parallel_clerks_without_a_version_are_queued_and_all_record(parallel_database):
    found = _run_parallel(parallel_database, with_version=False)

    assert [outcome[0] for outcome in found["outcomes"]] == ["recorded"] * CLIENTS
    assert sorted(note for _, note in found["events"]) == sorted(
        f"clerk {number}" for number in range(CLIENTS)
    )
    assert found["version_after"] == found["version_before"] + CLIENTS
    assert found["audit_records"] == CLIENTS
    assert found["chain_intact"], found["chain_problem"]
    assert found["status"] == found["status_from_events"] == Status.ACKNOWLEDGED


@pytest.mark.postgres
def test_parallel_refusals_without_a_version_decide_the_request_once(parallel_database):
    found = _run_parallel(parallel_database, with_version=False, refusal=True)

    kinds = sorted(outcome[0] for outcome in found["outcomes"])
    assert kinds == ["recorded"] + ["refused"] * (CLIENTS - 1), found["outcomes"]
    for kind, message in found["outcomes"]:
        if kind == "refused":
            assert "The request was decided" in message
    assert len(found["events"]) == 1
    assert found["version_after"] == found["version_before"] + 1
    assert found["audit_records"] == 1
    assert found["chain_intact"], found["chain_problem"]
    assert found["status"] == found["status_from_events"] == Status.REFUSED
