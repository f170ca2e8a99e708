"""Register jobs: register files checked, imported and exported by the background worker.

A page asks for a job (`register_job_check`, `register_job_import`, `register_job_export`);
each writes the job and its audit record in one transaction and queues a django-tasks task
once that transaction commits, so that a worker never looks for a job that is not there yet.
The worker runs `register_job_run`, which calls the services the command line calls
(`register_import`, `register_export`) as the user who asked, and records what came of it.

An upload stays in its private directory (see `uploads.py`) from its check to its import, so a
worker on another machine needs the same media directory. Exported files go to the default
storage under generated names and are deleted a day later, as abandoned uploads are.
"""

import contextlib
import fcntl
import logging
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rogatory.accounts.models import Unit, User
from rogatory.accounts.permissions import Action, authorize, user_sees_all_units, user_unit_ids
from rogatory.audit.context import client_address, client_address_set
from rogatory.audit.services import audit_record
from rogatory.core.exceptions import ApplicationError, NotFoundError, ValidationError
from rogatory.register.models import Direction

from .export import register_export
from .models import RegisterJob
from .reader import FORMATS
from .rows import RowError
from .selectors import register_job_get
from .services import ImportRejected, register_import
from .uploads import StoredUpload, upload_delete, upload_get

logger = logging.getLogger(__name__)

Kind, Status = RegisterJob.Kind, RegisterJob.Status

# The wrong rows a rejected file's job keeps: a file wrong throughout could have millions.
ROW_ERRORS_KEPT = 10_000
EXPORT_KEPT_FOR = timedelta(hours=24)
_EXPORT_DIRECTORY = "exports"
_REQUEST_ACTION = "register_job_request"
_DOWNLOAD_ACTION = "register_export_download"
_OBJECT_TYPE = "register_job"


# --- Asking for a job -----------------------------------------------------------------------


def register_job_check(
    *, actor: User, upload: StoredUpload, name: str, unit: Unit, language: str = ""
) -> RegisterJob:
    """Queue a dry run of an uploaded register file; it replaces the actor's unconfirmed checks."""
    authorize(actor, Action.IMPORT, unit_id=unit.pk)
    with transaction.atomic():
        _checks_close(actor)
        return _job_create(
            actor=actor,
            kind=Kind.IMPORT_CHECK,
            unit=unit,
            language=language,
            parameters={
                "name": name,
                "token": upload.token,
                "sha256": upload.sha256,
                "size": upload.size,
            },
        )


def register_job_import(*, actor: User, check_id: int, language: str = "") -> RegisterJob:
    """Queue the import of a checked file; each check can be confirmed once, by its own user."""
    with transaction.atomic():
        check = _open_check(actor, check_id)
        authorize(actor, Action.IMPORT, unit_id=check.unit_id)
        check.closed_at = timezone.now()
        check.save(update_fields=["closed_at"])
        return _job_create(
            actor=actor,
            kind=Kind.IMPORT,
            unit=check.unit,
            source=check,
            language=language,
            parameters=check.parameters,
        )


def register_job_cancel(*, actor: User, check_id: int) -> None:
    """Close a checked file without importing it, and delete the upload."""
    with transaction.atomic():
        check = _open_check(actor, check_id)
        check.closed_at = timezone.now()
        check.save(update_fields=["closed_at"])
        _upload_delete_on_commit(check)


def register_job_export(
    *, actor: User, format: str, direction: str = "", language: str = ""
) -> RegisterJob:
    """Queue an export of the register requests `actor` may read, in format v1."""
    authorize(actor, Action.READ)
    if format not in FORMATS:
        raise ValidationError(
            _("The format must be csv or xlsx, not “%(value)s”.") % {"value": format}
        )
    if direction and direction not in Direction.values:
        raise ValidationError(
            _("The direction must be outgoing or incoming, not “%(value)s”.") % {"value": direction}
        )
    register_export_sweep()
    with transaction.atomic():
        return _job_create(
            actor=actor,
            kind=Kind.EXPORT,
            language=language,
            parameters={"format": format, "direction": direction},
        )


