"""`rogatory restore FILE [--force]`: put back what `rogatory backup` wrote, all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from rogatory.core.backup import backup_restore
from rogatory.core.exceptions import ApplicationError


class Command(BaseCommand):
    requires_system_checks: list[str] = []

    @property
    def help(self) -> str:  # argparse needs a real string, not a lazy one
        return _(
            "Restore a backup into an empty installation (run `rogatory init` first). The "
            "archive is checked in full first; if anything fails, nothing changes."
        )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help=gettext_lazy("the archive to restore"))
        parser.add_argument(
            "--force",
            action="store_true",
            help=gettext_lazy("replace everything this installation holds"),
        )

    def handle(self, *args, file: Path, force: bool, **options) -> None:
        try:
            result = backup_restore(path=file, force=force)
        except ApplicationError as error:
            raise CommandError(error.message, returncode=1) from None
        self.stdout.write(
            _(
                "Restored %(file)s, made by Rogatory %(version)s at %(created)s: %(rows)s, "
                "%(documents)s. Manifest SHA-256: %(digest)s"
            )
            % {
                "file": file,
                "version": result.rogatory_version,
                "created": result.created_at,
                "rows": ngettext("%(count)s row", "%(count)s rows", result.rows)
                % {"count": result.rows},
                "documents": ngettext("%(count)s document", "%(count)s documents", result.documents)
                % {"count": result.documents},
                "digest": result.manifest_sha256,
            }
        )
        for name in result.orphans_left:
            self.stderr.write(
                _("Could not delete %(name)s, a file of the replaced register; delete it by hand.")
                % {"name": name}
            )
