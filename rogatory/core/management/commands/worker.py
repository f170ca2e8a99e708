"""`rogatory worker`: run the background tasks (register imports and exports) as its own process.

Run one or more beside the web server, on this machine or on any other that reaches the same
database and media directory. Each takes queued tasks from the database one at a time; it is
django-tasks' database worker (`db_worker`) under Rogatory's name. Ctrl+C or SIGTERM lets the
task it is running finish first; a second one stops it at once.
"""

import os
import signal
import threading
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rogatory.intake.tasks import tasks_wait_for_worker


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


def _stop_with_parent(parent_pid: int) -> None:
    """Stop this worker, as SIGTERM would, once the process that started it has ended."""

    def watch() -> None:
        # An orphan is handed to another parent, so a changed parent means the first one ended.
        while os.getppid() == parent_pid:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="rogatory-worker-parent", daemon=True).start()