def register_job_export_open(*, actor: User, job_id: int) -> tuple[IO[bytes], str]:
    """Open the file an export job wrote, for the user who asked for it, and audit the download.

    Return the open file and the name to download it under.
    """
    job = register_job_get(user=actor, job_id=job_id, kinds=[Kind.EXPORT])
    if not (job.status == Status.DONE and job.file_name and default_storage.exists(job.file_name)):
        raise NotFoundError(
            _("The exported file is no longer on the server; export the register again.")
        )
    name = _download_name(job)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=_DOWNLOAD_ACTION,
            object_type=_OBJECT_TYPE,
            object_id=job.pk,
            after={"file": name, "requests": job.result["requests"]},
        )
    return default_storage.open(job.file_name, "rb"), name


def _download_name(job: RegisterJob) -> str:
    """Return the name to download an export under, such as rogatory-register-2024-05-01.csv."""
    direction = job.parameters.get("direction")
    suffix = f"-{direction}" if direction else ""
    day = timezone.localdate(job.created_at).isoformat()
    return f"rogatory-register-{day}{suffix}.{job.parameters['format']}"


def register_export_sweep(*, older_than: timedelta = EXPORT_KEPT_FOR) -> int:
    """Delete exported files older than `older_than`; return how many were deleted."""
    jobs = list(
        RegisterJob.objects.filter(
            kind=Kind.EXPORT, finished_at__lt=timezone.now() - older_than
        ).exclude(file_name="")
    )
    for job in jobs:
        default_storage.delete(job.file_name)
    RegisterJob.objects.filter(pk__in=[job.pk for job in jobs]).update(file_name="")
    return len(jobs)


def register_job_row_errors(job: RegisterJob) -> list[RowError]:
    """Return the wrong rows a rejected file's job kept, in the order of the file."""
    return [RowError(*error) for error in (job.result or {}).get("errors", [])]


def _open_check(actor: User, check_id: int) -> RegisterJob:
    check = (
        RegisterJob.objects.select_for_update(of=("self",))
        .select_related("unit")
        .filter(
            pk=check_id,
            requested_by=actor,
            kind=Kind.IMPORT_CHECK,
            status=Status.DONE,
            closed_at__isnull=True,
        )
        .first()
    )
    if check is None:
        raise NotFoundError(_("There is no checked file to import; upload it again."))
    return check


def _checks_close(actor: User) -> None:
    """Close the actor's checks not yet confirmed: a newer file replaces them."""
    checks = list(
        RegisterJob.objects.select_for_update(of=("self",)).filter(
            requested_by=actor, kind=Kind.IMPORT_CHECK, closed_at__isnull=True
        )
    )
    RegisterJob.objects.filter(pk__in=[check.pk for check in checks]).update(
        closed_at=timezone.now()
    )
    for check in checks:
        _upload_delete_on_commit(check)


def _upload_delete_on_commit(job: RegisterJob) -> None:
    token = job.parameters.get("token", "")
    transaction.on_commit(lambda: upload_delete(token=token))


def _job_create(
    *,
    actor: User,
    kind: str,
    parameters: dict[str, Any],
    language: str,
    unit: Unit | None = None,
    source: RegisterJob | None = None,
) -> RegisterJob:
    job = RegisterJob.objects.create(
        kind=kind,
        requested_by=actor,
        unit=unit,
        source=source,
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
        client_address=client_address(),
        parameters=parameters,
    )
    audit_record(
        actor=actor,
        action=_REQUEST_ACTION,
        object_type=_OBJECT_TYPE,
        object_id=job.pk,
        after={
            "kind": kind,
            "unit": unit.code if unit else None,
            # The token finds the upload on the server; the trail needs only what it was.
            **{key: value for key, value in parameters.items() if key != "token"},
        },
    )
    # Here, because the task module runs the jobs this module asks for.
    from .tasks import register_job_task

    job_id = job.pk
    transaction.on_commit(lambda: register_job_task.enqueue(job_id=job_id))
    return job


# --- Running a job (the worker's part) ------------------------------------------------------


