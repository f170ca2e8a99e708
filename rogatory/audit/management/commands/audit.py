"""`rogatory audit verify`: check that no audit record was changed or deleted."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rogatory.audit.selectors import ChainReport, audit_chain_verify


class Command(BaseCommand):
    help = "Work with the audit trail."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="verify")
        subcommands.add_parser(
            "verify",
            help="check every record's hash and the chain that links them; exit 1 if broken",
        )

    def handle(self, *args, **options) -> None:
        report = audit_chain_verify()
        if not report.intact:
            raise CommandError(_broken(report), returncode=1)
        self.stdout.write(
            ngettext(
                "Audit trail intact: %(count)s record, chain head %(head)s…",
                "Audit trail intact: %(count)s records, chain head %(head)s…",
                report.records_checked,
            )
            % {"count": report.records_checked, "head": report.head_hash[:16]}
        )


def _broken(report: ChainReport) -> str:
    if report.record_id is None:
        return _("Audit trail broken at record %(sequence)s: %(problem)s") % {
            "sequence": report.broken_at,
            "problem": report.problem,
        }
    return _(
        "Audit trail broken at record %(sequence)s (id %(id)s, %(at)s, %(action)s): %(problem)s"
    ) % {
        "sequence": report.broken_at,
        "id": report.record_id,
        "at": timezone.localtime(report.record_at).isoformat(timespec="seconds"),
        "action": report.record_action,
        "problem": report.problem,
    }
