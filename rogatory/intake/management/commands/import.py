"""`rogatory import FILE`: import a register file (format v1), all rows or none."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from rogatory.accounts.services import unit_by_code
from rogatory.core.exceptions import ApplicationError
from rogatory.intake.services import ImportRejected, register_import


class Command(BaseCommand):
    # The system checks import every URL module and, through them, the charting and PDF
    # libraries: seconds and a hundred megabytes an import never uses. `rogatory init` and
    # `rogatory serve` run them.
    requires_system_checks: list[str] = []

    @property
    def help(self) -> str:  # argparse needs a real string, not a lazy one
        return _(
            "Import a register file (CSV or XLSX, format v1). If any row is wrong, nothing is written."
        )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help=gettext_lazy("the CSV or XLSX file"))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext_lazy("check every row against the register, then write nothing"),
        )
        parser.add_argument(
            "--unit",
            default="",
            help=gettext_lazy(
                "the code of the unit new requests go to (default: the default unit)"
            ),
        )
        parser.add_argument(
            "--no-progress", action="store_true", help=gettext_lazy("do not show a progress bar")
        )

    def handle(
        self, *args, file: Path, dry_run: bool, unit: str, no_progress: bool, **options
    ) -> None:
        try:
            result = register_import(
                actor=None,
                path=file,
                unit=unit_by_code(unit) if unit else None,
                dry_run=dry_run,
                progress=not no_progress and sys.stderr.isatty(),
            )
        except ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(str(error))
            raise CommandError(rejected.message, returncode=1) from None
        except ApplicationError as error:
            raise CommandError(error.message, returncode=1) from None
        rows = ngettext("%(count)d row", "%(count)d rows", result.rows) % {"count": result.rows}
        counts = {
            "file": file.name,
            "rows": rows,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
        if result.dry_run:
            summary = _(
                "Dry run of %(file)s: %(rows)s valid; %(created)d would be created, "
                "%(updated)d updated, %(unchanged)d left unchanged. Nothing was written."
            )
        else:
            summary = _(
                "Imported %(file)s: %(rows)s, %(created)d created, %(updated)d updated, "
                "%(unchanged)d unchanged."
            )
        self.stdout.write(summary % counts)