def register_job_run(*, job_id: int) -> RegisterJob | None:
    """Run a queued job as the user who asked for it, and record what came of it.

    Return the finished job, or None when the job is gone or another worker took it. While
    it runs, the job's liveness lock is held (see `register_jobs_orphaned_fail`).
    """
    with _job_alive(job_id):
        job = _job_start(job_id)
        if job is None:
            return None
        _job_run(job)
    register_export_sweep()
    return job


def _job_run(job: RegisterJob) -> None:
    with (
        translation.override(job.language or settings.LANGUAGE_CODE),
        client_address_set(job.client_address),
    ):
        try:
            result = _RUNNERS[job.kind](job)
        except ImportRejected as rejected:
            _job_finish(job, Status.FAILED, error=rejected.message, result=_rejected(rejected))
        except ApplicationError as error:
            _job_finish(job, Status.FAILED, error=error.message)
        except Exception:
            _job_finish(
                job,
                Status.FAILED,
                error=_("The job stopped on an unexpected error; the worker's log tells more."),
            )
            raise
        else:
            _job_finish(job, Status.DONE, result=result)


def _job_start(job_id: int) -> RegisterJob | None:
    with transaction.atomic():
        job = (
            RegisterJob.objects.select_for_update(of=("self",))
            .select_related("requested_by", "unit")
            .filter(pk=job_id, status=Status.QUEUED)
            .first()
        )
        if job is not None:
            job.status = Status.RUNNING
            job.started_at = timezone.now()
            job.save(update_fields=["status", "started_at"])
    return job


def _job_finish(
    job: RegisterJob, status: str, *, error: str = "", result: dict[str, Any] | None = None
) -> None:
    job.status = status
    job.error = error
    job.result = result
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "result", "file_name", "finished_at"])


def _rejected(rejected: ImportRejected) -> dict[str, Any]:
    return {
        "error_count": len(rejected.errors),
        "errors": [
            [error.row, error.column, error.message] for error in rejected.errors[:ROW_ERRORS_KEPT]
        ],
    }


def _upload(job: RegisterJob) -> StoredUpload:
    return upload_get(token=job.parameters["token"], sha256=job.parameters["sha256"])


def _run_check(job: RegisterJob) -> dict[str, Any]:
    if job.closed_at is not None:
        # A newer upload closed this check while it waited, and deleted its file.
        raise ApplicationError(_("A newer file replaced this one before it was checked."))
    try:
        result = register_import(
            actor=job.requested_by, path=_upload(job).path, dry_run=True, unit=job.unit
        )
    except ApplicationError:
        # Only a file fit to confirm is kept.
        upload_delete(token=job.parameters["token"])
        raise
    return asdict(result)


def _run_import(job: RegisterJob) -> dict[str, Any]:
    try:
        result = register_import(actor=job.requested_by, path=_upload(job).path, unit=job.unit)
    finally:
        # Whatever happened, this upload has had its one import.
        upload_delete(token=job.parameters["token"])
    return asdict(result)


def _run_export(job: RegisterJob) -> dict[str, Any]:
    actor = job.requested_by
    authorize(actor, Action.READ)
    file_format = job.parameters["format"]
    with tempfile.TemporaryDirectory(prefix="rogatory-export-") as directory:
        path = Path(directory) / f"register.{file_format}"
        written = register_export(
            path=path,
            format=file_format,
            direction=job.parameters.get("direction") or None,
            # The file holds what its reader may see: their own units' requests, or every unit's.
            unit_ids=None if user_sees_all_units(actor) else user_unit_ids(actor),
        )
        with path.open("rb") as stream:
            job.file_name = default_storage.save(
                f"{_EXPORT_DIRECTORY}/{secrets.token_urlsafe(24)}.{file_format}", File(stream)
            )
    return {"requests": written}


# --- Jobs whose worker died ------------------------------------------------------------------
#
# A worker holds a lock for each job it runs, from before the job is marked running until it is
# marked finished: a PostgreSQL advisory lock on a connection of its own, or (SQLite, one
# machine) an exclusive lock on a file beside the uploads. Either is released by the database
# or the operating system when the process dies, however it dies. A running job whose lock
# is free therefore has no worker left: it would show "running" forever.

