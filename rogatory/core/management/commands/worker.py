"""`rogatory worker`: run the background tasks (register imports and exports) as its own process.

Run one or more beside the web server, on this machine or on any other that reaches the same
database and media directory. Each takes queued tasks from the database one at a time; it is
django-tasks' database worker (`db_worker`) under Rogatory's name. Ctrl+C or SIGTERM lets the
task it is running finish first; a second one stops it at once.

When it starts, and every minute after, it marks as failed the jobs left "running" by a worker
that died (killed, out of memory, its machine restarted), so that nobody waits for them.

Every few minutes it also queues the day's reminder digests, once the local time passes
ROGATORY_REMINDER_HOUR; the day's run record lets only one worker queue them.
"""

import logging
import os
import signal
import threading
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rogatory.intake.jobs import register_jobs_orphaned_fail
from rogatory.intake.tasks import tasks_wait_for_worker
from rogatory.reminders.tasks import reminders_schedule

logger = logging.getLogger(__name__)

# How often a worker looks for jobs whose worker died.
ORPHANS_EVERY_SECONDS = 60
# How often a worker looks whether the day's reminders are due to be queued.
REMINDERS_EVERY_SECONDS = 300


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a real string, not a lazy one
        return _(
            "Run the background tasks (register imports and exports) as a process of its own; "
            "run one or more beside the web server."
        )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            metavar="SECONDS",
            help=gettext_lazy("How long an idle worker waits before it looks for tasks again."),
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help=gettext_lazy("Run the tasks waiting now, then stop."),
        )
        parser.add_argument(
            "--parent-pid",
            type=int,
            metavar="PID",
            help=gettext_lazy(
                "Stop when the process PID that started this worker ends "
                "(`rogatory serve --with-worker` passes its own)."
            ),
        )

    def handle(
        self, *args, interval: float, batch: bool, parent_pid: int | None, **options
    ) -> None:
        if not tasks_wait_for_worker():
            raise CommandError(
                _(
                    "Background tasks run where they are queued (ROGATORY_TASKS=immediate), so "
                    "there is nothing for a worker to do."
                )
            )
        if interval < 0:
            raise CommandError(_("The interval must be zero or more seconds."))
        if parent_pid is not None:
            _stop_with_parent(parent_pid)
        register_jobs_orphaned_fail()
        if not batch:
            _orphans_sweep_every(ORPHANS_EVERY_SECONDS)
            _reminders_schedule_every(REMINDERS_EVERY_SECONDS)
        call_command(
            "db_worker",
            interval=interval,
            batch=batch,
            reload=False,
            startup_delay=not batch,
            verbosity=options["verbosity"],
            stdout=self.stdout,
            stderr=self.stderr,
        )


def _orphans_sweep_every(seconds: float) -> None:
    """Mark jobs whose worker died as failed every `seconds`, beside the tasks this one runs."""

    def sweep() -> None:
        while True:
            time.sleep(seconds)
            try:
                register_jobs_orphaned_fail()
            except Exception:  # a database away for a moment: try again next time
                logger.exception("Could not look for register jobs whose worker stopped.")
            finally:
                connections.close_all()

    threading.Thread(target=sweep, name="rogatory-worker-orphans", daemon=True).start()


def _reminders_schedule_every(seconds: float) -> None:
    """Queue the day's reminders once their hour has come, looking every `seconds`."""

    def schedule() -> None:
        while True:
            try:
                reminders_schedule()
            except Exception:  # a database away for a moment: try again next time
                logger.exception("Could not queue the day's reminders.")
            finally:
                connections.close_all()
            time.sleep(seconds)

    threading.Thread(target=schedule, name="rogatory-worker-reminders", daemon=True).start()


def _stop_with_parent(parent_pid: int) -> None:
    """Stop this worker, as SIGTERM would, once the process that started it has ended."""

    def watch() -> None:
        # An orphan is handed to another parent, so a changed parent means the first one ended.
        while os.getppid() == parent_pid:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="rogatory-worker-parent", daemon=True).start()
