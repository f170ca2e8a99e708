"""`rogatory export FILE`: write the register to a CSV or XLSX file in format v1."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext, gettext_lazy, ngettext

from rogatory.core.exceptions import ApplicationError
from rogatory.intake.export import register_export
from rogatory.intake.reader import FORMATS
from rogatory.register.models import Direction


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a real string, not a lazy one
        return gettext("Write the register to a CSV or XLSX file in format v1.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help=gettext_lazy("the file to write"))
        parser.add_argument(
            "--format",
            choices=FORMATS,
            help=gettext_lazy("csv or xlsx (default: from the file name)"),
        )
        parser.add_argument(
            "--direction",
            choices=Direction.values,
            help=gettext_lazy("only outgoing or only incoming requests (default: both)"),
        )

    def handle(self, *args, file: Path, format: str | None, direction: str | None, **options):
        try:
            written = register_export(path=file, format=format, direction=direction)
        except ApplicationError as error:
            raise CommandError(error.message, returncode=1) from None
        self.stdout.write(
            ngettext(
                "Exported %(count)d request to %(file)s.",
                "Exported %(count)d requests to %(file)s.",
                written,
            )
            % {"count": written, "file": file}
        )
