"""The daily reminder job: a background task, and the clock `rogatory worker` queues it by."""

from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .services import reminder_run_claim, reminders_send


@task()
def reminders_daily_task(run_on: str) -> None:
    """Send the digests of the day `run_on` (YYYY-MM-DD), the day the job was queued for."""
    reminders_send(today=date.fromisoformat(run_on))


def reminders_schedule(*, now: datetime | None = None) -> date | None:
    """Queue the day's reminder job once the local time passes ROGATORY_REMINDER_HOUR.

    Return the day queued, or None when it is too early or the day's job is queued already.
    Every worker calls this every few minutes; the day's run record lets one of them queue the
    job. The claim and the queued task are written in one transaction, so a job is never
    claimed without being queued.
    """
    now = timezone.localtime(now)
    if now.hour < settings.ROGATORY_REMINDER_HOUR:
        return None
    today = now.date()
    with transaction.atomic():
        if not reminder_run_claim(run_on=today, queued_at=now):
            return None
        reminders_daily_task.enqueue(run_on=today.isoformat())
    return today
