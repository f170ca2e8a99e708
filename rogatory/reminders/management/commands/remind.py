"""`rogatory remind [--dry-run] [--date YYYY-MM-DD]`: send the digests of deadlines falling due.

`rogatory worker` runs the same thing every day on its own; this command runs it now, or shows
what it would send. It prints, for each person, the digest sent (or that would be sent) and the
items in it, then the counts. It exits with status 1 when a digest could not be sent; those
items stay unsent and the next run sends them.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from rogatory.core.exceptions import ApplicationError
from rogatory.reminders.emails import item_when
from rogatory.reminders.selectors import Digest, ReminderItem
from rogatory.reminders.services import DigestOutcome, ReminderOutcome, reminders_send


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a real string, not a lazy one
        return _(
            "E-mail each responsible clerk and supervisor one digest of the deadlines that fell "
            "due or overdue, once per due date; --dry-run only shows what would be sent."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext_lazy("Show what would be sent; send and record nothing."),
        )
        parser.add_argument(
            "--date",
            type=_day,
            metavar="YYYY-MM-DD",
            help=gettext_lazy("The day to remind of (default: today)."),
        )

    def handle(self, *args, dry_run: bool, date: date | None, **options) -> None:
        today = date or timezone.localdate()
        try:
            outcome = reminders_send(today=today, dry_run=dry_run, actor=None)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self._print(outcome)
        if outcome.failed:
            raise CommandError(
                ngettext(
                    "%(count)s digest could not be sent; the next run tries it again.",
                    "%(count)s digests could not be sent; the next run tries them again.",
                    len(outcome.failed),
                )
                % {"count": len(outcome.failed)},
                returncode=1,
            )

    def _print(self, outcome: ReminderOutcome) -> None:
        write = self.stdout.write
        if outcome.dry_run:
            write(
                _("Reminders for %(date)s (dry run: nothing is sent or recorded).")
                % {"date": outcome.today.isoformat()}
            )
        else:
            write(_("Reminders for %(date)s.") % {"date": outcome.today.isoformat()})
        for digest_outcome in outcome.digests:
            write("")
            write(_recipient_line(digest_outcome, dry_run=outcome.dry_run))
            for item in digest_outcome.digest.items:
                write("  " + _item_line(item))
        if outcome.without_email:
            write("")
            write(_("Not reminded, for want of an e-mail address:"))
            for digest in outcome.without_email:
                write("  " + _no_email_line(digest))
        if outcome.unattended:
            write("")
            write(_("Nobody to remind (no responsible clerk and no supervisor):"))
            for item in outcome.unattended:
                write("  " + _item_line(item))
        write("")
        write(_summary(outcome))


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(value) from None


_day.__name__ = "date"  # argparse names the type in its error: "invalid date value"


def _recipient_line(outcome: DigestOutcome, *, dry_run: bool) -> str:
    digest = outcome.digest
    if dry_run:
        state = pgettext("digest", "would be sent")
    elif outcome.sent:
        state = pgettext("digest", "sent")
    else:
        state = pgettext("digest", "NOT SENT: %(error)s") % {"error": outcome.error}
    return _("%(user)s <%(email)s>: %(overdue)s overdue, %(due_soon)s due soon; %(state)s") % {
        "user": digest.recipient.get_username(),
        "email": digest.recipient.email,
        "overdue": len(digest.overdue),
        "due_soon": len(digest.due_soon),
        "state": state,
    }


def _item_line(item: ReminderItem) -> str:
    return _("%(reference)s, %(country)s: %(rule)s, due on %(due_on)s, %(when)s") % {
        "reference": item.request.reference,
        "country": item.request.country.name,
        "rule": item.rule.name,
        "due_on": item.due_on.isoformat(),
        "when": item_when(item),
    }


def _no_email_line(digest: Digest) -> str:
    return ngettext(
        "%(user)s: %(count)s reminder",
        "%(user)s: %(count)s reminders",
        len(digest.items),
    ) % {"user": digest.recipient.get_username(), "count": len(digest.items)}


def _summary(outcome: ReminderOutcome) -> str:
    digests = outcome.sent if not outcome.dry_run else outcome.digests
    count = len(digests)
    reminders = sum(len(digest_outcome.digest.items) for digest_outcome in digests)
    counts = {
        "digests": ngettext("%(count)s digest", "%(count)s digests", count) % {"count": count},
        "reminders": ngettext("%(count)s reminder", "%(count)s reminders", reminders)
        % {"count": reminders},
    }
    if outcome.dry_run:
        parts = [_("Would send: %(digests)s, with %(reminders)s.") % counts]
    else:
        parts = [_("Sent: %(digests)s, with %(reminders)s.") % counts]
    if outcome.failed:
        parts.append(
            ngettext("%(count)s digest failed.", "%(count)s digests failed.", len(outcome.failed))
            % {"count": len(outcome.failed)}
        )
    if outcome.without_email:
        parts.append(
            ngettext(
                "%(count)s user without an e-mail address skipped.",
                "%(count)s users without an e-mail address skipped.",
                len(outcome.without_email),
            )
            % {"count": len(outcome.without_email)}
        )
    return " ".join(parts)
