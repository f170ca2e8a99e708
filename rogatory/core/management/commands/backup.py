"""`rogatory backup FILE`: write the database and the documents to one archive."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from rogatory.core.backup import backup_create
from rogatory.core.exceptions import ApplicationError


class Command(BaseCommand):
    # The system checks import every URL module and the PDF and chart libraries with them;
    # a backup needs none of it.
    requires_system_checks: list[str] = []

    @property
    def help(self) -> str:  # argparse needs a real string, not a lazy one
        return _(
            "Write a consistent snapshot of the database and every document, with a manifest "
            "of checksums, to one archive (tar, gzip-compressed)."
        )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help=gettext_lazy("the archive to write"))
        parser.add_argument(
            "--force", action="store_true", help=gettext_lazy("replace FILE if it exists")
        )

    def handle(self, *args, file: Path, force: bool, **options) -> None:
        try:
            result = backup_create(path=file, force=force)
        except ApplicationError as error:
            raise CommandError(error.message, returncode=1) from None
        self.stdout.write(
            _(
                "Backup written to %(file)s (%(size)s): %(rows)s, %(documents)s. "
                "Manifest SHA-256: %(digest)s"
            )
            % {
                "file": result.path,
                "size": filesizeformat(result.size),
                "rows": ngettext("%(count)s row", "%(count)s rows", result.rows)
                % {"count": result.rows},
                "documents": ngettext("%(count)s document", "%(count)s documents", result.documents)
                % {"count": result.documents},
                "digest": result.manifest_sha256,
            }
        )
