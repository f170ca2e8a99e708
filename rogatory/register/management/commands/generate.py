"""`rogatory generate --requests N --seed S`: write a synthetic register for trials and benchmarks."""

import argparse
import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from rogatory.accounts.services import unit_by_code
from rogatory.core.exceptions import ApplicationError
from rogatory.register.synthetic import register_generate


class Command(BaseCommand):
    # The system checks import every URL module and the PDF and chart libraries with them:
    # seconds and about 150 MB a generator never uses. `rogatory init` runs them.
    requires_system_checks: list[str] = []

    @property
    def help(self) -> str:  # argparse needs a real string, not a lazy one
        return _(
            "Write a realistic synthetic register straight to the database: requests over ten "
            "years with their histories and persons sought. The same seed gives the same register."
        )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--requests",
            type=int,
            required=True,
            help=gettext_lazy("how many requests to generate"),
        )
        parser.add_argument(
            "--seed",
            type=int,
            required=True,
            help=gettext_lazy("the seed of the register; a seed can be used once per register"),
        )
        parser.add_argument(
            "--last-day",
            type=_day,
            default=None,
            help=gettext_lazy("the last day of the ten years (YYYY-MM-DD; default: yesterday)"),
        )
        parser.add_argument(
            "--unit",
            default="",
            help=gettext_lazy(
                "the code of the unit the requests go to (default: the default unit)"
            ),
        )
        parser.add_argument(
            "--no-progress", action="store_true", help=gettext_lazy("do not show a progress bar")
        )

    def handle(
        self,
        *args,
        requests: int,
        seed: int,
        last_day: date | None,
        unit: str,
        no_progress: bool,
        **options,
    ) -> None:
        try:
            result = register_generate(
                actor=None,
                requests=requests,
                seed=seed,
                unit=unit_by_code(unit) if unit else None,
                progress=not no_progress and sys.stderr.isatty(),
                last_day=last_day,
            )
        except ApplicationError as error:
            raise CommandError(error.message, returncode=1) from None
        self.stdout.write(
            _("Generated %(requests)s with %(events)s and %(persons)s (seed %(seed)d).")
            % {
                "requests": ngettext("%(count)d request", "%(count)d requests", result.requests)
                % {"count": result.requests},
                "events": ngettext("%(count)d event", "%(count)d events", result.events)
                % {"count": result.events},
                "persons": ngettext(
                    "%(count)d person sought", "%(count)d persons sought", result.persons
                )
                % {"count": result.persons},
                "seed": seed,
            }
        )


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("“%(value)s” is not a date (YYYY-MM-DD)") % {"value": value}
        ) from None
