"""A job whose worker died is marked failed, instead of showing "running" forever.

A worker holds a liveness lock for each job it runs (rogatory/intake/jobs.py); the database or
the operating system releases it when the process dies. `register_jobs_orphaned_fail`, which
`rogatory worker` runs when it starts and every minute, fails the running jobs whose lock is free.
"""

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.utils import timezone

from rogatory.accounts.models import Role
from rogatory.intake import jobs
from rogatory.intake.jobs import register_jobs_orphaned_fail
from rogatory.intake.models import RegisterJob
from rogatory.intake.rows import COLUMNS
from rogatory.intake.uploads import upload_store
from rogatory.register.synthetic import synthetic_register_rows
from tests.accounts.factories import UserFactory
from tests.intake.test_worker import _QUEUE_CHECK

ROOT = Path(__file__).resolve().parents[2]
Status = RegisterJob.Status


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _running_import(user) -> RegisterJob:
    content = b"reference,direction,kind,country,sent_on,status\n"
    upload = upload_store(chunks=[content], original_name="register.csv", max_bytes=1 << 20)
    return RegisterJob.objects.create(
        kind=RegisterJob.Kind.IMPORT,
        status=Status.RUNNING,
        requested_by=user,
        unit=user.units.first(),
        language="en",
        started_at=timezone.now(),
        parameters={"name": "register.csv", "token": upload.token, "sha256": upload.sha256},
    )


@pytest.mark.django_db
def test_running_job_without_a_live_worker_is_marked_failed_and_its_upload_deleted(media):
    job = _running_import(UserFactory(role=Role.CLERK))

    assert register_jobs_orphaned_fail() == 1

    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.finished_at is not None
    assert "background worker stopped" in job.error
    assert "nothing of it was imported" in job.error
    assert not list((media / "imports").glob("*/*"))


@pytest.mark.django_db
def test_running_job_whose_worker_lives_is_left_alone(media):
    job = _running_import(UserFactory(role=Role.CLERK))

    with jobs._job_alive(job.pk):
        assert register_jobs_orphaned_fail() == 0

    job.refresh_from_db()
    assert job.status == Status.RUNNING
    assert list((media / "imports").glob("*/*"))


@pytest.mark.django_db
def test_finished_and_queued_jobs_are_not_touched():
    user = UserFactory(role=Role.CLERK)
    for status in (Status.QUEUED, Status.DONE, Status.FAILED):
        RegisterJob.objects.create(kind=RegisterJob.Kind.EXPORT, status=status, requested_by=user)

    assert register_jobs_orphaned_fail() == 0
    assert sorted(RegisterJob.objects.values_list("status", flat=True)) == sorted(
        [Status.QUEUED, Status.DONE, Status.FAILED]
    )


@pytest.mark.django_db
def test_export_job_of_a_dead_worker_says_nothing_was_exported():
    job = RegisterJob.objects.create(
        kind=RegisterJob.Kind.EXPORT,
        status=Status.RUNNING,
        requested_by=UserFactory(),
        parameters={"format": "csv", "direction": ""},
    )

    register_jobs_orphaned_fail()

    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert "nothing was exported" in job.error


# --- A real worker, killed while it runs a job ------------------------------------------------


def _environment(folder: Path) -> dict[str, str]:
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "rogatory.settings",
        "ROGATORY_DATABASE_URL": f"sqlite:///{folder / 'rogatory.sqlite3'}",
        "ROGATORY_MEDIA_DIR": str(folder / "media"),
        "ROGATORY_LOG_LEVEL": "ERROR",
    }
    return environment


def _run(arguments: list[str], folder: Path) -> str:
    result = subprocess.run(
        [sys.executable, *arguments],
        cwd=folder,
        env=_environment(folder),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _job(folder: Path, job_id: int) -> tuple[str, str]:
    with sqlite3.connect(folder / "rogatory.sqlite3") as database:
        return database.execute(
            "SELECT status, error FROM intake_registerjob WHERE id = ?", (job_id,)
        ).fetchone()


def test_job_of_a_killed_worker_is_failed_by_the_next_worker(tmp_path):
    _run(["-m", "rogatory.cli", "init"], tmp_path)
    register = tmp_path / "register.csv"
    with register.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=COLUMNS, restval="")
        writer.writeheader()
        writer.writerows(synthetic_register_rows(requests=20_000, seed=3))
    job_id = int(_run(["-c", _QUEUE_CHECK, str(register)], tmp_path).strip())
    worker = subprocess.Popen(
        [sys.executable, "-m", "rogatory.cli", "worker", "--interval", "0.1"],
        cwd=tmp_path,
        env=_environment(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        while _job(tmp_path, job_id)[0] != "running":
            assert worker.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=60)
    finally:
        worker.kill()
        worker.wait()
    assert _job(tmp_path, job_id)[0] == "running"  # and so it would stay

    _run(["-m", "rogatory.cli", "worker", "--batch", "--interval", "0"], tmp_path)

    status, error = _job(tmp_path, job_id)
    assert status == "failed"
    assert "background worker stopped" in error
    assert not list((tmp_path / "media" / "imports").glob("*/*"))
