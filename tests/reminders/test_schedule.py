"""The daily job: `rogatory worker` queues it once a day, after the reminder hour."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from rogatory.reminders.models import ReminderRun
from rogatory.reminders.services import reminders_send
from rogatory.reminders.tasks import reminders_daily_task, reminders_schedule
from tests.reminders.conftest import TODAY

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
ZONE = ZoneInfo("Europe/Moscow")


def _at(hour: int, minute: int = 0, *, day: int = TODAY.day) -> datetime:
    return datetime(TODAY.year, TODAY.month, day, hour, minute, tzinfo=ZONE)


def _queued() -> list[dict]:
    return [
        result.args_kwargs["kwargs"]
        for result in DBTaskResult.objects.filter(task_path__endswith="reminders_daily_task")
    ]


@pytest.fixture
def clock(settings):
    settings.TIME_ZONE = "Europe/Moscow"
    settings.ROGATORY_REMINDER_HOUR = 7
    settings.TASKS = DATABASE_TASKS


def test_nothing_is_queued_before_the_reminder_hour(db, clock):
    assert reminders_schedule(now=_at(6, 59)) is None
    assert _queued() == [] and not ReminderRun.objects.exists()


def test_the_job_is_queued_at_most_once_a_day_however_often_workers_look(db, clock):
    assert reminders_schedule(now=_at(7, 0)) == TODAY
    for hour, minute in [(7, 5), (7, 10), (12, 0), (23, 59)]:
        assert reminders_schedule(now=_at(hour, minute)) is None

    assert _queued() == [{"run_on": "2026-03-10"}]
    assert ReminderRun.objects.get(run_on=TODAY).queued_at == _at(7, 0)

    # The next day it is queued again, once.
    assert reminders_schedule(now=_at(6, 0, day=11)) is None
    assert reminders_schedule(now=_at(7, 30, day=11)) is not None
    assert reminders_schedule(now=_at(8, 0, day=11)) is None
    assert _queued() == [{"run_on": "2026-03-10"}, {"run_on": "2026-03-11"}]


def test_the_day_follows_the_local_time_zone(db, clock):
    # 04:30 UTC is 07:30 in Moscow: the hour has come there.
    assert reminders_schedule(now=datetime(2026, 3, 10, 4, 30, tzinfo=ZoneInfo("UTC"))) == TODAY


def test_a_manual_run_earlier_that_day_does_not_stop_the_daily_job(register, clock):
    reminders_send(today=TODAY)

    assert reminders_schedule(now=_at(7, 0)) == TODAY
    assert reminders_schedule(now=_at(7, 5)) is None
    assert len(_queued()) == 1


def test_the_queued_job_sends_the_day_digests(register, clock, settings):
    settings.TASKS = IMMEDIATE_TASKS

    assert reminders_schedule(now=_at(7, 0)) == TODAY

    assert len(mail.outbox) == 5
    run = ReminderRun.objects.get(run_on=TODAY)
    assert run.queued_at is not None and run.digests_sent == 5


def test_the_task_runs_the_day_it_was_queued_for(register, settings):
    settings.TASKS = IMMEDIATE_TASKS

    reminders_daily_task.enqueue(run_on=TODAY.isoformat())

    assert len(mail.outbox) == 5
    assert ReminderRun.objects.filter(run_on=TODAY).exists()
