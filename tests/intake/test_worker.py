"""`rogatory worker`: the background worker, a process of its own that runs queued jobs."""

import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from rogatory.core.management.commands import serve as serve_command
from tests.intake.conftest import IMMEDIATE_TASKS

ROOT = Path(__file__).resolve().parents[2]
REGISTER = (
    "reference,direction,kind,country,sent_on,status\n"
    "P-1,outgoing,mla,CH,2024-02-01,pending\n"
    "P-2,outgoing,extradition,DE,2024-02-01,pending\n"
)
# Queue a supervisor's check of a file, as the import page does; print the job's id.
_QUEUE_CHECK = """
import sys
from pathlib import Path
import django
django.setup()
from rogatory.accounts.models import Role, User
from rogatory.accounts.services import unit_default_ensure
from rogatory.intake.jobs import register_job_check
from rogatory.intake.uploads import upload_store
user = User.objects.create(username="sam.supervisor", role=Role.SUPERVISOR)
content = Path(sys.argv[1]).read_bytes()
upload = upload_store(chunks=[content], original_name="register.csv", max_bytes=len(content))
job = register_job_check(
    actor=user, upload=upload, name="register.csv", unit=unit_default_ensure()
)
print(job.pk)
"""


def _environment(folder: Path) -> dict[str, str]:
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "rogatory.settings",
        "ROGATORY_DATABASE_URL": f"sqlite:///{folder / 'rogatory.sqlite3'}",
        "ROGATORY_MEDIA_DIR": str(folder / "media"),
    }
    environment.pop("ROGATORY_TASKS", None)
    return environment


def _run(arguments: list[str], folder: Path, timeout: int = 180) -> str:
    result = subprocess.run(
        [sys.executable, *arguments],
        cwd=folder,
        env=_environment(folder),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _log(arguments: list[str], folder: Path, timeout: int = 300) -> str:
    """Run a command and return all it wrote; the worker logs through the root logger."""
    result = subprocess.run(
        [sys.executable, *arguments],
        cwd=folder,
        env=_environment(folder),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stdout
    return result.stdout


def _job(folder: Path, job_id: int) -> tuple[str, str | None]:
    with sqlite3.connect(folder / "rogatory.sqlite3") as database:
        return database.execute(
            "SELECT status, result FROM intake_registerjob WHERE id = ?", (job_id,)
        ).fetchone()


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Path:
    """Return a folder with a fresh SQLite register that `rogatory init` set up."""
    folder = tmp_path_factory.mktemp("worker")
    _run(["-m", "rogatory.cli", "init"], folder)
    return folder


def test_worker_process_runs_a_job_queued_by_another_process(database):
    register = database / "register.csv"
    register.write_text(REGISTER)
    job_id = int(_run(["-c", _QUEUE_CHECK, str(register)], database).strip())
    assert _job(database, job_id)[0] == "queued"

    output = _log(["-m", "rogatory.cli", "worker", "--batch", "--interval", "0"], database)

    status, result = _job(database, job_id)
    assert status == "done", output
    assert '"created": 2' in result
    assert "SUCCESSFUL" in output


def test_worker_stops_when_the_process_that_started_it_ends(database):
    # A parent starts a worker tied to it, prints the worker's id and ends at once.
    parent = (
        "import os, subprocess, sys\n"
        "worker = subprocess.Popen([sys.executable, '-m', 'rogatory.cli', 'worker',"
        " '--parent-pid', str(os.getpid())], stdout=subprocess.DEVNULL)\n"
        "print(worker.pid)\n"
    )
    worker = int(_run(["-c", parent], database).strip())

    try:
        deadline = time.monotonic() + 60
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(worker)
    finally:
        if _alive(worker):
            os.kill(worker, signal.SIGKILL)


def _alive(pid: int) -> bool:
    """Return whether the process runs (an ended one nobody reaped yet does not count)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status


def test_worker_refuses_to_start_when_tasks_run_where_queued(settings):
    settings.TASKS = IMMEDIATE_TASKS

    with pytest.raises(CommandError, match="ROGATORY_TASKS=immediate"):
        call_command("worker", "--batch", stdout=io.StringIO())


def test_worker_explains_itself_with_help(capsys):
    with pytest.raises(SystemExit):
        call_command("worker", "--help")
    assert "run one or more beside the web server" in capsys.readouterr().out


def test_serve_with_worker_starts_one_tied_to_the_server(settings, monkeypatch):
    settings.SECRET_KEY = "a-real-key-from-the-environment-" + "x" * 30
    started, served = [], []
    monkeypatch.setattr(serve_command, "_check_static_files", lambda: None)
    monkeypatch.setattr(serve_command.subprocess, "Popen", lambda argv: started.append(argv))
    monkeypatch.setattr("os.execv", lambda program, argv: served.append(argv))

    call_command("serve", "--with-worker", stdout=io.StringIO())

    ((argv,),) = [started]
    assert argv[1:4] == ["-m", "rogatory.cli", "worker"]
    assert argv[argv.index("--parent-pid") + 1] == str(os.getpid())
    assert served


def test_serve_without_worker_starts_none(settings, monkeypatch):
    settings.SECRET_KEY = "a-real-key-from-the-environment-" + "x" * 30
    monkeypatch.setattr(serve_command, "_check_static_files", lambda: None)
    monkeypatch.setattr(
        serve_command.subprocess, "Popen", lambda argv: pytest.fail("a worker started")
    )
    monkeypatch.setattr("os.execv", lambda program, argv: None)

    call_command("serve", stdout=io.StringIO())


def _settings(tasks: str) -> subprocess.CompletedProcess:
    code = "import rogatory.settings as s; print(s.TASKS['default']['BACKEND'])"
    return subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": str(ROOT), "ROGATORY_TASKS": tasks},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("tasks", "backend"),
    [
        ("", "django_tasks_db.DatabaseBackend"),
        ("database", "django_tasks_db.DatabaseBackend"),
        ("immediate", "django_tasks.backends.immediate.ImmediateBackend"),
    ],
)
def test_tasks_wait_in_the_database_unless_told_to_run_at_once(tasks, backend):
    assert _settings(tasks).stdout.strip() == backend


def test_an_unknown_tasks_setting_is_named():
    result = _settings("celery")
    assert result.returncode != 0
    assert "ROGATORY_TASKS must be database or immediate, not 'celery'" in result.stderr
