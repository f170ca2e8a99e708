"""The background task behind every register job; `rogatory worker` runs it."""

from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task, task_backends
from django_tasks_db import DatabaseBackend

from .jobs import register_job_run


@task()
def register_job_task(job_id: int) -> None:
    """Run one register job: check, import or export a register file."""
    register_job_run(job_id=job_id)


def tasks_wait_for_worker() -> bool:
    """Return whether queued tasks wait for `rogatory worker`, rather than run where queued."""
    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)
