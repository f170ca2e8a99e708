"""`rogatory report`: the period report as text, JSON, CSV, XLSX, PDF or the public statement."""

import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from rogatory.core.exceptions import ApplicationError
from rogatory.publication.documents import (
    FATF_FORMATS,
    REPORT_FORMATS,
    ReportDocument,
    fatf_document,
    report_document,
)
from rogatory.register.models import Direction
from rogatory.statistics.projection import as_of_parse


class Command(BaseCommand):
    help = "Print the figures of a period for one direction, or write them to a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, metavar="Y", help="the whole calendar year Y")
        parser.add_argument("--from", dest="period_from", metavar="D", help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="period_to", metavar="D", help="last day, YYYY-MM-DD")
        parser.add_argument(
            "--direction",
            choices=Direction.values,
            default=Direction.OUTGOING,
            help="our requests (outgoing, the default) or those we received",
        )
        parser.add_argument(
            "--format",
            choices=REPORT_FORMATS,
            default=None,
            help="default: text (xlsx with --fatf); statement is the public statement of a year",
        )
        parser.add_argument(
            "--lang",
            choices=("en", "ru"),
            default="en",
            help="language of the text (default: en)",
        )
        parser.add_argument(
            "--as-of",
            dest="as_of",
            metavar="DATETIME",
            help="figures as known at this moment (YYYY-MM-DD[THH:MM]), from the events "
            "recorded by then",
        )
        parser.add_argument(
            "--fatf",
            action="store_true",
            help="the FATF tables of a year (--year) instead of the period report",
        )
        parser.add_argument("--output", type=Path, metavar="FILE", help="write to FILE, not stdout")

    def handle(self, *args, **options) -> None:
        period_from, period_to = _period(
            options["year"], options["period_from"], options["period_to"]
        )
        try:
            as_of = as_of_parse(options["as_of"])
            document = self._document(options, period_from, period_to, as_of)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self._write(document, options["output"])

    def _document(self, options, period_from, period_to, as_of) -> ReportDocument:
        if options["fatf"]:
            if options["year"] is None:
                raise CommandError(_("The FATF tables cover a calendar year: give --year."))
            format = options["format"] or "xlsx"
            if format not in FATF_FORMATS:
                raise CommandError(
                    _("The FATF tables come as %(formats)s, not %(value)s.")
                    % {"formats": " or ".join(FATF_FORMATS), "value": format}
                )
            return fatf_document(
                format=format, year=options["year"], language=options["lang"], as_of=as_of
            )
        return report_document(
            format=options["format"] or "text",
            period_from=period_from,
            period_to=period_to,
            direction=options["direction"],
            language=options["lang"],
            as_of=as_of,
        )

    def _write(self, document: ReportDocument, output: Path | None) -> None:
        if output is None:
            if not document.is_binary:
                self.stdout.write(document.content, ending="")
                return
            if sys.stdout.isatty():
                raise CommandError(
                    _("A %(format)s file does not belong on a terminal: give --output FILE.")
                    % {"format": document.extension.upper()}
                )
            self.stdout.flush()
            sys.stdout.buffer.write(document.content)
            sys.stdout.buffer.flush()
            return
        try:
            if document.is_binary:
                output.write_bytes(document.content)
            else:
                with output.open("w", encoding="utf-8", newline="") as stream:
                    stream.write(document.content)
        except OSError as error:
            raise CommandError(
                _("Cannot write %(file)s: %(error)s") % {"file": output, "error": error.strerror}
            ) from error


def _period(year: int | None, period_from: str | None, period_to: str | None) -> tuple[date, date]:
    if year is not None:
        if period_from or period_to:
            raise CommandError(_("Give either --year or --from and --to, not both."))
        if not 1 <= year <= 9999:
            raise CommandError(_("“%(value)s” is not a year.") % {"value": year})
        return date(year, 1, 1), date(year, 12, 31)
    if not (period_from and period_to):
        raise CommandError(_("Give the period: --year Y, or --from D and --to D."))
    return _date(period_from, "--from"), _date(period_to, "--to")


def _date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("%(option)s must be a date as YYYY-MM-DD, not “%(value)s”.")
            % {"option": option, "value": value}
        ) from None
