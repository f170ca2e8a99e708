"""`rogatory demo`: a database with a demo register, and its 2023 report."""

import sys
from datetime import date
from importlib import resources
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand

from rogatory.intake.services import register_import
from rogatory.statistics.narrative import report_narrative
from rogatory.statistics.selectors import report_build


class Command(BaseCommand):
    help = "Set up the database, load a demo register of 2023 and print its report."

    def handle(self, *args, **options) -> None:
        call_command("init", stdout=self.stdout)
        register = resources.files("rogatory.core").joinpath("data", "demo-register-2023.csv")
        with resources.as_file(register) as path:
            result = register_import(actor=None, path=path, progress=False)
        self.stdout.write(
            f"Demo register: {result.rows} requests "
            f"({result.created} new, {result.updated} updated, {result.unchanged} unchanged)."
        )
        for direction in ("outgoing", "incoming"):
            report = report_build(
                period_from=date(2023, 1, 1), period_to=date(2023, 12, 31), direction=direction
            )
            for language in ("en", "ru"):
                self.stdout.write("")
                self.stdout.write(report_narrative(report, language=language))
        command = Path(sys.argv[0]) if sys.argv and sys.argv[0].endswith("rogatory") else "rogatory"
        self.stdout.write("")
        self.stdout.write("Try:")
        self.stdout.write(f"  {command} report --year 2023 --format json")
        self.stdout.write(f"  {command} report --year 2023 --direction incoming --lang ru")
