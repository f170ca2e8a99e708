"""`rogatory report`: the period report (Report v1) as text, JSON or CSV."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from rogatory.core.exceptions import ApplicationError
from rogatory.register.models import Direction
from rogatory.statistics.renderers import FORMATS, render
from rogatory.statistics.selectors import report_build, report_country_names


class Command(BaseCommand):
    help = "Print the figures of a period for one direction."

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
        parser.add_argument("--format", choices=FORMATS, default="text", help="default: text")
        parser.add_argument(
            "--lang",
            choices=("en", "ru"),
            default="en",
            help="language of the text (default: en)",
        )
        parser.add_argument("--output", type=Path, metavar="FILE", help="write to FILE, not stdout")

    def handle(self, *args, **options) -> None:
        period_from, period_to = _period(
            options["year"], options["period_from"], options["period_to"]
        )
        try:
            report = report_build(
                period_from=period_from, period_to=period_to, direction=options["direction"]
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        names = {}
        if options["format"] == "text":
            names = report_country_names(report=report, language=options["lang"])
        content = render(
            report, format=options["format"], language=options["lang"], country_names=names
        )
        if options["output"] is None:
            self.stdout.write(content, ending="")
            return
        try:
            with options["output"].open("w", encoding="utf-8", newline="") as output:
                output.write(content)
        except OSError as error:
            raise CommandError(
                _("Cannot write %(file)s: %(error)s")
                % {"file": options["output"], "error": error.strerror}
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
