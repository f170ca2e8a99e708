"""Run as a program: back up while a clerk registers a request; print what the backup holds.

`python backup_concurrent.py ARCHIVE` starts a backup, and once it has written its first table,
registers a request and commits it from another thread (another database connection). It
prints, as JSON, the requests and the audit chain head the archive's manifest holds, and the
requests the database holds afterwards. A backup that sees one moment holds the register as it
was before the request; one that does not would hold a request the chain head does not cover.
The settings come from the environment, as for the `rogatory` commands.
"""

import json
import os
import sys
import tarfile
import threading
from datetime import date
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rogatory.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from rogatory.core import backup  # noqa: E402


def _register_elsewhere() -> None:
    from rogatory.reference.models import Country
    from rogatory.register import services
    from rogatory.register.models import Direction, Kind

    try:
        services.request_register(
            actor=None,
            direction=Direction.OUTGOING,
            kind=Kind.MLA,
            reference="WRITTEN-DURING-BACKUP",
            country=Country.objects.get(code="LV"),
            registered_on=date(2024, 1, 2),
        )
    finally:
        connection.close()


def main(archive: Path) -> None:
    from rogatory.audit.models import AuditChainHead
    from rogatory.register.models import Request

    original = backup._table_write
    calls = []

    def table_write(*args, **kwargs):
        described = original(*args, **kwargs)
        if not calls:
            writer = threading.Thread(target=_register_elsewhere)
            writer.start()
            # Joined here: a backup that held the write lock would leave the writer waiting.
            writer.join(timeout=60)
            calls.append(not writer.is_alive())
        return described

    backup._table_write = table_write
    backup.backup_create(path=archive)
    with tarfile.open(archive, "r:gz") as opened:
        manifest = json.load(opened.extractfile("manifest.json"))
    rows = {table["model"]: table["rows"] for table in manifest["tables"]}
    head = AuditChainHead.objects.get()
    print(
        json.dumps(
            {
                "writer_finished": calls == [True],
                "backup_requests": rows["register.request"],
                "backup_head": manifest["audit_chain_head"]["sequence"],
                "backup_audit_records": rows["audit.auditrecord"],
                "database_requests": Request.objects.count(),
                "database_head": head.sequence,
            }
        )
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
