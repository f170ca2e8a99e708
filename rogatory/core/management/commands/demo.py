"""`rogatory demo`: a demo register with a login per role, served at http://127.0.0.1:8000/.

The demo goes into the database the settings name, which must be empty (or hold the demo
already, which is then served as it is). `make demo` points ROGATORY_DATABASE_URL at a fresh
demo/demo.sqlite3 each time, so the demo never touches a real register.
"""

import os
import secrets
import sys
from datetime import date

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rogatory.accounts.models import Role, Unit, User
from rogatory.core.demo import SEED_YEAR, DemoSummary, demo_build, demo_present, demo_summary
from rogatory.register.models import Request
from rogatory.statistics.narrative import report_narrative
from rogatory.statistics.selectors import report_build

DEMO_WORKERS = 2


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a real string, not a lazy one
        return _(
            "Set up the database, load the demo register and a login per role, and serve "
            "Rogatory with its production server."
        )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help=gettext_lazy("Build the demo and stop, without serving it."),
        )
        parser.add_argument(
            "--host", default="127.0.0.1", help=gettext_lazy("Address to listen on.")
        )
        parser.add_argument(
            "--port", type=int, default=8000, help=gettext_lazy("Port to listen on.")
        )

    # Serving replaces this process with gunicorn's, which suits the command line only: a
    # program that calls the command (call_command) gets the demo built and its process back.
    from_command_line = False

    def run_from_argv(self, argv: list[str]) -> None:
        self.from_command_line = True
        super().run_from_argv(argv)

    def handle(self, *args, no_serve: bool, host: str, port: int, **options) -> None:
        call_command("init", stdout=self.stdout)
        database = _database_name()
        if demo_present():
            summary = demo_summary()
            self.stdout.write(
                _("%(database)s holds the demo already; it is used as it is.")
                % {"database": database}
            )
        elif Request.objects.exists() or User.objects.exists():
            raise CommandError(
                _(
                    "%(database)s already holds requests or users, and the demo does not mix "
                    "with a real register. Point ROGATORY_DATABASE_URL at an empty database, "
                    "or run `make demo`, which builds the demo in demo/demo.sqlite3."
                )
                % {"database": database}
            )
        else:
            summary = demo_build()
        self._write_reports()
        self._write_summary(summary, database=database)
        self._write_logins(summary, url=f"http://{host}:{port}/")
        if no_serve or not self.from_command_line:
            return
        # The production storage serves files by their hashed names, listed in a manifest
        # that collectstatic writes.
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.flush()
        argv = [
            sys.executable,
            "-m",
            "rogatory.cli",
            "serve",
            "--host",
            host,
            "--port",
            str(port),
            "--workers",
            str(DEMO_WORKERS),
            # Register imports and exports run in a background worker, as in production.
            "--with-worker",
        ]
        os.execve(sys.executable, argv, _server_environment())

    def _write_reports(self) -> None:
        for direction in ("outgoing", "incoming"):
            report = report_build(
                period_from=date(SEED_YEAR, 1, 1),
                period_to=date(SEED_YEAR, 12, 31),
                direction=direction,
            )
            for language in ("en", "ru"):
                self.stdout.write("")
                self.stdout.write(report_narrative(report, language=language))

    def _write_summary(self, summary: DemoSummary, *, database: str) -> None:
        names = dict(Unit.objects.values_list("code", "name"))
        by_unit = ", ".join(
            f"{names.get(code, code)} {count}" for code, count in summary.requests_by_unit.items()
        )
        self.stdout.write("")
        self.stdout.write(
            _("Demo register: %(count)d requests from %(first)d to %(last)d, by unit: %(by_unit)s.")
            % {
                "count": summary.requests,
                "first": summary.first_year,
                "last": summary.last_year,
                "by_unit": by_unit,
            }
        )
        self.stdout.write(_("Database: %(database)s") % {"database": database})

    def _write_logins(self, summary: DemoSummary, *, url: str) -> None:
        names = dict(Unit.objects.values_list("code", "name"))
        header = (_("User name"), _("Password"), _("Role"), _("Units"))
        rows = [
            (
                login.username,
                summary.password,
                str(Role(login.role).label),
                _("all units")
                if login.role in (Role.SUPERVISOR, Role.ADMINISTRATOR)
                else ", ".join(names.get(code, code) for code in login.units),
            )
            for login in summary.logins
        ]
        widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
        self.stdout.write("")
        self.stdout.write(_("Sign in at %(url)s as one of these users:") % {"url": url})
        self.stdout.write("")
        for row in (header, tuple("-" * width for width in widths), *rows):
            self.stdout.write(
                "  "
                + "  ".join(
                    cell.ljust(width) for cell, width in zip(row, widths, strict=True)
                ).rstrip()
            )
        self.stdout.write("")


def _database_name() -> str:
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        return str(database["NAME"])
    return f"{database.get('HOST') or 'localhost'}/{database['NAME']}"


def _server_environment() -> dict[str, str]:
    """Return the environment of the demo's server: plain HTTP on this machine, DEBUG off."""
    return {
        **os.environ,
        # A key for this run of the demo; sessions end when it stops, which suits a demo.
        "ROGATORY_SECRET_KEY": os.environ.get("ROGATORY_SECRET_KEY") or secrets.token_urlsafe(50),
        # The demo has no TLS proxy in front: no redirect to HTTPS, no HSTS, and cookies
        # that a browser sends back over plain http://127.0.0.1.
        "ROGATORY_SSL_REDIRECT": "0",
        "ROGATORY_HSTS_SECONDS": "0",
        "ROGATORY_HSTS_PRELOAD": "0",
        "ROGATORY_SECURE_COOKIES": "0",
    }
