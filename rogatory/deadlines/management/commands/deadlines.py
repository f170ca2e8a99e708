"""`rogatory deadlines --refresh`: recompute every request's due dates from the rules in use."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from rogatory.deadlines.services import deadlines_refresh_all


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a real string, not a lazy one
        return _(
            "Recompute the due dates of every request from its history and the deadline rules "
            "in use: after an upgrade, or to check that nothing has drifted."
        )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--refresh",
            action="store_true",
            help=gettext_lazy("recompute the due dates of every request, in batches"),
        )

    def handle(self, *args, refresh: bool = False, **options) -> None:
        if not refresh:
            raise CommandError(_("Say what to do: --refresh recomputes every request's due dates."))
        count = deadlines_refresh_all()
        self.stdout.write(
            ngettext(
                "Due dates recomputed for %(count)d request.",
                "Due dates recomputed for %(count)d requests.",
                count,
            )
            % {"count": count}
        )