# The first key of the two-key advisory locks; the two-key space never meets the one-key one.
_ADVISORY_LOCK_CLASS = 0x526A  # "Rj"
_LOCK_DIRECTORY = "jobs"


def register_jobs_orphaned_fail() -> int:
    """Mark as failed the running jobs whose worker died, and delete their uploads.

    Return how many were marked. `rogatory worker` calls it when it starts and then every
    minute; an import is all or nothing, so a job whose worker died has written nothing.
    """
    failed = 0
    running = RegisterJob.objects.filter(status=Status.RUNNING).values_list("pk", flat=True)
    for job_id in list(running):
        with _job_lock_try(job_id) as free:
            if not free:
                continue  # its worker is still at it
            with transaction.atomic():
                job = (
                    RegisterJob.objects.select_for_update(of=("self",))
                    .filter(pk=job_id, status=Status.RUNNING)
                    .first()
                )
                if job is None:
                    continue
                with translation.override(job.language or settings.LANGUAGE_CODE):
                    _job_finish(job, Status.FAILED, error=_orphaned_message(job))
                _task_results_fail(job_id)
            if job.kind in (Kind.IMPORT_CHECK, Kind.IMPORT):
                upload_delete(token=job.parameters.get("token", ""))
            logger.warning("Register job %s failed: its worker stopped while running it.", job_id)
            failed += 1
    return failed


def _orphaned_message(job: RegisterJob) -> str:
    if job.kind == Kind.EXPORT:
        return _(
            "The background worker stopped before the export finished; nothing was exported. "
            "Export the register again."
        )
    return _(
        "The background worker stopped before this file was processed to the end; nothing of "
        "it was imported. Upload the file again."
    )


def _task_results_fail(job_id: int) -> None:
    """Mark the django-tasks results of the job failed too, rather than running forever."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, args_kwargs__kwargs__job_id=job_id
    ).update(status=TaskResultStatus.FAILED, finished_at=timezone.now())


@contextlib.contextmanager
def _job_alive(job_id: int) -> Iterator[None]:
    """Hold the job's liveness lock for the block, waiting for a sweep that checks it."""
    with _job_lock(job_id, wait=True):
        yield


@contextlib.contextmanager
def _job_lock_try(job_id: int) -> Iterator[bool]:
    """Take the job's liveness lock for the block if it is free; yield whether it was."""
    with _job_lock(job_id, wait=False) as taken:
        yield taken


@contextlib.contextmanager
def _job_lock(job_id: int, *, wait: bool) -> Iterator[bool]:
    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        with _advisory_lock(job_id, wait=wait) as taken:
            yield taken
    else:
        with _file_lock(job_id, wait=wait) as taken:
            yield taken


@contextlib.contextmanager
def _advisory_lock(job_id: int, *, wait: bool) -> Iterator[bool]:
    # A connection of its own: the job's own connection may be closed and opened again while
    # it runs, which would let the lock go.
    holder = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with holder.cursor() as cursor:
            function = "pg_advisory_lock" if wait else "pg_try_advisory_lock"
            cursor.execute(
                f"SELECT {function}(%s, %s)", [_ADVISORY_LOCK_CLASS, job_id & 0x7FFFFFFF]
            )
            row = cursor.fetchone()
        taken = wait or bool(row[0])
        yield taken
    finally:
        holder.close()  # ends the session, and with it the lock


@contextlib.contextmanager
def _file_lock(job_id: int, *, wait: bool) -> Iterator[bool]:
    directory = Path(settings.MEDIA_ROOT) / _LOCK_DIRECTORY
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / f"{job_id}.lock"
    with path.open("a") as stream:
        try:
            fcntl.flock(stream, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            # Whoever holds the lock may remove the file: a job runs once, so no worker waits
            # for it, and a sweep that opens it afterwards finds the job no longer running.
            path.unlink(missing_ok=True)
            fcntl.flock(stream, fcntl.LOCK_UN)


_RUNNERS = {
    Kind.IMPORT_CHECK: _run_check,
    Kind.IMPORT: _run_import,
    Kind.EXPORT: _run_export,
}
