"""Register jobs: checks, imports and exports asked for now and run by the worker later."""

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from rogatory.accounts.models import Role
from rogatory.audit.context import client_address_set
from rogatory.audit.models import AuditRecord
from rogatory.core.exceptions import NotFoundError, PermissionDeniedError, ValidationError
from rogatory.intake import jobs
from rogatory.intake.export import register_export
from rogatory.intake.jobs import (
    register_export_sweep,
    register_job_cancel,
    register_job_check,
    register_job_export,
    register_job_export_open,
    register_job_import,
    register_job_row_errors,
    register_job_run,
)
from rogatory.intake.models import RegisterJob
from rogatory.intake.uploads import upload_store
from rogatory.register.models import Request
from tests.accounts.factories import UnitFactory, UserFactory
from tests.register.factories import make_request

pytestmark = pytest.mark.django_db

HEADER = "reference,direction,kind,country,sent_on,status"
GOOD = ["J-1,outgoing,mla,CH,2024-02-01,pending", "J-2,outgoing,mla,DE,2024-02-01,pending"]
# Rows 2 and 4 are wrong.
BAD = [
    "J-1,outgoing,mla,Atlantis,2024-02-01,pending",
    "J-2,outgoing,mla,CH,2024-02-01,pending",
    "J-3,sideways,mla,CH,2024-02-01,pending",
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def clerk_user():
    return UserFactory(role=Role.CLERK)


def _upload(rows: list[str], name: str = "register.csv"):
    content = ("\n".join([HEADER, *rows]) + "\n").encode()
    return upload_store(chunks=[content], original_name=name, max_bytes=1 << 20)


def _check(run_tasks, user, rows: list[str], **kwargs) -> RegisterJob:
    upload = _upload(rows)
    with run_tasks():
        job = register_job_check(
            actor=user, upload=upload, name="register.csv", unit=user.units.first(), **kwargs
        )
    job.refresh_from_db()
    return job


def _uploads(media: Path) -> list[Path]:
    return sorted((media / "imports").glob("*/*"))


# --- Checks and imports -----------------------------------------------------------------------


def test_check_job_counts_what_the_import_would_do_and_writes_nothing(run_tasks, clerk_user, media):
    job = _check(run_tasks, clerk_user, GOOD)

    assert job.status == RegisterJob.Status.DONE
    assert (job.result["rows"], job.result["created"], job.result["dry_run"]) == (2, 2, True)
    assert job.started_at and job.finished_at
    assert not Request.objects.filter(reference__startswith="J-").exists()
    # The upload waits for its confirmation.
    assert [path.name for path in _uploads(media)] == ["register.csv"]


def test_check_job_is_audited_without_the_uploads_token(run_tasks, clerk_user):
    job = _check(run_tasks, clerk_user, GOOD)

    record = AuditRecord.objects.get(action="register_job_request", object_id=str(job.pk))
    assert record.actor == clerk_user
    assert record.after["kind"] == "import_check"
    assert record.after["name"] == "register.csv"
    assert "token" not in record.after


def test_check_job_of_a_wrong_file_keeps_every_wrong_row_and_the_upload_goes(
    run_tasks, clerk_user, media
):
    job = _check(run_tasks, clerk_user, BAD)

    assert job.status == RegisterJob.Status.FAILED
    assert job.error == "2 errors in 2 rows; nothing was imported."
    assert [(error.row, error.column) for error in register_job_row_errors(job)] == [
        (2, "country"),
        (4, "direction"),
    ]
    assert job.result["error_count"] == 2
    assert _uploads(media) == []


def test_check_job_keeps_only_the_first_row_errors_of_a_file_wrong_throughout(
    run_tasks, clerk_user, monkeypatch
):
    monkeypatch.setattr(jobs, "ROW_ERRORS_KEPT", 1)

    job = _check(run_tasks, clerk_user, BAD)

    assert job.result["error_count"] == 2
    assert [error.row for error in register_job_row_errors(job)] == [2]


def test_check_job_runs_in_the_language_of_the_user_who_asked(run_tasks, clerk_user):
    job = _check(run_tasks, clerk_user, BAD, language="ru")

    assert job.error == "2 ошибки в 2 строках; данные не импортированы."


def test_check_job_of_a_file_that_is_no_register_fails_with_the_readers_message(
    run_tasks, clerk_user, media
):
    upload = upload_store(
        chunks=[b"this is no workbook"], original_name="register.xlsx", max_bytes=1 << 20
    )
    with run_tasks():
        job = register_job_check(
            actor=clerk_user, upload=upload, name="register.xlsx", unit=clerk_user.units.first()
        )
    job.refresh_from_db()

    assert job.status == RegisterJob.Status.FAILED
    assert "not a valid XLSX workbook" in job.error
    assert register_job_row_errors(job) == []
    assert _uploads(media) == []


def test_check_into_another_units_is_refused_before_anything_is_queued(clerk_user):
    other = UnitFactory(code="other")

    with pytest.raises(PermissionDeniedError):
        register_job_check(actor=clerk_user, upload=_upload(GOOD), name="r.csv", unit=other)

    assert not RegisterJob.objects.exists()


def test_a_new_check_closes_the_unconfirmed_one_and_deletes_its_upload(
    run_tasks, clerk_user, media
):
    first = _check(run_tasks, clerk_user, GOOD)
    second = _check(run_tasks, clerk_user, GOOD)

    first.refresh_from_db()
    assert first.closed_at is not None
    assert second.closed_at is None
    assert [path.parent.name for path in _uploads(media)] == [second.parameters["token"]]
    with pytest.raises(NotFoundError):
        register_job_import(actor=clerk_user, check_id=first.pk)


def test_a_check_replaced_while_it_waits_says_so_when_the_worker_reaches_it(
    run_tasks, clerk_user, media
):
    unit = clerk_user.units.first()
    # No task runs for the first check before the second replaces it.
    waiting = register_job_check(actor=clerk_user, upload=_upload(GOOD), name="a.csv", unit=unit)
    _check(run_tasks, clerk_user, GOOD)

    register_job_run(job_id=waiting.pk)

    waiting.refresh_from_db()
    assert waiting.status == RegisterJob.Status.FAILED
    assert waiting.error == "A newer file replaced this one before it was checked."


def test_import_job_writes_the_checked_file_as_the_user_who_asked(run_tasks, clerk_user, media):
    check = _check(run_tasks, clerk_user, GOOD)

    with run_tasks(), client_address_set("192.0.2.7"):
        job = register_job_import(actor=clerk_user, check_id=check.pk)
    job.refresh_from_db()

    assert job.status == RegisterJob.Status.DONE
    assert (job.result["created"], job.result["dry_run"]) == (2, False)
    assert job.source == check
    assert set(
        Request.objects.filter(reference__startswith="J-").values_list("unit", flat=True)
    ) == {check.unit_id}
    record = AuditRecord.objects.get(action="register_import")
    # The worker writes the audit trail as the user, from the address they asked from.
    assert (record.actor, record.client_address) == (clerk_user, "192.0.2.7")
    assert _uploads(media) == []


def test_a_check_is_confirmed_once(run_tasks, clerk_user):
    check = _check(run_tasks, clerk_user, GOOD)
    with run_tasks():
        register_job_import(actor=clerk_user, check_id=check.pk)

    with pytest.raises(NotFoundError, match="no checked file"):
        register_job_import(actor=clerk_user, check_id=check.pk)
    assert RegisterJob.objects.filter(kind=RegisterJob.Kind.IMPORT).count() == 1


def test_a_check_is_confirmed_only_by_the_user_who_asked(run_tasks, clerk_user, media):
    check = _check(run_tasks, clerk_user, GOOD)
    supervisor = UserFactory(role=Role.SUPERVISOR)

    with pytest.raises(NotFoundError):
        register_job_import(actor=supervisor, check_id=check.pk)
    with pytest.raises(NotFoundError):
        register_job_cancel(actor=supervisor, check_id=check.pk)
    assert len(_uploads(media)) == 1


def test_a_failed_check_cannot_be_confirmed(run_tasks, clerk_user):
    check = _check(run_tasks, clerk_user, BAD)

    with pytest.raises(NotFoundError):
        register_job_import(actor=clerk_user, check_id=check.pk)


def test_import_job_shows_rows_the_register_refuses_since_the_check(run_tasks, clerk_user, media):
    check = _check(run_tasks, clerk_user, GOOD)
    make_request(reference="J-2", kind="extradition")

    with run_tasks():
        job = register_job_import(actor=clerk_user, check_id=check.pk)
    job.refresh_from_db()

    assert job.status == RegisterJob.Status.FAILED
    assert [(error.row, error.column) for error in register_job_row_errors(job)] == [(3, "kind")]
    assert not Request.objects.filter(reference="J-1").exists()
    assert _uploads(media) == []


def test_import_job_of_a_user_who_may_no_longer_import_fails(run_tasks, clerk_user):
    check = _check(run_tasks, clerk_user, GOOD)
    with run_tasks():
        job = register_job_import(actor=clerk_user, check_id=check.pk)
        # The role changes after the import was asked for, before the worker runs it.
        clerk_user.role = Role.VIEWER
        clerk_user.save()
    job.refresh_from_db()

    assert job.status == RegisterJob.Status.FAILED
    assert job.error == "Your role does not allow this."
    assert not Request.objects.filter(reference__startswith="J-").exists()


def test_cancel_closes_the_check_and_deletes_the_upload(run_tasks, clerk_user, media):
    check = _check(run_tasks, clerk_user, GOOD)

    with run_tasks():
        register_job_cancel(actor=clerk_user, check_id=check.pk)

    check.refresh_from_db()
    assert check.closed_at is not None
    assert _uploads(media) == []


def test_a_job_runs_once(run_tasks, clerk_user):
    job = _check(run_tasks, clerk_user, GOOD)
    finished = job.finished_at

    assert register_job_run(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.finished_at == finished


# --- Exports --------------------------------------------------------------------------------


def _export(run_tasks, user, **kwargs) -> RegisterJob:
    with run_tasks():
        job = register_job_export(actor=user, **{"format": "csv", **kwargs})
    job.refresh_from_db()
    return job


def _read(user, job: RegisterJob) -> bytes:
    stream, _name = register_job_export_open(actor=user, job_id=job.pk)
    with stream:
        return stream.read()


def test_export_job_holds_only_the_requests_of_the_users_units(run_tasks, tmp_path):
    mine, other = UnitFactory(code="mine"), UnitFactory(code="other")
    make_request(reference="MINE-1", unit=mine)
    make_request(reference="MINE-2", unit=mine, direction="incoming")
    make_request(reference="OTHER-1", unit=other)
    user = UserFactory(role=Role.VIEWER, units=[mine])

    job = _export(run_tasks, user)

    assert job.status == RegisterJob.Status.DONE
    assert job.result == {"requests": 2}
    expected = tmp_path / "expected.csv"
    register_export(path=expected, unit_ids=[mine.pk])
    assert _read(user, job) == expected.read_bytes()
    references = [
        row["reference"] for row in csv.DictReader(io.StringIO(_read(user, job).decode()))
    ]
    assert references == ["MINE-1", "MINE-2"]


def test_export_job_of_a_supervisor_holds_every_unit_in_one_direction(run_tasks, tmp_path):
    make_request(reference="A-1", unit=UnitFactory(code="a"))
    make_request(reference="B-1", unit=UnitFactory(code="b"))
    make_request(reference="B-2", unit=UnitFactory(code="b"), direction="incoming")
    supervisor = UserFactory(role=Role.SUPERVISOR)

    job = _export(run_tasks, supervisor, format="xlsx", direction="outgoing")

    expected = tmp_path / "expected.xlsx"
    written = register_export(path=expected, direction="outgoing")
    assert job.result == {"requests": written}
    assert job.file_name.endswith(".xlsx")
    stream, name = register_job_export_open(actor=supervisor, job_id=job.pk)
    stream.close()
    assert name == f"rogatory-register-{timezone.localdate().isoformat()}-outgoing.xlsx"


def test_export_job_file_is_only_for_the_user_who_asked(run_tasks):
    owner = UserFactory(role=Role.SUPERVISOR)
    job = _export(run_tasks, owner)

    with pytest.raises(NotFoundError):
        register_job_export_open(actor=UserFactory(role=Role.ADMINISTRATOR), job_id=job.pk)


def test_export_download_is_audited(run_tasks):
    owner = UserFactory(role=Role.SUPERVISOR)
    job = _export(run_tasks, owner)

    _read(owner, job)

    record = AuditRecord.objects.get(action="register_export_download")
    assert (record.actor, record.object_id) == (owner, str(job.pk))


@pytest.mark.parametrize(
    ("format", "direction"), [("pdf", ""), ("csv", "sideways")], ids=["format", "direction"]
)
def test_export_with_a_wrong_format_or_direction_is_refused(format, direction):
    with pytest.raises(ValidationError):
        register_job_export(actor=UserFactory(), format=format, direction=direction)
    assert not RegisterJob.objects.exists()


def test_exported_files_are_swept_after_a_day(run_tasks):
    owner = UserFactory(role=Role.SUPERVISOR)
    old, new = _export(run_tasks, owner), _export(run_tasks, owner)
    RegisterJob.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(hours=25))

    assert register_export_sweep() == 1

    old.refresh_from_db()
    assert old.file_name == ""
    assert default_storage.exists(new.file_name)
    with pytest.raises(NotFoundError, match="export the register again"):
        register_job_export_open(actor=owner, job_id=old.pk)
